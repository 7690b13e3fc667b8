"""A local stand-in for the GitHub REST API (the parts Guardian's CI/CD tools call),
speaking GitHub's documented JSON shapes, pagination (``page``/``per_page`` with ``Link``
headers), errors (401 ``Bad credentials``, 404 ``Not Found``) and the job-log redirect
(``GET .../actions/jobs/{id}/logs`` answers 302 to a signed blob URL that needs no token).

Routing and serving are ``sandbox.http_standin.HttpStandIn``'s (Starlette), shared with the
PagerDuty stand-in; requests are recorded in ``calls``.
"""

from __future__ import annotations

import hmac
import io
import logging
import secrets
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from sandbox.http_standin import Call, Endpoint, HttpStandIn, Reply, RouteSpec, route
from sandbox.saas_company import (
    Deployment,
    GitHubData,
    Job,
    PullRequest,
    Repo,
    Step,
    WorkflowRun,
    build,
    iso,
)

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------- GitHub

DOCS = "https://docs.github.com/rest"
WEB = "https://github.driftwood.example"  # html_url host: clearly fictional, never github.com


def _error(status: int, message: str, docs: str = DOCS) -> Reply:
    return Reply(status, {"message": message, "documentation_url": docs, "status": str(status)})


def _since_filter(expression: str | None) -> Callable[[datetime], bool]:
    """GitHub's ``created`` qualifier: ``>=2025-01-01``, ``<2025-01-01``, ``A..B``, ``DATE``."""
    if not expression:
        return lambda _moment: True

    def parse(text: str) -> datetime:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    if ".." in expression:
        low, high = expression.split("..", 1)
        start = parse(low) if low and low != "*" else None
        end = parse(high) + timedelta(days=1) if high and high != "*" and "T" not in high else (
            parse(high) if high and high != "*" else None)
        return lambda m: (start is None or m >= start) and (end is None or m < end)
    for op in (">=", "<=", ">", "<"):
        if expression.startswith(op):
            return _compare(op, parse(expression[len(op):]))
    day = parse(expression)
    return lambda m: day <= m < day + timedelta(days=1)


def _compare(op: str, bound: datetime) -> Callable[[datetime], bool]:
    checks: dict[str, Callable[[datetime], bool]] = {
        ">=": lambda m: m >= bound, "<=": lambda m: m <= bound, ">": lambda m: m > bound, "<": lambda m: m < bound}
    return checks[op]


def _step_json(job: Job, step: Step) -> dict[str, Any]:
    """A step as the jobs API lists it: second-precision times (a skipped step has none)."""
    started = step.started_at or (job.started_at if step.conclusion != "skipped" else None)
    completed = step.completed_at or (job.completed_at if step.conclusion != "skipped" else None)
    return {"name": step.name, "status": step.status, "conclusion": step.conclusion, "number": step.number,
            "started_at": iso(started) if started else None, "completed_at": iso(completed) if completed else None}


def _file_name(text: str) -> str:
    return "".join("_" if c in '/\\:*?"<>|' else c for c in text)


