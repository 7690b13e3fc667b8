"""The eval report never lists held-out failures unless asked by name: which held-out case
failed, and why, is itself held-out data (docs/EVALS.md, "Held-out")."""

from __future__ import annotations

from bot.evals import render_table, report_lines
from bot.evals.scoring import Score, score
from tests.evals.test_scoring import case, turn, universe


def scores() -> list[Score]:
    wrong = turn(skill="infra.inventory")
    return [score(case(id="dev-ok"), turn(), universe()),
            score(case(id="dev-miss"), wrong, universe()),
            score(case(id="held-miss", split="heldout"), wrong, universe())]


def test_the_json_report_lists_dev_failures_and_counts_held_out_ones_in_their_summary() -> None:
    lines = report_lines(scores())
    assert [line["case"] for line in lines if "case" in line] == ["dev-miss"]
    heldout = next(line for line in lines if line.get("split") == "heldout")
    assert heldout["cases"] == 1 and heldout["routing_accuracy"] == 0.0
    assert "held-miss" not in str(lines)


def test_held_out_failures_are_listed_only_when_asked_for() -> None:
    lines = report_lines(scores(), show_heldout=True)
    assert [line["case"] for line in lines if "case" in line] == ["dev-miss", "held-miss"]


def test_the_table_counts_held_out_failures_without_naming_them() -> None:
    table = render_table(scores())
    assert "2 failed case(s):" in table.splitlines()
    assert "held-miss" not in table
    assert "(1 held-out case(s) not listed: held-out results are not read while tuning; --show-heldout lists them)" \
        in table
    assert "held-miss" in render_table(scores(), show_heldout=True)
