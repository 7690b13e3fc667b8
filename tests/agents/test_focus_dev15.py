"""Focus on what was asked, without leaving out what was also asked: access keys named among
other IAM issues, a list closed by "the lot", and a bucket asked about by name that lacks the
property asked for. Rows are literal, as the tools return them."""

from __future__ import annotations

from agents.focus import focus
from tools.base import ToolResult

USERS = ToolResult(
    status="ok", summary="4 of 7 IAM users have issues.", columns=["user", "issue", "severity", "detail"],
    rows=[{"user": "quinn", "issue": "console access without MFA", "severity": "high", "detail": ""},
          {"user": "build-bot", "issue": "old access key", "severity": "medium", "detail": ""},
          {"user": "etl-svc", "issue": "access key never used", "severity": "low", "detail": ""},
          {"user": "ops-admin", "issue": "administrator access", "severity": "medium", "detail": ""},
          {"user": "root", "kind": "root", "issue": "root access keys", "severity": "critical", "detail": ""}],
    facts={"users_checked": 7}, resources=["quinn", "build-bot", "etl-svc", "ops-admin"])


def _listed(text: str) -> set[str]:
    focused = focus("aws_iam_findings", USERS, text)
    assert focused is not None
    return {str(row["user"]) for row in focused.rows}


def test_keys_named_beside_other_issues_keep_every_key_issue() -> None:
    listed = _listed("check 2fa and keys for me, plus who is admin")
    assert {"quinn", "build-bot", "etl-svc", "ops-admin"} <= listed


def test_old_keys_alone_still_narrow_to_old_keys() -> None:
    assert _listed("anyone without mfa or with old keys?") == {"quinn", "build-bot"}


def test_the_root_users_keys_are_not_every_users_keys() -> None:
    listed = _listed("who lacks mfa, and does root have access keys?")
    assert "build-bot" not in listed and "etl-svc" not in listed and {"quinn", "root"} <= listed


def test_a_list_closed_by_a_word_for_everything_is_the_whole_list() -> None:
    assert focus("aws_iam_findings", USERS, "mfa gaps, admins, the works") is None
    assert focus("aws_iam_findings", USERS, "mfa, root, all of the above pls") is None


BUCKET_ASKED = ToolResult(
    status="ok", summary="0 of 9 buckets are public; 1 has no default encryption: ml-features-raw.",
    columns=["bucket", "region", "public", "why", "encrypted"],
    rows=[{"bucket": "ml-features-raw", "region": "us-west-2", "public": False, "why": "", "encrypted": False}],
    facts={"buckets_checked": 9, "public": 0, "unencrypted": 1, "named": ["ml-features-raw"]},
    resources=["ml-features-raw"])


def test_a_named_bucket_without_the_property_is_said_by_name() -> None:
    focused = focus("aws_public_buckets", BUCKET_ASKED, "and is that one world readable too?")
    assert focused is not None
    assert focused.lead == "ml-features-raw is not public."
    assert "None of the 9" not in focused.lead  # the other 8 were not asked about
    assert focused.rest == "ml-features-raw has no default encryption."


def test_a_named_bucket_with_the_property_is_said_by_name() -> None:
    opened = BUCKET_ASKED.model_copy(update={
        "rows": [{"bucket": "partner-drop", "region": "us-west-2", "public": True, "why": "ACL", "encrypted": True}],
        "facts": {"buckets_checked": 9, "public": 1, "unencrypted": 0, "named": ["partner-drop"]}})
    focused = focus("aws_public_buckets", opened, "is partner-drop exposed?")
    assert focused is not None and focused.lead == "partner-drop is public."
    assert [row["bucket"] for row in focused.rows] == ["partner-drop"]
