"""Proactive posts end to end: a signed `/guardian subscribe` through the real app and Bolt,
digests and exposure alerts built by the real tools against the sandbox company (moto, the
Cost Explorer, GitHub and PagerDuty stand-ins) and posted by the real slack_sdk to the Slack
Web API stand-in; the exactly-once machinery against real SQLite and the real PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import delete

from agents.answer import Answer
from agents.audit import AuditLog
from agents.db import create_schema, make_engine
from agents.digest import latest_due, period_for, short_service
from agents.jobs import deliveries_table, delivery_key, job_runs_table
from agents.proactive import Proactive, Schedule
from agents.subscriptions import Subscription, subscriptions_table
from bot.http_app import create_app
from bot.proactive import poster_for
from bot.render.blocks import FOLLOWUP_ACTION
from bot.render.cells import money
from bot.runtime import Runtime
from bot.settings import load_settings
from sandbox.company import COST_LINES, DRIFTWOOD, days_between, forecast_line_cost, total_cost, utc_today
from sandbox.github_api import GitHubStandIn
from sandbox.pagerduty_api import PagerDutyStandIn
from sandbox.slack_api import SlackApiStandIn
from tests.conftest import sandbox_environment
from tests.slack_helpers import SECRET, action_body, command_body, signed

pytestmark = [pytest.mark.slow]

POLICY = """\
roles:
  reader: {ask: ["cost.*", "security.*", "infra.inventory", "cicd.status", "incident.list", "help"]}
  oncall: {ask: ["*"], approve: ["infra.action", "cicd.rerun", "incident.*"], configure: [subscriptions]}
users: {U0ALICE: [oncall], "7a1c0e52-3f1b-4c7e-9d1a-0000000a11ce": [oncall]}  # Slack id, Teams AAD object id
default_roles: [reader]
"""
FORM = "application/x-www-form-urlencoded"
NEWLY_PUBLIC = "driftwood-search-snapshots"  # private, encrypted, public access block on (company.py)
NEWLY_PUBLIC_BY_POLICY = "driftwood-auth-audit-logs"


def _runtime(sandbox: Any, slack_api: SlackApiStandIn, home: Path, monkeypatch: pytest.MonkeyPatch,
             **overrides: Any) -> Runtime:
    sandbox_environment(monkeypatch, sandbox)
    policy = home / "policy.yaml"
    policy.write_text(POLICY)
    settings = load_settings(home=home / "home", policy=policy, slack_bot_token="xoxb-test",
                             slack_signing_secret=SECRET, slack_api_url=slack_api.api_url, **overrides)
    return Runtime(settings)


@pytest.fixture
def runtime(sandbox: Any, slack_api: SlackApiStandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
            warm_home: Callable[[Path], Path]) -> Iterator[Runtime]:
    """A fresh Guardian home per test (its own SQLite): no test sees another's runs."""
    warm_home(tmp_path / "home")
    with _runtime(sandbox, slack_api, tmp_path, monkeypatch) as rt:
        yield rt


def channel() -> str:
    return "C" + uuid.uuid4().hex[:10].upper()


def posts_to(api: SlackApiStandIn, where: str) -> list[Any]:
    return [call for call in api.calls("chat.postMessage") if call.args.get("channel") == where]


def shown(call: Any) -> str:
    return json.dumps(call.blocks, ensure_ascii=False)


def followups(call: Any) -> list[str]:
    """The questions a post offers in its tables' follow-up menus, in order."""
    return [option["value"] for block in call.blocks if block["type"] == "actions"
            for element in block["elements"] if element["action_id"] == FOLLOWUP_ACTION
            for option in element["options"]]


async def _command(rt: Runtime, text: str, user: str, where: str) -> httpx.Response:
    app = create_app(rt)
    body = command_body(text, user=user, channel=where)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://guardian") as client:
        return await client.post("/slack/events", content=body, headers=signed(body, content_type=FORM))


# --------------------------------------------------------------------------- subscribing


