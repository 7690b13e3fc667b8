"""Google Cloud security checks: VPC firewall rules that let the internet in, Cloud Storage
buckets public through IAM (allUsers, allAuthenticatedUsers), and the scan behind
``guardian scan security`` (rows shaped as ``aws_security_scan``'s: check, severity, cloud,
region, resource, detail ending with a fix hint)."""

from __future__ import annotations

import contextvars
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

from pydantic import BaseModel, Field

from tools.base import ToolContext, ToolResult, ToolSpec
from tools.findings import SEVERITY_ORDER, scan_summary
from tools.gcp.clients import READ_TIMEOUT, firewalls_client, google_call, project
from tools.gcp.errors import gcp_errors
from tools.gcp.inventory import bucket_list, instance_rows

Severity = Literal["critical", "high", "medium", "low"]
WORLD = ("0.0.0.0/0", "::/0")
PUBLIC_MEMBERS = {"allUsers": "anyone on the internet", "allAuthenticatedUsers": "any signed-in Google account"}
SENSITIVE_PORTS = {22: "SSH", 3389: "RDP", 3306: "MySQL", 5432: "PostgreSQL", 6379: "Redis", 27017: "MongoDB",
                   9200: "Elasticsearch"}
WEB_PORTS = {80, 443}
BUCKET_WORKERS = 8
FIX = {
    "open_firewall_rule": "limit the rule's source ranges to known CIDRs (or IAP's 35.235.240.0/20 for SSH), or "
                          "disable it",
    "public_bucket": "remove the allUsers/allAuthenticatedUsers binding and turn on public access prevention",
}
SCAN_COLUMNS = ["check", "severity", "cloud", "region", "resource", "detail"]


# --------------------------------------------------------------------------- firewall rules


def _port_span(text: str) -> tuple[int, int]:
    low, _, high = text.partition("-")
    return int(low), int(high or low)


def _severity(protocol: str, ports: list[str]) -> Severity:
    if protocol in ("all", "tcp", "udp", "sctp") and not ports:
        return "high"  # every port
    spans = [_port_span(p) for p in ports]
    if any(low <= port <= high for low, high in spans for port in SENSITIVE_PORTS):
        return "high"
    if all(low == high and low in WEB_PORTS for low, high in spans):
        return "low"
    return "medium"


def _applies_to(rule: Any, instances: list[dict[str, Any]]) -> list[str]:
    """The instances a rule reaches: those with one of its target tags (no tags: all)."""
    tags = set(rule.target_tags)
    return [i["name"] for i in instances if not tags or tags & set(i["network_tags"])]


def _world_rules(ctx: ToolContext) -> list[Any]:
    """Ingress allow rules whose sources include 0.0.0.0/0 or ::/0, enabled or not."""
    client = firewalls_client(ctx)
    rules = google_call("firewalls.list", lambda: list(client.list(project=project(ctx), retry=None,
                                                                   timeout=READ_TIMEOUT)))
    return [rule for rule in rules if rule.direction == "INGRESS" and len(rule.allowed) > 0
            and any(cidr in WORLD for cidr in rule.source_ranges)]


def _covers(rule: Any, port: int | None) -> bool:
    """Whether one of the rule's allowed entries covers ``port`` (any port when None)."""
    return port is None or any(not allowed.ports or any(lo <= port <= hi for lo, hi in map(_port_span, allowed.ports))
                               for allowed in rule.allowed)


def disabled_world_rules(ctx: ToolContext, port: int | None = None) -> list[str]:
    """Rules that would open ``port`` to the internet but are disabled: "is X still exposing
    3389?" is answered by naming the rule and why it does not count, not by silence."""
    return [rule.name for rule in _world_rules(ctx) if rule.disabled and _covers(rule, port)]


