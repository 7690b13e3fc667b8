"""Service names right before 'logs' / 'errors', and verbs that are never services."""

from __future__ import annotations

from datetime import datetime

import pytest

from agents.slots import extract_slots

NOW = datetime(2026, 11, 25, 9, 0)


@pytest.mark.parametrize(("text", "service"), [
    ("errors in checkout logs", "checkout"),
    ("payments errors since 9am", "payments"),
    ("show errors in the logs", None),
    ("any recent deploys", None),
])
def test_service_before_the_noun(text: str, service: str | None) -> None:
    assert extract_slots(text, NOW).get("service") == service
