"""Security turns (dev18, evals18a): "same question but for X" is the previous question in
another place; a turn asking why the previous list holds nothing for a place is that list's
check again over the place; a scanner the words rule out ("skip GD", "not the sec hub ones")
is not read while another one still answers."""

from __future__ import annotations

from agents.conversations import TurnContext
from agents.followup import apply_context, is_elliptical
from agents.route import Route
from agents.specialists import scanners_ruled_out, specialist_for
from tests.agents.routes import route
from tools.aws import AWS_TOOLS
from tools.knowledge import KNOWLEDGE_TOOLS
from tools.registry import ToolRegistry

THRESHOLD = 0.45
REGISTRY = ToolRegistry([*AWS_TOOLS, *KNOWLEDGE_TOOLS])


def test_same_thing_with_a_but_before_the_place_is_elliptical() -> None:
    assert is_elliptical("same thing but for azure pls")
    assert is_elliptical("the same check again in staging")
    assert not is_elliptical("same thing but who is on call for it")


def test_same_thing_but_for_another_cloud_asks_the_posture_there() -> None:
    score = TurnContext("security.posture", {"cloud": "aws"}, [])
    asked = apply_context(route("same thing but for azure pls", "help", {"cloud": "azure"}, 1.0), score, THRESHOLD)
    assert asked.skill == "security.posture"
    assert asked.slots["cloud"] == "azure"


def test_why_a_place_is_missing_from_the_list_is_the_check_over_that_place() -> None:
    threats = TurnContext("security.findings", {"cloud": "aws", "aws_service": "guardduty"}, [])
    asked = apply_context(route("how come there's nothing for us-west-2 in that table", "infra.inventory",
                                {"region": "us-west-2", "cloud": "aws"}, 0.5), threats, THRESHOLD)
    assert asked.skill == "security.findings"
    assert asked.slots["region"] == "us-west-2"
    assert asked.slots["aws_service"] == "guardduty"


def test_a_place_missing_from_the_logs_is_no_question_about_the_list() -> None:
    threats = TurnContext("security.findings", {"cloud": "aws"}, [])
    asked = apply_context(route("why is there nothing from us-west-2 in the logs", "infra.logs",
                                {"region": "us-west-2"}, 0.5), threats, THRESHOLD)
    assert asked.skill != "security.findings"


def test_the_scanners_a_request_sets_aside() -> None:
    assert scanners_ruled_out("only the hub stuff, skip GD") == {"aws_guardduty_findings"}
    assert scanners_ruled_out("guard duty ones, not the sec hub ones") == {"aws_security_hub_findings"}
    assert scanners_ruled_out("why are there no guardduty findings in eu-central-1") == set()
    assert scanners_ruled_out("anything high from guardduty?") == set()


def _reads(text: str, slots: dict[str, object]) -> list[str]:
    asked = Route(text=text, agent="security", skill="security.findings", confidence=0.9, slots=slots)
    return [call.spec.name for call in specialist_for("security.findings").plan(asked, REGISTRY).reads]


def test_a_scanner_ruled_out_is_not_read() -> None:
    reads = _reads("high sev stuff from security hub, ignore guardduty", {"aws_service": "securityhub"})
    assert "aws_security_hub_findings" in reads and "aws_guardduty_findings" not in reads
    reads = _reads("threat findings except the security hub ones", {})
    assert "aws_guardduty_findings" in reads and "aws_security_hub_findings" not in reads


def test_both_scanners_ruled_out_still_reads_one() -> None:
    reads = _reads("not guardduty, not security hub, something else", {})
    assert {"aws_guardduty_findings", "aws_security_hub_findings"} & set(reads)


def test_that_group_after_open_groups_lends_the_group_not_a_machine() -> None:
    groups = TurnContext("security.open_ports", {"cloud": "aws"}, ["sg-0abc1234", "web-tier", "i-0123456789abcdef0"])
    asked = apply_context(route("does security hub flag anything about this sg", "security.findings",
                                {"aws_service": "securityhub"}, 0.95), groups, THRESHOLD)
    assert asked.slots.get("resource_name") == "sg-0abc1234"
    assert "instance_id" not in asked.slots