def firewall_rows(ctx: ToolContext, port: int | None = None) -> list[dict[str, Any]]:
    """Enabled ingress allow rules whose sources include 0.0.0.0/0 or ::/0, one row per
    (rule, protocol), with the instances each reaches."""
    open_rules = [rule for rule in _world_rules(ctx) if not rule.disabled]
    instances = instance_rows(ctx) if open_rules else []
    rows = []
    for rule in open_rules:
        world = [cidr for cidr in rule.source_ranges if cidr in WORLD]
        for allowed in rule.allowed:
            protocol, ports = allowed.I_p_protocol, list(allowed.ports)
            if port is not None and ports and not any(lo <= port <= hi for lo, hi in map(_port_span, ports)):
                continue
            rows.append({"rule": rule.name, "network": rule.network.rsplit("/", 1)[-1], "protocol": protocol,
                         "ports": ", ".join(ports) or "all", "source": ", ".join(world),
                         "target_tags": ", ".join(rule.target_tags) or "all instances",
                         "severity": _severity(protocol, ports), "priority": rule.priority,
                         "instances": ", ".join(_applies_to(rule, instances))})
    rows.sort(key=lambda row: (SEVERITY_ORDER[row["severity"]], row["rule"]))
    return rows


class OpenFirewallArgs(BaseModel):
    port: int | None = Field(default=None, ge=0, le=65535, description="Only rules covering this port.")


@gcp_errors("firewalls.list")
def open_firewall_rules(ctx: ToolContext, args: OpenFirewallArgs) -> ToolResult:
    rows = firewall_rows(ctx, args.port)
    scope = f" for port {args.port}" if args.port is not None else ""
    if not rows:
        off = disabled_world_rules(ctx, args.port)
        note = (f" Disabled, so not counted (they would open it if switched back on): {', '.join(off)}."
                if off else "")
        return ToolResult.no_data(f"No enabled firewall rule in Google Cloud project {project(ctx)} allows inbound "
                                  f"traffic from 0.0.0.0/0 or ::/0{scope}.{note}")
    rules = list(dict.fromkeys(row["rule"] for row in rows))
    high = [f"{row['rule']} ({row['protocol']} {row['ports']})" for row in rows if row["severity"] == "high"]
    summary = (f"{len(rules)} firewall rule(s) in Google Cloud project {project(ctx)} allow inbound traffic from "
               f"the internet{scope}: {', '.join(rules)} ({len(high)} high severity"
               f"{': ' + ', '.join(high) if high else ''}).")
    reached = sorted({name for row in rows for name in row["instances"].split(", ") if name})
    return ToolResult(status="ok", summary=summary,
                      columns=["rule", "network", "protocol", "ports", "source", "target_tags", "severity",
                               "instances"],
                      rows=rows, facts={"rules": len(rules), "high": len(high), "project": project(ctx)},
                      resources=rules + reached)


# --------------------------------------------------------------------------- public buckets


def _public_grants(bucket: Any) -> list[dict[str, Any]]:
    policy = google_call("buckets.getIamPolicy", lambda: bucket.get_iam_policy(
        requested_policy_version=3, retry=None, timeout=READ_TIMEOUT))
    grants = []
    for binding in policy.bindings:
        for member in sorted(binding.get("members", ())):
            if member in PUBLIC_MEMBERS:
                grants.append({"bucket": bucket.name, "location": str(bucket.location).lower(),
                               "member": member, "role": binding.get("role", ""),
                               "who": PUBLIC_MEMBERS[member]})
    return grants


def public_bucket_rows(ctx: ToolContext) -> tuple[list[dict[str, Any]], int]:
    """One row per public grant (bucket, member, role), and how many buckets were checked;
    a few buckets' policies are read at a time."""
    buckets = bucket_list(ctx)
    with ThreadPoolExecutor(max_workers=BUCKET_WORKERS, thread_name_prefix="gcp-iam") as pool:
        found = list(pool.map(lambda b: contextvars.copy_context().run(_public_grants, b), buckets))
    return [row for grants in found for row in grants], len(buckets)


class PublicBucketsArgs(BaseModel):
    bucket: str | None = Field(default=None, description="Only this bucket.")


