"""dev20 (evals20a): security turns in people's own words. A follow-up asking the list's own
check of one listed item keeps the cloud the list was looked up in; Google Cloud said as
"the google side" names that cloud (a google login or doc does not); a clause asking whether a
scanner is switched on somewhere keeps the region another clause names from filtering the list."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agents.clarified import MEANT
from agents.conversations import TurnContext
from agents.followup import apply_context
from agents.route import Route
from agents.slots import extract_slots
from agents.specialists import SPECIALIST_BY_NAME, coverage_asked_of_another_place, specialist_for
from tests.agents.routes import route

THRESHOLD = 0.45
NOW = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)

GCS_LIST = TurnContext("security.public_storage", {"cloud": "gcp", "resource_type": "s3"},
                       ["acme-gcs-media", "acme-gcs-vendor-drop"])


@pytest.mark.parametrize("text", ["who can read the vendor drop one, the whole internet?",
                                  "is the media one world readable or only for signed in users"])
def test_the_same_check_of_a_listed_item_stays_in_the_lists_cloud(text: str) -> None:
    asked = apply_context(route(text, "security.public_storage", confidence=0.95), GCS_LIST, THRESHOLD)
    assert asked.skill == "security.public_storage"
    assert asked.slots.get("cloud") == "gcp"


def test_a_follow_up_naming_its_own_cloud_keeps_it() -> None:
    asked = apply_context(route("and the azure one?", "security.public_storage", {"cloud": "azure"}, 0.95),
                          GCS_LIST, THRESHOLD)
    assert asked.slots.get("cloud") == "azure"


@pytest.mark.parametrize("text", ["run that again for the google side", "what about over on google?",
                                  "now do the same in google"])
def test_google_alone_names_its_cloud(text: str) -> None:
    assert extract_slots(text, NOW).get("cloud") == "gcp"


@pytest.mark.parametrize("text", ["can anyone with a google login read it", "is it in google docs somewhere",
                                  "i searched on google for the error"])
def test_a_google_product_names_no_cloud(text: str) -> None:
    assert extract_slots(text, NOW).get("cloud") != "gcp"


def security_route(text: str) -> Route:
    return Route(text=text, agent=specialist_for("security.findings").name, skill="security.findings",
                 confidence=0.9, slots=extract_slots(text, NOW))


@pytest.mark.parametrize("text", [
    "are the europe detectors even active? and show me what it flagged in sa-east-1",
    "what got flagged in sa-east-1? also are our us detectors even on",
])
def test_a_switched_on_question_about_another_place_lifts_the_region_filter(text: str) -> None:
    asked = security_route(text)
    assert asked.slots.get("region") == "sa-east-1"
    assert "region" not in SPECIALIST_BY_NAME["security"].argument_values(asked)


@pytest.mark.parametrize("text", ["threat findings in sa-east-1 please",
                                  "what did it flag in sa-east-1, and is it serious",
                                  "is the detector running in sa-east-1?"])
def test_a_region_asked_alone_still_filters(text: str) -> None:
    asked = security_route(text)
    assert SPECIALIST_BY_NAME["security"].argument_values(asked).get("region") == "sa-east-1"
    assert not coverage_asked_of_another_place(text, "sa-east-1")


NO_MFA = TurnContext("security.iam", {"cloud": "aws"}, ["kimura"])


@pytest.mark.parametrize("text", ["could you expire her password for now", "pls lock his console login till monday"])
def test_an_unsure_sign_in_matter_of_the_account_named_is_the_account_check(text: str) -> None:
    asked = apply_context(route(text, "incident.page", confidence=0.3), NO_MFA, THRESHOLD)
    assert asked.skill == "security.iam"
    assert asked.slots.get(MEANT) == ["kimura"]


def test_a_firm_reading_of_another_skill_is_kept() -> None:
    asked = apply_context(route("page him about his password", "incident.page", confidence=0.95), NO_MFA, THRESHOLD)
    assert asked.skill == "incident.page"
