"""dev18 (evals18c): a start verb whose object is a host named for its environment (the CI word
only in the reason), such a change after a turn about machines, several kinds of resource listed
side by side, "the other region" after one region, and a machine state said not to count."""

from __future__ import annotations

from datetime import UTC, datetime

from agents.conversations import TurnContext
from agents.focus import SUBJECTS, asked_facets
from agents.followup import apply_context
from agents.slots import extract_slots
from agents.slots.entities import find_action
from tests.agents.routes import route


def test_a_host_named_for_its_environment_is_a_machine_to_start() -> None:
    assert find_action("power on billing-api-prod, the nightly build needs it") == "start"
    assert find_action("spin up ledger-uat so we can run the test suite against it") == "start"


def test_a_ci_name_ending_in_an_environment_is_still_a_run() -> None:
    assert find_action("restart deploy-staging, the pipeline is stuck") == "rerun"
    assert find_action("start the pipeline for deploy-prod") == "rerun"


MACHINES = TurnContext("infra.inventory", {"cloud": "azure", "resource_type": "ec2"})


def test_a_machine_change_after_machines_is_not_a_ci_rerun() -> None:
    read = route("boot billing-api-prod again, the nightly build needs it", "cicd.rerun",
                 {"action": "start", "resource_name": "billing-api-prod"}, 0.9)
    followed = apply_context(read, MACHINES, 0.45)
    assert followed.skill == "infra.action"


def test_a_rerun_after_machines_stays_a_rerun() -> None:
    read = route("rerun the deploy workflow on main", "cicd.rerun", {"action": "rerun"}, 0.9)
    assert apply_context(read, MACHINES, 0.45).skill == "cicd.rerun"


def test_kinds_listed_side_by_side_narrow_to_none() -> None:
    now = datetime.now(UTC)
    assert "resource_type" not in extract_slots("what does search run? servers, dbs, lambdas, anything", now)
    assert "resource_type" not in extract_slots("vms and disks of the ledger service", now)
    assert extract_slots("which servers are stopped", now).get("resource_type") == "ec2"


def test_the_other_region_after_one_region_rules_that_one_out() -> None:
    before = TurnContext("infra.inventory", {"region": "eu-west-1", "resource_type": "rds"})
    followed = apply_context(route("what about the other region", "infra.inventory", {}, 0.5), before, 0.45)
    assert followed.slots.get("region") == "!eu-west-1"
    spend = TurnContext("cost.summary", {"region": "eu-west-1"})
    assert apply_context(route("and the other region", "cost.summary", {}, 0.5), spend, 0.45).slots.get(
        "region") != "!eu-west-1"


def test_a_state_said_not_to_count_is_left_out() -> None:
    facets = asked_facets(SUBJECTS["azure_inventory"], "which azure vms are up? deallocated boxes don't matter")
    assert [facet.name for facet in facets] == ["running"]
    both = asked_facets(SUBJECTS["gcp_inventory"], "how many gce vms are terminated")
    assert [facet.name for facet in both] == ["stopped"]


def test_the_resource_groups_asked_for_are_the_rows() -> None:
    from agents.specialists import SPECIALIST_BY_NAME
    infra = SPECIALIST_BY_NAME["infrastructure"]
    asked = route("what rgs have we got on azure and where are they", "infra.inventory", {"cloud": "azure"})
    assert infra.argument_values(asked).get("resource_type") == "resource_group"
    grouped = route("azure vms by resource group", "infra.inventory",
                    {"cloud": "azure", "group_by": "resource_group", "resource_type": "ec2"})
    assert infra.argument_values(grouped).get("resource_type") != "resource_group"


def test_one_line_of_a_functions_errors_keeps_that_functions_log() -> None:
    errors = TurnContext("infra.logs", {"resource_name": "ledger-sync"})
    followed = apply_context(route("just the timeout one pls", "infra.inventory", {}, 0.2), errors, 0.45)
    assert followed.skill == "infra.logs" and followed.slots.get("resource_name") == "ledger-sync"
    other = apply_context(route("the billing-api one", "infra.logs", {"resource_name": "billing-api"}, 0.9),
                          errors, 0.45)
    assert other.slots.get("resource_name") == "billing-api"
