"""`guardian scan security` runs Azure's and Google Cloud's scans in a second process
(bot/scan_runner.py), a fork where that is safe and a fresh interpreter otherwise: a cloud
whose process cannot start, dies without an answer, or answers an error is still named after
the others' findings (exit 1: incomplete), and the child answers exactly what the same tool
answers in this process."""

from __future__ import annotations

import argparse
import errno
import gc
import json
import os
import platform
import socket
import sys
import threading
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
from tools.toolset import Toolset


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


def azure_toolset(run: Any) -> Toolset:
    """A toolset named like Azure's (so its scan leaves the process) whose scan is ``run``."""
    return Toolset("azure", "Azure", AzureSettings,
                   (ToolSpec("azure_security_scan", "findings", NoArgs, "read", (), "azure", run),))


def forked_scans(monkeypatch: pytest.MonkeyPatch, azure_run: Any) -> dict[str, ToolResult]:
    """``security_scans`` (forking) of an AWS scan here and an Azure-like scan ``azure_run``
    in the child: the toolset the child imports is that one, declared first."""
    toolset = azure_toolset(azure_run)
    monkeypatch.setattr(scan_runner, "own_toolsets", lambda: [toolset])
    results, skipped = scan_runner.security_scans(lambda: ToolRegistry([aws_scan()], toolsets=[toolset]),
                                                  azure_ctx(), fork=True)
    assert skipped == {}
    return results


@pytest.fixture
def spawn_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's scans take the fresh-interpreter path, as where forking is not allowed."""
    monkeypatch.setattr(scan_runner, "may_fork", lambda: False)


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


@pytest.mark.usefixtures("spawn_only")
def test_a_cloud_whose_process_cannot_start_is_named_after_the_others_findings(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Any) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-such-python"))
    printed, message = scan_failure(ToolRegistry([aws_scan()], toolsets=[AZURE]), azure_ctx(), capsys)
    assert printed == ["a-1"]
    assert message == ("Scan incomplete. azure_security_scan: azure_security_scan could not start its process: "
                       "No such file or directory.")


@pytest.mark.usefixtures("spawn_only")
def test_a_cloud_whose_process_dies_without_an_answer_is_named_after_the_others_findings(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "executable", "/bin/false")  # exits 1 at once, writing nothing
    printed, message = scan_failure(ToolRegistry([aws_scan()], toolsets=[AZURE]), azure_ctx(), capsys)
    assert printed == ["a-1"]
    assert message == "Scan incomplete. azure_security_scan: azure_security_scan stopped without an answer " \
                      "(exit status 1)."