@gcp_errors("buckets.list")
def public_buckets(ctx: ToolContext, args: PublicBucketsArgs) -> ToolResult:
    rows, checked = public_bucket_rows(ctx)
    # a name that is no bucket of the project (the project's own id, a machine) narrows nothing
    if args.bucket and args.bucket in {bucket.name for bucket in bucket_list(ctx)}:
        public = len({row["bucket"] for row in rows})
        rows = [row for row in rows if row["bucket"] == args.bucket]
        if not rows:  # a bucket that is not public: said so, never "none is public"
            return ToolResult.no_data(f"{args.bucket} is not one of the public Cloud Storage buckets ({public} of "
                                      f"{checked} in project {project(ctx)} are public through IAM).")
    if not rows:
        return ToolResult.no_data(f"None of {checked} Cloud Storage buckets in project {project(ctx)} is public "
                                  "through IAM (no allUsers or allAuthenticatedUsers binding).")
    names = list(dict.fromkeys(row["bucket"] for row in rows))
    grants = "; ".join(f"{row['bucket']}: {row['role']} to {row['member']}" for row in rows)
    summary = f"{len(names)} of {checked} Cloud Storage buckets in project {project(ctx)} are public ({grants})."
    return ToolResult(status="ok", summary=summary, columns=["bucket", "location", "member", "role", "who"],
                      rows=rows, facts={"buckets_checked": checked, "public": len(names), "project": project(ctx)},
                      resources=names)


# --------------------------------------------------------------------------- the scan


def scan_rows(ctx: ToolContext) -> list[dict[str, Any]]:
    """Every GCP finding, most severe first, each a contract line of ``guardian scan security``.
    The two checks run side by side."""
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="gcp-scan") as pool:
        rules = pool.submit(contextvars.copy_context().run, firewall_rows, ctx)
        grants = pool.submit(contextvars.copy_context().run, public_bucket_rows, ctx)
        rule_rows, (grant_rows, _checked) = rules.result(), grants.result()
    findings = [{"check": "open_firewall_rule", "severity": row["severity"], "cloud": "gcp", "region": "global",
                 "resource": row["rule"],
                 "detail": f"allows {row['protocol']} {row['ports']} from {row['source']} to "
                           f"{row['target_tags']} on network {row['network']}"
                           f"{' (reaches ' + row['instances'] + ')' if row['instances'] else ''}; "
                           f"fix: {FIX['open_firewall_rule']}"} for row in rule_rows]
    by_bucket: dict[str, list[dict[str, Any]]] = {}
    for row in grant_rows:
        by_bucket.setdefault(row["bucket"], []).append(row)
    findings += [{"check": "public_bucket", "severity": "high", "cloud": "gcp", "region": grants_[0]["location"],
                  "resource": name,
                  "detail": "IAM grants " + ", ".join(f"{g['role']} to {g['member']} ({g['who']})" for g in grants_)
                            + f"; fix: {FIX['public_bucket']}"} for name, grants_ in by_bucket.items()]
    findings.sort(key=lambda f: (SEVERITY_ORDER[f["severity"]], f["check"], f["resource"]))
    return findings


class ScanArgs(BaseModel):
    pass


@gcp_errors("firewalls.list")
def security_scan(ctx: ToolContext, args: ScanArgs) -> ToolResult:
    del args
    findings = scan_rows(ctx)
    counts = Counter(f["severity"] for f in findings)
    return ToolResult(status="ok", summary=scan_summary(f"Google Cloud project {project(ctx)}", findings),
                      columns=SCAN_COLUMNS, rows=findings,
                      facts={"findings": len(findings), "project": project(ctx), **dict(counts)},
                      resources=list(dict.fromkeys(f["resource"] for f in findings)))


SECURITY_TOOLS: list[ToolSpec] = [
    ToolSpec("gcp_open_firewall_rules", "Google Cloud VPC firewall rules that allow inbound traffic from 0.0.0.0/0 "
             "or ::/0, with ports, severity and the instances they reach.", OpenFirewallArgs, "read",
             ("security.open_ports",), "gcp", open_firewall_rules),
    ToolSpec("gcp_public_buckets", "Google Cloud Storage buckets public through IAM (allUsers or "
             "allAuthenticatedUsers bindings), with the role granted.", PublicBucketsArgs, "read",
             ("security.public_storage",), "gcp", public_buckets),
    # Google Cloud's part of `guardian scan security`, and its posture in chat
    ToolSpec("gcp_security_scan", "Every finding of every Google Cloud security check (open firewall rules, "
             "public buckets), one row each, with a fix hint.", ScanArgs, "read", ("security.posture",), "gcp",
             security_scan),
]
