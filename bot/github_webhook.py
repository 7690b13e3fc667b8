"""``POST /webhooks/github``: GitHub's ``workflow_run`` webhook. A completed, failed run on
its repository's default branch is diagnosed (``cicd.failure``: failing step, error lines,
likely cause) and posted to the configured Slack channels (``GUARDIAN_CICD_CHANNEL``) and to
every Slack or Teams channel subscribed with ``/guardian subscribe cicd``.

Why it is shaped this way:
- The signature (``X-Hub-Signature-256``: ``sha256=`` + HMAC-SHA256 of the raw body with
  ``GITHUB_WEBHOOK_SECRET``) is checked on the raw bytes, in constant time, before anything
  is parsed: a forged or unsigned delivery gets 401 and nothing else happens.
- GitHub waits 10 seconds for an answer and redelivers under the same ``X-GitHub-Delivery``.
  The delivery is claimed in the shared database (agents/dedupe.py), and so is the run
  attempt (a repository and an organisation hook both sending it), then the answer (202)
  goes out and the diagnosis runs after it. A repeat claims nothing and posts nothing.
- The diagnosis is the read tool every surface uses, through the registry (so secrets in
  log lines are masked); log text stays quoted data in the post, and nothing in a payload
  or a log can start a tool call or a write: a re-run is only ever proposed by a person
  asking for it, and runs after an approval.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from typing import TYPE_CHECKING

from fastapi import BackgroundTasks, FastAPI
from fastapi import Request as HttpRequest
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, ValidationError

from agents.answer import Answer
from agents.audit import Origin
from agents.route import Route
from agents.templates import build_answer
from bot.http_app import validation_detail
from bot.render.blocks import answer_blocks, fallback_text

if TYPE_CHECKING:
    from slack_sdk.web.async_client import AsyncWebClient

    from bot.runtime import Runtime
    from bot.teams_surface import TeamsSurface

log = logging.getLogger(__name__)

ROUTE = "/webhooks/github"
SURFACE = "github"
FAILED = ("failure", "timed_out", "startup_failure")
MAX_DELIVERY_ID = 100
NO_CHANNEL = "no channel is subscribed (GUARDIAN_CICD_CHANNEL or `/guardian subscribe cicd`)"
Target = tuple[str, str]  # (surface, channel)


class _Repository(BaseModel):
    full_name: str = Field(min_length=3, max_length=140, pattern=r"^[\w.-]+/[\w.-]+$")
    default_branch: str = Field(min_length=1, max_length=255)


class _Run(BaseModel):
    id: int = Field(gt=0)
    name: str | None = Field(default=None, max_length=500)
    run_number: int | None = None
    run_attempt: int = 1
    status: str | None = None
    conclusion: str | None = None
    head_branch: str | None = Field(default=None, max_length=255)
    head_sha: str | None = Field(default=None, max_length=64)
    html_url: str | None = Field(default=None, max_length=1000)


class WorkflowRunEvent(BaseModel):
    """The part of GitHub's ``workflow_run`` payload Guardian reads."""

    action: str = Field(max_length=64)
    workflow_run: _Run
    repository: _Repository


def signature_valid(secret: bytes, raw: bytes, header: str) -> bool:
    """GitHub's ``X-Hub-Signature-256`` over the raw bytes, compared in constant time; never
    raises whatever the header holds."""
    if not header.startswith("sha256="):
        return False
    expected = "sha256=" + hmac.new(secret, raw, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), header.encode("utf-8", "replace"))


def _problem(status: int, detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status)


