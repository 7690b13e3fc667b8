"""Asked for one level of the rota ("who's the backup for X?"), the on-call answer leads with
that level's person; the other levels follow, and a level nobody holds falls back to level 1."""

from __future__ import annotations

import pytest

from sandbox.saas_company import SaasCompany, person
from tools.base import ToolContext
from tools.registry import ToolRegistry

pytestmark = pytest.mark.slow  # starts a local HTTPS server per test


def test_the_level_asked_about_leads_and_the_first_level_follows(
        company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    service = company.pagerduty.services[-1]
    rota = company.pagerduty.oncall_for_service(service.name)
    second = person(next(handle for level, handle, _ in rota if level == 2)).name
    first = person(next(handle for level, handle, _ in rota if level == 1)).name
    result = registry.invoke("pagerduty_oncall", {"service": service.name, "level": 2}, ctx)
    assert result.status == "ok"
    lead = result.summary.partition(".")[0]
    assert "level 2" in lead and second in lead and first not in lead
    assert first in result.summary.split("Also on call:", 1)[1]
    assert len(result.rows) == len(rota)


def test_a_level_nobody_holds_answers_with_the_first_level(
        company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    service = company.pagerduty.services[0]
    first = person(next(h for lvl, h, _ in company.pagerduty.oncall_for_service(service.name) if lvl == 1)).name
    result = registry.invoke("pagerduty_oncall", {"service": service.name, "level": 5}, ctx)
    assert result.status == "ok" and result.summary.startswith(f"On call now for {service.name}")
    assert first in result.summary.split("Next:", 1)[0]
