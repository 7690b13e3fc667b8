"""Slots: the arguments a request names (dates, regions, ids, people...), pulled out with
rules so the offline planner can fill tool arguments by name without an LLM.

``extract_slots(text, now)`` returns only the keys it found, with JSON-serialisable
values. Keys (fixed vocabulary, shared with agents/planner.py): time_range, region,
cloud, resource_ids, instance_id, bucket, aws_service, resource_type, service,
resource_name, tag_key, tag_value, env, log_group, action, port, repo, workflow, run_id,
incident_id, person, team, severity, limit, resource_group (Azure), group_by, event (what
triggered a CI run: "schedule" for a nightly), metric (a CloudWatch metric name: "cpu" is
CPUUtilization), status (an incident state: "unacked" is triggered), level (a level of an
on-call rota: "the secondary" is 2), branch (the git branch of CI runs: "failing on main").
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from agents.slots.entities import (
    find_action,
    find_branch,
    find_bucket,
    find_cloud,
    find_event,
    find_group_by,
    find_incident_id,
    find_incident_ids,
    find_incident_status,
    find_limit,
    find_oncall_level,
    find_order,
    find_people,
    find_port,
    find_region,
    find_repo,
    find_resource_group,
    find_resource_name,
    find_run_id,
    find_service,
    find_severity,
    find_tag,
    find_workflow,
    first_match,
    is_severity_word,
    named_resource_groups,
    places_compared,
    put,
)
from agents.slots.negation import ruled_out, without_ruled_out, without_ruled_out_words
from agents.slots.time import time_range, unread_period
from agents.slots.vocabulary import (
    AWS_REGION,
    AWS_SERVICE,
    AWS_SERVICES,
    ENVS,
    GENERIC,
    LOG_GROUP,
    METRIC,
    RESOURCE_ID,
    RESOURCE_TYPE,
    RESOURCE_TYPES,
)

__all__ = ["extract_slots", "time_range"]


# Kinds of resource a bill has a service for, said by their everyday names ("the dbs", "buckets").
_BILLED_KINDS = (("rds", r"dbs?|databases?"), ("s3", r"buckets?"), ("ebs", r"volumes?|disks?"),
                 ("lambda", r"functions?"), ("ec2", r"instances?|boxe?s?|servers?|vms?"))
_JOINED = r"\s*(?:,|&|\+|\band\b|\bplus\b|\bor\b)\s*(?:the\s+|our\s+|all\s+)?"


def billed_kinds_joined(text: str) -> set[str]:
    """The AWS services a list of kinds joined by "and"/"plus"/"," names, when at least one of
    them is a service said by name ("ec2 and db included", "s3 plus the databases"): each kind
    is its service, so the words ask about several (and no one of them narrows a spend)."""
    services = [(name, rf"\b(?:{pattern})\b") for name, pattern in AWS_SERVICES]
    kinds = [(name, rf"\b(?:{pattern})\b") for name, pattern in _BILLED_KINDS]
    found: set[str] = set()
    for first, first_words in services:
        for second, second_words in [*services, *kinds]:
            if first != second and (re.search(first_words + _JOINED + second_words, text)
                                    or re.search(second_words + _JOINED + first_words, text)):
                found |= {first, second}
    return found


# A kind of resource in everyday words, as a list of kinds names them ("instances, dbs, buckets").
_KIND_WORD = "|".join([*(pattern for _name, pattern in RESOURCE_TYPES), r"dbs?"])
_KINDS_LISTED = re.compile(rf"(?<![\w-])(?:{_KIND_WORD})(?![\w-]){_JOINED}(?:{_KIND_WORD})(?![\w-])")


def several_kinds_listed(text: str) -> bool:
    """Whether the words list kinds of resource side by side ("instances, dbs, buckets",
    "vms and disks"): several kinds are asked, so no one of them narrows the listing."""
    kinds = {name for name, pattern in RESOURCE_TYPE if pattern.search(text)}
    return bool(_KINDS_LISTED.search(text)) and (len(kinds) > 1 or bool(re.search(r"(?<![\w-])dbs?(?![\w-])", text)))


def excluded_env(text: str) -> str | None:
    """The environment ``text`` rules out, as an exclusion ("not prod", "non-prod" -> "!prod"):
    the inventory filters read a leading "!" as everything but that environment."""
    ruled = " ".join(ruled_out(text))
    env = first_match(list(ENVS), ruled) if ruled else None
    return f"!{env}" if env else None


# Two environments joined ("prod and whatever test ones", "staging + prod", "prod as well as dev"):
# every environment asked, so none narrows the answer.
_ENV_WORD = r"(?:prod|production|prd|staging|stage|stg|dev|development|qa|test|testing|sandbox|non-?prod)"
_BOTH_ENVS = re.compile(rf"\b{_ENV_WORD}\s*(?:\+|&|\band\b|\bplus\b|\bas well as\b)\s*"
                        rf"(?:(?:the|whatever|any|all(?: the)?|also)\s+)?{_ENV_WORD}\b")


def extract_slots(text: str, now: datetime) -> dict[str, Any]:
    """Every slot ``text`` names, keyed by the fixed vocabulary; absent slots are left out."""
    original = text.strip()
    lowered = " ".join(original.lower().split())
    slots: dict[str, Any] = {}
    if not lowered:
        return slots
    found_time = time_range(lowered, now)
    if found_time:
        slots["time_range"] = found_time
    else:
        put(slots, "unread_period", unread_period(lowered))
    region = find_region(lowered)
    if region:
        slots["region"] = region[0]
    cloud = find_cloud(lowered, region[1] if region else None)
    if cloud:
        slots["cloud"] = cloud
    ids = list(dict.fromkeys(m.group(0) for m in RESOURCE_ID.finditer(original)))
    ids = [i if i.upper().startswith(("AKIA", "ASIA", "DB-")) or i.startswith("arn:") else i.lower() for i in ids]
    if ids:
        slots["resource_ids"] = ids
        instance = next((i for i in ids if i.startswith("i-")), None)
        if instance:
            slots["instance_id"] = instance
    put(slots, "bucket", find_bucket(lowered, original))
    positive = without_ruled_out_words(lowered)  # "rds, not compute": filters come from what is asked for
    named_services = {name for name, pattern in AWS_SERVICE if pattern.search(positive)}
    named_services |= billed_kinds_joined(positive)  # "ec2 and the dbs": two services as well
    if len(named_services) < 2:  # "rds vs ec2": both, so no one service narrows the answer
        put(slots, "aws_service", first_match(AWS_SERVICE, positive))
    if not several_kinds_listed(positive):
        put(slots, "resource_type", first_match(RESOURCE_TYPE, lowered))
    put(slots, "metric", first_match(METRIC, lowered))
    named = without_ruled_out(lowered)  # "not the payments repo": a name the user does not mean
    put(slots, "service", find_service(named))
    if is_severity_word(str(slots.get("service", ""))):
        del slots["service"]  # "the high-sev pages": how bad, not whose
    tag = find_tag(without_commands(original))
    if tag:
        slots["tag_key"], slots["tag_value"] = tag[0].lower(), tag[1]
    env = None if _BOTH_ENVS.search(positive) else \
        first_match(list(ENVS), without_ruled_out(positive)) or excluded_env(lowered)
    if tag and tag[0].lower() in ("env", "environment", "stage"):
        env = first_match(list(ENVS), tag[1].lower()) or env
    put(slots, "env", env)
    log_group = LOG_GROUP.search(original)
    if log_group:
        slots["log_group"] = log_group.group(1)
    put(slots, "action", find_action(lowered))
    put(slots, "port", find_port(lowered))
    put(slots, "repo", find_repo(named))
    put(slots, "workflow", find_workflow(lowered))
    if slots.get("workflow") and slots["workflow"] in (slots.get("service"), slots.get("repo")):
        del slots["workflow"]  # "is the checkout-web pipeline green": the repository's runs, no workflow of that name
    put(slots, "event", find_event(lowered))
    put(slots, "branch", find_branch(lowered))
    if "branch" in slots and slots.get("service") in re.split(r"[/]", str(slots["branch"])):
        del slots["service"]  # "dave's fix/refund-rounding build": the branch's name, no service
    put(slots, "run_id", find_run_id(lowered))
    put(slots, "incident_id", find_incident_id(original, lowered))
    put(slots, "incident_ids", find_incident_ids(original, lowered))
    person, team = find_people(named, original)
    if tag and tag[0].lower() == "team":
        team = tag[1].lower()
    put(slots, "person", person)
    put(slots, "team", team)
    put(slots, "level", find_oncall_level(lowered))
    put(slots, "severity", find_severity(positive))
    put(slots, "status", find_incident_status(lowered))
    put(slots, "limit", find_limit(lowered))
    put(slots, "order", find_order(lowered))
    resource_group = find_resource_group(lowered)
    put(slots, "resource_group", resource_group)
    if resource_group and slots.get("service") == resource_group:
        del slots["service"]  # "rg-web" names the group, not a service
    if resource_group and "cloud" not in slots:
        slots["cloud"] = "azure"  # resource groups are Azure's: "the batch vm in rg-payments"
    put(slots, "group_by", find_group_by(lowered))
    groups = named_resource_groups(lowered)
    if len(groups) > 1:
        # "rg-payments vs rg-web", "rg-web and rg-platform": both asked, so no one group narrows
        # the answer; a spend is grouped by resource group to set them side by side (and neither
        # name is a service or a resource of its own)
        slots.pop("resource_group", None)
        slots.setdefault("group_by", "resource_group")
        if slots.get("service") in groups:
            del slots["service"]
    if len(set(AWS_REGION.findall(positive))) > 1 or places_compared(positive):
        # "us-east-1 vs eu-west-1", "split between us-east-1 and eu-west-1", "eu vs us": both asked, so
        # no one region narrows the answer; a spend is grouped by region to set them side by side
        slots.pop("region", None)
        slots.setdefault("group_by", "region")
    taken = {str(v) for v in slots.values() if isinstance(v, str)} - {str(slots.get("service"))}
    taken |= set(ids) | set(groups)
    asked = asked_after_paste(original)
    own = find_resource_name(without_ruled_out(asked), taken, original) if asked else None
    spoken = without_ruled_out(" ".join(without_commands(original).lower().split()))
    pasted_only = None if asked and describes_own_subject(asked) else find_resource_name(spoken, taken, original)
    put(slots, "resource_name", own or pasted_only)
    return widened_to_others(slots, original)


# Others of the named thing's kind asked for too: "do we have others like it?", "do other vms have
# the same problem?", "anything else like that", "is it the only one"
_OTHERS_LIKE_IT = re.compile(r"\bothers? like (?:it|that|this|them|those)\b|\bany ?(?:thing|one)? else like\b|"
                             r"\bother \w+(?: \w+)? (?:with|ha(?:ve|s|ving)) the same\b|\bthe only one\b|"
                             r"\b(?:any|are there|more) others\b")


def widened_to_others(slots: dict[str, Any], original: str) -> dict[str, Any]:
    """The slots of a question about one thing that asks for the others of its kind too ("Prowler:
    FAIL ... bucket-x us-east-1 / is that one public, and do we have others like it?"): no name
    narrows it, nor a region said only in another line than the one asking (the pasted alert's)."""
    lines = [line.lower() for line in original.splitlines() if line.strip()]
    asking = next((line for line in lines if _OTHERS_LIKE_IT.search(line)), None)
    if asking is None:
        return slots
    for key in ("resource_name", "instance_id", "resource_ids", "bucket"):
        slots.pop(key, None)
    region = find_region(" ".join(asking.split()))
    if "region" in slots and region is None:
        del slots["region"]
    return slots


# "<pasted line>\nwhat else has the webhook lambda been erroring on": a kind of resource with a
# word of its own before it is the question's own subject, described rather than named
_DESCRIBED_SUBJECT = re.compile(r"\b(?:the|that|this|our|my)\s+([a-z][a-z0-9]*)\s+(?:lambdas?|functions?|services?|"
                                r"svc|apis?|apps?|dbs?|databases?|box(?:es)?|servers?|hosts?|vms?|instances?|"
                                r"nodes?|queues?|clusters?|workers?)\b")
_NO_OWN_WORD = frozenset("same other whole affected alerting failing failed broken dead stuck first second".split())


def describes_own_subject(asked: str) -> bool:
    """Whether the question after a paste describes what it asks about ("the webhook lambda",
    "our search cluster"): then a name only in the pasted lines (an event or request id, the
    host the alert came from) is context, not the subject. "the same box", "the ec2 instance"
    describe nothing of their own, so the pasted name still stands for them."""
    return any(m.group(1) not in GENERIC | _NO_OWN_WORD and first_match(AWS_SERVICE, m.group(1)) is None
               for m in _DESCRIBED_SUBJECT.finditer(asked))


# A line a person pastes rather than writes: a log line (its level, an exception's class, a
# stack frame, a timestamp), an alert ("ALARM", "[FIRING:1]"), a shell prompt or key=value labels.
_PASTED_LINE = re.compile(r"\b(?:ERROR|WARN(?:ING)?|INFO|DEBUG|CRITICAL|FATAL|ALARM|FIRING|RESOLVED|Traceback)\b|"
                          r"\b[A-Z]\w*(?:Error|Exception)\b|\[FIRING|^\s*[$%]\s|^\s*at\s+\S+\(|"
                          r"\b\d{2}:\d{2}:\d{2}\b|\b[\w.-]+=[\w.@/-]+.*\b[\w.-]+=[\w.@/-]+")


# A shell command pasted as run ("$ aws ec2 describe-instances --filters Name=...", "% kubectl get
# pods"): the prompt, then the command to the end of its line (a "> " line is a quote, whose names count).
_COMMAND_LINE = re.compile(r"(?m)^[ \t]*[$%][ \t]+\S[^\n]*$")


def without_commands(text: str) -> str:
    """``text`` without a pasted shell command: its subcommands ("describe-instances") and filters
    ("Name=instance-state-name") are the tool's words, no resource's name or tag (ids in it are
    read on their own)."""
    return _COMMAND_LINE.sub(" ", text)


def asked_after_paste(original: str) -> str:
    """The words a person wrote after pasting a log line, an alert or command output ("ERROR
    connection to payments-db timed out\nwhat else is the webhook lambda erroring on"), lower-case;
    "" when the message is no paste followed by a question of its own. A name the question says
    is the one asked about; a name only in the pasted lines is context (used when the question
    names none: "ALARM: auth-eu-1 StatusCheckFailed\nreboot it")."""
    lines = [line for line in original.splitlines() if line.strip()]
    if len(lines) < 2 or _PASTED_LINE.search(lines[-1]) or not any(_PASTED_LINE.search(line) for line in lines[:-1]):
        return ""
    return " ".join(lines[-1].lower().split())
