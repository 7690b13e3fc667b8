"""Findings asked about one thing the words name: the rows whose title or resource names it,
by the name people say (without a trailing number, without the company prefix, spaced or
hyphenated); no narrowing when the words name nothing a row is about, when every row is about
it, or when a severity is asked (that focus already narrows). Rows are literal, as the
scanners' tools return them."""

from __future__ import annotations

from agents.focus import focus
from tools.base import ToolResult

THREATS = ToolResult(
    status="ok", summary="GuardDuty has 3 active findings.",
    columns=["severity", "type", "title", "resource", "region"],
    rows=[{"severity": "high", "type": "Trojan:EC2/DNSDataExfiltration", "region": "ap-south-1",
           "title": "EC2 instance ledger-worker-2 is exfiltrating data through DNS.",
           "resource": "i-0aa11bb22cc33dd44"},
          {"severity": "medium", "type": "Policy:S3/BucketPublicAccessGranted", "region": "ap-south-1",
           "title": "Amazon S3 bucket acme-media-uploads grants public access.", "resource": "acme-media-uploads"},
          {"severity": "low", "type": "Recon:EC2/Portscan", "region": "ap-south-1",
           "title": "EC2 instance jumpbox-7 is scanning ports.", "resource": "i-0ff99ee88dd77cc66"}],
    facts={"total": 3})
HUB = ToolResult(
    status="ok", summary="Security Hub has 2 active findings.", columns=["severity", "title", "resource", "region"],
    rows=[{"severity": "medium", "title": "IAM.6 Hardware MFA should be enabled for the root user",
           "resource": "arn:aws:iam::111122223333:user/tomasz", "region": "ap-south-1"},
          {"severity": "low", "title": "RDS.9 Database logging should be enabled",
           "resource": "arn:aws:rds:ap-south-1:111122223333:db:ledger-db", "region": "ap-south-1"}],
    facts={"total": 2})


def test_a_box_said_without_its_number_narrows_to_its_findings() -> None:
    focused = focus("aws_guardduty_findings", THREATS, "anything odd flagged against the jumpbox this week")
    assert focused is not None
    assert [row["type"] for row in focused.rows] == ["Recon:EC2/Portscan"]
    assert "jumpbox-7" in focused.lead
    assert "the other 2" in focused.rest


def test_a_bucket_said_in_words_without_the_company_prefix_is_found() -> None:
    focused = focus("aws_guardduty_findings", THREATS, "did it say anything about media uploads")
    assert focused is not None
    assert [row["resource"] for row in focused.rows] == ["acme-media-uploads"]


def test_the_last_part_of_an_arn_names_the_thing_a_finding_is_about() -> None:
    focused = focus("aws_security_hub_findings", HUB, "is ledger-db in there?")
    assert focused is not None
    assert focused.rows == [HUB.rows[1]]


def test_words_naming_nothing_a_row_is_about_do_not_narrow() -> None:
    assert focus("aws_guardduty_findings", THREATS, "what has guardduty got for the billing service") is None


def test_a_severity_asked_keeps_the_severity_focus() -> None:
    focused = focus("aws_guardduty_findings", THREATS, "just the high ones on jumpbox-7")
    assert focused is not None
    assert [row["severity"] for row in focused.rows] == ["high"]


def test_a_region_in_a_title_names_no_thing() -> None:
    region_titled = ToolResult(status="ok", summary="", columns=["severity", "title", "resource", "region"],
                               rows=[{"severity": "low", "title": "Logging is off in ap-south-1",
                                      "resource": "arn:aws:cloudtrail:x:trail/t1", "region": "ap-south-1"},
                                     {"severity": "low", "title": "Another one", "resource": "r-2",
                                      "region": "ap-south-1"}], facts={"total": 2})
    assert focus("aws_security_hub_findings", region_titled, "anything in ap-south-1?") is None
