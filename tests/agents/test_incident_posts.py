"""Where each incident's brief was posted, against real SQLite and the machine's PostgreSQL:
one brief per incident however many replicas race, and a channel's incident is its newest
open one."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import pytest

from agents.sealing import Sealer, ephemeral_key
from agents.storage import Storage


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'g.db'}" if request.param == "sqlite" else request.getfixturevalue("postgres_url")


def test_replicas_racing_to_brief_one_incident_post_it_once(url: str) -> None:
    incident = "P" + uuid.uuid4().hex[:6].upper()
    replicas = [Storage.open(url, Sealer(ephemeral_key())).incidents for _ in range(6)]
    wins: list[bool] = []
    start = threading.Barrier(len(replicas))

    def claim(index: int) -> None:
        start.wait()
        wins.append(replicas[index].claim(incident, "slack", "C0RACE", "triggered"))

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(len(replicas))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(wins) == [False] * 5 + [True]


def test_a_channel_knows_its_newest_open_incident_and_a_failed_post_is_released(url: str) -> None:
    store = Storage.open(url, Sealer(ephemeral_key())).incidents
    channel = "C" + uuid.uuid4().hex[:8].upper()
    older, newer, failed = ("P" + uuid.uuid4().hex[:6].upper() for _ in range(3))
    assert store.in_channel(channel) is None
    for incident in (older, newer):
        assert store.claim(incident, "slack", channel, "triggered")
        store.posted(incident, f"17000000.{incident}", {"lead": incident}, "triggered")
    assert store.claim(failed, "slack", channel, "triggered")  # claimed, never posted: not the channel's
    post = store.in_channel(channel)
    assert post is not None and post.incident_id == newer and post.answer == {"lead": newer}
    store.update(newer, {"lead": "resolved"}, "resolved")
    post = store.in_channel(channel)
    assert post is not None and post.incident_id == older  # the newest *open* one
    store.release(failed)
    assert store.get(failed) is None and store.claim(failed, "slack", channel, "triggered")


def test_an_alert_group_posted_later_in_a_channel_is_not_its_incident(url: str) -> None:
    from agents.incident_posts import ALERT_GROUP_PREFIX

    store = Storage.open(url, Sealer(ephemeral_key())).incidents
    channel = "C" + uuid.uuid4().hex[:8].upper()
    incident, group = "P" + uuid.uuid4().hex[:6].upper(), ALERT_GROUP_PREFIX + uuid.uuid4().hex
    for key in (incident, group):  # the group is the newer post
        assert store.claim(key, "slack", channel, "triggered")
        store.posted(key, f"17000000.{key}", {"lead": key}, "triggered")
    post = store.in_channel(channel)
    assert post is not None and post.incident_id == incident
    assert store.get(group) is not None  # kept, found by its own key
