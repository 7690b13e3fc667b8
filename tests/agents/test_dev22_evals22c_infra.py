"""dev22 (evals22c): a phrasal verb with its object in between ("power it on", "turn the box
off") is the machine's start or stop, and power is never a CI run's, whatever CI word gives the
reason; and a machine noun naming no machine ("cycle the host", "reboot that box") after a turn
about one machine is that machine, as "it" is."""

from __future__ import annotations

from agents.conversations import TurnContext
from agents.followup import apply_context
from agents.slots.entities import find_action
from tests.agents.routes import route


def test_a_phrasal_verb_split_by_its_object_is_the_action() -> None:
    assert find_action("can you power the server on") == "start"
    assert find_action("turn that box off for the weekend") == "stop"
    assert find_action("spin it back up") == "start"
    assert find_action("shut the vm down tonight") == "stop"


def test_power_is_a_machine_change_whatever_ci_word_gives_the_reason() -> None:
    assert find_action("power it up, the nightly job kicks off at 2") == "start"
    assert find_action("power cycle it, the build keeps hanging") == "reboot"
    assert find_action("restart the nightly build") == "rerun"  # no power: the CI word is the object


DESCRIBED = TurnContext("infra.describe", {"resource_name": "ledger-node-3", "cloud": "aws"}, ["i-0abc1234"])


def test_the_machine_named_by_its_kind_is_the_one_just_described() -> None:
    asked = route("the vm itself is fine but the queue consumer hangs - reboot the box", "infra.action",
                  {"action": "reboot", "resource_type": "ec2"})
    got = apply_context(asked, DESCRIBED, 0.5)
    assert got.skill == "infra.action"
    assert got.slots.get("resource_name") == "ledger-node-3" or got.slots.get("instance_id") == "i-0abc1234"


def test_a_machine_noun_followed_by_a_name_lends_nothing() -> None:
    asked = route("reboot the vm ledger-node-4", "infra.action", {"action": "reboot", "resource_name": "ledger-node-4"})
    got = apply_context(asked, DESCRIBED, 0.5)
    assert got.slots["resource_name"] == "ledger-node-4"


def _db(name: str, service: str) -> dict[str, str]:
    return {"id": name, "name": name, "kind": "rds", "cloud": "aws", "region": "eu-central-1", "env": "prod",
            "state": "available", "service": service, "detail": "postgres"}


LISTED_DBS = [_db("orders-db", "orders"), _db("ledger-db", "billing")]


def test_the_one_a_named_app_uses_is_that_apps_row_of_the_list() -> None:
    from agents.followup import _listed_item

    asked = route("the one that the billing service talks to - is it multi-az?", "infra.describe")
    assert _listed_item(asked, LISTED_DBS) == _listed_item(route("the billing one", "infra.describe"), LISTED_DBS)
    assert _listed_item(asked, LISTED_DBS)["resource_name"] == "ledger-db"
    assert _listed_item(route("the one orders uses", "infra.describe"), LISTED_DBS)["resource_name"] == "orders-db"


def _slots(text: str) -> dict:
    from datetime import UTC, datetime

    from agents.slots import extract_slots

    return extract_slots(text, datetime.now(UTC))


def test_the_service_named_after_the_machines_is_their_purpose() -> None:
    assert _slots("what hosts are up for ledger these days")["service"] == "ledger"
    assert _slots("the boxes behind orders, all of them")["service"] == "orders"
    assert "service" not in _slots("which nodes sit behind the load balancer")
    assert "service" not in _slots("can we get two servers for a demo")


def test_two_environments_joined_narrow_to_neither() -> None:
    assert "env" not in _slots("ledger machines, staging and prod please")
    assert "env" not in _slots("every vm for billing - prod plus whatever dev ones exist")
    assert _slots("only the staging ledger machines")["env"] == "staging"
