"""Cold ``guardian scan security --json`` (issue 9 §4: <= 3 s and <= 300 MB with all three
clouds configured), one fresh GUARDIAN_HOME per run, builds compared interleaved.

Each build is a ``guardian`` executable (this worktree's, the main checkout's...); runs
alternate between builds, so the machine's load falls on all of them alike. Per run:
wall time; CPU (user + system, the CLI and every process it waited for, from ``wait4``);
the largest single peak RSS (``wait4``'s ru_maxrss, what GNU time's %M shows) and the SUM of
the peak RSS of the CLI and every process under it (each one's VmHWM, read from /proc
every 10 ms while it runs: a scan run in a child process is counted, not hidden); and the
peak of the processes' summed PSS (proportional set size, /proc/PID/smaps_rollup, read on
the same polls), which counts a page shared by two processes (a fork's copy-on-write pages,
the same shared library) once, split between them, where the summed peaks count it twice.

Needs the sandbox running and its ``export`` lines evaluated in this shell:
    nice .venv/bin/guardian sandbox &        # then eval its export lines
    .venv/bin/python bench/bench_cold_scan.py --build main=/work/main/.venv/bin/guardian \\
        --build branch=.venv/bin/guardian --rounds 5
Prints a markdown table per cloud set for docs/BENCHMARKS.md ("Cold scan per configured cloud").
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

# Which clouds a run scans: the others' settings are emptied (AWS is always configured).
CLOUD_SETS = {
    "aws": {"GOOGLE_CLOUD_PROJECT": "", "AZURE_SUBSCRIPTION_ID": ""},
    "aws+azure": {"GOOGLE_CLOUD_PROJECT": ""},
    "aws+gcp": {"AZURE_SUBSCRIPTION_ID": ""},
    "aws+azure+gcp": {},
}
POLL = 0.01  # seconds between VmHWM reads
SCAN_PROC = 0.05  # seconds between looks for new child processes


@dataclass
class Run:
    wall: float
    cpu: float
    max_rss_mb: float  # wait4: the largest of the CLI and the processes it waited for (GNU time %M)
    sum_rss_mb: float
    pss_mb: float  # the largest sum of the processes' PSS seen on one poll
    processes: int
    peaks_mb: list[int]  # each process's peak RSS, the CLI first
    file_mb: list[int]  # each process's largest file-backed RSS (pages a second process may share)
    findings: int
    code: int


def children_of(pids: set[int]) -> set[int]:
    found = set()
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid in pids:
            found.add(int(entry.name))
    return found


def status_kb(pid: int) -> dict[str, int] | None:
    """VmHWM (peak RSS), RssAnon and RssFile of a running process, in kB, and its PPid; None
    once it ended."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return None
    found = {key: int(rest.split()[0]) for key, _, rest in (line.partition(":") for line in lines)
             if key in ("VmHWM", "RssAnon", "RssFile", "PPid")}
    return found if "VmHWM" in found else None


def run_once(guardian: str, env: dict[str, str]) -> Run:
    with tempfile.TemporaryDirectory() as home, tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen([guardian, "scan", "security", "--json"], env={**env, "GUARDIAN_HOME": home},
                                stdout=out, stderr=subprocess.DEVNULL)
        peaks: dict[int, int] = {proc.pid: 0}
        file_kb: dict[int, int] = {}  # each process's largest file-backed RSS (binary, shared libraries)
        ended: set[int] = set()  # never read again: its pid may be reused by another process
        last_scan = 0.0
        pss_peak = 0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            now = time.perf_counter()
            if now - last_scan >= SCAN_PROC:
                for child in children_of(set(peaks) - ended) - set(peaks):
                    peaks[child] = 0
                last_scan = now
            pss_peak = max(pss_peak, sum(pss_kb(child) for child in set(peaks) - ended))
            for child in set(peaks) - ended:
                memory = status_kb(child)
                if memory is None or (child != proc.pid and memory["PPid"] not in peaks):
                    ended.add(child)  # gone, a zombie (no memory left to read), or its pid reused
                else:
                    peaks[child] = max(peaks[child], memory["VmHWM"])
                    file_kb[child] = max(file_kb.get(child, 0), memory.get("RssFile", 0))
            time.sleep(POLL)
        wall = time.perf_counter() - start
        out.seek(0)
        findings = sum(1 for line in out.read().decode().splitlines() if line.startswith("{"))
    return Run(wall=wall, cpu=usage.ru_utime + usage.ru_stime, max_rss_mb=usage.ru_maxrss / 1024,
               sum_rss_mb=sum(peaks.values()) / 1024, pss_mb=pss_peak / 1024, processes=len(peaks),
               peaks_mb=[round(kb / 1024) for kb in peaks.values()],
               file_mb=[round(file_kb.get(pid, 0) / 1024) for pid in peaks], findings=findings,
               code=os.waitstatus_to_exitcode(status))


def pss_kb(pid: int) -> int:
    """The process's proportional set size in kB (0 once it ended)."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in text.splitlines() if line.startswith("Pss:")), 0)


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", action="append", required=True, help="LABEL=path/to/guardian (repeat)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--clouds", action="append", choices=sorted(CLOUD_SETS), help="default: all three")
    args = parser.parse_args()
    builds = dict(item.split("=", 1) for item in args.build)
    env = {**os.environ, "GUARDIAN_LLM": "none", "HF_HUB_OFFLINE": "1"}
    clouds = args.clouds or ["aws+azure+gcp"]
    runs: dict[tuple[str, str], list[Run]] = {}
    print(f"load average before: {load()}")
    for _ in range(args.rounds):
        for cloud_set in clouds:
            for label, guardian in builds.items():
                run = run_once(guardian, {**env, **CLOUD_SETS[cloud_set]})
                runs.setdefault((cloud_set, label), []).append(run)
                print(json.dumps({"clouds": cloud_set, "build": label, **vars(run), "load": load()}), flush=True)
    print(f"load average after: {load()}\n")
    print("| clouds | build | wall s (median; runs) | CPU s median | largest peak RSS MB | sum of peak RSS MB "
          "(processes) | peak summed PSS MB | findings |")
    print("|---|---|---|---|---|---|---|---|")
    for (cloud_set, label), done in runs.items():
        walls = ", ".join(f"{r.wall:.2f}" for r in done)
        print(f"| {cloud_set} | {label} | {statistics.median(r.wall for r in done):.2f} ({walls}) | "
              f"{statistics.median(r.cpu for r in done):.2f} | {max(r.max_rss_mb for r in done):.0f} | "
              f"{max(r.sum_rss_mb for r in done):.0f} ({max(r.processes for r in done)}) | "
              f"{max(r.pss_mb for r in done):.0f} | "
              f"{sorted({r.findings for r in done})} exit {sorted({r.code for r in done})} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
