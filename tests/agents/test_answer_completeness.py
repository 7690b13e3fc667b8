"""An answer states the fact asked for and names what it lists (docs/ANSWERS.md): the skill's
own tool leads, candidates are named as people know them and by id, ordinals are not
quantities, the period asked for is the period answered, and the words that name a repo,
an incident number, a person or a grouping reach the tool."""

from __future__ import annotations

from datetime import UTC, date, datetime

from agents.route import Route
from agents.slots import extract_slots
from agents.specialists import SPECIALIST_BY_NAME, month_after, specialist_for
from agents.tables import typed_table
from agents.templates import as_clause, build_answer
from bot.render.cells import format_cell
from tools.aws import AWS_TOOLS
from tools.base import ToolResult
from tools.github import GITHUB_TOOLS
from tools.knowledge import KNOWLEDGE_TOOLS
from tools.pagerduty import PAGERDUTY_TOOLS
from tools.registry import ToolRegistry

REGISTRY = ToolRegistry([*AWS_TOOLS, *GITHUB_TOOLS, *PAGERDUTY_TOOLS, *KNOWLEDGE_TOOLS])
NOW = datetime(2026, 5, 14, 9, 30, tzinfo=UTC)


def route(skill: str, text: str, **slots: object) -> Route:
    return Route(text=text, agent=specialist_for(skill).name, skill=skill, confidence=0.9, slots=dict(slots))


def call(tool: str, result: ToolResult) -> dict[str, object]:
    return {"tool": tool, "args": {}, "result": result.model_dump()}


# --------------------------------------------------------------------------- slots


def test_a_preposition_after_repo_is_not_the_repository_name() -> None:
    slots = extract_slots("anything landed in the billing repo during the past week?", NOW)
    assert slots.get("repo") == "billing"
    assert "repo" not in extract_slots("show me what the repo since monday has", NOW)


def test_an_incident_number_marked_with_a_state_is_the_incident() -> None:
    assert extract_slots("please mark #2203 as acknowledged", NOW).get("incident_id") == "2203"
    assert extract_slots("set 877 to resolved, false alarm", NOW).get("incident_id") == "877"


def test_the_holder_of_incidents_asked_with_has_or_does_is_the_person() -> None:
    assert extract_slots("what pages does frank have open", NOW).get("person") == "frank"
    assert extract_slots("which alerts is erin holding", NOW).get("person") == "erin"


def test_a_bare_cost_allocation_tag_key_groups_spend_by_that_tag() -> None:
    assert extract_slots("give me december's spend per owner", NOW).get("group_by") == "tag:owner"
    assert extract_slots("cloud bill broken down by project", NOW).get("group_by") == "tag:project"
    assert "group_by" not in extract_slots("page the team on call", NOW)


def test_part_of_a_period_is_no_service() -> None:
    assert "service" not in extract_slots("expected spend for the remainder of the month", NOW)
    assert "service" not in extract_slots("what will cost for the rest of the year look like", NOW)


def test_a_cost_question_naming_an_application_filters_by_its_tag_but_not_by_a_resource_name() -> None:
    cost = SPECIALIST_BY_NAME["cost"]
    app = cost.argument_values(route("cost.summary", "what did ledger cost", service="ledger"))
    assert app["app_service"] == "ledger"
    named = cost.argument_values(route("cost.summary", "cost of ledger-web",
                                       service="ledger-web", resource_name="ledger-web"))
    assert "app_service" not in named


def test_the_quarter_without_this_is_the_current_quarter() -> None:
    found = extract_slots("what did rds cost for the quarter", NOW)["time_range"]
    assert (found["start"], found["end"]) == ("2026-04-01", "2026-07-01")


# --------------------------------------------------------------------------- planning


def test_an_incident_brief_plans_the_incident_before_the_changes_it_borrows() -> None:
    plan = SPECIALIST_BY_NAME["incident"].plan(route("incident.brief", "catch me up on P4X7", incident_id="P4X7"),
                                               REGISTRY)
    names = [planned.spec.name for planned in plan.reads]
    assert "github_recent_changes" in names
    assert names[0] == "pagerduty_incident_brief"


