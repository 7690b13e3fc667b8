"""Guardian's AWS tools (boto3). boto3 finds credentials, profile and endpoint itself
(AWS_ENDPOINT_URL included), so the sandbox and real accounts use the same code."""

from __future__ import annotations

from tools.aws.actions import ACTION_TOOLS, describe_instance_action
from tools.aws.cost import COST_TOOLS
from tools.aws.inventory import INVENTORY_TOOLS
from tools.aws.logs import LOGS_TOOLS
from tools.aws.metrics import METRICS_TOOLS
from tools.aws.security import SECURITY_TOOLS, Finding, posture_score, security_scan
from tools.base import ToolContext, ToolSpec
from tools.settings import AwsSettings
from tools.toolset import Prerequisite, Toolset

AWS_TOOLS: list[ToolSpec] = [*COST_TOOLS, *INVENTORY_TOOLS, *METRICS_TOOLS, *SECURITY_TOOLS, *LOGS_TOOLS,
                            *ACTION_TOOLS]


def _has_regions(ctx: ToolContext) -> bool:
    return bool(ctx.aws.regions)


# Credentials are boto3's own business (profile, role, environment); a missing one is named
# by the tool's error mapping, with the region it happened in.
AWS = Toolset(
    name="aws",
    title="AWS",
    settings_model=AwsSettings,
    tools=tuple(AWS_TOOLS),
    prerequisites=(Prerequisite("a region to scan", "set GUARDIAN_AWS_REGIONS or AWS_DEFAULT_REGION", _has_regions),),
)

__all__ = ["AWS", "AWS_TOOLS", "AwsSettings", "Finding", "describe_instance_action", "posture_score", "security_scan"]
