"""The six agents, each owning its planning: which of its skills' tools to call, how the
router's slots become their arguments, which runbook topic to cite beside the facts, and
what to say when an argument is missing. The graph gives each its own node; what they
share (running reads, proposing a write for approval) lives in the graph, what differs
lives here.

Tools are data: a specialist never names a tool except the runbook search, it takes the
registry's tools for the routed skill (each tool declares its skills)."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from agents.focus import MACHINE_OFF
from agents.followup import ABOUT
from agents.planner import RUNBOOK_TOOL, Plan, PlannedCall, asked_for, candidate_values, fill_args
from agents.route import Route
from agents.skills import AGENTS, SKILLS
from agents.slots.entities import find_region, named_services
from agents.slots.vocabulary import CLOUD_PATTERNS
from tools.base import ToolSpec
from tools.registry import ToolRegistry
from tools.resolve import Phrase


@dataclass(frozen=True)
class RunbookSearch:
    """One search for the runbook beside an answer, and whether its best passage fits (None:
    whatever it finds)."""

    query: str
    fits: Callable[[Mapping[str, Any]], bool] | None = None


_STOP_WORDS = frozenset("a an the of or and to in on for at by with above below over under than is are".split())


def _content_words(text: str) -> set[str]:
    return {word for word in re.findall(r"[a-z0-9]+", text.lower()) if word not in _STOP_WORDS and len(word) > 1}


@dataclass(frozen=True)
class Specialist:
    """One agent of the graph. Subclasses change how slots become arguments; the fields say
    which runbook topics are cited beside each skill's facts (searched, never a file name,
    so a team's own runbooks win when they match better) and how a missing argument is
    asked for."""

    name: str
    runbook_topics: Mapping[str, str] = field(default_factory=dict)
    missing_example: str = ""
    # (skill, cloud) -> topic, when the plan reads one cloud whose problem has its own
    # runbook: an NSG question cites the NSG runbook, not the AWS security-group one
    cloud_topics: Mapping[tuple[str, str], str] = field(default_factory=dict)

    @property
    def skills(self) -> tuple[str, ...]:
        return tuple(skill.name for skill in SKILLS if skill.agent == self.name)

    def argument_values(self, route: Route) -> dict[str, Any]:
        """Every argument value the slots supply for this agent's tools."""
        return candidate_values(route)

    def plan(self, route: Route, registry: ToolRegistry, configured: Collection[str] | None = None) -> Plan:
        """The calls the offline agent makes for ``route``. Tools of integrations that are not
        configured are skipped when the skill has others; if it has none, they run anyway so
        the user reads the clear "not configured" sentence."""
        plan = Plan()
        values = self.argument_values(route)
        specs = [spec for spec in registry.for_skill(route.skill) if spec.name != RUNBOOK_TOOL]
        cloud = route.slots.get("cloud")
        if cloud:
            named = [spec for spec in specs if spec.integration in (cloud, "knowledge")]
            if not named and any(spec.integration in CLOUDS for spec in specs):
                # Another cloud's answer would read as this one's: say so instead.
                plan.unsupported = unsupported_cloud_note(route.skill, str(cloud), specs)
                return plan
            specs = named or specs
        else:
            named_only = {toolset.name for toolset in registry.toolsets() if toolset.only_when_named}
            wanted = wanted_clouds(route.text)
            specs = [spec for spec in specs
                     if spec.integration not in named_only or spec.integration in wanted] or specs
            if len(wanted) > 1 and wanted != set(CLOUDS):  # "across aws and azure": those two, not a third
                specs = [spec for spec in specs
                         if spec.integration not in CLOUDS or spec.integration in wanted] or specs
            # "aws, azure and gcp spend": a cloud named beside others that has no tool for the
            # skill is said to be left out, not silently dropped from an answer about the rest
            plan.unsupported = uncovered_clouds_note(route.skill, named_clouds(route.text), specs)
        if configured is not None:
            specs = [spec for spec in specs if spec.integration in configured] or specs
        if not cloud and not ALL_CLOUDS.search(route.text) and not self.any_cloud(route):
            specs = primary_cloud_only(specs)
        for spec in specs:
            if not asked_for(spec.args_model, values):
                continue
            args, missing = fill_args(spec.args_model, values)
            if args is None:
                plan.missing.extend(name for name in missing if name not in plan.missing)
                continue
            call = PlannedCall(spec, args)
            if spec.mutating:
                plan.write = plan.write or call
            else:
                plan.reads.append(call)
        plan.reads = skill_first(plan.reads, route.skill)
        plan.runbook_query = self.runbook_topic(route.skill, plan) if RUNBOOK_TOOL in registry else None
        return plan

    def any_cloud(self, route: Route) -> bool:  # noqa: ARG002
        """Whether a request naming no cloud is asked of every cloud with a tool for it (a
        thing named by its name may live in any of them), not only the primary one."""
        return False

    def runbook_searches(self, route: Route, plan: Plan,
                         calls: Sequence[Mapping[str, Any]]) -> list[RunbookSearch]:  # noqa: ARG002
        """What the runbook is searched with once the reads are back, in order: the first search
        whose best passage fits is cited. By default one search, the skill's topic and the words
        asked (none: no runbook beside this answer)."""
        return [RunbookSearch(f"{plan.runbook_query}. {route.text}")] if plan.runbook_query else []

    def runbook_topic(self, skill: str, plan: Plan) -> str | None:
        """The skill's topic, or its cloud's own when every planned call is on one cloud."""
        clouds = plan_clouds(plan)
        if len(clouds) == 1 and (skill, cloud := next(iter(clouds))) in self.cloud_topics:
            return self.cloud_topics[(skill, cloud)]
        return self.runbook_topics.get(skill)

    def missing_note(self, plan: Plan) -> str | None:
        if plan.unsupported:
            return plan.unsupported
        if not plan.missing:
            return None
        example = f" (for example '{self.missing_example}')" if self.missing_example else ""
        return f"To do that I need: {', '.join(plan.missing)}{example}."


