"""A scanner's coverage, said beside what was asked: a region named only in a question of
whether the scanner runs there ("and is it even on in europe?") does not filter the list asked
for in another clause, and what a result leaves out of its rows (its caveat: regions a scanner
is off in, archived findings) stays in an answer that narrows to some of the rows."""

from __future__ import annotations

from datetime import UTC, datetime

from agents.route import Route
from agents.slots import extract_slots
from agents.specialists import SPECIALIST_BY_NAME, region_only_in_coverage_question, specialist_for
from agents.templates import build_answer
from tools.base import CAVEAT, ToolResult

NOW = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def route(skill: str, text: str) -> Route:
    return Route(
        text=text, agent=specialist_for(skill).name, skill=skill, confidence=0.9, slots=extract_slots(text, NOW)
    )


def test_a_region_in_an_is_it_enabled_clause_is_no_filter_of_the_list() -> None:
    asked = route(
        "security.findings",
        "show me the threat detections, worst first - btw is the detector even turned on in ap-southeast-2?",
    )
    assert asked.slots.get("region") == "ap-southeast-2"
    assert "region" not in SPECIALIST_BY_NAME["security"].argument_values(asked)


def test_a_region_asked_for_alone_still_filters() -> None:
    for text in (
        "findings in ca-central-1 only",
        "is security hub enabled in ca-central-1?",
        "what did guardduty flag in ca-central-1, and is it high severity",
    ):
        asked = route("security.findings", text)
        assert SPECIALIST_BY_NAME["security"].argument_values(asked).get("region") == "ca-central-1", text


def test_the_clauses_are_told_apart() -> None:
    assert region_only_in_coverage_question("list every finding; also, is it active in eu-central-1")
    assert not region_only_in_coverage_question("which findings are active in eu-central-1")
    assert not region_only_in_coverage_question("any findings at all?")


DETECTIONS = ToolResult(
    status="ok",
    summary="GuardDuty has 2 active findings in ap-southeast-2.",
    columns=["severity", "type", "title", "resource", "region"],
    rows=[
        {
            "severity": "high",
            "type": "Backdoor:EC2/C&CActivity.B",
            "title": "EC2 instance kiwi-gw-2 calls a C&C host.",
            "resource": "i-0kiwi",
            "region": "ap-southeast-2",
        },
        {
            "severity": "low",
            "type": "Recon:EC2/Portscan",
            "title": "EC2 instance tui-app-1 scans ports.",
            "resource": "i-0tui",
            "region": "ap-southeast-2",
        },
    ],
    facts={"total": 2, CAVEAT: "GuardDuty holds 4 more archived findings, not listed."},
)


def test_a_narrowed_answer_keeps_what_the_rows_leave_out() -> None:
    answer = build_answer(
        route("security.findings", "only the high ones pls"),
        [{"tool": "aws_guardduty_findings", "args": {}, "result": DETECTIONS.model_dump()}],
    )
    shown = answer.shown_text()
    assert "kiwi-gw-2" in shown and "tui-app-1" not in answer.lead
    assert "4 more archived findings" in shown
