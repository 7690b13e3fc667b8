"""Security turns after another answer (dev17, evals17a): a finding's row is a listed item by
what it is about; a dotted control id names a row ("the CIS.3 one"); a message opening on a
listed finding asks its own question when the router is firm on another check of the same
agent (an account check then narrows to the finding's account); "which of those ..." after a
spend runs a security check the router is firm on; "that region/rg" lends the place."""

from __future__ import annotations

from agents.clarified import ITEMS, MEANT, items_of
from agents.conversations import TurnContext
from agents.followup import apply_context
from tests.agents.routes import route

THRESHOLD = 0.45


HUB_ROWS = [
    {"severity": "high", "title": "CIS.3 Root login used in the last 30 days", "resource": "arn:aws:iam::9:user/nora",
     "region": "eu-north-1"},
    {"severity": "low", "title": "ELB.4 Load balancers should drop invalid headers", "resource": "arn:aws:elb:lb/web",
     "region": "eu-north-1"},
    {"severity": "medium", "title": "Public read granted to everyone", "resource": "media-uploads-bkt",
     "region": "eu-north-1"},
]
FINDINGS = TurnContext("security.findings",
                       {"cloud": "aws", ITEMS: items_of([{"tool": "aws_security_hub_findings",
                                                          "result": {"rows": HUB_ROWS}}], {})},
                       [row["resource"] for row in HUB_ROWS])


def test_a_findings_row_without_id_or_name_is_listed_by_its_resource() -> None:
    listed = items_of([{"tool": "x", "result": {"rows": HUB_ROWS}}], {})
    assert [item["id"] for item in listed] == [row["resource"] for row in HUB_ROWS]
    assert listed[0]["detail"].startswith("CIS.3")


def test_a_dotted_control_id_opening_an_account_question_names_the_account() -> None:
    asked = apply_context(route("the CIS.3 one: does that login have admin rights too", "security.iam",
                                {"aws_service": "iam"}, 1.0), FINDINGS, THRESHOLD)
    assert asked.skill == "security.iam"
    assert "nora" in asked.slots[MEANT]
    assert "resource_name" not in asked.slots


def test_opening_on_a_finding_with_a_firm_other_check_keeps_that_check_of_the_item() -> None:
    asked = apply_context(route("the public read one, is that via an acl or a policy?", "security.public_storage",
                                {"resource_type": "s3"}, 0.98), FINDINGS, THRESHOLD)
    assert asked.skill == "security.public_storage"
    assert asked.slots.get("resource_name") == "media-uploads-bkt"


def test_opening_on_a_finding_with_an_unsure_other_check_is_the_finding_again() -> None:
    asked = apply_context(route("the public read one, is that bad", "security.public_storage", confidence=0.6),
                          FINDINGS, THRESHOLD)
    assert asked.skill == "security.findings"


def test_opening_on_a_finding_while_the_router_also_reads_findings_is_the_finding() -> None:
    asked = apply_context(route("the ELB.4 thing - how bad", "security.open_ports", confidence=0.8,
                                alternatives=[("security.findings", 0.3)]), FINDINGS, THRESHOLD)
    assert asked.skill == "security.findings"


SPEND = TurnContext("cost.summary", {"cloud": "gcp", "time_range": {"start": "2026-11-01", "end": "2026-12-01"}},
                    [])


def test_which_of_those_after_a_spend_runs_a_firm_security_check_there() -> None:
    asked = apply_context(route("are any of those buckets open to anonymous users", "security.public_storage",
                                {"resource_type": "s3"}, 0.99), SPEND, THRESHOLD)
    assert asked.skill == "security.public_storage"
    assert asked.slots["cloud"] == "gcp"


def test_which_of_those_after_a_spend_read_unsure_elsewhere_is_the_spend_again() -> None:
    asked = apply_context(route("which of those went up", "security.public_storage", confidence=0.5), SPEND,
                          THRESHOLD)
    assert asked.skill == "cost.summary"


RG_SPEND = TurnContext("cost.summary", {"cloud": "azure", "resource_group": "rg-data"}, [])


def test_that_resource_group_lends_the_place_and_its_cloud() -> None:
    asked = apply_context(route("is anything in that resource group open to the world", "security.open_ports",
                                confidence=0.97), RG_SPEND, THRESHOLD)
    assert asked.skill == "security.open_ports"
    assert asked.slots["resource_group"] == "rg-data"
    assert asked.slots["cloud"] == "azure"


def test_a_place_named_in_the_turn_is_not_overridden() -> None:
    asked = apply_context(route("what about that region rg-web then, anything exposed", "security.open_ports",
                                {"resource_group": "rg-web"}, 0.97), RG_SPEND, THRESHOLD)
    assert asked.slots["resource_group"] == "rg-web"


def test_which_thing_an_opened_on_finding_concerns_is_the_finding_again() -> None:
    asked = apply_context(route("the root login one - which user is that about", "security.iam",
                                {"aws_service": "iam"}, 1.0), FINDINGS, THRESHOLD)
    assert asked.skill == "security.findings"


def test_more_about_a_finding_is_the_finding_whatever_check_the_router_read() -> None:
    asked = apply_context(route("tell me more about the public read one", "security.public_storage",
                                {"resource_type": "s3"}, 0.95), FINDINGS, THRESHOLD)
    assert asked.skill == "security.findings"
