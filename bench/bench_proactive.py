"""Proactive posts on the sandbox company: what one scheduler run costs, against the read
tools it is made of, measured in the same run.

- digest: ``Proactive.run_digest`` for a new daily period (lease claim, the security scan,
  spend, forecast, GitHub runs, PagerDuty incidents, the stored payload, one Slack post to
  the stand-in) against the sum of the same tool calls made directly (the baseline);
- exposure scan: ``Proactive.run_exposure_scan`` for a new slot (scan, diff against the
  stored baseline in one transaction, and, with a bucket made public before it, the alert
  post) against one ``aws_security_scan`` call;
- the exactly-once bookkeeping alone: claim + stored payload + one delivery + finish on SQLite,
  per run.

    .venv/bin/python bench/bench_proactive.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import percentile, write_section

BUCKET = "driftwood-search-snapshots"


def timed(work: Callable[[], Any]) -> float:
    started = time.perf_counter()
    work()
    return (time.perf_counter() - started) * 1000


def stats(values: list[float]) -> str:
    return f"{statistics.median(values):.0f} / {percentile(values, 95):.0f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)

    from agents.digest import latest_due
    from agents.jobs import JobRuns
    from bot.proactive import poster_for
    from bot.runtime import Runtime
    from bot.settings import load_settings
    from sandbox.company import utc_today
    from sandbox.server import Sandbox
    from sandbox.slack_api import SlackApiStandIn

    with Sandbox() as sandbox, SlackApiStandIn() as slack, tempfile.TemporaryDirectory() as home:
        os.environ.update(sandbox.env)
        settings = load_settings(home=Path(home), slack_bot_token="xoxb-bench", slack_api_url=slack.api_url)
        with Runtime(settings) as rt:
            proactive, poster = rt.proactive, poster_for(rt)
            proactive.subscriptions.subscribe("slack", "CBENCH", "digest", "daily", "bench")
            proactive.subscriptions.subscribe("slack", "CBENCH", "exposures", "", "bench")
            yesterday = latest_due("daily", utc_today(), 23, 0)
            digest, direct, scan_run, scan_direct, books = [], [], [], [], []
            proactive.run_exposure_scan(poster, "baseline")
            s3 = sandbox.boto_session().client("s3", region_name="us-east-1")
            try:
                for n in range(args.repeats):
                    # a period of its own each time: the run does the whole job, never "already done"
                    key = (yesterday.start - timedelta(days=7 * (n + 1))).isoformat()
                    digest.append(timed(lambda key=key: proactive.run_digest(poster, "daily", key)))
                    window = {"start": key, "end": (yesterday.start - timedelta(days=7 * (n + 1) - 1)).isoformat(),
                              "limit": 100}
                    calls: list[tuple[str, dict[str, Any]]] = [
                        ("aws_security_scan", {}), ("aws_cost_by_service", window), ("aws_cost_by_service", window),
                        ("aws_cost_forecast", {}), ("github_workflow_runs", {**window, "limit": 50}),
                        ("pagerduty_open_incidents", {**window, "status": "all"})]
                    direct.append(timed(lambda calls=calls: [rt.registry.invoke(t, a, rt.tool_ctx) for t, a in calls]))
                    acl = "public-read" if n % 2 == 0 else "private"
                    s3.delete_public_access_block(Bucket=BUCKET)
                    s3.put_bucket_acl(Bucket=BUCKET, ACL=acl)
                    scan_run.append(timed(lambda n=n: proactive.run_exposure_scan(poster, f"slot-{n}")))
                    scan_direct.append(timed(lambda: rt.registry.invoke("aws_security_scan", {}, rt.tool_ctx)))
                runs = JobRuns(rt.storage.dedupe.engine)
                for _ in range(max(20, args.repeats * 4)):
                    period = uuid.uuid4().hex

                    def bookkeeping(period: str = period) -> None:
                        claim = runs.claim("bench", period, "me")
                        assert claim is not None
                        runs.store_payload(claim, {"x": 1})
                        runs.deliver(claim, "slack:CBENCH", lambda: "ts")
                        runs.finish(claim)

                    books.append(timed(bookkeeping))
            finally:
                s3.put_bucket_acl(Bucket=BUCKET, ACL="private")
            alerts = [c for c in slack.calls("chat.postMessage") if "New exposure" in str(c.args.get("text"))]

    ratio_digest = statistics.median(digest) / statistics.median(direct)
    ratio_scan = statistics.median(scan_run) / statistics.median(scan_direct)
    body = f"""Command: `.venv/bin/python bench/bench_proactive.py --repeats {args.repeats}` (sandbox company,
Slack Web API stand-in, SQLite; each digest for a period of its own, so every run does the whole job).

| measure (ms, p50 / p95) | the scheduler's run | the same tool calls made directly (baseline) | run / baseline |
|---|---|---|---|
| daily digest, {args.repeats} periods | {stats(digest)} | {stats(direct)} | {ratio_digest:.2f}x |
| exposure scan, {args.repeats} slots | {stats(scan_run)} | {stats(scan_direct)} | {ratio_scan:.2f}x |

Exactly-once bookkeeping alone (claim, stored payload, one delivery, finish; SQLite): {stats(books)} ms
over {len(books)} runs. Exposure alerts posted: {len(alerts)} (the bucket was made public before every
other slot, so {(args.repeats + 1) // 2} expected).
"""
    write_section("Proactive posts", body)
    print(body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
