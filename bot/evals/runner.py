"""`guardian eval`: runs the eval cases against the sandbox company, in this process, through
the same path as `guardian ask` (``Runtime.ask``: the graph, its router, tools, policy and
approvals), and scores each answer deterministically (bot/evals/scoring.py).

Offline mode by default; ``guardian eval --llm provider:model`` (or ``run_cases(...,
chat_model=...)``) runs the same cases and scores with a chat model, and the report adds the
tokens it used and, given ``--llm-price``, their cost.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.evals.cases import Case
from bot.evals.scoring import Score, Turn, Universe, evidence_of, score

if TYPE_CHECKING:
    from agents.answer import Answer
    from bot.runtime import Runtime
    from sandbox.aws import SeededIds

# The contract's example policy: alice and bob are on call, anyone else is a reader.
POLICY = """\
roles:
  reader: {ask: ["cost.*", "security.*", "infra.inventory", "infra.describe", "infra.logs",
                 "cicd.status", "cicd.failure", "cicd.changes", "incident.list",
                 "incident.oncall", "incident.brief", "knowledge.*", "help"]}
  oncall: {ask: ["*"], approve: ["infra.action", "cicd.rerun", "incident.*"]}
users: {alice: [oncall], bob: [oncall]}
default_roles: [reader]
requester_may_approve: false
"""
RUNBOOK_TOOL = "knowledge_search_runbooks"
Progress = Callable[[Score], None]


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """The sandbox's variables for the run (boto3 reads AWS_ENDPOINT_URL itself), then the
    caller's environment back exactly as it was."""
    saved = dict(os.environ)
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


# A sandbox older than this is replaced before the next agent's cases (see ``_run_while_fresh``).
FRESH_FOR_S = 10 * 60


def run_cases(cases: Sequence[Case], *, chat_model: Any | None = None,
              on_score: Progress | None = None) -> list[Score]:
    """Run every case in its own conversation thread and score it, against a sandbox company and
    a fresh Guardian home that are stopped and removed afterwards."""
    pending = list(cases)
    scores: list[Score] = []
    while pending:
        scores += _run_while_fresh(pending, chat_model, on_score)
    return scores


def _run_while_fresh(pending: list[Case], chat_model: Any | None, on_score: Progress | None) -> list[Score]:
    """Start a sandbox and a Guardian home and run cases off the front of ``pending`` until
    they are done or the sandbox is stale at the first case of another split or agent.

    Why: the sandbox seeds its times once, when it starts (log lines 18 and 41 minutes old, a
    deploy 42 minutes ago), and the tools read them against the clock. A full run takes 20-30
    minutes; with one sandbox for all of it the log lines aged out of the logs tools' last
    hour before the last agents' cases ran (infra logs cases passed alone and failed in the
    full run). A new company after ``FRESH_FOR_S`` (~5 s to start) keeps every case within
    minutes of its seeding; one agent's cases always share one."""
    from bot.runtime import Runtime
    from bot.settings import load_settings
    from sandbox.server import Sandbox

    home = Path(tempfile.mkdtemp(prefix="guardian-eval-"))
    started = time.monotonic()
    try:
        with Sandbox() as sandbox, environment({**sandbox.env, "HF_HUB_OFFLINE": "1"}):
            policy = home / "policy.yaml"
            policy.write_text(POLICY, encoding="utf-8")
            settings = load_settings().model_copy(update={
                "home": home / "state", "policy": policy, "llm": "none", "database_url": None,
                "chroma_url": None})
            universe = sandbox_universe(sandbox.ids or sandbox.seed())
            scores: list[Score] = []
            with Runtime(settings, chat_model=chat_model) as rt:
                while pending and not (scores and _starts_group(pending[0], scores[-1].case)
                                       and time.monotonic() - started > FRESH_FOR_S):
                    result = score(pending[0], run_case(rt, pending.pop(0)), universe)
                    scores.append(result)
                    if on_score is not None:
                        on_score(result)
            return scores
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _starts_group(case: Case, previous: Case) -> bool:
    """Whether ``case`` is the first of another split or agent than ``previous``."""
    from agents.skills import agent_of

    return (case.split, agent_of(case.skill)) != (previous.split, agent_of(previous.skill))


def run_case(rt: Runtime, case: Case) -> Turn:
    """The conversation's earlier turns, then the scored one, all in one thread."""
    from agents.request import Request

    thread = f"eval-{case.id}"
    spent_before = model_usage(rt)
    try:
        for text in case.thread:
            rt.ask(Request(text=text, user=case.user, surface="cli", thread_id=thread))
        started = time.perf_counter()
        answer = rt.ask(Request(text=case.ask, user=case.user, surface="cli", thread_id=thread))
        elapsed = (time.perf_counter() - started) * 1000
        turn = observe(rt, case, answer, latest_state(rt), elapsed)
        spent = model_usage(rt)
        turn.input_tokens, turn.output_tokens = spent[0] - spent_before[0], spent[1] - spent_before[1]
        return turn
    except Exception as exc:  # a turn that crashes is a failed case, not a failed run
        return Turn(user=case.user, skill="", text="", resources=[], tools=[], written=[], approval=False,
                    user_may_ask=False, evidence="", error=f"{type(exc).__name__}: {exc}")


