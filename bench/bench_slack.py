"""Slack ack latency and throughput: N signed ``app_mention`` events at C concurrent to
``guardian serve`` (the real console script in its own process: every middleware, the
signature and replay checks, Bolt, then the answer) and to a bare slack-bolt AsyncApp
whose listener does nothing (its own process, the same uvicorn defaults), measured in the
same run from this process over loopback HTTP. Guardian answers every event for real
(sandbox company, offline graph) while the acks are measured; the time from event to
final answer (the ``chat.update`` carrying the answer, seen by the Slack Web API
stand-in in this process) is reported too.

    .venv/bin/python bench/bench_slack.py [--events 1000] [--concurrency 100 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

QUESTIONS = ["which buckets are public?", "list ec2 instances in eu-west-1", "who is on call right now?",
             "which instances are stopped?"]
GUARDIAN = Path(sys.executable).with_name("guardian")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bare_app(api_url: str, secret: str) -> Any:
    """The baseline: slack-bolt's AsyncApp on Starlette, signature checked by Bolt, a
    listener that does nothing."""
    from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.routing import Route

    bolt = AsyncApp(client=AsyncWebClient(token="xoxb-bench", base_url=api_url), signing_secret=secret)

    @bolt.event("app_mention")
    async def mentioned() -> None:
        return None

    handler = AsyncSlackRequestHandler(bolt)

    async def events(request: Request) -> Any:
        return await handler.handle(request)

    async def health(_request: Request) -> Any:
        from starlette.responses import PlainTextResponse

        return PlainTextResponse("ok")

    return Starlette(routes=[Route("/slack/events", events, methods=["POST"]), Route("/healthz", health)])


@contextmanager
def server(command: list[str], env: dict[str, str], port: int, timeout: float = 180) -> Iterator[str]:
    """A server process, up when its /healthz answers; stopped on the way out."""
    log = tempfile.TemporaryFile(mode="w+")  # a file, not a pipe: a full pipe would block the server's logging
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"{command[0]} exited: {log.read()[-2000:]}")
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{command[0]} did not start in {timeout} s")
            time.sleep(0.2)
        yield f"{base}/slack/events"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


async def blast(url: str, events: int, concurrency: int, tag: str,
                questions: list[str] = QUESTIONS) -> tuple[list[float], float, dict[str, float]]:
    """Ack latencies (ms), wall time (s) and when each event was sent (by channel+ts)."""
    from tests.slack_helpers import event_body, signed

    latencies: list[float] = []
    sent: dict[str, float] = {}
    queue: asyncio.Queue[int] = asyncio.Queue()
    for index in range(events):
        queue.put_nowait(index)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:

        async def worker() -> None:
            while not queue.empty():
                index = queue.get_nowait()
                channel, ts = f"C{tag}{index % 50}", f"1700{index:06d}.000100"
                event = {"type": "app_mention", "user": "U0BENCH", "channel": channel, "ts": ts,
                         "text": f"<@UGUARDIAN1> {questions[index % len(questions)]}"}
                body = event_body(event, event_id=f"Ev{tag}{index}")
                started = time.perf_counter()
                response = await client.post(url, content=body, headers=signed(body))
                latencies.append((time.perf_counter() - started) * 1000)
                sent[f"{channel}:{ts}"] = started
                if response.status_code != 200:
                    raise RuntimeError(f"{tag}: {response.status_code} {response.text[:200]}")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return latencies, time.perf_counter() - started, sent


def answered_at(api: Any, sent: dict[str, float]) -> list[float]:
    """Seconds from each event to the chat.update that carried its answer."""
    working = {call.ts: f"{call.args['channel']}:{call.args['thread_ts']}" for call in api.calls("chat.postMessage")}
    done: dict[str, float] = {}
    for call in api.calls("chat.update"):
        key = working.get(str(call.args.get("ts")))
        if key in sent and call.args.get("blocks"):
            done[key] = call.at
    return [done[key] - sent[key] for key in done]


def wait_answers(api: Any, sent: dict[str, float], timeout: float) -> list[float]:
    deadline = time.perf_counter() + timeout
    while len(answered_at(api, sent)) < len(sent) and time.perf_counter() < deadline:
        time.sleep(1)
    return answered_at(api, sent)


def serve_bare(port: int, api_url: str) -> int:
    import uvicorn

    from tests.slack_helpers import SECRET

    uvicorn.run(bare_app(api_url, SECRET), host="127.0.0.1", port=port, log_level="warning")  # as `guardian serve`
    return 0


def gc_pause_totals(base: str) -> str:
    """Guardian's ``guardian_gc_pause_seconds`` so far, per generation: how often and how long
    collections stopped the process (bot/heap.py)."""
    from prometheus_client.parser import text_string_to_metric_families

    totals: dict[str, list[float]] = {}
    for family in text_string_to_metric_families(httpx.get(f"{base}/metrics", timeout=10).text):
        if family.name != "guardian_gc_pause_seconds":
            continue
        for sample in family.samples:
            if sample.name.endswith(("_count", "_sum")):
                totals.setdefault(sample.labels["generation"], [0.0, 0.0])[sample.name.endswith("_sum")] = sample.value
    return ", ".join(f"gen{gen} {int(c)} / {s:.2f} s" for gen, (c, s) in sorted(totals.items())) or "none"


def loadavg() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[100, 20])
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--serve-bare", nargs=2, metavar=("PORT", "API_URL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_bare:
        return serve_bare(int(args.serve_bare[0]), args.serve_bare[1])
    from bench.bench_ask import sandbox_process
    from bench.report import percentile, write_section
    from sandbox.slack_api import SlackApiStandIn
    from tests.slack_helpers import SECRET

    rows = []
    gc_pauses: list[str] = []
    loads = [loadavg()]
    with sandbox_process() as sandbox_env, SlackApiStandIn() as api:
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GUARDIAN_", "SLACK_"))}
        home = tempfile.mkdtemp(prefix="bench-slack-")
        env = {**keep, **sandbox_env, "GUARDIAN_HOME": home, "GUARDIAN_LLM": "none", "HF_HUB_OFFLINE": "1",
               "SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": api.api_url}
        ours_port, bare_port = free_port(), free_port()
        with server([str(GUARDIAN), "serve", "--port", str(ours_port)], env, ours_port) as guardian_url, \
                server([sys.executable, __file__, "--serve-bare", str(bare_port), api.api_url], env,
                       bare_port) as bare_url:
            asyncio.run(blast(bare_url, 1, 1, "warm"))  # Bolt's lazy auth.test, once per app
            _, _, warm = asyncio.run(blast(guardian_url, len(QUESTIONS), 1, "warm"))  # model, Chroma, graph
            if len(wait_answers(api, warm, 300)) < len(warm):
                raise RuntimeError("Guardian did not answer the warm-up questions")
            for concurrency in args.concurrency:
                tag = f"c{concurrency}"
                bare_ms, bare_s, _ = asyncio.run(blast(bare_url, args.events, concurrency, "b" + tag))
                ours_ms, ours_s, sent = asyncio.run(blast(guardian_url, args.events, concurrency, "g" + tag))
                answers = wait_answers(api, sent, 60 + args.events)  # let the answers finish
                gc_pauses.append(gc_pause_totals(guardian_url.removesuffix("/slack/events")))
                rows.append((concurrency, bare_ms, bare_s, ours_ms, ours_s, answers))
                loads.append(loadavg())
    lines = [f"Command: `.venv/bin/python bench/bench_slack.py --events {args.events} --concurrency "
             f"{' '.join(map(str, args.concurrency))}` (signed app_mention events over loopback HTTP from the "
             "bench process to `guardian serve` and to a bare slack-bolt AsyncApp, each in its own process under "
             "uvicorn; Guardian answers every event for real). Load average (1/5/15 min) before and after each "
             f"level: {' → '.join(loads)}.", "",
             "| concurrency | ack p50 ms (bare / Guardian) | ack p99 ms (bare / Guardian) | p99 ratio (target <= 1.2x) "
             "| throughput ev/s (bare / Guardian) | throughput ratio (target >= 0.9x) | answered "
             "| event to answer p50 / p95 s |",
             "|---|---|---|---|---|---|---|---|"]
    for concurrency, bare_ms, bare_s, ours_ms, ours_s, answers in rows:
        b99, o99 = percentile(bare_ms, 99), percentile(ours_ms, 99)
        b_tp, o_tp = args.events / bare_s, args.events / ours_s
        answer = (f"{percentile(answers, 50):.1f} / {percentile(answers, 95):.1f}" if answers else "—")
        lines.append(f"| {concurrency} | {percentile(bare_ms, 50):.1f} / {percentile(ours_ms, 50):.1f} | "
                     f"{b99:.1f} / {o99:.1f} | {o99 / b99:.2f}x | {b_tp:.0f} / {o_tp:.0f} | {o_tp / b_tp:.2f}x | "
                     f"{len(answers)}/{args.events} | {answer} |")
    lines += ["", "Guardian's garbage-collection pauses, cumulative after each level (count, total s, by generation; "
              "from its /metrics): " + " → ".join(gc_pauses) + "."]
    body = "\n".join(lines)
    print(body)
    print(json.dumps({"rows": len(rows)}))
    if not args.no_write:
        write_section("Slack", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
