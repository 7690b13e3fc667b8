"""The shared contract checker (../shared/tools/contract-check) against this checkout."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
CHECKER = ROOT.parent / "shared" / "tools" / "contract-check"


def test_contract_shapes_hold() -> None:
    if not CHECKER.exists():
        pytest.skip(f"{CHECKER} is not beside this checkout")
    if not (ROOT / ".venv" / "bin" / "guardian").exists():
        pytest.skip("contract-check needs `make install` (.venv/bin/guardian)")
    result = subprocess.run([str(CHECKER)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "BAD" not in result.stdout
