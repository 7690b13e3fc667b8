"""`guardian scan security` runs every cloud's `*_security_scan` tool side by side: a cloud
that is not configured is skipped with one stderr line, one that fails is named after the
others' findings (exit 1: incomplete), and the lines come most severe first."""

from __future__ import annotations

import argparse
import json
import threading
from typing import Any

import pytest
from pydantic import BaseModel

from bot import cli, scan_runner
from bot.errors import UserError
from tools.base import ToolContext, ToolResult, ToolSpec
from tools.gcp import GCP
from tools.registry import ToolRegistry
from tools.settings import GcpSettings


class NoArgs(BaseModel):
    pass


def finding(cloud: str, severity: str, resource: str) -> dict[str, str]:
    return {"check": "public_bucket", "severity": severity, "cloud": cloud, "region": "global",
            "resource": resource, "detail": "public; fix: make it private"}


def scan_spec(cloud: str, answer: ToolResult, seen: list[str] | None = None,
              barrier: threading.Barrier | None = None) -> ToolSpec:
    def run(_ctx: ToolContext, _args: BaseModel) -> ToolResult:
        if barrier is not None:
            barrier.wait(timeout=10)  # both scans are running at once, or this times out
        if seen is not None:
            seen.append(cloud)
        return answer

    return ToolSpec(f"{cloud}_security_scan", "findings", NoArgs, "read", (), cloud, run)


@pytest.fixture(autouse=True)
def one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every scan of the registry given runs here: the command's lines, not the second
    process (tests/bot/test_scan_runner.py), are what these tests are about."""
    monkeypatch.setattr(scan_runner, "own_toolsets", list)


def run_scan(registry: ToolRegistry, ctx: ToolContext | None = None) -> int:
    fake: Any = type("Rt", (), {"registry": registry, "tool_ctx": ctx or ToolContext()})()
    return cli.cmd_scan_security(fake, argparse.Namespace(json=True))


def test_every_cloud_is_scanned_at_once_and_lines_come_most_severe_first(capsys: pytest.CaptureFixture[str]) -> None:
    barrier = threading.Barrier(2)
    aws = ToolResult(status="ok", rows=[finding("aws", "medium", "a-1")])
    gcp = ToolResult(status="ok", rows=[finding("gcp", "high", "g-1"), finding("gcp", "low", "g-2")])
    registry = ToolRegistry([scan_spec("aws", aws, barrier=barrier), scan_spec("gcp", gcp, barrier=barrier)])
    assert run_scan(registry) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(line["cloud"], line["resource"]) for line in lines] == [("gcp", "g-1"), ("aws", "a-1"), ("gcp", "g-2")]


def test_an_unconfigured_cloud_is_skipped_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    aws = ToolResult(status="ok", rows=[finding("aws", "high", "a-1")])
    registry = ToolRegistry([scan_spec("aws", aws)], toolsets=[GCP])
    assert run_scan(registry, ToolContext(gcp=GcpSettings(project=None))) == 0
    captured = capsys.readouterr()
    assert [json.loads(line)["resource"] for line in captured.out.splitlines()] == ["a-1"]
    assert captured.err.splitlines() == ["guardian: skipped gcp_security_scan: Google Cloud is not configured: it "
                                         "needs a project (set GOOGLE_CLOUD_PROJECT)."]


def test_a_failing_cloud_is_named_after_the_others_findings(capsys: pytest.CaptureFixture[str]) -> None:
    aws = ToolResult(status="ok", rows=[finding("aws", "high", "a-1")])
    gcp = ToolResult.error("Google Cloud denied firewalls.list on project p (403): the credentials need the "
                           "compute.firewalls.list permission.")
    registry = ToolRegistry([scan_spec("aws", aws), scan_spec("gcp", gcp)])
    with pytest.raises(UserError) as caught:
        run_scan(registry)
    assert [json.loads(line)["resource"] for line in capsys.readouterr().out.splitlines()] == ["a-1"]
    assert str(caught.value) == f"Scan incomplete. gcp_security_scan: {gcp.summary}"