def test_a_signed_subscribe_command_stores_the_subscription_and_audits_it(runtime: Runtime) -> None:
    where = channel()
    response = asyncio.run(_command(runtime, "subscribe digest daily", "U0ALICE", where))
    assert response.status_code == 200
    assert "Subscribed" in response.json()["text"] and "daily digest" in response.json()["text"]
    assert runtime.proactive.subscriptions.of_channel("slack", where) == [
        Subscription("slack", where, "digest", "daily", "U0ALICE")]
    listing = asyncio.run(_command(runtime, "subscriptions", "U0ALICE", where)).json()["text"]
    assert listing == "This channel receives the daily digest."
    # changing the cadence replaces it; unsubscribing removes it
    asyncio.run(_command(runtime, "subscribe digest weekly", "U0ALICE", where))
    assert [s.cadence for s in runtime.proactive.subscriptions.of_channel("slack", where)] == ["weekly"]
    asyncio.run(_command(runtime, "unsubscribe digest", "U0ALICE", where))
    assert runtime.proactive.subscriptions.of_channel("slack", where) == []
    records = [r for r in runtime.storage.audit.query(user="U0ALICE") if r["channel"] == where]
    assert [(r["event"], r["args"]["cadence"], r["outcome"]) for r in records] == [
        ("config.subscribe", "daily", "changed"), ("config.subscribe", "weekly", "changed"),
        ("config.unsubscribe", "", "changed")]


def test_an_unauthorised_user_cannot_subscribe_and_the_refusal_is_audited(runtime: Runtime) -> None:
    where = channel()
    for text in ("subscribe digest daily", "subscribe exposures"):
        reply = asyncio.run(_command(runtime, text, "U0EVE", where)).json()["text"]
        assert reply.startswith("Refused: U0EVE may not change subscriptions")
        assert "role oncall would" in reply
    assert runtime.proactive.subscriptions.of_channel("slack", where) == []
    refusals = [r for r in runtime.storage.audit.query(user="U0EVE") if r["channel"] == where]
    assert [r["event"] for r in refusals] == ["config.subscribe", "config.subscribe"]
    assert all(r["outcome"].startswith("Refused") for r in refusals)


def test_malformed_subscribe_commands_change_nothing(runtime: Runtime) -> None:
    where = channel()
    for text in ("subscribe digest hourly", "subscribe everything", "subscribe exposures daily",
                 "unsubscribe <!channel>", "subscribe digest daily extra"):
        reply = asyncio.run(_command(runtime, text, "U0ALICE", where)).json()["text"]
        assert reply.startswith("Not understood."), text
    assert runtime.proactive.subscriptions.of_channel("slack", where) == []


# --------------------------------------------------------------------------- the digest


def _forecast_total(today: date) -> float:
    """What the digest's forecast line must say: month to date plus the stand-in's forecast."""
    first = today.replace(day=1)
    end = (first + timedelta(days=32)).replace(day=1)
    mtd = total_cost(first, today, today=today)
    rest = sum(forecast_line_cost(line, day, today) for line in COST_LINES for day in days_between(today, end))
    return mtd + rest


def test_the_daily_digest_posts_figures_that_match_the_sandbox_company(runtime: Runtime, slack_api: SlackApiStandIn,
                                                                      sandbox: Any) -> None:
    where = channel()
    runtime.proactive.subscriptions.subscribe("slack", where, "digest", "daily", "U0ALICE")
    today = utc_today()
    period = latest_due("daily", today, 23, 0)  # yesterday
    assert period.start == today - timedelta(days=1)
    posted = runtime.proactive.run_digest(poster_for(runtime), "daily", period.key)
    assert posted == 1
    [post] = posts_to(slack_api, where)
    text = shown(post)
    spend = total_cost(period.start, period.end, today=today)
    before = total_cost(period.previous.start, period.previous.end, today=today)
    assert spend > 0 and before > 0
    assert f"AWS spend was ${spend:,.2f} against ${before:,.2f}" in post.args["text"]
    assert money(spend) in text and money(before) in text
    assert f"{100 * (spend - before) / before:.1f}%" in text
    assert money(round(_forecast_total(today), 2)) in text
    asked = followups(post)
    assert "what did we spend on " + period.start.isoformat() + " by service" in asked
    # the biggest mover against the day before, by amount, from the same data
    services = {line.aws_service for line in COST_LINES}
    change = {name: total_cost(period.start, period.end, aws_service=name, today=today)
              - total_cost(period.previous.start, period.previous.end, aws_service=name, today=today)
              for name in services}
    top = max(change, key=lambda name: abs(change[name]))
    assert f"why did {short_service(top)} cost change on {period.start.isoformat()}" in asked
    # every public bucket of the company is among the findings, each line with its question
    assert all(bucket.name in text for bucket in DRIFTWOOD.public_buckets())
    assert "which buckets are public?" in asked
    # the incidents and failed runs of that day, from the PagerDuty and GitHub stand-ins' data
    start = datetime(period.start.year, period.start.month, period.start.day, tzinfo=UTC)
    pd = next(s for s in sandbox.standins if isinstance(s, PagerDutyStandIn)).data
    gh = next(s for s in sandbox.standins if isinstance(s, GitHubStandIn)).data
    incidents = [i.id for i in pd.incidents if start <= i.created_at < start + timedelta(days=1)]
    failed = [r.id for r in gh.runs if r.conclusion == "failure" and start <= r.created_at < start + timedelta(days=1)]
    assert (f"Incidents ({len(incidents)})" in text) == bool(incidents)
    assert all(f"brief on incident {incident}" in asked for incident in incidents)
    assert (f"Failed runs and deploys ({len(failed)})" in text) == bool(failed)
    assert all(f"why did run {run} fail" in asked for run in failed)
    if not incidents:
        assert f"No incidents opened on {period.start.isoformat()}." in text
    if not failed:
        assert f"No failed runs or deploys on {period.start.isoformat()}." in text
    assert post.args["metadata"]["event_payload"]["key"] == delivery_key("digest:daily", period.key, f"slack:{where}")
    # the same period again (a second tick, a restart): nothing more
    assert runtime.proactive.run_digest(poster_for(runtime), "daily", period.key) == 0
    assert len(posts_to(slack_api, where)) == 1
    [record] = [r for r in runtime.storage.audit.query(event="proactive.post") if r["channel"] == where]
    assert record["outcome"] == f"posted {post.ts}"


