"""The layering rule (ruff TID251 through tools/, knowledge/, agents/ and sandbox/ruff.toml)
refuses an upward import, at module level or inside a function, and lets the allowed ones
through. Checked through ruff's stdin with the file named inside each layer, so nothing is
written into the source tree."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUFF = Path(sys.executable).with_name("ruff")

BANNED = [("tools", "bot"), ("tools", "agents"), ("tools", "sandbox"),
          ("knowledge", "bot"), ("knowledge", "agents"), ("knowledge", "sandbox"),
          ("agents", "bot"), ("agents", "sandbox"),
          ("sandbox", "bot")]
ALLOWED = [("bot", "agents"), ("bot", "sandbox"), ("agents", "tools"), ("agents", "knowledge"),
           ("tools", "botocore"), ("sandbox", "tools")]


def banned_imports(layer: str, source: str) -> list[str]:
    """The TID251 lines ruff reports for ``source`` as if it were ``layer/probe.py``."""
    done = subprocess.run([str(RUFF), "check", "--no-cache", "--select", "TID251", "--output-format", "concise",
                           "--stdin-filename", f"{layer}/probe.py", "-"],
                          input=source, capture_output=True, text=True, cwd=ROOT, timeout=60)
    return [line for line in done.stdout.splitlines() if "TID251" in line]


@pytest.mark.parametrize(("layer", "upper"), BANNED)
def test_an_upward_import_is_refused(layer: str, upper: str) -> None:
    source = (f"from {upper}.anything import Thing\n\n\n"
              f"def later() -> object:\n    import {upper}\n\n    return {upper}, Thing\n")
    found = banned_imports(layer, source)
    assert len(found) == 2, found
    assert all(f"`{upper}` is banned: {layer}/ must not import {upper}/" in line for line in found)


@pytest.mark.parametrize(("layer", "lower"), ALLOWED)
def test_a_downward_import_is_allowed(layer: str, lower: str) -> None:
    assert banned_imports(layer, f"import {lower}\n\nprint({lower})\n") == []
