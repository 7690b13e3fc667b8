"""Stand-ins for what Microsoft runs around a Teams bot, on loopback, for the real
botbuilder SDK to talk to:

- ``TokenIssuer``: the Bot Framework's OpenID metadata and JWKS (served from its own
  thread: the SDK fetches them with a blocking call) and tokens signed with our own RSA key;
- ``Connector``: the Bot Connector at the activity's ``serviceUrl``, recording every
  activity the SDK sends, updates or replies with;
- ``StaticTokenCredentials``: the outbound token a bot gets from Microsoft Entra (not
  reachable here), handed out by the test's issuer instead.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

import jwt
from botframework.connector.auth import MicrosoftAppCredentials, PasswordServiceClientCredentialFactory
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ISSUER = "https://api.botframework.com"


Reply = tuple[int, Any] | tuple[int, Any, dict[str, str]]  # status, JSON body[, headers]


class _Server:
    """A ThreadingHTTPServer on 127.0.0.1 answering with ``respond(method, path, body)``."""

    def __init__(self, respond: Callable[[str, str, dict[str, str], bytes], Reply]) -> None:
        class Handler(BaseHTTPRequestHandler):
            def _any(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                status, payload, *extra = respond(self.command, self.path, dict(self.headers), self.rfile.read(length))
                body = json.dumps(payload).encode()
                self.send_response(status)
                for name, value in (extra[0] if extra else {}).items():
                    self.send_header(name, value)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = _any

            def log_message(self, *_: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class TokenIssuer:
    """Signs Bot Framework channel tokens and publishes the public key, endorsed for the
    given channels, behind OpenID metadata."""

    def __init__(self, endorsements: tuple[str, ...] = ("msteams",)) -> None:
        self.key = new_key()
        self.kid = f"test-{uuid.uuid4().hex[:8]}"
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        self.jwks = {"keys": [{**jwk, "kid": self.kid, "use": "sig", "alg": "RS256",
                               "endorsements": list(endorsements)}]}
        self.server = _Server(self._respond)
        self.metadata_url = f"{self.server.url}/v1/.well-known/openidconfiguration"

    def _respond(self, _method: str, path: str, _headers: dict[str, str], _body: bytes) -> tuple[int, Any]:
        if path.endswith("openidconfiguration"):
            return 200, {"issuer": ISSUER, "jwks_uri": f"{self.server.url}/v1/.well-known/keys",
                         "id_token_signing_alg_values_supported": ["RS256"]}
        if path.endswith("/keys"):
            return 200, self.jwks
        return 404, {}

    def token(self, audience: str, service_url: str, *, issuer: str = ISSUER, expires_in: int = 600,
              key: rsa.RSAPrivateKey | None = None, kid: str | None = None) -> str:
        now = int(time.time())
        claims = {"iss": issuer, "aud": audience, "serviceurl": service_url, "nbf": now - 5,
                  "iat": now - 5, "exp": now + expires_in}
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": kid or self.kid})

    def close(self) -> None:
        self.server.close()


class Connector:
    """The Bot Connector at ``serviceUrl``: records (method, path, authorization, activity)
    and answers with a new activity id, as the real service does."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.refused: list[dict[str, Any]] = []  # calls answered with a scripted failure
        self._failures: list[tuple[str, int, dict[str, str]]] = []
        self._lock = threading.Lock()
        self.server = _Server(self._respond)
        self.url = self.server.url + "/"

    def fail_next(self, method: str, status: int, times: int = 1, retry_after: str | None = None) -> None:
        """Answer the next ``times`` ``method`` calls for a message with ``status`` (a
        throttle is 429 with Retry-After, as Teams sends it), recording them in ``refused``."""
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        with self._lock:
            self._failures += [(method, status, headers)] * times

    def _respond(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Reply:
        if not path.startswith("/v3/conversations/"):
            return 404, {}
        activity = json.loads(body) if body else {}
        call = {"method": method, "path": unquote(path), "authorization": headers.get("Authorization"),
                "activity": activity}
        with self._lock:
            failure = next((f for f in self._failures if f[0] == method and activity.get("type") == "message"), None)
            if failure is not None:
                self._failures.remove(failure)
                self.refused.append(call)
                return failure[1], {"error": {"code": "Throttled" if failure[1] == 429 else "ServiceError"}}, failure[2]
            self.calls.append(call)
        return 200, {"id": f"sent-{uuid.uuid4().hex[:8]}"}

    def activities(self, kind: str = "message") -> list[dict[str, Any]]:
        with self._lock:
            return [call["activity"] for call in self.calls if call["activity"].get("type") == kind]

    def wait_for(self, count: int, kind: str = "message", timeout: float = 60) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.activities(kind)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"the connector got {len(self.activities(kind))} {kind} activities, expected {count}: "
                             f"{[(c['method'], c['path'], c['activity'].get('type')) for c in self.calls]}")

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()
            self.refused.clear()
            self._failures.clear()

    def close(self) -> None:
        self.server.close()