def test_picking_a_digest_line_asks_its_question_in_the_digest_thread_as_the_picker(
        runtime: Runtime, slack_api: SlackApiStandIn) -> None:
    """The Spend line's menu entry is asked in the digest's thread, by the person who picked it:
    the answer there carries the same day's total the digest showed."""
    where = channel()
    runtime.proactive.subscriptions.subscribe("slack", where, "digest", "daily", "U0ALICE")
    today = utc_today()
    period = latest_due("daily", today, 23, 0)
    assert runtime.proactive.run_digest(poster_for(runtime), "daily", period.key) == 1
    [digest] = posts_to(slack_api, where)
    question = "what did we spend on " + period.start.isoformat() + " by service"
    [menu] = [element for block in digest.blocks if block["type"] == "actions" for element in block["elements"]
              if element["action_id"] == FOLLOWUP_ACTION and any(o["value"] == question for o in element["options"])]
    option = next(o for o in menu["options"] if o["value"] == question)
    digest_ts = digest.ts
    click = action_body({"type": "block_actions", "user": {"id": "U0CAROL"}, "team": {"id": "TDRIFTWOOD"},
                         "channel": {"id": where}, "container": {"channel_id": where, "message_ts": digest_ts},
                         "message": {"ts": digest_ts, "blocks": digest.blocks}, "trigger_id": "t-followup-1",
                         "response_url": "", "actions": [{"action_id": FOLLOWUP_ACTION, "type": "static_select",
                                                          "selected_option": option, "action_ts": "1700000900.1"}]})

    async def pick() -> int:
        app = create_app(runtime)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://guardian") as client:
            status = (await client.post("/slack/events", content=click, headers=signed(click, content_type=FORM))
                      ).status_code
        await app.state.slack.drain()
        return status

    assert asyncio.run(pick()) == 200
    in_thread = [c for c in slack_api.calls("chat.postMessage") if c.args.get("channel") == where
                 and c.args.get("thread_ts") == digest_ts]
    assert len(in_thread) == 1  # the progress message, then updated in place with the answer
    answer = [c for c in slack_api.calls("chat.update") if c.args.get("ts") == in_thread[0].ts and c.blocks][-1]
    spend = total_cost(period.start, period.end, today=today)
    assert money(spend) in shown(answer) + answer.args["text"]
    [route] = runtime.storage.audit.query(user="U0CAROL", event="route")  # asked as the picker
    assert route["skill"] == "cost.summary" and route["channel"] == where


