"""The GitHub stand-in speaks GitHub's wire format: Link-header pagination, documented
error bodies, the signed log redirect."""

from __future__ import annotations

import pytest
import requests
from github import Auth, Github

from sandbox.github_api import GitHubStandIn
from sandbox.saas_company import MIGRATION_ERROR, SaasCompany

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


def test_run_logs_redirect_to_a_zip_of_job_and_step_files(company: SaasCompany, github: GitHubStandIn) -> None:
    """``GET .../actions/runs/{id}/logs``: 302 to a signed zip with ``{n}_{job}.txt`` per job
    and ``{job}/{number}_{step}.txt`` per step that wrote lines."""
    import io
    import zipfile

    run = company.github.latest_failed_run()
    auth = {"Authorization": f"token {github.token}"}
    redirect = requests.get(f"{github.url}/repos/{run.repo}/actions/runs/{run.id}/logs", headers=auth,
                            allow_redirects=False, timeout=5)
    assert redirect.status_code == 302
    archive = zipfile.ZipFile(io.BytesIO(requests.get(redirect.headers["Location"], timeout=5).content))
    job = next(j for j in run.jobs if j.conclusion == "failure")
    step = next(s for s in job.steps if s.conclusion == "failure")
    index = run.jobs.index(job)
    assert archive.read(f"{index}_{job.name}.txt").decode() == job.text()
    step_file = archive.read(f"{job.name}/{step.number}_{step.name}.txt").decode()
    assert MIGRATION_ERROR in step_file and "Successfully installed" not in step_file  # only this step's lines
    skipped = [s for s in job.steps if s.conclusion == "skipped"]
    assert skipped and not any(name.startswith(f"{job.name}/{s.number}_") for s in skipped
                               for name in archive.namelist())
    forged = redirect.headers["Location"].rsplit("=", 1)[0] + "=" + "0" * 64
    assert requests.get(forged, timeout=5).status_code == 403


def test_steps_report_the_times_their_lines_carry(company: SaasCompany, github: GitHubStandIn) -> None:
    """The jobs API's step times bracket the step's log lines, as on GitHub."""
    client = Github(base_url=github.url, auth=Auth.Token(github.token), seconds_between_requests=None)
    run = company.github.latest_failed_run()
    [_, job] = list(client.get_repo(run.repo).get_workflow_run(run.id).jobs())
    step = next(s for s in job.steps if s.conclusion == "failure")
    seeded = next(j for j in run.jobs if j.id == job.id)
    stamps = [line[:19] for line in seeded.text().splitlines() if MIGRATION_ERROR in line]
    assert stamps and all(step.started_at.strftime("%Y-%m-%dT%H:%M:%S") <= stamp
                          <= step.completed_at.strftime("%Y-%m-%dT%H:%M:%S") for stamp in stamps)
    assert next(s for s in job.steps if s.conclusion == "skipped").started_at is None
    client.close()
