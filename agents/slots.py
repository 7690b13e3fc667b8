"""Slots: the arguments a request names (dates, regions, ids, people...), pulled out with
rules so the offline planner can fill tool arguments by name without an LLM.

``extract_slots(text, now)`` returns only the keys it found, with JSON-serialisable
values. Keys (fixed vocabulary, shared with agents/planner.py): time_range, region,
cloud, resource_ids, instance_id, bucket, aws_service, resource_type, service,
resource_name, tag_key, tag_value, env, log_group, action, port, repo, workflow, run_id,
incident_id, person, team, severity, limit.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from agents.mood import occurrences

# --------------------------------------------------------------------------- vocab

AWS_REGION = re.compile(r"\b(?:us-gov|us|eu|ap|sa|ca|me|af|il|mx)-(?:north|south|east|west|central|"
                        r"northeast|southeast|northwest|southwest)-\d\b")
GCP_REGION = re.compile(r"\b(?:us|europe|asia|australia|northamerica|southamerica|me|africa)-(?:north|south|"
                        r"east|west|central|northeast|southeast|southwest|northwest)\d\b")
AZURE_REGIONS = (
    "eastus", "eastus2", "westus", "westus2", "westus3", "centralus", "northcentralus", "southcentralus",
    "westcentralus", "northeurope", "westeurope", "uksouth", "ukwest", "francecentral", "germanywestcentral",
    "swedencentral", "switzerlandnorth", "norwayeast", "polandcentral", "italynorth", "eastasia",
    "southeastasia", "japaneast", "japanwest", "australiaeast", "australiasoutheast", "centralindia",
    "southindia", "koreacentral", "canadacentral", "canadaeast", "brazilsouth", "southafricanorth", "uaenorth",
)
AZURE_REGION = re.compile(r"\b(" + "|".join(sorted(AZURE_REGIONS, key=len, reverse=True)) + r")\b")
# Spelled-out Azure regions ("west europe", "east us 2").
AZURE_SPELLED = re.compile(r"\b(east|west|north|south|central|north central|south central|west central)"
                           r" (us|europe)(?: ?(2|3))?\b")
CITY_REGIONS: dict[str, str] = {
    "n. virginia": "us-east-1", "n.virginia": "us-east-1", "northern virginia": "us-east-1",
    "virginia": "us-east-1", "ohio": "us-east-2", "n. california": "us-west-1", "california": "us-west-1",
    "oregon": "us-west-2", "ireland": "eu-west-1", "dublin": "eu-west-1", "london": "eu-west-2",
    "paris": "eu-west-3", "frankfurt": "eu-central-1", "zurich": "eu-central-2", "stockholm": "eu-north-1",
    "milan": "eu-south-1", "spain": "eu-south-2", "tokyo": "ap-northeast-1", "seoul": "ap-northeast-2",
    "osaka": "ap-northeast-3", "singapore": "ap-southeast-1", "sydney": "ap-southeast-2",
    "jakarta": "ap-southeast-3", "melbourne": "ap-southeast-4", "mumbai": "ap-south-1",
    "hyderabad": "ap-south-2", "hong kong": "ap-east-1", "canada": "ca-central-1", "montreal": "ca-central-1",
    "sao paulo": "sa-east-1", "são paulo": "sa-east-1", "bahrain": "me-south-1", "uae": "me-central-1",
    "cape town": "af-south-1", "tel aviv": "il-central-1",
}
CITY_REGION = re.compile(r"\b(" + "|".join(re.escape(c) for c in sorted(CITY_REGIONS, key=len, reverse=True))
                         + r")\b")

CLOUD_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("aws", re.compile(r"\baws\b|\bamazon\b|\bec2\b|\bs3\b|\brds\b|\bguardduty\b|\bsecurity hub\b|"
                       r"\bcloudwatch\b|\bcloudtrail\b|\bdynamodb\b|\bakia[0-9a-z]{16}\b|\barn:aws")),
    ("azure", re.compile(r"\bazure\b|\bentra\b|\baks\b|\bnsgs?\b|\bdefender\b|\bstorage accounts?\b|"
                         r"\bblobs?\b|\bresource groups?\b|\bsubscription\b|\bapp insights\b")),
    ("gcp", re.compile(r"\bgcp\b|\bgoogle cloud\b|\bgcs\b|\bgke\b|\bbigquery\b|\bscc\b|"
                       r"\bsecurity command center\b|\bgs://")),
)

RESOURCE_ID = re.compile(
    r"(?<![\w-])(?:(?:i|sg|vol|snap|ami|eni|subnet|vpc|igw|nat|rtb|acl|eipalloc|lt|tgw|vpce)-[0-9a-f]{4,17}"
    r"|arn:aws[\w-]*:[^\s,;]+|db-[A-Z0-9]{10,}|(?:AKIA|ASIA)[A-Z0-9]{16})(?![\w-])",
    re.IGNORECASE,
)

AWS_SERVICES: tuple[tuple[str, str], ...] = (
    ("ec2", r"ec2(?:-other)?|elastic compute|ec2 instances?"), ("s3", r"s3"), ("rds", r"rds|aurora"),
    ("lambda", r"lambdas?"), ("ebs", r"ebs"), ("cloudwatch", r"cloudwatch"), ("dynamodb", r"dynamo ?db"),
    ("ecs", r"ecs|fargate"), ("eks", r"eks"), ("elb", r"elbs?|albs?|nlbs?|load balancers?"),
    ("cloudfront", r"cloudfront"), ("route53", r"route ?53"), ("sqs", r"sqs"), ("sns", r"sns"),
    ("kinesis", r"kinesis"), ("redshift", r"redshift"), ("elasticache", r"elasticache"),
    ("nat_gateway", r"nat gateways?"), ("data_transfer", r"data transfer"), ("iam", r"iam"),
    ("guardduty", r"guardduty"), ("securityhub", r"security hub"), ("ecr", r"ecr"),
)
AWS_SERVICE = [(name, re.compile(rf"\b(?:{pattern})\b")) for name, pattern in AWS_SERVICES]

RESOURCE_TYPES: tuple[tuple[str, str], ...] = (
    ("security_group", r"security groups?|sgs?|nsgs?|firewall rules?"),
    ("volume", r"volumes?|ebs|disks?"),
    ("s3", r"buckets?|s3|gcs|blobs?|storage accounts?"),
    ("rds", r"rds|databases?|db instances?|aurora"),
    ("lambda", r"lambdas?|functions?"),
    ("ec2", r"instances?|vms?|servers?|ec2|boxe?s?|hosts?|nodes?"),
)
RESOURCE_TYPE = [(name, re.compile(rf"\b(?:{pattern})\b")) for name, pattern in RESOURCE_TYPES]

ENVS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("prod", re.compile(r"\b(?:prod|production|prd)\b")),
    ("staging", re.compile(r"\b(?:staging|stage|stg)\b")),
    ("dev", re.compile(r"\b(?:dev|development)\b")),
    ("qa", re.compile(r"\bqa\b")),
    ("sandbox", re.compile(r"\bsandbox\b")),
)

_CI = r"\b(?:workflows?|pipelines?|builds?|ci|jobs?|actions?|deploy\w*|release|runs?|tests?|checks?)\b"
ACTIONS: tuple[tuple[str, str], ...] = (
    ("rerun", r"re-?run|retry|re-?trigger|re-?deploy"),
    ("ack", r"ack|acking|acknowledge"),
    ("resolve", r"resolve"),
    ("page", r"escalate|page(?= @| \w+)"),
    ("reboot", r"reboot|restart|bounce|power[- ]?cycle"),
    ("start", r"start|power[- ]?on|turn on|spin up|bring up|boot"),
    ("stop", r"stop|shut ?down|shut off|turn off|power[- ]?off|spin down"),
    ("scale", r"scale(?: out| in| up| down)?"),
    ("resize", r"resize|upsize|downsize|change (?:the )?instance type"),
)
ACTION = [(name, re.compile(rf"\b(?:{pattern})\b")) for name, pattern in ACTIONS]

KNOWN_PORTS = {20, 21, 22, 23, 25, 53, 80, 110, 135, 139, 143, 443, 445, 1433, 1521, 2049, 2375, 2376, 2379,
               3000, 3306, 3389, 5000, 5432, 5601, 5672, 5900, 5984, 6379, 6443, 7001, 8000, 8080, 8443,
               8888, 9000, 9090, 9092, 9200, 9300, 11211, 27017}
NAMED_PORTS = {"ssh": 22, "rdp": 3389, "mysql": 3306, "postgres": 5432, "postgresql": 5432, "redis": 6379,
               "mongo": 27017, "mongodb": 27017, "elasticsearch": 9200, "telnet": 23, "smb": 445,
               "mssql": 1433, "ftp": 21, "kubelet": 10250}
_OPEN_CONTEXT = re.compile(r"\b(?:open\w*|expos\w*|internet|world|public\w*|ingress|inbound|firewall|"
                           r"security groups?|sgs?|nsgs?)\b|0\.0\.0\.0/0")

# Words that are never a service, person, team or resource name.
GENERIC = frozenset(
    """a an the this that these those our my your their its his her any all each every some no which what who
    whose whatever whoever someone somebody anyone everyone them him it me us you i we they here there now
    today tonight yesterday tomorrow week weekend month quarter year day days hours hour minutes last next
    past this current latest recent previous new old main master aws azure gcp cloud clouds prod production
    staging stage dev qa test sandbox env region regions account accounts team teams service services svc
    api apis app apps web instance instances vm vms server servers bucket buckets database databases db
    function functions lambda cluster clusters node nodes group groups resource resources cost costs spend
    bill billing budget forecast incident incidents alert alerts page pages oncall on-call call schedule
    rotation shift security iam mfa user users key keys finding findings log logs error errors workflow
    workflows pipeline pipelines build builds job jobs run runs deploy deploys deployment release changes
    status health details info summary help it's is are was were be been on off in out up down for to from
    with without of by at about and or not please pls plz ok okay k8s kubernetes ec2 s3 rds ebs vpc sg sgs
    nsg nsgs cpu memory disk network storage data platform infra infrastructure backend frontend ci cd
    engineer engineers manager owner level primary secondary person somebody bridge call channel slack
    everything anything nothing stuff thing things box boxes host hosts gke eks aks ecs ecr tagged per""".split()
)


# --------------------------------------------------------------------------- helpers


def _first(pairs: list[tuple[str, re.Pattern[str]]], text: str) -> str | None:
    """The name whose pattern matches earliest in ``text``."""
    best: tuple[int, str] | None = None
    for name, pattern in pairs:
        match = pattern.search(text)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), name)
    return best[1] if best else None


def _is_name(word: str) -> bool:
    return bool(word) and word not in GENERIC and not word.isdigit() and len(word) > 1


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


# --------------------------------------------------------------------------- time


_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
                 "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "couple of": 2, "few": 3}
_NUM = r"(\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|twelve|couple of|few)"
_UNIT = r"(min(?:ute)?s?|h(?:ou)?rs?|hours?|h|days?|d|weeks?|wks?|w|months?|mos?)"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = tuple(m.lower() for m in calendar.month_name[1:])
MONTH_ABBR = tuple(m.lower() for m in calendar.month_abbr[1:])
_FUTURE_HINT = re.compile(r"\b(?:next|forecast\w*|project\w*|predict\w*|will|going to|gonna|budget|expect\w*|"
                          r"estimate\w*|on track|on pace)\b")


def _span(start: date, end: date, label: str, since: datetime | None = None) -> dict[str, str]:
    out = {"start": start.isoformat(), "end": end.isoformat(), "label": label.strip()}
    if since is not None:
        out["since"] = since.replace(microsecond=0).isoformat()
    return out


def _relative_amount(text: str, now: datetime) -> dict[str, str] | None:
    """"last 7 days", "past 3 days", "last 2 weeks", "last hour", "past 30 min", "last 24h"."""
    match = re.search(rf"\b(?:last|past|previous|prev|within the last|in the last|over the last)\s+"
                      rf"(?:{_NUM}\s*)?{_UNIT}\b", text)
    if not match:
        return None
    raw, unit = match.group(1), match.group(2)
    amount = 1 if raw is None else int(raw) if raw.isdigit() else _NUMBER_WORDS[raw]
    today = now.date()
    label = re.sub(r"^(?:within|in|over) the ", "", match.group(0))
    if unit.startswith(("min", "h")):
        delta = timedelta(minutes=amount) if unit.startswith("min") else timedelta(hours=amount)
        since = now - delta
        return _span(since.date(), today + timedelta(days=1), label, since)
    if unit.startswith("d"):
        if raw is None:  # "last day"
            amount = 1
        return _span(today - timedelta(days=amount), today, label)
    if unit.startswith("w"):
        if raw is None:  # "last week" is the calendar week, handled by _named_period
            return None
        return _span(today - timedelta(days=7 * amount), today, label)
    if raw is None:
        return None
    return _span(_add_months(today, -amount), today, label)


def _named_period(text: str, now: datetime) -> dict[str, str] | None:
    today = now.date()
    tomorrow = today + timedelta(days=1)
    monday = today - timedelta(days=today.weekday())
    month_start = today.replace(day=1)
    quarter = _quarter_start(today)
    table: list[tuple[str, Callable[[], tuple[date, date]]]] = [
        (r"\b(?:month to date|month-to-date|mtd|so far this month|this month so far)\b",
         lambda: (month_start, tomorrow)),
        (r"\b(?:quarter to date|qtd)\b", lambda: (quarter, tomorrow)),
        (r"\b(?:year to date|ytd)\b", lambda: (date(today.year, 1, 1), tomorrow)),
        (r"\b(?:end of (?:the )?month|month[- ]end|eom|by (?:the )?end of (?:the )?month)\b",
         lambda: (today, _add_months(month_start, 1))),
        (r"\b(?:end of (?:the )?quarter|quarter[- ]end|eoq)\b", lambda: (today, _add_months(quarter, 3))),
        (r"\b(?:end of (?:the )?year|year[- ]end|eoy)\b", lambda: (today, date(today.year + 1, 1, 1))),
        (r"\b(?:since|from) yesterday\b", lambda: (today - timedelta(days=1), tomorrow)),
        (r"\byesterday\b", lambda: (today - timedelta(days=1), today)),
        (r"\blast night\b", lambda: (today - timedelta(days=1), tomorrow)),
        (r"\b(?:today|this morning|this afternoon|tonight|right now|rn)\b", lambda: (today, tomorrow)),
        (r"\b(?:last|previous|prev) (?:week|wk)\b", lambda: (monday - timedelta(days=7), monday)),
        (r"\bthis (?:week|wk)\b", lambda: (monday, tomorrow)),
        (r"\bnext (?:week|wk)\b", lambda: (monday + timedelta(days=7), monday + timedelta(days=14))),
        (r"\b(?:last|previous|prev) (?:month|mo|mnth)\b", lambda: (_add_months(month_start, -1), month_start)),
        (r"\bthis (?:month|mo|mnth)\b", lambda: (month_start, tomorrow)),
        (r"\bnext (?:month|mo|mnth)\b", lambda: (_add_months(month_start, 1), _add_months(month_start, 2))),
        (r"\b(?:last|previous|prev) quarter\b", lambda: (_add_months(quarter, -3), quarter)),
        (r"\bthis quarter\b", lambda: (quarter, _add_months(quarter, 3))),
        (r"\bnext quarter\b", lambda: (_add_months(quarter, 3), _add_months(quarter, 6))),
        (r"\b(?:last|previous|prev) year\b", lambda: (date(today.year - 1, 1, 1), date(today.year, 1, 1))),
        (r"\bthis year\b", lambda: (date(today.year, 1, 1), tomorrow)),
        (r"\bnext year\b", lambda: (date(today.year + 1, 1, 1), date(today.year + 2, 1, 1))),
    ]
    for pattern, period in table:
        match = re.search(pattern, text)
        if match:
            start, end = period()
            return _span(start, end, match.group(0))
    return None


def _next_n(text: str, now: datetime) -> dict[str, str] | None:
    """"next 3 months", "next 90 days": forward from today."""
    match = re.search(rf"\bnext\s+{_NUM}\s*{_UNIT}\b", text)
    if not match:
        return None
    raw, unit = match.group(1), match.group(2)
    amount = int(raw) if raw.isdigit() else _NUMBER_WORDS[raw]
    today = now.date()
    if unit.startswith("d"):
        end = today + timedelta(days=amount)
    elif unit.startswith("w"):
        end = today + timedelta(days=7 * amount)
    elif unit.startswith("mo"):
        end = _add_months(today.replace(day=1), amount + 1)
    else:
        return None
    return _span(today, end, match.group(0))


def _quarter_name(text: str, now: datetime) -> dict[str, str] | None:
    match = re.search(r"\b(?:q([1-4])(?:\s*(?:fy)?'?(\d{2,4}))?|(?:first|second|third|fourth) quarter)\b", text)
    if not match:
        return None
    if match.group(1) is None:
        number = ("first", "second", "third", "fourth").index(match.group(0).split()[0]) + 1
        year = now.year
    else:
        number = int(match.group(1))
        year = int(match.group(2)) if match.group(2) else now.year
        year = year + 2000 if year < 100 else year
    start = date(year, 3 * (number - 1) + 1, 1)
    if not match.group(2) and start > now.date() and not _FUTURE_HINT.search(text):
        start = start.replace(year=start.year - 1)  # "q3 spend" asked in June: last year's Q3
    return _span(start, _add_months(start, 3), match.group(0))


def _month_name(text: str, now: datetime) -> dict[str, str] | None:
    names = "|".join(MONTHS + tuple(a for a in MONTH_ABBR if a != "may"))
    match = re.search(rf"\b(?:in|for|during|of|since|from)?\s*({names}|may)\b(?:\s+(\d{{4}}))?(?!\s*\d)", text)
    if not match:
        return None
    word = match.group(1)
    if word == "may" and not re.search(r"\b(?:in|for|during|of|since|from)\s+may\b|\bmay\s+\d{4}\b", text):
        return None  # "may" the verb
    month = (MONTHS.index(word) if word in MONTHS else MONTH_ABBR.index(word)) + 1
    year = int(match.group(2)) if match.group(2) else now.year
    if not match.group(2) and month > now.month and not _FUTURE_HINT.search(text):
        year -= 1  # "in october" asked in June means last October, unless the request looks ahead
    start = date(year, month, 1)
    if match.group(0).strip().startswith(("since", "from")):
        return _span(start, now.date() + timedelta(days=1), match.group(0))
    return _span(start, _add_months(start, 1), match.group(0))


def _weekday(text: str, now: datetime) -> dict[str, str] | None:
    """"since monday" (through today), "on tuesday" (that day), the most recent one."""
    match = re.search(r"\b(since|on|from|last)?\s*(" + "|".join(WEEKDAYS) + r")\b", text)
    if not match:
        return None
    today = now.date()
    back = (today.weekday() - WEEKDAYS.index(match.group(2))) % 7
    if match.group(1) == "last" and back == 0:
        back = 7
    day = today - timedelta(days=back)
    if match.group(1) in ("since", "from"):
        return _span(day, today + timedelta(days=1), match.group(0))
    return _span(day, day + timedelta(days=1), match.group(0))


def _explicit_date(text: str, now: datetime) -> dict[str, str] | None:
    """ISO dates and "since <date>" / "on the 3rd": parsed by dateparser, anchored on ``now``."""
    iso = re.findall(r"\b(\d{4}-\d{2}-\d{2})\b", text)
    if len(iso) >= 2:
        return _span(date.fromisoformat(iso[0]), date.fromisoformat(iso[1]), f"{iso[0]} to {iso[1]}")
    match = re.search(r"\b(since|from|after|on)?\s*(?:the\s+)?(\d{4}-\d{2}-\d{2}|\d{1,2}(?:st|nd|rd|th)"
                      r"(?:\s+of\s+\w+)?|\d{1,2}(?:am|pm)|\d{1,2}:\d{2}\s*(?:am|pm)?)\b", text)
    if not match or (match.group(1) is None and not re.match(r"\d{4}-", match.group(2))):
        return None
    import dateparser

    settings: Any = {"RELATIVE_BASE": now.replace(tzinfo=None), "PREFER_DATES_FROM": "past",
                     "PREFER_DAY_OF_MONTH": "first"}
    raw = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", match.group(2))
    if re.fullmatch(r"\d{1,2}", raw):
        raw = f"{raw} {calendar.month_name[now.month]} {now.year}"
    parsed = dateparser.parse(raw, settings=settings)
    if parsed is None:
        return None
    today = now.date()
    if match.group(1) in ("since", "from", "after"):
        since = parsed if re.search(r"am|pm|:", raw) else None
        return _span(parsed.date(), today + timedelta(days=1), match.group(0), since)
    return _span(parsed.date(), parsed.date() + timedelta(days=1), match.group(0))


def time_range(text: str, now: datetime) -> dict[str, str] | None:
    """The period a request talks about, end exclusive, with the phrase that named it."""
    for finder in (_relative_amount, _next_n, _named_period, _quarter_name, _month_name, _weekday, _explicit_date):
        found = finder(text, now)
        if found:
            return found
    return None


# --------------------------------------------------------------------------- other slots


def _region(text: str) -> tuple[str, str | None] | None:
    """(region, cloud it implies)."""
    for pattern, cloud in ((AWS_REGION, "aws"), (GCP_REGION, "gcp"), (AZURE_REGION, "azure")):
        match = pattern.search(text)
        if match:
            return match.group(0), cloud
    match = AZURE_SPELLED.search(text)
    if match:
        return "".join(part for part in match.groups() if part).replace(" ", ""), "azure"
    match = CITY_REGION.search(text)
    if match:
        return CITY_REGIONS[match.group(1)], None
    return None


def _cloud(text: str, region_cloud: str | None) -> str | None:
    named = [cloud for cloud, pattern in CLOUD_PATTERNS if pattern.search(text)]
    explicit = [c for c in ("aws", "azure", "gcp") if re.search(rf"\b{c}\b", text)]
    if len(explicit) > 1:
        return None  # "across aws, azure and gcp": no single cloud
    if explicit:
        return explicit[0]
    if len(set(named)) == 1:
        return named[0]
    return region_cloud if not named else None


def _bucket(text: str, original: str) -> str | None:
    match = re.search(r"\b(?:s3|gs)://([a-z0-9][a-z0-9._-]{1,62})", original, re.IGNORECASE)
    if match:
        return match.group(1)
    bad = GENERIC | {"public", "policy", "policies", "acl", "acls", "encryption", "named", "called", "access",
                     "exposed", "open", "list", "count", "size", "readable", "writable", "gcs", "blob"}
    match = re.search(r"\bbucket(?:\s+(?:named|called))?\s+([a-z0-9][a-z0-9._-]{2,62})\b", text)
    if match and match.group(1) not in bad:
        return match.group(1)
    match = re.search(r"\b([a-z0-9][a-z0-9._-]{2,62})\s+bucket\b", text)
    if match and match.group(1) not in bad and not match.group(1).endswith("s3"):
        return match.group(1)
    return None


_HYPHENATED_WORDS = frozenset(
    """on-call re-run re-deploy re-trigger right-size right-sizing month-end year-end quarter-end wide-open
    allow-all follow-up in-progress real-time ec2-other multi-az cross-region non-prod pre-prod sign-in
    log-in opt-in x-ray check-in e-mail month-to-date year-to-date quarter-to-date end-of-month up-to-date
    high-cpu low-cpu t-shirt self-service read-only write-only built-in""".split()
)


def _resource_name(text: str, taken: set[str]) -> str | None:
    """A named resource: a kebab/snake token with a digit or a dash, not an id or a common word."""
    for match in re.finditer(r"(?<![\w/.:@-])([a-z][a-z0-9]*(?:[-_][a-z0-9]+)+)(?![\w/.:-])", text):
        token = match.group(1)
        if token in taken or token in _HYPHENATED_WORDS or RESOURCE_ID.fullmatch(token):
            continue
        if AWS_REGION.fullmatch(token) or GCP_REGION.fullmatch(token) or re.fullmatch(r"cve-\d+-\d+", token):
            continue
        if re.fullmatch(r"(?:re|un|pre|non|co|de)-\w+", token):
            continue
        return token
    return None


_VERBS = frozenset("""show list get find check see give tail grep any many more recent latest last new all some
    those these what which why how read open my our""".split())


def _service(text: str) -> str | None:
    match = re.search(r"(?<![\w/.-])([a-z][a-z0-9]*(?:-[a-z0-9]+)*-(?:api|svc|service|worker|web|app|backend|"
                      r"frontend|gateway))(?![\w/.-])", text)
    if match:
        return match.group(1)
    match = re.search(r"\b([a-z][a-z0-9-]*)\s+(?:service|svc|api)\b", text)
    if match and _is_name(match.group(1)):
        return match.group(1)
    match = re.search(r"\b(?:service|svc)\s+([a-z][a-z0-9-]*)\b", text)
    if match and _is_name(match.group(1)):
        return match.group(1)
    match = re.search(r"\b(?:on[- ]?call|oncall|incidents?|outage|logs?|deploy\w*|costs?|spend|changes?)\s+"
                      r"(?:for|of|on|in|to)\s+(?:the\s+)?([a-z][a-z0-9-]*)\b", text)
    if match and _is_name(match.group(1)) and not _is_special(match.group(1)):
        return match.group(1)
    # "checkout logs", "payments errors", "the search deploys": a name right before the noun
    match = re.search(r"\b([a-z][a-z0-9-]*)\s+(?:logs?|errors?|deploys?|deployments?|incidents?|alerts?)\b", text)
    if match and _is_name(match.group(1)) and not _is_special(match.group(1)) and match.group(1) not in _VERBS:
        return match.group(1)
    return None


def _is_special(word: str) -> bool:
    """Words another slot owns: clouds, envs, regions, time words, months and weekdays."""
    return bool(
        word in MONTHS or word in MONTH_ABBR or word in WEEKDAYS or AWS_REGION.fullmatch(word)
        or AZURE_REGION.fullmatch(word) or word in CITY_REGIONS or any(p.fullmatch(word) for _, p in ENVS)
        or re.fullmatch(r"q[1-4]|mtd|ytd|qtd|eom|\d.*", word)
    )


def _tag(original: str) -> tuple[str, str] | None:
    for match in re.finditer(r"(?<![\w:/])([A-Za-z][\w.-]{0,63})\s?[=:]\s?([\w.@-]+)", original):
        key, value = match.group(1), match.group(2)
        if key.lower() in ("arn", "http", "https", "s3", "gs", "runbook", "re", "fyi", "note") or value.isdigit():
            continue
        if ":" in match.group(0) and " " in match.group(0):
            continue  # "note: x" is prose, "owner:alice" is a tag
        return key, value
    return None


def _port(text: str) -> int | None:
    match = re.search(r"\bports?\s*(\d{1,5})\b|\b(\d{1,5})/(?:tcp|udp)\b|:(\d{2,5})\b", text)
    if match:
        value = int(next(group for group in match.groups() if group))
        return value if 0 < value < 65536 else None
    if not _OPEN_CONTEXT.search(text):
        return None
    for number in re.finditer(r"(?<![\w./:-])(\d{2,5})(?![\w./:-])", text):
        if int(number.group(1)) in KNOWN_PORTS:
            return int(number.group(1))
    for name, port in NAMED_PORTS.items():
        if re.search(rf"\b{name}\b", text):
            return port
    return None


def _repo(text: str) -> str | None:
    for match in re.finditer(r"(?<![\w/.:-])([a-z0-9][\w.-]*/[a-z0-9][\w.-]*)(?![\w/])", text):
        repo = match.group(1)
        owner, name = repo.split("/", 1)
        if not re.search(r"[a-z]", owner) or repo in ("ci/cd", "and/or", "i/o", "n/a", "tcp/ip", "tl/dr"):
            continue
        if len(owner) < 2 or len(name) < 2:
            continue
        return repo.rstrip(".")
    named = re.search(r"\brepo(?:sitory)?\s+([a-z0-9][\w.-]+)\b|\b(?:the\s+)([a-z0-9][\w.-]+)\s+repo\b", text)
    if named:
        name = named.group(1) or named.group(2)
        return None if name in ("the", "a", "this", "that", "my", "our", "same", "whole", "main") else name
    return None


def _workflow(text: str) -> str | None:
    match = re.search(r"\b([\w.-]+\.ya?ml)\b", text)
    if match:
        return match.group(1)
    bad = {"failed", "failing", "latest", "last", "same", "whole", "github", "this", "that", "entire", "new",
           "previous", "broken", "red", "current", "nightly", "my"}
    match = re.search(r"\bthe\s+([a-z][\w-]*)\s+(?:workflow|pipeline)\b", text)
    if match and match.group(1) not in bad:
        return match.group(1)
    return None


def _run_id(text: str) -> str | None:
    match = re.search(r"/actions/runs/(\d+)|\b(?:run|build|job)(?:\s+id)?\s*#?\s*(\d{5,})\b", text)
    if match:
        return match.group(1) or match.group(2)
    return None


def _incident_id(original: str, text: str) -> str | None:
    match = re.search(r"(?<![\w-])(P(?=[A-Z0-9]*\d)[A-Z0-9]{5,7})(?![\w-])", original)
    if match:
        return match.group(1)
    match = re.search(r"\bincidents?\s*#?\s*(\d{1,7})\b|(?<!pr )(?<!pull request )(?<!issue )#(\d{1,7})\b|"
                      r"\b(?:ack|acknowledge|resolve|close)\s+#?(\d{1,7})\b", text)
    if match:
        return next(group for group in match.groups() if group)
    return None


_PAGE_VERBS = r"(?:page|wake up|get|call in|pull in|loop in|bring in|ping|escalate (?:this |it )?to|summon|notify)"


def _people(text: str, original: str) -> tuple[str | None, str | None]:
    """(person, team) named as page targets or owners."""
    person = None
    mention = re.search(r"@([A-Za-z][\w.-]*)", original)
    if mention:
        person = mention.group(1).lower()
    team = None
    match = re.search(r"\b(?:the\s+)?([a-z][a-z0-9-]*)\s+team\b|\bteam[\s:=]+([a-z][a-z0-9-]*)\b", text)
    if match:
        name = match.group(1) or match.group(2)
        if _is_name(name) or name in ("security", "platform", "data", "network", "infra", "backend", "frontend",
                                      "storage", "database", "db", "sre", "mobile"):
            team = name
    if person is None:
        match = re.search(rf"\b{_PAGE_VERBS}\s+(?!the\b|a\b)([a-z][a-z0-9]*)\b(?!\s+(?:team|on-?call|oncall))",
                          text)
        if match and _is_name(match.group(1)) and match.group(1) not in ("sre", "dba", "infra", "network",
                                                                         "networking", "security"):
            person = match.group(1)
        elif match and team is None and match.group(1) in ("sre", "dba", "infra", "network", "networking",
                                                           "security"):
            team = match.group(1)
    if person is None:  # "escalate P3H8W1R to bob", "reassign it to carol"
        match = re.search(r"\b(?:escalate|reassign|assign|hand(?:\s+it)?\s+over|page)\b.*?\bto\s+([a-z][a-z0-9]*)\b"
                          r"(?!\s+(?:team|on-?call|oncall))", text)
        if match and _is_name(match.group(1)) and match.group(1) not in ("sre", "dba", "infra", "security"):
            person = match.group(1)
    if team is None:
        match = re.search(rf"\b{_PAGE_VERBS}\s+(?:the\s+)?([a-z][a-z0-9-]*)\s+(?:on-?call|oncall)\b", text)
        if match and _is_name(match.group(1)):
            team = match.group(1)
    return person, team


def _severity(text: str) -> str | None:
    match = re.search(r"\bsev\s*-?\s*([0-5])\b", text)
    if match:
        return f"sev{match.group(1)}"
    match = re.search(r"\b(critical|high|medium|low)\b(?:\s+(?:and\s+\w+\s+)?(?:sev\w*|urgency|risk|"
                      r"findings?|vulns?|vulnerabilit\w+|alerts?|cves?|issues?|incidents?|priority))?", text)
    if match and (match.group(0) != match.group(1) or match.group(1) == "critical"):
        return match.group(1)
    match = re.search(r"\b(?:severity|sev|urgency)\s*[:=]?\s*(critical|high|medium|low)\b", text)
    return match.group(1) if match else None


def _limit(text: str) -> int | None:
    match = re.search(r"\btop\s+(\d{1,4})\b|\b(?:last|latest|first|recent)\s+(\d{1,4})\s+(?!days?\b|hours?\b|"
                      r"h\b|min|weeks?\b|months?\b|years?\b|mins?\b)[a-z]|\b(\d{1,4})\s+most\b", text)
    if match:
        return int(next(group for group in match.groups() if group))
    return None


# --------------------------------------------------------------------------- entry point


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
    region = _region(lowered)
    if region:
        slots["region"] = region[0]
    cloud = _cloud(lowered, region[1] if region else None)
    if cloud:
        slots["cloud"] = cloud
    ids = list(dict.fromkeys(m.group(0) for m in RESOURCE_ID.finditer(original)))
    ids = [i if i.upper().startswith(("AKIA", "ASIA", "DB-")) or i.startswith("arn:") else i.lower() for i in ids]
    if ids:
        slots["resource_ids"] = ids
        instance = next((i for i in ids if i.startswith("i-")), None)
        if instance:
            slots["instance_id"] = instance
    _put(slots, "bucket", _bucket(lowered, original))
    _put(slots, "aws_service", _first(AWS_SERVICE, lowered))
    _put(slots, "resource_type", _first(RESOURCE_TYPE, lowered))
    _put(slots, "service", _service(lowered))
    tag = _tag(original)
    if tag:
        slots["tag_key"], slots["tag_value"] = tag[0].lower(), tag[1]
    env = _first(list(ENVS), lowered)
    if tag and tag[0].lower() in ("env", "environment", "stage"):
        env = _first(list(ENVS), tag[1].lower()) or env
    _put(slots, "env", env)
    log_group = re.search(r"(?<![\w:./])(/[a-z0-9_.-]+(?:/[a-z0-9_.#$\[\]-]+)+)", original, re.IGNORECASE)
    if log_group:
        slots["log_group"] = log_group.group(1)
    _put(slots, "action", _action(lowered))
    _put(slots, "port", _port(lowered))
    _put(slots, "repo", _repo(lowered))
    _put(slots, "workflow", _workflow(lowered))
    _put(slots, "run_id", _run_id(lowered))
    _put(slots, "incident_id", _incident_id(original, lowered))
    person, team = _people(lowered, original)
    if tag and tag[0].lower() == "team":
        team = tag[1].lower()
    _put(slots, "person", person)
    _put(slots, "team", team)
    _put(slots, "severity", _severity(lowered))
    _put(slots, "limit", _limit(lowered))
    taken = {str(v) for v in slots.values() if isinstance(v, str)} - {str(slots.get("service"))}
    _put(slots, "resource_name", _resource_name(lowered, taken | set(ids)))
    return slots


def _action(text: str) -> str | None:
    action = _requested_action(text) or _first(ACTION, text)
    if action in ("reboot", "start") and re.search(_CI, text):
        return "rerun"  # "restart the ci job", "start a new build"
    if action is None and re.search(r"\bclose\b.*\b(?:incidents?|pages?|alerts?|outage)\b", text):
        return "resolve"
    if action == "page" and not re.search(rf"^\W*(?:pls |please )?{_PAGE_VERBS}\b|\bpage @|\bescalate\b", text):
        return None
    return action


def _requested_action(text: str) -> str | None:
    """The action a request asks for in any form of its verb ("needs starting", "would you
    mind restarting"), from the mood grammar's occurrences."""
    for occ in occurrences(text):
        if occ.mood == "request" and occ.verb in VERB_ACTION:
            return VERB_ACTION[occ.verb]
    return None


VERB_ACTION = {
    "stop": "stop", "shut down": "stop", "shutdown": "stop", "shut off": "stop", "turn off": "stop",
    "power off": "stop", "spin down": "stop", "start": "start", "turn on": "start", "power on": "start",
    "spin up": "start", "bring up": "start", "reboot": "reboot", "restart": "reboot", "bounce": "reboot",
    "power cycle": "reboot", "resize": "resize", "scale": "scale",
}


def _put(slots: dict[str, Any], key: str, value: Any) -> None:
    if value is not None and value != "":
        slots[key] = value
