"""A cold `guardian` command freezes its heap at exit (bot/cli.py ``freeze_heap_at_exit``): the
interpreter's exit collections walked the ~250k objects a question leaves, ~0.7 s of a ~3.5 s
`guardian ask`. What it wrote before exiting is still there for the next process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.e2e.conftest import base_env

# atexit runs its handlers last-registered first: one registered before main() runs after
# whatever main() registered, so it sees the heap as the interpreter's exit collections will.
PROBE = """
import atexit, gc, json, sys
atexit.register(lambda: print(json.dumps({"frozen": gc.get_freeze_count()})))
from bot.cli import main
code = main(sys.argv[1:])
sys.stdout.flush()
raise SystemExit(code)
"""


def run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", PROBE, *args], env=base_env(home), capture_output=True, text=True,
                          timeout=120, check=False)


def test_a_command_exits_with_its_heap_frozen_and_its_writes_kept(tmp_path: Path) -> None:
    home = tmp_path / "home"
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "kafka-lag.md").write_text("# Consumer lag\n\nWhen the consumer group is lagging, add partitions.\n")
    ingested = run(home, "knowledge", "ingest", str(docs))
    assert ingested.returncode == 0, ingested.stderr[-800:]
    assert json.loads(ingested.stdout.splitlines()[-1])["frozen"] > 10_000  # the imported SDKs' objects
    found = run(home, "knowledge", "search", "--json", "-k", "1", "consumer group is lagging")
    assert found.returncode == 0, found.stderr[-800:]
    [hit] = json.loads(found.stdout.splitlines()[0])["results"]
    assert hit["source"] == "kafka-lag.md"  # the previous process's write, read by the next one
