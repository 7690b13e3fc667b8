"""The stand-ins' HTTP framework (Starlette routing behind uvicorn): which handler answers,
what an unknown path or method gets, and that every request is recorded."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from sandbox.http_standin import Call, HttpStandIn, Reply, RouteSpec, TlsStandIn, route


class Tiny(HttpStandIn):
    """Two routes, a token on one of them, and a handler that breaks."""

    def routes(self) -> list[RouteSpec]:
        return [
            route("GET", "/things/{thing_id}", self._thing),
            route("POST", "/things/{thing_id}/poke", self._poke),
            route("GET", "/open/{name}", self._open, public=True),
            route("GET", "/broken", self._broken),
        ]

    def authenticate(self, call: Call) -> Reply | None:
        return None if call.headers.get("authorization") == "Token t" else Reply(401, {"message": "no token"})

    def _thing(self, call: Call, thing_id: str) -> Reply:
        return Reply(200, {"id": thing_id, "q": call.arg("q")})

    def _poke(self, call: Call, thing_id: str) -> Reply:
        return Reply(201, {"poked": thing_id, "body": call.body})

    def _open(self, _call: Call, name: str) -> Reply:
        return Reply(200, f"hello {name}", content_type="text/plain")

    def _broken(self, _call: Call) -> Reply:
        raise ZeroDivisionError


@pytest.fixture
def tiny() -> Iterator[Tiny]:
    with Tiny() as standin:
        yield standin


def fetch(standin: Tiny, method: str, path: str, body: Any = None, token: bool = True) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(standin.url + path, data=data, method=method)
    if token:
        request.add_header("Authorization", "Token t")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            status, raw, kind = response.status, response.read(), response.headers["content-type"]
    except urllib.error.HTTPError as exc:
        status, raw, kind = exc.code, exc.read(), exc.headers["content-type"]
    return status, json.loads(raw) if raw and kind.startswith("application/json") else raw.decode()


def test_path_parameters_and_query_reach_the_handler(tiny: Tiny) -> None:
    assert fetch(tiny, "GET", "/things/t-7?q=x") == (200, {"id": "t-7", "q": "x"})
    assert fetch(tiny, "GET", "/things/t-7/") == (200, {"id": "t-7", "q": None})  # no redirect for a slash


def test_writes_are_recorded_with_their_body(tiny: Tiny) -> None:
    assert fetch(tiny, "POST", "/things/t-7/poke", {"hard": True}) == (201, {"poked": "t-7", "body": {"hard": True}})
    assert [(call.method, call.path, call.body) for call in tiny.writes] == [("POST", "/things/t-7/poke",
                                                                             {"hard": True})]


def test_unknown_paths_and_methods_are_the_apis_own_404_after_its_token_check(tiny: Tiny) -> None:
    assert fetch(tiny, "GET", "/nowhere") == (404, {"message": "Not Found"})
    assert fetch(tiny, "DELETE", "/things/t-7") == (404, {"message": "Not Found"})
    assert fetch(tiny, "GET", "/nowhere", token=False) == (401, {"message": "no token"})
    assert [call.path for call in tiny.calls] == ["/nowhere", "/things/t-7", "/nowhere"]


def test_public_routes_need_no_token(tiny: Tiny) -> None:
    assert fetch(tiny, "GET", "/open/world", token=False) == (200, "hello world")
    assert fetch(tiny, "GET", "/things/1", token=False) == (401, {"message": "no token"})


def test_a_handler_bug_is_a_500_not_a_dropped_connection(tiny: Tiny) -> None:
    assert fetch(tiny, "GET", "/broken") == (500, {"message": "Server Error"})


def test_a_stopped_standin_has_no_port_and_serves_again_once_restarted() -> None:
    standin = Tiny().start()
    standin.stop()
    with pytest.raises(RuntimeError, match="Tiny is not started"):
        _ = standin.port
    standin.start()
    try:
        assert fetch(standin, "GET", "/things/a") == (200, {"id": "a", "q": None})
    finally:
        standin.stop()


class TinyTls(TlsStandIn, Tiny):
    """The same routes over HTTPS."""


def test_a_tls_standin_with_an_idle_keep_alive_client_stops_without_an_error(
        caplog: pytest.LogCaptureFixture) -> None:
    """An idle TLS connection never closes by itself; the stop must not wait it out and log
    uvicorn's "timeout graceful shutdown exceeded" ERROR (seen at every `make demo` exit)."""
    standin = TinyTls().start()
    session = requests.Session()  # keeps its connection open after the answer
    try:
        answer = session.get(standin.url + "/things/a", headers={"Authorization": "Token t"},
                             verify=str(standin.ca_file), timeout=5)
        assert answer.json() == {"id": "a", "q": None}
        with caplog.at_level(logging.INFO, logger="uvicorn.error"):
            standin.stop()
    finally:
        session.close()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert any(r.getMessage().startswith("Finished server process") for r in caplog.records)
