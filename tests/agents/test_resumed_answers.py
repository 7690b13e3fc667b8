"""The web chat's resumed answers, against real SQLite and the machine's PostgreSQL: kept
once per delivery key however many replicas race, sealed at rest, read back only in the
asker's own conversation, from a cursor, and pruned after a day."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from agents.answer import Answer
from agents.request import Request
from agents.resumed_answers import KEEP, OVERLAP, ResumedAnswerStore, resumed_answers_table
from agents.sealing import Sealer, SecretKey, ephemeral_key
from agents.storage import Storage

SECRET_WORD = "payments-db-primary-7f3a"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'g.db'}" if request.param == "sqlite" else request.getfixturevalue("postgres_url")


def _request(user: str, page: str, text: str = "describe payments-api-1") -> Request:
    return Request(text=text, user=user, surface="web", thread_id=f"web:{user}:{page}")


def _answer(lead: str) -> Answer:
    return Answer(agent="infra", skill="infra.describe", lead=lead, paragraphs=[SECRET_WORD])


def test_replicas_racing_to_keep_one_turn_keep_it_once_and_the_first_stands(url: str) -> None:
    key = f"turn.resume/tn-{uuid.uuid4().hex[:10]}/web:"
    request = _request("carol", "page-race")
    replicas = [Storage.open(url, Sealer(ephemeral_key())).resumed for _ in range(6)]
    refs: list[str] = []
    start = threading.Barrier(len(replicas))

    def put(index: int) -> None:
        start.wait()
        refs.append(replicas[index].put(key, request, _answer(f"answer {index}")))

    threads = [threading.Thread(target=put, args=(i,)) for i in range(len(replicas))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert refs == [key] * 6
    [kept] = replicas[0].since("carol", request.thread_id, None)
    assert kept.key == key and kept.correlation_id == request.correlation_id
    assert kept.answer.lead.startswith("answer ")
    assert replicas[0].find(key) == key and replicas[0].find(key + "x") is None
    with replicas[0].engine.connect() as conn:
        stored = conn.execute(select(resumed_answers_table.c.answer).where(resumed_answers_table.c.key == key)).scalar()
    assert stored.startswith("gs1:") and SECRET_WORD not in stored  # sealed at rest, like the checkpoints


def test_only_the_askers_own_conversation_is_read_back_from_the_cursor(url: str) -> None:
    # Years back: the database may be shared, and a write prunes what is a day older than its clock.
    now = [datetime(2020, 1, 6, 10, 0, tzinfo=UTC).timestamp()]
    store = ResumedAnswerStore(
        Storage.open(url, Sealer(ephemeral_key())).resumed.engine, Sealer(ephemeral_key()), clock=lambda: now[0]
    )
    page = uuid.uuid4().hex[:12]
    key = {name: f"{name}-{page}" for name in ("first", "other-page", "dave", "second", "later")}
    mine, other_page, someone_else = _request("carol", page), _request("carol", page + "-b"), _request("dave", page)
    store.put(key["first"], mine, _answer("first"))
    store.put(key["other-page"], other_page, _answer("other page"))
    store.put(key["dave"], someone_else, _answer("dave's"))
    now[0] += 120
    store.put(key["second"], mine, _answer("second"))

    assert [a.answer.lead for a in store.since("carol", mine.thread_id, None)] == ["first", "second"]
    # dave's page has the same name, in his own thread; carol naming his thread sees nothing of it
    assert [a.key for a in store.since("dave", someone_else.thread_id, None)] == [key["dave"]]
    assert store.since("carol", someone_else.thread_id, None) == []
    cursor = datetime.fromtimestamp(now[0], UTC)
    assert [a.key for a in store.since("carol", mine.thread_id, cursor)] == [key["second"]]
    assert [a.key for a in store.since("carol", mine.thread_id, cursor + OVERLAP)] == [key["second"]]  # again
    assert store.since("carol", mine.thread_id, cursor + OVERLAP + timedelta(seconds=1)) == []
    assert [a.key for a in store.since("carol", mine.thread_id, None, limit=1)] == [key["second"]]  # the newest

    now[0] += KEEP.total_seconds() + 1  # a day later the next write prunes what is past KEEP
    store.put(key["later"], mine, _answer("later"))
    assert [a.key for a in store.since("carol", mine.thread_id, None)] == [key["later"]]
    assert store.find(key["dave"]) is None


def test_an_answer_sealed_with_another_key_is_left_out_not_an_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'g.db'}"
    engine = Storage.open(url, Sealer(ephemeral_key())).resumed.engine
    request = _request("carol", "page-keys")
    ResumedAnswerStore(engine, Sealer(SecretKey(b"\x01" * 32, "old"))).put("k-old", request, _answer("old key"))
    store = ResumedAnswerStore(engine, Sealer(ephemeral_key()))
    store.put("k-new", request, _answer("this key"))
    assert [a.answer.lead for a in store.since("carol", request.thread_id, None)] == ["this key"]
