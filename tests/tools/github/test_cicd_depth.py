"""cicd.failure on the sandbox's real-shaped logs (including the generated 5 MB one) and
cicd.changes over a period, through the real PyGithub client against the GitHub stand-in.
Every expectation is derived from sandbox/saas_company.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sandbox.github_api import GitHubStandIn
from sandbox.saas_company import (
    BIG_LOG_BYTES,
    BIG_RUN_NUMBER,
    INJECTION_LINE,
    LEAKED_TOKEN,
    MIGRATION_ERROR,
    OOM_ERROR,
    TOKEN_WARNING,
    SaasCompany,
    WorkflowRun,
)
from tools.base import ToolContext
from tools.redaction import MASK
from tools.registry import ToolRegistry

pytestmark = pytest.mark.slow  # starts a local HTTP server per test


def big_run(company: SaasCompany) -> WorkflowRun:
    return next(run for run in company.github.runs if run.run_number == BIG_RUN_NUMBER)


def test_a_5_mb_log_is_diagnosed_from_its_failing_step(
        company: SaasCompany, github: GitHubStandIn, ctx: ToolContext, registry: ToolRegistry) -> None:
    run = big_run(company)
    job = next(j for j in run.jobs if j.conclusion == "failure")
    step = next(s for s in job.steps if s.conclusion == "failure")
    result = registry.invoke("github_run_failure", {"run_id": run.id}, ctx)
    facts = result.facts
    assert result.status == "ok"
    assert facts["log_bytes"] >= BIG_LOG_BYTES * 0.95  # the whole multi-megabyte log was read
    assert (facts["failing_job"], facts["failing_step"], facts["failing_step_number"]) == (
        job.name, step.name, step.number)
    assert (facts["commit"], facts["commit_author"]) == (run.sha, run.actor)
    assert facts["read_from_step"] is True
    assert (facts["cause"], facts["evidence"]) == ("out_of_memory", OOM_ERROR)
    assert OOM_ERROR in facts["error_lines"]
    # An earlier step's warning about an unset token is not the cause: only the step was read.
    assert TOKEN_WARNING not in "\n".join(facts["error_lines"]) + facts["log_tail"]
    assert f"at step {step.number} '{step.name}'" in result.summary
    assert f"commit {run.sha[:7]} by {run.actor}" in result.summary
    assert "Likely cause: out of memory" in result.summary
    # The token the test run printed is redacted everywhere; the injection stays data.
    shown = repr(result.model_dump())
    assert LEAKED_TOKEN not in shown and MASK[:-1] in "\n".join(facts["error_lines"])
    assert INJECTION_LINE in facts["log_tail"] and "ignore previous" not in result.summary.lower()
    assert github.writes == []


def test_the_failed_deploy_names_the_migration_conflict(
        company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    run = company.github.latest_failed_run()
    job = next(j for j in run.jobs if j.conclusion == "failure")
    step = next(s for s in job.steps if s.conclusion == "failure")
    result = registry.invoke("github_run_failure", {}, ctx)
    facts = result.facts
    assert (facts["run_id"], facts["failing_job"], facts["failing_step"]) == (run.id, job.name, step.name)
    assert (facts["commit"], facts["commit_author"]) == (run.sha, run.actor)
    assert (facts["cause"], facts["evidence"]) == ("migration_conflict", MIGRATION_ERROR)
    assert MIGRATION_ERROR in facts["error_lines"]
    assert "Likely cause: migration conflict" in result.summary


def test_a_failure_with_no_known_cause_says_so(company: SaasCompany, ctx: ToolContext,
                                               registry: ToolRegistry) -> None:
    run = next(r for r in company.github.runs if r.conclusion == "failure" and r.event == "pull_request")
    result = registry.invoke("github_run_failure", {"run_id": run.id}, ctx)
    assert result.facts["cause"] is None and result.facts["evidence"] is None
    assert "No recognisable cause" in result.summary
    assert any(line.startswith("FAIL ") for line in result.facts["error_lines"])


def _window(company: SaasCompany) -> tuple[datetime, datetime]:
    """Three whole days from the day checkout-web's oldest merge landed: it holds that merge
    and its deployment, and ends before the merge of a few hours ago.

    Built from the seeded data's own dates rather than today's, so that it splits the data at
    any time of day (a window counted back from today misses the old merge just after midnight)."""
    oldest = min(p.merged_at for p in company.github.pulls if p.repo == "driftwood/checkout-web" and p.merged_at)
    start = datetime.combine(oldest.date(), datetime.min.time(), tzinfo=UTC)
    return start, start + timedelta(days=3)


def test_changes_list_the_merges_and_deployments_of_a_service_in_a_period_only(
        company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    start, end = _window(company)
    repo = "driftwood/checkout-web"
    result = registry.invoke("github_recent_changes", {"service": "checkout", "start": start.date().isoformat(),
                                                       "end": end.date().isoformat(), "limit": 100}, ctx)
    pulls = [p for p in company.github.pulls if p.repo == repo and p.merged_at]
    deployments = [d for d in company.github.deployments if d.repo == repo]
    inside = {f"{p.repo}#{p.number}" for p in pulls if p.merged_at and start <= p.merged_at < end}
    outside = {f"{p.repo}#{p.number}" for p in pulls} - inside
    deploys_in = {f"deployment {d.id}" for d in deployments if start <= d.created_at < end}
    deploys_out = {f"deployment {d.id}" for d in deployments} - deploys_in
    assert inside and outside and deploys_in and deploys_out  # the window really splits the seeded data
    refs = {row["ref"] for row in result.rows}
    assert {row["ref"] for row in result.rows if row["kind"] == "merged PR"} == inside
    assert {row["ref"] for row in result.rows if row["kind"] == "deployment"} == deploys_in
    assert not refs & (outside | deploys_out)
    assert {row["repo"] for row in result.rows} == {repo}