def step_lines(log: str, step: Step) -> str:
    """The lines a step wrote: those stamped from its start to the end of its last second."""
    if step.started_at is None or step.completed_at is None:
        return ""
    low = step.started_at.strftime("%Y-%m-%dT%H:%M:%S")
    high = (step.completed_at + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S")
    return "".join(line for line in log.splitlines(keepends=True) if low <= line[:19] < high)


def run_logs_zip(run: WorkflowRun) -> bytes:
    """The archive ``GET .../actions/runs/{id}/logs`` redirects to."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, job in enumerate(run.jobs):
            log = job.text()
            archive.writestr(f"{index}_{_file_name(job.name)}.txt", log)
            for step in job.steps:
                lines = step_lines(log, step)
                if lines:
                    archive.writestr(f"{_file_name(job.name)}/{step.number}_{_file_name(step.name)}.txt", lines)
    return buffer.getvalue()


class GitHubStandIn(HttpStandIn):
    """GitHub REST API for Driftwood Labs' repositories, workflow runs, pulls and deploys."""

    def __init__(self, data: GitHubData | None = None, *, token: str | None = None) -> None:
        self.data = data if data is not None else build().github
        self.token = token or "gh-sandbox-" + secrets.token_hex(12)
        self._blob_key = secrets.token_bytes(16)
        super().__init__()

    def env(self) -> dict[str, str]:
        """The variables that point Guardian (bot/settings.py) at this stand-in."""
        return {
            "GITHUB_TOKEN": self.token,
            "GITHUB_API_URL": self.url,
            "GUARDIAN_GITHUB_ORG": self.data.org,
            "GUARDIAN_GITHUB_REPOS": ",".join(self.data.repo_names),
        }

    # -- auth and errors
    def authenticate(self, call: Call) -> Reply | None:
        header = call.headers.get("authorization", "")
        if not header:
            return _error(401, "Requires authentication")
        scheme, _, value = header.partition(" ")
        if scheme.lower() not in ("token", "bearer") or not hmac.compare_digest(value.strip(), self.token):
            return _error(401, "Bad credentials")
        return None

    def not_found(self) -> Reply:
        return _error(404, "Not Found")

    def respond(self, call: Call, endpoint: Endpoint | None) -> Reply:
        reply = super().respond(call, endpoint)
        reply.headers.setdefault("X-GitHub-Request-Id", secrets.token_hex(8).upper())
        if not call.path.startswith("/_blobs/"):
            used = len(self.calls)
            reply.headers.update({"X-RateLimit-Limit": "5000", "X-RateLimit-Remaining": str(max(0, 5000 - used)),
                                  "X-RateLimit-Used": str(used), "X-RateLimit-Resource": "core",
                                  "X-RateLimit-Reset": str(int(datetime.now(UTC).timestamp()) + 3600)})
        return reply

    # -- routing
    def routes(self) -> list[RouteSpec]:
        repo = "/repos/{owner}/{name}"
        return [
            route("GET", "/user", self._user),
            route("GET", "/orgs/{org}", self._org),
            route("GET", "/orgs/{org}/repos", self._org_repos),
            route("GET", repo, self._repo),
            route("GET", repo + "/actions/workflows", self._workflows),
            route("GET", repo + "/actions/workflows/{workflow}", self._workflow),
            route("GET", repo + "/actions/workflows/{workflow}/runs", self._workflow_runs),
            route("GET", repo + "/actions/runs", self._runs),
            route("GET", repo + "/actions/runs/{run_id}", self._run),
            route("GET", repo + "/actions/runs/{run_id}/jobs", self._jobs),
            route("POST", repo + "/actions/runs/{run_id}/rerun", self._rerun),
            route("POST", repo + "/actions/runs/{run_id}/rerun-failed-jobs", self._rerun_failed),
            route("GET", repo + "/actions/jobs/{job_id}", self._job),
            route("GET", repo + "/actions/jobs/{job_id}/logs", self._job_logs),
            route("GET", "/_blobs/job-logs/{job_id}", self._blob, public=True),
            route("GET", repo + "/actions/runs/{run_id}/logs", self._run_logs),
            route("GET", "/_blobs/run-logs/{run_id}", self._run_blob, public=True),
            route("GET", repo + "/pulls", self._pulls),
            route("GET", repo + "/commits", self._commits),
            route("GET", repo + "/deployments", self._deployments),
            route("GET", repo + "/deployments/{deployment_id}/statuses", self._deployment_statuses),
        ]

    # -- helpers
    def _repo_of(self, owner: str, name: str) -> Repo | None:
        full = f"{owner}/{name}".lower()
        return next((r for r in self.data.repos if r.full_name.lower() == full), None)

    def _api(self, path: str) -> str:
        return f"{self.url}{path}"

    def _page(self, call: Call, items: list[Any], wrap: str | None = None) -> Reply:
        """One page of ``items`` with GitHub's ``Link`` header (first/prev/next/last)."""
        try:
            per_page = max(1, min(100, int(call.arg("per_page") or 30)))
            page = max(1, int(call.arg("page") or 1))
        except ValueError:
            return _error(422, "Validation Failed")
        last = max(1, -(-len(items) // per_page))
        chunk = items[(page - 1) * per_page: page * per_page]

        def link(number: int, rel: str) -> str:
            query = {k: v[-1] for k, v in call.query.items()}
            query.update(page=str(number), per_page=str(per_page))
            return f'<{self._api(call.path)}?{urlencode(query)}>; rel="{rel}"'

        links = []
        if page < last:
            links += [link(page + 1, "next"), link(last, "last")]
        if page > 1:
            links += [link(1, "first"), link(page - 1, "prev")]
        headers = {"Link": ", ".join(links)} if links else {}
        body: Any = {"total_count": len(items), wrap: chunk} if wrap else chunk
        return Reply(200, body, headers)

    # -- representations
    def user_json(self, login: str) -> dict[str, Any]:
        index = sum(ord(c) for c in login)
        return {"login": login, "id": 90000 + index, "node_id": f"U_kgDO{index:06d}",
                "avatar_url": f"{WEB}/{login}.png", "url": self._api(f"/users/{login}"),
                "html_url": f"{WEB}/{login}", "type": "User", "site_admin": False}

    def repo_json(self, repo: Repo) -> dict[str, Any]:
        created = datetime(2021, 3, 1, tzinfo=UTC)
        pushed = max((r.created_at for r in self.data.runs if r.repo == repo.full_name), default=created)
        return {
            "id": repo.id, "node_id": f"R_kgDO{repo.id}", "name": repo.name, "full_name": repo.full_name,
            "private": True, "visibility": "private", "archived": False, "fork": False,
            "owner": {**self.user_json(self.data.org), "type": "Organization"},
            "html_url": f"{WEB}/{repo.full_name}", "description": repo.description,
            "url": self._api(f"/repos/{repo.full_name}"), "default_branch": repo.default_branch,
            "language": repo.language, "created_at": iso(created), "updated_at": iso(pushed),
            "pushed_at": iso(pushed),
        }

    def workflow_json(self, workflow_id: int) -> dict[str, Any]:
        flow = next(w for w in self.data.workflows if w.id == workflow_id)
        return {"id": flow.id, "node_id": f"W_kwDO{flow.id}", "name": flow.name, "path": flow.path,
                "state": "active", "created_at": "2021-03-01T10:00:00Z", "updated_at": "2024-11-05T09:30:00Z",
                "url": self._api(f"/repos/{flow.repo}/actions/workflows/{flow.id}"),
                "html_url": f"{WEB}/{flow.repo}/actions/workflows/{flow.file}",
                "badge_url": f"{WEB}/{flow.repo}/workflows/{flow.name}/badge.svg"}

    def run_json(self, run: WorkflowRun) -> dict[str, Any]:
        base = self._api(f"/repos/{run.repo}/actions/runs/{run.id}")
        repo = self.data.repo(run.repo)
        slim_repo = {k: v for k, v in self.repo_json(repo).items()
                     if k in ("id", "node_id", "name", "full_name", "private", "owner", "html_url", "url")}
        actor = self.user_json(run.actor)
        return {
            "id": run.id, "name": run.workflow.name, "node_id": f"WFR_kwLO{run.id}", "head_branch": run.branch,
            "head_sha": run.sha, "path": run.workflow.path, "display_title": run.display_title,
            "run_number": run.run_number, "event": run.event, "status": run.status, "conclusion": run.conclusion,
            "workflow_id": run.workflow.id, "check_suite_id": run.id + 1000, "check_suite_node_id": f"CS_{run.id}",
            "url": base, "html_url": f"{WEB}/{run.repo}/actions/runs/{run.id}", "pull_requests": [],
            "created_at": iso(run.created_at), "updated_at": iso(run.updated_at),
            "run_started_at": iso(run.created_at), "run_attempt": run.run_attempt,
            "actor": actor, "triggering_actor": actor, "referenced_workflows": [],
            "jobs_url": f"{base}/jobs", "logs_url": f"{base}/logs", "check_suite_url": self._api(
                f"/repos/{run.repo}/check-suites/{run.id + 1000}"),
            "artifacts_url": f"{base}/artifacts", "cancel_url": f"{base}/cancel", "rerun_url": f"{base}/rerun",
            "previous_attempt_url": f"{base}/attempts/{run.run_attempt - 1}" if run.run_attempt > 1 else None,
            "workflow_url": self._api(f"/repos/{run.repo}/actions/workflows/{run.workflow.id}"),
            "head_commit": {"id": run.sha, "tree_id": run.sha[::-1], "message": run.display_title,
                            "timestamp": iso(run.created_at),
                            "author": {"name": run.actor, "email": f"{run.actor}@driftwood.example"},
                            "committer": {"name": "GitHub", "email": "noreply@github.com"}},
            "repository": slim_repo, "head_repository": slim_repo, "repository_id": repo.id,
            "head_repository_id": repo.id,
        }

    def job_json(self, run: WorkflowRun, job: Job) -> dict[str, Any]:
        return {
            "id": job.id, "run_id": run.id, "run_url": self._api(f"/repos/{run.repo}/actions/runs/{run.id}"),
            "run_attempt": run.run_attempt, "node_id": f"CR_kwDO{job.id}", "head_sha": run.sha,
            "head_branch": run.branch, "url": self._api(f"/repos/{run.repo}/actions/jobs/{job.id}"),
            "html_url": f"{WEB}/{run.repo}/actions/runs/{run.id}/job/{job.id}", "status": job.status,
            "conclusion": job.conclusion, "created_at": iso(run.created_at), "started_at": iso(job.started_at),
            "completed_at": iso(job.completed_at) if job.completed_at else None, "name": job.name,
            "workflow_name": run.workflow.name, "steps": [_step_json(job, step) for step in job.steps],
            "check_run_url": self._api(f"/repos/{run.repo}/check-runs/{job.id}"), "labels": ["ubuntu-latest"],
            "runner_id": 7, "runner_name": "GitHub Actions 7", "runner_group_id": 2,
            "runner_group_name": "GitHub Actions",
        }

    def pull_json(self, pull: PullRequest) -> dict[str, Any]:
        repo = self.repo_json(self.data.repo(pull.repo))
        author = self.user_json(pull.author)
        head_sha = pull.merge_commit_sha[::-1] if pull.merge_commit_sha else pull.repo.encode().hex()[:40]
        return {
            "url": self._api(f"/repos/{pull.repo}/pulls/{pull.number}"), "id": 300000 + pull.number,
            "node_id": f"PR_kwDO{pull.number}", "html_url": f"{WEB}/{pull.repo}/pull/{pull.number}",
            "number": pull.number, "state": pull.state, "locked": False, "title": pull.title, "user": author,
            "body": "", "created_at": iso(pull.created_at), "updated_at": iso(pull.updated_at),
            "closed_at": iso(pull.closed_at) if pull.closed_at else None,
            "merged_at": iso(pull.merged_at) if pull.merged_at else None, "merge_commit_sha": pull.merge_commit_sha,
            "draft": False, "author_association": "MEMBER",
            "head": {"label": f"{self.data.org}:{pull.head}", "ref": pull.head, "sha": head_sha, "user": author,
                     "repo": repo},
            "base": {"label": f"{self.data.org}:{pull.base}", "ref": pull.base, "sha": "0" * 40,
                     "user": repo["owner"], "repo": repo},
        }

    def commit_json(self, repo: str, sha: str, message: str, author: str, date: datetime) -> dict[str, Any]:
        person = {"name": author, "email": f"{author}@driftwood.example", "date": iso(date)}
        return {
            "sha": sha, "node_id": f"C_kwDO{sha[:10]}", "url": self._api(f"/repos/{repo}/commits/{sha}"),
            "html_url": f"{WEB}/{repo}/commit/{sha}",
            "commit": {"author": person, "committer": person, "message": message, "comment_count": 0,
                       "tree": {"sha": sha[::-1], "url": self._api(f"/repos/{repo}/git/trees/{sha[::-1]}")},
                       "url": self._api(f"/repos/{repo}/git/commits/{sha}")},
            "author": self.user_json(author), "committer": self.user_json(author), "parents": [],
        }

    def deployment_json(self, deployment: Deployment) -> dict[str, Any]:
        url = self._api(f"/repos/{deployment.repo}/deployments/{deployment.id}")
        return {
            "url": url, "id": deployment.id, "node_id": f"DE_kwDO{deployment.id}", "sha": deployment.sha,
            "ref": deployment.ref, "task": "deploy", "payload": {}, "original_environment": deployment.environment,
            "environment": deployment.environment, "description": deployment.description,
            "creator": self.user_json(deployment.creator), "created_at": iso(deployment.created_at),
            "updated_at": iso(deployment.created_at + timedelta(minutes=3)), "statuses_url": f"{url}/statuses",
            "repository_url": self._api(f"/repos/{deployment.repo}"), "transient_environment": False,
            "production_environment": deployment.environment == "production",
        }

    # -- handlers
    def _user(self, call: Call) -> Reply:  # noqa: ARG002
        return Reply(200, self.user_json("guardian-bot"))

    def _org(self, call: Call, org: str) -> Reply:  # noqa: ARG002
        if org.lower() != self.data.org:
            return self.not_found()
        return Reply(200, {**self.user_json(self.data.org), "type": "Organization", "name": "Driftwood Labs",
                           "repos_url": self._api(f"/orgs/{org}/repos"), "public_repos": 0,
                           "total_private_repos": len(self.data.repos)})

    def _org_repos(self, call: Call, org: str) -> Reply:
        if org.lower() != self.data.org:
            return self.not_found()
        return self._page(call, [self.repo_json(r) for r in self.data.repos])

    def _repo(self, call: Call, owner: str, name: str) -> Reply:  # noqa: ARG002
        repo = self._repo_of(owner, name)
        return Reply(200, self.repo_json(repo)) if repo else self.not_found()

    def _workflows(self, call: Call, owner: str, name: str) -> Reply:
        repo = self._repo_of(owner, name)
        if repo is None:
            return self.not_found()
        flows = [self.workflow_json(w.id) for w in self.data.workflows if w.repo == repo.full_name]
        return self._page(call, flows, wrap="workflows")

    def _find_workflow(self, repo: Repo, ref: str) -> int | None:
        for flow in self.data.workflows:
            if flow.repo == repo.full_name and ref in (str(flow.id), flow.file):
                return flow.id
        return None

    def _workflow(self, call: Call, owner: str, name: str, workflow: str) -> Reply:  # noqa: ARG002
        repo = self._repo_of(owner, name)
        flow_id = self._find_workflow(repo, workflow) if repo else None
        return Reply(200, self.workflow_json(flow_id)) if flow_id else self.not_found()

    def _filtered_runs(self, call: Call, repo: Repo, workflow_id: int | None = None) -> list[dict[str, Any]]:
        status = call.arg("status")
        created = _since_filter(call.arg("created"))
        runs = []
        for run in self.data.runs_of(repo.full_name):
            if workflow_id is not None and run.workflow.id != workflow_id:
                continue
            if status and status not in (run.status, run.conclusion):
                continue
            if any(call.arg(key) not in (None, value) for key, value in
                   (("branch", run.branch), ("event", run.event), ("actor", run.actor), ("head_sha", run.sha))):
                continue
            if created(run.created_at):
                runs.append(self.run_json(run))
        return runs

    def _runs(self, call: Call, owner: str, name: str) -> Reply:
        repo = self._repo_of(owner, name)
        if repo is None:
            return self.not_found()
        return self._page(call, self._filtered_runs(call, repo), wrap="workflow_runs")

    def _workflow_runs(self, call: Call, owner: str, name: str, workflow: str) -> Reply:
        repo = self._repo_of(owner, name)
        flow_id = self._find_workflow(repo, workflow) if repo else None
        if repo is None or flow_id is None:
            return self.not_found()
        return self._page(call, self._filtered_runs(call, repo, flow_id), wrap="workflow_runs")

    def _run_in(self, owner: str, name: str, run_id: str) -> WorkflowRun | None:
        repo = self._repo_of(owner, name)
        if repo is None or not run_id.isdigit():
            return None
        return next((r for r in self.data.runs if r.id == int(run_id) and r.repo == repo.full_name), None)

    def _run(self, call: Call, owner: str, name: str, run_id: str) -> Reply:  # noqa: ARG002
        run = self._run_in(owner, name, run_id)
        return Reply(200, self.run_json(run)) if run else self.not_found()

    def _jobs(self, call: Call, owner: str, name: str, run_id: str) -> Reply:
        run = self._run_in(owner, name, run_id)
        if run is None:
            return self.not_found()
        return self._page(call, [self.job_json(run, job) for job in run.jobs], wrap="jobs")

    def _job_in(self, owner: str, name: str, job_id: str) -> tuple[WorkflowRun, Job] | None:
        repo = self._repo_of(owner, name)
        if repo is None or not job_id.isdigit():
            return None
        try:
            run, job = self.data.job(int(job_id))
        except KeyError:
            return None
        return (run, job) if run.repo == repo.full_name else None

    def _job(self, call: Call, owner: str, name: str, job_id: str) -> Reply:  # noqa: ARG002
        found = self._job_in(owner, name, job_id)
        return Reply(200, self.job_json(*found)) if found else self.not_found()

    def _signature(self, job_id: str) -> str:
        return hmac.new(self._blob_key, job_id.encode(), "sha256").hexdigest()

    def _job_logs(self, call: Call, owner: str, name: str, job_id: str) -> Reply:  # noqa: ARG002
        if self._job_in(owner, name, job_id) is None:
            return self.not_found()
        location = f"{self.url}/_blobs/job-logs/{job_id}?sig={self._signature(job_id)}"
        return Reply(302, None, {"Location": location}, content_type="text/html; charset=utf-8")

    def _blob(self, call: Call, job_id: str) -> Reply:
        """The signed log URL: no token needed (nor wanted); a bad signature is a 403."""
        if not hmac.compare_digest(call.arg("sig") or "", self._signature(job_id)):
            return Reply(403, "<Error><Code>AuthenticationFailed</Code></Error>", content_type="application/xml")
        try:
            _, job = self.data.job(int(job_id))
        except (KeyError, ValueError):
            return Reply(404, "<Error><Code>BlobNotFound</Code></Error>", content_type="application/xml")
        return Reply(200, job.text(), content_type="text/plain; charset=utf-8")

    def _run_logs(self, call: Call, owner: str, name: str, run_id: str) -> Reply:  # noqa: ARG002
        if self._run_in(owner, name, run_id) is None:
            return self.not_found()
        location = f"{self.url}/_blobs/run-logs/{run_id}?sig={self._signature('run:' + run_id)}"
        return Reply(302, None, {"Location": location}, content_type="text/html; charset=utf-8")

    def _run_blob(self, call: Call, run_id: str) -> Reply:
        """A run's logs as GitHub archives them: ``{n}_{job}.txt`` per job and
        ``{job}/{number}_{step}.txt`` per step that wrote anything."""
        if not hmac.compare_digest(call.arg("sig") or "", self._signature("run:" + run_id)):
            return Reply(403, "<Error><Code>AuthenticationFailed</Code></Error>", content_type="application/xml")
        run = next((r for r in self.data.runs if str(r.id) == run_id), None)
        if run is None:
            return Reply(404, "<Error><Code>BlobNotFound</Code></Error>", content_type="application/xml")
        return Reply(200, run_logs_zip(run), content_type="application/zip")

    def _rerun_common(self, owner: str, name: str, run_id: str, failed_only: bool) -> Reply:
        run = self._run_in(owner, name, run_id)
        if run is None:
            return self.not_found()
        if run.status != "completed":
            return _error(403, "This workflow run is not completed")
        if failed_only and not any(job.conclusion == "failure" for job in run.jobs):
            return _error(403, "This workflow run has no failed jobs to re-run")
        for job in run.jobs:
            if not failed_only or job.conclusion in ("failure", "cancelled", "skipped"):
                job.status, job.conclusion, job.completed_at = "queued", None, None
        run.status, run.conclusion = "queued", None
        run.run_attempt += 1
        run.updated_at = datetime.now(UTC).replace(microsecond=0)
        return Reply(201, {})

    def _rerun(self, call: Call, owner: str, name: str, run_id: str) -> Reply:  # noqa: ARG002
        return self._rerun_common(owner, name, run_id, failed_only=False)

    def _rerun_failed(self, call: Call, owner: str, name: str, run_id: str) -> Reply:  # noqa: ARG002
        return self._rerun_common(owner, name, run_id, failed_only=True)

    def _pulls(self, call: Call, owner: str, name: str) -> Reply:
        repo = self._repo_of(owner, name)
        if repo is None:
            return self.not_found()
        state = call.arg("state", "open")
        sort = call.arg("sort", "created")
        direction = call.arg("direction", "desc" if sort == "created" else "asc")
        pulls = [p for p in self.data.pulls if p.repo == repo.full_name and state in ("all", p.state)
                 and call.arg("base") in (None, p.base) and call.arg("head") in (None, f"{owner}:{p.head}")]
        key = {"created": lambda p: p.created_at, "updated": lambda p: p.updated_at}.get(
            sort or "created", lambda p: p.created_at)
        pulls.sort(key=key, reverse=direction == "desc")
        return self._page(call, [self.pull_json(p) for p in pulls])

    def _commits(self, call: Call, owner: str, name: str) -> Reply:
        repo = self._repo_of(owner, name)
        if repo is None:
            return self.not_found()
        ref = call.arg("sha", repo.default_branch)
        since = _since_filter(f">={call.arg('since')}" if call.arg("since") else None)
        until = _since_filter(f"<={call.arg('until')}" if call.arg("until") else None)
        commits = sorted((c for c in self.data.commits if c.repo == repo.full_name), key=lambda c: c.date,
                         reverse=True)
        if ref != repo.default_branch:
            commits = [c for c in commits if c.sha == ref]
            if not commits:
                return _error(404, f"No commit found for SHA: {ref}")
        rows = [self.commit_json(c.repo, c.sha, c.message, c.author, c.date) for c in commits
                if since(c.date) and until(c.date) and call.arg("author") in (None, c.author)]
        return self._page(call, rows)

    def _deployments(self, call: Call, owner: str, name: str) -> Reply:
        repo = self._repo_of(owner, name)
        if repo is None:
            return self.not_found()
        items = sorted((d for d in self.data.deployments if d.repo == repo.full_name
                        and call.arg("environment") in (None, d.environment) and call.arg("sha") in (None, d.sha)
                        and call.arg("ref") in (None, d.ref)), key=lambda d: d.created_at, reverse=True)
        return self._page(call, [self.deployment_json(d) for d in items])

    def _deployment_statuses(self, call: Call, owner: str, name: str, deployment_id: str) -> Reply:
        repo = self._repo_of(owner, name)
        deployment = next((d for d in self.data.deployments if repo and d.repo == repo.full_name
                           and str(d.id) == deployment_id), None)
        if deployment is None:
            return self.not_found()
        url = self._api(f"/repos/{deployment.repo}/deployments/{deployment.id}")
        statuses = []
        for index, (state, minutes) in enumerate(((deployment.state, 3), ("in_progress", 0))):
            at = iso(deployment.created_at + timedelta(minutes=minutes))
            statuses.append({
                "url": f"{url}/statuses/{deployment.id * 10 + 1 - index}", "id": deployment.id * 10 + 1 - index,
                "node_id": f"DES_{deployment.id}{index}", "state": state, "creator": self.user_json("github-actions"),
                "description": f"{deployment.description}: {state}", "environment": deployment.environment,
                "target_url": "", "log_url": "", "environment_url": "", "created_at": at, "updated_at": at,
                "deployment_url": url, "repository_url": self._api(f"/repos/{deployment.repo}"),
            })
        return self._page(call, statuses)