def test_a_failing_source_is_named_and_the_rest_of_the_digest_still_posts(
        sandbox: Any, slack_api: SlackApiStandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    where = channel()
    # nothing listens on the discard port: GitHub is down, the rest of the sandbox is up
    with _runtime(sandbox, slack_api, tmp_path, monkeypatch, github_api_url="http://127.0.0.1:9/") as rt:
        rt.proactive.subscriptions.subscribe("slack", where, "digest", "daily", "U0ALICE")
        today = utc_today()
        period = latest_due("daily", today, 23, 0)
        assert rt.proactive.run_digest(poster_for(rt), "daily", period.key) == 1
    [post] = posts_to(slack_api, where)
    text = shown(post)
    assert "Missing from this digest: deploys (GitHub)" in text
    assert money(total_cost(period.start, period.end, today=today)) in text  # the spend still came


# --------------------------------------------------------------------------- exactly once


def _proactive(engine_url: str, rt: Runtime, **schedule: Any) -> Proactive:
    engine = make_engine(engine_url)
    create_schema(engine)
    return Proactive(engine, rt.registry, rt.tool_ctx, rt.policy, AuditLog(engine), Schedule(**schedule))


def _race(contenders: list[Proactive], poster: Any, cadence: str, key: str) -> list[int]:
    barrier = threading.Barrier(len(contenders))
    results: list[int] = [0] * len(contenders)

    def run(index: int) -> None:
        barrier.wait()
        results[index] = contenders[index].run_digest(poster, cadence, key)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(contenders))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_two_schedulers_racing_on_sqlite_post_the_digest_once(runtime: Runtime, slack_api: SlackApiStandIn) -> None:
    url = runtime.settings.effective_database_url
    contenders = [_proactive(url, runtime), _proactive(url, runtime)]
    where = channel()
    contenders[0].subscriptions.subscribe("slack", where, "digest", "weekly", "U0ALICE")
    key = latest_due("weekly", utc_today(), 23, 0).key
    results = _race(contenders, poster_for(runtime), "weekly", key)
    assert sorted(results) == [0, 1]
    assert len(posts_to(slack_api, where)) == 1
    assert contenders[1].runs.state("digest:weekly", key) == "done"


def test_two_schedulers_racing_on_postgresql_post_the_digest_once(runtime: Runtime, slack_api: SlackApiStandIn,
                                                                 postgres_url: str) -> None:
    contenders = [_proactive(postgres_url, runtime), _proactive(postgres_url, runtime)]
    where = channel()
    # a weekly period of its own, so earlier runs on the shared database cannot answer for this one
    key = f"{2000 + uuid.uuid4().int % 900}-W{1 + uuid.uuid4().int % 52:02d}"
    engine = contenders[0].runs.engine
    with engine.begin() as conn:  # this test owns weekly digests on the shared database
        conn.execute(delete(subscriptions_table).where(subscriptions_table.c.cadence == "weekly"))
        conn.execute(delete(job_runs_table).where(job_runs_table.c.period == key))
        conn.execute(delete(deliveries_table).where(deliveries_table.c.period == key))
    contenders[0].subscriptions.subscribe("slack", where, "digest", "weekly", "U0ALICE")
    try:
        results = _race(contenders, poster_for(runtime), "weekly", key)
        assert sorted(results) == [0, 1]
        [post] = posts_to(slack_api, where)
        assert period_for("weekly", key).title in post.args["text"]
        assert contenders[1].runs.delivered("digest:weekly", key) == {f"slack:{where}": "posted"}
    finally:
        contenders[0].subscriptions.unsubscribe("slack", where, "digest")


class Crash(BaseException):
    """The process dying mid-way (not an Exception: nothing may catch it)."""


def test_a_restart_neither_skips_nor_repeats_a_post(runtime: Runtime, slack_api: SlackApiStandIn) -> None:
    """Scheduler A dies after posting to one channel (before recording it) and before posting
    to the other; B takes the run over when A's lease expires and posts only the missing one."""
    url = runtime.settings.effective_database_url
    now = [time.time()]
    first, second = channel(), channel()
    a = _proactive(url, runtime, lease_seconds=60)
    a.clock = a.runs.clock = lambda: now[0]
    for where in (first, second):
        a.subscriptions.subscribe("slack", where, "digest", "daily", "U0ALICE")
    key = latest_due("daily", utc_today(), 23, 0).key
    real = poster_for(runtime)

    class DiesAfterFirstPost:
        def post(self, sub: Subscription, answer: Any, delivery: str) -> str:
            real.post(sub, answer, delivery)
            raise Crash

        def find(self, sub: Subscription, delivery: str) -> str | None:
            return real.find(sub, delivery)

    with pytest.raises(Crash):
        a.run_digest(DiesAfterFirstPost(), "daily", key)
    posted_first = {post.args["channel"] for post in slack_api.calls("chat.postMessage")} & {first, second}
    assert len(posted_first) == 1
    b = _proactive(url, runtime, lease_seconds=60)
    assert b.run_digest(real, "daily", key) == 0  # A's lease is still live: B waits
    now[0] += 61
    b.clock = b.runs.clock = lambda: now[0]
    assert b.run_digest(real, "daily", key) == 1
    assert len(posts_to(slack_api, first)) == 1 and len(posts_to(slack_api, second)) == 1
    assert b.runs.delivered("digest:daily", key) == {f"slack:{first}": "posted", f"slack:{second}": "posted"}
    assert b.runs.state("digest:daily", key) == "done"


