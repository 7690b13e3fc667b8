"""dev20 (evals20c): a word saying which lines are wanted ("the precise error", "the raw logs")
names no service, so a hyphenated resource named beside it still picks the log group; and a
state question about one machine ("is that box up?") answers for that machine by name and keeps
its row, whose other columns (its machine type) answer the rest of the question; "same thing but
the <place>" repeats the previous question there, like "same thing for <place>"."""

from __future__ import annotations

from datetime import UTC, datetime

from agents.conversations import TurnContext
from agents.focus import focus
from agents.followup import apply_context, is_elliptical
from agents.slots import extract_slots
from agents.slots.entities import find_service
from tests.agents.routes import route
from tools.base import ToolResult


def test_a_qualifier_before_error_is_no_service() -> None:
    for word in ("exact", "actual", "precise", "raw", "verbatim"):
        assert find_service(f"send me the {word} error lines from yesterday") is None


def test_the_hyphenated_function_stays_the_logs_subject() -> None:
    slots = extract_slots("for the incident doc, what was the precise error the ledger-sync lambda printed",
                          datetime.now(UTC))
    assert slots.get("service") in (None, "ledger-sync")
    assert slots.get("resource_name") == "ledger-sync"


ONE_VM = ToolResult(
    status="ok", summary="1 resource in Google Cloud project acme-prod: 1 instance (render-node-3).",
    columns=["type", "name", "id", "location", "state", "detail"],
    rows=[{"type": "instance", "name": "render-node-3", "id": "123", "location": "europe-west4-a",
           "state": "TERMINATED", "detail": "n2-standard-16"}],
    facts={"total": 1})


def test_one_machine_asked_whether_up_is_answered_by_name_with_its_row() -> None:
    focused = focus("gcp_inventory", ONE_VM, "is that render box up at the moment? what machine type is it")
    assert focused is not None
    assert focused.lead.startswith("render-node-3 is not running")
    assert "None of the" not in focused.lead
    assert [row["name"] for row in focused.rows] == ["render-node-3"]


def test_one_running_machine_is_said_running() -> None:
    up = ONE_VM.model_copy(update={"rows": [{**ONE_VM.rows[0], "state": "RUNNING"}]})
    focused = focus("gcp_inventory", up, "is the render vm up")
    assert focused is not None
    assert focused.lead.startswith("render-node-3 is running")
    assert focused.rows == up.rows


def test_same_thing_but_a_place_without_preposition_is_an_ellipsis() -> None:
    assert is_elliptical("same thing but the azure side")
    assert is_elliptical("same question but staging this time")
    assert not is_elliptical("same thing but who is on call")


def test_same_thing_but_another_cloud_repeats_the_previous_skill() -> None:
    earlier = TurnContext("infra.logs", {"service": "ledger-api", "cloud": "aws"}, [])
    asked = apply_context(route("same thing but the gcp side", "help", {"cloud": "gcp"}, 0.3), earlier, 0.45)
    assert asked.skill == "infra.logs"
    assert asked.slots.get("cloud") == "gcp"


def test_logs_asked_again_on_another_cloud_keep_the_application() -> None:
    earlier = TurnContext("infra.logs", {"service": "ledger-api", "resource_name": "ledger-api", "cloud": "aws",
                                         "region": "us-west-2"}, [])
    asked = apply_context(route("and on azure?", "infra.logs", {"cloud": "azure"}, 0.3), earlier, 0.45)
    assert asked.slots.get("service") == "ledger-api"
    assert "region" not in asked.slots and "resource_name" not in asked.slots


def test_a_listing_asked_on_another_cloud_keeps_no_service() -> None:
    earlier = TurnContext("infra.inventory", {"service": "ledger", "cloud": "aws"}, [])
    asked = apply_context(route("and on azure?", "infra.inventory", {"cloud": "azure"}, 0.3), earlier, 0.45)
    assert "service" not in asked.slots
