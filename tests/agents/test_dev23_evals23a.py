"""dev23 (evals23a): security questions asked around something pasted. A Slack message pasted
into any surface keeps its markup (a user mention, a <url|label> link), which is read as the
words it stands for; a pasted S3 ARN names its bucket; a follow-up whose "it" points at what
the message itself said first (a pasted ticket line), or which names an item the previous
answer listed, is the same check where that answer looked (its cloud), with nothing of the
previous answer's target lent."""

from __future__ import annotations

import pytest

from agents.conversations import TurnContext
from agents.followup import apply_context
from agents.pasted import plain_text
from agents.router import SkillRouter
from agents.specialists import SPECIALIST_BY_NAME, buckets_of_arns
from tests.agents.routes import route

THRESHOLD = 0.45


# --------------------------------------------------------------------------- pasted Slack markup


@pytest.mark.parametrize(("pasted", "plain"), [
    ("<@U0ZZ9KQ1> which keys are stale", "which keys are stale"),
    ("<@W0ABCDE|jonas> any world-open groups?", "any world-open groups?"),
    ("<!here> is the cdn bucket public", "is the cdn bucket public"),
    ("seen in <#C0PLAT9|infra-alerts>: ssh open?", "seen in #infra-alerts: ssh open?"),
    ("see <https://example.test/a/b?c=1|the report> pls", "see https://example.test/a/b?c=1 the report pls"),
    ("bare <https://example.test/x>", "bare https://example.test/x"),
])
def test_pasted_slack_markup_reads_as_its_words(pasted: str, plain: str) -> None:
    assert plain_text(pasted) == plain


def test_text_without_markup_is_left_exactly_as_typed() -> None:
    typed = "is  3389 open?\n\n> quoted line <- arrow"
    assert plain_text(typed) == typed


def test_a_pasted_message_keeps_its_own_lines() -> None:
    pasted = "<@U0ZZ9KQ1> first line\nsecond <https://x.test|link>"
    assert plain_text(pasted) == "first line\nsecond https://x.test link"


def test_a_mentioned_user_id_is_no_person_asked_about(router: SkillRouter) -> None:
    read = router.route(plain_text("<@U07QQRT2> which iam users have no mfa?"))
    assert "person" not in read.slots
    assert read.skill == "security.iam"


# --------------------------------------------------------------------------- pasted ARNs


def test_bucket_arns_name_their_buckets() -> None:
    assert buckets_of_arns(["arn:aws:s3:::acme-media-prod"]) == ["acme-media-prod"]
    assert buckets_of_arns(["arn:aws:s3:::acme-logs/2026/12/app.log"]) == ["acme-logs"]
    assert buckets_of_arns(["arn:aws-us-gov:s3:::gov-share"]) == ["gov-share"]
    assert buckets_of_arns(["arn:aws:iam::111122223333:user/ops", "i-0abc"]) == []
    assert buckets_of_arns(None) == []


def test_a_pasted_bucket_arn_is_the_bucket_checked() -> None:
    security = SPECIALIST_BY_NAME["security"]
    values = security.argument_values(route("arn:aws:s3:::acme-media-prod anyone can read this?",
                                            "security.public_storage",
                                            {"resource_ids": ["arn:aws:s3:::acme-media-prod"], "cloud": "aws"}))
    assert values["bucket"] == "acme-media-prod"
    # two buckets pasted: no single one is meant, the whole list answers
    both = security.argument_values(route("arn:aws:s3:::a-one and arn:aws:s3:::b-two public?",
                                          "security.public_storage",
                                          {"resource_ids": ["arn:aws:s3:::a-one", "arn:aws:s3:::b-two"]}))
    assert "bucket" not in both


# --------------------------------------------------------------------------- the same check, in the message's own words

AZURE_STORAGE = TurnContext("security.public_storage", {"cloud": "azure"},
                            ["stmediaprod", "/subscriptions/x/stmediaprod"])
GCP_RULES = TurnContext("security.open_ports", {"cloud": "gcp"}, ["open-winrm", "gce-build-7"])


def test_a_pasted_line_pointing_at_its_own_subject_keeps_the_cloud_and_lends_no_target() -> None:
    text = "CHG-77 says 'close off stbackupseu, it showed up as public'. is stbackupseu open or not?"
    asked = apply_context(route(text, "security.public_storage", {}, confidence=0.95), AZURE_STORAGE, THRESHOLD)
    assert asked.skill == "security.public_storage"
    assert asked.slots.get("cloud") == "azure"
    assert "resource_name" not in asked.slots and "bucket" not in asked.slots


def test_an_item_the_previous_answer_listed_is_checked_on_its_cloud() -> None:
    text = "and `open-winrm` - which machines does that rule hit?"
    asked = apply_context(route(text, "security.open_ports", {"resource_name": "open-winrm", "resource_type": "ec2"},
                                confidence=0.97), GCP_RULES, THRESHOLD)
    assert asked.slots.get("cloud") == "gcp"
    assert asked.slots.get("resource_name") == "open-winrm"
    assert "resource_type" not in asked.slots


def test_a_name_the_previous_answer_never_listed_borrows_no_cloud() -> None:
    text = "is web-sg-public open to the world?"
    asked = apply_context(route(text, "security.open_ports", {"resource_name": "web-sg-public"}, confidence=0.97),
                          GCP_RULES, THRESHOLD)
    assert "cloud" not in asked.slots


def test_a_cloud_the_words_name_wins_over_the_previous_one() -> None:
    text = "auditor line: 'admin ports are restricted'. ok and winrm, 5985 - which aws groups open that?"
    asked = apply_context(route(text, "security.open_ports", {"cloud": "aws", "port": 5985}, confidence=0.97),
                          GCP_RULES, THRESHOLD)
    assert asked.slots.get("cloud") == "aws"
    assert "resource_name" not in asked.slots and "resource_id" not in asked.slots
