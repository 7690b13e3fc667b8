"""dev22 (evals22e): PagerDuty reads said in the middle of an incident.

- an open-incident list over a window up to now that finds none opened in it still shows the
  incidents open from before it (they are going on in that window too); a resolved list or a
  window closed in the past does not;
- a service said as a path (a log group, "org/repo") is its last part.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sandbox.saas_company import SaasCompany
from tools.base import ToolContext
from tools.registry import ToolRegistry

pytestmark = pytest.mark.slow  # starts a local HTTPS server per test


def _open(company: SaasCompany) -> list[str]:
    return [i.id for i in company.pagerduty.incidents if i.status in ("triggered", "acknowledged")]


def test_a_window_after_every_open_incident_still_shows_them(
        company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    newest = max(i.created_at for i in company.pagerduty.incidents)
    since = (newest + timedelta(minutes=1)).replace(tzinfo=None).isoformat()
    result = registry.invoke("pagerduty_open_incidents", {"start_time": since}, ctx)
    assert result.status == "ok", result.summary
    assert "from before" in result.summary
    assert {row["id"] for row in result.rows} == set(_open(company))


def test_a_resolved_list_over_an_empty_window_shows_nothing_older(
        company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    since = (datetime.now(UTC) + timedelta(minutes=1)).replace(tzinfo=None).isoformat()
    result = registry.invoke("pagerduty_open_incidents", {"start_time": since, "status": "resolved"}, ctx)
    assert not result.rows


def test_a_window_closed_in_the_past_asks_that_window_alone(
        company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    oldest = min(i.created_at for i in company.pagerduty.incidents)
    start, end = (oldest - timedelta(days=30)).date(), (oldest - timedelta(days=20)).date()
    result = registry.invoke("pagerduty_open_incidents", {"start": start.isoformat(), "end": end.isoformat()}, ctx)
    assert not result.rows


@pytest.mark.parametrize("shape", ["/app/{}-api", "/aws/lambda/{}-webhook", "driftwood/{}-web"])
def test_a_service_said_as_a_path_is_its_last_part(
        company: SaasCompany, ctx: ToolContext, registry: ToolRegistry, shape: str) -> None:
    service = company.pagerduty.services[0]
    policy = company.pagerduty.policy(service.escalation_policy)
    result = registry.invoke("pagerduty_oncall", {"service": shape.format(service.name)}, ctx)
    assert result.status == "ok", result.summary
    assert policy.name in result.summary
