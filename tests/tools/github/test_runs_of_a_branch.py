"""A branch narrows the CI tools: "what's failing on master" is the newest failed run on that
branch, not a newer failure of a pull request's branch; a branch nothing ran on says so."""

from __future__ import annotations

from sandbox.saas_company import SaasCompany
from tools.base import ToolContext
from tools.registry import ToolRegistry


def _failed_newest_first(company: SaasCompany) -> list:
    return sorted((r for r in company.github.runs if r.conclusion == "failure"), key=lambda r: r.created_at,
                  reverse=True)


def test_the_failure_of_a_branch_skips_newer_failures_elsewhere(company: SaasCompany, ctx: ToolContext,
                                                               registry: ToolRegistry) -> None:
    failed = _failed_newest_first(company)
    trunk = "main"
    # a repository whose newest failure is on another branch, with an older one on the trunk
    repo = next(r.repo for r in failed
                if r.branch != trunk and r is next(o for o in failed if o.repo == r.repo)
                and any(o.repo == r.repo and o.branch == trunk for o in failed))
    wanted = next(r for r in failed if r.repo == repo and r.branch == trunk)
    result = registry.invoke("github_run_failure", {"repo": repo, "branch": trunk}, ctx)
    assert result.status == "ok" and result.facts["run_id"] == wanted.id


def test_the_runs_of_a_branch_are_that_branchs_only(company: SaasCompany, ctx: ToolContext,
                                                    registry: ToolRegistry) -> None:
    branch = next(r.branch for r in company.github.runs if r.event == "pull_request")
    result = registry.invoke("github_workflow_runs", {"branch": branch, "limit": 50}, ctx)
    assert result.rows and {row["branch"] for row in result.rows} == {branch}
    assert len(result.rows) == sum(1 for r in company.github.runs if r.branch == branch)


def test_a_branch_nothing_failed_on_is_one_sentence(ctx: ToolContext, registry: ToolRegistry) -> None:
    result = registry.invoke("github_run_failure", {"branch": "release/never-built"}, ctx)
    assert result.status == "error" and result.summary.startswith("No failed runs on release/never-built in ")
