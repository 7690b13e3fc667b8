"""Failures become one sentence: no credentials, unreachable endpoint, access denied,
throttling. The denial and throttling answers come from a tiny local HTTP stand-in
speaking EC2's error format."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from tools.aws.errors import NO_CREDENTIALS
from tools.aws.inventory import DescribeArgs, InventoryArgs, describe_resource, inventory
from tools.aws.security import OpenSecurityGroupsArgs, open_security_groups
from tools.base import ToolContext

EC2_ERROR = ('<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>{code}</Code>'
             '<Message>{message}</Message></Error></Errors><RequestID>req-1</RequestID></Response>')


class _Refuser(BaseHTTPRequestHandler):
    answer: ClassVar[dict[str, Any]] = {"status": 403, "code": "UnauthorizedOperation",
                              "message": "You are not authorized to perform this operation."}
    calls: ClassVar[int] = 0

    def do_POST(self) -> None:
        type(self).calls += 1
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = EC2_ERROR.format(code=self.answer["code"], message=self.answer["message"]).encode()
        self.send_response(int(self.answer["status"]))
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture(scope="module")
def refuser() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Refuser)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_no_credentials(ctx: ToolContext, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    result = inventory(ctx, InventoryArgs(resource_type="ec2"))
    assert result.status == "error" and result.summary == NO_CREDENTIALS


def test_unreachable_endpoint_is_quick_and_clear(ctx: ToolContext, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    monkeypatch.setenv("AWS_ENDPOINT_URL", closed)
    began = time.monotonic()
    result = describe_resource(ctx, DescribeArgs(resource_id="i-0123456789abcdef0"))
    assert time.monotonic() - began < 15
    assert result.status == "error"
    assert result.summary.startswith(f"Could not reach AWS at {closed}") and "connection refused" in result.summary


def test_access_denied_names_the_permission(ctx: ToolContext, refuser: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", refuser)
    monkeypatch.setattr(_Refuser, "answer", {"status": 403, "code": "UnauthorizedOperation", "message": "no"})
    result = open_security_groups(ctx, OpenSecurityGroupsArgs(region="us-east-1"))
    assert result.status == "error"
    assert result.summary == ("AWS denied DescribeSecurityGroups (UnauthorizedOperation): the credentials need "
                              "ec2:DescribeSecurityGroups permission.")


def test_throttling_after_bounded_retries(ctx: ToolContext, refuser: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", refuser)
    monkeypatch.setattr(_Refuser, "answer", {"status": 503, "code": "RequestLimitExceeded", "message": "slow down"})
    monkeypatch.setattr(_Refuser, "calls", 0)
    result = open_security_groups(ctx, OpenSecurityGroupsArgs(region="us-east-1"))
    assert result.summary == "AWS is throttling DescribeSecurityGroups; try again in a minute."
    assert _Refuser.calls == 4  # botocore: retries={"max_attempts": 3} means 3 retries after the first try