CLOUDS = ("aws", "azure", "gcp")
# "across aws and azure", "aws + azure", "in every cloud", "azure compared to aws": the request
# wants each named cloud's answer
ALL_CLOUDS = re.compile(r"\b(?:all|every|each|both|across|multi|any)[- ](?:\w+ )?clouds?\b|\bclouds\b|"
                        r"\b(?:aws|azure|gcp)\b.*(?:\b(?:and|&|,|vs|versus|against|than|or)|\+|\bcompared?\s+(?:to|with))"
                        r"\s+(?:(?:on|in|for|what|we|spend|pay|run)\s+){0,4}(?:aws|azure|gcp)\b", re.IGNORECASE)


EVERY_CLOUD = re.compile(r"\b(?:all|every|each|across|multi|any)[- ](?:\w+ )?clouds?\b|\bclouds\b", re.IGNORECASE)
CLOUD_NAMES = {"aws": "AWS", "azure": "Azure", "gcp": "Google Cloud"}


def wanted_clouds(text: str) -> set[str]:
    """The clouds a request that fills no single ``cloud`` slot names ("across aws, azure and
    gcp"), or every cloud when it asks about all of them ("any cloud", "every cloud")."""
    return set(CLOUDS) if EVERY_CLOUD.search(text) else named_clouds(text)


def named_clouds(text: str) -> set[str]:
    """The clouds the words name by name ("aws and gcp"), not by "every cloud"."""
    lowered = text.lower()
    return {cloud for cloud, pattern in CLOUD_PATTERNS if cloud in CLOUDS and pattern.search(lowered)}


def uncovered_clouds_note(skill: str, named: set[str], specs: list[ToolSpec]) -> str | None:
    """Which of several clouds named has no tool for ``skill`` while the others do: "Guardian
    cannot answer this for Google Cloud yet (...); this answer covers AWS and Azure only." """
    covered = [c for c in CLOUDS if c in named and any(spec.integration == c for spec in specs)]
    uncovered = [c for c in CLOUDS if c in named and c not in covered]
    if len(named) < 2 or not covered or not uncovered:
        return None
    purpose = next((s.purpose for s in SKILLS if s.name == skill), skill)
    return (f"Guardian cannot answer this for {' or '.join(CLOUD_NAMES[c] for c in uncovered)} yet "
            f"({skill}: {purpose}); this answer covers {' and '.join(CLOUD_NAMES[c] for c in covered)} only.")


def plan_clouds(plan: Plan) -> set[str]:
    """The clouds a plan's calls go to (its reads and its write)."""
    calls = [*plan.reads, *([plan.write] if plan.write else [])]
    return {call.spec.integration for call in calls if call.spec.integration in CLOUDS}


def unsupported_cloud_note(skill: str, cloud: str, specs: list[ToolSpec]) -> str:
    """What to say when the named cloud has no tool for ``skill``: which clouds have one."""
    purpose = next((s.purpose for s in SKILLS if s.name == skill), skill)
    others = [CLOUD_NAMES[c] for c in CLOUDS if any(spec.integration == c for spec in specs)]
    return (f"Guardian cannot answer this for {CLOUD_NAMES.get(cloud, cloud)} yet ({skill}: {purpose}); "
            f"it can for {' and '.join(others)}. Ask again naming one of them.")


