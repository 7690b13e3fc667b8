"""Guardian's Google Cloud tools, through the real SDKs (google-cloud-logging,
google-cloud-compute, google-cloud-storage) on their JSON/REST transports. The project comes
from GOOGLE_CLOUD_PROJECT, credentials from Application Default Credentials; a local stand-in
is reached through the SDKs' documented ``api_endpoint`` client option (GUARDIAN_GCP_API_URL).
Nothing here imports an SDK until a tool runs."""

from __future__ import annotations

from tools.base import ToolContext, ToolSpec
from tools.gcp.inventory import INVENTORY_TOOLS
from tools.gcp.logs import LOGS_TOOLS
from tools.gcp.security import SECURITY_TOOLS
from tools.settings import GcpSettings
from tools.toolset import Prerequisite, Toolset

GCP_TOOLS: list[ToolSpec] = [*LOGS_TOOLS, *INVENTORY_TOOLS, *SECURITY_TOOLS]


def _has_project(ctx: ToolContext) -> bool:
    return bool(ctx.gcp.project)


GCP = Toolset(
    name="gcp",
    title="Google Cloud",
    settings_model=GcpSettings,
    tools=tuple(GCP_TOOLS),
    prerequisites=(Prerequisite("a project", "set GOOGLE_CLOUD_PROJECT", _has_project),),
    only_when_named=True,  # "which buckets are public?" stays AWS's question; "... in gcp?" is ours
)

__all__ = ["GCP", "GCP_TOOLS", "GcpSettings"]