def test_a_post_slack_refuses_is_tried_again_later_and_only_there(runtime: Runtime,
                                                                  slack_api: SlackApiStandIn) -> None:
    from slack_sdk.errors import SlackApiError

    url = runtime.settings.effective_database_url
    now = [time.time()]
    p = _proactive(url, runtime)
    p.clock = p.runs.clock = lambda: now[0]
    ok, refused = sorted([channel(), channel()])
    for where in (ok, refused):
        p.subscriptions.subscribe("slack", where, "digest", "daily", "U0ALICE")
    key = latest_due("daily", utc_today(), 23, 0).key
    real = poster_for(runtime)
    refusing = [True]

    class NotInChannelYet:
        def post(self, sub: Subscription, answer: Any, delivery: str) -> str:
            if sub.channel == refused and refusing[0]:
                raise SlackApiError("not_in_channel", {"ok": False, "error": "not_in_channel"})
            return real.post(sub, answer, delivery)

        def find(self, sub: Subscription, delivery: str) -> str | None:
            return real.find(sub, delivery)

    assert p.run_digest(NotInChannelYet(), "daily", key) == 1
    assert len(posts_to(slack_api, ok)) == 1 and posts_to(slack_api, refused) == []
    assert p.runs.delivered("digest:daily", key) == {f"slack:{ok}": "posted", f"slack:{refused}": "failed"}
    assert p.runs.state("digest:daily", key) == "running"
    assert p.run_digest(NotInChannelYet(), "daily", key) == 0  # not before the retry is due
    refusing[0] = False  # Guardian was invited
    now[0] += 121
    assert p.run_digest(NotInChannelYet(), "daily", key) == 1
    assert len(posts_to(slack_api, ok)) == 1 and len(posts_to(slack_api, refused)) == 1
    assert p.runs.state("digest:daily", key) == "done"
    outcomes = [r["outcome"] for r in p.audit.query(event="proactive.post") if r["channel"] == refused]
    assert outcomes[0] == "failed: SlackApiError" and outcomes[1].startswith("posted ")


# --------------------------------------------------------------------------- exposures


@pytest.fixture
def buckets_as_seeded(sandbox: Any) -> Iterator[Any]:
    """The two buckets these tests make public, private again (ACL, policy, access block)
    before and after."""
    s3 = sandbox.boto_session().client("s3", region_name="us-east-1")
    block = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
             "RestrictPublicBuckets": True}

    def restore() -> None:
        for name in (NEWLY_PUBLIC, NEWLY_PUBLIC_BY_POLICY):
            s3.put_bucket_acl(Bucket=name, ACL="private")
            s3.delete_bucket_policy(Bucket=name)
            s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=block)

    seeded = {b.name: b for b in DRIFTWOOD.buckets}
    assert not seeded[NEWLY_PUBLIC].public and seeded[NEWLY_PUBLIC].block_public_access
    assert not seeded[NEWLY_PUBLIC_BY_POLICY].public and seeded[NEWLY_PUBLIC_BY_POLICY].block_public_access
    restore()
    yield s3
    restore()


def test_the_digest_marks_a_finding_that_appeared_since_the_last_one_as_new(
        runtime: Runtime, slack_api: SlackApiStandIn, buckets_as_seeded: Any) -> None:
    where = channel()
    proactive, poster = runtime.proactive, poster_for(runtime)
    proactive.subscriptions.subscribe("slack", where, "digest", "daily", "U0ALICE")
    yesterday = latest_due("daily", utc_today(), 23, 0)
    before = yesterday.previous
    assert proactive.run_digest(poster, "daily", before.key) == 1
    first = shown(posts_to(slack_api, where)[-1])
    assert "the first digest, nothing earlier to compare with" in first and NEWLY_PUBLIC not in first
    buckets_as_seeded.delete_public_access_block(Bucket=NEWLY_PUBLIC)
    buckets_as_seeded.put_bucket_acl(Bucket=NEWLY_PUBLIC, ACL="public-read")
    assert proactive.run_digest(poster, "daily", yesterday.key) == 1
    stored = Answer.model_validate(proactive.runs.payload("digest:daily", yesterday.key))
    digest = next(t for t in stored.tables if t.title.startswith("Security findings"))
    states = [(str(name.value), str(state.value))
              for name, state in zip(digest.column("resource"), digest.column("state"), strict=True)]
    assert (NEWLY_PUBLIC, "new") in states
    assert all(state == "open" for name, state in states if name != NEWLY_PUBLIC)
    assert digest.title.startswith("Security findings (1 new, ")
    assert digest.rows[0][3].value == NEWLY_PUBLIC  # new ones first