def skill_first(reads: list[PlannedCall], skill: str) -> list[PlannedCall]:
    """The skill's own tools first, tools lent by another skill after them (the recent
    changes beside an incident brief): the answer's lead is the first result's, and it must
    be the fact asked for (the incident), not the context around it. Otherwise in order."""
    return sorted(reads, key=lambda call: call.spec.skills[:1] != (skill,))


def primary_cloud_only(specs: list[ToolSpec]) -> list[ToolSpec]:
    """A request that names no cloud is answered by the first cloud with a tool for it (the
    registry's order: AWS, then the others); a cloud's own words ("NSG", "storage account")
    or its name route to it instead (the ``cloud`` slot)."""
    clouds = [spec.integration for spec in specs if spec.integration in CLOUDS]
    if not clouds:
        return specs
    return [spec for spec in specs if spec.integration not in CLOUDS or spec.integration == clouds[0]]


# A scanner the request names by its service ("what has guardduty flagged"): its own findings
# lead the answer, the other scanner's follow (the lead and the first table are the first read's).
NAMED_SCANNER_TOOL = {"guardduty": "aws_guardduty_findings", "securityhub": "aws_security_hub_findings"}


@dataclass(frozen=True)
class SecurityAgent(Specialist):
    def plan(self, route: Route, registry: ToolRegistry, configured: Collection[str] | None = None) -> Plan:
        plan = super().plan(route, registry, configured)
        wanted = NAMED_SCANNER_TOOL.get(str(route.slots.get("aws_service") or ""))
        if wanted and any(call.spec.name == wanted for call in plan.reads):
            plan.reads = sorted(plan.reads, key=lambda call: call.spec.name != wanted)
        set_aside = scanners_ruled_out(route.text)
        kept = [call for call in plan.reads if call.spec.name not in set_aside]
        if any(call.spec.name in NAMED_SCANNER_TOOL.values() for call in kept):
            # "from security hub, not guardduty": the scanner the words rule out is not read (while
            # another one still answers)
            plan.reads = kept
        return plan

    def argument_values(self, route: Route) -> dict[str, Any]:
        values = candidate_values(route)
        name = route.slots.get("resource_name")
        if route.skill == "security.public_storage" and name and "bucket" not in values:
            # "is acme-tf-state public?": a bucket's full name, said without the word "bucket"
            values["bucket"] = name
        pasted = buckets_of_arns(route.slots.get("resource_ids"))
        if route.skill == "security.public_storage" and len(pasted) == 1 and "bucket" not in values:
            # "arn:aws:s3:::acme-exports - is this public?": a pasted bucket ARN names the bucket
            values["bucket"] = pasted[0]
        if values.get("region") and (region_only_in_coverage_question(route.text)
                                     or coverage_asked_of_another_place(route.text, str(values["region"]))):
            # "list the findings - and is guardduty even on in eu?": the region is where the person
            # asks whether the scanner runs, not a filter of the list; the whole list says where it
            # is off (and, filtered, it would hide every region's findings but that one)
            values.pop("region")
        if route.skill == "security.public_storage" and SOMETHING_ELSE.search(route.text):
            # "the assets bucket is public on purpose, but is anything else?": the bucket named is
            # set aside, the question is about every other one
            values.pop("bucket", None)
        return values


# An S3 bucket's ARN (arn:aws:s3:::name, or an object's arn:aws:s3:::name/key), in any partition
_BUCKET_ARN = re.compile(r"^arn:aws[\w-]*:s3:::([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:/.*)?$", re.I)


def buckets_of_arns(ids: Any) -> list[str]:
    """The buckets the S3 ARNs among ``ids`` name (an object's ARN names its bucket), in order."""
    found = [m.group(1).lower() for i in (ids if isinstance(ids, list) else [ids] if ids else [])
             if (m := _BUCKET_ARN.match(str(i)))]
    return list(dict.fromkeys(found))


# A question of whether something runs in a place: "is it even switched on in eu", "do we have
# guardduty enabled in eu-west-1", "is the detector turned on over there".
_COVERAGE_QUESTION = re.compile(
    r"\b(?:enabled|disabled|switched\s+(?:on|off)|turned\s+(?:on|off)|on|off|running|active|activated|"
    r"set\s+up|configured|deployed)\s+(?:in|for|across|over)\b", re.I)
# Where one clause of a request ends: a sentence's end, or "and"/"also"/"btw" opening a new question.
_CLAUSE_BREAK = re.compile(r"[.?!;\n]+|\s+-\s+|,?\s+(?:and|also|btw|plus|oh and)\s+(?=(?:tbh\s+|also\s+)?"
                           r"(?:is|are|do|does|did|have|has|was|were|can|could)\b)", re.I)


