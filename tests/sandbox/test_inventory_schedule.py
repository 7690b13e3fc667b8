"""`guardian serve` snapshots the inventory on a schedule: one sync per interval slot, even
with several replicas ticking (the job lease in the shared database), and a later slot syncs
again. Runs against the sandbox; the snapshot's resources are the seeded company's."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.inventory_schedule import InventorySchedule
from bot.runtime import Runtime
from bot.settings import load_settings
from sandbox.company import DRIFTWOOD
from sandbox.server import Sandbox
from tests.conftest import sandbox_environment

pytestmark = pytest.mark.slow


@pytest.fixture
def runtime(sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
            warm_home: Callable[[Path], Path]) -> Iterator[Runtime]:
    sandbox_environment(monkeypatch, sandbox)
    with Runtime(load_settings(home=warm_home(tmp_path / "home"))) as rt:
        yield rt


def test_each_slot_syncs_once_across_replicas_and_the_next_slot_again(runtime: Runtime) -> None:
    interval = 3600
    replica_a, replica_b = InventorySchedule(runtime, interval), InventorySchedule(runtime, interval)
    slot_start = 1_900_000_800  # a multiple of the interval
    assert runtime.knowledge.search("payments-api-1", k=3, namespaces=("inventory",)) == []
    assert replica_a.run_due(slot_start + 5) is True
    assert replica_b.run_due(slot_start + 10) is False  # the same slot: already done
    assert replica_a.run_due(slot_start + interval - 1) is False
    hits = runtime.knowledge.search("payments-api-1", k=3, namespaces=("inventory",))
    instance = DRIFTWOOD.instance("payments-api-1")
    assert any(f"name: {instance.name}" in hit.text and f"region: {instance.region}" in hit.text for hit in hits)
    assert replica_b.run_due(slot_start + interval) is True  # the next slot
