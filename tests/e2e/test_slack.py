"""Slack end to end: real signed requests to the one ASGI app (create_app, through httpx's
ASGI transport), the real Bolt and slack_sdk posting to the Slack Web API stand-in on
loopback, a Runtime over the sandbox company (real graph, tools, SQLite). Each question is
answered exactly once, retries add nothing, a thread keeps its context, and approvals are
decided by the clicker's Slack id exactly once."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.http_app import create_app
from bot.render.blocks import APPROVE_ACTION, DENY_ACTION
from bot.runtime import Runtime
from bot.settings import load_settings
from bot.slack_surface import SlackSurface
from sandbox.company import DRIFTWOOD
from sandbox.slack_api import Call, SlackApiStandIn
from tests.conftest import sandbox_environment
from tests.e2e.test_trust import _instance, _state
from tests.helpers import contract_policy
from tests.slack_helpers import SECRET, action_body, command_body, event_body, signed

pytestmark = [pytest.mark.slow]

POLICY = contract_policy("U0ALICE", "U0BOB")
FORM = "application/x-www-form-urlencoded"


@pytest.fixture(scope="module")
def runtime(sandbox: Any, slack_api: SlackApiStandIn, tmp_path_factory: pytest.TempPathFactory,
            warm_home: Callable[[Path], Path]) -> Iterator[Runtime]:
    home = warm_home(tmp_path_factory.mktemp("slack-home"))
    policy = home.parent / "slack-policy.yaml"
    policy.write_text(POLICY)
    with pytest.MonkeyPatch.context() as patch:
        sandbox_environment(patch, sandbox)
        settings = load_settings(home=home, policy=policy, slack_bot_token="xoxb-test",
                                 slack_signing_secret=SECRET, slack_api_url=slack_api.api_url)
        with Runtime(settings) as rt:
            yield rt


class Workspace:
    """Slack's side of the conversation: signs and sends what Slack would send."""

    def __init__(self, runtime: Runtime, api: SlackApiStandIn) -> None:
        self.app = create_app(runtime)
        self.surface: SlackSurface = self.app.state.slack
        self.api = api

    async def send(self, body: bytes, content_type: str = "application/json", retry: int | None = None) -> int:
        transport = httpx.ASGITransport(app=self.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://guardian") as client:
            response = await client.post("/slack/events", content=body,
                                         headers=signed(body, content_type=content_type, retry=retry,
                                                        timestamp=int(time.time()) + (retry or 0)))
        return response.status_code

    async def settle(self) -> None:
        await self.surface.drain()

    def replies(self, channel: str) -> list[Call]:
        return [call for call in self.api.calls("chat.postMessage") if call.args.get("channel") == channel]

    def final(self, channel: str, ts: str) -> Call:
        updates = [call for call in self.api.calls("chat.update")
                   if call.args.get("channel") == channel and call.args.get("ts") == ts and call.blocks]
        assert updates, f"no answer in {channel} {ts}"
        return updates[-1]


def text_of(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def mention(channel: str, ts: str, text: str, user: str = "U0ALICE", thread_ts: str | None = None) -> dict[str, Any]:
    event = {"type": "app_mention", "user": user, "text": f"<@UGUARDIAN1> {text}", "channel": channel, "ts": ts}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def test_a_mention_is_answered_once_and_retries_add_nothing(runtime: Runtime, slack_api: SlackApiStandIn) -> None:
    async def scenario() -> None:
        slack = Workspace(runtime, slack_api)
        event = mention("C1MENTION", "1700000100.000100", "which buckets are public?")
        body = event_body(event, event_id="EvMENTION1")
        assert await slack.send(body) == 200
        await slack.settle()
        [reply] = slack.replies("C1MENTION")
        assert reply.args["thread_ts"] == "1700000100.000100"  # answered in the thread
        updates = [c for c in slack_api.calls("chat.update") if c.args.get("channel") == "C1MENTION" and c.blocks]
        assert len(updates) == 1
        shown = text_of(updates[0].blocks)
        public = {bucket.name for bucket in DRIFTWOOD.public_buckets()}
        assert public and all(name in shown for name in public)
        assert "security.public_storage" in shown
        before = len(slack_api.calls())
        # Slack's retries (re-signed, same event id) and the same message under a new event id
        assert await slack.send(event_body(event, event_id="EvMENTION1"), retry=1) == 200
        assert await slack.send(event_body(event, event_id="EvMENTION1"), retry=2) == 200
        assert await slack.send(event_body(event, event_id="EvMENTION1-resent")) == 200
        await slack.settle()
        assert len(slack_api.calls()) == before
        assert len(slack.replies("C1MENTION")) == 1

    asyncio.run(scenario())


def test_a_slash_command_and_a_dm_are_each_answered_once(runtime: Runtime, slack_api: SlackApiStandIn) -> None:
    async def scenario() -> None:
        slack = Workspace(runtime, slack_api)
        assert await slack.send(command_body("ask which instances are stopped?", user="U0CAROL",
                                             channel="C2COMMAND"), FORM) == 200
        dm = {"type": "message", "channel_type": "im", "user": "U0CAROL", "channel": "D2DM",
              "text": "list ec2 instances in eu-west-1", "ts": "1700000200.000100"}
        assert await slack.send(event_body(dm)) == 200
        await slack.settle()
        [command_reply] = slack.replies("C2COMMAND")
        assert "thread_ts" not in command_reply.args or command_reply.args["thread_ts"] is None
        shown = text_of(slack.final("C2COMMAND", command_reply.ts).blocks)
        assert all(i.name in shown for i in DRIFTWOOD.stopped_instances())
        assert not any(i.name in shown for i in DRIFTWOOD.instances if i.state == "running")
        [dm_reply] = slack.replies("D2DM")
        shown = text_of(slack.final("D2DM", dm_reply.ts).blocks)
        for instance in DRIFTWOOD.instances:
            assert (instance.name in shown) == (instance.region == "eu-west-1"), instance.name

    asyncio.run(scenario())


def test_the_assistant_panel_shows_status_and_streams_the_answer(runtime: Runtime,
                                                                 slack_api: SlackApiStandIn) -> None:
    async def scenario() -> None:
        slack = Workspace(runtime, slack_api)
        started = {"type": "assistant_thread_started", "assistant_thread": {
            "user_id": "U0CAROL", "channel_id": "D4ASSIST", "thread_ts": "1700000400.000100", "context": {}}}
        assert await slack.send(event_body(started)) == 200
        message = {"type": "message", "channel_type": "im", "user": "U0CAROL", "channel": "D4ASSIST",
                   "text": "which buckets are public?", "ts": "1700000400.000200", "thread_ts": "1700000400.000100"}
        body = event_body(message)
        assert await slack.send(body) == 200
        assert await slack.send(body, retry=1) == 200
        await slack.settle()
        [prompts] = [c for c in slack_api.calls("assistant.threads.setSuggestedPrompts")
                     if c.args.get("channel_id") == "D4ASSIST"]
        assert len(prompts.args["prompts"]) >= 3
        statuses = [c for c in slack_api.calls("assistant.threads.setStatus") if c.args["channel_id"] == "D4ASSIST"]
        assert statuses and statuses[0].args["thread_ts"] == "1700000400.000100"
        [stream] = [c for c in slack_api.calls("chat.startStream") if c.args["channel"] == "D4ASSIST"]
        assert stream.args["thread_ts"] == "1700000400.000100" and stream.args["recipient_user_id"] == "U0CAROL"
        streamed = stream.args["markdown_text"] + "".join(
            c.args["markdown_text"] for c in slack_api.calls("chat.appendStream") if c.args["ts"] == stream.ts)
        public = {bucket.name for bucket in DRIFTWOOD.public_buckets()}
        assert streamed.startswith(f"{len(public)} of {len(DRIFTWOOD.buckets)} buckets are public")
        [stop] = [c for c in slack_api.calls("chat.stopStream") if c.args["ts"] == stream.ts]
        assert "security.public_storage" in text_of(stop.blocks)
        assert slack.replies("D4ASSIST") == []  # the stream is the one answer

    asyncio.run(scenario())


def test_a_thread_follow_up_and_an_approval_clicked_once(runtime: Runtime, slack_api: SlackApiStandIn,
                                                         sandbox: Any, company_as_seeded: None) -> None:
    instance_id, ec2 = _instance(sandbox, "payments-api-1")

    async def scenario() -> None:
        slack = Workspace(runtime, slack_api)
        root = "1700000300.000100"
        await slack.send(event_body(mention("C3THREAD", root, "list ec2 instances in us-east-1")))
        await slack.settle()
        follow = {"type": "message", "channel_type": "channel", "user": "U0ALICE", "channel": "C3THREAD",
                  "text": "and in eu-west-1?", "ts": "1700000300.000200", "thread_ts": root}
        await slack.send(event_body(follow))
        await slack.settle()
        replies = slack.replies("C3THREAD")
        assert len(replies) == 2 and all(r.args["thread_ts"] == root for r in replies)
        shown = text_of(slack.final("C3THREAD", replies[1].ts).blocks)
        assert "infra.inventory" in shown
        for instance in DRIFTWOOD.instances:
            assert (instance.name in shown) == (instance.region == "eu-west-1"), instance.name

        # a new thread: describe, then "stop it" proposes stopping that very instance
        root = "1700000300.000300"
        await slack.send(event_body(mention("C3THREAD", root, "describe payments-api-1")))
        await slack.settle()
        stop = {"type": "message", "channel_type": "channel", "user": "U0ALICE", "channel": "C3THREAD",
                "text": "stop it", "ts": "1700000300.000400", "thread_ts": root}
        await slack.send(event_body(stop))
        await slack.settle()
        proposal = slack.final("C3THREAD", slack.replies("C3THREAD")[-1].ts)
        [actions] = [b for b in proposal.blocks if b["type"] == "actions"]
        approval_id = actions["elements"][0]["value"]
        assert {e["action_id"] for e in actions["elements"]} == {APPROVE_ACTION, DENY_ACTION}
        assert runtime.storage.approvals.get(approval_id).args["instance_id"] == instance_id
        message = {"ts": proposal.args["ts"], "blocks": proposal.blocks}

        clicks = iter(range(1, 100))

        def click(user: str) -> bytes:  # each click is its own request (its own trigger id)
            return action_body({"type": "block_actions", "user": {"id": user}, "team": {"id": "TDRIFTWOOD"},
                                "channel": {"id": "C3THREAD"}, "container": {"channel_id": "C3THREAD"},
                                "message": message, "trigger_id": f"t-{user}-{next(clicks)}", "response_url": "",
                                "actions": [{"action_id": APPROVE_ACTION, "value": approval_id,
                                             "type": "button", "block_id": actions["block_id"]}]})

        decisions = {outcome: await ametric(slack.app, "guardian_approval_decisions_total", surface="slack",
                                            skill="infra.action", outcome=outcome)
                     for outcome in ("refused", "approved", "conflict")}
        updates_before = len(slack_api.calls("chat.update"))
        assert await slack.send(click("U0CAROL"), FORM) == 200  # a reader may not approve
        await slack.settle()
        [ephemeral] = [c for c in slack_api.calls("chat.postEphemeral") if c.args.get("user") == "U0CAROL"]
        assert approval_id in ephemeral.args["text"]
        assert runtime.storage.approvals.get(approval_id).status == "pending"
        assert len(slack_api.calls("chat.update")) == updates_before
        assert _state(ec2, instance_id) == "running"

        assert await slack.send(click("U0ALICE"), FORM) == 200  # the requester may not either
        await slack.settle()
        assert runtime.storage.approvals.get(approval_id).status == "pending"

        assert await slack.send(click("U0BOB"), FORM) == 200
        await slack.settle()
        record = runtime.storage.approvals.get(approval_id)
        assert (record.decided_by, record.status) == ("U0BOB", "executed")
        assert _state(ec2, instance_id) in ("stopping", "stopped")
        done = [c for c in slack_api.calls("chat.update") if c.args.get("ts") == message["ts"]][-1]
        assert "<@U0BOB>" in text_of(done.blocks) and not any(b["type"] == "actions" for b in done.blocks)

        assert await slack.send(click("U0BOB"), FORM) == 200  # a second click runs nothing
        await slack.settle()
        again = [c for c in slack_api.calls("chat.update") if c.args.get("ts") == message["ts"]][-1]
        assert "already" in text_of(again.blocks)
        for outcome, added in (("refused", 2), ("approved", 1), ("conflict", 1)):  # Carol and Alice refused
            assert await ametric(slack.app, "guardian_approval_decisions_total", surface="slack",
                                 skill="infra.action", outcome=outcome) == decisions[outcome] + added, outcome

    asyncio.run(scenario())


def test_the_approvals_command_lists_pending_ones_and_a_deny_from_it_changes_nothing(
        runtime: Runtime, slack_api: SlackApiStandIn, sandbox: Any) -> None:
    instance_id, ec2 = _instance(sandbox, "payments-api-2")

    async def scenario() -> None:
        slack = Workspace(runtime, slack_api)
        await slack.send(event_body(mention("C5LIST", "1700000500.000100", f"stop {instance_id}")))
        await slack.settle()
        proposal = slack.final("C5LIST", slack.replies("C5LIST")[-1].ts)
        [approval_id] = [b["elements"][0]["value"] for b in proposal.blocks if b["type"] == "actions"]
        response_url = f"{slack_api.url}/response/list-1"
        assert await slack.send(command_body("approvals", user="U0BOB", channel="C5LIST",
                                             response_url=response_url), FORM) == 200
        await slack.settle()
        [listing] = slack_api.calls("/response/list-1")
        assert listing.args["response_type"] == "ephemeral"
        buttons = [e for b in listing.blocks if b["type"] == "actions" for e in b["elements"]]
        assert {(e["action_id"], e["value"]) for e in buttons} >= {(APPROVE_ACTION, approval_id),
                                                                    (DENY_ACTION, approval_id)}
        click = action_body({"type": "block_actions", "user": {"id": "U0BOB"}, "team": {"id": "TDRIFTWOOD"},
                             "channel": {"id": "C5LIST"}, "trigger_id": "t-list-deny",
                             "container": {"type": "message", "is_ephemeral": True, "channel_id": "C5LIST"},
                             "response_url": f"{slack_api.url}/response/deny-1",
                             "actions": [{"action_id": DENY_ACTION, "value": approval_id, "type": "button",
                                          "block_id": f"approval:{approval_id}"}]})
        assert await slack.send(click, FORM) == 200
        await slack.settle()
        [replaced] = slack_api.calls("/response/deny-1")
        assert replaced.args["replace_original"] is True
        assert f"Denied {approval_id} by" in text_of(replaced.blocks) and "<@U0BOB>" in text_of(replaced.blocks)
        record = runtime.storage.approvals.get(approval_id)
        assert (record.status, record.decided_by) == ("denied", "U0BOB")
        assert _state(ec2, instance_id) == "running"

    asyncio.run(scenario())


async def ametric(app: Any, name: str, **labels: str) -> float:
    """One sample of ``/metrics`` as Prometheus scrapes it (0 when the series does not exist yet)."""
    from prometheus_client.parser import text_string_to_metric_families

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://guardian") as client:
        response = await client.get("/metrics")
    assert response.status_code == 200
    text = response.text
    return sum(sample.value for family in text_string_to_metric_families(text) for sample in family.samples
               if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()))


def metric(app: Any, name: str, **labels: str) -> float:
    return asyncio.run(ametric(app, name, **labels))


def test_metrics_count_slack_turns_by_skill_and_outcome(runtime: Runtime, slack_api: SlackApiStandIn) -> None:
    slack = Workspace(runtime, slack_api)
    answered = {"surface": "slack", "skill": "security.public_storage", "outcome": "answered"}
    refused = {"surface": "slack", "skill": "infra.action", "kind": "ask"}
    before = {"answered": metric(slack.app, "guardian_requests_total", **answered),
              "timed": metric(slack.app, "guardian_answer_seconds_count", **answered),
              "acks": metric(slack.app, "guardian_ack_seconds_count", surface="slack"),
              "refused": metric(slack.app, "guardian_refusals_total", **refused)}

    async def scenario() -> None:
        body = event_body(mention("C6METRICS", "1700000600.000100", "which buckets are public?"))
        assert await slack.send(body) == 200
        assert await slack.send(body, retry=1) == 200  # acknowledged again, answered once
        # a reader asking for a change is refused by the access policy
        assert await slack.send(event_body(mention("C6METRICS", "1700000600.000200", "stop payments-api-1",
                                                   user="U0CAROL"))) == 200
        await slack.settle()

    asyncio.run(scenario())
    refusal = slack.final("C6METRICS", slack.replies("C6METRICS")[-1].ts)
    assert refusal.blocks[0]["text"]["text"].startswith("Refused:")
    assert metric(slack.app, "guardian_requests_total", **answered) == before["answered"] + 1
    assert metric(slack.app, "guardian_answer_seconds_count", **answered) == before["timed"] + 1
    assert metric(slack.app, "guardian_ack_seconds_count", surface="slack") == before["acks"] + 3
    assert metric(slack.app, "guardian_refusals_total", **refused) == before["refused"] + 1
    assert metric(slack.app, "guardian_requests_total", surface="slack", skill="infra.action",
                  outcome="refused") >= 1


def test_a_cost_jump_uploads_its_chart_as_one_png_in_the_thread(runtime: Runtime,
                                                                slack_api: SlackApiStandIn) -> None:
    from sandbox.company import SPIKE

    async def scenario() -> None:
        slack = Workspace(runtime, slack_api)
        root = "1700000700.000100"
        body = event_body(mention("C7CHART", root, "why did our aws bill jump the last few days?"))
        assert await slack.send(body) == 200
        assert await slack.send(body, retry=1) == 200  # a retry uploads nothing more
        await slack.settle()
        answer = slack.final("C7CHART", slack.replies("C7CHART")[0].ts)
        assert "cost.anomalies" in text_of(answer.blocks)
        [upload] = [f for f in slack_api.files() if f.channel == "C7CHART"]
        assert upload.data.startswith(b"\x89PNG\r\n\x1a\n") and len(upload.data) == upload.length > 2000
        assert (upload.channel, upload.thread_ts) == ("C7CHART", root)
        assert upload.filename.endswith(".png") and upload.title == "Daily cost"
        assert SPIKE.aws_service in upload.alt_txt  # the series that rose is the one drawn
        [complete] = [c for c in slack_api.calls("files.completeUploadExternal") if c.args["channel_id"] == "C7CHART"]
        assert json.loads(complete.args["files"])[0]["id"] == upload.id

    asyncio.run(scenario())


def test_a_question_without_a_time_series_uploads_no_file(runtime: Runtime, slack_api: SlackApiStandIn) -> None:
    async def scenario() -> None:
        slack = Workspace(runtime, slack_api)
        announced = len(slack_api.calls("files.getUploadURLExternal"))
        body = event_body(mention("C8NOCHART", "1700000800.000100", "which buckets are public?"))
        assert await slack.send(body) == 200
        await slack.settle()
        assert "security.public_storage" in text_of(slack.final("C8NOCHART", slack.replies("C8NOCHART")[0].ts).blocks)
        assert len(slack_api.calls("files.getUploadURLExternal")) == announced  # nothing started, in any channel

    asyncio.run(scenario())


def test_a_delivery_and_its_retries_arriving_together_are_answered_once(runtime: Runtime,
                                                                        slack_api: SlackApiStandIn) -> None:
    """The claim runs after the ack, so the retries are acknowledged before the first
    delivery is claimed; the database's key still lets exactly one through."""
    async def scenario() -> None:
        slack = Workspace(runtime, slack_api)
        event = mention("C10BURST", "1700001000.000100", "who is on call right now?")
        statuses = await asyncio.gather(slack.send(event_body(event, event_id="EvBURST")),
                                        slack.send(event_body(event, event_id="EvBURST"), retry=1),
                                        slack.send(event_body(event, event_id="EvBURST"), retry=2),
                                        slack.send(event_body(event, event_id="EvBURST-resent")))
        assert statuses == [200, 200, 200, 200]
        await slack.settle()
        [reply] = slack.replies("C10BURST")
        assert len([c for c in slack_api.calls("chat.update") if c.args.get("ts") == reply.ts and c.blocks]) == 1
        assert "incident.oncall" in text_of(slack.final("C10BURST", reply.ts).blocks)

    asyncio.run(scenario())
