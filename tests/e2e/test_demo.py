"""`make demo` is the README's first command: `guardian demo` as a subprocess, its sandbox
of its own, questions from a script. It snapshots every cloud's inventory before the first
question, so an Azure VM's owner is answered at once; it exits cleanly, with no error logged
on the way out. Expected values come from sandbox/company.py."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from sandbox.company import DRIFTWOOD_AZURE, OWNERS
from tests.e2e.conftest import GUARDIAN, base_env
from tests.helpers import synced_resources

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_the_demo_answers_from_its_inventory_snapshot_and_exits_cleanly(
        tmp_path: Path, warm_home: Callable[[Path], Path]) -> None:
    script = tmp_path / "questions.txt"
    vm = DRIFTWOOD_AZURE.vm("web-frontend-1")
    script.write_text(f"who owns {vm.name}?\n")
    env = {**base_env(warm_home(tmp_path / "home")), "COLUMNS": "200"}
    done = subprocess.run([str(GUARDIAN), "demo", "--port", "-1", "--script", str(script)], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    out = " ".join(done.stdout.split())  # rich wraps lines at the terminal's width
    assert f"Inventory: {synced_resources()} resources snapshotted" in out
    assert (f"The inventory snapshot has 1 resource for {vm.name}: {vm.name} (azure vm in {vm.location}, "
            f"owner {OWNERS[vm.service]})") in out
    assert "Traceback" not in done.stderr and "ERROR" not in done.stderr + done.stdout
