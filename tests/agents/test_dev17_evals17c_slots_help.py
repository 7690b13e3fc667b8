"""dev17 (evals17c): slots of spend questions, the savings focus and help about permissions,
in words of their own:

- two regions asked side by side group a spend by region and narrow it to neither;
- a service joined with another kind of resource ("rds plus the buckets") narrows to no one service;
- "broken down per service" asks the service grouping out loud (a forecast is one total otherwise);
- "<name>'s spend / bill / forecast" names whose spend it is;
- "old hardware", "outdated instance types" are previous-generation instances;
- a help question asking whether one may use a read is answered for that read and that user.
"""

from __future__ import annotations

from datetime import UTC, datetime

from agents.focus import SUBJECTS, asked_facets
from agents.route import Route
from agents.slots import extract_slots
from agents.templates import asked_read

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def slots(text: str) -> dict:
    return extract_slots(text, NOW)


def test_two_regions_side_by_side_group_by_region() -> None:
    found = slots("how does ap-south-1 compare with us-west-2 on spend this month")
    assert "region" not in found and found["group_by"] == "region"


def test_one_region_still_narrows() -> None:
    found = slots("spend in ap-south-1 this month")
    assert found["region"] == "ap-south-1" and "group_by" not in found


def test_a_region_ruled_out_is_not_a_second_one() -> None:
    assert slots("us-west-2 spend, not ap-south-1")["region"] == "us-west-2"


def test_a_service_joined_with_another_kind_narrows_to_no_one_service() -> None:
    assert "aws_service" not in slots("what do rds plus the buckets cost the search team")
    assert "aws_service" not in slots("lambda and our databases, what did they run us last week")


def test_a_service_with_its_own_kind_still_narrows() -> None:
    assert slots("spend on ec2 instances last week")["aws_service"] == "ec2"
    assert slots("how much did s3 cost, and who owns the most buckets")["aws_service"] == "s3"


def test_per_service_asks_the_service_grouping() -> None:
    assert slots("projected spend next quarter, per service")["group_by"] == "service"
    assert slots("forecast split by aws service")["group_by"] == "service"
    assert slots("spend by service tag")["group_by"] == "tag:service"


def test_a_possessive_before_a_spend_noun_names_whose_spend() -> None:
    assert slots("growth's cloud bill for last month")["team"] == "growth"
    assert slots("whats ledger's projected spend")["team"] == "ledger"


def test_a_period_or_a_cloud_before_a_spend_noun_is_no_owner() -> None:
    assert "team" not in slots("last month's spend")
    assert "team" not in slots("this quarter's aws bill")
    assert "team" not in slots("what's azure's cost this week")


def test_old_hardware_is_the_previous_generation() -> None:
    subject = SUBJECTS["aws_savings"]
    for text in ("anything running on old hardware?", "outdated instance types we should move off",
                 "older families worth upgrading"):
        assert "previous_generation" in [facet.name for facet in asked_facets(subject, text)], text
    assert "previous_generation" not in [facet.name for facet in asked_facets(subject, "old snapshots?")]


def help_route(text: str, alternatives: list[tuple[str, float]]) -> Route:
    return Route(text=text, agent="knowledge", skill="help", confidence=0.9, alternatives=alternatives)


def test_a_permission_question_names_the_read_the_router_read_next() -> None:
    assert asked_read(help_route("with my role can i even see the security findings?",
                                 [("security.findings", 0.01), ("infra.logs", 0.001)])) == "security.findings"
    assert asked_read(help_route("is the spend stuff locked down for contractors?",
                                 [("cost.summary", 0.02)])) == "cost.summary"


def test_no_permission_words_or_no_clear_read_names_none() -> None:
    assert asked_read(help_route("what can you tell me about spend?", [("cost.summary", 0.3)])) is None
    assert asked_read(help_route("am i allowed to use you for stuff?",
                                 [("cost.summary", 0.01), ("infra.logs", 0.009)])) is None
    assert asked_read(help_route("am i allowed to restart things?", [("infra.action", 0.2)])) is None


def test_a_contraction_before_a_spend_noun_is_no_owner() -> None:
    assert "team" not in slots("wat's our s3 bill this month")
    assert "team" not in slots("who's got the biggest spend")
    assert "team" not in slots("that's the cost of doing business, what's lambda at")


def test_idling_and_an_old_generation_asked_together_keep_both() -> None:
    names = [facet.name for facet in asked_facets(SUBJECTS["aws_savings"], "any old-gen boxes, or stuff idling?")]
    assert "idle" in names and "previous_generation" in names
