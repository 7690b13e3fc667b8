"""Azure security checks: NSG rules that open SSH, RDP or any other non-web port to the
internet, storage accounts that allow public blob access, and the full scan behind
``guardian scan security`` (rows of the same shape as ``aws_security_scan``, cloud "azure")."""

from __future__ import annotations

import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pydantic import BaseModel, Field

from tools.azure.client import arm, resource_group_meant, resource_group_of, text
from tools.azure.errors import azure_errors
from tools.azure.inventory import vm_list
from tools.base import ToolContext, ToolResult, ToolSpec
from tools.findings import SEVERITY_ORDER, scan_summary

# Sources that mean "anyone on the internet" in an NSG rule: any address, the IPv4/IPv6
# default routes and the Internet service tag.
INTERNET_SOURCES = {"*", "0.0.0.0/0", "0.0.0.0", "internet", "any", "::/0"}
WEB_PORTS = {80, 443}
SENSITIVE_PORTS = {22: "SSH", 3389: "RDP", 1433: "SQL Server", 3306: "MySQL", 5432: "PostgreSQL", 6379: "Redis",
                   5985: "WinRM", 5986: "WinRM", 27017: "MongoDB", 9200: "Elasticsearch"}
FIX = {
    "azure_nsg_open_to_internet": "limit the rule's source to known address ranges, or use Azure Bastion / "
                                  "just-in-time VM access for SSH and RDP",
    "azure_storage_public_blob_access": "set allowBlobPublicAccess to false on the account (az storage account "
                                        "update --allow-blob-public-access false) and serve public files through "
                                        "a CDN or SAS tokens",
}
CHAT_COLUMNS = ["severity", "check", "name", "region", "detail"]


def _ranges(props: Any) -> list[tuple[str, int | None, int | None]]:
    """(label, low, high) per destination port range; '*' is (all, None, None)."""
    specs = [props.destination_port_range] if props.destination_port_range else []
    specs += list(props.destination_port_ranges or [])
    found: list[tuple[str, int | None, int | None]] = []
    for spec in specs:
        spec = str(spec).strip()
        if spec in ("*", "0-65535"):
            found.append(("all", None, None))
            continue
        low, _, high = spec.partition("-")
        found.append((spec, int(low), int(high or low)))
    return found


def _sources(props: Any) -> list[str]:
    sources = [props.source_address_prefix] if props.source_address_prefix else []
    return sources + list(props.source_address_prefixes or [])


def _severity(low: int | None, high: int | None) -> str:
    if low is None or high is None or any(low <= port <= high for port in (22, 3389)):
        return "high"
    if any(low <= port <= high for port in SENSITIVE_PORTS):
        return "high"
    return "medium"


def _port_names(low: int | None, high: int | None) -> str:
    if low is None or high is None:
        return "every port"
    named = [f"{name} {port}" for port, name in SENSITIVE_PORTS.items() if low <= port <= high]
    label = f"port {low}" if low == high else f"ports {low}-{high}"
    return f"{label} ({', '.join(named)})" if named else label


def open_rule_rows(ctx: ToolContext, resource_group: str | None = None,
                   port: int | None = None) -> list[dict[str, Any]]:
    """One row per (NSG, inbound allow rule, port range) open to the internet, web ports
    (80/443) alone excepted: those are meant to be public."""
    groups = arm(ctx, "network").network_security_groups
    nsgs = groups.list(resource_group) if resource_group else groups.list_all()
    rows = []
    for nsg in nsgs:
        attached = len(nsg.network_interfaces or []) + len(nsg.subnets or [])
        for rule in nsg.security_rules or []:
            if text(rule.direction).lower() != "inbound" or text(rule.access).lower() != "allow":
                continue
            internet = [src for src in _sources(rule) if src.lower() in INTERNET_SOURCES]
            if not internet:
                continue
            for label, low, high in _ranges(rule):
                if low is not None and low == high and low in WEB_PORTS:
                    continue
                if port is not None and low is not None and high is not None and not low <= port <= high:
                    continue
                rows.append({"nsg": nsg.name, "resource_group": resource_group_of(nsg.id), "location": nsg.location,
                             "rule": rule.name, "priority": rule.priority, "protocol": text(rule.protocol),
                             "ports": label, "source": ", ".join(internet), "severity": _severity(low, high),
                             "opens": _port_names(low, high), "attached_to": attached, "id": nsg.id})
    rows.sort(key=lambda r: (SEVERITY_ORDER[r["severity"]], r["nsg"], r["priority"]))
    return rows


class OpenNsgArgs(BaseModel):
    resource_group: str | None = Field(default=None, description="Only this resource group.")
    port: int | None = Field(default=None, ge=0, le=65535, description="Only rules covering this port.")
    resource_id: str | None = Field(default=None, max_length=200, description="Only this NSG (by name), or the "
                                    "NSGs guarding this VM (by name): \"what is open on jump-host-1\".")


