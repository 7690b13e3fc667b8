"""What a cold command loads: a command imports only what its answer needs (issue 6, cold start).

Each command runs in a fresh interpreter on a fresh GUARDIAN_HOME against the sandbox, then
reports which modules ended up in ``sys.modules``. A security scan needs no knowledge store,
no model and no graph; a question whose answer cites no runbook opens no store; neither loads
the SDK of an integration it does not call. Timings are in bench/bench_ask.py, not here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sandbox.company import DRIFTWOOD, DRIFTWOOD_GCP
from tests.e2e.conftest import base_env

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

MARKER = "loaded-modules:"
# Runs the real CLI entry point, then lists which of the watched modules it imported.
PROBE = f"""
import json, sys
from bot.cli import main
code = main(sys.argv[2:])
watched = json.loads(sys.argv[1])
print("{MARKER}" + json.dumps(sorted(m for m in watched if m in sys.modules)), file=sys.stderr)
raise SystemExit(code)
"""

STORE = ("chromadb", "bm25s", "scipy", "knowledge.store")
MODEL = ("onnxruntime", "tokenizers", "torch", "sentence_transformers")
GRAPH = ("langgraph", "langchain_core", "langsmith")
UNCALLED_SDKS = ("github", "jwt", "pagerduty", "slack_sdk", "slack_bolt", "botbuilder", "starlette", "uvicorn")
SPELLING = "symspellpy"  # the router's typo repair: imported only when a word needs it
WATCHED = (*STORE, *MODEL, *GRAPH, *UNCALLED_SDKS, "boto3", SPELLING)


@pytest.fixture(scope="module", autouse=True)
def install_time_caches(sandbox: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """"Cold" means a fresh process and home after `make install`, which leaves the ONNX export,
    the runbook vectors and the router's fitted index in the cache folder. A stale router index
    (training data changed since) is refitted here first, as `make install` would have done."""
    env = {**base_env(tmp_path_factory.mktemp("warm-caches")), **sandbox.env}
    proc = subprocess.run([sys.executable, "-m", "bot", "route", "warm up"], env=env, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-800:]


def run_cold(sandbox: Any, home: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    env = {**base_env(home), **sandbox.env}
    proc = subprocess.run([sys.executable, "-c", PROBE, json.dumps(WATCHED), *args], env=env,
                          capture_output=True, text=True, timeout=180)
    reports = [line for line in proc.stderr.splitlines() if line.startswith(MARKER)]
    assert len(reports) == 1, proc.stderr[-800:]
    return proc, set(json.loads(reports[0].removeprefix(MARKER)))


def ask_cold(sandbox: Any, home: Path, question: str) -> tuple[dict[str, Any], set[str]]:
    """`guardian ask --json` in a fresh process: its answer and the watched modules it loaded."""
    proc, loaded = run_cold(sandbox, home, "ask", "--json", question)
    assert proc.returncode == 0, proc.stderr[-800:]
    return json.loads(proc.stdout.strip().splitlines()[-1]), loaded


def eu_west_1_instances() -> set[str]:
    return {i.name for i in DRIFTWOOD.instances if i.region == "eu-west-1"}


def test_security_scan_on_a_fresh_home_loads_no_store_model_or_graph(sandbox: Any, tmp_path: Path) -> None:
    proc, loaded = run_cold(sandbox, tmp_path, "scan", "security", "--json")
    assert proc.returncode == 0, proc.stderr[-800:]
    findings = [json.loads(line) for line in proc.stdout.splitlines()]
    public = {(f["cloud"], f["resource"]) for f in findings if f["check"] == "public_bucket"}
    assert public == ({("aws", b.name) for b in DRIFTWOOD.public_buckets()}
                      | {("gcp", b.name) for b in DRIFTWOOD_GCP.public_buckets()})
    assert loaded == {"boto3"}, f"a scan should load only boto3 of {WATCHED}"
    assert not (tmp_path / "chroma").exists()  # the shipped runbooks were not ingested


def test_listing_approvals_loads_no_store_model_or_graph(sandbox: Any, tmp_path: Path) -> None:
    """`guardian approvals list` reads the database: a person checking what waits for them
    (and every script polling it) does not pay for the graph or the model."""
    proc, loaded = run_cold(sandbox, tmp_path, "approvals", "list", "--json")
    assert proc.returncode == 0, proc.stderr[-800:]
    assert not loaded & {*STORE, *MODEL, *GRAPH, *UNCALLED_SDKS, SPELLING}, loaded


def test_a_question_citing_no_runbook_opens_no_store(sandbox: Any, tmp_path: Path) -> None:
    answer, loaded = ask_cold(sandbox, tmp_path, "list ec2 instances in eu-west-1")
    assert answer["skill"] == "infra.inventory"
    assert eu_west_1_instances() <= set(answer["resources"]), answer["resources"]
    assert answer["citations"] == []
    assert not loaded & {*STORE, *UNCALLED_SDKS, SPELLING}, loaded
    assert {"onnxruntime", "langgraph", "boto3"} <= loaded  # the router's model and the graph did run
    assert "torch" not in loaded
    assert not (tmp_path / "chroma").exists()


def test_a_question_citing_a_runbook_still_opens_the_store(sandbox: Any, tmp_path: Path) -> None:
    """The runbook beside the facts is real work: the lazy store is opened when it is needed."""
    answer, loaded = ask_cold(sandbox, tmp_path, "which buckets are public?")
    assert [c["source"] for c in answer["citations"]] == ["s3-bucket-public.md"]
    assert {"chromadb", "bm25s", "knowledge.store"} <= loaded
    assert not loaded & {*UNCALLED_SDKS, SPELLING}, loaded


def test_a_misspelt_question_is_repaired_and_answered(sandbox: Any, tmp_path: Path) -> None:
    answer, loaded = ask_cold(sandbox, tmp_path, "lsit ec2 instnces in eu-west-1")
    assert answer["skill"] == "infra.inventory"
    assert eu_west_1_instances() <= set(answer["resources"]), answer["resources"]
    assert SPELLING in loaded
