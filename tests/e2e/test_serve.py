"""`guardian serve` as a user starts it: the console script in its own process, against the
sandbox. It must answer /healthz at once, warm up in the background (graph, router,
knowledge store), freeze the warm heap (bot/heap.py) and report collection pauses on
/metrics."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import GUARDIAN, base_env

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def served(sandbox: Any, e2e_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A running `guardian serve` on a free port; yields its base URL and its log file."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("serve") / "serve.log"
    env = {**base_env(e2e_home), **sandbox.env}
    with log_path.open("w") as log:
        proc = subprocess.Popen([str(GUARDIAN), "-v", "serve", "--port", str(port)], env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, log_path.read_text()[-2000:]
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "guardian serve did not answer /healthz in 120 s"
            time.sleep(0.2)
        yield base, log_path
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def wait_for_log(log_path: Path, needle: str, timeout: float = 120) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log_path.read_text()
        if needle in text:
            return text
        time.sleep(0.2)
    raise AssertionError(f"{needle!r} never logged; log tail: {log_path.read_text()[-2000:]}")


def test_serve_warms_up_in_the_background_and_freezes_the_warm_heap(served: tuple[str, Path]) -> None:
    base, log_path = served
    text = wait_for_log(log_path, "objects frozen")
    line = next(line for line in text.splitlines() if "objects frozen" in line)
    frozen = int(line.split("objects frozen")[0].split(";")[-1].strip())
    assert frozen > 100_000  # the graph, SDKs and model tokenizer: the long-lived heap
    ready = httpx.get(f"{base}/readyz", timeout=30)
    assert ready.status_code == 200, ready.text
    assert ready.json()["status"] == "ready"


def test_serve_reports_garbage_collection_pauses_by_generation(served: tuple[str, Path]) -> None:
    base, log_path = served
    wait_for_log(log_path, "objects frozen")  # the warm-up's own collection has been counted
    metrics = httpx.get(f"{base}/metrics", timeout=10).text
    counts = {line.split('generation="')[1].split('"')[0]: float(line.rsplit(" ", 1)[1])
              for line in metrics.splitlines() if line.startswith("guardian_gc_pause_seconds_count{")}
    assert set(counts) == {"0", "1", "2"}, metrics[:2000]
    assert counts["2"] >= 1  # settle() itself runs one full collection
