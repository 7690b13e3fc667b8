"""Security answers narrowed by what was asked and follow-ups to them: a question that asks
whether buckets are encrypted, rules open to the IPv6 internet, a bucket given by its full
name without the word "bucket", "the same check for <cloud>", and a question about what
makes up the previous answer's figure."""

from __future__ import annotations

import pytest

from agents.conversations import TurnContext
from agents.focus import focus
from agents.followup import apply_context
from agents.route import Route
from agents.specialists import specialist_for
from tools.aws.security import _named_buckets
from tools.base import ToolResult

THRESHOLD = 0.45


def route(text: str, skill: str = "help", slots: dict | None = None, confidence: float = 0.2) -> Route:
    agent = {"infra": "infrastructure"}.get(skill.split(".")[0], skill.split(".")[0])
    return Route(text=text, agent=agent, skill=skill, confidence=confidence, slots=slots or {}, alternatives=[])


STORES = ToolResult(status="ok", columns=["bucket", "public", "encrypted"], facts={"buckets_checked": 9}, rows=[
    {"bucket": "acme-site", "public": True, "encrypted": True},
    {"bucket": "acme-lake", "public": False, "encrypted": False}])


@pytest.mark.parametrize("text", ["are the lake and site buckets encrypted or not", "sse enabled everywhere?",
                                  "site bucket: world readable? encryption?"])
def test_asking_whether_buckets_are_encrypted_names_the_ones_without(text: str) -> None:
    focused = focus("aws_public_buckets", STORES, text)
    assert focused is not None and "acme-lake" in focused.lead


def test_asking_only_about_exposure_still_leaves_encryption_as_a_count() -> None:
    focused = focus("aws_public_buckets", STORES, "which of our buckets are exposed")
    assert focused is not None and "acme-lake" not in focused.lead and "1 has no default encryption" in focused.rest


GROUPS = ToolResult(status="ok", columns=["group_id", "name", "cidr", "severity", "instances"], rows=[
    {"group_id": "sg-11", "name": "jump", "cidr": "0.0.0.0/0", "severity": "high", "instances": "i-9"},
    {"group_id": "sg-12", "name": "mssql", "cidr": "::/0", "severity": "high", "instances": "i-8"},
    {"group_id": "sg-13", "name": "old-ftp", "cidr": "0.0.0.0/0, ::/0", "severity": "medium", "instances": ""}])


@pytest.mark.parametrize("text", ["which rules let ipv6 traffic in from everywhere", "anything allowing ::/0?"])
def test_a_question_about_the_ipv6_internet_names_only_those_rules(text: str) -> None:
    focused = focus("aws_open_security_groups", GROUPS, text)
    assert focused is not None
    assert [row["group_id"] for row in focused.rows] == ["sg-12", "sg-13"]


def test_asking_for_both_address_families_narrows_nothing() -> None:
    assert focus("aws_open_security_groups", GROUPS, "rules with 0.0.0.0/0 or ::/0 as source?") is None


def test_a_full_bucket_name_without_the_word_bucket_is_the_bucket_asked_about() -> None:
    asked = route("can the world read acme-billing-exports", "security.public_storage",
                  {"resource_name": "acme-billing-exports"}, 0.9)
    assert specialist_for("security.public_storage").argument_values(asked)["bucket"] == "acme-billing-exports"
    elsewhere = route("is acme-vm-3 exposed", "security.open_ports", {"resource_name": "acme-vm-3"}, 0.9)
    assert "bucket" not in specialist_for("security.open_ports").argument_values(elsewhere)


def test_a_bucket_is_named_by_several_words_of_its_name_in_a_row() -> None:
    names = ["acme-web-static-eu", "acme-static-web", "acme-logs"]
    assert _named_buckets(names, "web-static") == ["acme-web-static-eu"]
    assert _named_buckets(names, "logs") == ["acme-logs"]
    assert _named_buckets(names, "static-logs") == []


@pytest.mark.parametrize("text", ["same thing for gcp", "the same check on gcp", "ok same question for gcp"])
def test_the_same_thing_for_another_cloud_asks_the_previous_question_there(text: str) -> None:
    score = TurnContext("security.posture", {"cloud": "aws"}, [])
    followed = apply_context(route(text, "help", {"cloud": "gcp"}, 0.7), score, THRESHOLD)
    assert followed.skill == "security.posture" and followed.slots["cloud"] == "gcp"


@pytest.mark.parametrize("text", ["what is pulling that down so much", "biggest contributor to it?",
                                  "so what's driving the number"])
def test_what_makes_up_the_previous_figure_asks_that_question_again(text: str) -> None:
    score = TurnContext("security.posture", {"region": "ap-south-1"}, [])
    followed = apply_context(route(text, "cost.anomalies", confidence=0.15), score, THRESHOLD)
    assert followed.skill == "security.posture" and followed.slots["region"] == "ap-south-1"


def test_a_sure_reading_of_what_moves_a_figure_is_kept() -> None:
    spend = TurnContext("cost.summary", {}, [])
    followed = apply_context(route("what's driving it up", "cost.anomalies", confidence=0.9), spend, THRESHOLD)
    assert followed.skill == "cost.anomalies"
