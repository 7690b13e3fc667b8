"""Guardian's AWS security scan against Prowler on the same seeded sandbox account (issue 9).

In one run: start the sandbox's AWS side (moto on loopback, seeded with Driftwood Labs and its
planted problems), then run, as separate processes against the same endpoint,
- ``guardian scan security --json`` on a fresh GUARDIAN_HOME (cold), and
- ``prowler aws`` with the checks that cover the same problems, from Prowler's own venv
  (created and filled with ``pip install prowler`` by this script, outside the repository);
and report each one's wall time, peak memory (the child's max RSS from ``wait4``) and which of
the planted problems (``tests/scan_expectations.py``, derived from the company data) each found.

Run: .venv/bin/python bench/bench_prowler.py [--no-write] [--venv DIR]
Writes the "Security scan vs Prowler" section of docs/BENCHMARKS.md unless --no-write.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.report import write_section  # noqa: E402
from sandbox.company import DRIFTWOOD  # noqa: E402
from sandbox.server import Sandbox  # noqa: E402
from tests.scan_expectations import expected_pairs  # noqa: E402

COMMAND = ".venv/bin/python bench/bench_prowler.py"
PROWLER_VERSION = "5.46.0"
# Guardian check -> the Prowler checks that look for the same problem (only those Prowler has
# are run: the list is intersected with `prowler aws --list-checks-json`).
PROWLER_CHECKS: dict[str, tuple[str, ...]] = {
    "unencrypted_volume": ("ec2_ebs_volume_encryption",),
    "unencrypted_snapshot": ("ec2_ebs_snapshots_encrypted",),
    "unencrypted_database": ("rds_instance_storage_encrypted",),
    "open_security_group": ("ec2_securitygroup_allow_ingress_from_internet_to_any_port",
                            "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22",
                            "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_3389",
                            "ec2_securitygroup_allow_ingress_from_internet_to_high_risk_tcp_ports"),
    "iam_admin_policy": ("iam_customer_unattached_policy_no_administrative_privileges",
                         "iam_customer_attached_policy_no_administrative_privileges",
                         "iam_aws_attached_policy_no_administrative_privileges"),
    "iam_root_access_keys": ("iam_no_root_access_key",),
    "iam_no_mfa": ("iam_user_mfa_enabled_console_access",),
    "iam_old_access_key": ("iam_rotate_access_key_90_days",),
    "iam_unused_access_key": ("iam_user_accesskey_unused",),
    "cloudtrail_not_logging": ("cloudtrail_multi_region_enabled",),
    "public_bucket": ("s3_bucket_public_access",),
    "unencrypted_bucket": ("s3_bucket_default_encryption",),
}


def run_measured(argv: list[str], env: dict[str, str], timeout: float = 900) -> tuple[float, float, str, str, int]:
    """(wall s, peak RSS MiB, stdout, stderr, exit code) of one child process."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=err)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return wall, usage.ru_maxrss / 1024, out.read().decode(errors="replace"), err.read().decode(
            errors="replace"), proc.returncode


def prowler_venv(where: Path) -> Path:
    """Prowler's own venv (made once, reused): its dependencies never touch Guardian's."""
    prowler = where / "bin" / "prowler"
    if not prowler.exists():
        subprocess.run([sys.executable, "-m", "venv", str(where)], check=True)
        subprocess.run([str(where / "bin" / "pip"), "install", "-q", f"prowler=={PROWLER_VERSION}"], check=True)
    return prowler


def available_checks(prowler: Path, env: dict[str, str]) -> set[str]:
    listed = subprocess.run([str(prowler), "aws", "--list-checks-json"], env=env, capture_output=True, text=True,
                            timeout=300)
    try:
        data = json.loads(listed.stdout[listed.stdout.index("{"):])
    except ValueError:
        return set()
    return {name for names in data.values() for name in names} if isinstance(data, dict) else set()


