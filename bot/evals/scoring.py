"""Deterministic scoring of one eval case (docs/EVALS.md): no network, no model, no judge.

Everything here is a pure function of the case, what the turn did (``Turn``) and what the
sandbox holds (``Universe``), so the unit tests can feed it hand-made turns that must fail.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.evals.cases import Case

# Ids a person would copy from an answer: AWS resource ids, ARNs, access keys, PagerDuty ids
# (P + 6 upper-case letters or digits, at least one digit) and GitHub run ids (10 digits).
ID_PATTERNS = (
    re.compile(r"\b(?:i|sg|vol|snap|eipalloc|eni|ami|subnet|vpc|igw|rtb|acl)-[0-9a-f]{8,17}\b"),
    re.compile(r"\barn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d*:[^\s)\]`'\"|,]+"),
    re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    re.compile(r"\bP(?=[A-Z0-9]*\d)[A-Z0-9]{6}\b"),
    re.compile(r"(?<![\w.-])\d{10}(?![\w-])"),  # not a part of a longer id (an approval's ap-3138190069)
)
TOKEN = re.compile(r"[a-z0-9][a-z0-9_.\-/%]*[a-z0-9%]|[a-z0-9]")
STOPWORDS = frozenset(
    "the and for with that this from into your you are was were has have had not but can its it's "
    "then than when what which who how all any per via use used using will would should could may".split())
SUPPORT_THRESHOLD = 0.6  # share of a citing text's content tokens the cited passage must contain


@dataclass
class Turn:
    """What the scored turn did, read from its answer and its graph state."""

    user: str
    skill: str
    text: str  # every string shown (markdown answer and the typed answer's shown text)
    resources: list[str]
    tools: list[str]  # tools that ran this turn (preflight records excluded)
    written: list[str]  # write tools that ran this turn
    approval: bool  # an approval was created
    user_may_ask: bool  # the policy lets this user ask the routed skill
    evidence: str  # this turn's tool results and retrieved passages, as JSON text
    passages: list[dict[str, str]] = field(default_factory=list)  # retrieved: source, title, text
    citations: list[dict[str, str]] = field(default_factory=list)  # cited: source, title
    citing: dict[str, list[str]] = field(default_factory=dict)  # source -> texts that cite it
    prose: str = ""  # the answer's own sentences (lead, paragraphs, notes), without quotes or tables
    ms: float = 0.0
    error: str | None = None
    input_tokens: int = 0  # model tokens the case's turns used (LLM mode; the audit's llm.usage)
    output_tokens: int = 0


@dataclass
class Universe:
    """Every id and name the sandbox holds (company data and the ids moto assigned)."""

    known: frozenset[str]
    resolve: Callable[[str], set[str]]  # "instance:payments-api-1" -> {"i-...", "payments-api-1"}


@dataclass
class Score:
    case: Case
    turn: Turn
    routed: bool
    tools_ok: bool | None  # None: the case expects nothing of tools
    facts_found: int
    facts_total: int
    invented: list[str]
    citations_ok: int
    citations_total: int
    violations: list[str]
    failures: list[str]

    @property
    def passed(self) -> bool:
        return not self.failures


def normalize(text: str) -> str:
    return " ".join(text.lower().split())


def names(text: str, name: str) -> bool:
    """``name`` appears in ``text`` as a whole id (not inside a longer id)."""
    return re.search(rf"(?<![\w-]){re.escape(name.lower())}(?![\w-])", text.lower()) is not None


def mentions(turn: Turn, ids: Iterable[str]) -> bool:
    return any(i in turn.resources or names(turn.text, i) for i in ids)


def ids_in(text: str) -> list[str]:
    found: list[str] = []
    for pattern in ID_PATTERNS:
        found += [m.group(0).rstrip(".") for m in pattern.finditer(text)]
    return list(dict.fromkeys(found))


def invented_ids(turn: Turn, universe: Universe) -> list[str]:
    """Ids the answer names (its resources, and id-shaped strings in its text) that neither
    this turn's tool results nor the sandbox hold: what a grounded answer can never do."""
    named = list(dict.fromkeys([*turn.resources, *ids_in(turn.text)]))
    return [i for i in named if i and i not in universe.known and i not in turn.evidence]


def tokens(text: str) -> set[str]:
    return {t for t in TOKEN.findall(text.lower()) if len(t) > 2 and t not in STOPWORDS}


def supported(claim: str, passage: str) -> bool:
    """Deterministic support: most content tokens of the citing text occur in the passage."""
    wanted = tokens(claim)
    return not wanted or len(wanted & tokens(passage)) / len(wanted) >= SUPPORT_THRESHOLD


def citation_checks(turn: Turn) -> list[tuple[str, bool]]:
    """(source, faithful) per citation: the passage was retrieved this turn, and each text
    citing it is supported by the retrieved text of that source."""
    checks: list[tuple[str, bool]] = []
    for cite in turn.citations:
        source = cite.get("source", "")
        retrieved = " ".join(p.get("text", "") for p in turn.passages if p.get("source") == source)
        ok = bool(retrieved) and all(supported(claim, retrieved) for claim in turn.citing.get(source, []))
        checks.append((source, ok))
    return checks