@pytest.mark.parametrize("fork", [True, False], ids=["fork", "spawn"])
def test_the_other_process_answers_what_the_tool_answers_here(
        fork: bool, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """A Google Cloud that cannot be reached: the child's sentence is the in-process one."""
    monkeypatch.setattr(scan_runner, "may_fork", lambda: fork)
    ctx = ToolContext(gcp=GcpSettings(project="driftwood-prod", api_url=f"http://127.0.0.1:{closed_port()}",
                                      anonymous=True))
    here = ToolRegistry.of(GCP).invoke("gcp_security_scan", {}, ctx)
    assert here.status == "error" and here.summary
    printed, message = scan_failure(ToolRegistry([aws_scan()], toolsets=[GCP]), ctx, capsys)
    assert printed == ["a-1"]
    assert message == f"Scan incomplete. gcp_security_scan: {here.summary}"


def test_an_unconfigured_cloud_starts_no_process_and_is_skipped_with_one_line(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "executable", "/bin/false")  # a child of either kind would fail the scan
    monkeypatch.setattr(os, "fork", lambda: pytest.fail("forked"))
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
    results, _ = scan_runner.security_scans(lambda: ToolRegistry([aws_scan(seen)]), ToolContext())
    assert seen == [False]
    assert gc.isenabled()
    assert results["aws_security_scan"].rows == [AWS_FINDING]


def test_a_forked_child_runs_the_moved_scan_in_another_process_and_this_one_here(
        monkeypatch: pytest.MonkeyPatch) -> None:
    pids: dict[str, int] = {}

    def azure_scan(_ctx: ToolContext, _args: BaseModel) -> ToolResult:
        pids["azure"] = os.getpid()  # the child's copy of this dict; the parent's stays without it
        return ToolResult(status="ok", rows=[{**AWS_FINDING, "cloud": "azure", "resource": str(os.getpid())}])

    results = forked_scans(monkeypatch, azure_scan)
    assert results["aws_security_scan"].rows == [AWS_FINDING]
    child_pid = int(results["azure_security_scan"].rows[0]["resource"])
    assert child_pid != os.getpid()
    assert pids == {}
    with pytest.raises(ChildProcessError):  # reaped: no zombie left behind
        os.waitpid(child_pid, os.WNOHANG)


def test_a_forked_child_that_dies_is_named_with_its_exit_status(monkeypatch: pytest.MonkeyPatch) -> None:
    def azure_scan(_ctx: ToolContext, _args: BaseModel) -> ToolResult:
        os._exit(3)

    results = forked_scans(monkeypatch, azure_scan)
    assert results["aws_security_scan"].rows == [AWS_FINDING]
    assert results["azure_security_scan"].summary == "azure_security_scan stopped without an answer (exit status 3)."


def test_a_fork_that_fails_is_named_like_a_process_that_cannot_start(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fork() -> int:
        raise OSError(errno.EAGAIN, os.strerror(errno.EAGAIN))

    monkeypatch.setattr(os, "fork", no_fork)  # the kernel refusing a process (pid or memory limit)
    results = forked_scans(monkeypatch, lambda _c, _a: ToolResult(status="ok"))
    assert results["aws_security_scan"].rows == [AWS_FINDING]
    assert results["azure_security_scan"].summary == (
        f"azure_security_scan could not start its process: {os.strerror(errno.EAGAIN)}.")


def test_what_a_forked_child_prints_goes_to_stderr_never_among_the_findings(
        monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(scan_runner, "may_fork", lambda: True)  # whatever threads pytest runs

    def azure_scan(_ctx: ToolContext, _args: BaseModel) -> ToolResult:
        print("an SDK's stray print")  # noqa: T201 - what an SDK might do
        return ToolResult(status="ok", rows=[{**AWS_FINDING, "cloud": "azure"}])

    toolset = azure_toolset(azure_scan)
    monkeypatch.setattr(scan_runner, "own_toolsets", lambda: [toolset])  # the child's part, declared first
    registry = ToolRegistry([aws_scan()], toolsets=[toolset])
    fake: Any = type("Rt", (), {"registry": registry, "tool_ctx": azure_ctx()})()
    print("before", flush=False)  # noqa: T201 - buffered in this process at the fork: written once, by us
    assert cli.cmd_scan_security(fake, argparse.Namespace(json=True)) == 0
    captured = capfd.readouterr()
    assert captured.out.splitlines()[0] == "before"
    assert [json.loads(line)["cloud"] for line in captured.out.splitlines()[1:]] == ["aws", "azure"]
    assert "an SDK's stray print" in captured.err.splitlines()


def test_forking_is_allowed_on_linux_with_one_thread_only() -> None:
    if sys.platform != "linux":
        assert not scan_runner.may_fork()
        return
    assert scan_runner.may_fork() == (len(os.listdir("/proc/self/task")) == 1)
    stop = threading.Event()
    worker = threading.Thread(target=stop.wait)
    worker.start()
    try:
        assert not scan_runner.may_fork()
    finally:
        stop.set()
        worker.join()


def test_the_scan_threads_share_one_malloc_arena_where_the_c_library_is_glibc() -> None:
    assert scan_runner.one_malloc_arena() is (sys.platform == "linux" and platform.libc_ver()[0] == "glibc")


FORK_BEFORE_AWS = """
import json, os, sys
from pydantic import BaseModel
from bot import scan_runner
from tools.base import ToolResult, ToolSpec
from tools.registry import ToolRegistry
from tools.settings import AzureSettings
from tools.toolset import Toolset

class NoArgs(BaseModel):
    pass

def row(cloud):
    return ToolResult(status="ok", rows=[{"cloud": cloud, "pid": os.getpid(), "botocore": "botocore" in sys.modules}])

azure = Toolset("azure", "Azure", AzureSettings, (ToolSpec("azure_security_scan", "findings", NoArgs, "read", (),
                                                           "azure", lambda _c, _a: row("azure")),))
scan_runner.own_toolsets = lambda: [azure]

def declared():
    import tools.aws  # the AWS toolset, and with it botocore
    return ToolRegistry([ToolSpec("aws_security_scan", "findings", NoArgs, "read", (), "aws",
                                  lambda _c, _a: row("aws"))], toolsets=[azure])

from tools.base import ToolContext
ctx = ToolContext(azure=AzureSettings(subscription_id="s", token="t"))
results, skipped = scan_runner.security_scans(declared, ctx, fork=True)
print(json.dumps({name: result.rows[0] for name, result in results.items()}))
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forking needs os.fork")
def test_the_child_is_forked_before_the_aws_toolset_and_botocore_are_imported() -> None:
    """A fresh interpreter (this one has botocore loaded already): the child never carries
    botocore's pages, and the scans come back in the registry's order."""
    import subprocess

    done = subprocess.run([sys.executable, "-c", FORK_BEFORE_AWS], capture_output=True, text=True, check=True,
                          timeout=60)
    rows = json.loads(done.stdout)
    assert list(rows) == ["aws_security_scan", "azure_security_scan"]
    assert rows["aws_security_scan"]["botocore"] is True
    assert rows["azure_security_scan"]["botocore"] is False
    assert rows["azure_security_scan"]["pid"] != rows["aws_security_scan"]["pid"]


def test_a_registry_that_fails_after_the_fork_leaves_no_child_behind(tmp_path: Any) -> None:
    marker = tmp_path / "child-pid"

    def azure_scan(_ctx: ToolContext, _args: BaseModel) -> ToolResult:
        marker.write_text(str(os.getpid()))
        return ToolResult(status="ok")

    def declared() -> ToolRegistry:
        raise RuntimeError("a toolset failed to import")

    toolset = azure_toolset(azure_scan)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(scan_runner, "own_toolsets", lambda: [toolset])
        with pytest.raises(RuntimeError, match="a toolset failed to import"):
            scan_runner.security_scans(declared, azure_ctx(), fork=True)
    with pytest.raises(ChildProcessError):  # the child ran, answered and was reaped before the failure
        os.waitpid(int(marker.read_text()), os.WNOHANG)


def test_an_unavailable_scan_of_the_child_s_toolsets_is_skipped_with_its_reason() -> None:
    results, skipped = scan_runner.security_scans(lambda: ToolRegistry([aws_scan()], toolsets=[AZURE, GCP]),
                                                  ToolContext(), fork=True)
    assert list(results) == ["aws_security_scan"]
    assert list(skipped) == ["azure_security_scan", "gcp_security_scan"]
