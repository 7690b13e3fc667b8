"""PagerDuty webhook to incident brief: N signed ``incident.escalated`` webhooks (each about
a new incident in the sandbox's PagerDuty stand-in) sent one after another to ``guardian
serve``'s app served by uvicorn on loopback; for each, the webhook's own response time and
the time until the brief's ``chat.postMessage`` reaches the Slack Web API stand-in. The
brief is gathered for real: PagerDuty, GitHub and AWS (moto) stand-ins, the knowledge store.
A ``GET /healthz`` round trip measured in the same run is the baseline for the webhook's
response time. The first escalation (models and clients warming up) is reported apart, with
the first ``/healthz`` answered right after the start (the warm-up must not delay it). The
server runs with its lifespan, as ``guardian serve`` does, and without scheduled jobs.

    .venv/bin/python bench/bench_pagerduty.py [--escalations 20]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CHANNEL = "C0BENCH"
SECRET = "bench-pagerduty-secret"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def wait_for_brief(slack: Any, incident_id: str, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for call in slack.calls("chat.postMessage"):
            if call.args.get("channel") == CHANNEL and incident_id in json.dumps(call.blocks):
                return call
        time.sleep(0.01)
    raise TimeoutError(f"no brief for {incident_id} within {timeout} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--escalations", type=int, default=20)
    parser.add_argument("--settle", type=float, default=0.0,
                        help="seconds between the server's start and the first escalation (its warm-up runs then)")
    args = parser.parse_args()

    from bot.http_app import BackgroundServer
    from bot.runtime import Runtime
    from bot.settings import load_settings
    from sandbox.pagerduty_api import PagerDutyStandIn
    from sandbox.pagerduty_webhooks import add_incident, incident_event, post, sign
    from sandbox.server import Sandbox
    from sandbox.slack_api import SlackApiStandIn

    with Sandbox() as sandbox, SlackApiStandIn() as slack, tempfile.TemporaryDirectory() as home:
        os.environ.update(sandbox.env)
        pd = next(s for s in sandbox.standins if isinstance(s, PagerDutyStandIn))
        settings = load_settings(home=Path(home), slack_bot_token="xoxb-bench", slack_api_url=slack.api_url,
                                 incident_channel=CHANNEL, pagerduty_webhook_secret=SECRET, scheduler=False)
        # lifespan on, as under `guardian serve` (its start-up warm-up runs); no scheduled jobs
        with Runtime(settings) as rt, BackgroundServer(rt, lifespan="on") as server:
            started = time.perf_counter()
            with urllib.request.urlopen(server.url + "/healthz", timeout=30) as response:
                response.read()
            cold_health = time.perf_counter() - started
            url = server.url + "/webhooks/pagerduty"

            def escalate() -> tuple[float, float]:
                incident = add_incident(pd.data, "Payments API 5xx error rate above 5% (prod)")
                body = json.dumps(incident_event(pd.data, incident.id, "incident.escalated")).encode()
                signature = sign(body, SECRET)
                started = time.perf_counter()
                status, text = post(url, body, signature)
                answered = time.perf_counter() - started
                assert status == 202, (status, text)
                brief = wait_for_brief(slack, incident.id)
                return answered, brief.at - started

            time.sleep(args.settle)
            cold_ack, cold_brief = escalate()
            acks, briefs = [], []
            for _ in range(args.escalations):
                ack, brief = escalate()
                acks.append(ack)
                briefs.append(brief)
            health = []
            for _ in range(50):
                started = time.perf_counter()
                with urllib.request.urlopen(server.url + "/healthz", timeout=5) as response:
                    response.read()
                health.append(time.perf_counter() - started)

    result = {
        "escalations": args.escalations,
        "webhook_p50_ms": round(pct(acks, 0.5) * 1000, 1), "webhook_p95_ms": round(pct(acks, 0.95) * 1000, 1),
        "healthz_p50_ms": round(pct(health, 0.5) * 1000, 1),
        "webhook_vs_healthz_p50": round(pct(acks, 0.5) / max(pct(health, 0.5), 1e-6), 2),
        "brief_p50_s": round(pct(briefs, 0.5), 2), "brief_p95_s": round(pct(briefs, 0.95), 2),
        "brief_mean_s": round(statistics.fmean(briefs), 2),
        "cold_webhook_ms": round(cold_ack * 1000, 1), "cold_brief_s": round(cold_brief, 2), "settle_s": args.settle,
        "cold_healthz_ms": round(cold_health * 1000, 1),
    }
    print(f"webhook answered: p50 {result['webhook_p50_ms']} ms, p95 {result['webhook_p95_ms']} ms "
          f"(healthz p50 {result['healthz_p50_ms']} ms; target < 500 ms)")
    print(f"brief posted:     p50 {result['brief_p50_s']} s, p95 {result['brief_p95_s']} s over "
          f"{args.escalations} escalations (target p95 <= 10 s); first {result['cold_brief_s']} s, "
          f"{args.settle} s after start")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
