"""IAM accounts asked about one by one: by name in the question, or pointed at ("that
person") after an answer that named them. The answer says whether each has the property
asked about, and which accounts have it at all; a name left out ("besides X") is no subject.
Rows are literal, as the IAM tool returns them."""

from __future__ import annotations

from agents.focus import focus
from tools.base import ToolResult

ACCOUNTS = ToolResult(
    status="ok", summary="3 of 6 IAM users have issues.", columns=["user", "issue", "severity", "detail"],
    rows=[{"user": "priya", "issue": "console access without MFA", "severity": "high", "detail": ""},
          {"user": "deploy-robot", "issue": "old access key", "severity": "medium", "detail": ""},
          {"user": "marco", "issue": "administrator access", "severity": "medium", "detail": ""},
          {"user": "full-access", "kind": "policy", "issue": "policy allows * on *", "severity": "high",
           "detail": ""}],
    facts={"users_checked": 6}, resources=["priya", "deploy-robot", "marco"])


def test_an_account_named_without_the_property_is_said_to_lack_it() -> None:
    focused = focus("aws_iam_findings", ACCOUNTS, "is marco on 2fa at least?")
    assert focused is not None
    assert "marco does not have console access without MFA" in focused.lead
    assert "marco has AdministratorAccess" in focused.rest
    assert "priya" in focused.lead  # who does lack it, said beside


def test_an_account_pointed_at_is_the_one_earlier_answer_item_this_result_holds() -> None:
    focused = focus("aws_iam_findings", ACCOUNTS, "does this user have two factor on",
                    meant=["marco", "full-access"])
    assert focused is not None
    assert focused.lead.startswith("marco does not have console access without MFA")


def test_several_earlier_items_that_are_accounts_point_at_none() -> None:
    focused = focus("aws_iam_findings", ACCOUNTS, "does this user have two factor on", meant=["marco", "priya"])
    assert focused is not None
    assert focused.lead.startswith("1 of 6 IAM users has console access without MFA: priya")


def test_a_name_left_out_is_not_the_subject() -> None:
    focused = focus("aws_iam_findings", ACCOUNTS, "other than priya, who is missing mfa?")
    assert focused is not None
    assert focused.lead.startswith("1 of 6 IAM users has console access without MFA: priya")


def test_an_account_named_with_nothing_asked_gets_every_issue_it_has() -> None:
    focused = focus("aws_iam_findings", ACCOUNTS, "what's the deal with deploy-robot")
    assert focused is not None
    assert focused.lead == "deploy-robot has access keys older than 90 days."
    assert [row["user"] for row in focused.rows] == ["deploy-robot"]


def test_several_properties_asked_of_one_account_are_each_said_to_be_had_or_not() -> None:
    focused = focus("aws_iam_findings", ACCOUNTS, "leaving friday: is priya on mfa, and any keys to revoke?")
    assert focused is not None
    assert focused.lead.startswith("priya has console access without MFA. priya does not have access keys older")
    assert "deploy-robot" not in focused.lead  # the other accounts were not asked about


def test_a_lack_said_with_never_is_denied_without_a_double_negative() -> None:
    focused = focus("aws_iam_findings", ACCOUNTS, "leaving friday: is priya on mfa, and any keys to revoke?")
    assert focused is not None
    assert "is not one that has access keys never used" in focused.lead


def test_keys_nobody_has_touched_are_unused_keys() -> None:
    with_unused = ToolResult(status="ok", summary="", columns=["user", "issue", "severity", "detail"],
                             rows=[*ACCOUNTS.rows, {"user": "etl-bot", "issue": "access key never used",
                                                    "severity": "low", "detail": ""}],
                             facts={"users_checked": 6})
    focused = focus("aws_iam_findings", with_unused, "which accounts have a key nobody ever touched")
    assert focused is not None
    assert focused.lead.startswith("1 of 6 IAM users has access keys never used: etl-bot")


def test_unused_roles_asked_alone_are_not_every_unused_thing() -> None:
    with_role = ToolResult(status="ok", summary="", columns=["user", "issue", "severity", "detail"],
                           rows=[*ACCOUNTS.rows,
                                 {"user": "etl-bot", "issue": "access key never used", "severity": "low", "detail": ""},
                                 {"user": "old-importer", "kind": "role", "issue": "role unused", "severity": "low",
                                  "detail": ""}],
                           facts={"users_checked": 6})
    focused = focus("aws_iam_findings", with_role, "any iam roles gathering dust, unused for ages?")
    assert focused is not None
    assert focused.lead == "old-importer: role unused."
