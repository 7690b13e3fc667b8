"""``POST /webhooks/github`` end to end: deliveries signed as GitHub signs them, sent to the
one ASGI app (create_app, through httpx's ASGI transport); the diagnosis goes through the
real PyGithub client to the GitHub stand-in, and the post through the Slack surface's real
slack_sdk client to the Slack Web API stand-in. Expectations come from the sandbox data."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.http_app import create_app
from bot.render.blocks import APPROVE_ACTION
from bot.runtime import Runtime
from bot.settings import load_settings
from sandbox.github_api import GitHubStandIn
from sandbox.saas_company import (
    BIG_RUN_NUMBER,
    INJECTION_LINE,
    LEAKED_TOKEN,
    MIGRATION_ERROR,
    OOM_ERROR,
    WorkflowRun,
    build,
)
from sandbox.slack_api import SlackApiStandIn

pytestmark = pytest.mark.slow  # local HTTP servers

SECRET = "gh-webhook-test-secret"
CHANNEL = "C0CICD001"


@pytest.fixture(scope="module")
def github() -> Iterator[GitHubStandIn]:
    with GitHubStandIn(build().github) as standin:  # the webhook only reads from it
        yield standin


def runtime(home: Path, github: GitHubStandIn, slack_api: SlackApiStandIn, **overrides: Any) -> Runtime:
    env = github.env()
    values: dict[str, Any] = {
        "github_token": env["GITHUB_TOKEN"], "github_api_url": env["GITHUB_API_URL"],
        "github_org": env["GUARDIAN_GITHUB_ORG"], "github_repos": env["GUARDIAN_GITHUB_REPOS"],
        "slack_bot_token": "xoxb-test", "slack_signing_secret": "slack-secret", "slack_api_url": slack_api.api_url,
        "github_webhook_secret": SECRET, "cicd_channel": CHANNEL}
    settings = load_settings(home=home, **{**values, **overrides})
    return Runtime(settings)


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def rt(tmp_path: Path, github: GitHubStandIn, slack_api: SlackApiStandIn) -> Iterator[Runtime]:
    slack_api.clear()
    with runtime(tmp_path / "home", github, slack_api) as instance:
        yield instance


def payload(github: GitHubStandIn, run: WorkflowRun, action: str = "completed") -> dict[str, Any]:
    """What GitHub sends for ``workflow_run``: the run, its workflow, repository and sender."""
    repo = github.data.repo(run.repo)
    return {"action": action, "workflow_run": github.run_json(run), "workflow": github.workflow_json(run.workflow.id),
            "repository": github.repo_json(repo), "sender": github.user_json(run.actor)}


def send(rt: Runtime, body: bytes, *, event: str = "workflow_run", delivery: str | None = None,
         secret: str | None = SECRET, signature: str | None = None) -> httpx.Response:
    headers = {"Content-Type": "application/json", "User-Agent": "GitHub-Hookshot/5f2c1a8",
               "X-GitHub-Event": event, "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
               "X-GitHub-Hook-ID": "482913"}
    if signature is not None:
        headers["X-Hub-Signature-256"] = signature
    elif secret is not None:
        headers["X-Hub-Signature-256"] = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(rt))
        async with httpx.AsyncClient(transport=transport, base_url="http://guardian") as client:
            return await client.post("/webhooks/github", content=body, headers=headers)

    return asyncio.run(go())


def encoded(data: dict[str, Any]) -> bytes:
    return json.dumps(data).encode()


def posts(slack_api: SlackApiStandIn) -> list[Any]:
    return slack_api.calls("chat.postMessage")


def failed_deploy(github: GitHubStandIn) -> WorkflowRun:
    return github.data.latest_failed_run()


def test_a_signed_failed_run_is_posted_once_with_its_diagnosis(
        rt: Runtime, github: GitHubStandIn, slack_api: SlackApiStandIn) -> None:
    run = failed_deploy(github)
    job = next(j for j in run.jobs if j.conclusion == "failure")
    step = next(s for s in job.steps if s.conclusion == "failure")
    body, delivery = encoded(payload(github, run)), str(uuid.uuid4())
    response = send(rt, body, delivery=delivery)
    assert response.status_code == 202 and response.json() == {"accepted": True, "run_id": run.id}
    [post] = posts(slack_api)
    assert post.args["channel"] == CHANNEL
    text = json.dumps(post.blocks)
    assert f"Step {step.number} '{step.name}' failed, in job '{job.name}'" in post.args["text"]
    assert "Likely cause: migration conflict" in text and MIGRATION_ERROR.replace('"', '\\"') in text
    assert f"commit {run.sha[:7]} by {run.actor}" in text
    # The log's injection line is quoted as data at most, never acted on: no buttons, no writes.
    assert APPROVE_ACTION not in text and github.writes == []
    assert INJECTION_LINE not in post.args["text"]
    [record] = rt.storage.audit.query(event="webhook.github")
    assert record["outcome"] == f"posted run {run.id} of {run.repo}"
    again = send(rt, body, delivery=delivery)  # GitHub's redelivery: same delivery id
    assert again.status_code == 202 and again.json()["duplicate"] is True
    other_hook = send(rt, body)  # the same run attempt from a second hook (new delivery id)
    assert other_hook.json()["duplicate"] is True
    assert len(posts(slack_api)) == 1


def test_the_5_mb_log_run_is_posted_with_its_cause_and_the_token_masked(
        rt: Runtime, github: GitHubStandIn, slack_api: SlackApiStandIn) -> None:
    run = next(r for r in github.data.runs if r.run_number == BIG_RUN_NUMBER)
    assert send(rt, encoded(payload(github, run))).status_code == 202
    [post] = posts(slack_api)
    text = json.dumps(post.blocks)
    assert "Likely cause: out of memory" in text and OOM_ERROR in text
    assert LEAKED_TOKEN not in json.dumps(post.args)


@pytest.mark.parametrize("signature", [None, "sha256=" + "0" * 64, "sha1=abc", "", "sha256=" + "zz" * 32])
def test_forged_or_missing_signatures_get_401_and_post_nothing(
        rt: Runtime, github: GitHubStandIn, slack_api: SlackApiStandIn, signature: str | None) -> None:
    body = encoded(payload(github, failed_deploy(github)))
    response = send(rt, body, secret=None, signature=signature) if signature is not None else send(
        rt, body, secret=None)
    assert response.status_code == 401
    assert posts(slack_api) == [] and rt.storage.audit.query(event="webhook.github") == []


def test_a_body_signed_with_another_secret_is_refused(rt: Runtime, github: GitHubStandIn,
                                                      slack_api: SlackApiStandIn) -> None:
    response = send(rt, encoded(payload(github, failed_deploy(github))), secret="not-the-secret")
    assert response.status_code == 401 and posts(slack_api) == []


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe", b"[1, 2]", b'{"action": "completed"}',
                                  b'{"action": "completed", "workflow_run": {"id": "x"}, "repository": {}}'])
def test_malformed_signed_bodies_get_400(rt: Runtime, slack_api: SlackApiStandIn, body: bytes) -> None:
    response = send(rt, body)
    assert response.status_code == 400 and "detail" in response.json()
    assert posts(slack_api) == []


def test_ping_is_answered(rt: Runtime) -> None:
    response = send(rt, encoded({"zen": "Design for failure.", "hook_id": 482913}), event="ping")
    assert response.status_code == 200 and response.json()["event"] == "ping"


def test_green_runs_and_other_branches_are_not_posted(rt: Runtime, github: GitHubStandIn,
                                                      slack_api: SlackApiStandIn) -> None:
    green = next(r for r in github.data.runs if r.conclusion == "success" and r.branch == "main")
    branch = next(r for r in github.data.runs if r.conclusion == "failure" and r.branch != "main")
    running = payload(github, failed_deploy(github), action="in_progress")
    for body in (encoded(payload(github, green)), encoded(payload(github, branch)), encoded(running)):
        response = send(rt, body)
        assert response.status_code == 202 and "ignored" in response.json()
    assert posts(slack_api) == []


def test_without_a_secret_the_route_is_disabled(tmp_path: Path, github: GitHubStandIn,
                                                slack_api: SlackApiStandIn) -> None:
    slack_api.clear()
    with runtime(tmp_path / "home", github, slack_api, github_webhook_secret=None) as rt:
        response = send(rt, encoded(payload(github, failed_deploy(github))))
    assert response.status_code == 404 and posts(slack_api) == []


def test_when_github_is_unreachable_the_post_still_goes_out_and_says_what_is_missing(
        tmp_path: Path, github: GitHubStandIn, slack_api: SlackApiStandIn, closed_port: int) -> None:
    slack_api.clear()
    run = failed_deploy(github)
    with runtime(tmp_path / "home", github, slack_api, github_api_url=f"http://127.0.0.1:{closed_port}") as rt:
        assert send(rt, encoded(payload(github, run))).status_code == 202
    [post] = posts(slack_api)
    text = json.dumps(post.blocks)
    assert f"run {run.id}" in post.args["text"] and "No diagnosis: GitHub is unreachable" in text


def test_an_oversized_delivery_gets_413_and_posts_nothing(rt: Runtime, slack_api: SlackApiStandIn) -> None:
    body = b'{"pad": "' + b"x" * rt.settings.http_max_body_bytes + b'"}'
    assert send(rt, body).status_code == 413
    assert posts(slack_api) == []


def test_a_channel_subscribed_with_the_slash_command_receives_failed_runs(
        tmp_path: Path, github: GitHubStandIn, slack_api: SlackApiStandIn) -> None:
    slack_api.clear()
    subscribed = "C0SUBSCRIBED"
    with runtime(tmp_path / "home", github, slack_api, cicd_channel=[]) as rt:
        nobody = send(rt, encoded(payload(github, failed_deploy(github))))
        assert nobody.status_code == 202 and "no channel is subscribed" in nobody.json()["ignored"]
        reply = rt.proactive.command("subscribe cicd", user="U0LEAD", surface="slack", channel=subscribed)
        assert reply.startswith("Subscribed: this channel gets a diagnosis of each failed workflow run")
        assert rt.proactive.listing("slack", subscribed) == \
            "This channel receives failed CI runs on default branches."
        run = failed_deploy(github)
        accepted = send(rt, encoded(payload(github, run)))
        assert accepted.status_code == 202 and accepted.json() == {"accepted": True, "run_id": run.id}
        [post] = posts(slack_api)
        assert post.args["channel"] == subscribed
        assert f"run {run.id}" in json.dumps(post.blocks) and "failed, in job" in post.args["text"]
        assert rt.proactive.command("unsubscribe cicd", user="U0LEAD", surface="slack", channel=subscribed) == \
            "This channel no longer receives failed CI runs on default branches."
        assert rt.proactive.command("subscribe cicd weekly", user="U0LEAD", surface="slack",
                                    channel=subscribed).startswith("Not understood.")