def region_only_in_coverage_question(text: str) -> bool:
    """The request's region is said only in a question of whether something is switched on
    there, and another clause asks for something else (what the region would wrongly filter)."""
    clauses = [clause.strip() for clause in _CLAUSE_BREAK.split(text) if clause and clause.strip()]
    placed = [clause for clause in clauses if find_region(clause.lower())]
    return (len(clauses) > len(placed) and bool(placed)
            and all(_COVERAGE_QUESTION.search(clause) for clause in placed))


# A yes/no question of whether something is switched on, its state said last (or before its place):
# "is the eu detector even running", "are the apac ones enabled at all", "is it on in eu-west-1".
_STATE_QUESTION = re.compile(
    r"^\W*(?:\w+\W+){0,3}?(?:is|are|do|does|has|have|was|were)\b.*\b(?:enabled|disabled|switched\s+(?:on|off)|"
    r"turned\s+(?:on|off)|on|off|running|active|activated|set\s+up|configured|deployed)(?:\s+at\s+all)?"
    r"(?:\s+(?:in|for|over|across)\s+(?:the\s+)?[\w-]+(?:\s+[\w-]+)?)?(?:\s+at\s+all)?\W*$", re.I)
# A place said as an adjective before the thing ("the eu detector", "our us ones"), which no region
# pattern reads (a bare "eu" or "us" is a place only after a preposition)
_PLACE_ADJECTIVE = re.compile(r"\b(?:the|our|that|those)\s+(eu|us|europe(?:an)?|apac|emea|asia)\b", re.I)


def coverage_asked_of_another_place(text: str, region: str) -> bool:
    """One clause asks whether something is switched on in a place, and the request's region is
    said in another clause: "is the eu detector even running? and what has it found in
    us-east-1" wants both answers, which a filter on us-east-1 alone would not give."""
    clauses = [clause.strip() for clause in _CLAUSE_BREAK.split(text) if clause and clause.strip()]
    return any(region.lower() not in clause.lower() and _STATE_QUESTION.search(clause)
               and (find_region(clause.lower()) or _PLACE_ADJECTIVE.search(clause))
               for clause in clauses)


# A scanner the words set aside: "not guardduty", "skip GD", "without the security hub ones",
# "rather than sec hub".
_SCANNER_RULED_OUT = re.compile(
    r"\b(?:not|without|except(?:\s+for)?|excluding|skip(?:ping)?|minus|ignor(?:e|ing)|rather than|instead of|"
    r"other than|apart from|leave out|leaving out)\s+(?:(?:the|from|any|anything from|stuff from|ones from)\s+)?"
    r"(guard\s?duty|gd|sec(?:urity)?\s?hub)\b", re.I)


def scanners_ruled_out(text: str) -> set[str]:
    """The finding tools of the scanners ``text`` rules out by name."""
    found: set[str] = set()
    for match in _SCANNER_RULED_OUT.finditer(text):
        word = re.sub(r"\s", "", match.group(1).lower())
        found.add(NAMED_SCANNER_TOOL["guardduty" if word in ("guardduty", "gd") else "securityhub"])
    return found


# Asking beyond what was named: "anything else", "any other buckets", "which others".
SOMETHING_ELSE = re.compile(r"\b(?:anything|anyone|anybody|something|what|which|who|where|any)\s+else\b|"
                            r"\bany\s+others?\b|\b(?:which|what)\s+others\b|\bother\s+(?:buckets?|ones|accounts?)\b",
                            re.I)


@dataclass(frozen=True)
class CostAgent(Specialist):
    def plan(self, route: Route, registry: ToolRegistry, configured: Collection[str] | None = None) -> Plan:
        plan = super().plan(route, registry, configured)
        region = route.slots.get("region")
        if region:
            plan.reads = [by_region_when_unfiltered(call) for call in plan.reads]
        return plan

    def argument_values(self, route: Route) -> dict[str, Any]:
        values = candidate_values(route)
        service = route.slots.get("service")
        if service and service != route.slots.get("resource_name"):
            # "what did analytics cost": the application's spend (its `service` tag), not the
            # account's; a resource's own name ("checkout-web") is no tag value
            values["app_service"] = service
        if str(values.get("group_by") or "") == "tag:team":
            # "what did the storefront team cost" is spend tagged team=storefront (the slot
            # fills the tool's ``team``), but a grouping by team already shows every team
            values.pop("team", None)
        azure_service = azure_service_named(route)
        if azure_service:  # "what did our azure vms cost": that service's spend (Azure's own name for it)
            values["service_name"] = azure_service
        if route.skill == "cost.anomalies" and day_of_an_event(route.text, route.slots.get("time_range")):
            # "did the deploy on tuesday blow up our costs": the day another event happened
            # is where the spend to explain starts, and its effect runs on to today
            values["end"] = (datetime.now(UTC).date() + timedelta(days=1)).isoformat()
        if route.skill == "cost.forecast":
            # A forecast looks ahead: "this month" means to its end, which is the tool's
            # default, not the slot's "up to today"; a period ending later ("this quarter",
            # "next month", "by year end") keeps its end, so the figure covers what was asked;
            # a period starting after today ("next month", "next quarter") is forecast alone,
            # not run on from today.
            start, end = values.get("start"), values.get("end")
            today = datetime.now(UTC).date()
            budget = budget_named(route.text)
            if budget is not None:  # "we have 25k for this month, will we go over?"
                values["budget"] = budget
            values = {key: value for key, value in values.items() if key not in ("start", "end")}
            if isinstance(end, str) and end > month_after(today).isoformat():
                values["end"] = end
                if isinstance(start, str) and start[:10] > today.isoformat():
                    values["start"] = start[:10]
        return values


