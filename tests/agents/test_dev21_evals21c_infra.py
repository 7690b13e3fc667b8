"""dev21 (evals21c): other teams' words for a change ("cycle it", "kick the box", "switch it
off") are the same reboot/stop/start; Stackdriver and the Logs Explorer are Google Cloud's
logging; a question after a pasted line that describes its own subject ("the ledger worker")
does not take a name only the paste has as its subject; and "the biggest N" lists by size."""

from __future__ import annotations

from datetime import UTC, datetime

from agents.slots import extract_slots
from agents.slots.entities import find_action, find_cloud, find_order
from tools.aws.inventory import size_rank


def test_cycle_and_kick_a_machine_are_a_reboot() -> None:
    assert find_action("the vm is frozen, cycle that host") == "reboot"
    assert find_action("please kick the server, it stopped answering") == "reboot"
    assert find_action("kick ledger-api-3 for me") == "reboot"


def test_kick_it_again_and_billing_cycle_ask_no_machine_change() -> None:
    assert find_action("kick it again") is None  # the CI run's, after a failed deploy
    assert find_action("kick off a new build") is None
    assert find_action("what did the last billing cycle cost") is None


def test_switch_with_its_object_between_is_stop_or_start() -> None:
    assert find_action("could someone switch the box off tonight") == "stop"
    assert find_action("switch reporting-db-2 on again") == "start"
    assert find_action("switch off the staging node") == "stop"


def test_stackdriver_and_logs_explorer_are_google_cloud() -> None:
    assert find_cloud("anything red in stackdriver for the api?", None) == "gcp"
    assert find_cloud("the logs explorer shows a wall of warnings", None) == "gcp"
    assert find_cloud("cloud logging errors since noon", None) == "gcp"


def test_a_described_subject_keeps_the_paste_as_context() -> None:
    slots = extract_slots("ERROR refund failed for cus_9XY2 amount=1200\nwhat else is the ledger worker failing on",
                          datetime.now(UTC))
    assert "resource_name" not in slots


def test_a_subject_described_by_no_word_of_its_own_is_the_pasted_one() -> None:
    for ask in ("reboot the same box", "reboot the ec2 instance", "reboot it"):
        slots = extract_slots(f"CRITICAL disk 98% on search-eu-1\n{ask}", datetime.now(UTC))
        assert slots.get("resource_name") == "search-eu-1", ask


def test_biggest_or_smallest_orders_by_size() -> None:
    assert find_order("the three largest hosts in eu-west-1") == "size"
    assert find_order("list vms by size") == "size"
    assert find_order("our smallest instances please") == "size_asc"
    assert find_order("what instance type is it") is None


def test_size_rank_orders_instance_types() -> None:
    types = ["t3.nano", "c6i.8xlarge", "m5.large", "db.r6g.2xlarge", "r5.xlarge", "t3.medium"]
    assert sorted(types, key=size_rank) == ["t3.nano", "t3.medium", "m5.large", "r5.xlarge", "db.r6g.2xlarge",
                                            "c6i.8xlarge"]
    assert size_rank("python3.12") == size_rank("500 GiB gp3") == -1
