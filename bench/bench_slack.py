"""Slack ack latency and throughput: N signed ``app_mention`` events at C concurrent to
Guardian's app (``create_app``: the whole ``guardian serve`` stack, signature and replay
checks, dedupe in SQLite, then Bolt) and to a bare slack-bolt AsyncApp whose listener does
nothing, both served by uvicorn on loopback and measured in the same run. Guardian
answers every event for real (sandbox company, offline graph), so the acks are measured
while the answers load the machine; time from event to final answer (the ``chat.update``
carrying the answer, seen by the Slack Web API stand-in) is reported too.

    .venv/bin/python bench/bench_slack.py [--events 1000] [--concurrency 100 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
import uvicorn

QUESTIONS = ["which buckets are public?", "list ec2 instances in eu-west-1", "who is on call right now?",
             "which instances are stopped?"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(app: Any) -> tuple[str, uvicorn.Server]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error",
                                           backlog=2048, limit_concurrency=None))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}/slack/events", server


def bare_app(api_url: str, secret: str) -> Any:
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

    return Starlette(routes=[Route("/slack/events", events, methods=["POST"])])


async def blast(url: str, events: int, concurrency: int, tag: str) -> tuple[list[float], float, dict[str, float]]:
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
                         "text": f"<@UGUARDIAN1> {QUESTIONS[index % len(QUESTIONS)]}"}
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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[100, 20])
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    from bench.bench_ask import sandbox_process
    from bench.report import percentile, write_section
    from bot.http_app import create_app
    from bot.runtime import Runtime
    from bot.settings import load_settings
    from sandbox.slack_api import SlackApiStandIn
    from tests.slack_helpers import SECRET

    rows = []
    with sandbox_process() as sandbox_env, SlackApiStandIn() as api:
        os.environ.update(sandbox_env)
        settings = load_settings(home=Path(tempfile.mkdtemp(prefix="bench-slack-")), slack_bot_token="xoxb-bench",
                                 slack_signing_secret=SECRET, slack_api_url=api.api_url)
        with Runtime(settings) as rt:
            from agents.request import Request

            for question in QUESTIONS:  # warm: model, Chroma, graph, boto3 clients
                rt.ask(Request(text=question, user="bench"))
            guardian_url, guardian = serve(create_app(rt))
            bare_url, bare = serve(bare_app(api.api_url, SECRET))
            asyncio.run(blast(bare_url, 1, 1, "warm"))  # Bolt's lazy auth.test, once per app
            asyncio.run(blast(guardian_url, 1, 1, "warm"))
            for concurrency in args.concurrency:
                tag = f"c{concurrency}"
                bare_ms, bare_s, _ = asyncio.run(blast(bare_url, args.events, concurrency, "b" + tag))
                ours_ms, ours_s, sent = asyncio.run(blast(guardian_url, args.events, concurrency, "g" + tag))
                deadline = time.perf_counter() + 30 + args.events  # let the answers finish
                while len(answered_at(api, sent)) < len(sent) and time.perf_counter() < deadline:
                    time.sleep(1)
                answers = answered_at(api, sent)
                rows.append((concurrency, bare_ms, bare_s, ours_ms, ours_s, answers))
            guardian.should_exit = bare.should_exit = True
    lines = [f"Command: `.venv/bin/python bench/bench_slack.py --events {args.events} --concurrency "
             f"{' '.join(map(str, args.concurrency))}` (signed app_mention events over loopback HTTP; uvicorn; "
             "Guardian answers every event for real while the acks are measured).", "",
             "| concurrency | ack p50 ms (bare / Guardian) | ack p99 ms (bare / Guardian) | p99 ratio (target <= 1.2x) "
             "| throughput ev/s (bare / Guardian) | throughput ratio (target >= 0.9x) | answered "
             "| answer p50 / p95 s |",
             "|---|---|---|---|---|---|---|---|"]
    for concurrency, bare_ms, bare_s, ours_ms, ours_s, answers in rows:
        b99, o99 = percentile(bare_ms, 99), percentile(ours_ms, 99)
        b_tp, o_tp = args.events / bare_s, args.events / ours_s
        answer = (f"{percentile(answers, 50):.1f} / {percentile(answers, 95):.1f}" if answers else "—")
        lines.append(f"| {concurrency} | {percentile(bare_ms, 50):.1f} / {percentile(ours_ms, 50):.1f} | "
                     f"{b99:.1f} / {o99:.1f} | {o99 / b99:.2f}x | {b_tp:.0f} / {o_tp:.0f} | {o_tp / b_tp:.2f}x | "
                     f"{len(answers)}/{args.events} | {answer} |")
    body = "\n".join(lines)
    print(body)
    print(json.dumps({"rows": len(rows)}))
    if not args.no_write:
        write_section("Slack", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
