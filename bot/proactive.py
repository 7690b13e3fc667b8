"""Proactive posts inside `guardian serve`: the scheduler task started with the app, and the
Slack poster it posts through (docs/proactive.md).

The scheduler is one asyncio task per process that, every tick, runs the due jobs in a
worker thread (``Proactive.run_due``). Every replica runs one; the database leases in
agents/jobs.py make each job's run for a period happen once, so nothing here coordinates
replicas. Posts carry their delivery key as Slack message metadata, so a scheduler that
takes over after a crash can see whether the post it was unsure about is already there.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from agents.answer import Answer
from agents.proactive import Poster
from agents.subscriptions import Subscription
from bot.render.blocks import answer_blocks, fallback_text
from bot.slack_keys import keyed_metadata, keyed_ts

if TYPE_CHECKING:
    from fastapi import FastAPI

    from bot.runtime import Runtime
    from bot.teams_surface import TeamsSurface

log = logging.getLogger(__name__)

METADATA_EVENT = "guardian_proactive_post"
HISTORY_LIMIT = 200  # messages looked back through for an uncertain post
MAX_TICK = 30.0


class SurfacePoster:
    """Posts to the surface a subscription names (Slack, Teams); a subscription on a surface
    this process cannot post to fails that one delivery (logged and audited)."""

    def __init__(self, slack: WebClient | None, teams: TeamsSurface | None = None) -> None:
        self.slack = slack
        self.teams = teams

    def _client(self, subscription: Subscription) -> WebClient:
        if subscription.surface != "slack" or self.slack is None:
            raise RuntimeError(f"cannot post to {subscription.surface}: not configured in this process")
        return self.slack

    def post(self, subscription: Subscription, answer: Answer, key: str) -> str:
        if subscription.surface == "teams" and self.teams is not None:
            return self.teams.post_to_sync(subscription.channel, answer)
        response = self._client(subscription).chat_postMessage(
            channel=subscription.channel, text=fallback_text(answer), blocks=answer_blocks(answer),
            metadata=keyed_metadata(METADATA_EVENT, key))
        return str(response["ts"])

    def find(self, subscription: Subscription, key: str) -> str | None:
        """The ts of a message in the channel that carries ``key``; None when there is none
        or the surface would not say (then the post is made: a repeat beats a silent skip;
        Teams has no message metadata to look for)."""
        if subscription.surface == "teams":
            return None
        try:
            history = self._client(subscription).conversations_history(
                channel=subscription.channel, include_all_metadata=True, limit=HISTORY_LIMIT)
        except (SlackApiError, RuntimeError) as exc:
            log.warning("proactive: could not read %s to check an uncertain post: %s", subscription.target, exc)
            return None
        return keyed_ts(history.get("messages") or [], METADATA_EVENT, key)


def poster_for(rt: Runtime, teams: TeamsSurface | None = None) -> Poster:
    token = rt.settings.slack_bot_token
    slack = WebClient(token=token.get_secret_value(), base_url=rt.settings.slack_api_url) if token else None
    return SurfacePoster(slack, teams if teams is not None and teams.app_id else None)


class Scheduler:
    """Runs ``job`` every ``tick`` seconds, in a worker thread, until stopped (the proactive
    jobs; the inventory sync). The jobs' stores are built on the first tick, in the worker
    thread: a database that is down at start-up costs ticks (logged, and /readyz says why),
    never the server's start."""

    def __init__(self, job: Callable[[], Any], tick: float, name: str = "guardian-scheduler",
                 first_after: float = 0.0) -> None:
        self.job, self.tick, self.name, self.first_after = job, tick, name, first_after
        self.task: asyncio.Task[Any] | None = None
        self.runs = 0

    def start(self) -> None:
        self.task = asyncio.get_running_loop().create_task(self._loop(), name=self.name)
        log.info("%s: started (every %.0f s)", self.name, self.tick)

    def run_once(self) -> Any:
        return self.job()

    async def _loop(self) -> None:
        await asyncio.sleep(self.first_after)
        while True:
            try:
                await asyncio.to_thread(self.run_once)
            except Exception:  # a database hiccup costs one tick, never the scheduler
                log.exception("%s: a run failed; trying again in %.0f s", self.name, self.tick)
            self.runs += 1
            await asyncio.sleep(self.tick)

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task


def tick_for(exposure_interval: int) -> float:
    """Often enough that a scan runs soon after its slot opens (so a new exposure is posted
    within about one interval), rarely enough to cost nothing between slots."""
    return max(1.0, min(MAX_TICK, exposure_interval / 10))


def mount_proactive(app: FastAPI, rt: Runtime) -> None:
    """Start the scheduler with the app's lifespan (``guardian serve``); GUARDIAN_SCHEDULER=0
    keeps a replica from running jobs."""
    if not rt.settings.scheduler:
        return
    holder: dict[str, Scheduler] = {}

    async def start() -> None:
        poster = poster_for(rt, getattr(app.state, "teams", None))
        scheduler = Scheduler(lambda: rt.proactive.run_due(poster), tick_for(rt.settings.exposure_scan_interval))
        holder["scheduler"] = scheduler
        app.state.scheduler = scheduler
        scheduler.start()

    async def stop() -> None:
        if "scheduler" in holder:
            await holder["scheduler"].stop()

    app.router.on_startup.append(start)
    app.router.on_shutdown.append(stop)