def model_usage(rt: Runtime) -> tuple[int, int]:
    """Input and output tokens the model has used in this home so far (the audit's
    ``llm.usage`` records, one per model part of a turn: routing and each agent loop)."""
    if rt.chat_model is None:
        return 0, 0
    spent_in = spent_out = 0
    for record in rt.storage.audit.query(event="llm.usage"):
        fields = dict(part.split("=", 1) for part in str(record["outcome"] or "").split() if "=" in part)
        spent_in += int(fields.get("input", 0))
        spent_out += int(fields.get("output", 0))
    return spent_in, spent_out


def latest_state(rt: Runtime) -> dict[str, Any]:
    """The graph state of the turn that just ran: the newest checkpoint (turns run one at
    a time in this process), read through the graph's own checkpointer."""
    graph = rt.guardian.graph
    newest = next(iter(graph.checkpointer.list(None, limit=1)), None)
    return dict(graph.get_state(newest.config).values) if newest is not None else {}


def observe(rt: Runtime, case: Case, answer: Answer, state: dict[str, Any], elapsed_ms: float) -> Turn:
    """What the turn did: its answer as the contract shows it, and its tool calls."""
    from bot.render.contract import contract_dict

    shown = contract_dict(answer)
    calls: list[dict[str, Any]] = list(state.get("calls") or [])
    ran = [str(call.get("tool", "")) for call in calls if not str(call.get("tool", "")).endswith(".preflight")]
    ran += [t.name for t in answer.tools if t.name not in ran]
    runbook = state.get("runbook")
    return Turn(
        user=case.user, skill=answer.skill, text=f"{shown['answer']}\n{answer.shown_text()}",
        resources=list(answer.resources), tools=ran,
        written=[name for name in ran if name in rt.registry and rt.registry.get(name).mutating],
        approval=answer.pending_approval is not None,
        user_may_ask=rt.policy.may_ask(case.user, answer.skill).allowed if answer.skill in _skills() else True,
        evidence=evidence_of(calls, runbook, [answer.pending_approval.id] if answer.pending_approval else []),
        passages=passages(calls, runbook),
        citations=[c.model_dump() for c in answer.citations], citing=citing_texts(answer),
        prose="\n".join(answer.sentences()), ms=elapsed_ms)


def _skills() -> set[str]:
    from agents.skills import SKILL_BY_NAME

    return set(SKILL_BY_NAME)


def passages(calls: Sequence[dict[str, Any]], runbook: dict[str, Any] | None) -> list[dict[str, str]]:
    """The runbook passages retrieved this turn (the runbook lookup and any search call); a
    passage's text includes its title, section and file, which an attribution line names."""
    results = [call.get("result") or {} for call in calls if call.get("tool") == RUNBOOK_TOOL]
    rows = [row for result in [*results, runbook or {}] for row in result.get("rows") or []]
    return [{"source": str(row.get("source", "")), "title": str(row.get("title", "")),
             "text": " ".join(str(row.get(key) or "") for key in ("title", "section", "source", "text"))}
            for row in rows]


def citing_texts(answer: Answer) -> dict[str, list[str]]:
    """Per cited source, the texts of the answer that cite it: its runbook quotes, and the
    sentences naming the cited title."""
    texts: dict[str, list[str]] = {}
    for cite in answer.citations:
        quoted = [q.text for q in answer.quotes if q.kind == "runbook" and q.source == cite.source]
        said = [s for s in answer.sentences() if cite.title and cite.title in s and s.strip() != cite.title]
        texts[cite.source] = [*quoted, *said]
    return texts


def sandbox_universe(ids: SeededIds) -> Universe:
    """Every id and name the sandbox company holds, and a resolver for ``kind:name``."""
    from sandbox.company import DRIFTWOOD
    from sandbox.saas_company import build

    known = {*ids.all_ids(), *ids.snapshots.values()}
    known |= leaves(DRIFTWOOD) | leaves(build())
    tables = {"instance": ids.instances, "sg": ids.security_groups, "volume": ids.volumes,
              "snapshot": ids.snapshots, "eip": ids.elastic_ips}

    def resolve(ref: str) -> set[str]:
        kind, _, name = ref.partition(":")
        table = tables.get(kind)
        if table is None or not name:
            return {ref}
        return {name, table[name]} if name in table else {name}

    return Universe(known=frozenset(k for k in known if k), resolve=resolve)


def leaves(data: Any) -> set[str]:
    """Every string and integer in a tree of dataclasses, lists and dicts (without calling
    lazily built values such as the big job log)."""
    if is_dataclass(data) and not isinstance(data, type):
        return set().union(*(leaves(getattr(data, f.name)) for f in fields(data)))
    if isinstance(data, dict):
        return leaves(list(data.keys())) | leaves(list(data.values()))
    if isinstance(data, list | tuple | set | frozenset):
        return set().union(*(leaves(item) for item in data)) if data else set()
    if isinstance(data, str | int) and not isinstance(data, bool):
        return {str(data)}
    return set()


__all__ = ["POLICY", "run_cases"]