def _parse(raw: bytes) -> WorkflowRunEvent | str:
    """The event, or why the body is not one (the body itself is never echoed)."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return "request body is not UTF-8 JSON"
    if not isinstance(data, dict):
        return "request body must be a JSON object"
    try:
        return WorkflowRunEvent.model_validate(data)
    except ValidationError as exc:
        return validation_detail(exc.errors())


class GitHubWebhook:
    """Receives deliveries and posts diagnoses; one per app."""

    def __init__(self, rt: Runtime, slack_client: AsyncWebClient | None, teams: TeamsSurface | None = None) -> None:
        self.rt = rt
        secret = rt.settings.github_webhook_secret
        self.secret = secret.get_secret_value().encode() if secret else None
        self.channels = list(rt.settings.cicd_channel)
        self.slack = slack_client
        self.teams = teams

    def targets(self) -> list[Target]:
        """Where a failed run is posted: the configured Slack channels (GUARDIAN_CICD_CHANNEL)
        and every channel subscribed with ``/guardian subscribe cicd``, each once."""
        found: list[Target] = [("slack", channel) for channel in self.channels]
        for sub in self.rt.proactive.subscriptions.of_kind("cicd"):
            if (sub.surface, sub.channel) not in found:
                found.append((sub.surface, sub.channel))
        return found

    async def receive(self, request: HttpRequest, background: BackgroundTasks) -> Response:
        raw = await request.body()
        if self.secret is not None and not signature_valid(
                self.secret, raw, request.headers.get("x-hub-signature-256", "")):
            log.warning("github webhook: refused a delivery with a missing or wrong signature")
            return _problem(401, "missing or invalid X-Hub-Signature-256")
        event = request.headers.get("x-github-event", "")
        delivery = request.headers.get("x-github-delivery", "")
        if not event or not delivery or len(delivery) > MAX_DELIVERY_ID or not delivery.isprintable():
            return _problem(400, "missing or invalid X-GitHub-Event or X-GitHub-Delivery header")
        if event == "ping":
            return JSONResponse({"ok": True, "event": "ping"})
        if event != "workflow_run":
            return JSONResponse({"ignored": f"event {event[:40]} is not handled"}, status_code=202)
        parsed = _parse(raw)
        if isinstance(parsed, str):
            log.warning("github webhook: refused delivery %s: %s", delivery, parsed)
            return _problem(400, parsed)
        reason = self._skip_reason(parsed)
        if reason:
            return JSONResponse({"ignored": reason}, status_code=202)
        run = parsed.workflow_run
        try:
            targets = await asyncio.to_thread(self.targets)
        except Exception as exc:  # the database is down: the sender retries later
            log.error("github webhook: could not read subscriptions: %s", type(exc).__name__)
            return _problem(503, "could not read the subscribed channels; retry later")
        if not targets:
            log.warning("github webhook: run %d failed but no channel is subscribed", run.id)
            return JSONResponse({"ignored": NO_CHANNEL}, status_code=202)
        try:
            first = await asyncio.to_thread(self._claim, delivery, parsed)
        except Exception as exc:  # the database is down: the sender retries later
            log.error("github webhook: could not claim delivery %s: %s", delivery, type(exc).__name__)
            return _problem(503, "could not record the delivery; retry later")
        if not first:
            return JSONResponse({"duplicate": True, "run_id": run.id}, status_code=202)
        background.add_task(self.post, parsed, delivery, targets)
        return JSONResponse({"accepted": True, "run_id": run.id}, status_code=202)

    def _skip_reason(self, event: WorkflowRunEvent) -> str | None:
        run = event.workflow_run
        if event.action != "completed" or run.conclusion not in FAILED:
            return f"run {run.id} is {event.action}/{run.conclusion}: only failed runs are posted"
        if run.head_branch != event.repository.default_branch:
            return f"run {run.id} is not on the default branch"
        return None

    def _claim(self, delivery: str, event: WorkflowRunEvent) -> bool:
        """First time this delivery and this run attempt are seen (across replicas)?"""
        dedupe = self.rt.storage.dedupe
        if not dedupe.claim("github-delivery", delivery):
            return False
        run = event.workflow_run
        return dedupe.claim("github-run", f"{event.repository.full_name}:{run.id}:{run.run_attempt}")

    # ------------------------------------------------------------------ after the answer
    async def post(self, event: WorkflowRunEvent, delivery: str, targets: list[Target] | None = None) -> None:
        """Diagnose the run and post it to every subscribed channel; failures are logged."""
        try:
            answer = await asyncio.to_thread(self.diagnose, event)
        except Exception:
            log.exception("github webhook: diagnosing run %d failed", event.workflow_run.id)
            return
        for surface, channel in targets if targets is not None else await asyncio.to_thread(self.targets):
            await self._post_to(surface, channel, answer, event, delivery)

    def diagnose(self, event: WorkflowRunEvent) -> Answer:
        """The ``cicd.failure`` answer for the run, as any surface would render it."""
        run, repo = event.workflow_run, event.repository.full_name
        args = {"repo": repo, "run_id": run.id}
        result = self.rt.registry.invoke("github_run_failure", args, self.rt.tool_ctx)
        route = Route(text=f"why did run {run.id} fail", agent="cicd", skill="cicd.failure", confidence=1.0)
        answer = build_answer(route, [{"tool": "github_run_failure", "args": args, "result": result.model_dump()}])
        heading = f"A workflow failed on {run.head_branch} in {repo}: run {run.id}"
        if result.status == "error":
            answer.lead = heading + "."
            answer.notes = [f"No diagnosis: {result.summary}"]
        else:
            answer.paragraphs.insert(0, heading + (f" ({run.html_url})." if run.html_url else "."))
        answer.paragraphs.append(f"To re-run its failed jobs, ask Guardian to \"re-run run {run.id} in {repo}\"; "
                                 "it runs after an approval.")
        return answer

    async def _post_to(self, surface: str, channel: str, answer: Answer, event: WorkflowRunEvent,
                       delivery: str) -> None:
        run = event.workflow_run
        origin = Origin(user="github", surface=SURFACE, channel=channel, correlation_id=delivery[:64])
        if (surface == "teams" and self.teams is None) or (surface != "teams" and self.slack is None):
            log.warning("github webhook: run %d diagnosed but %s is not configured here", run.id, surface)
            return
        try:
            if surface == "teams" and self.teams is not None:
                await self.teams.post_to(channel, answer)
            elif self.slack is not None:
                await self.slack.chat_postMessage(channel=channel, text=fallback_text(answer),
                                                  blocks=answer_blocks(answer)[:50], unfurl_links=False)
        except Exception as exc:
            log.error("github webhook: posting run %d to %s failed: %s", run.id, channel, type(exc).__name__)
            outcome = f"post failed: {type(exc).__name__}"
        else:
            log.info("github webhook: posted run %d of %s to %s", run.id, event.repository.full_name, channel)
            outcome = f"posted run {run.id} of {event.repository.full_name}"
        await asyncio.to_thread(self.rt.storage.audit.record, origin, "webhook.github", skill="cicd.failure",
                                tool="github_run_failure", args={"repo": event.repository.full_name,
                                                                 "run_id": run.id}, outcome=outcome)


def _slack_client(app: FastAPI, rt: Runtime) -> AsyncWebClient | None:
    """The Slack surface's own Web API client when Slack is mounted, else one for posting."""
    surface = getattr(app.state, "slack", None)
    if surface is not None:
        client: AsyncWebClient = surface.client
        return client
    token = rt.settings.slack_bot_token
    if token is None:
        return None
    from slack_sdk.web.async_client import AsyncWebClient

    return AsyncWebClient(token=token.get_secret_value(), base_url=rt.settings.slack_api_url)


def mount_github_webhook(app: FastAPI, rt: Runtime) -> GitHubWebhook | None:
    """``POST /webhooks/github``: 404 while GITHUB_WEBHOOK_SECRET is unset (unless
    GUARDIAN_INSECURE_DEV=1, which accepts unsigned deliveries); the receiver is also
    ``app.state.github_webhook``. Mount it after Slack, whose client it reuses."""
    settings = rt.settings
    hook = GitHubWebhook(rt, _slack_client(app, rt), getattr(app.state, "teams", None)) if (
        settings.github_webhook_secret is not None or settings.insecure_dev) else None
    app.state.github_webhook = hook

    @app.post(ROUTE)
    async def github_webhook(request: HttpRequest, background: BackgroundTasks) -> Response:
        if hook is None:
            return _problem(404, "GitHub webhooks are disabled: set GITHUB_WEBHOOK_SECRET")
        return await hook.receive(request, background)

    return hook


__all__ = ["ROUTE", "GitHubWebhook", "WorkflowRunEvent", "mount_github_webhook", "signature_valid"]
