"""GuardDuty findings on the sandbox's AWS endpoint, in GuardDuty's REST-JSON wire format
(``POST /detector/{id}/findings`` is ListFindings, ``.../findings/get`` is GetFindings).

moto keeps GuardDuty detectors (created, enabled or suspended, by the seeder) but has no
findings API, so ``GuardDutyMiddleware`` sits in front of it like the Cost Explorer one:
these two operations, signed for the ``guardduty`` service, are answered from the company's
planted findings (``sandbox/company.py``); everything else goes to moto."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox.company import Company, GuardDutyFinding

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
ACCOUNT = "123456789012"
_PATH = re.compile(r"^/detector/(?P<detector>[^/]+)/findings(?P<get>/get)?/?$")
# Credential=AKID/20261203/us-east-1/guardduty/aws4_request
_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/(?P<region>[^/]+)/(?P<service>[^/]+)/aws4_request")


class GuardDutyFindings:
    """The planted findings as GuardDuty returns them; ``instance_id`` names a seeded
    instance's id (known once the seeder has run)."""

    def __init__(self, company: Company, instance_id: Callable[[str], str]) -> None:
        self.company = company
        self.instance_id = instance_id

    def list_ids(self, region: str, body: dict[str, Any]) -> dict[str, Any]:
        archived = _archived_filter(body.get("findingCriteria") or {})
        found = [f.id for f in self.company.guardduty_findings
                 if f.region == region and (archived is None or f.archived == archived)]
        return {"findingIds": found[: int(body.get("maxResults") or 50)]}

    def get(self, region: str, body: dict[str, Any], detector: str) -> dict[str, Any]:
        wanted = set(body.get("findingIds") or [])
        return {"findings": [self._finding(f, detector) for f in self.company.guardduty_findings
                             if f.region == region and f.id in wanted]}

    def _finding(self, finding: GuardDutyFinding, detector: str) -> dict[str, Any]:
        seen = (datetime.now(UTC) - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        kind, name = finding.resource
        if kind == "instance":
            resource: dict[str, Any] = {"resourceType": "Instance",
                                        "instanceDetails": {"instanceId": self.instance_id(name)}}
        else:
            resource = {"resourceType": "S3Bucket",
                        "s3BucketDetails": [{"name": name, "arn": f"arn:aws:s3:::{name}", "type": "Destination"}]}
        return {
            "accountId": ACCOUNT, "id": finding.id, "partition": "aws", "region": finding.region,
            "arn": f"arn:aws:guardduty:{finding.region}:{ACCOUNT}:detector/{detector}/finding/{finding.id}",
            "createdAt": seen, "updatedAt": seen, "schemaVersion": "2.0", "type": finding.type,
            "title": finding.title, "description": finding.title, "severity": finding.severity,
            "confidence": 8.0, "resource": resource,
            "service": {"serviceName": "guardduty", "detectorId": detector, "archived": finding.archived,
                        "count": 1, "eventFirstSeen": seen, "eventLastSeen": seen},
        }


def _archived_filter(criteria: dict[str, Any]) -> bool | None:
    """The ``service.archived`` condition of a FindingCriteria (``eq``/``equals``), if any."""
    condition = (criteria.get("criterion") or {}).get("service.archived") or {}
    values = condition.get("eq") or condition.get("equals") or []
    return None if not values else str(values[0]).lower() == "true"


class GuardDutyMiddleware:
    """WSGI: GuardDuty's ListFindings/GetFindings go to ``findings``; everything else to ``app``."""

    def __init__(self, app: WsgiApp, findings: GuardDutyFindings) -> None:
        self.app = app
        self.findings = findings

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = _PATH.match(str(environ.get("PATH_INFO", "")))
        scope = _SCOPE.search(str(environ.get("HTTP_AUTHORIZATION", "")))
        if (environ.get("REQUEST_METHOD") != "POST" or path is None or scope is None
                or scope["service"] != "guardduty"):
            return self.app(environ, start_response)
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = json.loads(environ["wsgi.input"].read(length) or b"{}")
        except json.JSONDecodeError:
            return _reply(start_response, "400 Bad Request",
                          {"__type": "BadRequestException", "message": "The request body is not valid JSON."})
        region = scope["region"]
        if path["get"]:
            return _reply(start_response, "200 OK", self.findings.get(region, body, path["detector"]))
        return _reply(start_response, "200 OK", self.findings.list_ids(region, body))


def _reply(start_response: Callable[..., Any], status: str, payload: dict[str, Any]) -> list[bytes]:
    data = json.dumps(payload).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]
