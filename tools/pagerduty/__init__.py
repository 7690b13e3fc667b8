"""PagerDuty as Guardian's incident integration (the ``pagerduty`` package, REST API v2)."""

from tools.pagerduty.client import PagerDutyConfig, pagerduty_client
from tools.pagerduty.tools import PAGERDUTY_TOOLS

__all__ = ["PAGERDUTY_TOOLS", "PagerDutyConfig", "pagerduty_client"]