# An event of another domain dated by a one-day period right after it: "the deploy on tuesday",
# "the migration last monday", "that outage on the 3rd", "our release on 2026-11-30".
_EVENT_BEFORE_DAY = re.compile(r"\b(?:deploy\w*|releas\w*|roll-?outs?|rolled out|launch\w*|migrat\w*|incidents?|"
                               r"outages?|changes?|upgrades?|cut-?overs?|shipped|went out|went live|scan)"
                               r"(?:\s+(?:we|they|that|which)\s+(?:did|had|ran|made))?\s+$", re.I)


def day_of_an_event(text: str, time_range: object) -> bool:
    """Whether the request's period is one day, named as the day another event (a deploy, an
    incident, a migration) happened: a cost question about it asks what followed that day."""
    if not isinstance(time_range, dict) or not time_range.get("label"):
        return False
    try:
        start, end = (date.fromisoformat(str(time_range[key])[:10]) for key in ("start", "end"))
        days = (end - start).days
    except (KeyError, ValueError):
        return False
    at = text.lower().find(str(time_range["label"]).lower())
    return days == 1 and at > 0 and bool(_EVENT_BEFORE_DAY.search(text[:at]))


# Azure services by the words people use for them ("vms", "blob storage", "egress"); the
# Cost Management tool maps each to its ServiceName.
_AZURE_SERVICE_WORDS = (("vms", re.compile(r"\b(?:virtual machines?|vms?)\b", re.I)),
                        ("storage", re.compile(r"\b(?:storage(?: accounts?)?|blobs?)\b", re.I)),
                        ("bandwidth", re.compile(r"\b(?:bandwidth|egress|data transfer)\b", re.I)),
                        ("vnet", re.compile(r"\b(?:virtual networks?|vnets?)\b", re.I)))
_MACHINE_TYPES = ("ec2", "vm", "instance")


def azure_service_named(route: Route) -> str | None:
    """The one Azure service a spend question names ("azure vm spend", "our blob storage bill"),
    said as the words say it; None for none or several (several are set side by side, by service)."""
    named = [name for name, words in _AZURE_SERVICE_WORDS if words.search(route.text)]
    if not named and route.slots.get("resource_type") in _MACHINE_TYPES:
        named = ["vms"]
    return named[0] if len(named) == 1 else None


# A sum of money said beside a word of a budget: "a 25k budget", "$40,000 cap", "we've got
# 12.5k for aws", "limit of 30000 usd". Without such a word a figure is no budget ("the $500 volume").
_MONEY = re.compile(r"(?<![\w.])(?:\$\s?(\d[\d,]*(?:\.\d+)?)\s*([km])?\b|(\d[\d,]*(?:\.\d+)?)\s*(?:([km])\b|"
                    r"(?=\s*(?:usd|dollars|bucks)\b)))", re.I)
_BUDGET_WORDS = re.compile(r"\b(?:budget\w*|cap|capped|limit|allowance|allocations?|allotted|allocated|go(?:ing)? over|"
                           r"exceed\w*|"
                           r"overspend\w*|stay under|we(?:'ve| have) got|we have)\b", re.I)
_MULTIPLIERS = {"k": 1_000, "m": 1_000_000}
# A bare figure (no $, k or usd) is a budget only said right beside a budget noun: "the budget's
# 18,000", "budget of 20000", "vs the 16,000 budget", "a 9,500 monthly cap". It has thousands
# grouped or three digits at least and is no year ("the 2027 budget"), nor a count ("q1 budget").
_BARE_FIGURE = r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{3,}(?:\.\d+)?)(?!\d|,\d)"
_BUDGET_NOUN = r"(?:budget|cap|limit|allowance|allocation)"
_BARE_BUDGET = re.compile(rf"\b{_BUDGET_NOUN}s?(?:'s|\s+is|\s+of|\s+was|\s+at|\s*[:=])?\s+(?:set\s+(?:at|to)\s+)?"
                          rf"{_BARE_FIGURE}|(?<![\w.,]){_BARE_FIGURE}\s+(?:[a-z]+\s+)?{_BUDGET_NOUN}\b", re.I)


