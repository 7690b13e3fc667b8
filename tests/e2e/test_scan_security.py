"""`guardian scan security --json` on the sandbox company: exactly the planted problems, one
contract line each, and nothing on their clean twins (an encrypted volume beside the plain
one, a scoped policy beside the admin one, a group open only to a private range, a GCP
firewall rule for SSH from the VPN beside the one from anywhere, a private GCS bucket...).
The expected (check, resource) pairs are derived from the company data and the ids AWS
assigned when it was seeded, never written out here."""

from __future__ import annotations

from typing import Any

from sandbox.company import DRIFTWOOD, DRIFTWOOD_GCP
from tests.e2e.conftest import Cli
from tests.scan_expectations import azure_expected_pairs, expected_pairs, gcp_expected_pairs

CONTRACT_FIELDS = {"check", "severity", "cloud", "region", "resource", "detail"}
SEVERITIES = {"critical", "high", "medium", "low"}


def test_the_scan_reports_exactly_the_planted_problems(cli: Cli, sandbox: Any) -> None:
    scan = cli("scan", "security", "--json")
    assert scan.returncode == 0, scan.stderr[-800:]
    lines = scan.json_lines
    assert lines and all(set(line) == CONTRACT_FIELDS for line in lines)
    assert all(line["cloud"] in ("aws", "azure", "gcp") and line["severity"] in SEVERITIES for line in lines)
    found = {(line["cloud"], line["check"], line["resource"]) for line in lines}
    expected = {("aws", *pair) for pair in expected_pairs(DRIFTWOOD, sandbox.seeded)}
    expected |= {("azure", *pair) for pair in azure_expected_pairs()}
    expected |= {("gcp", *pair) for pair in gcp_expected_pairs(DRIFTWOOD_GCP)}
    assert found - expected == set(), "reported on a clean resource"  # precision
    assert expected - found == set(), "missed a planted problem"  # recall
    # every line says what to do about it
    assert [line for line in lines if "; fix: " not in line["detail"]] == []


def test_groups_attached_to_nothing_are_reported_marked_unused(cli: Cli, sandbox: Any) -> None:
    groups = sandbox.seeded["security_groups"]
    unused = {groups[f"{g.region}/{g.name}"] for g in DRIFTWOOD.unused_groups() if g.world_ports()}
    assert unused  # the company plants one
    lines = [line for line in cli("scan", "security", "--json").json_lines if line["check"] == "open_security_group"]
    marked = {line["resource"] for line in lines if "unused: attached to nothing" in line["detail"]}
    assert marked == unused
    for group in DRIFTWOOD.world_open_groups():  # every open rule, IPv4 and IPv6, with its port
        group_id = groups[f"{group.region}/{group.name}"]
        details = " ".join(line["detail"] for line in lines if line["resource"] == group_id)
        for low, _high, cidr in group.ingress:
            if cidr in ("0.0.0.0/0", "::/0"):
                assert f"port {low} " in details and cidr in details, (group.name, details)
