"""The skill catalogue from docs/CONTRACT.md: every request is routed to exactly one of
these. RBAC policy files, audit records, metrics labels and evaluations use the names."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Skill:
    name: str
    agent: str
    purpose: str
    mutating: bool = False


SKILLS: tuple[Skill, ...] = (
    Skill("cost.summary", "cost", "spend for a period, by service/account/tag/region"),
    Skill("cost.anomalies", "cost", "unusual spend, spikes, what drove a jump"),
    Skill("cost.forecast", "cost", "projected spend for month/quarter/period"),
    Skill("cost.savings", "cost", "idle/oversized/unattached resources, rightsizing, RI/SP coverage"),
    Skill("security.posture", "security", "overall posture, score, compliance summary"),
    Skill("security.public_storage", "security", "public or unencrypted buckets/blobs"),
    Skill("security.open_ports", "security", "security groups / firewall rules open to the world"),
    Skill("security.iam", "security", "users without MFA, old or unused keys, admin grants, root use"),
    Skill("security.findings", "security", "findings from Security Hub / Defender / SCC, CVEs"),
    Skill("infra.inventory", "infrastructure", "list/count resources by type, region, tag, cloud"),
    Skill("infra.describe", "infrastructure", "details and health of one named resource"),
    Skill("infra.action", "infrastructure", "start/stop/reboot/scale/resize a resource", mutating=True),
    Skill("infra.logs", "infrastructure", "log lines/errors for a service, function or resource"),
    Skill("cicd.status", "cicd", "latest pipeline/workflow runs, deploy status"),
    Skill("cicd.failure", "cicd", "why a run or deploy failed, with the failing step's log"),
    Skill("cicd.rerun", "cicd", "re-run a failed workflow/job, trigger a deploy", mutating=True),
    Skill("cicd.changes", "cicd", "what changed/merged/deployed recently"),
    Skill("incident.list", "incident", "open/triggered incidents"),
    Skill("incident.oncall", "incident", "who is on call for a service/schedule"),
    Skill("incident.ack", "incident", "acknowledge an incident", mutating=True),
    Skill("incident.resolve", "incident", "resolve an incident", mutating=True),
    Skill("incident.brief", "incident", "summary of an incident: alert, impact, runbook, recent changes"),
    Skill("incident.page", "incident", "page/escalate to a person, team or service", mutating=True),
    Skill("knowledge.runbook", "knowledge", "how do I ..., what does alert X mean, runbook lookup"),
    Skill("help", "knowledge", "what can you do, usage"),
)

SKILL_BY_NAME: dict[str, Skill] = {skill.name: skill for skill in SKILLS}
AGENTS: tuple[str, ...] = ("cost", "security", "infrastructure", "cicd", "incident", "knowledge")


def agent_of(skill: str) -> str:
    return SKILL_BY_NAME[skill].agent
