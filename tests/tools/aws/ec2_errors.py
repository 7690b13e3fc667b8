"""A tiny local stand-in that answers every EC2 query with one error in EC2's own XML error
format (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html), so the
real boto3 client meets a real denial or throttling response."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

EC2_ERROR = ('<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>{code}</Code>'
             '<Message>{message}</Message></Error></Errors><RequestID>req-1</RequestID></Response>')


class Ec2ErrorServer:
    """Serves ``status``/``code``/``message`` to every POST and counts the calls; the answer
    can be changed between requests."""

    def __init__(self, status: int, code: str, message: str) -> None:
        self.status, self.code, self.message = status, code, message
        self.calls = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def answer(self, status: int, code: str, message: str) -> None:
        self.status, self.code, self.message, self.calls = status, code, message, 0

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                stand_in.calls += 1
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                body = EC2_ERROR.format(code=stand_in.code, message=stand_in.message).encode()
                self.send_response(stand_in.status)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        return Handler

    def __enter__(self) -> Ec2ErrorServer:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()
