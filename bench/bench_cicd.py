"""CI/CD failure diagnosis on a 5 MB job log (issue 8: <= 2 s beyond the download).

Measured in the same run, interleaved, median of ROUNDS:
- baseline: merely reading the log: decoding the downloaded bytes and splitting them into
  lines (what any log reader must do at least);
- diagnosis: decoding plus ``tools.github.diagnosis.diagnose`` (find the failing step's
  section, error lines with context, the likely cause), on the sandbox's generated log
  (cause found: out of memory) and on the same log with the cause removed (the worst
  case: every sign of every cause is searched for through the whole section);
- the whole tool: ``github_run_failure`` through PyGithub against the GitHub stand-in on
  loopback, against the download of the same log alone (the signed URL, streamed the way
  the tool streams it): the difference is the time "beyond the download".

Run: .venv/bin/python bench/bench_cicd.py [--no-write]
Writes the "CI/CD failure diagnosis" section of docs/BENCHMARKS.md unless --no-write.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.report import write_section  # noqa: E402
from sandbox.github_api import GitHubStandIn  # noqa: E402
from sandbox.saas_company import BIG_RUN_NUMBER, OOM_ERROR, SaasCompany, build  # noqa: E402
from tools.base import ToolContext  # noqa: E402
from tools.github import GITHUB  # noqa: E402
from tools.github.diagnosis import diagnose  # noqa: E402
from tools.registry import ToolRegistry  # noqa: E402
from tools.settings import GitHubSettings  # noqa: E402

ROUNDS = 7
COMMAND = ".venv/bin/python bench/bench_cicd.py"


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def local_measures(company: SaasCompany) -> dict[str, list[float]]:
    """Read/split vs diagnose, on the log's bytes, interleaved so load hits both alike."""
    run = next(r for r in company.github.runs if r.run_number == BIG_RUN_NUMBER)
    job = run.jobs[0]
    step = next(s for s in job.steps if s.conclusion == "failure")
    raw = job.text().encode()
    no_cause = job.text().replace(OOM_ERROR, "Error: the test runner stopped").encode()
    assert diagnose(no_cause.decode(), step.started_at, step.completed_at).cause is None
    found = diagnose(raw.decode(), step.started_at, step.completed_at)
    assert found.cause is not None and found.cause.name == "out_of_memory" and found.section_found
    times: dict[str, list[float]] = {"bytes": [float(len(raw))], "read": [], "diagnose": [], "no_cause": []}
    for _ in range(ROUNDS):
        times["read"].append(timed(lambda: raw.decode("utf-8", "replace").splitlines()))
        times["diagnose"].append(timed(lambda: diagnose(raw.decode("utf-8", "replace"), step.started_at,
                                                        step.completed_at)))
        times["no_cause"].append(timed(lambda: diagnose(no_cause.decode("utf-8", "replace"), step.started_at,
                                                        step.completed_at)))
    return times


def tool_measures(company: SaasCompany) -> dict[str, list[float]]:
    """The whole tool through PyGithub vs downloading the same log alone."""
    import requests
    from github import Auth, Github

    run = next(r for r in company.github.runs if r.run_number == BIG_RUN_NUMBER)
    times: dict[str, list[float]] = {"download": [], "tool": []}
    with GitHubStandIn(company.github) as standin:
        env = standin.env()
        ctx = ToolContext(github=GitHubSettings(token=env["GITHUB_TOKEN"], api_url=env["GITHUB_API_URL"],
                                                org=env["GUARDIAN_GITHUB_ORG"],
                                                repos=tuple(env["GUARDIAN_GITHUB_REPOS"].split(","))))
        registry = ToolRegistry.of(GITHUB)
        gh = Github(base_url=env["GITHUB_API_URL"], auth=Auth.Token(env["GITHUB_TOKEN"]))
        job = gh.get_repo(run.repo).get_workflow_run(run.id).jobs()[0]

        def download() -> None:
            with requests.get(job.logs_url(), stream=True, timeout=30) as response:
                b"".join(response.iter_content(chunk_size=1024 * 1024))

        def tool() -> None:
            result = registry.invoke("github_run_failure", {"run_id": run.id}, ctx)
            assert result.facts["cause"] == "out_of_memory", result.summary

        tool()  # warm: the stand-in generates the log once
        for _ in range(ROUNDS):
            times["download"].append(timed(download))
            times["tool"].append(timed(tool))
    return times


def _row(label: str, values: list[float], baseline: float) -> str:
    median = median_ms(values)
    return f"| {label} | {median:.1f} | {min(values) * 1000:.1f} | {median / baseline:.2f}x |"


def report(local: dict[str, list[float]], whole: dict[str, list[float]], load: str) -> str:
    size = local["bytes"][0] / 1024 / 1024
    read = median_ms(local["read"])
    download, tool = median_ms(whole["download"]), median_ms(whole["tool"])
    rows = "\n".join([
        _row("read: decode + split into lines (baseline)", local["read"], read),
        _row("diagnose: decode + step section + error lines + cause (out of memory found)", local["diagnose"], read),
        _row("diagnose, no known cause (every sign searched through the section)", local["no_cause"], read),
    ])
    return f"""
Command: `{COMMAND}` ({size:.2f} MB generated job log of checkout-web CI #{BIG_RUN_NUMBER} in
sandbox/saas_company.py; median of {ROUNDS} interleaved rounds; 1-min load average {load}).

| measure (5 MB log) | median (ms) | best (ms) | vs read/split |
|---|---|---|---|
{rows}

| measure (through PyGithub, stand-in on loopback) | median (ms) |
|---|---|
| download of the job log alone (signed URL, streamed) | {download:.1f} |
| `github_run_failure` (run, jobs, log URL, download, diagnosis, redaction) | {tool:.1f} |
| beyond the download | **{tool - download:.1f}** (target <= 2000) |
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    load = f"{os.getloadavg()[0]:.1f}"
    company = build()
    local = local_measures(company)
    whole = tool_measures(company)
    body = report(local, whole, f"{load} at start, {os.getloadavg()[0]:.1f} at end (2 cores)")
    print(body)
    if not args.no_write:
        write_section("CI/CD failure diagnosis", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
