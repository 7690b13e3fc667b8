"""A bucket named in words before "bucket" ("the vendor invoices bucket"): the words, joined
as bucket names join them; and the S3 check finds the buckets whose names hold those words in
a row once the words at either end that are in no name at all are left out."""

from __future__ import annotations

import pytest

from agents.slots.entities import find_bucket
from tools.aws.security import _named_buckets


@pytest.mark.parametrize(("text", "bucket"), [
    ("can outsiders read the vendor invoices bucket?", "vendor-invoices"),
    ("our media uploads bucket, is it locked down", "media-uploads"),
    ("is the customer pdf exports bucket encrypted", "customer-pdf-exports"),
])
def test_a_name_said_in_several_words_is_the_words_hyphenated(text: str, bucket: str) -> None:
    assert find_bucket(text, text) == bucket


@pytest.mark.parametrize("text", ["the prod logs bucket, public?", "any public bucket", "which s3 bucket leaks",
                                  "is the bucket open", "a bucket letting anyone in"])
def test_words_that_name_nothing_name_no_bucket(text: str) -> None:
    assert find_bucket(text, text) is None


NAMES = ["acme-media-uploads", "acme-media-thumbs", "acme-billing-invoices"]


def test_words_at_the_ends_in_no_name_are_left_out() -> None:
    assert _named_buckets(NAMES, "media-uploads-v2") == ["acme-media-uploads"]
    assert _named_buckets(NAMES, "old-billing-invoices") == ["acme-billing-invoices"]


def test_words_of_names_not_in_a_row_pick_nothing() -> None:
    assert _named_buckets(NAMES, "thumbs-invoices") == []
    assert _named_buckets(NAMES, "photos-archive") == []


def test_a_bucket_set_aside_by_asking_for_anything_else_narrows_nothing() -> None:
    from agents.route import Route
    from agents.specialists import specialist_for

    text = "the media uploads bucket is meant to be open, fine - are any other buckets public?"
    asked = Route(text=text, agent="security", skill="security.public_storage", confidence=0.9,
                  slots={"bucket": "media-uploads"})
    assert "bucket" not in specialist_for("security.public_storage").argument_values(asked)
    only = Route(text="is the media uploads bucket public", agent="security", skill="security.public_storage",
                 confidence=0.9, slots={"bucket": "media-uploads"})
    assert specialist_for("security.public_storage").argument_values(only)["bucket"] == "media-uploads"
