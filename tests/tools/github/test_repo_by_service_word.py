"""A repository named by the word people use for it ("the storefront repo" when the repo is
storefront-web): a bare name no known repository has is read as the service it builds,
never sent to GitHub as a repository that does not exist."""

from __future__ import annotations

import pytest

from sandbox.github_api import GitHubStandIn
from sandbox.saas_company import SaasCompany
from tests.tools.github.conftest import github_ctx
from tools.base import ToolContext
from tools.registry import ToolRegistry

pytestmark = pytest.mark.slow  # starts a local HTTP server per test


def test_a_service_word_given_as_the_repo_reads_that_services_repository(
        company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    repo = next(r for r in company.github.repos if r.name != r.service and r.name.startswith(r.service))
    result = registry.invoke("github_workflow_runs", {"repo": repo.service, "limit": 5}, ctx)
    assert result.status == "ok"
    assert result.rows and {row["repo"] for row in result.rows} == {repo.full_name}


def test_a_word_no_repository_answers_to_names_the_known_ones(ctx: ToolContext, registry: ToolRegistry) -> None:
    result = registry.invoke("github_workflow_runs", {"repo": "zzqx", "limit": 5}, ctx)
    assert result.status != "ok"
    assert "zzqx" in result.summary and "known" in result.summary


def test_an_exact_repository_name_is_used_as_it_is(
        company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    repo = company.github.repos[-1]
    result = registry.invoke("github_workflow_runs", {"repo": repo.name, "limit": 3}, ctx)
    assert result.status == "ok"
    assert {row["repo"] for row in result.rows} == {repo.full_name}


def test_with_only_an_organisation_its_repositories_are_listed_once(
        company: SaasCompany, github: GitHubStandIn, registry: ToolRegistry) -> None:
    """The listing is a GitHub API call: reading a service word as its repository asks for it once."""
    ctx = github_ctx(github, repos=[])
    repo = next(r for r in company.github.repos if r.name != r.service and r.name.startswith(r.service))
    github.clear_calls()
    result = registry.invoke("github_workflow_runs", {"repo": repo.service, "limit": 5}, ctx)
    assert result.status == "ok" and {row["repo"] for row in result.rows} == {repo.full_name}
    assert len([call for call in github.calls if call.path.endswith("/repos") and "/orgs/" in call.path]) == 1