def test_a_forecast_keeps_an_end_later_than_this_month_and_drops_this_months() -> None:
    today = datetime.now(UTC).date()
    far = month_after(month_after(today)).isoformat()
    cost = SPECIALIST_BY_NAME["cost"]
    later = cost.argument_values(route("cost.forecast", "forecast to then",
                                       time_range={"start": today.isoformat(), "end": far}))
    assert later.get("end") == far and "start" not in later
    this_month = cost.argument_values(route("cost.forecast", "forecast this month",
                                            time_range={"start": today.replace(day=1).isoformat(),
                                                        "end": today.isoformat()}))
    assert "end" not in this_month and "start" not in this_month


def test_month_after_is_the_first_of_the_next_month() -> None:
    assert month_after(date(2026, 12, 31)) == date(2027, 1, 1)
    assert month_after(date(2026, 2, 1)) == date(2026, 3, 1)


# --------------------------------------------------------------------------- answers


def test_an_ordinal_number_column_is_shown_without_thousands_separators() -> None:
    listed = ToolResult(status="ok", summary="1 open incident.", columns=["id", "number", "title"],
                        rows=[{"id": "PABC123", "number": 20417, "title": "queue backlog"}])
    table = typed_table(listed)
    assert table is not None
    assert [format_cell(cell) for cell in table.rows[0]][:2] == ["PABC123", "20417"]


SAVINGS = ToolResult(
    status="ok", summary="Found 3 candidates.", columns=["resource", "name", "kind", "region", "detail", "monthly_usd"],
    rows=[{"resource": "i-0big", "name": "etl-worker-3", "kind": "low CPU instance", "region": "us-west-2",
           "detail": "r5.2xlarge", "monthly_usd": 150.0},
          {"resource": "snap-0ld", "name": "ledger-backup-2019", "kind": "old snapshot", "region": "us-west-2",
           "detail": "80 GiB, 900 days old", "monthly_usd": 4.0},
          {"resource": "vol-0x", "name": "", "kind": "unattached volume", "region": "us-west-2",
           "detail": "20 GiB gp3", "monthly_usd": 1.6}],
    facts={}, resources=["i-0big", "snap-0ld", "vol-0x"])


def test_asking_for_old_snapshots_names_the_snapshot_and_counts_the_rest() -> None:
    answer = build_answer(route("cost.savings", "any ancient snapshots worth deleting?"),
                          [call("aws_savings", SAVINGS)])
    assert answer.lead == "1 of 3 savings candidates is an old snapshot: ledger-backup-2019 (snap-0ld)."
    assert answer.paragraphs and "2" in answer.paragraphs[0] and "etl-worker-3" not in answer.paragraphs[0]


def test_asking_for_oversized_machines_names_the_low_cpu_instance() -> None:
    answer = build_answer(route("cost.savings", "are any servers oversized for their load"),
                          [call("aws_savings", SAVINGS)])
    assert answer.lead.startswith("1 of 3 savings candidates is a low-CPU instance: etl-worker-3 (i-0big)")


def test_an_approval_clause_reads_as_one_sentence() -> None:
    assert as_clause("Re-run the failed jobs of run 42 in acme/api.") == "re-run the failed jobs of run 42 in acme/api"
    assert as_clause("EC2 reboot of i-0abc") == "EC2 reboot of i-0abc"
    assert as_clause("stop i-0abc (web-1)") == "stop i-0abc (web-1)"


CHANGES = ToolResult(
    status="ok", summary="Since 2026-05-07 in acme/ledger-api, acme/shop-web, acme/infra: 3 merged PRs.",
    columns=["age", "kind", "ref", "title", "author", "state"],
    rows=[{"repo": "acme/shop-web", "ref": "acme/shop-web#9", "title": "New banner", "kind": "merged PR"},
          {"repo": "acme/ledger-api", "ref": "acme/ledger-api#31", "title": "Batch writes", "kind": "merged PR"},
          {"repo": "acme/infra", "ref": "acme/infra#4", "title": "Bigger ledger database", "kind": "merged PR"}],
    facts={"since": "2026-05-07T00:00:00Z"}, resources=["acme/shop-web#9", "acme/ledger-api#31", "acme/infra#4"])
BRIEF = ToolResult(status="ok", summary="PXYZ (#7) Ledger writes failing: triggered.", columns=["time", "summary"],
                   rows=[], facts={"service": "ledger"}, resources=["PXYZ"])


