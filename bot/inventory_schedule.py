"""`guardian serve` snapshots the inventory on a schedule (GUARDIAN_INVENTORY_SYNC_INTERVAL),
so "where does X run?" and "what changed since yesterday?" stay current without anyone running
`guardian inventory sync`. Every replica ticks; the job lease in the shared database
(agents/jobs.py) makes each interval's sync happen once."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.proactive import Scheduler

if TYPE_CHECKING:
    from fastapi import FastAPI

    from bot.runtime import Runtime

log = logging.getLogger(__name__)

JOB = "inventory-sync"
MAX_TICK = 60.0


class InventorySchedule:
    """One sync per interval slot across replicas; a failed sync is logged and keeps the
    last snapshot (sync_inventory refuses to replace it with a partial one)."""

    def __init__(self, rt: Runtime, interval: int, clock: Callable[[], float] = time.time) -> None:
        self.rt, self.interval, self.clock = rt, interval, clock

    def slot(self, moment: float) -> str:
        return str(int(moment) // self.interval * self.interval)

    def run_due(self, moment: float | None = None) -> bool:
        """Sync if this slot's run is ours to make; whether a sync ran."""
        from bot.errors import UserError
        from bot.inventory import sync_inventory

        jobs = self.rt.proactive
        slot = self.slot(self.clock() if moment is None else moment)
        claim = jobs.runs.claim(JOB, slot, jobs.owner)
        if claim is None:
            return False
        try:
            done = sync_inventory(self.rt)
            log.info("inventory sync %s: %d resource(s) snapshotted", slot, done["resources"])
        except UserError as exc:
            log.warning("inventory sync %s kept the last snapshot: %s", slot, exc)
        finally:
            jobs.runs.finish(claim)
        return True


def mount_inventory_schedule(app: FastAPI, rt: Runtime) -> None:
    """The sync loop with the app's lifespan; GUARDIAN_SCHEDULER=0 or an interval of 0 leave it off."""
    interval = rt.settings.inventory_sync_interval
    if not rt.settings.scheduler or interval <= 0:
        return
    schedule = InventorySchedule(rt, interval)
    tick = max(1.0, min(MAX_TICK, interval / 10))
    # The first sync waits one tick: at start-up it would write the SQLite database while the
    # first turns set up their checkpointer (seen as "database is locked" in a Slack e2e test).
    scheduler = Scheduler(schedule.run_due, tick, name="guardian-inventory-sync", first_after=tick)

    async def start() -> None:
        scheduler.start()
        app.state.inventory_schedule = schedule

    app.router.on_startup.append(start)
    app.router.on_shutdown.append(scheduler.stop)
