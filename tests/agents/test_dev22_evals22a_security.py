"""dev22 (evals22a): security turns typed in a hurry. The answer narrows its rows by the words as
the router read them (typos repaired), not as typed; a follow-up opening like an ellipsis that
names another check of the same agent in full is that check; "add the lows too" after a list of
rated findings shows the levels already shown and the new one. Rows are literal, as tools return them."""

from __future__ import annotations

import pytest

from agents.clarified import SAID
from agents.conversations import TurnContext
from agents.focus import LISTED_WORDS, focus, focus_text
from agents.followup import apply_context
from agents.router import SkillRouter
from tests.agents.routes import route
from tools.base import ToolResult

THRESHOLD = 0.45
FINDINGS = ToolResult(
    status="ok", summary="Security Hub has 4 active findings.", columns=["severity", "title", "resource", "region"],
    rows=[{"severity": "critical", "title": "S3.1 block public access should be on", "resource": "logs-bucket",
           "region": "ca-central-1"},
          {"severity": "high", "title": "EC2.18 only authorised ports open", "resource": "sg-0abc",
           "region": "ca-central-1"},
          {"severity": "medium", "title": "IAM.3 keys rotated every 90 days", "resource": "svc-build",
           "region": "ca-central-1"},
          {"severity": "low", "title": "CloudWatch.1 log metric filter", "resource": "trail-1",
           "region": "ca-central-1"}],
    facts={"total": 4})


def test_the_answer_narrows_by_the_words_as_meant(router: SkillRouter) -> None:
    typed = router.route("only critcal or hihg ones pls")
    assert typed.text == "only critcal or hihg ones pls"  # what the audit and the answer quote stays as typed
    assert typed.words == "only critical or high ones pls"
    focused = focus("aws_security_hub_findings", FINDINGS, focus_text(typed.words, typed.slots))
    assert focused is not None
    assert [row["severity"] for row in focused.rows] == ["critical", "high"]


def test_a_router_without_a_speller_leaves_the_words_as_typed(router: SkillRouter) -> None:
    plain = SkillRouter(router.embedder, cache_dir=router.cache_dir, repair_typos=False)
    typed = plain.route("only critcal or hihg ones pls")
    assert typed.meant is None
    assert typed.words == "only critcal or hihg ones pls"


BUCKETS = TurnContext("security.public_storage", {"cloud": "azure", SAID: "public storage accounts?"}, ["stmedia"])


@pytest.mark.parametrize(("text", "skill", "slots"), [
    ("ok now the nsg rules there, anything wide open", "security.open_ports",
     {"cloud": "azure", "resource_type": "security_group"}),
    ("and iam users with no mfa", "security.iam", {"aws_service": "iam"})])
def test_another_check_of_the_agent_named_in_full_is_that_check(text: str, skill: str, slots: dict[str, str]) -> None:
    asked = apply_context(route(text, skill, slots, confidence=0.97), BUCKETS, THRESHOLD)
    assert asked.skill == skill


def test_a_place_alone_read_firmly_as_another_check_is_still_the_same_check() -> None:
    read = route("and in westeurope?", "security.open_ports", {"cloud": "azure", "location": "westeurope"}, 0.97)
    asked = apply_context(read, BUCKETS, THRESHOLD)
    assert asked.skill == "security.public_storage"


def test_a_bare_place_after_a_check_is_still_the_same_check() -> None:
    asked = apply_context(route("and on gcp?", "security.open_ports", {"cloud": "gcp"}, confidence=0.5),
                          BUCKETS, THRESHOLD)
    assert asked.skill == "security.public_storage"


RATED = TurnContext("security.findings", {"cloud": "aws", SAID: "sechub criticals only"}, [])


@pytest.mark.parametrize("text", ["add the highs as well", "plus the high ones too"])
def test_more_levels_after_a_rated_list_keep_the_levels_shown(text: str) -> None:
    asked = apply_context(route(text, "cicd.changes", confidence=0.05), RATED, THRESHOLD)
    assert asked.skill == "security.findings"
    focused = focus("aws_security_hub_findings", FINDINGS, focus_text(asked.words, asked.slots))
    assert asked.slots.get(LISTED_WORDS) == "sechub criticals only"
    assert focused is not None
    assert [row["severity"] for row in focused.rows] == ["critical", "high"]


def test_a_firm_question_elsewhere_naming_a_level_is_not_a_wider_list() -> None:
    asked = apply_context(route("any high urgency pages too", "incident.list", confidence=0.95), RATED, THRESHOLD)
    assert asked.skill == "incident.list"


@pytest.mark.parametrize("text", ["that login, is she api only or on the web too",
                                  "is it api access only for that user"])
def test_a_pronoun_before_api_names_no_service(text: str) -> None:
    from datetime import UTC, datetime

    from agents.slots import extract_slots

    assert "service" not in extract_slots(text, datetime(2026, 3, 2, tzinfo=UTC))
