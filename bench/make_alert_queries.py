"""Alert-form retrieval queries for the public runbook corpus: every kube-prometheus alert
rule whose ``runbook_url`` points at a runbook in bench/data/public-runbooks/, rendered the
way it reaches a channel when it fires ("[FIRING] Name: summary. description"), with its
template fields filled in by plausible values.

Inputs are vendored (Apache-2.0, see each folder's NOTICE): the PrometheusRule manifests of
prometheus-operator/kube-prometheus and the runbooks of prometheus-operator/runbooks. The
output is deterministic, so re-running it reproduces bench/data/public_alert_queries.yaml.

    .venv/bin/python bench/make_alert_queries.py
"""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).resolve().parent / "data"
RULES = DATA / "kube-prometheus-rules"
RUNBOOKS = DATA / "public-runbooks"
OUT = DATA / "public_alert_queries.yaml"
URL_PREFIX = "https://runbooks.prometheus-operator.dev/runbooks/"

LABELS = {
    "cluster": ("prod-eu-1", "gke-main", "k8s-staging"),
    "namespace": ("payments", "checkout", "monitoring", "search"),
    "pod": ("api-7d9f8c6b5-x2kqp", "worker-0", "indexer-5c4d9b7f8-mn2zl"),
    "container": ("app", "sidecar"),
    "instance": ("10.0.3.17:9100", "node-a-3:9100"),
    "node": ("ip-10-0-3-17.ec2.internal", "node-a-3"),
    "device": ("eth0", "nvme0n1", "md0"),
    "mountpoint": ("/var/lib/docker", "/"),
    "job": ("node-exporter", "kube-state-metrics", "prometheus-k8s"),
    "controller": ("alertmanager", "prometheus"),
    "resource": ("cpu", "memory", "pods"),
    "persistentvolumeclaim": ("data-postgres-0", "storage-loki-0"),
    "persistentvolume": ("pvc-3f1c2a",),
    "name": ("compute-resources", "object-counts"),
    "url": ("https://hooks.example.com/slack",),
    "statefulset": ("postgres", "kafka"),
    "deployment": ("api", "frontend"),
    "daemonset": ("fluent-bit", "node-exporter"),
    "remote_name": ("thanos-receive",),
    "integration": ("slack", "pagerduty", "webhook"),
    "reason": ("ContainerCreating", "ImagePullBackOff"),
    "job_name": ("db-migrate-28374", "nightly-report-1123"),
    "horizontalpodautoscaler": ("api-hpa",),
    "mechanism": ("gossip",),
    "alertmanager": ("http://alertmanager-main-0:9093",),
    "service": ("kubelet",),
    "poddisruptionbudget": ("api-pdb",),
    "phase": ("Failed",),
    "master": ("etcd-0",),
    "handler": ("/api/v1/query",),
    "eviction_signal": ("memory.available",),
    "condition": ("Ready",),
}
TEMPLATE = re.compile(r"{{-?\s*(.*?)\s*-?}}")


def _value(expr: str, rng: random.Random) -> str:
    """What Prometheus prints for ``$value`` through the template's formatter."""
    number = rng.uniform(0.05, 0.95)
    if "humanizePercentage" in expr:
        return f"{number * 100:.4g}%"
    if "humanizeDuration" in expr:
        return "12h 0m 0s" if '"43200"' in expr else f"{rng.randint(1, 6)}d {rng.randint(0, 23)}h"
    if "printf" in expr or "humanize" in expr:
        return f"{number * 100:.2f}"
    return f"{number * 10:.3g}"


def render(text: str, rng: random.Random) -> str:
    """Fill a rule annotation's Go template: labels from LABELS, ``$value`` formatted, the
    ``{{ with $labels.cluster }}`` blocks kept (a cluster label is always set)."""
    def fill(match: re.Match[str]) -> str:
        expr = match.group(1)
        label = re.fullmatch(r"\$labels\.(\w+)", expr)
        if label:
            return rng.choice(LABELS.get(label.group(1), (label.group(1) + "-1",)))
        if expr.startswith("with $labels.cluster"):
            return ""
        if expr == ".":
            return rng.choice(LABELS["cluster"])
        if expr == "end":
            return ""
        if "$value" in expr or "humanize" in expr:
            return _value(expr, rng)
        return ""

    return re.sub(r"\s+", " ", TEMPLATE.sub(fill, text)).strip()


def runbook_file(url: str) -> str | None:
    """The vendored runbook a runbook_url names (the site lower-cases the alert name)."""
    if not url.startswith(URL_PREFIX):
        return None
    group, _, name = url.removeprefix(URL_PREFIX).rstrip("/").partition("/")
    for path in sorted((RUNBOOKS / group).glob("*.md")) if (RUNBOOKS / group).is_dir() else []:
        if path.stem.lower() == name.lower():
            return path.relative_to(RUNBOOKS).as_posix()
    return None


def alert_rules() -> list[dict[str, Any]]:
    rules = []
    for manifest in sorted(RULES.glob("*.yaml")):
        for group in yaml.safe_load(manifest.read_text())["spec"]["groups"]:
            rules.extend(rule for rule in group["rules"] if "alert" in rule)
    return rules


def main() -> int:
    rng = random.Random(2026)
    cases, unmapped = [], []
    for rule in alert_rules():
        notes = rule.get("annotations", {})
        target = runbook_file(str(notes.get("runbook_url", "")))
        if target is None:
            unmapped.append(rule["alert"])
            continue
        summary = render(str(notes.get("summary", "")), rng)
        description = render(str(notes.get("description") or notes.get("message", "")), rng)
        query = f"[FIRING] {rule['alert']}: {summary} {description}".strip()
        cases.append({"query": query, "expected_source": target, "alert": rule["alert"],
                      "severity": rule.get("labels", {}).get("severity", "")})
    header = ("# Generated by bench/make_alert_queries.py from bench/data/kube-prometheus-rules/ (Apache-2.0,\n"
              "# prometheus-operator/kube-prometheus): one query per alert rule whose runbook_url names a\n"
              "# runbook in bench/data/public-runbooks/. Do not edit by hand.\n")
    OUT.write_text(header + yaml.safe_dump({"cases": cases}, sort_keys=False, width=200, allow_unicode=True))
    print(f"{len(cases)} alert-form queries over {len({c['expected_source'] for c in cases})} runbooks; "
          f"{len(unmapped)} rules without a vendored runbook: {', '.join(sorted(set(unmapped)))}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
