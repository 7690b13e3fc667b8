"""Guardian's Azure tools, through the Azure management SDKs (azure-mgmt-resource, -compute,
-network, -storage, -costmanagement) and azure-identity. The ARM endpoint, CA bundle and
credential come from ``ToolContext.azure``, so the sandbox and a real subscription use the
same code."""

from __future__ import annotations

from tools.azure.actions import ACTION_TOOLS
from tools.azure.cost import COST_TOOLS
from tools.azure.inventory import INVENTORY_TOOLS
from tools.azure.security import SECURITY_TOOLS
from tools.base import ToolContext, ToolSpec
from tools.settings import AzureSettings
from tools.toolset import Prerequisite, Toolset

AZURE_TOOLS: list[ToolSpec] = [*INVENTORY_TOOLS, *ACTION_TOOLS, *SECURITY_TOOLS, *COST_TOOLS]


def _has_subscription(ctx: ToolContext) -> bool:
    return bool(ctx.azure.subscription_id)


# Credentials are azure-identity's business (or GUARDIAN_AZURE_TOKEN); a missing one is named
# by the tool's error mapping.
AZURE = Toolset(
    name="azure",
    title="Azure",
    settings_model=AzureSettings,
    tools=tuple(AZURE_TOOLS),
    prerequisites=(Prerequisite("a subscription", "set AZURE_SUBSCRIPTION_ID", _has_subscription),),
)

__all__ = ["AZURE", "AZURE_TOOLS", "AzureSettings"]
