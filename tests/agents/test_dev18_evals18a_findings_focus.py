"""dev18 (evals18a): the short form chat uses for the critical level ("crits", "crit") picks
the critical findings, alone or beside another level; findings about a resource the turn only
points at ("that key") are those about the resource its slots lend."""

from __future__ import annotations

from agents.focus import focus
from tools.base import ToolResult

HUB = ToolResult(
    status="ok", summary="4 active findings.", columns=["severity", "title", "resource", "region"],
    rows=[{"severity": "critical", "title": "KMS.4 Key rotation should be enabled",
           "resource": "arn:aws:kms:key/ledger-signing", "region": "ap-south-1"},
          {"severity": "high", "title": "ECR.1 Image scanning should be on", "resource": "arn:aws:ecr:repo/app",
           "region": "ap-south-1"},
          {"severity": "medium", "title": "Lambda.2 Runtimes should be supported", "resource": "arn:aws:lambda:f",
           "region": "ap-south-1"},
          {"severity": "low", "title": "SSM.1 Instances should be managed", "resource": "i-0ccc",
           "region": "ap-south-1"}],
    facts={"total": 4},
    resources=["arn:aws:kms:key/ledger-signing", "arn:aws:ecr:repo/app", "arn:aws:lambda:f", "i-0ccc"])


def test_crit_alone_is_the_critical_level() -> None:
    focused = focus("aws_security_hub_findings", HUB, "got any crit stuff open?")
    assert focused is not None
    assert [row["title"][:5] for row in focused.rows] == ["KMS.4"]


def test_crits_beside_highs_is_both_levels() -> None:
    focused = focus("aws_security_hub_findings", HUB, "just the crits and highs for the review")
    assert focused is not None
    assert [row["title"][:5] for row in focused.rows] == ["KMS.4", "ECR.1"]
    assert "1 is medium severity" in focused.rest


def test_a_word_starting_like_crit_is_no_level() -> None:
    assert focus("aws_security_hub_findings", HUB, "any criteria for closing these?") is None


def test_findings_about_a_lent_target_are_the_ones_listed() -> None:
    """"anything flagged on that key?" after a turn about one KMS key: the words only point at it,
    the lent slot names it, and the findings about it are the ones listed."""
    from agents.focus import lent_target

    slots = {"resource_name": "ledger-signing", "cloud": "aws"}
    target = lent_target("is anything flagged on that key?", slots)
    assert target == "ledger-signing"
    focused = focus("aws_security_hub_findings", HUB, "is anything flagged on that key?", target=target)
    assert focused is not None
    assert [row["title"][:5] for row in focused.rows] == ["KMS.4"]
    assert focus("aws_security_hub_findings", HUB, "is anything flagged on that key?") is None
    assert lent_target("anything on ledger-signing?", slots) == ""  # named in the words: nothing lent


NICKNAMED = ToolResult(
    status="ok", summary="3 active findings.", columns=["severity", "title", "resource", "region"],
    rows=[{"severity": "critical", "title": "CVE-2021-44228 - log4j-core (Log4Shell) on search-node-2",
           "resource": "i-0ddd", "region": "ap-south-1"},
          {"severity": "high", "title": "CVE-2014-0160 - openssl (Heartbleed) on edge-lb", "resource": "i-0eee",
           "region": "ap-south-1"},
          {"severity": "medium", "title": "S3.8 Block public access (DEPRECATED)", "resource": "arn:aws:s3:::x",
           "region": "ap-south-1"}],
    facts={"total": 3}, resources=["i-0ddd", "i-0eee", "arn:aws:s3:::x"])


def test_a_vulnerability_nickname_picks_its_finding() -> None:
    focused = focus("aws_security_hub_findings", NICKNAMED, "are we exposed to log4shell anywhere??")
    assert focused is not None
    assert [row["resource"] for row in focused.rows] == ["i-0ddd"]
    assert focus("aws_security_hub_findings", NICKNAMED, "anything deprecated in there") is None


def test_the_least_severe_findings_are_the_bottom_level() -> None:
    focused = focus("aws_security_hub_findings", HUB, "which one is least serious? quick fix for friday")
    assert focused is not None
    assert [row["title"][:5] for row in focused.rows] == ["SSM.1"]
    assert focused.lead.startswith("The least severe of the 4 findings (low severity): SSM.1")
    assert focus("aws_security_hub_findings", HUB, "what's the worst finding we have") is None


def test_nothing_is_lent_to_a_question_beyond_it_nor_a_machine_guess() -> None:
    from agents.focus import lent_target

    assert lent_target("what else is flagged besides that", {"resource_name": "ledger-signing"}) == ""
    assert lent_target("which host is it on", {"instance_id": "i-0ddd"}) == ""
