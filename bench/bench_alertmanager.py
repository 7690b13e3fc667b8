"""Alertmanager notification to alert-group brief: N groups (each its own alert name, two
alerts whose ``runbook_url`` names the shipped high-cpu.md), each sent firing and then
resolved, one after another, to ``guardian serve``'s app served by uvicorn on loopback with
the bearer token. Measured: the webhook's own response time, the time until the brief's
``chat.postMessage`` reaches the Slack Web API stand-in, and the time until the resolution's
``chat.update`` does. The runbooks are found for real (MiniLM, Chroma). A ``GET /healthz``
round trip in the same run is the baseline for the response time. The first group (models
warming up) is reported apart.

    .venv/bin/python bench/bench_alertmanager.py [--groups 20] [--settle 30]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CHANNEL = "C0BENCH"
TOKEN = "bench-alertmanager-token"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def wait_for(slack: Any, method: str, marker: str, timeout: float = 120.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for call in slack.calls(method):
            if call.args.get("channel") == CHANNEL and marker in json.dumps(call.blocks):
                return call
        time.sleep(0.01)
    raise TimeoutError(f"no {method} with {marker!r} within {timeout} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--groups", type=int, default=20)
    parser.add_argument("--settle", type=float, default=0.0,
                        help="seconds between the server's start and the first group (its warm-up runs then)")
    args = parser.parse_args()

    from bot.http_app import BackgroundServer
    from bot.runtime import Runtime
    from bot.settings import load_settings
    from sandbox.alertmanager_webhooks import post, sample_group
    from sandbox.slack_api import SlackApiStandIn

    with SlackApiStandIn() as slack, tempfile.TemporaryDirectory() as home:
        settings = load_settings(home=Path(home), slack_bot_token="xoxb-bench", slack_signing_secret="bench",
                                 slack_api_url=slack.api_url,
                                 incident_channel=CHANNEL, alertmanager_token=TOKEN)
        with Runtime(settings) as rt, BackgroundServer(rt) as server:
            url = server.url + "/webhooks/alertmanager"

            def one_group() -> tuple[float, float, float]:
                name = f"HighCPUUsage{uuid.uuid4().hex[:8].upper()}"
                body = json.dumps(sample_group(alertname=name)).encode()
                started = time.perf_counter()
                status, text = post(url, body, TOKEN)
                answered = time.perf_counter() - started
                assert status == 202, (status, text)
                brief = wait_for(slack, "chat.postMessage", f"Firing: {name} alert group")
                body = json.dumps(sample_group(alertname=name, resolved=True)).encode()
                resolving = time.perf_counter()
                status, text = post(url, body, TOKEN)
                assert status == 202, (status, text)
                wait_for(slack, "chat.update", f"Resolved: {name} alert group")
                return answered, brief.at - started, time.perf_counter() - resolving

            time.sleep(args.settle)
            cold = one_group()
            acks, briefs, resolutions = [], [], []
            for _ in range(args.groups):
                ack, brief, resolved = one_group()
                acks.append(ack)
                briefs.append(brief)
                resolutions.append(resolved)
            health = []
            for _ in range(50):
                started = time.perf_counter()
                with urllib.request.urlopen(server.url + "/healthz", timeout=5) as response:
                    response.read()
                health.append(time.perf_counter() - started)

    result = {
        "groups": args.groups,
        "webhook_p50_ms": round(pct(acks, 0.5) * 1000, 1), "webhook_p95_ms": round(pct(acks, 0.95) * 1000, 1),
        "healthz_p50_ms": round(pct(health, 0.5) * 1000, 1),
        "webhook_vs_healthz_p50": round(pct(acks, 0.5) / max(pct(health, 0.5), 1e-6), 2),
        "brief_p50_s": round(pct(briefs, 0.5), 2), "brief_p95_s": round(pct(briefs, 0.95), 2),
        "brief_mean_s": round(statistics.fmean(briefs), 2),
        "resolved_update_p50_s": round(pct(resolutions, 0.5), 2),
        "resolved_update_p95_s": round(pct(resolutions, 0.95), 2),
        "cold_webhook_ms": round(cold[0] * 1000, 1), "cold_brief_s": round(cold[1], 2), "settle_s": args.settle,
    }
    print(f"webhook answered: p50 {result['webhook_p50_ms']} ms, p95 {result['webhook_p95_ms']} ms "
          f"(healthz p50 {result['healthz_p50_ms']} ms)")
    print(f"brief posted:     p50 {result['brief_p50_s']} s, p95 {result['brief_p95_s']} s over {args.groups} "
          f"groups; first {result['cold_brief_s']} s, {args.settle} s after start")
    print(f"resolution shown: p50 {result['resolved_update_p50_s']} s, p95 {result['resolved_update_p95_s']} s")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
