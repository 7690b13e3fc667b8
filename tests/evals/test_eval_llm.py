"""The eval runner in LLM mode: the same cases and scores with a chat model (here LangChain's
fake one, replying with usage metadata as providers do), and the report adds the tokens the
model used and their cost. Run in a subprocess: the runner starts its own sandbox (moto keeps
one state per process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.evals.test_eval_fast import CONTRACT_KEYS

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

INPUT, OUTPUT = 100, 20
PRICE = (1.5, 6.0)  # USD per million input / output tokens

SCRIPT = f"""
import json
from langchain_core.messages import AIMessage
from bot.evals import report_lines
from bot.evals.cases import default_root, load_cases
from bot.evals.runner import run_cases
from tests.helpers import ToolCallingFakeChatModel

reply = AIMessage(content="Here is what the tools returned.",
                  usage_metadata={{"input_tokens": {INPUT}, "output_tokens": {OUTPUT},
                                   "total_tokens": {INPUT + OUTPUT}}})
model = ToolCallingFakeChatModel(responses=[reply])
cases = load_cases(default_root(), "fast", ("dev",))[:3]
scores = run_cases(cases, chat_model=model)
print(json.dumps({{"calls": len(model.seen_messages),
                  "report": report_lines(scores, "llm", "fake:scripted", {PRICE!r})[-1]}}))
"""


def test_a_model_run_reports_its_tokens_and_cost(tmp_path: Path) -> None:
    keep = {key: value for key, value in os.environ.items()
            if not key.startswith(("AWS_", "GUARDIAN_", "GITHUB_", "PAGERDUTY_", "SLACK_"))}
    env = {**keep, "GUARDIAN_HOME": str(tmp_path / "home"), "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=300,
                          cwd=Path(__file__).parents[2], check=False)
    assert done.returncode == 0, done.stderr[-1500:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    calls, report = out["calls"], out["report"]
    assert calls >= 3  # at least one model step per case
    assert list(report)[:len(CONTRACT_KEYS)] == CONTRACT_KEYS
    assert (report["mode"], report["model"], report["cases"]) == ("llm", "fake:scripted", 3)
    assert (report["input_tokens"], report["output_tokens"]) == (INPUT * calls, OUTPUT * calls)
    assert report["tokens"] == (INPUT + OUTPUT) * calls
    assert report["cost_usd"] == round((INPUT * calls * PRICE[0] + OUTPUT * calls * PRICE[1]) / 1e6, 6)
