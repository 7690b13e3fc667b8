"""End-to-end fixtures: the real `guardian` console script as a subprocess, against the
sandbox company served on loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests import moto_owner
from tests.conftest import sandbox_environment
from tests.moto_owner import sandbox_owns_moto  # noqa: F401 - autouse: re-seed after a moto reset

if TYPE_CHECKING:
    from bot.runtime import Runtime

GUARDIAN = Path(sys.executable).with_name("guardian")


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str

    @property
    def json_lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stdout.splitlines() if line.strip().startswith("{")]

    @property
    def last(self) -> dict[str, Any]:
        lines = self.json_lines
        assert lines, f"no JSON on stdout; stderr: {self.stderr[-800:]}"
        return lines[-1]


class Cli:
    """Runs `guardian ...` in a fresh process with a given environment."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    def __call__(self, *args: str, stdin: str | None = None, timeout: float = 180,
                 env: dict[str, str] | None = None) -> CliResult:
        proc = subprocess.run([str(GUARDIAN), *args], env=env or self.env, input=stdin, capture_output=True,
                              text=True, timeout=timeout)
        return CliResult(proc.returncode, proc.stdout, proc.stderr)


def base_env(home: Path) -> dict[str, str]:
    keep = {key: value for key, value in os.environ.items()
            if not key.startswith(("AWS_", "GUARDIAN_", "GITHUB_", "PAGERDUTY_", "SLACK_", "GOOGLE_"))}
    return {**keep, "GUARDIAN_HOME": str(home), "GUARDIAN_LLM": "none", "HF_HUB_OFFLINE": "1"}


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Any]:
    from sandbox.server import Sandbox

    with Sandbox() as running:
        moto_owner.sandbox_started(running.seed)
        yield running
        moto_owner.sandbox_stopped(running.seed)


@pytest.fixture(scope="session")
def e2e_home(tmp_path_factory: pytest.TempPathFactory, warm_home: Callable[[Path], Path]) -> Path:
    """The session's home, its knowledge store already holding the packaged runbooks (so the
    first CLI to open it does not embed them in a cold process)."""
    return warm_home(tmp_path_factory.mktemp("guardian-home"))


@pytest.fixture(scope="session")
def cli(sandbox: Any, e2e_home: Path) -> Cli:
    """The CLI pointed at the sandbox; one GUARDIAN_HOME for the session (like a real user's)."""
    return Cli({**base_env(e2e_home), **sandbox.env})


@pytest.fixture
def company_as_seeded(sandbox: Any) -> Iterator[None]:
    """Every instance in the power state the company data gives it, before and after the
    test: tests that stop, start or reboot instances leave nothing behind for the next."""
    from sandbox.company import DRIFTWOOD

    def restore() -> None:
        session = sandbox.boto_session()
        for region in DRIFTWOOD.regions:
            ec2 = session.client("ec2", region_name=region)
            for reservation in ec2.describe_instances()["Reservations"]:
                for inst in reservation["Instances"]:
                    name = next((t["Value"] for t in inst.get("Tags", []) if t["Key"] == "Name"), "")
                    seeded = next((i for i in DRIFTWOOD.instances if i.name == name), None)
                    if seeded is None or inst["State"]["Name"] == seeded.state:
                        continue
                    if seeded.state == "running":
                        ec2.start_instances(InstanceIds=[inst["InstanceId"]])
                    else:
                        ec2.stop_instances(InstanceIds=[inst["InstanceId"]])

    restore()
    yield
    restore()


# --------------------------------------------------------------------------- turns resumed after a crash
# (tests/e2e/test_turn_recovery.py and test_web_resume.py)


@pytest.fixture
def home(sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, warm_home: Callable[[Path], Path]) -> Path:
    """A GUARDIAN_HOME with the runbooks ingested, the sandbox's environment set."""
    sandbox_environment(monkeypatch, sandbox)
    return warm_home(tmp_path / "home")


@pytest.fixture
def runtimes() -> Iterator[list[Runtime]]:
    """The runtimes a test makes, closed after it."""
    made: list[Runtime] = []
    yield made
    for runtime in made:
        runtime.close()
