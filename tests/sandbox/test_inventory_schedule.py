"""`guardian serve` snapshots the inventory on a schedule: one sync per interval slot, even
with several replicas ticking (the job lease in the shared database), and a later slot syncs
again. Runs against the sandbox; the snapshot's resources are the seeded company's."""

from __future__ import annotations

import pytest

from bot.inventory_schedule import InventorySchedule
from bot.runtime import Runtime
from sandbox.company import DRIFTWOOD

pytestmark = pytest.mark.slow


def test_each_slot_syncs_once_across_replicas_and_the_next_slot_again(sandbox_runtime: Runtime) -> None:
    interval = 3600
    replica_a, replica_b = InventorySchedule(sandbox_runtime, interval), InventorySchedule(sandbox_runtime, interval)
    slot_start = 1_900_000_800  # a multiple of the interval
    assert sandbox_runtime.knowledge.search("payments-api-1", k=3, namespaces=("inventory",)) == []
    assert replica_a.run_due(slot_start + 5) is True
    assert replica_b.run_due(slot_start + 10) is False  # the same slot: already done
    assert replica_a.run_due(slot_start + interval - 1) is False
    hits = sandbox_runtime.knowledge.search("payments-api-1", k=3, namespaces=("inventory",))
    instance = DRIFTWOOD.instance("payments-api-1")
    assert any(f"name: {instance.name}" in hit.text and f"region: {instance.region}" in hit.text for hit in hits)
    assert replica_b.run_due(slot_start + interval) is True  # the next slot
