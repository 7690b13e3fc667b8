"""PagerDuty incident tools against the HTTPS stand-in through the real ``pagerduty``
client; every expectation is derived from sandbox/saas_company.py."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from pydantic import SecretStr

from agents.skills import SKILL_BY_NAME
from sandbox.pagerduty_api import PagerDutyStandIn
from sandbox.saas_company import BOT, SaasCompany, person
from tests.helpers import approved_call
from tests.tools.pagerduty.conftest import pagerduty_ctx
from tools.base import ToolContext, ToolResult
from tools.pagerduty import PAGERDUTY_TOOLS, pagerduty_client
from tools.pagerduty.client import PagerDutyProblem
from tools.registry import ToolRegistry, WriteNotApproved
from tools.settings import PagerDutySettings

pytestmark = pytest.mark.slow  # starts a local HTTPS server per test

# slot names, and "query": the request's own words, which the planner gives every tool taking them
VOCABULARY = {"service", "team", "person", "severity", "status", "start", "end", "limit", "schedule", "incident_id",
              "title", "escalation_policy", "level", "query", "start_time", "incident_ids", "not_incident_ids"}
READ_TOOLS = ["pagerduty_open_incidents", "pagerduty_oncall", "pagerduty_incident_brief"]
WRITES = {"pagerduty_ack_incident": {"incident_id": "P7K2M9Q"},
          "pagerduty_resolve_incident": {"incident_id": "P7K2M9Q"}, "pagerduty_page": {"person": "alice"}}


def preflight(registry: ToolRegistry, name: str, args: dict[str, Any], ctx: ToolContext) -> ToolResult:
    spec = registry.get(name)
    assert spec.preflight is not None
    return spec.preflight(ctx, spec.args_model.model_validate(args))


def test_declarations_use_contract_skills_and_the_slot_vocabulary() -> None:
    skills = {spec.name: spec.skills for spec in PAGERDUTY_TOOLS}
    assert skills == {"pagerduty_open_incidents": ("incident.list",), "pagerduty_oncall": ("incident.oncall",),
                      "pagerduty_incident_brief": ("incident.brief",), "pagerduty_ack_incident": ("incident.ack",),
                      "pagerduty_resolve_incident": ("incident.resolve",), "pagerduty_page": ("incident.page",)}
    for spec in PAGERDUTY_TOOLS:
        assert spec.integration == "pagerduty"
        # as_email is no slot: the surface sets it from its user mapping (Request.acting_as), never the words
        assert set(spec.args_model.model_fields) - {"as_email"} <= VOCABULARY
        assert spec.mutating == SKILL_BY_NAME[spec.skills[0]].mutating
        assert spec.mutating == (spec.preflight is not None)


# --------------------------------------------------------------------------- incident.list


def test_open_incidents_newest_first(company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    result = registry.invoke("pagerduty_open_incidents", {}, ctx)
    expected = company.pagerduty.open_incidents()
    assert result.status == "ok"
    assert [row["id"] for row in result.rows] == [incident.id for incident in expected]
    for row, incident in zip(result.rows, expected, strict=True):
        service = company.pagerduty.service(incident.service)
        assert (row["status"], row["urgency"], row["service"]) == (incident.status, incident.urgency, service.name)
        assert row["assignees"] == [person(handle).name for handle in incident.assignees]
        assert row["age"]
        assert row["number"] == incident.number  # people say "1042" as often as the id
    assert result.columns.index("number") == result.columns.index("id") + 1
    assert set(result.resources) >= {i.id for i in expected} | {person(i.assignees[0]).name for i in expected}
    resolved = [i.id for i in company.pagerduty.incidents if not i.open]
    assert resolved and not set(resolved) & {row["id"] for row in result.rows}


def test_a_rolling_window_runs_up_to_now(company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    # "opened in the past 24h": whole days end before today, the moment the window starts does not
    since = company.now - timedelta(hours=24)
    result = registry.invoke("pagerduty_open_incidents", {"start": since.date().isoformat(),
                                                          "end": company.now.date().isoformat(),
                                                          "start_time": since.isoformat()}, ctx)
    wanted = [i.id for i in company.pagerduty.open_incidents() if i.created_at >= since]
    assert wanted and [row["id"] for row in result.rows] == wanted


@pytest.mark.parametrize(("args", "keep"), [
    ({"service": "payments"}, lambda i: i.service == "PSV0PAY"),
    ({"service": "payments-api"}, lambda i: i.service == "PSV0PAY"),
    ({"severity": "low"}, lambda i: i.urgency == "low"),
    ({"person": "carol"}, lambda i: "carol" in i.assignees),
    ({"team": "storefront"}, lambda i: i.service in ("PSV0CHK", "PSV0SRC")),
])
def test_open_incident_filters(company: SaasCompany, ctx: ToolContext, registry: ToolRegistry,
                               args: dict[str, str], keep: Any) -> None:
    result = registry.invoke("pagerduty_open_incidents", args, ctx)
    expected = [i.id for i in company.pagerduty.open_incidents() if keep(i)]
    assert expected and [row["id"] for row in result.rows] == expected


def test_all_statuses_include_resolved(company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    result = registry.invoke("pagerduty_open_incidents", {"status": "all"}, ctx)
    assert {row["id"] for row in result.rows} == {i.id for i in company.pagerduty.incidents}


def test_no_open_incidents_is_no_data(ctx: ToolContext, registry: ToolRegistry) -> None:
    result = registry.invoke("pagerduty_open_incidents", {"service": "analytics"}, ctx)
    assert result.status == "no_data" and "analytics" in result.summary


# --------------------------------------------------------------------------- incident.oncall


def test_oncall_for_a_service(company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    result = registry.invoke("pagerduty_oncall", {"service": "payments"}, ctx)
    expected = company.pagerduty.oncall_for_service("payments")
    assert result.status == "ok"
    assert [(row["level"], row["user"]) for row in result.rows] == [
        (level, person(handle).name) for level, handle, _ in expected]
    first = next(person(handle) for level, handle, _ in expected if level == 1)
    assert first.name in result.summary and first.name in result.resources
    schedule = expected[0][2]
    assert schedule is not None and result.rows[0]["until"] == schedule.shift_end.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert f"until {schedule.shift_end:%Y-%m-%d %H:%M} UTC (in " in result.summary  # a clock time, and what is left



def test_oncall_for_an_incident_is_its_escalation_policys_people(
        company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    incident = company.pagerduty.open_incidents()[-1]
    result = registry.invoke("pagerduty_oncall", {"incident_id": str(incident.number)}, ctx)
    expected = company.pagerduty.oncall(incident.escalation_policy)
    assert result.status == "ok" and incident.id in result.summary
    assert [row["user"] for row in result.rows] == [person(handle).name for _, handle, _ in expected]

def test_oncall_for_a_team_includes_direct_user_targets(
        company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    result = registry.invoke("pagerduty_oncall", {"team": "platform"}, ctx)
    policy = next(p for p in company.pagerduty.escalation_policies if p.team == company.pagerduty.team("Platform").id)
    expected = company.pagerduty.oncall(policy.id)
    assert [(row["level"], row["user"]) for row in result.rows] == [(lvl, person(h).name) for lvl, h, _ in expected]
    direct = [row for row in result.rows if row["schedule"] == "(direct)"]
    assert direct and direct[0]["until"] == "always"


def test_oncall_for_everyone_and_for_a_person(company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    everyone = registry.invoke("pagerduty_oncall", {}, ctx)
    assert len(everyone.rows) == sum(len(p.rules) for p in company.pagerduty.escalation_policies)
    bob = registry.invoke("pagerduty_oncall", {"person": "bob"}, ctx)
    expected = [(p.name, lvl) for p in company.pagerduty.escalation_policies
                for lvl, handle, _ in company.pagerduty.oncall(p.id) if handle == "bob"]
    assert [(row["escalation_policy"], row["level"]) for row in bob.rows] == expected


@pytest.mark.parametrize("args", [{"escalation_policy": "Storefront On-Call"}, {"schedule": "Storefront Primary"}])
def test_oncall_for_a_policy_or_schedule(company: SaasCompany, ctx: ToolContext, registry: ToolRegistry,
                                         args: dict[str, str]) -> None:
    result = registry.invoke("pagerduty_oncall", args, ctx)
    schedule = next(s for s in company.pagerduty.schedules if s.name == "Storefront Primary")
    assert result.status == "ok" and result.rows[0]["user"] == person(schedule.oncall).name
    if "schedule" in args:
        assert [row["schedule"] for row in result.rows] == [schedule.name]


def test_oncall_for_an_unknown_service_lists_the_known_ones(
        company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    result = registry.invoke("pagerduty_oncall", {"service": "billing"}, ctx)
    assert result.status == "error" and "'billing'" in result.summary
    assert all(service.name in result.summary for service in company.pagerduty.services)


# --------------------------------------------------------------------------- incident.brief


def test_brief_of_one_incident(company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    incident = next(i for i in company.pagerduty.incidents if i.notes)
    result = registry.invoke("pagerduty_incident_brief", {"incident_id": incident.id}, ctx)
    assert result.status == "ok"
    assert incident.title in result.summary and incident.status in result.summary
    assert person(incident.assignees[0]).name in result.summary
    assert result.facts["alerts_count"] == len(incident.alerts)
    assert [a["id"] for a in result.facts["alerts"]] == [a.id for a in incident.alerts]
    assert len(result.rows) == len(incident.log_entries) + len(incident.notes)
    assert any(row["type"] == "note" and row["summary"] == incident.notes[0].content for row in result.rows)
    assert [row["time"] for row in result.rows] == sorted(row["time"] for row in result.rows)
    assert {"notes", "alerts"} <= set(result.facts["untrusted"])


def test_brief_without_an_id_takes_the_newest_triggered_incident(
        company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    triggered = [i for i in company.pagerduty.open_incidents() if i.status == "triggered"]
    result = registry.invoke("pagerduty_incident_brief", {}, ctx)
    assert result.facts["id"] == triggered[0].id and "newest open incident" in result.summary


def test_brief_by_description_picks_the_incident_whose_title_matches_even_resolved(
        company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    resolved = next(i for i in company.pagerduty.incidents if i.status == "resolved")
    words = " ".join(resolved.title.lower().split()[:3])  # e.g. "search indexer lag"
    result = registry.invoke("pagerduty_incident_brief", {"query": f"what happened with the {words} thing?"}, ctx)
    assert result.facts["id"] == resolved.id and "title matches" in result.summary


def test_brief_by_one_shared_word_keeps_the_newest_open_incident(
        company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    newest = next(i for i in company.pagerduty.open_incidents() if i.status == "triggered")
    service = company.pagerduty.service(newest.service)
    result = registry.invoke("pagerduty_incident_brief", {"service": service.name,
                                                          "query": f"brief on the {service.name} incident"}, ctx)
    assert result.facts["id"] == newest.id and "newest open incident" in result.summary


def test_brief_of_a_service_named_only_in_the_words(
        company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    # "the X one": a service with an open incident briefs that one, not the newest anywhere; a
    # service with none open briefs its newest incident, said to be so
    pd = company.pagerduty
    quiet = next(s for s in pd.services if not any(i.open for i in pd.incidents if i.service == s.id)
                 and any(i.service == s.id for i in pd.incidents))
    result = registry.invoke("pagerduty_incident_brief", {"query": f"ok and the {quiet.name} one, who sorted it?"}, ctx)
    newest = max((i for i in pd.incidents if i.service == quiet.id), key=lambda i: i.created_at)
    assert result.facts["id"] == newest.id and "none is open there" in result.summary
    older = pd.open_incidents()[-1]
    busy = pd.service(older.service)
    result = registry.invoke("pagerduty_incident_brief", {"query": f"how is the {busy.name} one going?"}, ctx)
    assert older.id != pd.open_incidents()[0].id and result.facts["id"] == older.id


def test_brief_by_incident_number(company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    incident = company.pagerduty.incidents[1]
    result = registry.invoke("pagerduty_incident_brief", {"incident_id": str(incident.number)}, ctx)
    assert result.facts["id"] == incident.id


def test_brief_of_an_unknown_incident(pagerduty: PagerDutyStandIn, ctx: ToolContext, registry: ToolRegistry) -> None:
    result = registry.invoke("pagerduty_incident_brief", {"incident_id": "PZZZZZ1"}, ctx)
    assert result.status == "error" and result.summary == "PagerDuty has no incident PZZZZZ1 (404)."


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize("tool", READ_TOOLS)
def test_missing_configuration_is_one_clear_sentence(tool: str, registry: ToolRegistry) -> None:
    result = registry.invoke(tool, {}, ToolContext())
    assert result.status == "error" and result.summary == (
        "PagerDuty is not configured: it needs an API key (set PAGERDUTY_API_KEY, and PAGERDUTY_API_URL for the "
        "EU service).")
    assert result.facts == {"unavailable": "pagerduty"}
    with pytest.raises(PagerDutyProblem):
        pagerduty_client(PagerDutySettings())


def test_registry_says_only_the_writes_need_a_from_email(registry: ToolRegistry) -> None:
    ctx = ToolContext(pagerduty=PagerDutySettings(api_key=SecretStr("k")))
    unavailable = registry.unavailable(ctx)
    assert set(unavailable) == {spec.name for spec in PAGERDUTY_TOOLS if spec.mutating}
    assert set(unavailable.values()) == {NO_FROM}
    assert registry.configured(ctx) == {"pagerduty"}


NO_FROM = ("PagerDuty is not configured: it needs a requester for changes (set GUARDIAN_PAGERDUTY_FROM_EMAIL to "
           "the email of the PagerDuty user Guardian acts as).")


def test_wrong_api_key(pagerduty: PagerDutyStandIn, registry: ToolRegistry) -> None:
    result = registry.invoke("pagerduty_open_incidents", {}, pagerduty_ctx(pagerduty, api_key="wrong"))
    assert result.status == "error"
    assert result.summary == "PagerDuty rejected the API key (401 Authentication failed): check PAGERDUTY_API_KEY."


def test_unreachable_endpoint_fails_fast(closed_port: int, registry: ToolRegistry) -> None:
    ctx = ToolContext(pagerduty=PagerDutySettings(api_key=SecretStr("k"), api_url=f"https://127.0.0.1:{closed_port}"))
    started = time.monotonic()
    result = registry.invoke("pagerduty_oncall", {}, ctx)
    assert time.monotonic() - started < 8
    assert result.status == "error" and result.summary.startswith("PagerDuty is unreachable at https://127.0.0.1:")


def test_untrusted_certificate_is_refused(pagerduty: PagerDutyStandIn, registry: ToolRegistry) -> None:
    result = registry.invoke("pagerduty_oncall", {}, pagerduty_ctx(pagerduty, verify=True))
    assert result.status == "error" and "GUARDIAN_PAGERDUTY_CA_BUNDLE" in result.summary
    assert pagerduty.calls == []  # the TLS handshake failed: nothing reached the API


def test_plain_http_url_is_refused(registry: ToolRegistry) -> None:
    ctx = ToolContext(pagerduty=PagerDutySettings(api_key=SecretStr("k"), api_url="http://127.0.0.1:9"))
    result = registry.invoke("pagerduty_oncall", {}, ctx)
    assert result.status == "error" and result.summary == "PAGERDUTY_API_URL must be an https:// URL."


# --------------------------------------------------------------------------- writes


@pytest.mark.parametrize("tool", sorted(WRITES))
def test_writes_need_an_approval(tool: str, pagerduty: PagerDutyStandIn, ctx: ToolContext,
                                 registry: ToolRegistry) -> None:
    with pytest.raises(WriteNotApproved):
        registry.invoke(tool, WRITES[tool], ctx)
    assert preflight(registry, tool, WRITES[tool], ctx).status == "ok"
    assert pagerduty.writes == []


def test_ack_with_approval_makes_exactly_one_write(
        company: SaasCompany, pagerduty: PagerDutyStandIn, ctx: ToolContext, registry: ToolRegistry) -> None:
    incident = next(i for i in company.pagerduty.incidents if i.status == "triggered")
    check = preflight(registry, "pagerduty_ack_incident", {"incident_id": incident.id}, ctx)
    assert check.status == "ok" and incident.id in check.summary and incident.title in check.summary
    result = registry.execute(approved_call("pagerduty_ack_incident", {"incident_id": incident.id}), ctx)
    assert result.status == "ok" and result.facts["status"] == "acknowledged"
    [write] = pagerduty.writes
    assert (write.method, write.path) == ("PUT", f"/incidents/{incident.id}")
    assert write.body == {"incident": {"type": "incident_reference", "status": "acknowledged"}}
    assert write.headers["from"] == BOT.email
    assert incident.status == "acknowledged" and incident.acknowledged_by[-1][0] == BOT.handle


def test_resolve_with_approval(company: SaasCompany, pagerduty: PagerDutyStandIn, ctx: ToolContext,
                               registry: ToolRegistry) -> None:
    incident = next(i for i in company.pagerduty.incidents if i.status == "acknowledged")
    result = registry.execute(approved_call("pagerduty_resolve_incident", {"incident_id": incident.id}), ctx)
    assert result.status == "ok"
    assert [(w.method, w.path, w.body["incident"]["status"]) for w in pagerduty.writes] == [
        ("PUT", f"/incidents/{incident.id}", "resolved")]
    assert incident.status == "resolved"


def test_resolving_a_resolved_incident_is_refused_before_approval(
        company: SaasCompany, pagerduty: PagerDutyStandIn, ctx: ToolContext, registry: ToolRegistry) -> None:
    incident = next(i for i in company.pagerduty.incidents if i.status == "resolved")
    check = preflight(registry, "pagerduty_resolve_incident", {"incident_id": incident.id}, ctx)
    assert check.status == "error" and "already resolved" in check.summary
    result = registry.execute(approved_call("pagerduty_resolve_incident", {"incident_id": incident.id}), ctx)
    assert result.status == "error"
    assert pagerduty.writes == []


@pytest.mark.parametrize(("tool", "status"), [("pagerduty_ack_incident", "triggered"),
                                            ("pagerduty_resolve_incident", "acknowledged")])
def test_a_write_by_service_pins_its_one_open_incident(
        company: SaasCompany, pagerduty: PagerDutyStandIn, ctx: ToolContext, registry: ToolRegistry,
        tool: str, status: str) -> None:
    """"ack the payments incident": the service's only open incident, pinned by the preflight
    (what the approver sees), and nothing written before the approval."""
    incident = next(i for i in company.pagerduty.open_incidents() if i.status == status)
    service = company.pagerduty.service(incident.service)
    assert [i.id for i in company.pagerduty.open_incidents() if i.service == service.id] == [incident.id]
    check = preflight(registry, tool, {"service": service.name}, ctx)
    assert check.status == "ok" and check.facts["incident_id"] == incident.id and incident.title in check.summary
    assert pagerduty.writes == []


def test_a_write_by_service_with_no_open_incident_names_none(
        company: SaasCompany, pagerduty: PagerDutyStandIn, ctx: ToolContext, registry: ToolRegistry) -> None:
    quiet = next(s for s in company.pagerduty.services
                 if not any(i.service == s.id for i in company.pagerduty.open_incidents()))
    check = preflight(registry, "pagerduty_resolve_incident", {"service": quiet.name}, ctx)
    assert check.status == "error" and f"No open incident on {quiet.name}" in check.summary


def test_a_write_without_incident_or_service_asks_which(
        pagerduty: PagerDutyStandIn, ctx: ToolContext, registry: ToolRegistry) -> None:
    check = preflight(registry, "pagerduty_ack_incident", {}, ctx)
    assert check.status == "error" and "Say which incident" in check.summary
    assert pagerduty.writes == []


def test_a_write_by_the_words_of_the_request_pins_the_one_open_incident_they_name(
        company: SaasCompany, pagerduty: PagerDutyStandIn, ctx: ToolContext, registry: ToolRegistry) -> None:
    """"the 5xx one is fixed": without an id or a service slot, a word of one open incident's
    title (or its service's name) singles it out; the preflight pins it, nothing is written."""
    open_now = company.pagerduty.open_incidents()
    for incident in open_now:
        others = " ".join(i.title.lower() for i in open_now if i is not incident)
        word = next(w for w in incident.title.lower().split() if len(w) > 2 and w not in others
                    and w.isalnum() and w not in ("the", "and"))
        check = preflight(registry, "pagerduty_resolve_incident", {"query": f"the {word} one is fixed, close it"}, ctx)
        assert check.status == "ok" and check.facts["incident_id"] == incident.id
        service = company.pagerduty.service(incident.service).name
        by_service = preflight(registry, "pagerduty_resolve_incident", {"query": f"{service} is ok now"}, ctx)
        assert by_service.facts["incident_id"] == incident.id
    assert pagerduty.writes == []



def test_a_write_to_the_oldest_newest_or_only_acknowledged_incident_pins_it(
        company: SaasCompany, pagerduty: PagerDutyStandIn, ctx: ToolContext, registry: ToolRegistry) -> None:
    """"ack the oldest open incident", "resolve the acknowledged one": a place in the open list
    (newest first) or the one open incident in a state; never a guess between several."""
    open_now = company.pagerduty.open_incidents()
    oldest = preflight(registry, "pagerduty_ack_incident", {"query": "ack the oldest open incident"}, ctx)
    assert oldest.status == "ok" and oldest.facts["incident_id"] == open_now[-1].id
    newest = preflight(registry, "pagerduty_resolve_incident", {"query": "resolve the newest one"}, ctx)
    assert newest.facts["incident_id"] == open_now[0].id
    acked = [i for i in open_now if i.status == "acknowledged"]
    by_state = preflight(registry, "pagerduty_resolve_incident", {"query": "close the acknowledged incident"}, ctx)
    if len(acked) == 1:
        assert by_state.status == "ok" and by_state.facts["incident_id"] == acked[0].id
    else:
        assert by_state.status == "error"
    assert pagerduty.writes == []

def test_words_naming_no_open_incident_or_several_pin_none(
        company: SaasCompany, pagerduty: PagerDutyStandIn, ctx: ToolContext, registry: ToolRegistry) -> None:
    nothing = preflight(registry, "pagerduty_ack_incident", {"query": "ack it, I'm on it"}, ctx)
    assert nothing.status == "error" and "Say which incident" in nothing.summary
    both = " ".join(company.pagerduty.service(i.service).name for i in company.pagerduty.open_incidents())
    several = preflight(registry, "pagerduty_resolve_incident", {"query": f"{both} are fine"}, ctx)
    assert several.status == "error" and "say which by id" in several.summary
    assert pagerduty.writes == []


def test_writes_need_a_from_email(pagerduty: PagerDutyStandIn, registry: ToolRegistry) -> None:
    ctx = pagerduty_ctx(pagerduty, from_email=None)
    result = registry.execute(approved_call("pagerduty_ack_incident", {"incident_id": "P7K2M9Q"}), ctx)
    assert result.status == "error" and result.summary == f"Not done: {NO_FROM}"
    assert pagerduty.writes == []


def test_ack_of_an_unknown_incident(pagerduty: PagerDutyStandIn, ctx: ToolContext, registry: ToolRegistry) -> None:
    result = registry.execute(approved_call("pagerduty_ack_incident", {"incident_id": "PZZZZZ1"}), ctx)
    assert result.status == "error" and result.summary == "Not done: PagerDuty has no incident PZZZZZ1 (404)."
    assert pagerduty.writes == []


def test_page_a_person_opens_one_incident_on_their_service(
        company: SaasCompany, pagerduty: PagerDutyStandIn, ctx: ToolContext, registry: ToolRegistry) -> None:
    alice = person("alice")
    service = next(s for s in company.pagerduty.services if s.team in alice.teams)
    before = len(company.pagerduty.incidents)
    check = preflight(registry, "pagerduty_page", {"person": "alice"}, ctx)
    assert check.status == "ok" and alice.name in check.summary and service.name in check.summary
    result = registry.execute(approved_call("pagerduty_page", {"person": "alice"}), ctx)
    assert result.status == "ok"
    [write] = pagerduty.writes
    assert (write.method, write.path) == ("POST", "/incidents")
    assert write.body["incident"]["service"]["id"] == service.id
    assert write.body["incident"]["assignments"] == [{"assignee": {"id": alice.pd_id, "type": "user_reference"}}]
    assert len(company.pagerduty.incidents) == before + 1
    created = company.pagerduty.incidents[-1]
    assert created.id == result.facts["incident_id"] and created.assignees == ["alice"]


def test_page_escalates_an_incident_to_the_next_level(
        company: SaasCompany, pagerduty: PagerDutyStandIn, ctx: ToolContext, registry: ToolRegistry) -> None:
    incident = next(i for i in company.pagerduty.incidents if i.status == "triggered")
    level_two = [h for lvl, h, _ in company.pagerduty.oncall(incident.escalation_policy) if lvl == 2]
    result = registry.execute(approved_call("pagerduty_page", {"incident_id": incident.id}), ctx)
    assert result.status == "ok" and person(level_two[0]).name in result.summary
    assert [(w.method, w.body["incident"].get("escalation_level")) for w in pagerduty.writes] == [("PUT", 2)]
    assert incident.assignees == level_two


def test_page_without_a_target_is_refused(pagerduty: PagerDutyStandIn, ctx: ToolContext,
                                          registry: ToolRegistry) -> None:
    check = preflight(registry, "pagerduty_page", {}, ctx)
    assert check.status == "error" and check.summary.startswith("Say whom to page")
    assert pagerduty.writes == []


@pytest.mark.parametrize("args", [{"service": "search"}, {"team": "platform"}])
def test_a_page_through_a_policy_names_who_is_woken_first(
        company: SaasCompany, pagerduty: PagerDutyStandIn, ctx: ToolContext, registry: ToolRegistry,
        args: dict[str, str]) -> None:
    data = company.pagerduty
    policy = (data.service(args["service"]).escalation_policy if "service" in args
              else next(p.id for p in data.escalation_policies if p.team == data.team(args["team"]).id))
    first_up = [handle for level, handle, _ in data.oncall(policy) if level == 1]
    check = preflight(registry, "pagerduty_page", args, ctx)
    assert check.status == "ok", check.summary
    assert f"({', '.join(person(h).name for h in first_up)} on call at level 1)" in check.summary
    assert pagerduty.writes == []


def test_a_resolved_incidents_brief_says_who_acknowledged_and_resolved_it(
        company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    resolved = next(i for i in company.pagerduty.incidents if i.status == "resolved")
    result = registry.invoke("pagerduty_incident_brief", {"incident_id": resolved.id}, ctx)
    ackers = ", ".join(person(handle).name for handle, _ in resolved.acknowledged_by)
    resolver = next(e.agent for e in resolved.log_entries if e.type == "resolve_log_entry")
    assert f"acknowledged by {ackers}; resolved by {person(str(resolver)).name} " in result.summary


def test_a_brief_of_the_one_of_an_urgency_picks_the_newest_open_of_it(
        company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    low = [i for i in company.pagerduty.open_incidents() if i.urgency == "low"]
    assert low and any(i.urgency == "high" for i in company.pagerduty.open_incidents())
    result = registry.invoke("pagerduty_incident_brief", {"severity": "low"}, ctx)
    assert result.facts["id"] == low[0].id and "newest open low-urgency incident" in result.summary


def test_incidents_a_team_has_when_named_as_their_holder(
        company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    """"which incidents does storefront have": no user is called so, the team is."""
    team = company.pagerduty.teams[1]
    assert not any(p.handle == team.name.lower() for p in company.pagerduty.users)
    theirs = {i.id for i in company.pagerduty.open_incidents()
              if company.pagerduty.service(i.service).team == team.id}
    result = registry.invoke("pagerduty_open_incidents", {"person": team.name.lower()}, ctx)
    assert theirs and {row["id"] for row in result.rows} == theirs
    assert f"for team {team.name}" in result.summary


def test_a_service_named_by_what_it_does_is_the_one_its_description_says(
        company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    """"who holds the pager for login stuff": no service is called "login"; one describes it."""
    data = company.pagerduty
    described = next(s for s in data.services if s.description.split()[0].lower() not in
                     {x.name for x in data.services} and sum(s.description.split()[0].lower() in o.description.lower()
                                                             for o in data.services) == 1)
    word = described.description.split()[0].lower().strip(",")
    first_up = [h for level, h, _ in data.oncall_for_service(described.name) if level == 1]
    result = registry.invoke("pagerduty_oncall", {"service": word}, ctx)
    assert result.status == "ok", result.summary
    assert f"for {described.name}" in result.summary and person(first_up[0]).name in result.summary


def test_a_team_named_as_a_service_is_taken_as_the_team(
        company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    """"who's on call for storefront": no service is called so, a team is."""
    data = company.pagerduty
    team = data.teams[1]
    assert not any(s.name == team.name.lower() for s in data.services)
    policies = [p.id for p in data.escalation_policies if p.team == team.id]
    on_call = {person(h).name for policy in policies for _lvl, h, _ in data.oncall(policy)}
    result = registry.invoke("pagerduty_oncall", {"service": team.name.lower()}, ctx)
    assert result.status == "ok", result.summary
    assert f"for team {team.name}" in result.summary
    assert {name for name in result.resources if " " in name} == on_call  # names, not the user ids
    listed = registry.invoke("pagerduty_open_incidents", {"service": team.name.lower()}, ctx)
    assert f"for team {team.name.lower()}" in listed.summary
    assert {row["id"] for row in listed.rows} == {i.id for i in data.open_incidents()
                                                  if data.service(i.service).team == team.id}


@pytest.mark.parametrize("host", ["{name}-1", "{name}-service-2", "{name}-api-07"])
def test_a_host_name_from_an_alert_names_the_service_it_runs(
        company: SaasCompany, pagerduty: PagerDutyStandIn, ctx: ToolContext, registry: ToolRegistry,
        host: str) -> None:
    """An alert line names a machine ("login errors on auth-service-1"): paging for it opens
    the page on the service the machine runs, through that service's policy."""
    data = company.pagerduty
    service = data.services[-1]
    first_up = [h for level, h, _ in data.oncall_for_service(service.name) if level == 1]
    check = preflight(registry, "pagerduty_page", {"service": host.format(name=service.name)}, ctx)
    assert check.status == "ok", check.summary
    assert f"on {service.name} " in check.summary and person(first_up[0]).name in check.summary
    assert pagerduty.writes == []


def test_a_level_of_a_teams_rota_pages_whoever_holds_it(
        company: SaasCompany, pagerduty: PagerDutyStandIn, ctx: ToolContext, registry: ToolRegistry) -> None:
    """"page the platform backup": the person on call at level 2 of the team's policy, by name."""
    data = company.pagerduty
    team = data.teams[2]
    policy = next(p for p in data.escalation_policies if p.team == team.id)
    second = next(h for level, h, _ in data.oncall(policy.id) if level == 2)
    check = preflight(registry, "pagerduty_page", {"team": team.name.lower(), "level": 2}, ctx)
    assert check.status == "ok", check.summary
    assert f"paging {person(second).name}" in check.summary
    assert pagerduty.writes == []


def test_escalating_an_incident_described_in_words_reassigns_that_one(
        company: SaasCompany, pagerduty: PagerDutyStandIn, ctx: ToolContext, registry: ToolRegistry) -> None:
    """"escalate the indexing slowness thing to level 2": no id, but the words single out one
    open incident; it is reassigned, not a new page opened."""
    data = company.pagerduty
    incident = data.open_incidents()[-1]
    word = next(w for w in incident.title.lower().split() if w.isalpha() and len(w) > 4 and not any(
        w in other.title.lower() for other in data.open_incidents() if other is not incident))
    second = next(h for level, h, _ in data.oncall(incident.escalation_policy) if level == 2)
    check = preflight(registry, "pagerduty_page", {"query": f"escalate the {word} problem upstairs", "level": 2}, ctx)
    assert check.status == "ok", check.summary
    assert check.summary.startswith(f"Reassign {incident.id} ") and person(second).name in check.summary


def test_escalating_words_no_open_incident_has_opens_a_new_page(
        pagerduty: PagerDutyStandIn, ctx: ToolContext, registry: ToolRegistry) -> None:
    check = preflight(registry, "pagerduty_page", {"query": "escalate the zebra feed issue", "team": "platform"}, ctx)
    assert check.status == "ok", check.summary
    assert check.summary.startswith("Open a high-urgency incident") and pagerduty.writes == []
