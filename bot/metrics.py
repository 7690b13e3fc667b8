"""Prometheus metrics shared by every surface (web chat, Slack, Teams, webhooks): one
registry per process, built by the composition root (``Runtime.metrics``) and exposed on
``GET /metrics``. Labels are bounded: surface names, the contract's skill names and a few
outcomes, never users, ids or text.

- ``guardian_requests_total{surface,skill,outcome}``: turns, by how they ended.
- ``guardian_ack_seconds{surface}``: arrival to acknowledgement (Slack's 200 within 3 s,
  the first event of a web chat stream): what the person waits for to know it was heard.
- ``guardian_answer_seconds{surface,skill,outcome}``: arrival to the final answer.
- ``guardian_approval_decisions_total{surface,skill,outcome}``: approve/deny clicks, by
  what came of them (approved, denied, refused, conflict).
- ``guardian_refusals_total{surface,skill,kind}``: what the access policy refused (an ask,
  a decision).
- ``guardian_llm_events_total{skill,event}``: LLM mode's turns (``usage``) and what went
  wrong in them: ``ungrounded`` (the model's answer named something no tool returned and
  was replaced), ``failed`` (provider error or timeout, offline answer), ``capped`` (steps,
  tokens or wall time ran out), ``bad_call`` (a malformed, unknown or out-of-skill call).
- ``guardian_llm_tokens_total{skill,kind}``: tokens the model reported, input and output.

The LLM series are fed from the audit trail (``Metrics.audited``, subscribed by the
composition root), the same events ``guardian audit`` lists.
"""

from __future__ import annotations

import re
from typing import Literal

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest

from agents.answer import Answer

Outcome = Literal["answered", "approval_requested", "clarify", "refused", "error"]
DecisionOutcome = Literal["approved", "denied", "refused", "conflict", "unknown"]
UNKNOWN_SKILL = "unknown"

ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)
ANSWER_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0)
CONTENT_TYPE = CONTENT_TYPE_LATEST
LLM_EVENTS = ("usage", "ungrounded", "failed", "capped", "bad_call")
# The ``llm.usage`` outcome's token counts (agents/llm_budget.TurnBudget.usage).
_TOKENS = re.compile(r"\b(input|output)=(\d+)\b")


def outcome_of(answer: Answer) -> Outcome:
    """How a turn ended, read from the typed answer (the policy's refusals start "Refused:")."""
    if answer.pending_approval is not None:
        return "approval_requested"
    if answer.choices:
        return "clarify"
    if answer.lead.startswith("Refused:"):
        return "refused"
    return "answered"


class Metrics:
    """The process's counters and histograms; surfaces call the verbs, not the collectors."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("guardian_requests_total", "Turns, by surface, skill and outcome",
                                ["surface", "skill", "outcome"], registry=self.registry)
        self.ack_seconds = Histogram("guardian_ack_seconds", "From a request's arrival to its acknowledgement",
                                     ["surface"], buckets=ACK_BUCKETS, registry=self.registry)
        self.answer_seconds = Histogram("guardian_answer_seconds", "From a request's arrival to its final answer",
                                        ["surface", "skill", "outcome"], buckets=ANSWER_BUCKETS,
                                        registry=self.registry)
        self.decisions = Counter("guardian_approval_decisions_total",
                                 "Approval decisions, by surface, skill and what came of them",
                                 ["surface", "skill", "outcome"], registry=self.registry)
        self.refusals = Counter("guardian_refusals_total", "Asks and decisions the access policy refused",
                                ["surface", "skill", "kind"], registry=self.registry)
        self.llm_events = Counter("guardian_llm_events_total",
                                  "LLM mode's turns (usage) and its ungrounded, failed, capped and bad calls",
                                  ["skill", "event"], registry=self.registry)
        self.llm_tokens = Counter("guardian_llm_tokens_total", "Tokens the model reported, by skill and kind",
                                  ["skill", "kind"], registry=self.registry)

    def audited(self, event: str, skill: str | None, outcome: str | None) -> None:
        """An audit event as it is recorded (``AuditLog.subscribe``): LLM mode's are counted."""
        kind = event.removeprefix("llm.")
        if kind == event or kind not in LLM_EVENTS:
            return
        skill = skill or UNKNOWN_SKILL
        self.llm_events.labels(skill, kind).inc()
        if kind == "usage":
            for which, count in _TOKENS.findall(outcome or ""):
                self.llm_tokens.labels(skill, which).inc(int(count))

    def acknowledged(self, surface: str, seconds: float) -> None:
        self.ack_seconds.labels(surface).observe(seconds)

    def answered(self, surface: str, answer: Answer, seconds: float) -> None:
        outcome = outcome_of(answer)
        self.requests.labels(surface, answer.skill, outcome).inc()
        self.answer_seconds.labels(surface, answer.skill, outcome).observe(seconds)
        if outcome == "refused":
            self.refusals.labels(surface, answer.skill, "ask").inc()

    def failed(self, surface: str, seconds: float, skill: str = UNKNOWN_SKILL) -> None:
        self.requests.labels(surface, skill, "error").inc()
        self.answer_seconds.labels(surface, skill, "error").observe(seconds)

    def decided(self, surface: str, skill: str, outcome: DecisionOutcome) -> None:
        self.decisions.labels(surface, skill, outcome).inc()
        if outcome == "refused":
            self.refusals.labels(surface, skill, "decide").inc()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
