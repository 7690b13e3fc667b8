"""Cloud names as a phone's autocorrect writes them are still those clouds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agents.slots import extract_slots


@pytest.mark.parametrize("text", ["vms in goggle cloud", "gogle cloud buckets please", "googel cloud firewall"])
def test_a_misspelt_google_cloud_is_gcp(text: str) -> None:
    assert extract_slots(text, datetime.now(UTC)).get("cloud") == "gcp"


def test_goggles_alone_name_no_cloud() -> None:
    assert "cloud" not in extract_slots("where are my goggles", datetime.now(UTC))
