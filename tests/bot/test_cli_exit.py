"""A cold one-shot `guardian` command runs with the cyclic collector paused and freezes its heap
at exit (bot/cli.py ``cold_command_heap``): the collector walked the ~250k objects a question
imports while they loaded (~0.45 s of CPU) and once more at exit (~0.7 s), of a ~3.5 s
`guardian ask`. What a command wrote is still there for the next process, and an in-process
caller gets its collector back."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.e2e.conftest import base_env

# atexit runs its handlers last-registered first: one registered before main() runs after
# whatever main() registered, so it sees the heap as the interpreter's exit collections will.
PROBE = """
import atexit, gc, json, sys
seen = {"collections": 0, "full": 0}

def count(phase, info):
    if phase == "start":
        seen["collections"] += 1
        seen["full"] += info["generation"] == 2

gc.callbacks.append(count)
atexit.register(lambda: print(json.dumps({**seen, "frozen": gc.get_freeze_count()})))
from bot.cli import main
seen.update(collections=0, full=0)  # from here on: the command's own
code = main(sys.argv[1:])
seen["enabled_after"] = gc.isenabled()
sys.stdout.flush()
raise SystemExit(code)
"""


def run(home: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], env=base_env(home), input="", capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-800:]
    return done, json.loads(done.stdout.splitlines()[-1])


def test_a_one_shot_command_collects_nothing_and_exits_with_its_heap_frozen(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "kafka-lag.md").write_text("# Consumer lag\n\nWhen the consumer group is lagging, add partitions.\n")
    _, heap = run(tmp_path / "home", "knowledge", "ingest", str(docs))
    assert heap["full"] == 0 and heap["enabled_after"] is True  # no full collection while it ran
    assert heap["frozen"] > 10_000  # the imported SDKs' objects, skipped by the exit collections
    found, heap = run(tmp_path / "home", "knowledge", "search", "--json", "-k", "1", "consumer group is lagging")
    [hit] = json.loads(found.stdout.splitlines()[0])["results"]
    assert hit["source"] == "kafka-lag.md"  # the previous process's write, read by the next one
    assert heap["full"] == 0 and heap["frozen"] > 10_000


def test_a_long_running_command_keeps_the_collector(tmp_path: Path) -> None:
    """`guardian chat` answers turn after turn: its garbage is still collected."""
    _, heap = run(tmp_path / "home", "chat")  # no input: the session ends at once
    assert heap["collections"] > 0 and heap["enabled_after"] is True
