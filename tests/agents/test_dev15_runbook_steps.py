"""A runbook question asking what to do quotes the section of the best-matching runbook that says
what to do, when the best match only says when the runbook applies or how to verify a fix; a
question about what something means keeps the best match."""

from __future__ import annotations

from agents.templates import best_section, runbook_answer
from tools.base import ToolResult


def hit(section: str, source: str = "broker-down.md", title: str = "Message broker down") -> dict[str, str]:
    return {"title": title, "section": section, "source": source, "text": f"{title}: {section} text"}


def test_asking_for_the_steps_skips_the_applicability_section() -> None:
    rows = [hit("When this fires"), hit("Escalate"), hit("Diagnose")]
    assert best_section(rows, "the broker is down, what should we do")["section"] == "Diagnose"


def test_asking_for_a_remediation_skips_the_verification_section() -> None:
    rows = [hit("Verify"), hit("Mitigate"), hit("Fix")]
    assert best_section(rows, "remediation for this?")["section"] == "Mitigate"


def test_asking_what_it_means_keeps_the_best_match() -> None:
    rows = [hit("When this fires"), hit("Mitigate")]
    assert best_section(rows, "what does the broker-down alert mean")["section"] == "When this fires"


def test_a_step_section_of_another_runbook_is_not_taken() -> None:
    rows = [hit("When this fires"), hit("Mitigate", source="disk.md", title="Disk full")]
    assert best_section(rows, "what do i do")["source"] == "broker-down.md"
    assert best_section(rows, "what do i do")["section"] == "When this fires"


def test_the_answer_quotes_the_chosen_section_and_lists_the_others() -> None:
    result = ToolResult(status="ok", rows=[hit("When this fires"), hit("Triage"), hit("Prevent")])
    lines, quotes, tables = runbook_answer(result, "steps to get the broker back?")
    assert lines == ["From the runbook Message broker down, section Triage (broker-down.md):"]
    assert "Triage text" in quotes[0].text
    assert [cell.value for cell in tables[0].column("section")] == ["When this fires", "Prevent"]
