"""Microsoft Teams end to end: signed activities into /api/messages (the real botbuilder
SDK validating our own issuer's tokens), the real graph on the sandbox company in-process,
and a Bot Connector stand-in recording what the SDK puts on the wire."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from botframework.connector.auth import JwtTokenExtractor
from fastapi.testclient import TestClient

from agents.answer import Answer
from agents.request import Request
from bot.backoff import Backoff
from bot.http_app import create_app
from bot.render.cards import CONTENT_TYPE, card_text
from bot.runtime import Runtime
from bot.settings import load_settings
from bot.teams_delivery import status_of
from bot.teams_surface import TeamsSurface
from sandbox.company import DRIFTWOOD
from tests.conftest import sandbox_environment
from tests.e2e.test_trust import _instance, _state
from tests.helpers import CONTRACT_POLICY
from tests.teams_standins import APP_ID, TENANT, Connector, StaticCredentialsFactory, TokenIssuer, activity, execute

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("company_as_seeded")]

ALICE = "7a1c0e52-3f1b-4c7e-9d1a-0000000a11ce"  # AAD object ids: the policy's identities
BOB = "7a1c0e52-3f1b-4c7e-9d1a-000000000b0b"
MALLORY = "7a1c0e52-3f1b-4c7e-9d1a-0000000bad00"
OUTBOUND = "outbound-token-from-entra-stand-in"
INCIDENTS = "19:incidents@thread.tacv2"


@pytest.fixture(scope="module")
def runtime(sandbox: Any, issuer: TokenIssuer, connector: Connector,
            tmp_path_factory: pytest.TempPathFactory, warm_home: Callable[[Path], Path]) -> Iterator[Runtime]:
    """One warm runtime for the module (the first turn loads the model and builds the
    knowledge store); tests keep apart by conversation, user and approval id."""
    home = tmp_path_factory.mktemp("teams")
    policy = home / "policy.yaml"
    policy.write_text(CONTRACT_POLICY.replace("users: {alice: [oncall], bob: [oncall]}",
                                              f"users: {{'{ALICE}': [oncall], '{BOB}': [oncall]}}"))
    with pytest.MonkeyPatch.context() as patch:
        sandbox_environment(patch, sandbox)
        settings = load_settings(home=warm_home(home / "home"), policy=policy, microsoft_app_id=APP_ID,
                                 microsoft_app_tenant_id=TENANT, teams_openid_metadata_url=issuer.metadata_url,
                                 teams_incident_conversation=INCIDENTS, teams_service_url=connector.url)
        with Runtime(settings) as rt:
            rt.ask(Request(text="which buckets are public?", user="warm-up", surface="test"))
            yield rt


@pytest.fixture
def teams(runtime: Runtime, connector: Connector) -> Iterator[tuple[TestClient, Runtime]]:
    JwtTokenExtractor.metadataCache.clear()
    connector.clear()
    with TestClient(create_app(runtime, StaticCredentialsFactory(APP_ID, OUTBOUND))) as client:
        yield client, runtime


def post(client: TestClient, issuer: TokenIssuer, body: dict[str, Any]) -> Any:
    token = issuer.token(APP_ID, body["serviceUrl"])
    return client.post("/api/messages", json=body, headers={"Authorization": f"Bearer {token}"})


def drain(client: TestClient) -> None:
    surface: TeamsSurface = client.app.state.teams  # type: ignore[attr-defined]
    client.portal.call(surface.drain)  # type: ignore[union-attr]


def card_of(sent: dict[str, Any]) -> dict[str, Any]:
    [attachment] = sent["attachments"]
    assert attachment["contentType"] == CONTENT_TYPE
    return dict(attachment["content"])


def events(rt: Runtime, name: str, approval_id: str | None = None) -> list[dict[str, Any]]:
    return [record for record in rt.storage.audit.query(event=name)
            if approval_id is None or record["approval_id"] == approval_id]


def test_a_channel_mention_is_answered_once_with_a_card(teams: tuple[TestClient, Runtime], issuer: TokenIssuer,
                                                        connector: Connector) -> None:
    client, rt = teams
    answered = rt.metrics.requests.labels("teams", "security.public_storage", "answered")
    before = answered._value.get()
    conversation = "19:ops@thread.tacv2;messageid=1700000000000"
    body = activity(service_url=connector.url, text="which buckets are public?", mention=True,
                    conversation=conversation, conversation_type="channel", user_aad=ALICE, activity_id="m-1")
    assert post(client, issuer, body).status_code == 200
    [answer] = connector.wait_for(1)
    drain(client)
    assert post(client, issuer, body).status_code == 200  # Teams redelivers the same activity
    drain(client)
    assert connector.activities() == [answer]
    assert answered._value.get() - before == 1  # counted once in /metrics, like the reply
    assert len(connector.activities("typing")) >= 1
    public = {bucket.name for bucket in DRIFTWOOD.public_buckets()}
    others = {bucket.name for bucket in DRIFTWOOD.buckets} - public
    shown = card_text(card_of(answer))
    assert all(name in shown for name in public) and not any(name in shown for name in others)
    assert "s3-bucket-public.md" in shown  # the citation line
    [call] = [c for c in connector.calls if c["activity"] is answer]
    assert call["path"] == f"/v3/conversations/{conversation}/activities/m-1"  # a reply in the thread
    assert call["authorization"] == f"Bearer {OUTBOUND}"
    [asked] = [r for r in events(rt, "request") if r["args"]["thread"] == f"teams:{conversation}"]
    assert asked["user"] == ALICE and asked["args"]["text"] == "which buckets are public?"  # mention stripped
    assert asked["args"]["thread"] == f"teams:{conversation}"


def test_a_card_approval_runs_once_and_an_unauthorised_click_changes_nothing(
        teams: tuple[TestClient, Runtime], issuer: TokenIssuer, connector: Connector, sandbox: Any) -> None:
    client, rt = teams
    instance_id, ec2 = _instance(sandbox, "analytics-dev-1")
    assert post(client, issuer, activity(service_url=connector.url, text="stop analytics-dev-1",
                                         user_aad=ALICE)).status_code == 200
    [proposal] = connector.wait_for(1)
    card = card_of(proposal)
    buttons = {action["title"]: action for action in card["actions"]}
    assert set(buttons) == {"Approve", "Deny"} and buttons["Approve"]["type"] == "Action.Execute"
    approval_id = buttons["Approve"]["data"]["approval_id"]
    assert approval_id in card_text(card) and instance_id in card_text(card)

    for who in (MALLORY, ALICE):  # a reader, and the requester (requester_may_approve: false)
        refused = post(client, issuer, execute(approval_id, "approve", service_url=connector.url,
                                               user_aad=who, user_name="someone")).json()
        assert refused["statusCode"] == 200 and refused["type"] == "application/vnd.microsoft.activity.message"
        assert refused["value"].startswith("You may not decide this:") and "unchanged (pending)" in refused["value"]
    assert rt.storage.approvals.get(approval_id).status == "pending" and _state(ec2, instance_id) == "running"

    click = execute(approval_id, "approve", service_url=connector.url, user_aad=BOB, user_name="Bob")
    done = post(client, issuer, click).json()
    assert done["type"] == "application/vnd.microsoft.card.adaptive"
    shown = card_text(done["value"])
    assert f"Approved by Bob ({approval_id})" in shown and "Done" in shown and instance_id in shown
    assert "actions" not in done["value"]
    assert _state(ec2, instance_id) in ("stopping", "stopped")

    again = post(client, issuer, click).json()  # the same invoke redelivered
    assert again["value"] == "This click was already handled."
    later = post(client, issuer, execute(approval_id, "approve", service_url=connector.url, user_aad=BOB)).json()
    assert later["type"] == "application/vnd.microsoft.card.adaptive"  # a second click: the card says so
    assert f"Approval {approval_id} is already" in card_text(later["value"])
    assert len(events(rt, "action.claimed", approval_id)) == 1
    assert len(events(rt, "approval.approved", approval_id)) == 1
    assert [r["user"] for r in events(rt, "policy.decide", approval_id)] == [MALLORY, ALICE, BOB, BOB]


def test_a_submit_click_updates_the_card_in_place(teams: tuple[TestClient, Runtime], issuer: TokenIssuer,
                                                  connector: Connector, sandbox: Any) -> None:
    """Clients without Action.Execute send Action.Submit: a message carrying the data."""
    client, rt = teams
    instance_id, ec2 = _instance(sandbox, "analytics-dev-1")
    conversation = "19:group-chat@thread.v2"
    assert post(client, issuer, activity(service_url=connector.url, text="stop analytics-dev-1", user_aad=ALICE,
                                         conversation=conversation, conversation_type="groupChat",
                                         mention=True)).status_code == 200
    [proposal] = connector.wait_for(1)
    fallback = card_of(proposal)["actions"][1]["fallback"]
    assert fallback["type"] == "Action.Submit" and fallback["data"]["decision"] == "deny"
    sneaky = activity(service_url=connector.url, value=fallback["data"], user_aad=MALLORY, user_name="Mallory",
                      conversation=conversation, conversation_type="groupChat", reply_to="card-1")
    assert post(client, issuer, sneaky).status_code == 200
    [_, refusal] = connector.wait_for(2)
    assert refusal["text"].startswith("You may not decide this:") and refusal["replyToId"] == sneaky["id"]
    assert rt.storage.approvals.get(fallback["data"]["approval_id"]).status == "pending"
    click = activity(service_url=connector.url, value=fallback["data"], user_aad=BOB, user_name="Bob",
                     conversation=conversation, conversation_type="groupChat", reply_to="card-1")
    assert post(client, issuer, click).status_code == 200
    [update] = [c for c in connector.calls if c["method"] == "PUT"]
    assert update["path"] == f"/v3/conversations/{conversation}/activities/card-1"
    assert "Denied by Bob" in card_text(card_of(update["activity"]))
    assert rt.storage.approvals.get(fallback["data"]["approval_id"]).status == "denied"
    assert _state(ec2, instance_id) == "running"
    assert events(rt, "action.claimed", fallback["data"]["approval_id"]) == []


def test_an_incident_brief_is_posted_proactively(teams: tuple[TestClient, Runtime], connector: Connector) -> None:
    client, _ = teams
    surface: TeamsSurface = client.app.state.teams  # type: ignore[attr-defined]
    brief = Answer(agent="incident", skill="incident.brief", lead="SEV2: checkout latency above 2 s since 14:05 UTC")
    posted = client.portal.call(surface.post_incident, brief)  # type: ignore[union-attr]
    [call] = connector.calls
    assert call["method"] == "POST" and call["path"] == f"/v3/conversations/{INCIDENTS}/activities"
    assert posted and call["authorization"] == f"Bearer {OUTBOUND}"
    assert "SEV2: checkout latency" in card_text(card_of(call["activity"]))
    assert call["activity"].get("replyToId") is None  # a new post in the channel, not a reply
    assert surface.post_incident_sync(brief.model_copy(update={"lead": "SEV2 resolved"}))  # from a worker thread
    assert "SEV2 resolved" in card_text(card_of(connector.calls[-1]["activity"]))


def test_a_bare_mention_gets_a_hint_and_asks_nothing(teams: tuple[TestClient, Runtime], issuer: TokenIssuer,
                                                     connector: Connector) -> None:
    client, rt = teams
    before = len(events(rt, "request"))
    body = activity(service_url=connector.url, text="", mention=True, conversation="19:quiet@thread.tacv2",
                    conversation_type="channel", user_aad=ALICE)
    assert post(client, issuer, body).status_code == 200
    [hint] = connector.wait_for(1)
    assert hint["text"].startswith("Ask me about your cloud") and len(events(rt, "request")) == before


def test_a_pagerduty_escalation_posts_its_brief_to_the_teams_incident_conversation(
        teams: tuple[TestClient, Runtime], connector: Connector, sandbox: Any) -> None:
    import json

    from sandbox.pagerduty_api import PagerDutyStandIn
    from sandbox.pagerduty_webhooks import add_incident, incident_event

    client, _ = teams
    pd = next(s for s in sandbox.standins if isinstance(s, PagerDutyStandIn))
    incident = add_incident(pd.data, "Payments API 5xx error rate above 5% (prod)")
    # this runtime has no PAGERDUTY_WEBHOOK_SECRET: the sandbox's GUARDIAN_INSECURE_DEV=1 lets unsigned events in
    body = json.dumps(incident_event(pd.data, incident.id, "incident.triggered")).encode()
    response = client.post("/webhooks/pagerduty", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 202
    client.portal.call(client.app.state.pagerduty.desk.drain)  # type: ignore[attr-defined]
    [call] = [c for c in connector.calls if incident.id in card_text(card_of(c["activity"]))]
    assert call["path"] == f"/v3/conversations/{INCIDENTS}/activities"
    text = card_text(card_of(call["activity"]))
    assert "api-5xx-spike" in text or "API 5xx error rate spike" in text
    pd.data.incidents.remove(incident)  # the shared stand-in as it was


def test_the_teams_incident_cards_buttons_pass_policy_mapping_and_approval_and_status_updates_the_card(
        teams: tuple[TestClient, Runtime], issuer: TokenIssuer, connector: Connector, sandbox: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from sandbox.pagerduty_api import PagerDutyStandIn
    from sandbox.pagerduty_webhooks import add_incident, incident_event

    client, rt = teams
    monkeypatch.setattr(rt.settings, "pagerduty_users", {ALICE: "alice@driftwood.example"})
    pd = next(s for s in sandbox.standins if isinstance(s, PagerDutyStandIn))
    incident = add_incident(pd.data, "Payments API 5xx error rate above 5% (prod)")
    desk = client.app.state.pagerduty.desk  # type: ignore[attr-defined]

    def fire(event_type: str, **kw: Any) -> None:
        body = json.dumps(incident_event(pd.data, incident.id, event_type, **kw)).encode()
        assert client.post("/webhooks/pagerduty", content=body,
                           headers={"Content-Type": "application/json"}).status_code == 202
        client.portal.call(desk.drain)  # type: ignore[union-attr]

    def click(data: dict[str, Any], who: str, name: str) -> dict[str, Any]:
        body = activity(service_url=connector.url, value=data, user_aad=who, user_name=name,
                        conversation=f"{INCIDENTS};messageid={brief_id}", conversation_type="channel",
                        reply_to=brief_id)
        seen = len(connector.calls)
        assert post(client, issuer, body).status_code == 200
        drain(client)
        [reply] = [c["activity"] for c in connector.calls[seen:] if c["activity"].get("type") == "message"]
        return reply

    try:
        fire("incident.triggered")
        [brief] = [c for c in connector.calls if c["method"] == "POST" and c["activity"].get("attachments")
                   and incident.id in card_text(card_of(c["activity"]))]
        row = rt.storage.incidents.get(f"{incident.id}@teams")
        assert row is not None and row.ts and brief["path"] == f"/v3/conversations/{INCIDENTS}/activities"
        brief_id = row.ts
        actions = card_of(brief["activity"])["actions"]
        assert [(a["type"], a["title"], a["data"]["verb"], a["data"]["incident_id"]) for a in actions] == [
            ("Action.Submit", title, verb, incident.id)
            for title, verb in (("Ack", "ack"), ("Resolve", "resolve"), ("Escalate", "escalate"))]
        ack = actions[0]["data"]

        refused = click(ack, MALLORY, "Mallory")  # a reader: the policy refuses, nothing is proposed
        assert "Nothing was changed" in refused["text"] and ("incident.ack" in refused["text"]
                                                             or "oncall" in refused["text"])
        unmapped = click(ack, BOB, "Bob")  # on call, but no PagerDuty user to act as
        assert "GUARDIAN_PAGERDUTY_USERS" in unmapped["text"] and f"{BOB}:" in unmapped["text"]
        assert not any(r.args.get("incident_id") == incident.id for r in rt.storage.approvals.list(None, 1000)[0])

        proposal = card_of(click(ack, ALICE, "Alice"))  # on call and mapped: an approval, nothing sent yet
        approve = next(a for a in proposal["actions"] if a["title"] == "Approve")
        approval_id = approve["data"]["approval_id"]
        record = rt.storage.approvals.get(approval_id)
        assert (record.skill, record.requested_by, record.args["incident_id"], record.args["as_email"]) == (
            "incident.ack", ALICE, incident.id, "alice@driftwood.example")
        assert incident.status == "triggered"
        done = post(client, issuer, execute(approval_id, "approve", service_url=connector.url, user_aad=BOB,
                                            user_name="Bob")).json()
        assert f"Approved by Bob ({approval_id})" in card_text(done["value"])
        writes = [c for c in pd.writes if c.path == f"/incidents/{incident.id}"]
        assert [w.headers["from"] for w in writes] == ["alice@driftwood.example"]
        assert incident.status == "acknowledged"

        fire("incident.acknowledged", agent="alice")  # PagerDuty says so: the same card, updated in place
        [acked] = [c for c in connector.calls if c["method"] == "PUT"
                   and c["path"] == f"/v3/conversations/{INCIDENTS}/activities/{brief_id}"]
        assert "Acknowledged by Alice Chen" in card_text(card_of(acked["activity"]))
        assert [a["title"] for a in card_of(acked["activity"])["actions"]] == ["Resolve", "Escalate"]
        fire("incident.resolved", agent="bob")
        updates = [c for c in connector.calls if c["method"] == "PUT" and c["path"].endswith(f"/{brief_id}")]
        assert len(updates) == 2 and "Resolved by Bob Okafor" in card_text(card_of(updates[-1]["activity"]))
        assert "actions" not in card_of(updates[-1]["activity"])
        new_posts = [c for c in connector.calls if c["method"] == "POST"
                     and c["path"] == f"/v3/conversations/{INCIDENTS}/activities"
                     and incident.id in card_text(card_of(c["activity"]))]
        assert new_posts == [brief]  # one card for the incident; everything after it replied or updated
    finally:
        pd.data.incidents.remove(incident)


def test_a_throttled_answer_is_sent_again_and_arrives_once(teams: tuple[TestClient, Runtime], issuer: TokenIssuer,
                                                          connector: Connector) -> None:
    """Teams throttles bots with 429 and Retry-After; the SDK's async client gives up at once."""
    client, _ = teams
    client.app.state.teams.backoff = Backoff(attempts=3, base=0.05, cap=0.2)  # type: ignore[attr-defined]
    connector.fail_next("POST", 429, retry_after="0")
    body = activity(service_url=connector.url, text="which buckets are public?", user_aad=ALICE,
                    conversation="19:throttled@thread.tacv2", activity_id="m-throttled")
    assert post(client, issuer, body).status_code == 200
    [answer] = connector.wait_for(1)
    drain(client)
    assert connector.activities() == [answer]  # once: the refused attempt was not taken
    [refused] = connector.refused
    assert refused["activity"] == answer and refused["path"] == connector.calls[-1]["path"]
    public = {bucket.name for bucket in DRIFTWOOD.public_buckets()}
    assert public and all(name in card_text(card_of(answer)) for name in public)


def test_an_incident_brief_the_connector_may_have_taken_is_not_posted_twice(
        teams: tuple[TestClient, Runtime], connector: Connector) -> None:
    """A 500 may hide a post that went through: a second brief would split the responders'
    clicks over two cards, so it is not sent again; a 503 refused it, so it is."""
    client, _ = teams
    surface: TeamsSurface = client.app.state.teams  # type: ignore[attr-defined]
    surface.backoff = Backoff(attempts=3, base=0.05, cap=0.2)
    brief = Answer(agent="incident", skill="incident.brief", lead="SEV1: payments 5xx above 20 %")
    connector.fail_next("POST", 500)
    with pytest.raises(Exception) as failure:
        client.portal.call(surface.post_incident, brief)  # type: ignore[union-attr]
    assert status_of(failure.value) == 500 and len(connector.refused) == 1 and connector.calls == []
    connector.fail_next("POST", 503, retry_after="0")
    posted = client.portal.call(surface.post_incident, brief)  # type: ignore[union-attr]
    [call] = connector.calls
    assert posted and len(connector.refused) == 2
    assert "SEV1: payments 5xx" in card_text(card_of(call["activity"]))