class StaticTokenCredentials(MicrosoftAppCredentials):
    """Outbound credentials whose token comes from the test (no Microsoft Entra here)."""

    def __init__(self, app_id: str, token: str) -> None:
        super().__init__(app_id, "unused")
        self.token = token

    def get_access_token(self, force_refresh: bool = False) -> str:
        return self.token


class StaticCredentialsFactory(PasswordServiceClientCredentialFactory):
    """The SDK's password factory (app id checks included), handing out a fixed token."""

    def __init__(self, app_id: str, token: str) -> None:
        super().__init__(app_id, "unused")
        self.token = token

    async def create_credentials(self, app_id: str, oauth_scope: str, login_endpoint: str,
                                 validate_authority: bool) -> MicrosoftAppCredentials:
        if not await self.is_valid_app_id(app_id):
            raise PermissionError("Invalid app_id")
        return StaticTokenCredentials(app_id, self.token)


APP_ID = "00000000-0000-4000-8000-00000000b07a"
BOT_ID = f"28:{APP_ID}"
TENANT = "11111111-1111-4111-8111-111111111111"


def activity(kind: str = "message", *, service_url: str, text: str = "", user_aad: str = "aad-alice",
             user_name: str = "Alice", conversation: str = "a:personal-chat", conversation_type: str = "personal",
             mention: bool = False, value: Any = None, name: str | None = None,
             activity_id: str | None = None, reply_to: str | None = None) -> dict[str, Any]:
    """An activity as Teams posts it to /api/messages (a channel @mention carries the
    ``<at>`` text and a mention entity for the bot)."""
    body: dict[str, Any] = {
        "type": kind, "id": activity_id or f"act-{uuid.uuid4().hex[:10]}", "channelId": "msteams",
        "serviceUrl": service_url, "timestamp": "2026-12-02T16:00:00.000Z",
        "from": {"id": f"29:{user_aad}", "name": user_name, "aadObjectId": user_aad},
        "recipient": {"id": BOT_ID, "name": "Guardian"},
        "conversation": {"id": conversation, "conversationType": conversation_type, "tenantId": TENANT,
                         **({"isGroup": True} if conversation_type != "personal" else {})},
        "channelData": {"tenant": {"id": TENANT}},
    }
    if kind == "message":
        body["text"] = f"<at>Guardian</at> {text}" if mention else text
        if mention:
            body["entities"] = [{"type": "mention", "text": "<at>Guardian</at>",
                                 "mentioned": {"id": BOT_ID, "name": "Guardian"}}]
    if value is not None:
        body["value"] = value
    if name:
        body["name"] = name
    if reply_to:
        body["replyToId"] = reply_to
    return body


def execute(approval_id: str, decision: str, **kwargs: Any) -> dict[str, Any]:
    """An Action.Execute click on an approval card: an ``adaptiveCard/action`` invoke."""
    data = {"guardian": "guardian.decide", "approval_id": approval_id, "decision": decision}
    return activity("invoke", name="adaptiveCard/action",
                    value={"action": {"type": "Action.Execute", "verb": "guardian.decide", "data": data},
                           "trigger": "manual"}, **kwargs)