def test_an_exposure_alert_names_only_the_bucket_made_public_since_the_baseline(
        runtime: Runtime, slack_api: SlackApiStandIn, buckets_as_seeded: Any) -> None:
    s3 = buckets_as_seeded
    where = channel()
    proactive = runtime.proactive
    proactive.subscriptions.subscribe("slack", where, "exposures", "", "U0ALICE")
    poster = poster_for(runtime)
    assert proactive.run_exposure_scan(poster, "1") == 0  # the baseline: already-public buckets are not news
    assert posts_to(slack_api, where) == []
    [baseline] = runtime.storage.audit.query(event="proactive.exposure_baseline")
    assert baseline["outcome"].startswith("baseline taken")

    s3.delete_public_access_block(Bucket=NEWLY_PUBLIC)
    s3.put_bucket_acl(Bucket=NEWLY_PUBLIC, ACL="public-read")
    assert proactive.run_exposure_scan(poster, "2") == 1
    [alert] = posts_to(slack_api, where)
    text = shown(alert)
    assert NEWLY_PUBLIC in alert.args["text"] and NEWLY_PUBLIC in text
    assert "AllUsers" in text and "which buckets are public?" in followups(alert)
    for already in DRIFTWOOD.public_buckets():
        assert already.name not in text
    assert proactive.run_exposure_scan(poster, "3") == 0  # still public: said once, not every scan

    s3.delete_public_access_block(Bucket=NEWLY_PUBLIC_BY_POLICY)
    s3.put_bucket_policy(Bucket=NEWLY_PUBLIC_BY_POLICY, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
         "Resource": f"arn:aws:s3:::{NEWLY_PUBLIC_BY_POLICY}/*"}]}))
    assert proactive.run_exposure_scan(poster, "4") == 1
    second = posts_to(slack_api, where)[-1]
    assert NEWLY_PUBLIC_BY_POLICY in shown(second) and NEWLY_PUBLIC not in shown(second).replace(
        NEWLY_PUBLIC_BY_POLICY, "")


