"""Guardian's AWS tools (boto3). boto3 finds credentials, profile and endpoint itself
(AWS_ENDPOINT_URL included), so the sandbox and real accounts use the same code."""

from __future__ import annotations

from tools.aws.actions import ACTION_TOOLS, describe_instance_action
from tools.aws.cost import COST_TOOLS
from tools.aws.inventory import INVENTORY_TOOLS
from tools.aws.logs import LOGS_TOOLS
from tools.aws.security import SECURITY_TOOLS, Finding, posture_score, security_scan
from tools.base import ToolSpec

AWS_TOOLS: list[ToolSpec] = [*COST_TOOLS, *INVENTORY_TOOLS, *SECURITY_TOOLS, *LOGS_TOOLS, *ACTION_TOOLS]

__all__ = ["AWS_TOOLS", "Finding", "describe_instance_action", "posture_score", "security_scan"]
