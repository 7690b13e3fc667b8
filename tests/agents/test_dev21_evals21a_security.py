"""dev21 (evals21a): a floor of severity ("medium or worse") keeps every level above it; an
exclusion said with "anything"/"everything" ("ignore everything unused") is an exclusion; the
groups some instance uses are asked for in their own words; Azure named by its maker
("microsoft's cloud"). Rows are literal, as the tools return them."""

from __future__ import annotations

import pytest

from agents.focus import focus
from agents.slots.entities import find_cloud
from tools.base import ToolResult

HUB = ToolResult(
    status="ok", summary="Security Hub has 4 active findings.", columns=["severity", "title", "resource", "region"],
    rows=[{"severity": "critical", "title": "KMS.4 key rotation should be enabled", "resource": "key-1",
           "region": "ap-south-1"},
          {"severity": "high", "title": "EC2.8 IMDSv2 should be required", "resource": "i-0aa11bb22cc33dd44",
           "region": "ap-south-1"},
          {"severity": "medium", "title": "S3.5 buckets should require SSL", "resource": "media-bucket",
           "region": "ap-south-1"},
          {"severity": "low", "title": "RDS.9 Database logging should be enabled", "resource": "ledger-db",
           "region": "ap-south-1"}],
    facts={"total": 4})
GROUPS = ToolResult(
    status="ok", summary="3 groups are open.", columns=["group_id", "name", "ports", "severity", "instances"],
    rows=[{"group_id": "sg-1", "name": "jumpbox", "ports": "22", "severity": "high",
           "instances": "i-0aa11bb22cc33dd44"},
          {"group_id": "sg-2", "name": "old-winrm", "ports": "5986", "severity": "high", "instances": ""},
          {"group_id": "sg-3", "name": "web", "ports": "443", "severity": "low", "instances": "i-0ff99ee88dd77cc66"}])


@pytest.mark.parametrize("text", ["medium or worse only", "anything at least medium?", "medium and up pls"])
def test_a_floor_of_severity_keeps_the_levels_above_it(text: str) -> None:
    focused = focus("aws_security_hub_findings", HUB, text)
    assert focused is not None
    assert [row["severity"] for row in focused.rows] == ["critical", "high", "medium"]


def test_one_level_alone_still_narrows_to_that_level() -> None:
    focused = focus("aws_security_hub_findings", HUB, "only the medium ones")
    assert focused is not None
    assert [row["severity"] for row in focused.rows] == ["medium"]


def test_the_groups_a_machine_uses_leaving_out_everything_unused() -> None:
    focused = focus("aws_open_security_groups", GROUPS, "just those used by a server, ignore everything unused")
    assert focused is not None
    assert [row["name"] for row in focused.rows] == ["jumpbox", "web"]


def test_the_unused_groups_are_still_asked_for_by_themselves() -> None:
    focused = focus("aws_open_security_groups", GROUPS, "which of them are unused")
    assert focused is not None
    assert [row["name"] for row in focused.rows] == ["old-winrm"]


@pytest.mark.parametrize("text", ["how does microsoft's cloud look", "and on the ms side?"])
def test_azure_said_by_its_maker(text: str) -> None:
    assert find_cloud(text, None) == "azure"


def test_microsoft_products_name_no_cloud() -> None:
    assert find_cloud("is the microsoft teams webhook set up", None) is None
