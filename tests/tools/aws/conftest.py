"""AWS tool tests run against a real moto server on a free loopback port (plus a small
Cost Explorer stand-in, since moto neither forecasts nor aggregates seeded spend). Each
test module resets moto and creates its own resources with boto3, so nothing depends on
the sandbox's names."""

from __future__ import annotations

import json
import socket
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from moto.server import ThreadedMotoServer

from tests import moto_owner
from tools.base import ToolContext
from tools.settings import AwsSettings

REGIONS = ["us-east-1", "eu-west-1"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class CostData:
    """Seeded daily spend: {(service, region): {day: amount}} and the forecast to return."""

    daily: dict[tuple[str, str], dict[str, float]] = field(default_factory=dict)
    forecast: float = 0.0
    requests: list[dict[str, Any]] = field(default_factory=list)

    def amount(self, day: str, service_filter: list[str] | None) -> dict[tuple[str, str], float]:
        return {key: days.get(day, 0.0) for key, days in self.daily.items()
                if service_filter is None or key[0] in service_filter}


def _days(start: str, end: str) -> list[str]:
    first, stop = date.fromisoformat(start), date.fromisoformat(end)
    return [(first + timedelta(days=n)).isoformat() for n in range((stop - first).days)]


def _cost_and_usage(data: CostData, body: dict[str, Any]) -> dict[str, Any]:
    period = body["TimePeriod"]
    wanted = body.get("Filter", {}).get("Dimensions", {}).get("Values")
    groups_by = [item.get("Key") for item in body.get("GroupBy") or [{}]]
    group = groups_by[0]
    days = _days(period["Start"], period["End"])
    if body["Granularity"] == "MONTHLY":
        total = sum(sum(data.amount(day, wanted).values()) for day in days)
        return {"ResultsByTime": [{"TimePeriod": period, "Estimated": True, "Groups": [],
                                   "Total": {"UnblendedCost": {"Amount": f"{total:.4f}", "Unit": "USD"}}}]}
    results = []
    for day in days:
        sums: dict[tuple[str, ...], float] = {}
        for (service, region), amount in data.amount(day, wanted).items():
            # one key per GroupBy entry, as Cost Explorer answers (SERVICE then REGION: both)
            key = tuple(region if name == "REGION" else service for name in groups_by)
            sums[key] = sums.get(key, 0.0) + amount
        groups = [{"Keys": list(key), "Metrics": {"UnblendedCost": {"Amount": f"{value:.4f}", "Unit": "USD"}}}
                  for key, value in sums.items()]
        results.append({"TimePeriod": {"Start": day, "End": (date.fromisoformat(day) + timedelta(days=1)).isoformat()},
                        "Total": {}, "Groups": groups, "Estimated": False})
    return {"ResultsByTime": results, "GroupDefinitions": [{"Type": "DIMENSION", "Key": group}]}


def _ce_handler(data: CostData) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            target = self.headers.get("X-Amz-Target", "").rsplit(".", 1)[-1]
            data.requests.append({"target": target, **body})
            if target == "GetCostAndUsage":
                answer = _cost_and_usage(data, body)
            elif target == "GetCostForecast":
                answer = {"Total": {"Amount": f"{data.forecast:.4f}", "Unit": "USD"}, "ForecastResultsByTime": []}
            else:
                answer = {}
            payload = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@pytest.fixture(scope="session")
def cost_data() -> CostData:
    return CostData()


@dataclass(frozen=True)
class AwsServers:
    moto: str
    cost_explorer: str
    empty_file: str


@pytest.fixture(scope="session")
def aws_servers(tmp_path_factory: pytest.TempPathFactory, cost_data: CostData) -> Iterator[AwsServers]:
    """A moto server and a Cost Explorer stand-in, started once per session."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    ce = ThreadingHTTPServer(("127.0.0.1", 0), _ce_handler(cost_data))
    threading.Thread(target=ce.serve_forever, daemon=True).start()
    empty = tmp_path_factory.mktemp("aws") / "empty"
    empty.write_text("")
    yield AwsServers(f"http://127.0.0.1:{port}", f"http://127.0.0.1:{ce.server_address[1]}", str(empty))
    ce.shutdown()
    server.stop()


@pytest.fixture(scope="module")
def aws_endpoint(aws_servers: AwsServers) -> Iterator[str]:
    """boto3 pointed at those servers through its own env vars while one module here runs,
    and only then: AWS_ENDPOINT_URL_COST_EXPLORER outranks AWS_ENDPOINT_URL, so left set for
    the rest of the session it sent every in-process Runtime's Cost Explorer calls (tests/e2e,
    tests/bot) to this module's seeded spend instead of the sandbox company's."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("AWS_PROFILE", raising=False)
        patch.delenv("AWS_SESSION_TOKEN", raising=False)
        patch.setenv("AWS_ENDPOINT_URL", aws_servers.moto)
        patch.setenv("AWS_ENDPOINT_URL_COST_EXPLORER", aws_servers.cost_explorer)
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        patch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        patch.setenv("AWS_CONFIG_FILE", aws_servers.empty_file)
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", aws_servers.empty_file)
        patch.setenv("AWS_EC2_METADATA_DISABLED", "true")
        yield aws_servers.moto


def reset_moto(endpoint: str) -> None:
    """Clear every moto backend so a module starts from nothing (a sandbox test after it re-seeds)."""
    moto_owner.claim(moto_owner.TOOLS_AWS)
    # Generous: on a busy two-core CI machine a reset of every backend took over 5 s.
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=60).close()


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore's retries without its randomized waits: each throttled call still makes all its
    attempts (tests count them), but does not sleep rand(0,1) * 1, 2, 4 s between them, which
    is nothing these tests assert and cost test_regions ~15 s of waiting."""
    from botocore.retries.standard import ExponentialBackoff

    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda *_: 0.0)


@pytest.fixture(scope="module")
def ctx(aws_endpoint: str) -> ToolContext:
    return ToolContext(aws=AwsSettings(regions=tuple(REGIONS)))


@pytest.fixture(scope="module")
def reset_aws(aws_endpoint: str) -> Any:
    """A callable that resets moto (used by each module's setup fixture)."""
    return lambda: reset_moto(aws_endpoint)


@pytest.fixture(scope="module", autouse=True)
def hand_moto_back() -> Iterator[None]:
    """Each module here resets moto; when it ends, a running sandbox gets its company back,
    so whatever runs next (in any order) sees the seeded company."""
    yield
    moto_owner.give_back_to_sandbox()
