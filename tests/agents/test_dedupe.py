"""Exactly-once deliveries against real SQLite and the machine's PostgreSQL: one claim wins
however many replicas race for it, and old keys are forgotten only after every retry
window."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agents.dedupe import KEEP_FOR
from agents.sealing import Sealer, ephemeral_key
from agents.storage import Storage


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'g.db'}" if request.param == "sqlite" else request.getfixturevalue("postgres_url")


def test_the_first_delivery_wins_and_repeats_are_refused(url: str) -> None:
    key = f"Ev{datetime.now(UTC).timestamp()}"
    store = Storage.open(url, Sealer(ephemeral_key())).dedupe
    assert store.claim("slack", key) is True
    assert store.claim("slack", key) is False
    assert store.claim("pagerduty", key) is True  # another source's key space


def test_replicas_racing_for_one_key_claim_it_once(url: str) -> None:
    key = f"race-{datetime.now(UTC).timestamp()}"
    replicas = [Storage.open(url, Sealer(ephemeral_key())).dedupe for _ in range(8)]
    wins: list[bool] = []
    start = threading.Barrier(len(replicas))

    def deliver(index: int) -> None:
        start.wait()
        wins.append(replicas[index].claim("slack", key))

    threads = [threading.Thread(target=deliver, args=(i,)) for i in range(len(replicas))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(wins) == [False] * 7 + [True]


def test_keys_are_forgotten_only_after_the_retry_windows(url: str) -> None:
    store = Storage.open(url, Sealer(ephemeral_key())).dedupe
    key = f"old-{datetime.now(UTC).timestamp()}"
    store.claim("alertmanager", key)
    store.prune(now=datetime.now(UTC) + KEEP_FOR - timedelta(minutes=1))
    assert store.claim("alertmanager", key) is False
    store.prune(now=datetime.now(UTC) + KEEP_FOR + timedelta(minutes=1))
    assert store.claim("alertmanager", key) is True


def test_an_overlong_key_is_claimed_by_its_prefix(url: str) -> None:
    store = Storage.open(url, Sealer(ephemeral_key())).dedupe
    stem = f"long-{datetime.now(UTC).timestamp()}-"
    assert store.claim("github", stem + "x" * 600) is True
    assert store.claim("github", stem + "x" * 700) is False