def _guarding(ctx: ToolContext, name: str, resource_group: str | None = None) -> tuple[str, list[str]] | None:
    """The NSG named ``name`` or the NSGs guarding the VM so named (in ``resource_group`` when
    given), with what to call the scope in a sentence; None when ``name`` is neither (a
    service, a word, a resource of another group): no narrowing."""
    wanted = name.strip().lower()
    nsgs = list(arm(ctx, "network").network_security_groups.list_all())
    own = [str(nsg.name) for nsg in nsgs if str(nsg.name).lower() == wanted
           and (resource_group is None or resource_group_of(nsg.id).lower() == resource_group.lower())]
    if own:
        return own[0], own
    for vm in vm_list(ctx, resource_group):
        if str(vm.name).lower() != wanted:
            continue
        nic_ids = {str(nic.id).lower() for nic in getattr(vm.network_profile, "network_interfaces", None) or []}
        guards = sorted(str(nsg.name) for nsg in nsgs
                        if any(str(nic.id).lower() in nic_ids for nic in nsg.network_interfaces or []))
        return f"VM {vm.name}" + (f" (NSG {', '.join(guards)})" if guards else " (no NSG)"), guards
    return None


@azure_errors("listing network security groups", "Microsoft.Network/networkSecurityGroups/read")
def open_nsg_rules(ctx: ToolContext, args: OpenNsgArgs) -> ToolResult:
    group, read_as = resource_group_meant(ctx, args.resource_group)
    if group != args.resource_group:
        args = args.model_copy(update={"resource_group": group})
    return _read_as(open_nsg_rules_of(ctx, args), read_as)


def _read_as(result: ToolResult, read_as: str) -> ToolResult:
    """``result`` saying first how a misspelt resource group was read."""
    return result.model_copy(update={"summary": f"{read_as} {result.summary}"}) if read_as else result


def open_nsg_rules_of(ctx: ToolContext, args: OpenNsgArgs) -> ToolResult:
    rows = open_rule_rows(ctx, args.resource_group, args.port)
    scope = _guarding(ctx, args.resource_id, args.resource_group) if args.resource_id else None
    if scope is not None:
        # "what's exposed on win-build-1?": that VM's own NSG, not every open rule in the subscription
        rows = [row for row in rows if row["nsg"] in scope[1]]
        if not rows:
            return ToolResult.no_data(f"No Azure NSG rule on {scope[0]} opens a non-web port to the internet.")
    if not rows:
        return ToolResult.no_data("No Azure NSG rule opens a non-web port to the internet.")
    nsgs = list(dict.fromkeys(row["nsg"] for row in rows))
    listed = "; ".join(f"{r['nsg']}/{r['rule']} {r['opens']} from {r['source']}" for r in rows[:6])
    summary = f"{len(rows)} Azure NSG rule(s) in {len(nsgs)} NSG(s) are open to the internet: {listed}."
    return ToolResult(status="ok", summary=summary,
                      columns=["severity", "nsg", "rule", "priority", "ports", "opens", "source", "protocol",
                               "resource_group", "location", "attached_to"],
                      rows=rows, facts={"open_rules": len(rows), "nsgs": len(nsgs)},
                      resources=[*nsgs, *dict.fromkeys(row["id"] for row in rows)])


def storage_rows(ctx: ToolContext, resource_group: str | None = None) -> tuple[list[dict[str, Any]], int]:
    """Storage accounts that allow public blob access, and how many were checked."""
    accounts = arm(ctx, "storage").storage_accounts
    found = list(accounts.list_by_resource_group(resource_group) if resource_group else accounts.list())
    rows = [{"account": sa.name, "resource_group": resource_group_of(sa.id), "location": sa.location,
             "allow_blob_public_access": True, "public_network_access": text(sa.public_network_access),
             "id": sa.id}
            for sa in found if sa.allow_blob_public_access]
    return rows, len(found)


class PublicStorageArgs(BaseModel):
    resource_group: str | None = Field(default=None, description="Only this resource group.")
    account: str | None = Field(default=None, description="Only this storage account.")
    query: str | None = Field(default=None, max_length=500, description="The request's own words: a storage "
                              "account they name is the one asked about.")


def _named_accounts(ctx: ToolContext, args: PublicStorageArgs) -> list[str]:
    """The storage accounts the request names: ``account``, else each account whose name is a
    word of the request ("is stdriftwoodpay public?": account names are one lowercase word,
    which no slot reads as a resource's name)."""
    accounts = arm(ctx, "storage").storage_accounts
    found = accounts.list_by_resource_group(args.resource_group) if args.resource_group else accounts.list()
    every = [str(sa.name) for sa in found]
    if args.account and args.account.lower() in {name.lower() for name in every}:
        return [name for name in every if name.lower() == args.account.lower()]
    words = set(re.findall(r"[a-z0-9]+", (args.query or "").lower()))
    return [name for name in every if name.lower() in words]


