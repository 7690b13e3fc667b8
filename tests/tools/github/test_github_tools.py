"""GitHub CI/CD tools against the GitHub stand-in through the real PyGithub client; every
expectation is derived from sandbox/saas_company.py."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr

from agents.skills import SKILL_BY_NAME
from sandbox.github_api import GitHubStandIn
from sandbox.saas_company import INJECTION_LINE, JEST_FAILURE, MIGRATION_ERROR, SaasCompany
from tests.helpers import approved_call
from tests.tools.github.conftest import github_ctx
from tools.base import ToolContext
from tools.github import GITHUB, GITHUB_TOOLS, github_client
from tools.github.client import GitHubProblem
from tools.registry import ToolRegistry, WriteNotApproved
from tools.settings import GitHubSettings

pytestmark = pytest.mark.slow  # starts a local HTTP server per test

# slot names; start_time is the moment a rolling window ("the last 2 days") starts (time_range's "since")
VOCABULARY = {"repo", "service", "workflow", "run_id", "start", "end", "start_time", "limit", "log_lines",
              "failed_only", "event", "person", "query", "branch"}
READ_TOOLS = ["github_workflow_runs", "github_run_failure", "github_recent_changes"]


def test_declarations_use_contract_skills_and_the_slot_vocabulary() -> None:
    names = {spec.name: spec for spec in GITHUB_TOOLS}
    assert set(names) == {*READ_TOOLS, "github_rerun_workflow"}
    for spec in GITHUB_TOOLS:
        assert spec.integration == "github"
        assert all(skill in SKILL_BY_NAME for skill in spec.skills)
        assert set(spec.args_model.model_fields) <= VOCABULARY
        assert spec.mutating == any(SKILL_BY_NAME[skill].mutating for skill in spec.skills)
    assert names["github_rerun_workflow"].preflight is not None
    assert "cicd.status" in names["github_workflow_runs"].skills
    assert "cicd.failure" in names["github_run_failure"].skills
    assert "cicd.changes" in names["github_recent_changes"].skills


# --------------------------------------------------------------------------- cicd.status


def test_status_lists_the_latest_runs_across_configured_repos(
        company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    result = registry.invoke("github_workflow_runs", {"limit": 10}, ctx)
    expected = sorted(company.github.runs, key=lambda r: r.created_at, reverse=True)[:10]
    assert result.status == "ok"
    assert [row["run_id"] for row in result.rows] == [run.id for run in expected]
    first_row, first_run = result.rows[0], expected[0]
    assert (first_row["status"], first_row["conclusion"], first_row["branch"], first_row["actor"]) == (
        first_run.status, first_run.conclusion, first_run.branch, first_run.actor)
    assert first_row["sha"] == first_run.sha[:7]
    assert first_row["url"].endswith(f"/actions/runs/{first_run.id}")
    failed = company.github.latest_failed_run()
    assert result.facts["failed"] == sum(1 for run in expected if run.conclusion == "failure")
    assert result.facts["latest_failure"]["run_id"] == failed.id
    assert str(failed.id) in result.summary and str(failed.id) in result.resources


@pytest.mark.parametrize("workflow", ["deploy.yml", "deploy", "Deploy"])
def test_status_for_one_repo_and_workflow(company: SaasCompany, ctx: ToolContext, registry: ToolRegistry,
                                          workflow: str) -> None:
    result = registry.invoke("github_workflow_runs", {"repo": "checkout-web", "workflow": workflow}, ctx)
    expected = [r.id for r in company.github.runs_of("driftwood/checkout-web") if r.workflow.file == "deploy.yml"]
    assert result.status == "ok"
    assert [row["run_id"] for row in result.rows] == expected


def test_status_picks_the_repo_of_a_service(company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    result = registry.invoke("github_workflow_runs", {"service": "payments"}, ctx)
    assert {row["repo"] for row in result.rows} == {"driftwood/payments-api"}
    assert len(result.rows) == len(company.github.runs_of("driftwood/payments-api"))


@pytest.mark.parametrize(("word", "repo"), [("infra", "driftwood/infra"), ("web", "driftwood/checkout-web")])
def test_status_narrows_to_the_one_repository_a_short_word_of_its_name_names(
        company: SaasCompany, ctx: ToolContext, registry: ToolRegistry, word: str, repo: str) -> None:
    """"the infra pipelines", "the web builds": a word of one repository's name is that repository."""
    result = registry.invoke("github_workflow_runs", {"service": word, "limit": 50}, ctx)
    assert result.status == "ok", result.summary
    assert {row["run_id"] for row in result.rows} == {r.id for r in company.github.runs_of(repo)}