def test_a_port_opened_to_the_world_and_an_admin_grant_are_alerted_once(
        runtime: Runtime, slack_api: SlackApiStandIn, sandbox: Any) -> None:
    session = sandbox.boto_session()
    ec2 = session.client("ec2", region_name="us-east-1")
    iam = session.client("iam", region_name="us-east-1")
    world = {"0.0.0.0/0", "::/0"}
    group = next(g for g in ec2.describe_security_groups()["SecurityGroups"]
                 if g["GroupName"] != "default" and not any(
                     r.get("CidrIp") in world for p in g["IpPermissions"] for r in p.get("IpRanges", [])))
    rule = {"IpProtocol": "tcp", "FromPort": 6379, "ToPort": 6379, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
    admins = {user.name for user in DRIFTWOOD.admins()}
    user = next(u.name for u in DRIFTWOOD.iam_users if u.name not in admins)
    admin_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
    where = channel()
    proactive, poster = runtime.proactive, poster_for(runtime)
    proactive.subscriptions.subscribe("slack", where, "exposures", "", "U0ALICE")
    assert proactive.run_exposure_scan(poster, "1") == 0  # baseline
    try:
        ec2.authorize_security_group_ingress(GroupId=group["GroupId"], IpPermissions=[rule])
        iam.attach_user_policy(UserName=user, PolicyArn=admin_arn)
        assert proactive.run_exposure_scan(poster, "2") == 1
        [alert] = posts_to(slack_api, where)
        table = json.dumps(alert.blocks)
        assert group["GroupId"] in table and "6379" in table and "0.0.0.0/0" in table
        assert "administrator access" in table and user in table
        assert {"which ports are open to the world?", "which IAM users have admin access?"} <= set(followups(alert))
        # exactly these two are news: the admins and open ports of the baseline are not
        stored = proactive.runs.payload("exposures", "2")
        assert {(row["check"], row["resource"]) for row in stored["new"]} == {
            ("open_port", group["GroupId"]), ("admin", user)}
        assert proactive.run_exposure_scan(poster, "3") == 0
    finally:
        ec2.revoke_security_group_ingress(GroupId=group["GroupId"], IpPermissions=[rule])
        iam.detach_user_policy(UserName=user, PolicyArn=admin_arn)


def test_an_alert_a_crash_left_unposted_is_posted_by_a_later_tick_not_lost(
        runtime: Runtime, slack_api: SlackApiStandIn, buckets_as_seeded: Any) -> None:
    """The scan found the new public bucket and stored it, then the process died before
    posting; by the time a scheduler runs again the slot is long past. The next tick resumes
    the stalled slot and posts the alert once; the current slot's scan does not repeat it."""
    url = runtime.settings.effective_database_url
    now = [time.time()]
    where = channel()
    a = _proactive(url, runtime, exposure_interval=60, lease_seconds=60)
    a.clock = a.runs.clock = lambda: now[0]
    a.subscriptions.subscribe("slack", where, "exposures", "", "U0ALICE")
    real = poster_for(runtime)
    slot = a.exposure_slot(datetime.fromtimestamp(now[0], UTC))
    assert a.run_exposure_scan(real, slot) == 0  # baseline
    buckets_as_seeded.delete_public_access_block(Bucket=NEWLY_PUBLIC)
    buckets_as_seeded.put_bucket_acl(Bucket=NEWLY_PUBLIC, ACL="public-read")

    class DiesBeforePosting:
        def post(self, sub: Subscription, answer: Any, delivery: str) -> str:
            raise Crash

        def find(self, sub: Subscription, delivery: str) -> str | None:
            return None

    now[0] += 60
    crashed_slot = a.exposure_slot(datetime.fromtimestamp(now[0], UTC))
    with pytest.raises(Crash):
        a.run_exposure_scan(DiesBeforePosting(), crashed_slot)
    assert posts_to(slack_api, where) == []
    now[0] += 600  # ten slots later a scheduler (a new process) ticks
    b = _proactive(url, runtime, exposure_interval=60, lease_seconds=60)
    b.clock = b.runs.clock = lambda: now[0]
    assert b.run_due(real, datetime.fromtimestamp(now[0], UTC)) == 1
    [alert] = posts_to(slack_api, where)
    assert NEWLY_PUBLIC in alert.args["text"]
    assert alert.args["metadata"]["event_payload"]["key"] == delivery_key("exposures", crashed_slot, f"slack:{where}")
    assert b.runs.state("exposures", crashed_slot) == "done"
    assert b.run_due(real, datetime.fromtimestamp(now[0], UTC)) == 0
    assert len(posts_to(slack_api, where)) == 1


def test_the_scheduler_in_serve_posts_an_exposure_alert_within_a_scan_interval(
        sandbox: Any, slack_api: SlackApiStandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        buckets_as_seeded: Any) -> None:
    """The scheduler started by the app's lifespan (as in `guardian serve`) takes the baseline,
    then posts the bucket made public, by itself."""
    from fastapi.testclient import TestClient

    interval = 5
    where = channel()
    with _runtime(sandbox, slack_api, tmp_path, monkeypatch, exposure_scan_interval=interval) as rt:
        rt.proactive.subscriptions.subscribe("slack", where, "exposures", "", "U0ALICE")
        app = create_app(rt)
        with TestClient(app):
            scheduler = app.state.scheduler
            deadline = time.monotonic() + 60
            while not rt.storage.audit.query(event="proactive.exposure_baseline") and time.monotonic() < deadline:
                time.sleep(0.2)
            assert rt.storage.audit.query(event="proactive.exposure_baseline"), "no baseline was taken"
            buckets_as_seeded.delete_public_access_block(Bucket=NEWLY_PUBLIC)
            buckets_as_seeded.put_bucket_acl(Bucket=NEWLY_PUBLIC, ACL="public-read")
            # one interval, plus the tick that notices the slot opened, plus the scan itself
            deadline = time.monotonic() + 4 * interval + 30
            while not posts_to(slack_api, where) and time.monotonic() < deadline:
                time.sleep(0.2)
            [alert] = posts_to(slack_api, where)
            assert NEWLY_PUBLIC in alert.args["text"]
            assert scheduler.runs >= 2
            slots = sorted(int(key) for key in _periods(rt, "exposures"))
            alert_slot = int(alert.args["metadata"]["event_payload"]["key"].split("/")[1])
            assert alert_slot > slots[0]  # a later scan than the baseline's found it


def _periods(rt: Runtime, job: str) -> list[str]:
    from sqlalchemy import select

    with rt.storage.dedupe.engine.connect() as conn:
        return [str(p) for p in conn.execute(select(job_runs_table.c.period).where(job_runs_table.c.job == job))
                .scalars()]


# --------------------------------------------------------------------------- Teams


def test_a_teams_channel_subscribes_by_message_and_receives_the_digest_as_a_card(
        sandbox: Any, slack_api: SlackApiStandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from botframework.connector.auth import JwtTokenExtractor
    from fastapi.testclient import TestClient

    from bot.render.cards import ASK_VERB, CONTENT_TYPE, FOLLOWUP_INPUT
    from tests.teams_standins import APP_ID, TENANT, Connector, StaticCredentialsFactory, TokenIssuer, activity

    alice, eve = "7a1c0e52-3f1b-4c7e-9d1a-0000000a11ce", "7a1c0e52-3f1b-4c7e-9d1a-00000000e7e0"
    thread = "19:finops@thread.tacv2;messageid=1700000000001"
    issuer, connector = TokenIssuer(), Connector()
    JwtTokenExtractor.metadataCache.clear()
    try:
        with _runtime(sandbox, slack_api, tmp_path, monkeypatch, microsoft_app_id=APP_ID,
                      microsoft_app_tenant_id=TENANT, teams_openid_metadata_url=issuer.metadata_url,
                      teams_service_url=connector.url) as rt:
            app = create_app(rt, StaticCredentialsFactory(APP_ID, "outbound"))
            with TestClient(app) as client:
                def say(text: str, user: str) -> str:
                    body = activity(service_url=connector.url, text=text, mention=True, conversation=thread,
                                    conversation_type="channel", user_aad=user)
                    token = issuer.token(APP_ID, body["serviceUrl"])
                    before = len(connector.activities())
                    assert client.post("/api/messages", json=body,
                                       headers={"Authorization": f"Bearer {token}"}).status_code == 200
                    return str(connector.wait_for(before + 1)[-1]["text"])

                assert say("subscribe digest daily", eve).startswith(f"Refused: {eve} may not change subscriptions")
                assert say("subscribe digest daily", alice).startswith("Subscribed")
                channel_id = thread.split(";")[0]
                assert rt.proactive.subscriptions.of_channel("teams", channel_id) == [
                    Subscription("teams", channel_id, "digest", "daily", alice)]
                period = latest_due("daily", utc_today(), 23, 0)
                connector.clear()
                assert rt.proactive.run_digest(poster_for(rt, app.state.teams), "daily", period.key) == 1
                [call] = [c for c in connector.calls if c["activity"].get("type") == "message"]
                assert call["path"] == f"/v3/conversations/{channel_id}/activities"
                [attachment] = call["activity"]["attachments"]
                assert attachment["contentType"] == CONTENT_TYPE
                card = json.dumps(attachment["content"])
                spend = money(total_cost(period.start, period.end, today=utc_today()))
                assert spend in card
                # a line's follow-up, picked from the card's menu, is asked as the person who clicked
                question = "what did we spend on " + period.start.isoformat() + " by service"
                menus = [node for node in _walk(attachment["content"]) if node.get("id") == FOLLOWUP_INPUT]
                assert question in [choice["value"] for menu in menus for choice in menu["choices"]]
                picked = activity(service_url=connector.url, conversation=thread, conversation_type="channel",
                                  user_aad=alice, value={"guardian": ASK_VERB, FOLLOWUP_INPUT: question})
                assert client.post("/api/messages", json=picked, headers={
                    "Authorization": f"Bearer {issuer.token(APP_ID, picked['serviceUrl'])}"}).status_code == 200
                # the answer threads under the pick (the scheduler may post its own digest meanwhile)
                deadline = time.monotonic() + 120
                while not (replies := [c["activity"] for c in connector.calls if c["activity"].get("type") == "message"
                                       and c["activity"].get("replyToId") == picked["id"]]) \
                        and time.monotonic() < deadline:
                    time.sleep(0.1)
                [reply] = replies
                assert spend in json.dumps(reply["attachments"][0]["content"])
                [route] = rt.storage.audit.query(user=alice, event="route")
                assert route["skill"] == "cost.summary"
    finally:
        issuer.close()
        connector.close()


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every object in a card, depth first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)
