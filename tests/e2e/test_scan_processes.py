"""`guardian scan security` on the sandbox with Azure and Google Cloud scanned in a second
process (bot/scan_runner.py): a cloud failing there is named after the others' findings,
which are exactly the planted ones. Expected values come from the company data."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.company import DRIFTWOOD, DRIFTWOOD_GCP
from sandbox.gcp_api import GcpStandIn
from tests.e2e.conftest import Cli
from tests.scan_expectations import azure_expected_pairs, expected_pairs
from tools.gcp.errors import PERMISSIONS

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_a_google_cloud_refusing_the_scan_is_named_after_aws_and_azure_findings(cli: Cli, sandbox: Any) -> None:
    gcp = next(s for s in sandbox.standins if isinstance(s, GcpStandIn))
    gcp.fail_next("/global/firewalls", 403)
    try:
        scan = cli("scan", "security", "--json")
    finally:
        gcp.faults.clear()
    assert scan.returncode == 1
    found = {(line["cloud"], line["check"], line["resource"]) for line in scan.json_lines}
    assert found == ({("aws", *pair) for pair in expected_pairs(DRIFTWOOD, sandbox.seeded)}
                     | {("azure", *pair) for pair in azure_expected_pairs()})
    assert scan.stderr.splitlines() == [
        f"guardian: Scan incomplete. gcp_security_scan: Google Cloud denied firewalls.list on project "
        f"{DRIFTWOOD_GCP.project_id} (403): the credentials need the {PERMISSIONS['firewalls.list']} permission."]
