"""The GitHub stand-in speaks GitHub's wire format: Link-header pagination, documented
error bodies, the signed log redirect."""

from __future__ import annotations

import pytest
import requests
from github import Auth, Github

from sandbox.github_api import GitHubStandIn
from sandbox.saas_company import SaasCompany

pytestmark = pytest.mark.slow


def test_env_names_what_bot_settings_read(company: SaasCompany, github: GitHubStandIn) -> None:
    env = github.env()
    assert env["GITHUB_API_URL"] == github.url and env["GITHUB_TOKEN"] == github.token
    assert env["GUARDIAN_GITHUB_REPOS"].split(",") == company.github.repo_names
    assert env["GUARDIAN_GITHUB_ORG"] == company.github.org


def test_pagination_follows_link_headers(company: SaasCompany, github: GitHubStandIn) -> None:
    client = Github(base_url=github.url, auth=Auth.Token(github.token), per_page=2, seconds_between_requests=None)
    runs = list(client.get_repo("driftwood/payments-api").get_workflow_runs())
    expected = company.github.runs_of("driftwood/payments-api")
    assert [run.id for run in runs] == [run.id for run in expected]
    pages = [c for c in github.calls if c.path == "/repos/driftwood/payments-api/actions/runs"]
    assert len(pages) == -(-len(expected) // 2)
    client.close()


def test_documented_error_bodies(github: GitHubStandIn) -> None:
    bad = requests.get(f"{github.url}/repos/driftwood/payments-api", headers={"Authorization": "token nope"},
                       timeout=5)
    assert bad.status_code == 401 and bad.json()["message"] == "Bad credentials"
    missing = requests.get(f"{github.url}/repos/driftwood/nope", headers={"Authorization": f"token {github.token}"},
                           timeout=5)
    assert missing.status_code == 404 and missing.json()["message"] == "Not Found"
    assert "documentation_url" in missing.json()


def test_job_logs_redirect_to_a_signed_url(company: SaasCompany, github: GitHubStandIn) -> None:
    run = company.github.latest_failed_run()
    job = run.jobs[-1]
    auth = {"Authorization": f"token {github.token}"}
    redirect = requests.get(f"{github.url}/repos/{run.repo}/actions/jobs/{job.id}/logs", headers=auth,
                            allow_redirects=False, timeout=5)
    assert redirect.status_code == 302
    signed = redirect.headers["Location"]
    assert requests.get(signed, timeout=5).text == job.log
    forged = signed.rsplit("=", 1)[0] + "=" + "0" * 64
    assert requests.get(forged, timeout=5).status_code == 403
