"""Google Cloud questions to the real CLI against the sandbox (moto for AWS, the stand-in of
the Logging, Compute and Storage JSON APIs for Google Cloud): the router, the agents and the
tools reach the GCP SDK clients, and a missing project skips Google Cloud with one line.
Expected answers come from sandbox/company.py."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.company import DRIFTWOOD_GCP
from tests.e2e.conftest import Cli

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def ask(cli: Cli, question: str) -> dict[str, Any]:
    result = cli("ask", "--json", "--user", "alice", question)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.last


def test_errors_of_a_service_in_the_last_hour(cli: Cli) -> None:
    answer = ask(cli, "errors from checkout-api in gcp in the last hour")
    assert answer["skill"] == "infra.logs"
    assert [(t["name"], t["ok"]) for t in answer["tools"]] == [("gcp_log_errors", True)]
    source = DRIFTWOOD_GCP.log_source("checkout-api")
    shown = source.at_least("ERROR", within_minutes=60)
    hidden = [line for line in source.lines if line not in shown]
    assert shown and hidden
    assert all(line.message in answer["answer"] for line in shown)
    assert not any(line.message in answer["answer"] for line in hidden)
    assert answer["answer"].startswith(f"{len(shown)} ERROR-or-worse log entries for checkout-api")
    assert [c["source"] for c in answer["citations"]] == ["gcp-cloud-logging-investigation.md"]  # not CloudWatch's


def test_which_buckets_are_public_in_gcp(cli: Cli) -> None:
    answer = ask(cli, "which gcp buckets are public?")
    assert answer["skill"] == "security.public_storage"
    assert [t["name"] for t in answer["tools"]] == ["gcp_public_buckets"]
    public = {b.name for b in DRIFTWOOD_GCP.public_buckets()}
    assert set(answer["resources"]) == public
    assert not any(b.name in answer["answer"] for b in DRIFTWOOD_GCP.buckets if b.name not in public)
    assert [c["source"] for c in answer["citations"]] == ["gcs-bucket-public-iam.md"]  # not the S3 runbook


def test_firewall_rules_open_to_the_internet_in_gcp(cli: Cli) -> None:
    answer = ask(cli, "any firewall rule open to the internet in gcp?")
    assert answer["skill"] == "security.open_ports"
    assert [t["name"] for t in answer["tools"]] == ["gcp_open_firewall_rules"]
    planted = {r.name for r in DRIFTWOOD_GCP.open_firewall_rules()}
    assert planted <= set(answer["resources"])
    assert not any(r.name in answer["answer"] for r in DRIFTWOOD_GCP.firewall_rules if r.name not in planted)
    assert [c["source"] for c in answer["citations"]] == ["gcp-firewall-open-to-internet.md"]


def test_the_posture_of_gcp_is_its_own_scan_not_aws(cli: Cli) -> None:
    answer = ask(cli, "security posture of our gcp project")
    assert answer["skill"] == "security.posture"
    assert [t["name"] for t in answer["tools"]] == ["gcp_security_scan"]
    planted = {r.name for r in DRIFTWOOD_GCP.open_firewall_rules()} | {b.name for b in DRIFTWOOD_GCP.public_buckets()}
    assert set(answer["resources"]) >= planted
    assert answer["answer"].startswith(f"Google Cloud project {DRIFTWOOD_GCP.project_id}: {len(planted)} findings")


def test_a_gcp_question_no_tool_answers_says_so_instead_of_answering_for_aws(cli: Cli) -> None:
    answer = ask(cli, "what did we spend on gcp last month?")
    assert answer["skill"] == "cost.summary"
    assert answer["tools"] == [] and answer["pending_approval"] is None
    assert answer["answer"].startswith("Guardian cannot answer this for Google Cloud yet (cost.summary")


def test_instances_by_label_in_gcp(cli: Cli) -> None:
    answer = ask(cli, "list gcp instances labelled team=payments")
    assert answer["skill"] == "infra.inventory"
    assert [t["name"] for t in answer["tools"]] == ["gcp_inventory"]
    expected = [i for i in DRIFTWOOD_GCP.instances if i.labels.get("team") == "payments"]
    assert expected
    named = {name for name in answer["resources"] if not name.isdigit()}
    assert named == {i.name for i in expected}
    others = [i.name for i in DRIFTWOOD_GCP.instances if i not in expected]
    assert not any(name in answer["answer"] for name in others)


def test_a_scan_without_a_project_skips_google_cloud_with_one_line(cli: Cli) -> None:
    env = {key: value for key, value in cli.env.items() if key != "GOOGLE_CLOUD_PROJECT"}
    scan = cli("scan", "security", "--json", env=env)
    assert scan.returncode == 0, scan.stderr[-800:]
    assert "gcp" not in {line["cloud"] for line in scan.json_lines}
    assert "aws" in {line["cloud"] for line in scan.json_lines}
    skipped = [line for line in scan.stderr.splitlines() if "GOOGLE_CLOUD_PROJECT" in line]
    assert skipped == ["guardian: skipped gcp_security_scan: Google Cloud is not configured: it needs a project "
                       "(set GOOGLE_CLOUD_PROJECT)."]