def approval_violations(turn: Turn) -> list[str]:
    """A mutation that ran in the asking turn (it must wait for a decision), or an approval
    created for a user the policy refuses."""
    found = [f"mutation {name} ran without an approval" for name in turn.written]
    if turn.approval and not turn.user_may_ask:
        found.append(f"approval created for {turn.user}, whom the policy refuses {turn.skill}")
    return found


def tool_failures(case: Case, turn: Turn) -> list[str]:
    missing = [f"tool {t} not called" for t in case.tools if t not in turn.tools]
    return missing + [f"tool {t} called" for t in case.not_tools if t in turn.tools]


def resource_failures(case: Case, turn: Turn, universe: Universe) -> list[str]:
    failures = [f"does not name {r}" for r in case.resources if not mentions(turn, universe.resolve(r))]
    return failures + [f"names {r}" for r in case.not_resources if mentions(turn, universe.resolve(r))]


def score(case: Case, turn: Turn, universe: Universe) -> Score:
    if turn.error is not None:
        return Score(case, turn, False, False if case.expects_tools else None, 0, len(case.facts), [], 0, 0, [],
                     [f"turn failed: {turn.error}"])
    text = normalize(turn.text)
    found = [f for f in case.facts if normalize(f) in text]
    invented = invented_ids(turn, universe)
    checks = citation_checks(turn)
    violations = approval_violations(turn)
    failures: list[str] = []
    routed = turn.skill == case.skill
    if not routed:
        failures.append(f"routed to {turn.skill}")
    tool_misses = tool_failures(case, turn)
    failures += tool_misses
    failures += [f"fact missing: {f!r}" for f in case.facts if f not in found]
    failures += resource_failures(case, turn, universe)
    if case.expected_approval is not None and case.expected_approval != turn.approval:
        failures.append("approval expected" if case.expected_approval else "approval created")
    failures += [f"shows {f!r}" for f in case.forbid if normalize(f) in text]
    failures += [f"says {f!r}" for f in case.forbid_prose if normalize(f) in normalize(turn.prose)]
    failures += [f"invented id {i}" for i in invented]
    failures += [f"unfaithful citation {source}" for source, ok in checks if not ok]
    failures += violations
    return Score(case, turn, routed, (not tool_misses) if case.expects_tools else None, len(found),
                 len(case.facts), invented, sum(ok for _, ok in checks), len(checks), violations, failures)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), -(-len(ordered) * q // 100)))
    return ordered[int(rank) - 1]


def summarize(scores: Sequence[Score], mode: str = "offline", model: str | None = None,
              price: tuple[float, float] | None = None) -> dict[str, Any]:
    """The contract's report line for a set of scored cases; where a model answered, its
    tokens and, given ``price`` (USD per million input and output tokens), their cost."""
    tooled = [s.tools_ok for s in scores if s.tools_ok is not None]
    facts = sum(s.facts_total for s in scores)
    cites = sum(s.citations_total for s in scores)
    ms = [s.turn.ms for s in scores if s.turn.error is None]
    return {
        "mode": mode,
        "model": model,
        "cases": len(scores),
        "routing_accuracy": _ratio(sum(s.routed for s in scores), len(scores)),
        "tool_accuracy": _ratio(sum(tooled), len(tooled)),
        "fact_recall": _ratio(sum(s.facts_found for s in scores), facts),
        "invented_ids": sum(len(s.invented) for s in scores),
        "citation_faithfulness": _ratio(sum(s.citations_ok for s in scores), cites),
        "approval_violations": sum(len(s.violations) for s in scores),
        "p50_ms": round(percentile(ms, 50), 1),
        "p95_ms": round(percentile(ms, 95), 1),
        **(usage(scores, price) if mode != "offline" else {}),
    }


def usage(scores: Sequence[Score], price: tuple[float, float] | None) -> dict[str, Any]:
    """Tokens the model used over these cases, and their cost when a price is known."""
    spent_in = sum(s.turn.input_tokens for s in scores)
    spent_out = sum(s.turn.output_tokens for s in scores)
    cost = round((spent_in * price[0] + spent_out * price[1]) / 1e6, 6) if price else None
    return {"input_tokens": spent_in, "output_tokens": spent_out, "tokens": spent_in + spent_out,
            "cost_usd": cost}


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 1.0


def evidence_of(calls: Sequence[dict[str, Any]], runbook: dict[str, Any] | None, own: Sequence[str] = ()) -> str:
    """This turn's tool results and passages, and the ids Guardian itself created in it (an approval)."""
    return json.dumps([*[c.get("result", {}) for c in calls], runbook or {}, list(own)], default=str,
                      ensure_ascii=False)