@pytest.mark.parametrize(("clipped", "repo"), [("chec", "driftwood/checkout-web"), ("paym", "driftwood/payments-api"),
                                               ("infr", "driftwood/infra")])
def test_a_clipped_word_of_one_repositorys_name_is_that_repository(
        company: SaasCompany, ctx: ToolContext, registry: ToolRegistry, clipped: str, repo: str) -> None:
    """People clip names in chat ("the chec builds"): the opening of a word of exactly one
    repository's name is that repository."""
    result = registry.invoke("github_workflow_runs", {"service": clipped, "limit": 50}, ctx)
    assert result.status == "ok", result.summary
    assert {row["run_id"] for row in result.rows} == {r.id for r in company.github.runs_of(repo)}


@pytest.mark.parametrize("clipped", ["ap", "a", "pay1"])
def test_too_short_or_not_a_word_opening_is_no_repository(ctx: ToolContext, registry: ToolRegistry,
                                                          clipped: str) -> None:
    result = registry.invoke("github_workflow_runs", {"service": clipped}, ctx)
    assert result.status == "error" and "No configured repository matches" in result.summary


def test_a_word_no_repository_has_says_which_there_are(ctx: ToolContext, registry: ToolRegistry) -> None:
    result = registry.invoke("github_workflow_runs", {"service": "mobile"}, ctx)
    assert result.status == "error"
    assert "No configured repository matches 'mobile'" in result.summary and "driftwood/infra" in result.summary


