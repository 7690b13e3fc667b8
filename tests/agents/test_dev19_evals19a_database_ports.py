"""Databases reachable from the internet: asked of the open rules, the answer narrows to the
rules opening a database's port (a single port, a range taking one in, or every port); a
group or rule whose name merely contains "db" does not count as asking. Rows are literal."""

from __future__ import annotations

from agents.focus import focus
from tools.base import ToolResult

GROUPS = ToolResult(
    status="ok",
    summary="4 security groups allow inbound traffic from the internet.",
    columns=["group id", "name", "region", "protocol", "ports", "cidr", "severity", "instances"],
    rows=[
        {
            "group_id": "sg-0a1",
            "name": "jump-ssh",
            "region": "sa-east-1",
            "protocol": "tcp",
            "ports": "22",
            "cidr": "0.0.0.0/0",
            "severity": "high",
            "instances": "i-0j",
        },
        {
            "group_id": "sg-0b2",
            "name": "cache-tier",
            "region": "sa-east-1",
            "protocol": "tcp",
            "ports": "6000-6500",
            "cidr": "0.0.0.0/0",
            "severity": "high",
            "instances": "i-0c",
        },
        {
            "group_id": "sg-0c3",
            "name": "orders-db",
            "region": "sa-east-1",
            "protocol": "tcp",
            "ports": "3306",
            "cidr": "::/0",
            "severity": "high",
            "instances": "i-0o",
        },
        {
            "group_id": "sg-0d4",
            "name": "storefront",
            "region": "sa-east-1",
            "protocol": "tcp",
            "ports": "443",
            "cidr": "0.0.0.0/0",
            "severity": "low",
            "instances": "i-0s",
        },
    ],
)


def test_databases_reachable_from_outside_narrows_to_database_ports() -> None:
    focused = focus("aws_open_security_groups", GROUPS, "hey, can outsiders reach any of our DBs from the internet?")
    assert focused is not None
    assert [row["name"] for row in focused.rows] == ["cache-tier", "orders-db"]  # 6379 inside 6000-6500; MySQL
    assert "2 of 4" in focused.lead and "database port" in focused.lead


def test_a_group_named_after_a_db_is_no_question_about_databases() -> None:
    assert focus("aws_open_security_groups", GROUPS, "what does orders-db let in from the world") is None


FIREWALL = ToolResult(
    status="ok",
    summary="2 firewall rules allow inbound traffic from the internet.",
    columns=["rule", "protocol", "ports", "source", "severity"],
    rows=[
        {"rule": "open-everything", "protocol": "all", "ports": "all", "source": "0.0.0.0/0", "severity": "high"},
        {"rule": "web-in", "protocol": "tcp", "ports": "80", "source": "0.0.0.0/0", "severity": "low"},
    ],
)


def test_a_rule_opening_every_port_opens_the_database_ones_too() -> None:
    focused = focus("gcp_open_firewall_rules", FIREWALL, "is any datastore exposed publicly on gcp?")
    assert focused is not None
    assert [row["rule"] for row in focused.rows] == ["open-everything"]
