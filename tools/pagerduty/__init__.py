"""PagerDuty as Guardian's incident integration (the ``pagerduty`` package, REST API v2)."""

from tools.base import ToolContext
from tools.pagerduty.client import pagerduty_client
from tools.pagerduty.tools import PAGERDUTY_TOOLS
from tools.settings import PagerDutySettings
from tools.toolset import Prerequisite, Toolset


def _has_api_key(ctx: ToolContext) -> bool:
    return ctx.pagerduty.api_key is not None and bool(ctx.pagerduty.api_key.get_secret_value())


def _has_from_email(ctx: ToolContext) -> bool:
    return bool(ctx.pagerduty.from_email)


PAGERDUTY = Toolset(
    name="pagerduty",
    title="PagerDuty",
    settings_model=PagerDutySettings,
    tools=tuple(PAGERDUTY_TOOLS),
    prerequisites=(
        Prerequisite("an API key", "set PAGERDUTY_API_KEY, and PAGERDUTY_API_URL for the EU service", _has_api_key),
        Prerequisite("a requester for changes", "set GUARDIAN_PAGERDUTY_FROM_EMAIL to the email of the PagerDuty user "
                     "Guardian acts as", _has_from_email, writes_only=True),
    ),
)

__all__ = ["PAGERDUTY", "PAGERDUTY_TOOLS", "PagerDutySettings", "pagerduty_client"]
