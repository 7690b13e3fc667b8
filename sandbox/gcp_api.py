"""A local stand-in for the Google Cloud JSON REST APIs Guardian's GCP tools call, on one
loopback port (their paths do not overlap, so one ``api_endpoint`` serves all three SDKs):

- Cloud Logging v2 ``POST /v2/entries:list`` (``resourceNames``, ``filter`` in the logging
  query language, ``orderBy``, ``pageSize``/``pageToken``);
- Compute Engine v1 ``GET /compute/v1/projects/{project}/aggregated/instances`` and
  ``GET /compute/v1/projects/{project}/global/firewalls``;
- Cloud Storage JSON ``GET /storage/v1/b?project=`` and ``GET /storage/v1/b/{bucket}/iam``.

Errors use Google's envelope ``{"error": {"code", "message", "status", "errors": [...]}}``.
``fail_next(path_part, status, times)`` makes the next matching requests fail (429 throttling,
403 with the permission Google names), for the tools' bad-input tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from sandbox.company import DRIFTWOOD_GCP, GCP_SEVERITIES, GcpLogSource, GcpProject, GcsBucket
from sandbox.http_standin import Call, HttpStandIn, Reply, RouteSpec, route

COMPUTE = "https://www.googleapis.com/compute/v1"
STATUS = {400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED", 404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED",
          500: "INTERNAL", 503: "UNAVAILABLE"}
REASON = {400: "badRequest", 403: "forbidden", 404: "notFound", 429: "rateLimitExceeded", 500: "backendError",
          503: "backendError"}
# The permission each route needs, as Google names it in a 403.
PERMISSIONS = {"entries:list": "logging.logEntries.list", "aggregated/instances": "compute.instances.list",
               "global/firewalls": "compute.firewalls.list", "/iam": "storage.buckets.getIamPolicy",
               "/storage/v1/b": "storage.buckets.list"}  # (buckets.get: storage.buckets.get)
MAX_PAGE = 1000


def google_error(status: int, message: str) -> Reply:
    """Google's JSON error envelope."""
    return Reply(status, {"error": {"code": status, "message": message, "status": STATUS.get(status, "UNKNOWN"),
                                    "errors": [{"message": message, "domain": "global",
                                                "reason": REASON.get(status, "error")}]}})


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class Fault:
    path_part: str
    status: int
    times: int
    message: str


