"""`guardian scan security` runs Azure's and Google Cloud's scans in a second process
(bot/scan_runner.py): a cloud whose process cannot start, dies without an answer, or
answers an error is still named after the others' findings (exit 1: incomplete), and the
child answers exactly what the same tool answers in this process."""

from __future__ import annotations

import argparse
import gc
import json
import socket
import sys
from typing import Any

import pytest
from pydantic import BaseModel, SecretStr

from bot import cli, scan_runner
from bot.errors import UserError
from tools.azure import AZURE
from tools.base import ToolContext, ToolResult, ToolSpec
from tools.gcp import GCP
from tools.registry import ToolRegistry
from tools.settings import AzureSettings, GcpSettings


class NoArgs(BaseModel):
    pass


AWS_FINDING = {"check": "public_bucket", "severity": "high", "cloud": "aws", "region": "us-east-1",
               "resource": "a-1", "detail": "public; fix: make it private"}


def aws_scan(seen_collector: list[bool] | None = None) -> ToolSpec:
    def run(_ctx: ToolContext, _args: BaseModel) -> ToolResult:
        if seen_collector is not None:
            seen_collector.append(gc.isenabled())
        return ToolResult(status="ok", rows=[AWS_FINDING])

    return ToolSpec("aws_security_scan", "findings", NoArgs, "read", (), "aws", run)


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def azure_ctx() -> ToolContext:
    """Azure configured (a subscription and a static token) but pointed at a closed port."""
    return ToolContext(azure=AzureSettings(subscription_id="00000000-0000-0000-0000-000000000000",
                                           arm_url=f"https://127.0.0.1:{closed_port()}",
                                           token=SecretStr("not-a-real-token")))


def run_scan(registry: ToolRegistry, ctx: ToolContext) -> int:
    fake: Any = type("Rt", (), {"registry": registry, "tool_ctx": ctx})()
    return cli.cmd_scan_security(fake, argparse.Namespace(json=True))


def scan_failure(registry: ToolRegistry, ctx: ToolContext, capsys: pytest.CaptureFixture[str]) -> tuple[list[str], str]:
    """(resources printed, the UserError's message) of a scan that must end incomplete."""
    with pytest.raises(UserError) as caught:
        run_scan(registry, ctx)
    printed = [json.loads(line)["resource"] for line in capsys.readouterr().out.splitlines()]
    return printed, str(caught.value)


def test_only_the_toolsets_azure_and_gcp_scans_leave_the_process() -> None:
    assert set(scan_runner.OWN_PROCESS) == {"azure", "gcp"}
    for integration, path in scan_runner.OWN_PROCESS.items():  # the child imports what the registry holds
        module, _, attribute = path.partition(":")
        assert getattr(sys.modules[module], attribute) is {"azure": AZURE, "gcp": GCP}[integration]


def test_a_cloud_whose_process_cannot_start_is_named_after_the_others_findings(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Any) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-such-python"))
    printed, message = scan_failure(ToolRegistry([aws_scan()], toolsets=[AZURE]), azure_ctx(), capsys)
    assert printed == ["a-1"]
    assert message == ("Scan incomplete. azure_security_scan: azure_security_scan could not start its process: "
                       "No such file or directory.")


def test_a_cloud_whose_process_dies_without_an_answer_is_named_after_the_others_findings(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "executable", "/bin/false")  # exits 1 at once, writing nothing
    printed, message = scan_failure(ToolRegistry([aws_scan()], toolsets=[AZURE]), azure_ctx(), capsys)
    assert printed == ["a-1"]
    assert message == "Scan incomplete. azure_security_scan: azure_security_scan stopped without an answer " \
                      "(exit status 1)."


def test_the_other_process_answers_what_the_tool_answers_here(capsys: pytest.CaptureFixture[str]) -> None:
    """A Google Cloud that cannot be reached: the child's sentence is the in-process one."""
    ctx = ToolContext(gcp=GcpSettings(project="driftwood-prod", api_url=f"http://127.0.0.1:{closed_port()}",
                                      anonymous=True))
    here = ToolRegistry.of(GCP).invoke("gcp_security_scan", {}, ctx)
    assert here.status == "error" and here.summary
    printed, message = scan_failure(ToolRegistry([aws_scan()], toolsets=[GCP]), ctx, capsys)
    assert printed == ["a-1"]
    assert message == f"Scan incomplete. gcp_security_scan: {here.summary}"


def test_an_unconfigured_cloud_starts_no_process_and_is_skipped_with_one_line(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "executable", "/bin/false")  # a child would fail the scan
    assert run_scan(ToolRegistry([aws_scan()], toolsets=[AZURE, GCP]), ToolContext()) == 0
    captured = capsys.readouterr()
    assert [json.loads(line)["resource"] for line in captured.out.splitlines()] == ["a-1"]
    assert captured.err.splitlines() == [
        "guardian: skipped azure_security_scan: Azure is not configured: it needs a subscription (set "
        "AZURE_SUBSCRIPTION_ID).",
        "guardian: skipped gcp_security_scan: Google Cloud is not configured: it needs a project (set "
        "GOOGLE_CLOUD_PROJECT)."]


def test_the_collector_is_paused_during_the_scans_and_restored_after() -> None:
    seen: list[bool] = []
    assert gc.isenabled()
    results = scan_runner.run_scans(ToolRegistry([aws_scan(seen)]), ["aws_security_scan"], ToolContext())
    assert seen == [False]
    assert gc.isenabled()
    assert results["aws_security_scan"].rows == [AWS_FINDING]
