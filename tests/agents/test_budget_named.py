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


@pytest.mark.parametrize(("text", "amount"), [
    ("the budget's 22,500 this month, will we make it", 22_500.0),
    ("budget of 9000 for december - are we fine?", 9_000.0),
    ("how do we look against the 14,000 budget", 14_000.0),
    ("projected total vs our 30,000 monthly cap?", 30_000.0),
    ("limit: 7,250.50, on track?", 7_250.5),
])
def test_a_bare_figure_right_beside_a_budget_noun_is_the_budget(text: str, amount: float) -> None:
    assert budget_named(text) == amount


@pytest.mark.parametrize("text", [
    "where do we land against the 2027 budget",  # a year, not a sum
    "are we on track for the q3 budget",  # a quarter's number
    "budget talk is at 1500 today, what's the forecast",  # a time of day after 'at', not beside the noun
    "will we exceed the budget in 12 days",  # a count of days, far from the noun
])
def test_no_bare_budget_from_a_year_a_count_or_a_figure_far_from_the_noun(text: str) -> None:
    assert budget_named(text) is None