def prowler_found(output_dir: Path, pairs: set[tuple[str, str]]) -> tuple[set[tuple[str, str]], int]:
    """The planted (check, resource) pairs some Prowler FAIL names, and how many FAILs there were."""
    fails: list[dict[str, Any]] = []
    for path in output_dir.glob("*.ocsf.json"):
        fails += [f for f in json.loads(path.read_text() or "[]") if f.get("status_code") == "FAIL"]
    found = set()
    for check, resource in pairs:
        wanted = set(PROWLER_CHECKS.get(check, ()))
        for fail in fails:
            if fail.get("metadata", {}).get("event_code") not in wanted:
                continue
            text = json.dumps(fail.get("resources", [])) + " " + str(fail.get("cloud", {}).get("region", ""))
            if resource in text:
                found.add((check, resource))
                break
    return found, len(fails)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--venv", type=Path, default=Path(tempfile.gettempdir()) / "guardian-bench-prowler" / "venv")
    args = parser.parse_args()
    prowler = prowler_venv(args.venv)
    with Sandbox(standins=()) as sandbox, tempfile.TemporaryDirectory() as scratch:
        pairs = expected_pairs(DRIFTWOOD, sandbox.seeded)
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GUARDIAN_"))}
        env = {**keep, **sandbox.env, "GUARDIAN_HOME": f"{scratch}/home", "GUARDIAN_LLM": "none",
               "HF_HUB_OFFLINE": "1"}
        g_wall, g_rss, g_out, g_err, g_code = run_measured(
            [str(ROOT / ".venv" / "bin" / "guardian"), "scan", "security", "--json"], env)
        lines = [json.loads(line) for line in g_out.splitlines() if line.startswith("{")]
        g_found = {(line["check"], line["resource"]) for line in lines} & pairs
        checks = sorted(available_checks(prowler, env) & {c for cs in PROWLER_CHECKS.values() for c in cs})
        missing_checks = sorted({c for cs in PROWLER_CHECKS.values() for c in cs} - set(checks))
        out_dir = Path(scratch) / "prowler"
        argv = [str(prowler), "aws", "--checks", *checks, "--region", *DRIFTWOOD.regions, "--output-formats",
                "json-ocsf", "--output-directory", str(out_dir), "--no-banner", "--ignore-exit-code-3"]
        p_wall, p_rss, p_out, p_err, p_code = run_measured(argv, env)
        p_found, p_fails = prowler_found(out_dir, pairs)
    covered = {pair for pair in pairs if pair[0] in PROWLER_CHECKS}
    report = {
        "planted": len(pairs), "prowler_comparable": len(covered),
        "guardian": {"wall_s": round(g_wall, 2), "peak_rss_mib": round(g_rss), "exit": g_code,
                     "found": len(g_found), "missed": sorted(pairs - g_found), "stderr": g_err[-300:]},
        "prowler": {"wall_s": round(p_wall, 2), "peak_rss_mib": round(p_rss), "exit": p_code,
                    "checks_run": len(checks), "checks_missing": missing_checks, "fails": p_fails,
                    "found": len(p_found), "missed_comparable": sorted(covered - p_found),
                    "stderr": (p_err or p_out)[-1500:]},
    }
    print(json.dumps(report, indent=1))
    if not args.no_write:
        ratio = f"{g_wall / p_wall:.2f}x" if p_wall else "n/a"
        body = (f"Command: `{COMMAND}` (Prowler {PROWLER_VERSION} in its own venv, `prowler aws --checks ...` with "
                f"{len(checks)} checks against the sandbox's moto endpoint via AWS_ENDPOINT_URL; Guardian cold, "
                "fresh GUARDIAN_HOME)\n\n"
                "| scanner | wall s | peak RSS MiB | planted problems found | exit |\n|---|---|---|---|---|\n"
                f"| guardian scan security --json | {g_wall:.2f} | {g_rss:.0f} | {len(g_found)} / {len(pairs)} | "
                f"{g_code} |\n"
                f"| prowler aws | {p_wall:.2f} | {p_rss:.0f} | {len(p_found)} / {len(covered)} comparable | "
                f"{p_code} |\n"
                f"\nGuardian / Prowler wall time: {ratio}. Prowler missed (of those it has a check for): "
                f"{', '.join(f'{c} {r}' for c, r in sorted(covered - p_found)) or 'none'}.\n")
        write_section("Security scan vs Prowler", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
