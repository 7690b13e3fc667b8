"""A local stand-in for the PagerDuty REST API v2 (the parts Guardian's incident tools
call), over HTTPS with a throwaway CA (the ``pagerduty`` client refuses plain http).

It speaks the documented shapes: classic pagination ``{<things>: [...], limit, offset,
more, total}``, ``Authorization: Token token=...`` (401 ``Authentication failed``,
code 2006), 404 ``Not Found`` (code 2100), writes that require a ``From`` header naming a
user, and entity references (``{id, type: "..._reference", summary, self, html_url}``).
Writes change the served data and are recorded in ``calls``.
"""

from __future__ import annotations

import hmac
import secrets
import string
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox.http_standin import Call, Reply, RouteSpec, TlsStandIn, route
from sandbox.saas_company import (
    BOT,
    PagerDutyData,
    PdAlert,
    PdEscalationPolicy,
    PdIncident,
    PdLogEntry,
    PdNote,
    PdService,
    Person,
    build,
    iso,
)

WEB = "https://driftwood.pagerduty.example"  # html_url host: fictional
MAX_LIMIT = 100


def _error(status: int, message: str, code: int, errors: list[str] | None = None) -> Reply:
    body: dict[str, Any] = {"message": message, "code": code}
    if errors:
        body["errors"] = errors
    return Reply(status, {"error": body})


