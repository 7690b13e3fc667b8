"""Proactive posts: the subscription commands and the two scheduled jobs (the digest and
the exposure scan), independent of any chat surface (a ``Poster`` does the posting).

Each job run goes through ``JobRuns`` (agents/jobs.py): claim the period's lease, produce
once (the payload is stored before anything is posted), deliver once per subscribed channel,
finish. Subscribing changes Guardian's own configuration, so it needs the access policy's
``configure: [subscriptions]`` and the right to ask what the posts will show; every attempt,
allowed or refused, is audited.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any, Protocol

from sqlalchemy import Engine

from agents.answer import Answer, Cell, Column, Table
from agents.audit import AuditLog, Origin
from agents.digest import DigestBuilder, finding_key, latest_due, period_for
from agents.exposures import Exposure, ExposureBaseline, exposures_of
from agents.findings_seen import FindingsSeen
from agents.jobs import Claim, JobRuns, LeaseLost, delivery_key, new_owner
from agents.policy import AccessPolicy
from agents.subscriptions import CADENCES, Subscription, SubscriptionStore, describe_kind
from tools.base import ToolContext
from tools.registry import ToolRegistry

log = logging.getLogger(__name__)

SCHEDULER_USER = "guardian-scheduler"
MAX_CHANNEL = 200  # the subscriptions table's column
RETRY_AFTER = 120.0  # seconds before a run whose posts partly failed is tried again
MAX_ATTEMPTS = 3
# What each kind of post shows: subscribing a channel to it needs the right to ask these.
SHOWS = {"digest": ("cost.summary", "cost.forecast", "security.findings", "cicd.status", "incident.list"),
         "exposures": ("security.public_storage", "security.open_ports", "security.iam"),
         "cicd": ("cicd.failure",)}
USAGE = ("`/guardian subscribe digest daily|weekly`, `/guardian subscribe exposures`, `/guardian subscribe cicd`, "
         "`/guardian unsubscribe digest|exposures|cicd`, `/guardian subscriptions`")
EXPOSURE_QUESTION = {"public_bucket": "which buckets are public?", "open_port": "which ports are open to the world?",
                     "admin": "which IAM users have admin access?"}
EXPOSURE_WORDS = {"public_bucket": "public bucket", "open_port": "port open to the world",
                  "admin": "administrator access"}


class Poster(Protocol):
    """Posts an answer to a subscribed channel (returns the message's id) and finds a post
    by its delivery key (None when the surface cannot tell or it is not there)."""

    def post(self, subscription: Subscription, answer: Answer, key: str) -> str: ...

    def find(self, subscription: Subscription, key: str) -> str | None: ...


@dataclass(frozen=True)
class Schedule:
    digest_hour: int = 8  # UTC hour after which the previous day's (Monday: week's) digest is posted
    exposure_interval: int = 900  # seconds between exposure scans
    lease_seconds: float = 300.0


class Proactive:
    """Subscriptions and scheduled runs over the shared database."""

    def __init__(self, engine: Engine, registry: ToolRegistry, ctx: ToolContext, policy: AccessPolicy,
                 audit: AuditLog, schedule: Schedule | None = None, *, owner: str | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.schedule = schedule or Schedule()
        self.registry, self.ctx, self.policy, self.audit = registry, ctx, policy, audit
        self.subscriptions = SubscriptionStore(engine)
        self.runs = JobRuns(engine, self.schedule.lease_seconds, clock)
        self.baseline = ExposureBaseline(engine)
        self.seen = FindingsSeen(engine)
        self.owner = owner or new_owner()
        self.clock = clock

    # ------------------------------------------------------------------ commands
    def command(self, text: str, *, user: str, surface: str, channel: str) -> str:
        """``subscribe digest daily|weekly``, ``subscribe exposures``, ``subscribe cicd``, ``unsubscribe KIND``,
        ``subscriptions``: the reply to show the user (one or two plain sentences)."""
        words = text.lower().split()
        origin = Origin(user=user or "?", surface=surface, channel=channel)
        if not words or words[0] == "subscriptions" or words == ["subscribe"]:
            return self.listing(surface, channel)
        verb, kind, cadence = words[0], (words[1:2] or [""])[0], (words[2:3] or [""])[0]
        if verb not in ("subscribe", "unsubscribe") or kind not in SHOWS or (
                verb == "subscribe" and kind == "digest" and cadence not in CADENCES) or len(words) > 3 or (
                kind != "digest" and cadence):
            return f"Not understood. Use {USAGE}."
        if not channel or len(channel) > MAX_CHANNEL:
            return "This conversation cannot be subscribed (its id is missing or too long)."
        refusal = self._refused(user, kind)
        if refusal:
            self.audit.record(origin, f"config.{verb}", args={"kind": kind, "cadence": cadence}, outcome=refusal)
            return refusal
        if verb == "subscribe":
            changed = self.subscriptions.subscribe(surface, channel, kind, cadence if kind == "digest" else "", user)
            reply = self._subscribed(kind, cadence) if changed else "This channel already has that subscription."
        else:
            changed = self.subscriptions.unsubscribe(surface, channel, kind)
            reply = (f"This channel no longer receives {describe_kind(kind)}."
                     if changed else "This channel had no such subscription.")
        self.audit.record(origin, f"config.{verb}", args={"kind": kind, "cadence": cadence},
                          outcome="changed" if changed else "unchanged")
        return reply

    def _refused(self, user: str, kind: str) -> str | None:
        decision = self.policy.may_configure(user, "subscriptions")
        if not decision.allowed:
            return decision.reason
        for skill in SHOWS[kind]:
            asked = self.policy.may_ask(user, skill)
            if not asked.allowed:
                return asked.reason + " (the posts show it to the channel)"
        return None

    def _subscribed(self, kind: str, cadence: str) -> str:
        hour = f"{self.schedule.digest_hour:02d}:00 UTC"
        if kind == "cicd":
            return ("Subscribed: this channel gets a diagnosis of each failed workflow run on a repository's "
                    "default branch (GitHub `workflow_run` webhook at /webhooks/github).")
        if kind == "exposures":
            minutes = max(1, self.schedule.exposure_interval // 60)
            return (f"Subscribed: this channel gets an alert for each new public bucket, world-open port or admin "
                    f"grant, checked every {minutes} min; the first scan only takes the baseline.")
        when = f"daily after {hour} for the day before" if cadence == "daily" else \
            f"on Mondays after {hour} for the week before"
        return f"Subscribed: this channel gets the {cadence} digest {when}."

    def listing(self, surface: str, channel: str) -> str:
        found = self.subscriptions.of_channel(surface, channel)
        if not found:
            return f"This channel has no subscriptions. Use {USAGE}."
        return "This channel receives " + " and ".join(sub.describe() for sub in found) + "."

    # ------------------------------------------------------------------ scheduling
    def run_due(self, poster: Poster, now: datetime | None = None) -> int:
        """Every job due at ``now`` that has subscribers; returns how many posts were made."""
        moment = now or datetime.fromtimestamp(self.clock(), UTC)
        posts = self.resume(poster)
        for cadence in CADENCES:
            if self.subscriptions.of_kind("digest", cadence):
                period = latest_due(cadence, moment.date(), moment.hour, self.schedule.digest_hour)
                posts += self.run_digest(poster, cadence, period.key)
        if self.subscriptions.of_kind("exposures"):
            posts += self.run_exposure_scan(poster, self.exposure_slot(moment))
        return posts

    def resume(self, poster: Poster) -> int:
        """Finish runs a dead holder left (or whose retry is due), even when their period is
        no longer the due one: an exposure slot that passed while its alert was unposted
        would otherwise be skipped for good, since the next scan no longer sees it as new."""
        posts = 0
        for cadence in CADENCES:
            for period in self.runs.stalled(f"digest:{cadence}"):
                posts += self.run_digest(poster, cadence, period)
        for slot in self.runs.stalled("exposures"):
            posts += self.run_exposure_scan(poster, slot)
        return posts

    def exposure_slot(self, moment: datetime) -> str:
        """The scan slot ``moment`` falls in: one scan per interval across all replicas."""
        return str(int(moment.timestamp()) // self.schedule.exposure_interval * self.schedule.exposure_interval)

    def run_digest(self, poster: Poster, cadence: str, period_key: str) -> int:
        job = f"digest:{cadence}"
        claim = self.runs.claim(job, period_key, self.owner)
        if claim is None:
            return 0
        try:
            stored = self.runs.payload(job, period_key)
            answer = self._digest(claim, cadence, period_key) if stored is None else Answer.model_validate(stored)
            return self._deliver(claim, poster, self.subscriptions.of_kind("digest", cadence), answer)
        except LeaseLost as exc:
            log.warning("%s", exc)
            return 0

    def _digest(self, claim: Claim, cadence: str, period_key: str) -> Answer:
        """Build the digest and store it with the findings it listed, in one transaction: a
        takeover after a crash rebuilds the same "new" findings, never loses them."""
        scan = self.registry.invoke("aws_security_scan", {}, self.ctx)
        current = {finding_key(row) for row in scan.rows} if scan.status != "error" else set()
        known = self.seen.known(cadence) if scan.status != "error" else None
        new = None if known is None else current - known
        answer = DigestBuilder(self.registry, self.ctx).build(period_for(cadence, period_key), scan, new)
        with self.runs.engine.begin() as conn:
            if scan.status != "error":
                complete = not scan.facts.get("failed_regions")
                self.seen.replace(conn, cadence, current, complete)
            self.runs.store_payload(claim, answer.model_dump(mode="json"), conn)
        return answer

    def run_exposure_scan(self, poster: Poster, slot: str) -> int:
        claim = self.runs.claim("exposures", slot, self.owner)
        if claim is None:
            return 0
        try:
            stored: dict[str, Any] | None = self.runs.payload("exposures", slot)
            if stored is None:
                stored = self._scan_exposures(claim)
                if stored is None:  # the scan failed: nothing compared, the next slot tries again
                    self.runs.finish(claim)
                    return 0
            new = [Exposure(**row) for row in stored["new"]]
            if not new:
                if stored.get("baseline"):
                    self.audit.record(Origin(user=SCHEDULER_USER, surface="scheduler"), "proactive.exposure_baseline",
                                      outcome=f"baseline taken: {stored.get('current', 0)} exposures")
                self.runs.finish(claim)
                return 0
            return self._deliver(claim, poster, self.subscriptions.of_kind("exposures"), exposure_answer(new))
        except LeaseLost as exc:
            log.warning("%s", exc)
            return 0

    def _scan_exposures(self, claim: Claim) -> dict[str, Any] | None:
        result = self.registry.invoke("aws_security_scan", {}, self.ctx)
        if result.status == "error":
            log.warning("exposure scan %s failed: %s", claim.period, result.summary)
            return None
        failed = set((result.facts.get("failed_regions") or {}).keys())
        current = exposures_of(result.rows)
        with self.runs.engine.begin() as conn:  # the diff and the payload commit together, or neither
            now = self.clock()  # a baseline older than a few intervals: scans had stopped (no subscriber)
            diff = self.baseline.replace(conn, current, failed, now, now - 3 * self.schedule.exposure_interval)
            payload = {"new": [exposure.__dict__ for exposure in diff.new], "baseline": diff.baseline,
                       "current": diff.current}
            self.runs.store_payload(claim, payload, conn)
        return payload

    def _deliver(self, claim: Claim, poster: Poster, subscribers: list[Subscription], answer: Answer) -> int:
        """Post to every subscriber not posted yet; a post the surface refused is tried again
        by a later tick (``RETRY_AFTER``), up to ``MAX_ATTEMPTS`` times, then given up (audited)."""
        posted, failed = 0, 0
        for sub in subscribers:
            key = delivery_key(claim.job, claim.period, sub.target)
            try:
                ref = self.runs.deliver(claim, sub.target, partial(poster.post, sub, answer, key),
                                        partial(poster.find, sub, key))
            except LeaseLost:
                raise
            except Exception as exc:  # one channel failing (Guardian removed from it) costs only that channel
                log.warning("proactive %s %s: posting to %s failed: %s", claim.job, claim.period, sub.target, exc)
                self.audit.record(Origin(user=SCHEDULER_USER, surface=sub.surface, channel=sub.channel),
                                  "proactive.post", skill=answer.skill, outcome=f"failed: {type(exc).__name__}")
                failed += 1
                continue
            if ref is not None:
                posted += 1
                self.audit.record(Origin(user=SCHEDULER_USER, surface=sub.surface, channel=sub.channel),
                                  "proactive.post", skill=answer.skill, args={"job": claim.job, "period": claim.period},
                                  outcome=f"posted {ref}")
        if failed and self.runs.retry_later(claim, RETRY_AFTER) < MAX_ATTEMPTS:
            return posted
        self.runs.finish(claim)
        return posted


def exposure_answer(new: list[Exposure]) -> Answer:
    """The alert: what appeared since the last scan, each with the question that expands it."""
    first = new[0]
    more = f" and {len(new) - 1} more" if len(new) > 1 else ""
    lead = (f"New exposure since the last scan: {EXPOSURE_WORDS[first.check]} {first.resource} "
            f"({first.detail}){more}.")
    rows = [[Cell(value=EXPOSURE_WORDS[item.check]), Cell(kind="id", value=item.resource), Cell(value=item.region),
             Cell(value=item.detail), Cell(value=f"ask: {EXPOSURE_QUESTION[item.check]}")] for item in new]
    table = Table(title=f"New exposures ({len(new)})", columns=[
        Column(key="exposure", label="exposure"), Column(key="resource", label="resource", kind="id"),
        Column(key="region", label="region"), Column(key="detail", label="detail"),
        Column(key="ask", label="ask")], rows=rows, total_rows=len(new), sorted_by="exposure")
    return Answer(agent="proactive", skill="proactive.exposures", lead=lead, tables=[table],
                  resources=[item.resource for item in new])
