"""Narrowing a list of rules open to the internet by the rating the tool gave each rule."""

from __future__ import annotations

from agents.focus import focus
from tools.base import ToolResult

RULES = [{"group_id": "sg-a", "name": "ssh-in", "ports": "22", "severity": "high", "instances": "i-1"},
         {"group_id": "sg-b", "name": "sql-in", "ports": "1433", "severity": "high", "instances": ""},
         {"group_id": "sg-c", "name": "site", "ports": "80", "severity": "low", "instances": "i-2"}]


def test_open_groups_narrowed_to_one_rating_name_only_those() -> None:
    groups = ToolResult(status="ok", columns=["group_id", "name", "ports", "severity", "instances"], rows=RULES)
    focused = focus("aws_open_security_groups", groups, "just the highs")
    assert focused is not None
    assert [row["group_id"] for row in focused.rows] == ["sg-a", "sg-b"]
    assert "site" not in focused.lead


def test_firewall_rules_narrowed_to_one_rating() -> None:
    rules = ToolResult(status="ok", columns=["rule", "ports", "severity"], rows=[
        {"rule": "ssh-world", "ports": "22", "severity": "high"},
        {"rule": "web-world", "ports": "443", "severity": "low"}])
    focused = focus("gcp_open_firewall_rules", rules, "only the low severity one")
    assert focused is not None and [row["rule"] for row in focused.rows] == ["web-world"]
