"""dev18 (evals18a): a property the speaker sets aside in words ("not asking about X", "don't
care about the X ones") is left out of the focus, and the one asked for after it is listed."""

from __future__ import annotations

from agents.focus import focus
from tools.base import ToolResult

STORES = ToolResult(
    status="ok", summary="3 of 6 buckets have issues.", columns=["bucket", "region", "public", "why", "encrypted"],
    rows=[{"bucket": "media-cdn", "region": "sa-east-1", "public": True, "why": "policy", "encrypted": True},
          {"bucket": "ml-features", "region": "sa-east-1", "public": False, "why": "", "encrypted": False},
          {"bucket": "partner-drop", "region": "sa-east-1", "public": True, "why": "ACL", "encrypted": False}],
    facts={"buckets_checked": 6}, resources=["media-cdn", "ml-features", "partner-drop"])


def test_set_aside_then_asked_lists_only_the_asked_property() -> None:
    focused = focus("aws_public_buckets", STORES, "i'm not worried about public exposure here, only sse: "
                                                  "which ones lack default encryption")
    assert focused is not None
    assert [row["bucket"] for row in focused.rows] == ["ml-features", "partner-drop"]
    assert "media-cdn" not in focused.lead


def test_dont_care_about_sets_aside() -> None:
    focused = focus("aws_public_buckets", STORES, "dont care about the public ones rn. unencrypted?")
    assert focused is not None and [row["bucket"] for row in focused.rows] == ["ml-features", "partner-drop"]


def test_a_plain_negation_still_answers_with_the_whole_list() -> None:
    assert focus("aws_public_buckets", STORES, "which of them aren't public") is None
