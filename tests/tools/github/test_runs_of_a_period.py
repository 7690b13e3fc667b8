"""The runs of a period: a rolling window runs up to now; a period with no run names the
newest run of the same repository and workflow, as outside the period asked for (expectations
derived from sandbox/saas_company.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sandbox.saas_company import SaasCompany
from tools.base import ToolContext
from tools.registry import ToolRegistry

pytestmark = pytest.mark.slow  # starts a local HTTP server per test


def _deploys(company: SaasCompany, repo: str) -> list:  # newest first
    return [run for run in company.github.runs_of(repo) if run.workflow.file == "deploy.yml"]


def test_a_period_with_no_deploy_names_the_newest_deploy_and_when_it_ran(
        company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    newest = _deploys(company, "driftwood/checkout-web")[0]
    # a whole day with no checkout-web deploy: from the day after the newest one ran
    empty_day = newest.created_at.date() + timedelta(days=1)
    result = registry.invoke("github_workflow_runs", {
        "repo": "checkout-web", "workflow": "deploy", "start": empty_day.isoformat(),
        "end": (empty_day + timedelta(days=1)).isoformat()}, ctx)
    assert result.status == "no_data" and not result.rows
    day = empty_day.isoformat()
    assert result.summary.startswith(f"No workflow runs of deploy in driftwood/checkout-web on {day}.")
    assert f"run {newest.id} (#{newest.run_number})" in result.summary and f", {newest.conclusion}," in result.summary
    assert result.resources == [str(newest.id)]
    assert result.facts["latest_outside_period"]["run_id"] == newest.id


def test_the_newest_across_the_repositories_asked_of_is_named(
        company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    """Several repositories and a week long ago: the one newest run of them all, not one per repository."""
    start = (company.now - timedelta(days=60)).date()
    result = registry.invoke("github_workflow_runs", {"start": start.isoformat(),
                                                      "end": (start + timedelta(days=7)).isoformat()}, ctx)
    newest = max(company.github.runs, key=lambda run: run.created_at)
    assert result.status == "no_data"
    assert f"from {start.isoformat()} to {(start + timedelta(days=6)).isoformat()}" in result.summary
    assert result.resources == [str(newest.id)]


def test_no_run_at_all_still_says_only_that(ctx: ToolContext, registry: ToolRegistry) -> None:
    start = "2020-01-01"
    result = registry.invoke("github_workflow_runs", {"repo": "checkout-web", "workflow": "nope-such-flow",
                                                      "start": start}, ctx)
    assert result.status == "no_data" and result.resources == []
    assert result.summary == "No workflow runs of nope-such-flow in driftwood/checkout-web since 2020-01-01."


def test_a_rolling_window_runs_up_to_now(company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    """"the last 24 hours" is the day up to now (time_range's ``since``), the deploy of an hour
    ago included (whole days ending at today's start would leave it out), yesterday's earlier one not."""
    since = company.now - timedelta(days=1)
    deploys = _deploys(company, "driftwood/payments-api")
    result = registry.invoke("github_workflow_runs", {"repo": "payments-api", "workflow": "deploy",
                                                      "start_time": since.isoformat(), "limit": 50}, ctx)
    inside = [run.id for run in deploys if run.created_at >= since]
    assert [row["run_id"] for row in result.rows] == inside
    assert inside and len(inside) < len(deploys)  # the window really cut the older deploy off