class GcpStandIn(HttpStandIn):
    """Driftwood's Google Cloud project over the documented JSON wire formats."""

    def __init__(self, project: GcpProject = DRIFTWOOD_GCP, now: datetime | None = None) -> None:
        self.project = project
        self.now = now  # None: log timestamps are relative to each request's "now"
        self.faults: list[Fault] = []
        super().__init__()

    def env(self) -> dict[str, str]:
        """What points Guardian's GCP tools here: the project, the endpoint, no credentials."""
        return {"GOOGLE_CLOUD_PROJECT": self.project.project_id, "GUARDIAN_GCP_API_URL": self.url,
                "GUARDIAN_GCP_ANONYMOUS": "1"}

    def fail_next(self, path_part: str, status: int, times: int = 1, message: str | None = None) -> None:
        """The next ``times`` requests whose path contains ``path_part`` fail with ``status``."""
        permission = next((p for part, p in PERMISSIONS.items() if part in path_part), "the permission")
        default = {403: f"Permission '{permission}' denied on resource 'projects/{self.project.project_id}' "
                        "(or it may not exist).",
                   429: "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute'."}
        with self._lock:
            self.faults.append(Fault(path_part, status, times, message or default.get(status, "Backend error")))

    def respond(self, call: Call, endpoint: Any) -> Reply:
        with self._lock:
            fault = next((f for f in self.faults if f.path_part in call.path and f.times > 0), None)
            if fault is not None:
                fault.times -= 1
                self.calls.append(call)
                return google_error(fault.status, fault.message)
        return super().respond(call, endpoint)

    def not_found(self) -> Reply:
        return google_error(404, "Not Found")

    def routes(self) -> list[RouteSpec]:
        return [
            route("POST", "/v2/entries:list", self.list_entries),
            route("GET", "/compute/v1/projects/{project}/aggregated/instances", self.aggregated_instances),
            route("GET", "/compute/v1/projects/{project}/global/firewalls", self.firewalls),
            route("GET", "/storage/v1/b", self.buckets),
            route("GET", "/storage/v1/b/{bucket}", self.bucket),
            route("GET", "/storage/v1/b/{bucket}/iam", self.bucket_iam),
        ]

    # ------------------------------------------------------------------ helpers

    def _project_missing(self, project: str | None) -> Reply | None:
        if project != self.project.project_id:
            return google_error(404, f"The resource 'projects/{project}' was not found")
        return None

    @staticmethod
    def _page(items: list[Any], call: Call, size_arg: str) -> tuple[list[Any], str | None]:
        start = int(call.arg("pageToken") or 0)
        size = min(int(call.arg(size_arg) or MAX_PAGE), MAX_PAGE)
        token = str(start + size) if start + size < len(items) else None
        return items[start:start + size], token

    # ------------------------------------------------------------------ Cloud Logging

    def log_entries(self, now: datetime) -> list[dict[str, Any]]:
        """Every log entry of the project as Cloud Logging returns it, oldest first."""
        entries = []
        for source in self.project.log_sources:
            for index, line in enumerate(source.lines):
                stamp = now - timedelta(minutes=line.minutes_ago)
                entry: dict[str, Any] = {
                    "logName": f"projects/{self.project.project_id}/logs/{quote(source.log_id, safe='')}",
                    "resource": self._resource(source), "timestamp": rfc3339(stamp),
                    "receiveTimestamp": rfc3339(stamp + timedelta(milliseconds=40)),
                    "severity": line.severity, "insertId": f"{source.service[:8]}{index:04d}{line.minutes_ago:05d}",
                    "labels": self._entry_labels(source)}
                if line.structured:
                    entry["jsonPayload"] = {"message": line.message, "severity": line.severity}
                else:
                    entry["textPayload"] = line.message
                entries.append(entry)
        return sorted(entries, key=lambda e: e["timestamp"])

    def _resource(self, source: GcpLogSource) -> dict[str, Any]:
        project = self.project.project_id
        if source.resource_type == "gce_instance":
            instance = self.project.instance(source.service)
            return {"type": "gce_instance", "labels": {"project_id": project, "instance_id": instance.id,
                                                        "zone": instance.zone}}
        return {"type": source.resource_type, "labels": {
            "project_id": project, "service_name": source.service, "location": source.location,
            "revision_name": f"{source.service}-00042-xuv", "configuration_name": source.service}}

    def _entry_labels(self, source: GcpLogSource) -> dict[str, str]:
        if source.resource_type == "gce_instance":
            return {"compute.googleapis.com/resource_name": source.service}
        return {"instanceId": "00c61b117c" + source.service.replace("-", "")[:8]}

    def list_entries(self, call: Call) -> Reply:
        body = call.body if isinstance(call.body, dict) else {}
        names = body.get("resourceNames") or []
        if not names:
            return google_error(400, "resourceNames: at least one resource name is required")
        for name in names:
            missing = self._project_missing(str(name).removeprefix("projects/"))
            if missing is not None:
                return missing
        try:
            matcher = parse_filter(str(body.get("filter") or ""))
        except ValueError as exc:
            return google_error(400, f"Invalid filter: {exc}")
        entries = [e for e in self.log_entries(self.now or datetime.now(UTC)) if matcher(e)]
        if str(body.get("orderBy", "timestamp asc")).lower().endswith("desc"):
            entries.reverse()
        start = int(body.get("pageToken") or 0)
        size = min(int(body.get("pageSize") or 50), MAX_PAGE)
        reply: dict[str, Any] = {"entries": entries[start:start + size]}
        if start + size < len(entries):
            reply["nextPageToken"] = str(start + size)
        return Reply(200, reply if reply["entries"] else {})

    # ------------------------------------------------------------------ Compute Engine

    def instance_json(self, name: str) -> dict[str, Any]:
        inst = self.project.instance(name)
        base = f"{COMPUTE}/projects/{self.project.project_id}"
        return {"kind": "compute#instance", "id": inst.id, "name": inst.name, "status": inst.status,
                "creationTimestamp": "2026-01-15T09:30:00.000-08:00",
                "zone": f"{base}/zones/{inst.zone}", "machineType": f"{base}/zones/{inst.zone}/machineTypes/"
                f"{inst.machine_type}", "labels": dict(inst.labels),
                "tags": {"items": list(inst.network_tags), "fingerprint": "42WmSpB8rSM="} if inst.network_tags
                else {"fingerprint": "42WmSpB8rSM="},
                "networkInterfaces": [{"name": "nic0", "network": f"{base}/global/networks/driftwood-vpc"}],
                "selfLink": f"{base}/zones/{inst.zone}/instances/{inst.name}"}

    def aggregated_instances(self, call: Call, project: str) -> Reply:
        missing = self._project_missing(project)
        if missing is not None:
            return missing
        zones = sorted({i.zone for i in self.project.instances} | {"us-east1-b"})
        items: dict[str, Any] = {}
        for zone in zones:
            found = [self.instance_json(i.name) for i in self.project.instances if i.zone == zone]
            items[f"zones/{zone}"] = {"instances": found} if found else {"warning": {
                "code": "NO_RESULTS_ON_PAGE", "message": "There are no results for scope "
                f"'zones/{zone}' on this page.", "data": [{"key": "scope", "value": f"zones/{zone}"}]}}
        del call
        return Reply(200, {"kind": "compute#instanceAggregatedList", "id": f"projects/{project}/aggregated/instances",
                           "items": items, "selfLink": f"{COMPUTE}/projects/{project}/aggregated/instances"})

    def firewalls(self, call: Call, project: str) -> Reply:
        missing = self._project_missing(project)
        if missing is not None:
            return missing
        base = f"{COMPUTE}/projects/{project}"
        rules = []
        for rule in self.project.firewall_rules:
            item: dict[str, Any] = {
                "kind": "compute#firewall", "id": self._rule_id(rule.name), "name": rule.name,
                "description": rule.description, "network": f"{base}/global/networks/{rule.network}",
                "priority": rule.priority, "direction": rule.direction, "disabled": rule.disabled,
                "sourceRanges": list(rule.source_ranges), "selfLink": f"{base}/global/firewalls/{rule.name}",
                "creationTimestamp": "2026-01-15T09:30:00.000-08:00"}
            if rule.allowed:
                item["allowed"] = [{"IPProtocol": p, **({"ports": list(ports)} if ports else {})}
                                   for p, ports in rule.allowed]
            if rule.denied:
                item["denied"] = [{"IPProtocol": p, **({"ports": list(ports)} if ports else {})}
                                  for p, ports in rule.denied]
            if rule.target_tags:
                item["targetTags"] = list(rule.target_tags)
            rules.append(item)
        page, token = self._page(rules, call, "maxResults")
        reply: dict[str, Any] = {"kind": "compute#firewallList", "id": f"projects/{project}/global/firewalls",
                                 "items": page, "selfLink": f"{base}/global/firewalls"}
        if token:
            reply["nextPageToken"] = token
        return Reply(200, reply)

    @staticmethod
    def _rule_id(name: str) -> str:
        from sandbox.company import gcp_numeric_id

        return gcp_numeric_id(f"firewall/{name}")

    # ------------------------------------------------------------------ Cloud Storage

    @staticmethod
    def bucket_json(b: GcsBucket) -> dict[str, Any]:
        return {"kind": "storage#bucket", "id": b.name, "name": b.name,
                "selfLink": f"https://www.googleapis.com/storage/v1/b/{b.name}", "projectNumber": "482913604517",
                "location": b.location, "locationType": "multi-region" if b.location in ("US", "EU", "ASIA")
                else "region", "storageClass": "STANDARD", "labels": dict(b.labels), "etag": "CAE=",
                "timeCreated": "2026-01-15T17:30:00.000Z", "updated": "2026-01-15T17:30:00.000Z",
                "iamConfiguration": {"uniformBucketLevelAccess": {"enabled": True},
                                     "publicAccessPrevention": "inherited"}}

    def bucket(self, call: Call, bucket: str) -> Reply:
        """buckets.get (the storage SDK reads a bucket's metadata in the background too)."""
        del call
        found = next((b for b in self.project.buckets if b.name == bucket), None)
        if found is None:
            return google_error(404, "The specified bucket does not exist.")
        return Reply(200, self.bucket_json(found))

    def buckets(self, call: Call) -> Reply:
        missing = self._project_missing(call.arg("project"))
        if missing is not None:
            return missing
        items = [self.bucket_json(b) for b in self.project.buckets]
        page, token = self._page(items, call, "maxResults")
        reply: dict[str, Any] = {"kind": "storage#buckets", "items": page}
        if token:
            reply["nextPageToken"] = token
        return Reply(200, reply)

    def bucket_iam(self, call: Call, bucket: str) -> Reply:
        del call
        found = next((b for b in self.project.buckets if b.name == bucket), None)
        if found is None:
            return google_error(404, "The specified bucket does not exist.")
        project = self.project.project_id
        bindings = [{"role": "roles/storage.legacyBucketOwner",
                     "members": [f"projectEditor:{project}", f"projectOwner:{project}"]},
                    {"role": "roles/storage.legacyBucketReader", "members": [f"projectViewer:{project}"]}]
        bindings += [{"role": role, "members": list(members)} for role, members in found.bindings]
        return Reply(200, {"kind": "storage#policy", "resourceId": f"projects/_/buckets/{bucket}", "version": 1,
                           "etag": "CAE=", "bindings": bindings})


