"""A failure asked of what a repository holds ("the cart suite is red"): no failed run's title
shares the words, but one repository's description does, so that repository's newest failure is
meant, not a newer failure of another repository."""

from __future__ import annotations

import pytest

from sandbox.saas_company import SaasCompany
from tools.base import ToolContext
from tools.registry import ToolRegistry

pytestmark = pytest.mark.slow  # starts a local HTTP server per test


def _newest_failure(company: SaasCompany, repo: str | None = None):  # type: ignore[no-untyped-def]
    failed = [r for r in company.github.runs if r.conclusion == "failure" and repo in (None, r.repo)]
    return max(failed, key=lambda r: r.created_at)


def test_a_word_of_one_repositorys_description_picks_its_newest_failure(
        company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    newest = _newest_failure(company)
    # a repository with a failure of its own, other than the newest one's, and a word only it describes
    other = next(r for r in company.github.repos if r.full_name != newest.repo
                 and any(run.repo == r.full_name and run.conclusion == "failure" for run in company.github.runs))
    words = {w.strip(",.:").lower() for w in other.description.split()}
    elsewhere = {w.strip(",.:").lower() for r in company.github.repos if r is not other for w in r.description.split()}
    telling = sorted(w for w in words - elsewhere if len(w) > 3 and w not in {"service", "front"})[0]
    result = registry.invoke("github_run_failure", {"query": f"our {telling} suite went red overnight?"}, ctx)
    assert result.status == "ok"
    assert result.facts["run_id"] == _newest_failure(company, other.full_name).id


def test_words_no_description_holds_still_mean_the_newest_failure(
        company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    result = registry.invoke("github_run_failure", {"query": "something went red, what was it"}, ctx)
    assert result.status == "ok" and result.facts["run_id"] == _newest_failure(company).id
