"""The budget figure a forecast question names, read by the cost agent for the forecast tool."""

from __future__ import annotations

import pytest

from agents.specialists import budget_named


@pytest.mark.parametrize(("text", "amount"), [
    ("finance gave us 18k this quarter, are we going over?", 18_000.0),
    ("will we exceed our $7,500 cap in march", 7_500.0),
    ("we've got 2.5k for the sandbox account - on track?", 2_500.0),
    ("allowance is 40000 usd, how close will we get", 40_000.0),
    ("annual budget of 1.5m, where do we land", 1_500_000.0),
])
def test_a_sum_beside_a_budget_word_is_the_budget(text: str, amount: float) -> None:
    assert budget_named(text) == amount


@pytest.mark.parametrize("text", [
    "forecast the next 45 days",  # a number of days, no money
    "are we gonna blow the budget?",  # a budget with no figure
    "what will the $300 volume cost by month end",  # a figure with no budget word
])
def test_no_budget_without_both_a_figure_and_a_budget_word(text: str) -> None:
    assert budget_named(text) is None
