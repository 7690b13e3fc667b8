"""LLM mode's audit events become Prometheus series (``guardian_llm_events_total``,
``guardian_llm_tokens_total``) through the composition root's subscription, so a dashboard
counts ungrounded, failed and capped turns from the same events ``guardian audit`` lists."""

from __future__ import annotations

from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from agents.audit import Origin
from bot.runtime import Runtime
from bot.settings import load_settings

ORIGIN = Origin(user="alice", surface="cli", channel=None, correlation_id="c-1")


def samples(exposition: bytes, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    found = {}
    for family in text_string_to_metric_families(exposition.decode()):
        for sample in family.samples:
            if sample.name == name:
                found[tuple(sorted(sample.labels.items()))] = sample.value
    return found


def test_llm_audit_events_are_counted_by_skill_and_event(tmp_path: Path) -> None:
    with Runtime(load_settings(home=tmp_path / "home")) as runtime:
        metrics = runtime.metrics
        audit = runtime.storage.audit
        audit.record(ORIGIN, "llm.ungrounded", skill="infra.describe", outcome="ids: i-0deadbeef")
        audit.record(ORIGIN, "llm.ungrounded", skill="infra.describe", outcome="figures: 42")
        audit.record(ORIGIN, "llm.failed", skill="cost.summary", outcome="timeout after 20 s")
        audit.record(ORIGIN, "llm.usage", skill="infra.describe", outcome="steps=2 tokens=130 input=100 output=30")
        audit.record(ORIGIN, "llm.usage", skill="infra.describe", outcome="steps=1 tokens=15 input=10 output=5")
        audit.record(ORIGIN, "route", skill="infra.describe", outcome="imperative 0.91")  # not an LLM event
        exposition = metrics.exposition()
        assert len(audit.query(event="llm.ungrounded")) == 2  # the audit still has the records

    events = samples(exposition, "guardian_llm_events_total")
    assert events == {
        (("event", "ungrounded"), ("skill", "infra.describe")): 2.0,
        (("event", "failed"), ("skill", "cost.summary")): 1.0,
        (("event", "usage"), ("skill", "infra.describe")): 2.0,
    }
    tokens = samples(exposition, "guardian_llm_tokens_total")
    assert tokens == {(("kind", "input"), ("skill", "infra.describe")): 110.0,
                      (("kind", "output"), ("skill", "infra.describe")): 35.0}


def test_a_failing_listener_neither_loses_the_record_nor_stops_the_others(tmp_path: Path) -> None:
    seen: list[str] = []

    def broken(event: str, skill: str | None, outcome: str | None) -> None:
        raise RuntimeError("metrics bug")

    with Runtime(load_settings(home=tmp_path / "home")) as runtime:
        audit = runtime.storage.audit
        audit.subscribe(broken)
        audit.subscribe(lambda event, skill, outcome: seen.append(f"{event} {skill} {outcome}"))
        audit.record(ORIGIN, "llm.capped", skill="infra.logs", outcome="token budget AKIAZ7Q4W2LMX8RT5NVB")
        stored = audit.query(event="llm.capped")
    assert len(stored) == 1
    assert seen == [f"llm.capped infra.logs {stored[0]['outcome']}"]
    assert "AKIAZ7Q4W2LMX8RT5NVB" not in seen[0]  # listeners get the redacted outcome
