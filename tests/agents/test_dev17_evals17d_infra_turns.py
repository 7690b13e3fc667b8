"""dev17 (evals17d): what an infrastructure or runbook follow-up borrows from the turn before:
"over there" after a spend of one cloud, a machine the words name among several listed, the
kind of resource the previous turn was about, and a runbook "that" said in the same message."""

from __future__ import annotations

from agents.clarified import ITEMS, SAID
from agents.conversations import TurnContext
from agents.followup import ABOUT, _antecedent_in_the_message, apply_context
from tests.agents.routes import route


def test_over_there_after_one_clouds_spend_lists_that_clouds_machines() -> None:
    spend = TurnContext("cost.summary", {"cloud": "gcp", "time_range": {"start": "2026-01-01", "end": "2026-01-09"}})
    followed = apply_context(route("and which machines do we run out there", "infra.inventory",
                                   {"resource_type": "ec2"}, 1.0), spend, 0.45)
    assert followed.skill == "infra.inventory"
    assert followed.slots.get("cloud") == "gcp" and followed.slots.get("resource_type") == "ec2"


def test_an_item_pointer_after_a_spend_listing_is_still_the_listed_item() -> None:
    from agents.followup import _points_at_an_item
    assert _points_at_an_item("which region is it in over there")
    assert not _points_at_an_item("what runs over there")


FINDINGS = TurnContext("security.open_ports", {ITEMS: [
    {"id": "", "name": "ledger-sg", "region": "us-east-1"}, {"id": "", "name": "web-sg", "region": "us-east-1"}]},
    ["sg-0aaa111122223333a", "i-0aaa111122223333a", "i-0bbb111122223333b"])


def test_words_naming_one_listed_row_are_not_the_first_machine_listed() -> None:
    followed = apply_context(route("the ledger: how much memory has it got", "infra.describe",
                                   {"resource_type": "ec2"}, 1.0), FINDINGS, 0.45)
    assert followed.skill == "infra.describe"
    assert "instance_id" not in followed.slots


def test_it_alone_after_several_machines_is_still_the_first() -> None:
    followed = apply_context(route("how much memory has it got", "infra.describe", {"resource_type": "ec2"}, 1.0),
                             FINDINGS, 0.45)
    assert followed.slots.get("instance_id") == "i-0aaa111122223333a"


LOGS = TurnContext("infra.logs", {"resource_type": "lambda", "aws_service": "lambda"})


def test_the_x_one_after_a_kinds_logs_is_of_that_kind() -> None:
    followed = apply_context(route("how much memory does the billing one get", "infra.describe", {}, 0.8), LOGS, 0.45)
    assert followed.slots.get("resource_type") == "lambda"


def test_a_kind_or_name_said_in_the_turn_wins() -> None:
    own_kind = apply_context(route("how big is the billing one on ecs", "infra.describe",
                                   {"resource_type": "ecs_service"}, 0.8), LOGS, 0.45)
    assert own_kind.slots.get("resource_type") == "ecs_service"
    named = apply_context(route("what does the billing one run, billing-api-2", "infra.describe",
                                {"resource_name": "billing-api-2"}, 0.8), LOGS, 0.45)
    assert named.slots.get("resource_type") != "lambda"


BEFORE = TurnContext("infra.logs", {SAID: "errors from the ledger service today?"})


def test_that_said_in_the_same_message_is_what_the_runbook_is_about() -> None:
    followed = apply_context(route("replica is 40 minutes behind primary - how do we handle that",
                                   "knowledge.runbook", {}, 1.0), BEFORE, 0.45)
    assert ABOUT not in followed.slots


def test_that_opening_the_message_points_back_at_the_thread() -> None:
    followed = apply_context(route("how do we handle that, any doc?", "knowledge.runbook", {}, 1.0), BEFORE, 0.45)
    assert "ledger" in followed.slots.get(ABOUT, "")
    pointed = apply_context(route("it keeps happening every night. runbook?", "knowledge.runbook", {}, 1.0),
                            BEFORE, 0.45)
    assert "ledger" in pointed.slots.get(ABOUT, "")


def test_an_acknowledgement_first_is_no_subject_of_its_own() -> None:
    assert not _antecedent_in_the_message("cheers, thanks! how do I sort that out")
    assert _antecedent_in_the_message("payroll queue stuck at 9k messages; what do we do about it")


def test_a_grouping_by_resource_group_names_no_group() -> None:
    from agents.slots.entities import find_resource_group
    assert find_resource_group("storage spend per resource group so far this quarter") is None
    assert find_resource_group("break it down by resource group this week") is None
    assert find_resource_group("grouped by resource group rg-data, please") == "rg-data"  # a name still is one
    assert find_resource_group("what did resource group ledger cost us") == "ledger"