def _bare_budget(text: str) -> float | None:
    """A figure said without a currency right beside a budget noun, in dollars, or None."""
    for match in _BARE_BUDGET.finditer(text):
        digits = match.group(1) or match.group(2)
        if "," not in digits and "." not in digits and len(digits) == 4 and 1900 <= int(digits) < 2200:
            continue  # a year
        amount = float(digits.replace(",", ""))
        if amount > 0:
            return amount
    return None


def budget_named(text: str) -> float | None:
    """The budget figure a forecast question names, in dollars, or None."""
    if not _BUDGET_WORDS.search(text):
        return None
    match = _MONEY.search(text)
    if not match:
        return _bare_budget(text)
    digits, unit = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
    try:
        amount = float(digits.replace(",", ""))
    except ValueError:
        return None
    amount *= _MULTIPLIERS.get((unit or "").lower(), 1)
    return amount if amount > 0 else None


def month_after(day: date) -> date:
    """The first day of the month after ``day``'s: where a forecast stops by default."""
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def by_region_when_unfiltered(call: PlannedCall) -> PlannedCall:
    """"spend in eu-west-1" to a cost tool that cannot filter by region but can group by it:
    grouped by region, so the region asked about has its own line (and the others beside it)
    instead of an account-wide total that never names it."""
    fields = call.spec.args_model.model_fields
    if "region" in fields or "group_by" not in fields or call.args.get("group_by"):
        return call
    args, _missing = fill_args(call.spec.args_model, {**call.args, "group_by": "region"})
    return PlannedCall(call.spec, args) if args is not None and args.get("group_by") == "region" else call


# A listing narrowed to what is switched off: "which ones are stopped", "anything shut down?"
STOPPED_WORDS = re.compile("|".join(MACHINE_OFF), re.I)
NOT_STOPPED = re.compile(r"\b(?:not|n't|never|isn'?t|aren'?t)\s+(?:been\s+)?(?:stopped|shut|powered|turned)\b", re.I)
# The resource groups themselves asked for ("which resource groups do we have", "list our rgs"),
# not a grouping of other resources by them ("vms by resource group").
GROUPS_LISTED = re.compile(r"\b(?:which|what|list|show|all|our|any|many)\s+(?:\w+\s+){0,2}?"
                           r"(?:resource[- ]groups|rgs)\b", re.I)


@dataclass(frozen=True)
class InfrastructureAgent(Specialist):
    NAMES_A_RESOURCE = ("infra.action", "infra.describe")

    def any_cloud(self, route: Route) -> bool:
        """"is web-2 running?": a resource named by its Name, with no id or cloud saying where,
        is looked up in every cloud; the ones that do not have it say so in one line."""
        slots = route.slots
        return route.skill == "infra.describe" and bool(slots.get("resource_name")) and not slots.get("resource_ids")

    def plan(self, route: Route, registry: ToolRegistry, configured: Collection[str] | None = None) -> Plan:
        """A resource of a cloud with no tool describing one ("the search node in europe on
        google cloud") is shown by that cloud's inventory, narrowed by the words' place and
        kind: its row carries the type, state and place a description would give."""
        cloud = route.slots.get("cloud")
        if route.skill == "infra.describe" and cloud and not any(
                spec.integration == cloud for spec in registry.for_skill(route.skill)):
            listing = route.model_copy(update={"skill": "infra.inventory"})
            return super().plan(listing, registry, configured)
        return super().plan(route, registry, configured)

    def argument_values(self, route: Route) -> dict[str, Any]:
        values = candidate_values(route)
        team = route.slots.get("team")
        if route.skill == "infra.inventory" and team and "tag_key" not in values:
            # "what does the payments team own": resources tagged team=payments (any case)
            values.update(tag_key="team", tag_value=team)
        if route.skill == "infra.inventory" and route.slots.get("cloud") == "azure" and "resource_type" not in values \
                and not route.slots.get("resource_group") and GROUPS_LISTED.search(route.text):
            # "which azure resource groups do we have, and where": the groups are the rows
            values["resource_type"] = "resource_group"
            values.pop("group_by", None)
        if route.skill == "infra.inventory" and STOPPED_WORDS.search(route.text) \
                and not NOT_STOPPED.search(route.text):
            values.setdefault("state", "stopped")  # "which of those are stopped": a subset, by state
        if route.skill == "infra.describe":  # the inventory snapshot is searched with the words as said
            values.setdefault("query", route.text)
        if route.skill in self.NAMES_A_RESOURCE and Phrase.parse(route.text).names_something:
            # "stop the ledger worker box": no id or Name in the words, so the tool resolves
            # what the person called it (Name tags and tags) or asks which one they mean.
            values.setdefault("instance_id", route.text)
            values.setdefault("resource_id", route.text)
        return values