def _invalid(*errors: str) -> Reply:
    return _error(400, "Invalid Input Provided", 2001, list(errors))


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class PagerDutyStandIn(TlsStandIn):
    """PagerDuty REST API v2 for Driftwood Labs' services, on-calls and incidents."""

    ca_prefix = "guardian-pd-ca-"

    def __init__(self, data: PagerDutyData | None = None, *, api_key: str | None = None) -> None:
        self.data = data if data is not None else build().pagerduty
        self.api_key = api_key or "pd-sandbox-" + secrets.token_hex(12)
        self.from_email = BOT.email
        super().__init__()

    def env(self) -> dict[str, str]:
        """The variables that point Guardian (bot/settings.py) at this stand-in."""
        return {
            "PAGERDUTY_API_KEY": self.api_key,
            "PAGERDUTY_API_URL": self.url,
            "GUARDIAN_PAGERDUTY_CA_BUNDLE": str(self.ca_file),
            "GUARDIAN_PAGERDUTY_FROM_EMAIL": self.from_email,
        }

    # -- auth and errors
    def authenticate(self, call: Call) -> Reply | None:
        header = call.headers.get("authorization", "")
        prefix = "Token token="
        if not header.startswith(prefix) or not hmac.compare_digest(header[len(prefix):], self.api_key):
            return _error(401, "Authentication failed", 2006)
        return None

    def not_found(self) -> Reply:
        return _error(404, "Not Found", 2100)

    def _requester(self, call: Call) -> Person | None:
        email = call.headers.get("from", "").strip().lower()
        return next((u for u in self.data.users if u.email == email), None)

    # -- routing
    def routes(self) -> list[RouteSpec]:
        return [
            route("GET", "/incidents", self._incidents),
            route("POST", "/incidents", self._create_incident),
            route("GET", "/incidents/{incident_id}", self._incident),
            route("PUT", "/incidents/{incident_id}", self._update_incident),
            route("GET", "/incidents/{incident_id}/alerts", self._alerts),
            route("GET", "/incidents/{incident_id}/log_entries", self._log_entries),
            route("GET", "/incidents/{incident_id}/notes", self._notes),
            route("GET", "/services", self._services),
            route("GET", "/services/{item_id}", self._one(
                "service", lambda i: self.service_json(self.data.service(i)))),
            route("GET", "/escalation_policies", self._policies),
            route("GET", "/escalation_policies/{item_id}", self._one(
                "escalation_policy", lambda i: self.policy_json(self.data.policy(i)))),
            route("GET", "/schedules", self._schedules),
            route("GET", "/schedules/{item_id}", self._one("schedule", self.schedule_json)),
            route("GET", "/users", self._users),
            route("GET", "/users/{item_id}", self._one("user", lambda i: self.user_json(self.data.user_by_id(i)))),
            route("GET", "/teams", self._teams),
            route("GET", "/oncalls", self._oncalls),
        ]

    # -- representations
    def ref(self, kind: str, item_id: str, summary: str, collection: str) -> dict[str, Any]:
        return {"id": item_id, "type": f"{kind}_reference", "summary": summary,
                "self": f"{self.url}/{collection}/{item_id}", "html_url": f"{WEB}/{collection}/{item_id}"}

    def user_ref(self, handle: str) -> dict[str, Any]:
        user = next(u for u in self.data.users if u.handle == handle)
        return self.ref("user", user.pd_id, user.name, "users")

    def team_ref(self, team_id: str) -> dict[str, Any]:
        return self.ref("team", team_id, self.data.team(team_id).name, "teams")

    def service_ref(self, service_id: str) -> dict[str, Any]:
        return self.ref("service", service_id, self.data.service(service_id).name, "services")

    def policy_ref(self, policy_id: str) -> dict[str, Any]:
        return self.ref("escalation_policy", policy_id, self.data.policy(policy_id).name, "escalation_policies")

    def schedule_ref(self, schedule_id: str) -> dict[str, Any]:
        return self.ref("schedule", schedule_id, self.data.schedule(schedule_id).name, "schedules")

    def incident_ref(self, incident: PdIncident) -> dict[str, Any]:
        return self.ref("incident", incident.id, f"[#{incident.number}] {incident.title}", "incidents")

    def user_json(self, user: Person) -> dict[str, Any]:
        return {**self.ref("user", user.pd_id, user.name, "users"), "type": "user", "name": user.name,
                "email": user.email, "time_zone": "Europe/London", "color": "purple", "role": "user",
                "job_title": "Software Engineer", "description": "", "invitation_sent": False,
                "teams": [self.team_ref(t) for t in user.teams]}

    def service_json(self, service: PdService) -> dict[str, Any]:
        last = max((i.created_at for i in self.data.incidents if i.service == service.id), default=None)
        return {**self.ref("service", service.id, service.name, "services"), "type": "service",
                "name": service.name, "description": service.description, "status": service.status,
                "escalation_policy": self.policy_ref(service.escalation_policy),
                "teams": [self.team_ref(service.team)], "created_at": "2022-05-01T09:00:00Z",
                "last_incident_timestamp": iso(last) if last else None, "acknowledgement_timeout": None,
                "auto_resolve_timeout": 14400, "alert_creation": "create_alerts_and_incidents",
                "incident_urgency_rule": {"type": "constant", "urgency": "high"}}

    def policy_json(self, policy: PdEscalationPolicy) -> dict[str, Any]:
        rules = []
        for rule in policy.rules:
            target = (self.schedule_ref(rule.target_id) if rule.target_type == "schedule"
                      else self.user_ref(rule.target_id))
            rules.append({"id": f"{policy.id}R{rule.level}", "escalation_delay_in_minutes": 15,
                          "targets": [target]})
        return {**self.ref("escalation_policy", policy.id, policy.name, "escalation_policies"),
                "type": "escalation_policy", "name": policy.name, "description": "", "num_loops": 1,
                "on_call_handoff_notifications": "if_has_services", "escalation_rules": rules,
                "services": [self.service_ref(s.id) for s in self.data.services
                             if s.escalation_policy == policy.id],
                "teams": [self.team_ref(policy.team)]}

    def schedule_json(self, schedule_id: str) -> dict[str, Any]:
        schedule = self.data.schedule(schedule_id)
        return {**self.ref("schedule", schedule.id, schedule.name, "schedules"), "type": "schedule",
                "name": schedule.name, "time_zone": "Europe/London", "description": "",
                "users": [self.user_ref(schedule.oncall)], "teams": [self.team_ref(schedule.team)],
                "escalation_policies": [self.policy_ref(p.id) for p in self.data.escalation_policies
                                        if any(r.target_id == schedule.id for r in p.rules)]}

    def incident_json(self, incident: PdIncident) -> dict[str, Any]:
        service = self.data.service(incident.service)
        changes = [incident.created_at, *(at for _, at in incident.acknowledged_by)]
        if incident.resolved_at:
            changes.append(incident.resolved_at)
        updated = max([*changes, *(e.created_at for e in incident.log_entries)])
        triggered = sum(1 for a in incident.alerts if a.status == "triggered")
        return {
            **self.incident_ref(incident), "type": "incident", "incident_number": incident.number,
            "title": incident.title, "description": incident.title, "created_at": iso(incident.created_at),
            "updated_at": iso(updated), "status": incident.status, "incident_key": incident.incident_key,
            "service": self.service_ref(service.id), "urgency": incident.urgency, "priority": None,
            "assignments": [{"at": iso(incident.created_at), "assignee": self.user_ref(h)}
                            for h in incident.assignees] if incident.status != "resolved" else [],
            "assigned_via": "escalation_policy", "last_status_change_at": iso(max(changes)),
            "acknowledgements": [{"at": iso(at), "acknowledger": self.user_ref(h)}
                                 for h, at in incident.acknowledged_by] if incident.status == "acknowledged" else [],
            "resolved_at": iso(incident.resolved_at) if incident.resolved_at else None,
            "alert_counts": {"all": len(incident.alerts), "triggered": triggered,
                             "resolved": len(incident.alerts) - triggered},
            "escalation_policy": self.policy_ref(incident.escalation_policy),
            "teams": [self.team_ref(service.team)], "pending_actions": [], "is_mergeable": True,
            "first_trigger_log_entry": {"id": incident.log_entries[0].id if incident.log_entries else "",
                                        "type": "trigger_log_entry_reference"},
            "resolve_reason": None,
        }

    def alert_json(self, incident: PdIncident, alert: PdAlert) -> dict[str, Any]:
        return {
            "id": alert.id, "type": "alert", "summary": alert.summary, "self": f"{self.url}/alerts/{alert.id}",
            "html_url": f"{WEB}/alerts/{alert.id}", "created_at": iso(alert.created_at), "status": alert.status,
            "alert_key": f"{incident.incident_key}-{alert.id.lower()}", "severity": alert.severity,
            "suppressed": False, "service": self.service_ref(incident.service),
            "incident": self.incident_ref(incident),
            "body": {"type": "alert_body", "contexts": [],
                     "details": {**alert.details, "source": alert.source}},
        }

    def log_entry_json(self, incident: PdIncident, entry: PdLogEntry) -> dict[str, Any]:
        agent = (self.user_ref(entry.agent) if entry.agent else
                 {"id": "PINT001", "type": "generic_events_api_inbound_integration_reference",
                  "summary": "CloudWatch", "self": f"{self.url}/services/{incident.service}/integrations/PINT001",
                  "html_url": f"{WEB}/services/{incident.service}/integrations/PINT001"})
        return {"id": entry.id, "type": entry.type, "summary": entry.summary,
                "self": f"{self.url}/log_entries/{entry.id}", "html_url": None, "created_at": iso(entry.created_at),
                "agent": agent, "channel": {"type": entry.channel}, "service": self.service_ref(incident.service),
                "incident": self.incident_ref(incident), "teams": [], "contexts": [], "event_details": {}}

    def note_json(self, note: PdNote) -> dict[str, Any]:
        return {"id": note.id, "user": self.user_ref(note.author), "content": note.content,
                "created_at": iso(note.created_at), "channel": {"summary": "The PagerDuty website or APIs"}}

    # -- pagination
    def _page(self, call: Call, wrapper: str, items: list[Any]) -> Reply:
        try:
            limit = max(1, min(MAX_LIMIT, int(call.arg("limit") or 25)))
            offset = max(0, int(call.arg("offset") or 0))
        except ValueError:
            return _invalid("limit and offset must be integers")
        chunk = items[offset:offset + limit]
        total = len(items) if call.arg("total") == "true" else None
        return Reply(200, {wrapper: chunk, "limit": limit, "offset": offset,
                           "more": offset + limit < len(items), "total": total})

    @staticmethod
    def _query_match(call: Call, *texts: str) -> bool:
        query = (call.arg("query") or "").lower()
        return not query or any(query in text.lower() for text in texts)

    def _one(self, wrapper: str, render: Callable[[str], dict[str, Any]]) -> Callable[..., Reply]:
        """A handler for ``GET /<things>/{id}``: the wrapped entity, or PagerDuty's 404."""
        def handler(call: Call, item_id: str) -> Reply:  # noqa: ARG001
            try:
                return Reply(200, {wrapper: render(item_id)})
            except (StopIteration, KeyError):
                return self.not_found()
        return handler

    # -- read handlers
    def _find_incident(self, incident_id: str) -> PdIncident | None:
        return next((i for i in self.data.incidents if i.id == incident_id), None)

    def _incidents(self, call: Call) -> Reply:
        statuses = call.args("statuses")
        services = call.args("service_ids")
        teams = call.args("team_ids")
        users = call.args("user_ids")
        urgencies = call.args("urgencies")
        until = _parse_time(call.arg("until")) or _now() + timedelta(seconds=1)
        since = _parse_time(call.arg("since")) or until - timedelta(days=30)
        everything = call.arg("date_range") == "all"
        chosen = []
        for incident in self.data.incidents:
            service = self.data.service(incident.service)
            assignees = {self.user_ref(h)["id"] for h in incident.assignees}
            if ((statuses and incident.status not in statuses) or (services and incident.service not in services)
                    or (teams and service.team not in teams) or (users and not assignees & set(users))
                    or (urgencies and incident.urgency not in urgencies)
                    or (call.arg("incident_key") not in (None, incident.incident_key))):
                continue
            if not everything and not since <= incident.created_at < until:
                continue
            chosen.append(incident)
        field, _, direction = (call.arg("sort_by") or "created_at:asc").partition(":")
        chosen.sort(key=lambda i: i.number if field == "incident_number" else i.created_at,
                    reverse=direction == "desc")
        return self._page(call, "incidents", [self.incident_json(i) for i in chosen])

    def _incident(self, call: Call, incident_id: str) -> Reply:  # noqa: ARG002
        incident = self._find_incident(incident_id)
        return Reply(200, {"incident": self.incident_json(incident)}) if incident else self.not_found()

    def _alerts(self, call: Call, incident_id: str) -> Reply:
        incident = self._find_incident(incident_id)
        if incident is None:
            return self.not_found()
        statuses = call.args("statuses")
        alerts = [self.alert_json(incident, a) for a in incident.alerts if not statuses or a.status in statuses]
        return self._page(call, "alerts", alerts)

    def _log_entries(self, call: Call, incident_id: str) -> Reply:
        incident = self._find_incident(incident_id)
        if incident is None:
            return self.not_found()
        entries = sorted(incident.log_entries, key=lambda e: e.created_at, reverse=True)
        return self._page(call, "log_entries", [self.log_entry_json(incident, e) for e in entries])

    def _notes(self, call: Call, incident_id: str) -> Reply:  # noqa: ARG002
        incident = self._find_incident(incident_id)
        if incident is None:
            return self.not_found()
        return Reply(200, {"notes": [self.note_json(n) for n in incident.notes]})

    def _services(self, call: Call) -> Reply:
        teams = call.args("team_ids")
        items = [self.service_json(s) for s in self.data.services
                 if self._query_match(call, s.name) and (not teams or s.team in teams)]
        return self._page(call, "services", items)

    def _policies(self, call: Call) -> Reply:
        teams = call.args("team_ids")
        items = [self.policy_json(p) for p in self.data.escalation_policies
                 if self._query_match(call, p.name) and (not teams or p.team in teams)]
        return self._page(call, "escalation_policies", items)

    def _schedules(self, call: Call) -> Reply:
        items = [self.schedule_json(s.id) for s in self.data.schedules if self._query_match(call, s.name)]
        return self._page(call, "schedules", items)

    def _users(self, call: Call) -> Reply:
        teams = call.args("team_ids")
        items = [self.user_json(u) for u in self.data.users
                 if self._query_match(call, u.name, u.email) and (not teams or set(u.teams) & set(teams))]
        return self._page(call, "users", items)

    def _teams(self, call: Call) -> Reply:
        items = [{**self.team_ref(t.id), "type": "team", "name": t.name, "description": t.description}
                 for t in self.data.teams if self._query_match(call, t.name)]
        return self._page(call, "teams", items)

    def _oncalls(self, call: Call) -> Reply:
        policies = call.args("escalation_policy_ids")
        schedules = call.args("schedule_ids")
        users = call.args("user_ids")
        rows = []
        for policy in self.data.escalation_policies:
            if policies and policy.id not in policies:
                continue
            for level, handle, schedule in self.data.oncall(policy.id):
                user = self.user_ref(handle)
                if (schedules and (schedule is None or schedule.id not in schedules)) or (
                        users and user["id"] not in users):
                    continue
                rows.append({
                    "escalation_policy": self.policy_ref(policy.id), "escalation_level": level,
                    "schedule": self.schedule_ref(schedule.id) if schedule else None, "user": user,
                    "start": iso(schedule.shift_start) if schedule else None,
                    "end": iso(schedule.shift_end) if schedule else None,
                })
        return self._page(call, "oncalls", rows)

    # -- writes
    def _entity(self, call: Call, wrapper: str) -> dict[str, Any] | None:
        body = call.body if isinstance(call.body, dict) else {}
        entity = body.get(wrapper)
        return entity if isinstance(entity, dict) else None

    def _log(self, incident: PdIncident, kind: str, agent: Person, summary: str) -> None:
        entry_id = "R" + "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(13))
        incident.log_entries.append(PdLogEntry(entry_id, kind, _now(), agent.handle, summary))

    def _assignees(self, entity: dict[str, Any]) -> list[str] | None:
        """Handles from ``assignments``; None when one names no known user."""
        handles = []
        for assignment in entity.get("assignments") or []:
            user_id = (assignment.get("assignee") or {}).get("id")
            user = next((u for u in self.data.users if u.pd_id == user_id), None)
            if user is None:
                return None
            handles.append(user.handle)
        return handles

    def _oncall_at(self, policy_id: str, level: int) -> list[str]:
        return [handle for lvl, handle, _ in self.data.oncall(policy_id) if lvl == level]

    def _update_incident(self, call: Call, incident_id: str) -> Reply:
        incident = self._find_incident(incident_id)
        if incident is None:
            return self.not_found()
        requester = self._requester(call)
        if requester is None:
            return _invalid("Requester User Not Found: the From header must be the email of a user")
        entity = self._entity(call, "incident")
        if entity is None or entity.get("type") not in ("incident", "incident_reference"):
            return _invalid("Incident must be an object of type incident or incident_reference")
        status = entity.get("status")
        if status is not None and status not in ("acknowledged", "resolved"):
            return _invalid("Status must be acknowledged or resolved")
        if incident.status == "resolved" and (status or entity.get("assignments") or entity.get("escalation_level")):
            return _invalid("Incident Already Resolved")
        if status == "acknowledged":
            incident.status = "acknowledged"
            incident.acknowledged_by.append((requester.handle, _now()))
            self._log(incident, "acknowledge_log_entry", requester, f"Acknowledged by {requester.name}")
        elif status == "resolved":
            incident.status, incident.resolved_at = "resolved", _now()
            incident.alerts = [PdAlert(a.id, a.summary, a.severity, "resolved", a.created_at, a.source, a.details)
                               for a in incident.alerts]
            self._log(incident, "resolve_log_entry", requester, f"Resolved by {requester.name}")
        if "assignments" in entity:
            handles = self._assignees(entity)
            if not handles:
                return _invalid("Assignee Not Found")
            incident.assignees, incident.status = handles, "triggered"
            self._log(incident, "assign_log_entry", requester, "Reassigned to " + ", ".join(handles))
        if "escalation_policy" in entity:
            policy_id = (entity["escalation_policy"] or {}).get("id")
            if policy_id not in {p.id for p in self.data.escalation_policies}:
                return _invalid("Escalation Policy Not Found")
            incident.escalation_policy, incident.escalation_level = policy_id, 1
            incident.assignees, incident.status = self._oncall_at(policy_id, 1), "triggered"
            self._log(incident, "assign_log_entry", requester, f"Reassigned to {self.data.policy(policy_id).name}")
        if "escalation_level" in entity:
            level = int(entity["escalation_level"])
            oncall = self._oncall_at(incident.escalation_policy, level)
            if not oncall:
                return _invalid("Escalation level does not exist")
            incident.escalation_level, incident.assignees, incident.status = level, oncall, "triggered"
            self._log(incident, "escalate_log_entry", requester, f"Escalated to level {level}")
        return Reply(200, {"incident": self.incident_json(incident)})

    def _create_incident(self, call: Call) -> Reply:
        requester = self._requester(call)
        if requester is None:
            return _invalid("Requester User Not Found: the From header must be the email of a user")
        entity = self._entity(call, "incident")
        if entity is None or entity.get("type") != "incident" or not entity.get("title"):
            return _invalid("Incident must be an object of type incident with a title")
        service_id = (entity.get("service") or {}).get("id")
        service = next((s for s in self.data.services if s.id == service_id), None)
        if service is None:
            return _invalid("Service Not Found")
        key = entity.get("incident_key") or secrets.token_hex(16)
        if any(i.incident_key == key and i.open and i.service == service.id for i in self.data.incidents):
            return _invalid(f"Open incident with key '{key}' already exists")
        policy_id = (entity.get("escalation_policy") or {}).get("id") or service.escalation_policy
        if policy_id not in {p.id for p in self.data.escalation_policies}:
            return _invalid("Escalation Policy Not Found")
        if "assignments" in entity:
            assignees = self._assignees(entity)
            if not assignees:
                return _invalid("Assignee Not Found")
        else:
            assignees = self._oncall_at(policy_id, 1)
        incident_id = "P" + "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(5)) + "7"
        created = _now()
        details = (entity.get("body") or {}).get("details") or ""
        incident = PdIncident(
            incident_id, max(i.number for i in self.data.incidents) + 1, str(entity["title"]), service.id,
            "triggered", "low" if entity.get("urgency") == "low" else "high", created,
            assignees, policy_id, incident_key=key,
            alerts=[PdAlert("PA" + incident_id[1:], str(entity["title"]), "critical", "triggered", created, "api",
                            {"details": str(details)})],
        )
        self._log(incident, "trigger_log_entry", requester, f"Triggered through the API by {requester.name}")
        self._log(incident, "assign_log_entry", requester, "Assigned to " + ", ".join(assignees))
        self.data.incidents.append(incident)
        return Reply(201, {"incident": self.incident_json(incident)})