def test_status_honours_the_start_date(company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    start = (company.now - timedelta(days=1)).date()
    result = registry.invoke("github_workflow_runs", {"start": start.isoformat(), "limit": 50}, ctx)
    expected = {r.id for r in company.github.runs if r.created_at.date() >= start}
    assert {row["run_id"] for row in result.rows} == expected
    assert len(expected) < len(company.github.runs)  # the filter really removed something


def test_status_of_scheduled_runs_only(company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    """"did the nightly pass": only the runs a schedule triggered, whatever ran since."""
    result = registry.invoke("github_workflow_runs", {"event": "schedule"}, ctx)
    expected = [r.id for r in sorted(company.github.runs, key=lambda r: r.created_at, reverse=True)
                if r.event == "schedule"]
    assert expected and len(expected) < len(company.github.runs)
    assert [row["run_id"] for row in result.rows] == expected


def test_failure_of_the_runs_one_person_triggered(company: SaasCompany, ctx: ToolContext,
                                                  registry: ToolRegistry) -> None:
    """"why is carol's PR failing": the newest failed run she triggered, not the newest of all."""
    failed = sorted((r for r in company.github.runs if r.conclusion == "failure"), key=lambda r: r.created_at,
                    reverse=True)
    actor = next(r.actor for r in failed if r.actor != failed[0].actor)
    theirs = next(r for r in failed if r.actor == actor)
    result = registry.invoke("github_run_failure", {"person": actor}, ctx)
    assert result.status == "ok" and result.facts["run_id"] == theirs.id
    runs = registry.invoke("github_workflow_runs", {"person": actor, "limit": 50}, ctx)
    assert {row["actor"] for row in runs.rows} == {actor}


def test_failure_of_the_run_the_words_describe(company: SaasCompany, ctx: ToolContext,
                                              registry: ToolRegistry) -> None:
    """A failed run named by what it was about (two words of its title or branch), not the newest
    failure; one shared word is not enough to pick a run."""
    failed = sorted((r for r in company.github.runs if r.conclusion == "failure"), key=lambda r: r.created_at,
                    reverse=True)
    older = next(r for r in failed[1:] if len(r.display_title.split()) >= 3)
    words = " ".join(older.display_title.lower().split()[:3])
    result = registry.invoke("github_run_failure", {"query": f"why did the {words} thing go red"}, ctx)
    assert result.status == "ok" and result.facts["run_id"] == older.id
    one_word = registry.invoke("github_run_failure", {"query": f"why is {older.display_title.split()[0]} red"}, ctx)
    assert one_word.facts["run_id"] == failed[0].id


# --------------------------------------------------------------------------- cicd.failure


def test_failure_names_the_failing_step_and_carries_the_log_as_data(
        company: SaasCompany, github: GitHubStandIn, ctx: ToolContext, registry: ToolRegistry) -> None:
    result = registry.invoke("github_run_failure", {}, ctx)
    run = company.github.latest_failed_run()
    job = next(j for j in run.jobs if j.conclusion == "failure")
    step = next(s for s in job.steps if s.conclusion == "failure")
    assert result.status == "ok"
    assert (result.facts["run_id"], result.facts["failing_job"], result.facts["failing_step"]) == (
        run.id, job.name, step.name)
    assert step.name in result.summary and job.name in result.summary and str(run.id) in result.summary
    tail = result.facts["log_tail"]
    assert MIGRATION_ERROR in tail and INJECTION_LINE in tail
    assert any(MIGRATION_ERROR in line for line in result.facts["error_lines"])
    assert "log_tail" in result.facts["untrusted"]
    assert "ignore previous instructions" not in result.summary.lower()
    assert not tail.startswith("20")  # per-line timestamps are stripped
    blob_calls = [call for call in github.calls if call.path.startswith("/_blobs/")]
    assert len(blob_calls) == 1 and "authorization" not in blob_calls[0].headers  # token never follows the redirect
    assert github.writes == []


def test_failure_by_run_id_searches_the_configured_repos(
        company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    run = next(r for r in company.github.runs if r.conclusion == "failure" and r.repo.endswith("checkout-web"))
    result = registry.invoke("github_run_failure", {"run_id": str(run.id), "log_lines": 10}, ctx)
    assert result.status == "ok"
    assert result.facts["repo"] == run.repo
    assert JEST_FAILURE in result.facts["log_tail"]
    assert len(result.facts["log_tail"].splitlines()) == 10


def test_failure_of_a_scheduled_run_skips_newer_failures_of_other_triggers(
        company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    """"the nightly died": the newest failed run GitHub triggered on a schedule, not the newest
    failed run of any kind."""
    failed = sorted((r for r in company.github.runs if r.conclusion == "failure"), key=lambda r: r.created_at,
                    reverse=True)
    nightly = next(r for r in failed if r.event == "schedule")
    assert failed[0].event != "schedule"  # a newer failure exists that must not be picked
    result = registry.invoke("github_run_failure", {"event": "schedule"}, ctx)
    assert result.status == "ok" and result.facts["run_id"] == nightly.id


def test_failure_of_a_green_run_says_nothing_failed(
        company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    run = next(r for r in company.github.runs if r.conclusion == "success")
    result = registry.invoke("github_run_failure", {"run_id": run.id}, ctx)
    assert result.status == "ok"
    assert "no failing job" in result.summary
    assert "log_tail" not in result.facts


def test_failure_of_an_unknown_run_is_one_sentence(ctx: ToolContext, registry: ToolRegistry) -> None:
    result = registry.invoke("github_run_failure", {"run_id": 999}, ctx)
    assert result.status == "error"
    assert result.summary.startswith("Run 999 was not found in driftwood/payments-api")


def test_failure_when_a_workflow_never_failed(ctx: ToolContext, registry: ToolRegistry) -> None:
    result = registry.invoke("github_run_failure", {"repo": "driftwood/infra"}, ctx)
    assert result.status == "error" and result.summary == "No failed runs in driftwood/infra."


# --------------------------------------------------------------------------- cicd.changes


def test_changes_lists_merges_direct_commits_and_deployments(
        company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    result = registry.invoke("github_recent_changes", {"limit": 50}, ctx)
    since = company.now - timedelta(days=7)
    merged = {f"{p.repo}#{p.number}" for p in company.github.pulls if p.merged_at and p.merged_at >= since}
    merge_shas = {p.merge_commit_sha for p in company.github.pulls if p.merged_at}
    direct = {c.sha[:7] for c in company.github.commits if c.sha not in merge_shas and c.date >= since}
    deployments = {f"deployment {d.id}" for d in company.github.deployments if d.created_at >= since}
    assert result.status == "ok"
    refs = {row["ref"] for row in result.rows}
    assert refs == merged | direct | deployments
    assert "driftwood/payments-api#412" in result.resources
    states = {row["ref"]: row["state"] for row in result.rows if row["kind"] == "deployment"}
    assert states == {f"deployment {d.id}": d.state for d in company.github.deployments}
    latest = max(company.github.deployments, key=lambda d: d.created_at)
    assert f"deployment {latest.id}" in result.summary and latest.state in result.summary


def test_changes_of_one_person_are_theirs_only(company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    since = company.now - timedelta(days=7)
    author = next(p.author for p in company.github.pulls if p.merged_at and p.merged_at >= since)
    theirs = {f"{p.repo}#{p.number}" for p in company.github.pulls
              if p.merged_at and p.merged_at >= since and p.author == author}
    result = registry.invoke("github_recent_changes", {"limit": 50, "person": author.upper()}, ctx)
    assert {row["author"] for row in result.rows} == {author}
    assert {row["ref"] for row in result.rows if row["kind"] == "merged PR"} == theirs
    assert f"by {author.upper()}:" in result.summary


def test_changes_for_a_service_and_window(company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    start = (company.now - timedelta(hours=30)).date()
    result = registry.invoke("github_recent_changes", {"service": "payments-api", "start": start.isoformat()}, ctx)
    expected = {f"{p.repo}#{p.number}" for p in company.github.merged_pulls("driftwood/payments-api",
                                                                            datetime.combine(start, datetime.min.time(),
                                                                                             tzinfo=UTC))}
    assert {row["repo"] for row in result.rows} == {"driftwood/payments-api"}
    assert {row["ref"] for row in result.rows if row["kind"] == "merged PR"} == expected


def test_changes_for_a_thing_no_repository_is_named_after_are_those_that_mention_it(
        company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    """"what changed for the cart-cache" (no repository of its own): every repository's
    changes whose title mentions "cart" or "cache", in whichever repository they landed."""
    since = company.now - timedelta(days=7)
    mentioning = {f"{p.repo}#{p.number}" for p in company.github.pulls if p.merged_at and p.merged_at >= since
                  and re.search(r"\b(?:cart|cache)", p.title, re.I)}
    assert mentioning  # the sandbox has such a change, or the test proves nothing
    result = registry.invoke("github_recent_changes", {"service": "cart-cache", "limit": 50}, ctx)
    assert result.status == "ok", result.summary
    assert {row["ref"] for row in result.rows if row["kind"] == "merged PR"} == mentioning
    assert "no repository is named after cart-cache" in result.summary


def test_a_thing_no_repository_or_change_mentions_says_so(ctx: ToolContext, registry: ToolRegistry) -> None:
    result = registry.invoke("github_recent_changes", {"service": "zebra-queue"}, ctx)
    assert result.status == "no_data"
    assert "No repository is named after zebra-queue" in result.summary


def test_a_rolling_window_runs_up_to_now_and_whole_days_stop_before_today(
        company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    """"the last day or two" includes what merged an hour ago; whole days (start and end dates)
    stop before the end date, so the day before the merge's own date does not.

    The window is built from the merge's date, not today's: just after midnight UTC the
    seeded merge of 48 minutes ago falls on yesterday's date."""
    recent = min((p for p in company.github.pulls if p.merged_at), key=lambda p: company.now - p.merged_at)
    assert company.now - recent.merged_at < timedelta(hours=2)  # merged in the last hours
    ref = f"{recent.repo}#{recent.number}"
    since = (company.now - timedelta(days=2)).isoformat()
    rolling = registry.invoke("github_recent_changes", {"start_time": since, "limit": 50}, ctx)
    assert ref in {row["ref"] for row in rolling.rows}
    merge_day = recent.merged_at.date()
    day_before = merge_day - timedelta(days=1)
    whole_days = registry.invoke("github_recent_changes", {"start": day_before.isoformat(),
                                                           "end": merge_day.isoformat(), "limit": 50}, ctx)
    assert ref not in {row["ref"] for row in whole_days.rows}


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize("tool", READ_TOOLS)
def test_missing_configuration_is_one_clear_sentence(tool: str, registry: ToolRegistry) -> None:
    result = registry.invoke(tool, {}, ToolContext())
    assert result.status == "error" and result.summary == NOTHING_SET
    assert result.facts == {"unavailable": "github"}
    with pytest.raises(GitHubProblem):
        github_client(GitHubSettings())


NOTHING_SET = ("GitHub is not configured: it needs a token (set GITHUB_TOKEN, and GITHUB_API_URL for GitHub "
               "Enterprise) and a repository (set GUARDIAN_GITHUB_REPOS or GUARDIAN_GITHUB_ORG, or name one as "
               "owner/name).")


def test_registry_names_each_unavailable_tool_and_why(registry: ToolRegistry) -> None:
    token_only = ToolContext(github=GitHubSettings(token=SecretStr("t")))
    unavailable = registry.unavailable(token_only)
    assert set(unavailable) == {spec.name for spec in GITHUB_TOOLS}
    assert set(unavailable.values()) == {
        "GitHub is not configured: it needs a repository (set GUARDIAN_GITHUB_REPOS or GUARDIAN_GITHUB_ORG, "
        "or name one as owner/name)."}
    assert registry.configured(token_only) == {"github"}  # a request may still name its repository
    assert registry.configured(ToolContext()) == set()
    assert registry.unavailable(ToolContext(github=GitHubSettings(token=SecretStr("t"), org="driftwood"))) == {}


def test_a_named_repository_meets_the_repository_prerequisite(registry: ToolRegistry) -> None:
    token_only = ToolContext(github=GitHubSettings(token=SecretStr("t")))
    spec = registry.get("github_workflow_runs")
    assert registry.unavailable_reason(spec, token_only, {"repo": "driftwood/payments-api"}) is None
    assert GITHUB.missing(ToolContext(), spec, {"repo": "driftwood/payments-api"})[0].what == "a token"


def test_the_token_stays_secret_in_the_settings() -> None:
    settings = GitHubSettings(token=SecretStr("ghp_not_shown"), repos=("driftwood/payments-api",))
    assert "ghp_not_shown" not in repr(settings) and "ghp_not_shown" not in str(settings.model_dump())


def test_wrong_token(github: GitHubStandIn, registry: ToolRegistry) -> None:
    result = registry.invoke("github_workflow_runs", {}, github_ctx(github, token="not-the-token"))
    assert result.status == "error"
    assert result.summary == "GitHub rejected the token (401 Bad credentials): check GITHUB_TOKEN."


def test_unknown_repository(ctx: ToolContext, registry: ToolRegistry) -> None:
    result = registry.invoke("github_workflow_runs", {"repo": "driftwood/nope"}, ctx)
    assert result.status == "error" and "driftwood/nope" in result.summary and "404" in result.summary


def test_unreachable_endpoint_fails_fast(closed_port: int, registry: ToolRegistry) -> None:
    ctx = ToolContext(github=GitHubSettings(token=SecretStr("t"), api_url=f"http://127.0.0.1:{closed_port}",
                                            repos=("driftwood/payments-api",)))
    started = time.monotonic()
    result = registry.invoke("github_workflow_runs", {}, ctx)
    assert time.monotonic() - started < 8
    assert result.status == "error" and result.summary.startswith("GitHub is unreachable at http://127.0.0.1:")


def test_repos_come_from_the_org_when_none_are_listed(
        company: SaasCompany, github: GitHubStandIn, registry: ToolRegistry) -> None:
    result = registry.invoke("github_workflow_runs", {"limit": 50}, github_ctx(github, repos=[]))
    assert {row["repo"] for row in result.rows} == set(company.github.repo_names)
    nothing = registry.invoke("github_workflow_runs", {}, github_ctx(github, repos=[], org=None))
    assert nothing.status == "error" and "GUARDIAN_GITHUB_REPOS" in nothing.summary


# --------------------------------------------------------------------------- cicd.rerun (write)


def test_rerun_needs_an_approval(github: GitHubStandIn, ctx: ToolContext, registry: ToolRegistry) -> None:
    with pytest.raises(WriteNotApproved):
        registry.invoke("github_rerun_workflow", {}, ctx)
    assert github.writes == []


def test_rerun_with_approval_makes_exactly_one_write(
        company: SaasCompany, github: GitHubStandIn, ctx: ToolContext, registry: ToolRegistry) -> None:
    run = company.github.latest_failed_run()
    spec = registry.get("github_rerun_workflow")
    assert spec.preflight is not None
    check = spec.preflight(ctx, spec.args_model())
    assert check.status == "ok" and str(run.id) in check.summary and "failed jobs" in check.summary
    assert github.writes == []  # the preflight only reads
    result = registry.execute(approved_call("github_rerun_workflow", {}), ctx)
    assert result.status == "ok" and str(run.id) in result.summary
    assert [(w.method, w.path) for w in github.writes] == [
        ("POST", f"/repos/{run.repo}/actions/runs/{run.id}/rerun-failed-jobs")]
    assert (run.status, run.run_attempt) == ("queued", 2)


def test_rerun_of_a_green_run_reruns_everything(
        company: SaasCompany, github: GitHubStandIn, ctx: ToolContext, registry: ToolRegistry) -> None:
    run = next(r for r in company.github.runs if r.conclusion == "success")
    result = registry.execute(approved_call("github_rerun_workflow", {"run_id": run.id}), ctx)
    assert result.status == "ok"
    assert [(w.method, w.path) for w in github.writes] == [
        ("POST", f"/repos/{run.repo}/actions/runs/{run.id}/rerun")]


def test_rerun_refuses_a_running_run(company: SaasCompany, github: GitHubStandIn, ctx: ToolContext,
                                     registry: ToolRegistry) -> None:
    run = next(r for r in company.github.runs if r.status != "completed")
    spec = registry.get("github_rerun_workflow")
    assert spec.preflight is not None
    check = spec.preflight(ctx, spec.args_model(run_id=run.id))
    assert check.status == "error" and f"still {run.status}" in check.summary
    result = registry.execute(approved_call("github_rerun_workflow", {"run_id": run.id}), ctx)
    assert result.status == "error"
    assert github.writes == []


def test_status_names_the_runs_under_way(company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    result = registry.invoke("github_workflow_runs", {"service": "payments"}, ctx)
    running = [run for run in company.github.runs_of("driftwood/payments-api") if run.status != "completed"]
    assert running  # the seeded company has a pull request's CI run under way
    assert result.facts["in_progress"] == len(running)
    assert f"In progress: CI run {running[0].id} (#{running[0].run_number})" in result.summary