# --------------------------------------------------------------------------- the logging query language
# The subset Guardian (and a person typing a filter) uses: comparisons (= != < <= > >= :),
# AND / OR / NOT / -, parentheses, dotted field paths with quoted segments. As documented,
# NOT binds tightest, then OR, then AND ("a AND b OR c" is "a AND (b OR c)").

TOKEN = re.compile(r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*")|(?P<op>>=|<=|!=|=~|!~|[=<>:()])|(?P<word>[^\s=<>:()!"]+))')
Matcher = Any


def _tokens(text: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise ValueError(f"unexpected character at {position}: {text[position:position + 10]!r}")
        position = match.end()
        kind = match.lastgroup or "word"
        value = match.group(kind)
        found.append(("str", bytes(value[1:-1], "utf-8").decode("unicode_escape")) if kind == "str"
                     else (kind, value))
    return found


class _Parser:
    def __init__(self, text: str) -> None:
        self.items = _tokens(text)
        self.at = 0

    def peek(self) -> tuple[str, str] | None:
        return self.items[self.at] if self.at < len(self.items) else None

    def take(self) -> tuple[str, str]:
        item = self.peek()
        if item is None:
            raise ValueError("unexpected end of filter")
        self.at += 1
        return item

    def conjunction(self) -> Matcher:
        parts = [self.disjunction()]
        while (item := self.peek()) is not None and item != ("op", ")"):
            if item == ("word", "AND"):
                self.take()
            parts.append(self.disjunction())  # juxtaposition is AND too
        return lambda entry: all(part(entry) for part in parts)

    def disjunction(self) -> Matcher:
        parts = [self.negation()]
        while self.peek() == ("word", "OR"):
            self.take()
            parts.append(self.negation())
        return lambda entry: any(part(entry) for part in parts)

    def negation(self) -> Matcher:
        item = self.peek()
        if item == ("word", "NOT"):
            self.take()
            inner = self.negation()
            return lambda entry: not inner(entry)
        if item is not None and item[0] == "word" and item[1].startswith("-") and len(item[1]) > 1:
            self.items[self.at] = ("word", item[1][1:])
            inner = self.negation()
            return lambda entry: not inner(entry)
        if item == ("op", "("):
            self.take()
            inner = self.conjunction()
            if self.take() != ("op", ")"):
                raise ValueError("missing )")
            return inner
        return self.comparison()

    def comparison(self) -> Matcher:
        kind, value = self.take()
        if kind == "op":
            raise ValueError(f"unexpected {value!r}")
        fields = value.split(".") if kind == "word" else [value]
        while fields[-1] == "" and (item := self.peek()) is not None and item[0] == "str":
            fields[-1] = self.take()[1]  # labels."compute.googleapis.com/resource_name"
        op = self.take()
        if op[0] != "op" or op[1] in ("(", ")"):
            raise ValueError(f"expected a comparison after {'.'.join(fields)}")
        kind, value = self.take()
        if kind == "op":
            raise ValueError(f"expected a value after {op[1]}")
        return _compare(fields, op[1], value)


def parse_filter(text: str) -> Matcher:
    """A predicate over log entries (dicts, as served) for a logging query."""
    if not text.strip():
        return lambda _entry: True
    parser = _Parser(text)
    matcher = parser.conjunction()
    if parser.peek() is not None:
        raise ValueError(f"unexpected {parser.peek()[1]!r}")  # type: ignore[index]
    return matcher


def _lookup(entry: dict[str, Any], fields: list[str]) -> Any:
    value: Any = entry
    for name in fields:
        if not isinstance(value, dict) or name not in value:
            return None
        value = value[name]
    return value


def _ordered(fields: list[str], value: str) -> Any:
    if fields == ["severity"]:
        upper = value.upper()
        return GCP_SEVERITIES.index(upper) if upper in GCP_SEVERITIES else -1
    if fields[-1] in ("timestamp", "receiveTimestamp"):
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value


def _compare(fields: list[str], op: str, value: str) -> Matcher:
    def match(entry: dict[str, Any]) -> bool:
        found = _lookup(entry, fields)
        if found is None:
            return op == "!="
        if op == ":":
            return value.lower() in str(found).lower()
        if op in ("=~", "!~"):
            return (re.search(value, str(found)) is not None) == (op == "=~")
        left, right = _ordered(fields, str(found)), _ordered(fields, value)
        return bool({"=": left == right, "!=": left != right, "<": left < right, "<=": left <= right,
                     ">": left > right, ">=": left >= right}[op])

    return match
