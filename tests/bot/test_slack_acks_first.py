"""AckFirst holds work that can wait while Slack deliveries are being acknowledged, and
lets it go once they stop, or after its deferral limit even if they never do. States,
not timings: each check waits on what the gate decides, never on how fast it is."""

from __future__ import annotations

import asyncio

from bot.slack_surface import AckFirst


def test_work_waits_while_a_delivery_is_in_flight_and_goes_once_it_is_acknowledged() -> None:
    async def scenario() -> None:
        gate = AckFirst()
        gate.MAX_DEFER = 60.0
        gate.arrived()
        gate.inflight = 1
        waiting = asyncio.ensure_future(gate.quiet())
        await asyncio.sleep(gate.QUIET * 4)  # long past the quiet period: still held by the delivery in flight
        assert not waiting.done()
        gate.inflight = 0
        await asyncio.wait_for(waiting, 5)

    asyncio.run(scenario())


def test_work_is_never_held_past_the_deferral_limit() -> None:
    async def scenario() -> None:
        gate = AckFirst()
        gate.MAX_DEFER = 0.1
        gate.arrived()
        gate.inflight = 1  # a delivery that never finishes
        await asyncio.wait_for(gate.quiet(), 5)
        assert gate.inflight == 1

    asyncio.run(scenario())


def test_work_goes_at_once_when_nothing_arrived() -> None:
    async def scenario() -> None:
        gate = AckFirst()
        gate.MAX_DEFER = 60.0
        await asyncio.wait_for(gate.quiet(), 1)

    asyncio.run(scenario())
