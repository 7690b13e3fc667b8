"""GuardDuty's list says what it leaves out: the findings someone archived (counted, never
shown) and the regions whose detector is off, both in the summary and as the result's caveat
(kept when an answer narrows to some rows). A stand-in GuardDuty client, with its own names."""

from __future__ import annotations

from typing import Any

from tools.aws.security import SecurityHubArgs, guardduty_findings
from tools.base import CAVEAT, ToolContext
from tools.settings import AwsSettings

FINDINGS = {  # region -> (id, type, title, severity, archived)
    "ap-southeast-2": [
        (
            "f-miner",
            "CryptoCurrency:EC2/BitcoinTool.B",
            "EC2 instance render-farm-3 talks to a mining pool.",
            7.5,
            False,
        ),
        ("f-exfil", "Exfiltration:S3/AnomalousBehavior", "Bucket kiwi-exports read from an odd place.", 5.5, True),
        ("f-tor", "UnauthorizedAccess:EC2/TorClient", "EC2 instance render-farm-3 reached a Tor node.", 5.0, True),
    ],
    "ca-central-1": [("f-probe", "Recon:EC2/Portscan", "EC2 instance maple-1 scans ports.", 2.0, False)],
}


class FakeGuardDuty:
    def __init__(self, region: str, enabled: bool) -> None:
        self.region, self.enabled = region, enabled

    def list_detectors(self) -> dict[str, Any]:
        return {"DetectorIds": [f"det-{self.region}"]}

    def get_detector(self, DetectorId: str) -> dict[str, Any]:
        return {"Status": "ENABLED" if self.enabled else "DISABLED"}

    def list_findings(self, DetectorId: str, FindingCriteria: dict[str, Any], MaxResults: int) -> dict[str, Any]:
        archived = FindingCriteria["Criterion"]["service.archived"]["Eq"] == ["true"]
        return {"FindingIds": [f[0] for f in FINDINGS[self.region] if f[4] == archived]}

    def get_findings(self, DetectorId: str, FindingIds: list[str]) -> dict[str, Any]:
        return {
            "Findings": [
                {
                    "Id": f[0],
                    "Type": f[1],
                    "Title": f[2],
                    "Severity": f[3],
                    "Resource": {"InstanceDetails": {"InstanceId": "i-0123456789abcdef0"}},
                }
                for f in FINDINGS[self.region]
                if f[0] in FindingIds
            ]
        }


def _ctx(enabled: dict[str, bool]) -> ToolContext:
    ctx = ToolContext(aws=AwsSettings(regions=tuple(enabled)))
    ctx.aws_clients[("", "session")] = object()
    for region, on in enabled.items():
        ctx.aws_clients[("guardduty", region)] = FakeGuardDuty(region, on)
    return ctx


def test_archived_findings_are_counted_but_never_listed() -> None:
    result = guardduty_findings(_ctx({"ap-southeast-2": True}), SecurityHubArgs())
    assert [row["type"] for row in result.rows] == ["CryptoCurrency:EC2/BitcoinTool.B"]
    assert result.facts["archived"] == 2
    assert "2 more findings are archived and not listed" in result.summary
    assert "TorClient" not in str(result.model_dump()) and "AnomalousBehavior" not in str(result.model_dump())
    assert result.facts[CAVEAT] == "GuardDuty holds 2 more archived findings, not listed."


def test_the_caveat_also_names_the_regions_where_the_detector_is_off() -> None:
    result = guardduty_findings(_ctx({"ap-southeast-2": True, "ca-central-1": False}), SecurityHubArgs())
    assert result.summary.endswith("Not enabled in ca-central-1.")
    assert "GuardDuty is not enabled in ca-central-1." in result.facts[CAVEAT]


def test_nothing_left_out_means_no_caveat() -> None:
    result = guardduty_findings(_ctx({"ca-central-1": True}), SecurityHubArgs())
    assert result.facts["archived"] == 0 and CAVEAT not in result.facts
    assert "archived" not in result.summary
