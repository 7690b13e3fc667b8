"""The project's eval suite (`guardian eval`, docs/EVALS.md): cases in ``evals/cases``, a
runner that asks them against the sandbox company, and deterministic scores."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.evals.cases import SPLITS, default_root, load_cases
from bot.evals.scoring import Score, summarize

METRICS = ("cases", "routing_accuracy", "tool_accuracy", "fact_recall", "invented_ids",
           "citation_faithfulness", "approval_violations", "p50_ms", "p95_ms")


def cmd_eval(args: argparse.Namespace) -> int:
    """Run the suite; exit 0 whenever it ran (missed targets are the report, not an error)."""
    from bot.evals.runner import run_cases

    root = Path(args.cases) if args.cases else default_root()
    splits = SPLITS if args.split == "all" else (args.split,)
    cases = load_cases(root, args.subset, splits)
    if not args.json:
        sys.stderr.write(f"guardian eval: {len(cases)} case(s) ({args.subset}) from {root}\n")
    model_name = getattr(args, "llm", None)
    chat_model = None
    if model_name:
        from bot.llm import build_chat_model

        chat_model = build_chat_model(model_name)
    price = parse_price(getattr(args, "llm_price", None))
    scores = run_cases(cases, chat_model=chat_model, on_score=None if args.json else _dot)
    mode = "llm" if chat_model is not None else "offline"
    if args.json:
        for line in report_lines(scores, mode, model_name, price, show_heldout=args.show_heldout):
            sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
    else:
        sys.stderr.write("\n")
        sys.stdout.write(render_table(scores, show_heldout=args.show_heldout) + "\n")
        if chat_model is not None:
            sys.stdout.write(json.dumps(summarize(scores, mode, model_name, price)) + "\n")
    sys.stdout.flush()
    return 0


def _dot(result: Score) -> None:
    sys.stderr.write("." if result.passed else "F")
    sys.stderr.flush()


def by_split(scores: Sequence[Score]) -> dict[str, list[Score]]:
    groups = {split: [s for s in scores if s.case.split == split] for split in SPLITS}
    return {split: group for split, group in groups.items() if group}


def parse_price(value: str | None) -> tuple[float, float] | None:
    """``--llm-price IN,OUT``: USD per million input and output tokens."""
    if not value:
        return None
    parts = [float(part) for part in value.split(",")]
    if len(parts) != 2 or min(parts) < 0:
        raise ValueError("--llm-price is IN,OUT: USD per million input and output tokens, e.g. 0.15,0.60")
    return parts[0], parts[1]


def listed(scores: Sequence[Score], show_heldout: bool) -> list[Score]:
    """The failed cases a report lists: held-out ones only when asked for by name
    (``--show-heldout``). Which held-out case failed, and why, is itself held-out data: a
    report read while tuning must not show it."""
    return [s for s in scores if not s.passed and (show_heldout or s.case.split != "heldout")]


def report_lines(scores: Sequence[Score], mode: str = "offline", model: str | None = None,
                 price: tuple[float, float] | None = None, *, show_heldout: bool = False) -> list[dict[str, Any]]:
    """Failed cases (held-out ones with ``show_heldout`` only), then one summary per split,
    then the contract's line (all cases) last; ``mode``/``model`` name what answered (a
    model mode passes its provider:model)."""
    lines: list[dict[str, Any]] = [
        {"case": s.case.id, "split": s.case.split, "skill": s.case.skill, "routed": s.turn.skill,
         "failures": s.failures} for s in listed(scores, show_heldout)]
    lines += [{"split": split, **summarize(group, mode, model, price)} for split, group in by_split(scores).items()]
    lines.append(summarize(scores, mode, model, price))
    return lines


def render_table(scores: Sequence[Score], *, show_heldout: bool = False) -> str:
    """The report for a person: metrics per split and overall, then the failed cases
    (held-out ones counted, listed only with ``show_heldout``)."""
    columns = {**{split: summarize(group) for split, group in by_split(scores).items()}, "all": summarize(scores)}
    out = [f"{'metric':24}" + "".join(f"{name:>12}" for name in columns)]
    out += [f"{metric:24}" + "".join(f"{_cell(column[metric]):>12}" for column in columns.values())
            for metric in METRICS]
    failed = [s for s in scores if not s.passed]
    shown = listed(scores, show_heldout)
    out.append("")
    out.append(f"{len(failed)} failed case(s)" + (":" if shown else "."))
    out += [f"  [{s.case.split}] {s.case.id} ({s.case.skill}): {'; '.join(s.failures)}" for s in shown]
    if len(shown) < len(failed):
        out.append(f"  ({len(failed) - len(shown)} held-out case(s) not listed: held-out results are not read "
                   "while tuning; --show-heldout lists them)")
    return "\n".join(out)


def _cell(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) and value <= 1 else str(value)