def test_a_brief_keeps_the_changes_touching_the_incidents_service_and_counts_the_others() -> None:
    answer = build_answer(route("incident.brief", "brief me on PXYZ"),
                          [call("pagerduty_incident_brief", BRIEF), call("github_recent_changes", CHANGES)])
    assert answer.lead.startswith("PXYZ (#7)")
    said = answer.paragraphs[0]
    assert "2 of 3 recent changes" in said and "acme/ledger-api#31" in said and "acme/infra#4" in said
    assert "acme/shop-web#9" not in answer.shown_text() and "1 other elsewhere" in said


def test_changes_asked_for_themselves_are_not_narrowed() -> None:
    answer = build_answer(route("cicd.changes", "what merged this week"), [call("github_recent_changes", CHANGES)])
    assert "acme/shop-web#9" in answer.shown_text()


def test_whose_shift_is_asked_names_the_person() -> None:
    assert extract_slots("when does frank's on-call end?", NOW).get("person") == "frank"
    assert extract_slots("how long is dave's shift", NOW).get("person") == "dave"


def test_minutes_asked_for_logs_reach_the_log_tool_as_a_moment() -> None:
    from tools.aws.logs import LogsErrorsArgs, _window

    slots = extract_slots("errors in the ledger lambda over the last 15 minutes", datetime.now(UTC))
    values = SPECIALIST_BY_NAME["infrastructure"].argument_values(route("infra.logs", "errors", **slots))
    start, end = _window(LogsErrorsArgs.model_validate({k: values[k] for k in ("start", "end", "start_time")}))
    assert 14 * 60 <= (end - start).total_seconds() <= 16 * 60


def test_oversized_or_idle_keeps_every_idle_candidate_not_only_the_oversized_one() -> None:
    answer = build_answer(route("cost.savings", "anything oversized or idle we can get rid of?"),
                          [call("aws_savings", SAVINGS)])
    assert answer.lead.startswith("3 of 3 savings candidates")
    assert "vol-0x" in answer.lead and "etl-worker-3 (i-0big)" in answer.lead


def test_an_end_time_reads_as_a_clock_time_and_what_is_left() -> None:
    from tools.timefmt import until

    start = datetime(2026, 5, 14, 9, 0, tzinfo=UTC)
    assert until("2026-05-14T21:30:00Z", start) == "2026-05-14 21:30 UTC (in 12h 30m)"
    assert until("always", start) == "always"
    assert until("2026-05-13T08:00:00Z", start) == "2026-05-13 08:00 UTC"


def test_a_word_before_team_is_the_team_not_a_service() -> None:
    slots = extract_slots("open incidents for the ledger team?", NOW)
    assert slots.get("team") == "ledger" and "service" not in slots


def test_what_someone_owns_is_the_service_and_an_escalated_number_the_incident() -> None:
    assert extract_slots("get hold of whoever owns ledger", NOW).get("service") == "ledger"
    assert extract_slots("please escalate #3110, nobody is answering", NOW).get("incident_id") == "3110"


def test_a_place_in_a_list_is_no_service() -> None:
    assert "service" not in extract_slots("acknowledge the oldest incident please", NOW)
    assert "service" not in extract_slots("on call for the first one?", NOW)


def test_the_nth_one_after_a_list_is_that_row_of_the_list() -> None:
    from agents.conversations import TurnContext
    from agents.followup import apply_context

    listed = TurnContext(skill="incident.list", slots={}, resources=["PAAA111", "PBBB222", "Ann Lee", "PCCC333"])
    second = apply_context(route("incident.brief", "brief me on the second one"), listed, threshold=0.5)
    assert second.skill == "incident.brief" and second.slots["incident_id"] == "PBBB222"
    last = apply_context(route("incident.ack", "ack the last one"), listed, threshold=0.5)
    assert last.slots["incident_id"] == "PCCC333"
    beyond = apply_context(route("incident.brief", "and the fifth one"), listed, threshold=0.5)
    assert "incident_id" not in beyond.slots


def test_what_a_team_or_an_application_owns_filters_the_inventory() -> None:
    assert extract_slots("which functions does ledger own?", NOW).get("service") == "ledger"
    slots = extract_slots("what vms does the ledger team own", NOW)
    values = SPECIALIST_BY_NAME["infrastructure"].argument_values(route("infra.inventory", "vms", **slots))
    assert (values["tag_key"], values["tag_value"]) == ("team", "ledger")
