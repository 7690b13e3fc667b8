"""An incident named by its neighbour ("before #N", "after #N"), as a follow-up asks for
"the one before": the closest number on that side, whatever gaps the numbering has."""

from __future__ import annotations

import pytest

from sandbox.saas_company import SaasCompany
from tools.base import ToolContext
from tools.registry import ToolRegistry

pytestmark = pytest.mark.slow  # starts a local HTTPS server per test


def _by_number(company: SaasCompany) -> list[tuple[int, str]]:
    return sorted((i.number, i.id) for i in company.pagerduty.incidents)


def test_before_a_number_is_the_closest_lower_one(company: SaasCompany, ctx: ToolContext,
                                                  registry: ToolRegistry) -> None:
    numbered = _by_number(company)
    (low_number, low_id), (high_number, _) = numbered[0], numbered[1]
    result = registry.invoke("pagerduty_incident_brief", {"incident_id": f"before #{high_number}"}, ctx)
    assert result.status == "ok"
    assert low_id in result.summary and f"#{low_number}" in result.summary


def test_after_a_number_skips_the_gap_to_the_next_one(company: SaasCompany, ctx: ToolContext,
                                                      registry: ToolRegistry) -> None:
    numbered = _by_number(company)
    result = registry.invoke("pagerduty_incident_brief", {"incident_id": f"after {numbered[0][0]}"}, ctx)
    assert result.status == "ok"
    assert numbered[1][1] in result.summary


def test_nothing_beyond_the_newest_is_an_error_not_a_guess(company: SaasCompany, ctx: ToolContext,
                                                           registry: ToolRegistry) -> None:
    newest = _by_number(company)[-1][0]
    result = registry.invoke("pagerduty_incident_brief", {"incident_id": f"after #{newest}"}, ctx)
    assert result.status != "ok"
    assert f"#{newest}" in result.summary