# "what changed in the infrastructure / in aws / to our buckets": the inventory's snapshots
# answer; "what merged / was deployed": the repositories do.
INFRA_CHANGES = re.compile(r"\b(?:infra\w*|inventory|resources?|clouds?|aws|azure|gcp|accounts?|"
                           r"instances?|vms?|buckets?|volumes?|databases?|storage|servers?|nodes?)\b",
                           re.IGNORECASE)
# ... unless the words are about code: "infra repo changes", "what was deployed to aws"
CODE_CHANGES = re.compile(r"\b(?:repo\w*|terraform|merg\w*|commits?|prs?|pull requests?|branch\w*|shipped|"
                          r"releas\w*|deploy\w*|change ?log|pushed)\b|"
                          # a pasted reference to code: a pull request ("#77", ".../pull/77") or a commit
                          # in backticks ("`4972419`"): "anything in infra besides #77" asks of the repository
                          r"(?<![\w&#])#\d{1,6}\b|/pull/\d+\b|`[0-9a-f]{7,40}`", re.IGNORECASE)


# A re-run of every job of a run, not only of its failed ones.
FULL_RERUN = re.compile(r"\b(?:whole|entire|full|complete)\s+(?:workflow|run|pipeline|thing|build|suite|re-?run)\b|"
                        r"\b(?:all|every|each)\s+(?:of\s+)?(?:the\s+|its\s+)?jobs?\b|\bfrom scratch\b|"
                        r"\bnot\s+(?:just|only)\s+(?:the\s+)?failed\b", re.IGNORECASE)


def _across_named(route: Route) -> Route:
    """"what shipped in payments-api and checkout-web": several repositories named is a question
    of every repository (each read, its rows say which), not of the first name alone."""
    named = named_services(route.text.lower())
    if route.skill not in ("cicd.changes", "cicd.status") or len(named) < 2:
        return route
    kept = {k: v for k, v in route.slots.items() if k not in ("service", "repo") and v not in named}
    return route.model_copy(update={"slots": kept})


@dataclass(frozen=True)
class ChangesAgent(Specialist):
    """cicd.changes is asked of code ("what merged?") and of infrastructure ("what changed in
    our infrastructure since yesterday?"): the words pick the repositories' tools or the
    inventory's (the store's tools, integration knowledge); a question naming neither ("what
    changed since yesterday?") gets both, code first."""

    def argument_values(self, route: Route) -> dict[str, Any]:
        """A re-run asked of the whole run ("rerun the whole workflow", "all jobs, not only the
        failed one") re-runs every job; otherwise the tool's default, the failed jobs only."""
        values = super().argument_values(route)
        if route.skill == "cicd.rerun" and FULL_RERUN.search(route.text):
            values["failed_only"] = False
        return values

    def plan(self, route: Route, registry: ToolRegistry, configured: Collection[str] | None = None) -> Plan:
        route = _across_named(route)
        if route.skill != "cicd.changes":
            return super().plan(route, registry, configured)
        code = bool(CODE_CHANGES.search(route.text)) or bool(route.slots.get("repo"))  # "and infra?" after a repo
        infra = (bool(route.slots.get("cloud")) or bool(INFRA_CHANGES.search(route.text))) and not code
        if not infra:  # "deployed to aws": the repositories answer, whatever cloud is named
            route = route.model_copy(update={"slots": {k: v for k, v in route.slots.items() if k != "cloud"}})
        plan = super().plan(route, registry, configured)
        if not infra and not code:
            return plan
        kept = [call for call in plan.reads if (call.spec.integration == "knowledge") == infra]
        plan.reads = kept or plan.reads
        if infra and kept:  # the deploy rollback runbook is about code, not resources
            plan.runbook_query = None
        return plan


@dataclass(frozen=True)
class IncidentAgent(Specialist):
    def plan(self, route: Route, registry: ToolRegistry, configured: Collection[str] | None = None) -> Plan:
        """A person said in a brief ("what did she note on hers" after who is on call) picks the
        incident that person holds; the changes read beside it are its service's, whoever made
        them, not only that person's."""
        plan = super().plan(route, registry, configured)
        if route.skill == "incident.brief":
            plan.reads = [replace(call, args={k: v for k, v in call.args.items() if k != "person"})
                          if call.spec.integration == "github" else call for call in plan.reads]
        return plan

    def runbook_searches(self, route: Route, plan: Plan, calls: Sequence[Mapping[str, Any]]) -> list[RunbookSearch]:
        """A brief cites the runbook of what broke, as the brief posted when PagerDuty pages does
        (agents/incident_brief.py): searched with the incident's title and service once the
        brief has read them (the title is untrusted text, used only as a search query), when the
        runbook found is about it (its title shares two words with the incident's: a "lag" alone
        is no RDS replica's lag); else the skill's own topic, the incident response process."""
        searches = super().runbook_searches(route, plan, calls)
        if route.skill != "incident.brief" or not searches:
            return searches
        facts = next(((call.get("result") or {}).get("facts") or {} for call in calls
                      if call.get("tool") == BRIEF_TOOL and (call.get("result") or {}).get("status") == "ok"), {})
        title = str(facts.get("title") or "").strip()
        if not title:
            return searches
        said = _content_words(f"{title} {facts.get('service') or ''}")
        return [RunbookSearch(f"{title[:300]} {facts.get('service') or ''}".strip(),
                              lambda row: len(said & _content_words(str(row.get("title") or ""))) >= 2),
                *searches]


