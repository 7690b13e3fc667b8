""""The retry/backoff change", "the cache/redis PR": a slash between two words whose first is
nobody's owner, and no repository on GitHub, is no repository name; the configured repositories
are read and the answer says so. An owner we know keeps its 404 (expectations from
sandbox/saas_company.py)."""

from __future__ import annotations

import pytest

from sandbox.github_api import GitHubStandIn
from sandbox.saas_company import SaasCompany
from tests.tools.github.conftest import github_ctx
from tools.base import ToolContext
from tools.registry import ToolRegistry

pytestmark = pytest.mark.slow  # starts a local HTTP server per test


def test_two_words_with_a_slash_read_every_configured_repository(
        company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    result = registry.invoke("github_recent_changes", {"repo": "timeout/retries", "limit": 50}, ctx)
    assert result.status == "ok", result.summary
    assert result.summary.startswith("GitHub has no repository timeout/retries, so every configured repository "
                                     "was read.")
    assert {str(row["ref"]).split("#")[0] for row in result.rows if row["kind"] == "merged PR"} \
        >= {"driftwood/payments-api", "driftwood/checkout-web"}
    runs = registry.invoke("github_workflow_runs", {"repo": "flaky/slow", "limit": 50}, ctx)
    assert {row["repo"] for row in runs.rows} == set(company.github.repo_names)


def test_a_known_owners_missing_repository_is_still_not_found(ctx: ToolContext, registry: ToolRegistry) -> None:
    result = registry.invoke("github_workflow_runs", {"repo": "driftwood/nope"}, ctx)
    assert result.status == "error" and "driftwood/nope" in result.summary


def test_a_real_repository_of_another_owner_is_read(github: GitHubStandIn, registry: ToolRegistry) -> None:
    """An owner none of the configured repositories has, whose repository exists: read as asked."""
    elsewhere = github_ctx(github, org="acme", repos=["acme/web"])
    result = registry.invoke("github_workflow_runs", {"repo": "driftwood/payments-api"}, elsewhere)
    assert result.status == "ok" and {row["repo"] for row in result.rows} == {"driftwood/payments-api"}
