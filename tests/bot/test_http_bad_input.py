"""Bad input to the HTTP app never costs an answer and never a 500: body size limit (413),
credentials checked before the body (401 before 400/422), errors that never echo the body,
input that would break storage refused up front, and a correlation id instead of a
traceback for anything unexpected. Through the real app: Starlette's TestClient and, for
what only a socket can send (chunked bodies, lying lengths), a real uvicorn server."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient

from bot.http_app import create_app
from bot.runtime import Runtime
from bot.settings import Settings

TOKEN = "s3cret-token-value"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
MARKER = "MARKER-7f3a9c"  # a value that must never come back in an error


def _client(tmp_path: Path, **settings: object) -> TestClient:
    rt = Runtime(Settings(home=tmp_path, web_token=TOKEN, **settings))  # type: ignore[arg-type]
    return TestClient(create_app(rt), raise_server_exceptions=False)


BAD_BODIES: list[tuple[str, bytes]] = [
    ("not json", b"not json " + MARKER.encode()),
    ("not utf-8", b'{"text": "caf\xe9 ' + MARKER.encode() + b'"}'),
    ("lone surrogate", b'{"text": "hi \\ud800 ' + MARKER.encode() + b'"}'),
    ("empty text", json.dumps({"text": "", "user": MARKER}).encode()),
    ("text too long", json.dumps({"text": MARKER * 1000}).encode()),
    ("NUL in text", json.dumps({"text": f"hi\u0000{MARKER}"}).encode()),
    ("NUL in user", json.dumps({"text": "hi", "user": f"bob\u0000{MARKER}"}).encode()),
    ("escape in thread", json.dumps({"text": "hi", "thread": f"\u001b[31m{MARKER}"}).encode()),
    ("blank user", json.dumps({"text": "hi", "user": "   "}).encode()),
    ("user too long", json.dumps({"text": "hi", "user": MARKER * 20}).encode()),
    ("thread too long", json.dumps({"text": "hi", "thread": MARKER * 20}).encode()),
    ("wrong type", json.dumps({"text": {"nested": MARKER}}).encode()),
    ("not an object", json.dumps([MARKER]).encode()),
]


@pytest.mark.parametrize(("name", "body"), BAD_BODIES, ids=[name for name, _ in BAD_BODIES])
@pytest.mark.parametrize("auth", [None, "Bearer wrong-token"], ids=["no token", "wrong token"])
def test_credentials_are_checked_before_the_body(tmp_path: Path, name: str, body: bytes, auth: str | None) -> None:
    headers = {"Authorization": auth} if auth else {}
    response = _client(tmp_path).post("/api/chat", content=body, headers={**headers,
                                                                         "Content-Type": "application/json"})
    assert response.status_code == 401, name
    assert MARKER not in response.text


@pytest.mark.parametrize(("name", "body"), BAD_BODIES, ids=[name for name, _ in BAD_BODIES])
def test_bad_bodies_get_a_short_error_that_never_echoes_them(tmp_path: Path, name: str, body: bytes) -> None:
    response = _client(tmp_path).post("/api/chat", content=body,
                                      headers={**AUTH, "Content-Type": "application/json"})
    assert response.status_code in (400, 422), (name, response.status_code, response.text)
    assert MARKER not in response.text
    detail = response.json()["detail"]
    assert isinstance(detail, str) and len(detail) < 200
    assert "Traceback" not in detail


@pytest.mark.parametrize(("body", "status", "says"), [
    (b'{"text": "caf\xe9"}', 400, "not UTF-8"),
    (b'{"text": "hi \\ud800"}', 400, "lone surrogate"),
    (b'{"text": "hi', 400, "not valid JSON"),
    (json.dumps({"text": "hi", "user": "u" * 129}).encode(), 422, "user: String should have at most 128"),
    (json.dumps({"text": "hi", "thread": "t\u0000"}).encode(), 422, "thread: thread must be printable"),
    (json.dumps({"text": "a\u0000b"}).encode(), 422, "text: text must not contain NUL"),
    (json.dumps({"text": 5}).encode(), 422, "text: Input should be a valid string"),
])
def test_errors_name_the_field_and_the_problem(tmp_path: Path, body: bytes, status: int, says: str) -> None:
    response = _client(tmp_path).post("/api/chat", content=body, headers=AUTH)
    assert response.status_code == status
    assert says in response.json()["detail"]


def test_bodies_over_the_limit_get_413_before_anything_else(tmp_path: Path) -> None:
    client = _client(tmp_path, http_max_body_bytes=4096)
    big = json.dumps({"text": "x" * 5000}).encode()
    assert client.post("/api/chat", content=big, headers=AUTH).status_code == 413
    assert client.post("/api/chat", content=big).status_code == 413  # size is checked before credentials

    def chunks() -> Iterator[bytes]:  # no Content-Length: chunked transfer
        for _ in range(10):
            yield b"x" * 1000

    response = client.post("/api/chat", content=chunks(), headers=AUTH)
    assert response.status_code == 413
    assert response.json()["detail"] == "request body is larger than 4096 bytes"


def test_the_default_limit_is_one_mebibyte(tmp_path: Path) -> None:
    assert Settings(home=tmp_path).http_max_body_bytes == 1024 * 1024
    response = _client(tmp_path).post("/api/chat", content=b" " * (1024 * 1024 + 1), headers=AUTH)
    assert response.status_code == 413


def test_an_unexpected_failure_is_a_500_with_a_correlation_id_only(tmp_path: Path,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    rt = Runtime(Settings(home=tmp_path, web_token=TOKEN))  # type: ignore[arg-type]

    def broken(_request: object) -> None:
        raise RuntimeError(f"boom in /srv/guardian/internal.py {MARKER}")

    rt.ask = broken  # type: ignore[method-assign]
    client = TestClient(create_app(rt), raise_server_exceptions=False)
    with caplog.at_level(logging.ERROR, logger="bot.http_app"):
        response = client.post("/api/chat", json={"text": "which buckets are public?"}, headers=AUTH)
    assert response.status_code == 500
    correlation = response.headers["x-correlation-id"]
    assert response.json() == {"detail": f"internal error (correlation id {correlation})"}
    assert MARKER not in response.text and "Traceback" not in response.text and "boom" not in response.text
    logged = [record for record in caplog.records if correlation in record.getMessage()]
    assert logged and logged[0].exc_info is not None  # the server log has the traceback, under that id


def test_every_response_carries_a_correlation_id(tmp_path: Path) -> None:
    client = _client(tmp_path)
    assert len(client.get("/healthz").headers["x-correlation-id"]) == 16
    assert client.get("/healthz", headers={"X-Correlation-ID": "req-42"}).headers["x-correlation-id"] == "req-42"
    forged = client.get("/healthz", headers={"X-Correlation-ID": "bad id\r\nwith junk"})
    assert forged.headers["x-correlation-id"] != "bad id\r\nwith junk"


# ---------------------------------------------------------------- a real server on a socket


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    home = tmp_path_factory.mktemp("serve-home")
    rt = Runtime(Settings(home=home, web_token=TOKEN, http_max_body_bytes=4096))  # type: ignore[arg-type]
    config = uvicorn.Config(create_app(rt), host="127.0.0.1", port=0, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not running.started and time.monotonic() < deadline:
        time.sleep(0.05)
    port = running.servers[0].sockets[0].getsockname()[1]
    yield "127.0.0.1", port
    running.should_exit = True
    thread.join(timeout=10)


def _raw(address: tuple[str, int], head: bytes, body_parts: list[bytes]) -> str:
    """Send a request by hand and return the status line (and headers) of the answer."""
    with socket.create_connection(address, timeout=10) as sock:
        sock.sendall(head)
        try:
            for part in body_parts:
                sock.sendall(part)
        except OSError:  # the server may answer (and close) before the body is all sent
            pass
        answer = b""
        while b"\r\n\r\n" not in answer:
            data = sock.recv(4096)
            if not data:
                break
            answer += data
    return answer.decode("latin-1")


def test_real_server_refuses_a_declared_length_over_the_limit_without_reading_it(server: tuple[str, int]) -> None:
    head = (b"POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 10000000\r\n\r\n")
    assert _raw(server, head, [b"{" * 1000]).startswith("HTTP/1.1 413")


def test_real_server_counts_a_chunked_body_without_a_length(server: tuple[str, int]) -> None:
    head = b"POST /api/chat HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nAuthorization: Bearer " + \
        TOKEN.encode() + b"\r\n\r\n"
    chunk = b"x" * 1000
    parts = [b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(8)] + [b"0\r\n\r\n"]
    assert _raw(server, head, parts).startswith("HTTP/1.1 413")


def test_real_server_reads_no_more_than_a_short_declared_length(server: tuple[str, int]) -> None:
    """A length that understates the body: the server reads what was declared and no more;
    the rest is not taken as part of this request (and never as a second one that passes)."""
    head = (b"POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer "
            + TOKEN.encode() + b"\r\nContent-Length: 5\r\n\r\n")
    answer = _raw(server, head, [b'{"tex', b"t" * 20000])
    assert answer.startswith("HTTP/1.1 400")
    assert "500" not in answer.splitlines()[0]


def test_real_server_gives_401_before_looking_at_a_broken_body(server: tuple[str, int]) -> None:
    body = b'{"text": "\xff\xfe ' + MARKER.encode() + b'"}'
    head = (b"POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body))
    assert _raw(server, head, [body]).startswith("HTTP/1.1 401")


# ---------------------------------------------------------------- what the schema accepts, answered

LONGEST_USER = ("ünïcødé-" + "u" * 200)[:128]
LONGEST_THREAD = ("🧵thread-" + "t" * 200)[:128]


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_the_longest_ids_and_any_unicode_the_schema_accepts_get_an_answer(
        tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> None:
    """Ids as long as allowed land in database columns with room to spare (PostgreSQL
    enforces VARCHAR lengths; SQLite does not), and text in any script is answered."""
    database_url = request.getfixturevalue("postgres_url") if backend == "postgres" else None
    rt = Runtime(Settings(home=tmp_path, web_token=TOKEN, database_url=database_url))  # type: ignore[arg-type]
    client = TestClient(create_app(rt), raise_server_exceptions=False)
    body = {"text": "what can you do? 你好 مرحبا 👋 \t(tab) and a newline\nhere", "user": LONGEST_USER,
            "thread": LONGEST_THREAD}
    response = client.post("/api/chat", json=body, headers=AUTH)
    assert response.status_code == 200, response.text
    assert response.json()["skill"] == "help"
    correlation = response.headers["x-correlation-id"]  # the same id ties the audit records to the response
    assert any(record["correlation_id"] == correlation
               for record in rt.storage.audit.query(user="web"))  # one token: its user is "web"
    rt.close()