@dataclass(frozen=True)
class KnowledgeAgent(Specialist):
    def plan(self, route: Route, registry: ToolRegistry, configured: Collection[str] | None = None) -> Plan:
        plan = super().plan(route, registry, configured)
        if route.skill == "knowledge.runbook" and RUNBOOK_TOOL in registry:
            # "how do I lock that down": "that" is what the turn before was about (agents/followup.py)
            about = str(route.slots.get(ABOUT) or "")
            query = f"{route.text} {about}".strip()
            plan.reads.append(PlannedCall(registry.get(RUNBOOK_TOOL), {"query": query, "k": 3}))
        return plan


INCIDENT_PROCESS = "incident response process"
BRIEF_TOOL = "pagerduty_incident_brief"
PAGING = "on-call escalation paging policy"
CI_FAILURE = "failed deploy CI pipeline"
COST_SPIKE = "cost spike unexpected bill investigation"

SPECIALISTS: tuple[Specialist, ...] = (
    CostAgent("cost", {
        "cost.summary": COST_SPIKE,
        "cost.anomalies": COST_SPIKE,
        "cost.forecast": "cost spike unexpected bill budget",
        "cost.savings": "cost reduction idle unattached resources",
    }),
    SecurityAgent("security", {
        "security.posture": "security group open to the world public bucket",
        "security.public_storage": "S3 bucket exposed publicly",
        "security.open_ports": "SSH port 22 open to the world security group 0.0.0.0/0",
        "security.iam": "IAM user without MFA stale or leaked access key",
    }, cloud_topics={
        ("security.posture", "azure"): "Azure network security group rule open to the internet",
        ("security.open_ports", "azure"): "Azure network security group NSG rule open to the internet",
        ("security.public_storage", "azure"): "Azure storage account allows public blob access anonymous",
        ("security.posture", "gcp"): "Google Cloud firewall rule open to the internet",
        ("security.open_ports", "gcp"): "Google Cloud VPC firewall rule open to the internet 0.0.0.0/0",
        ("security.public_storage", "gcp"): "Cloud Storage bucket public through IAM allUsers allAuthenticatedUsers",
    }),
    InfrastructureAgent("infrastructure", {
        "infra.logs": "log investigation CloudWatch Logs errors",
        "infra.action": "EC2 instance unreachable reboot stop",
    }, cloud_topics={
        ("infra.action", "azure"): "Azure VM unresponsive restart deallocate redeploy",
        ("infra.logs", "gcp"): "Google Cloud Logging errors gcloud logging read query",
    }, missing_example="stop <instance name or id>"),  # a placeholder: an example id would read as a real one
    ChangesAgent("cicd", {
        "cicd.status": CI_FAILURE,
        "cicd.failure": f"{CI_FAILURE} failure",
        "cicd.rerun": f"{CI_FAILURE} rerun rollback",
        "cicd.changes": "rolling back a deployment",
    }),
    IncidentAgent("incident", {
        "incident.list": INCIDENT_PROCESS,
        "incident.oncall": PAGING,
        "incident.ack": f"{INCIDENT_PROCESS} acknowledge",
        "incident.resolve": f"{INCIDENT_PROCESS} resolve postmortem",
        "incident.brief": INCIDENT_PROCESS,
        "incident.page": PAGING,
    }),
    KnowledgeAgent("knowledge"),
)
SPECIALIST_BY_NAME: dict[str, Specialist] = {specialist.name: specialist for specialist in SPECIALISTS}
assert tuple(SPECIALIST_BY_NAME) == AGENTS, "one specialist per agent of the skill catalogue"


def specialist_for(skill: str) -> Specialist:
    return next(specialist for specialist in SPECIALISTS if skill in specialist.skills)


def cites_runbook(skill: str) -> bool:
    """Whether answers of ``skill`` carry a runbook beside their facts."""
    return skill in specialist_for(skill).runbook_topics