@azure_errors("listing storage accounts", "Microsoft.Storage/storageAccounts/read")
def public_storage(ctx: ToolContext, args: PublicStorageArgs) -> ToolResult:
    group, read_as = resource_group_meant(ctx, args.resource_group)
    if group != args.resource_group:
        args = args.model_copy(update={"resource_group": group})
    return _read_as(public_storage_of(ctx, args), read_as)


def public_storage_of(ctx: ToolContext, args: PublicStorageArgs) -> ToolResult:
    rows, checked = storage_rows(ctx, args.resource_group)
    named = _named_accounts(ctx, args) if args.account or args.query else []
    said = ""
    if named:
        # "does stdriftwoodpay allow anonymous reads?": that account's answer, by name, whether
        # it is one of the public ones or not
        public = [row["account"] for row in rows]
        closed = [name for name in named if name not in public]
        rows = [row for row in rows if row["account"] in named]
        said = (f"{', '.join(closed)} {'does' if len(closed) == 1 else 'do'} not allow public blob access"
                if closed else "")
        if not rows:
            others = f" ({len(public)} of {checked} Azure storage accounts {'does' if len(public) == 1 else 'do'}: " \
                     f"{', '.join(public)})" if public else f" (none of {checked} Azure storage accounts does)"
            return ToolResult.no_data(f"{said}{others}.")
    if not rows:
        return ToolResult.no_data(f"None of {checked} Azure storage accounts allows public blob access.")
    names = [row["account"] for row in rows]
    verb = "allows" if len(rows) == 1 else "allow"
    return ToolResult(status="ok", summary=f"{len(rows)} of {checked} Azure storage accounts {verb} public blob "
                      f"access: {', '.join(names)}.{f' {said}.' if said else ''}",
                      columns=["account", "resource_group", "location", "allow_blob_public_access",
                               "public_network_access"],
                      rows=rows, facts={"accounts_checked": checked, "public": len(rows)},
                      resources=[*names, *(row["id"] for row in rows)])


def _nsg_findings(ctx: ToolContext) -> list[dict[str, Any]]:
    return [{"check": "azure_nsg_open_to_internet", "severity": row["severity"], "cloud": "azure",
             "region": row["location"], "resource": row["id"],
             "detail": f"{row['nsg']} rule {row['rule']} allows {row['protocol']} {row['opens']} from "
                       f"{row['source']}{'' if row['attached_to'] else ' (unused: attached to nothing)'}; "
                       f"fix: {FIX['azure_nsg_open_to_internet']}"}
            for row in open_rule_rows(ctx)]


def _storage_findings(ctx: ToolContext) -> list[dict[str, Any]]:
    return [{"check": "azure_storage_public_blob_access", "severity": "high", "cloud": "azure",
             "region": row["location"], "resource": row["id"],
             "detail": f"storage account {row['account']} allows public blob access (allowBlobPublicAccess is "
                       f"true); fix: {FIX['azure_storage_public_blob_access']}"}
            for row in storage_rows(ctx)[0]]


class AzureScanArgs(BaseModel):
    pass


@azure_errors("scanning the subscription", "Microsoft.Network/networkSecurityGroups/read")
def security_scan(ctx: ToolContext, _args: AzureScanArgs) -> ToolResult:
    """Every Azure finding, most severe first, one row each (``guardian scan security``)."""
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="azure-scan") as pool:
        parts = [pool.submit(check, ctx) for check in (_nsg_findings, _storage_findings)]
        findings = [row for part in parts for row in part.result()]
    findings.sort(key=lambda f: (SEVERITY_ORDER[f["severity"]], f["check"], f["region"], f["resource"]))
    for finding in findings:  # the scan prints the ARM id; chat shows the name it ends with
        finding["name"] = finding["resource"].rsplit("/", 1)[-1]
    counts = Counter(f["severity"] for f in findings)
    return ToolResult(status="ok", summary=scan_summary("Azure", findings), columns=CHAT_COLUMNS, rows=findings,
                      facts={"findings": len(findings), **dict(counts)},
                      resources=list(dict.fromkeys(f["name"] for f in findings)))


SECURITY_TOOLS: list[ToolSpec] = [
    ToolSpec("azure_open_nsg_rules", "Azure network security group rules that allow SSH, RDP or other non-web "
             "ports from the internet (0.0.0.0/0, * or the Internet tag), with severity.",
             OpenNsgArgs, "read", ("security.open_ports",), "azure", open_nsg_rules),
    ToolSpec("azure_public_storage", "Azure storage accounts that allow public (anonymous) blob access.",
             PublicStorageArgs, "read", ("security.public_storage",), "azure", public_storage),
    # Azure's part of `guardian scan security`, and its posture in chat
    ToolSpec("azure_security_scan", "Every finding of every Azure security check, one row each, with a fix hint.",
             AzureScanArgs, "read", ("security.posture",), "azure", security_scan),
]
