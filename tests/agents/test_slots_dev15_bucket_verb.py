"""A word after "bucket" that goes on about the bucket (a verb form: "letting", "exposed",
"grants") is no bucket's name; a name said after the noun still is."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agents.slots import extract_slots

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("text", ["someone said a bucket allowing anonymous reads got flagged, which one",
                                  "there's an s3 bucket exposed to everyone apparently",
                                  "our bucket grants read to the world?",
                                  "is there a bucket leaking customer csvs"])
def test_a_verb_after_bucket_names_no_bucket(text: str) -> None:
    assert "bucket" not in extract_slots(text, NOW)


@pytest.mark.parametrize(("text", "name"), [("is the bucket named orders-archive-2 public", "orders-archive-2"),
                                            ("check bucket mediauploads for public access", "mediauploads"),
                                            ("is the clickstream bucket encrypted", "clickstream")])
def test_a_name_beside_bucket_is_still_a_bucket(text: str, name: str) -> None:
    assert extract_slots(text, NOW).get("bucket") == name
