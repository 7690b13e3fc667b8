""""Which X are Y": a tool often returns more than was asked (the bucket check returns public
and unencrypted buckets, the IAM check every kind of issue). When the question names the
property it wants, the answer lists only the items that have it, leads with how many of how
many do, and gives the rest as a count, never as names.

One table of subjects (the tool, what its items are called, the row field naming an item)
and facets (the words that ask for a property, the row test, how to say it)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from agents.tables import order_rows
from tools.base import ToolResult
from tools.wording import agreeing

Row = dict[str, Any]
MAX_NAMES = 10
# slot: the words of the listing a check is asked of ("any of those unattached?" after "list our
# elastic ips"): what "those" are, which narrows the check's rows as the turn's own words do
LISTED_WORDS = "listed_words"


# Slots naming the one resource a turn is about, lent by the turn before when the words point
# at it ("that db", "it"); a machine id lent as "the first machine listed" is too loose a guess
# to narrow findings by.
_TARGET_SLOTS = ("resource_name", "bucket")
# "what else is flagged": beyond the thing named, not about it
_BEYOND_IT = re.compile(r"\b(?:anything|something|what|which|who|where|any)\s+else\b|\bany\s+others?\b", re.I)


def lent_target(text: str, slots: dict[str, Any]) -> str:
    """The resource a turn's slots name that its own words do not ("" when none): what "that db"
    stands for after payments-db."""
    if _BEYOND_IT.search(text):
        return ""
    for key in _TARGET_SLOTS:
        value = slots.get(key)
        if isinstance(value, str) and value and value.lower() not in text.lower():
            return value
    return ""


def focus_text(text: str, slots: dict[str, Any]) -> str:
    """The words a focus reads: the turn's, after those of the listing it asks about, if any."""
    listed = slots.get(LISTED_WORDS)
    return f"{listed} {text}" if isinstance(listed, str) and listed else text


@dataclass(frozen=True)
class Facet:
    """A property a question can ask about: ``asked`` finds it in the words, ``keep`` tests a
    row, ``says`` is the verb phrase for items that have it ("are public")."""

    name: str
    asked: re.Pattern[str]
    keep: Callable[[Row], bool]
    says: str
    negatable: bool = True  # False when the words already mean a lack ("without MFA", "not running")
    one: str = ""  # the phrase for a single item when "are"/"have" -> "is"/"has" is not enough
    counted: bool = True  # False for a facet spanning others ("idle"): the rest is counted by the narrow ones

    def said(self, count: int) -> str:
        """ "are public" for many, "is public" for one."""
        if count != 1:
            return self.says
        return self.one or agreeing(count, self.says)


@dataclass(frozen=True)
class Subject:
    tool: str
    noun: str
    key: str
    checked: str | None  # the fact holding how many items were checked, if the tool counts them
    facets: tuple[Facet, ...]
    scope: Callable[[Row], bool] | None = None  # rows that are items of this noun; default all
    label: Callable[[Row], str] | None = None  # how an item is named; default its ``key`` field
    named: re.Pattern[str] | None = None  # words that must name the noun ("instances") for a focus
    kinds: tuple[Facet, ...] = ()  # narrow which items are meant ("CVEs"): and-ed with the facets
    beyond: tuple[Facet, ...] = ()  # properties of rows outside ``scope`` (an IAM policy, a role), added by name
    # items whose state is their newest row's (a workflow is as green as its latest finished
    # run): picks those rows from the tool's newest-first rows; a "none" answer shows them
    current: Callable[[list[Row]], list[Row]] | None = None
    # the noun for these rows when it differs from ``noun`` ("open incidents" read with the
    # resolved ones included are incidents, not open ones)
    noun_for: Callable[[list[Row]], str] | None = None
    # what the kept items amount to ("$280.32/month"), said when the words ask how much
    amount: Callable[[list[Row]], str] | None = None

    def noun_over(self, rows: list[Row]) -> str:
        return self.noun_for(rows) if self.noun_for is not None else self.noun

    def noun_of(self, kinds: list[Facet]) -> str:
        """"findings", or "CVE findings" when the question is about one kind of them."""
        return " ".join([*(kind.name for kind in kinds), self.noun])

    def covers(self, row: Row) -> bool:
        return self.scope is None or self.scope(row)

    def name_of(self, row: Row) -> str:
        return self.label(row) if self.label else str(row.get(self.key, ""))


def _words(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(patterns), re.I)


def _issue(name: str) -> Callable[[Row], bool]:
    return lambda row: row.get("issue") == name


def _kind(kind: str) -> Callable[[Row], bool]:
    return lambda row: row.get("kind") == kind


def _latest_finished_runs(rows: list[Row]) -> list[Row]:
    """The newest finished run of each workflow (rows come newest first); a workflow with
    only a run under way keeps that run."""
    latest: dict[tuple[Any, Any], Row] = {}
    for row in rows:
        key = (row.get("repo"), row.get("file") or row.get("workflow"))
        if key not in latest or (latest[key].get("status") not in (None, "completed")
                                 and row.get("status") in (None, "completed")):
            latest[key] = row
    return list(latest.values())


def _field(key: str, value: str) -> Callable[[Row], bool]:
    return lambda row: str(row.get(key, "")).lower() == value


def _state(*states: str) -> Callable[[Row], bool]:
    return lambda row: str(row.get("state", "")).lower() in states


# A level's short form in chat: "HIGHs + CRITs", "crit findings"
_SEVERITY_SHORT = {"critical": "crit"}


def _severity(level: str) -> Facet:
    # "only the criticals": the plural names the level too
    said = rf"\b(?:{level}|{_SEVERITY_SHORT[level]})s?\b" if level in _SEVERITY_SHORT else rf"\b{level}s?\b"
    return Facet(level, _words(said), lambda row: str(row.get("severity", "")).lower() == level,
                 f"are {level} severity")


# Savings candidates that cost money while doing (nearly) nothing.
IDLE_KINDS = frozenset({"unattached volume", "unassociated Elastic IP", "stopped instance", "low CPU instance",
                        "old snapshot"})
SEVERITY_RANK = ("critical", "high", "medium", "low", "informational")
SEVERITIES = tuple(_severity(level) for level in SEVERITY_RANK[:4])
# A finding about a published vulnerability: its title carries the CVE id (Inspector's do).
CVE = Facet("CVE", _words(r"\bcves?\b", r"\bvulnerabilit(?:y|ies)\b", r"\bvulns?\b"),
            lambda row: bool(re.search(r"\bCVE-\d{4}-\d{4,}\b", str(row.get("title", "")), re.I)), "are CVEs")
# "anything not encrypted?", "encryption at rest across the account": the posture's findings about
# data stored without encryption (EBS volumes and snapshots, databases, buckets); the words already
# say the lack, so "not encrypted" is no negation of the facet.
UNENCRYPTED = Facet("unencrypted", _words(r"\bencrypt", r"\bunencrypted\b", r"\bat rest\b"),
                    lambda row: str(row.get("check", "")).startswith("unencrypted"),
                    "are about data not encrypted at rest", negatable=False, one="is about data not encrypted at rest")
FAILED_STATES = ("failure", "failed", "timed_out", "startup_failure", "action_required")


# "not running", "aren't running", "isnt up": a machine that is off; "running" alone is one that is on
NOT_RUNNING = r"(?:\bnot|n't|\b(?:arent|isnt|werent|wasnt))\s+(?:running|up)\b"
RUNNING = r"\brunning\b(?<!not running)(?<!n't running)(?<!nt running)"
# A machine said to be off, in the common words (the inventory's state filter reads them too).
MACHINE_OFF = (r"\bstopped\b", NOT_RUNNING, r"\bshut ?(?:down|off)\b", r"\bpowered (?:off|down)\b",
               r"\bturned off\b")


def _machines_stopped(states: tuple[str, ...], phrase: str, *cloud_words: str) -> Facet:
    """Machines in one of ``states``, asked in the common words or their cloud's own
    ("deallocated", "terminated")."""
    return Facet("stopped", _words(*MACHINE_OFF, *cloud_words), _state(*states), phrase, negatable=False)


# Azure's and Compute Engine's running machines, also asked for as "up".
# "just the stopped ones" after a list of machines: "ones" stands for the noun said before
ONES = r"\b(?:the|those|these)\s+(?:\w+\s+){0,2}ones\b"
# A group no instance uses: "not attached to anything", "unused", "attached to nothing".
ATTACHED_TO_NOTHING = Facet(
    "unused", _words(r"\bunused\b", r"\bunattached\b", r"\bnot (?:even )?(?:attached|used|in use)\b",
                     r"\b(?:aren't|isn't|arent|isnt) (?:even )?(?:attached|used|in use)\b",
                     r"\battached to nothing\b", r"\bnothing (?:is )?(?:attached|using)\b", r"\borphan"),
    lambda row: not str(row.get("instances") or "").strip(), "are attached to nothing", negatable=False,
    one="is attached to nothing")
# A group some instance uses, the complement asked for by its own words ("only the ones on a
# running instance", "the ones actually in use"): "skip anything unattached" then has a kept side.
ATTACHED = Facet(
    "attached", _words(r"\b(?:on|attached to|used by)\s+(?:a\s+|an\s+|some\s+)?(?:running\s+)?"
                       r"(?:instances?|machines?|servers?|box(?:es)?|vms?)\b",
                       r"(?<!not )(?<!n't )(?<!nt )\b(?:actually|really)\s+(?:in use|used)\b"),
    lambda row: bool(str(row.get("instances") or "").strip()), "are attached to an instance", negatable=False,
    one="is attached to an instance")
# Asking whether buckets are encrypted at all ("public? encrypted?", "encrypted or not", "SSE
# on?"): the answer is the ones that are not, as it is for "unencrypted"
ASKS_ENCRYPTION = (r"\bencrypt(?:ed|ion)\s*\?", r"\bencrypted or not\b", r"\b(?:is|are|was|were)\b[^?.!]{0,40}"
                   r"\bencrypted\b", r"\bsse\b", r"\bdefault encryption\b")
# A rule open to the IPv6 internet (::/0), asked apart from the IPv4 one ("0.0.0.0/0 or ::/0"
# asks for both, so nothing is narrowed)
IPV6_OPEN = Facet("ipv6", re.compile(r"^(?!.*(?:0\.0\.0\.0|\bipv4\b|\bv4\b))(?=.*(?:\bipv6\b|\bv6\b|::/0))",
                                     re.I | re.S),
                  lambda row: "::/0" in str(row.get("cidr") or ""), "are open to ::/0", negatable=False,
                  one="is open to ::/0", counted=False)
# Ports databases and data stores listen on (PostgreSQL, MySQL, SQL Server, Oracle, Redshift,
# Redis, Memcached, MongoDB, Cassandra, CouchDB, Elasticsearch/OpenSearch, InfluxDB).
DATABASE_PORTS = frozenset({5432, 3306, 1433, 1521, 5439, 6379, 11211, 27017, 27018, 9042, 5984, 9200, 9300, 8086})


def _opens_a_database_port(row: Row) -> bool:
    """A rule whose ports ("5432", "0-65535", "all", "*", several comma-separated) take in a
    database's port."""
    for spec in re.split(r"[,\s]+", str(row.get("ports") or "").strip()):
        if spec.lower() in ("all", "*", "any"):
            return True
        low, _, high = spec.partition("-")
        if low.isdigit() and (high or low).isdigit() and any(int(low) <= port <= int(high or low)
                                                                for port in DATABASE_PORTS):
            return True
    return False


# "are any databases reachable from the internet?", "our dbs exposed?", "data stores open to the
# world": the rules opening a database's port ("analytics-db" names a group, not the kind)
DATABASE_OPEN = Facet("database", _words(r"(?<![\w-])(?:databases?|dbs|db|data ?stores?|datastores?)(?![\w-])"),
                      _opens_a_database_port, "open a database port", negatable=False,
                      one="opens a database port", counted=False)
MACHINES_UP = Facet("running", _words(RUNNING, r"\bpowered on\b", r"\bup\b"),
                    _state("running"), "are running")

# Who a Cloud Storage grant lets read: any signed-in Google account, or anyone at all.
_MEMBER_SIGNED_IN = "allAuthenticatedUsers"
_MEMBER_ANYONE = "allUsers"
SIGNED_IN_ONLY = Facet("signed-in", _words(r"\b(?:signed|logged)[- ]in\b", r"\bauthenticated\b",
                                           r"\bgoogle accounts?\b", r"\ballauthenticatedusers\b"),
                       lambda row: row.get("member") == _MEMBER_SIGNED_IN,
                       f"are open to any signed-in Google account ({_MEMBER_SIGNED_IN})", negatable=False)
ANYONE = Facet("anyone", _words(r"\banonymous\w*", r"\bunauthenticated\b", r"\ballusers\b",
                                r"\bno (?:login|sign[- ]in)\b"),
               lambda row: row.get("member") == _MEMBER_ANYONE, f"are open to anyone, anonymously ({_MEMBER_ANYONE})",
               negatable=False)

SUBJECTS: dict[str, Subject] = {subject.tool: subject for subject in (
    Subject("gcp_public_buckets", "Cloud Storage buckets", "bucket", "buckets_checked", (SIGNED_IN_ONLY, ANYONE)),
    Subject("aws_public_buckets", "buckets", "bucket", "buckets_checked", (
        Facet("public", _words(r"\bpublic", r"\bexposed\b", r"world[- ]readable", r"open to (the )?(world|internet)",
                               r"anyone can read"),
              lambda row: bool(row.get("public")), "are public"),
        Facet("unencrypted", _words(r"\bunencrypted\b", r"not encrypted", r"without (default )?encryption",
                                    r"no (default )?encryption", r"lack\w* encryption", *ASKS_ENCRYPTION),
              lambda row: row.get("encrypted") is False, "have no default encryption", negatable=False),
    )),
    Subject("aws_iam_findings", "IAM users", "user", "users_checked", (
        Facet("no_mfa", _words(r"\bmfa\b", r"\b2fa\b", r"two[- ]factor", r"multi[- ]factor"),
              _issue("console access without MFA"), "have console access without MFA", negatable=False),
        Facet("old_key", _words(r"\b(old|older|oldest|stale|aged?|ancient)\b.{0,30}\bkeys?\b",
                                r"\bkeys?\b.{0,30}\b(old|older|oldest)\b", r"\brotat"),
              _issue("old access key"), "have access keys older than 90 days"),
        Facet("unused_key", _words(r"\bunused\b", r"never (been )?used", r"\binactive\b",
                                   r"\b(?:nobody|no one|never)\b[^.?!,;]{0,20}\b(?:used|touched)\b"),
              _issue("access key never used"), "have access keys never used", negatable=False),
        Facet("admin", _words(r"\badmin", r"administrator"), _issue("administrator access"),
              "have AdministratorAccess"),
    ), scope=lambda row: row.get("kind", "user") == "user", beyond=(
        Facet("admin_policy", _words(r"\badmin", r"administrator", r"\*\s*on\s*\*", r"\bpolic(?:y|ies)\b"),
              _issue("policy allows * on *"), "allow * on *"),
        Facet("unused_role", _words(r"\broles?\b"), _issue("role unused"), "are unused"),
        Facet("root_keys", _words(r"\broot\b"), _issue("root access keys"), "has access keys"),
    )),
    Subject("aws_inventory", "instances", "name", "instances_checked", (
        _machines_stopped(("stopped", "stopping"), "are stopped"),
        Facet("running", _words(RUNNING, r"\bpowered on\b"), _state("running"),
              "are running"),
    ), scope=lambda row: str(row.get("type", "")).lower() == "ec2",
       label=lambda row: f"{row['name']} ({row['id']})" if row.get("name") else str(row.get("id", "")),
       named=_words(r"\binstances?\b", r"\bbox(es)?\b", r"\bservers?\b", r"\bvms?\b", r"\bec2\b", r"\bhosts?\b",
                    r"\bmachines?\b", r"\bnodes?\b", ONES)),
    Subject("azure_inventory", "Azure VMs", "name", None, (
        _machines_stopped(("stopped", "stopping", "deallocated", "deallocating"), "are stopped or deallocated",
                          r"\bdeallocated\b"),
        MACHINES_UP,
    ), scope=lambda row: str(row.get("type", "")).lower() == "vm",
       named=_words(r"\bvms?\b", r"\bvirtual machines?\b", r"\bservers?\b", r"\bmachines?\b", r"\bhosts?\b",
                    r"\binstances?\b", r"\bbox(es)?\b", ONES)),
    Subject("gcp_inventory", "Compute Engine instances", "name", None, (
        _machines_stopped(("terminated", "stopped", "stopping", "suspended", "suspending"),
                          "are stopped or terminated", r"\bterminated\b", r"\bsuspended\b"),
        MACHINES_UP,
    ), scope=lambda row: str(row.get("type", "")).lower() == "instance",
       named=_words(r"\bvms?\b", r"\binstances?\b", r"\bservers?\b", r"\bmachines?\b", r"\bhosts?\b",
                    r"\bbox(es)?\b", r"\bnodes?\b", ONES)),
    Subject("github_workflow_runs", "workflows", "workflow", None, (
        Facet("failing", _words(r"\bfail", r"\bbroken\b", r"\bred\b", r"\berroring\b"), _state(*FAILED_STATES),
              "failed"),
        Facet("passing", _words(r"\bpass", r"\bgreen\b", r"\bsucce"), _state("success"), "passed"),
    ), label=lambda row: f"{row.get('workflow')} ({row.get('repo')})", current=_latest_finished_runs),
    Subject("aws_savings", "savings candidates", "resource", None, (
        Facet("unattached", _words(r"\bunattached\b", r"\bdetached\b", r"\borphan", r"not attached"),
              _kind("unattached volume"), "are unattached volumes", negatable=False,
              one="is an unattached volume"),
        Facet("idle_ip", _words(r"elastic ips?\b", r"\beips?\b", r"unassociated", r"idle ips?\b"),
              _kind("unassociated Elastic IP"), "are unassociated Elastic IPs",
              one="is an unassociated Elastic IP"),
        # "any disks we pay for and don't need": a disk or volume asked of the savings is a volume nobody
        # uses, unattached or on a stopped instance (a volume asked by its type or state anywhere in the
        # words, "gp2 volumes", "any unattached ebs volumes", is that narrower facet alone: asked_facets)
        Facet("disk", _words(r"(?<![\w-])(?:disks?|(?:ebs )?volumes?)\b"),
              lambda row: row.get("kind") in ("unattached volume", "stopped instance"),
              "are volumes nobody uses", negatable=False, one="is a volume nobody uses", counted=False),
        Facet("stopped", _words(r"\bstopped\b"), _kind("stopped instance"), "are stopped instances",
              negatable=False, one="is a stopped instance"),
        Facet("old_snapshot", _words(r"\bsnapshots?\b"), _kind("old snapshot"), "are old snapshots",
              negatable=False, one="is an old snapshot"),
        Facet("low_cpu", _words(r"\bover-?sized\b", r"\blow[- ]cpu\b", r"\bunder-?(?:used|utili[sz]ed)\b",
                                r"\bright-?siz", r"\bdown-?siz",
                                # "going one size down", "a size smaller", "drop it a size"
                                r"\bsizes? (?:down|smaller)\b", r"\ba size\b(?! of\b)", r"\bsmaller (?:size|type)\b",
                                # "too big for what they do", "bigger than it needs", "over-provisioned":
                                # bigger than the work, said plainly (never "the bill is too big")
                                r"\btoo (?:big|large|beefy)\s+for\s+(?:what|the|their|its|the)\b",
                                r"\b(?:bigger|larger)\s+than\s+(?:it|they|we)\s+(?:need|needs|use)\b",
                                r"\bover-?provision"),
              _kind("low CPU instance"), "are low-CPU instances", negatable=False, one="is a low-CPU instance"),
        # "anything idle we could kill": every candidate paid for and doing little, whatever its kind
        Facet("idle", _words(r"\bidle\b(?!\s+(?:elastic\s+)?ips?\b)", r"\bidling\b", r"\bsitting (?:there|around)\b"),
              lambda row: row.get("kind") in IDLE_KINDS, "are idle", negatable=False, one="is idle", counted=False),
        # "on old hardware", "outdated instance types", "legacy families": the generation, not the age
        # ... or said from where it would go: "move it to a newer generation", "current-gen types"
        Facet("previous_generation", _words(r"\b(?:previous|old(?:er)?)[- ]gen(?:eration)?s?\b",
                                            r"\b(?:old(?:er)?|outdated|legacy|ancient|last[- ]gen)\s+(?:hardware|"
                                            r"(?:instance\s+)?(?:types?|famil(?:y|ies)|generations?))\b",
                                            r"\b(?:new(?:er|est)?|current|latest|modern)[- ](?:gen(?:eration)?s?\b|"
                                            r"(?:instance\s+)?(?:types?|famil(?:y|ies))\b|hardware\b)"),
              _kind("previous-generation instance"), "are previous-generation instances", negatable=False,
              one="is a previous-generation instance"),
        Facet("gp2", _words(r"\bgp2\b", r"\bgp3\b"), _kind("gp2 volume"), "are gp2 volumes", negatable=False,
              one="is a gp2 volume"),
    ), label=lambda row: f"{row['name']} ({row['resource']})" if row.get("name") else str(row.get("resource", "")),
        amount=lambda rows: _monthly(rows)),
    # "just the triggered ones", "only the high urgency ones" after a list of open incidents
    Subject("pagerduty_open_incidents", "open incidents", "id", None, (
        Facet("triggered", _words(r"\btriggered\b", r"\bun-?ack(?:nowledg)?ed\b", r"\bnot (?:yet )?ack",
                                  r"\bnobody(?:'s| is)? (?:looking|on it|working)"),
              _field("status", "triggered"), "are triggered", negatable=False),
        Facet("acknowledged", _words(r"(?<!un)\back(?:nowledg)?ed\b", r"(?<!un-)\back'?d\b"),
              _field("status", "acknowledged"), "are acknowledged"),
        Facet("high", _words(r"\bhigh(?:[- ]urgency)?\b", r"\burgent\b"), _field("urgency", "high"),
              "are high urgency"),
        Facet("low", _words(r"\blow(?:[- ]urgency)?\b"), _field("urgency", "low"), "are low urgency"),
    ), label=lambda row: f"{row.get('id')} ({row.get('title')})",
        noun_for=lambda rows: "incidents" if any(row.get("status") == "resolved" for row in rows)
        else "open incidents"),
    # the tool rates each open rule (SSH, RDP, database ports high; web ports low): a rating
    # narrows when asked, and is not how the rest is counted (that is whether a group is used)
    Subject("aws_open_security_groups", "open security groups", "name", None,
            (ATTACHED_TO_NOTHING, replace(ATTACHED, counted=False), *(replace(level, counted=False)
                                                                      for level in SEVERITIES), IPV6_OPEN,
             DATABASE_OPEN),
            label=lambda row: f"{row['name']} ({row['group_id']})" if row.get("name") else str(row.get("group_id"))),
    Subject("gcp_open_firewall_rules", "open firewall rules", "rule", None, (*SEVERITIES, DATABASE_OPEN)),
    Subject("aws_security_hub_findings", "findings", "title", "total", SEVERITIES, kinds=(CVE,)),
    Subject("aws_guardduty_findings", "GuardDuty findings", "type", "total", SEVERITIES),
    Subject("aws_security_posture", "findings", "resource", "findings", (*SEVERITIES, UNENCRYPTED)),
)}

NEGATED = re.compile(r"\b(not|non|aren't|isn't|without)[- ]+$", re.I)
# Leaving a property out ("skip the low ones", "ignore medium", "except low").
EXCLUDED = re.compile(r"\b(?:(?:skip(?:ping)?|ignor(?:e|ing)|exclud(?:e|ing)|except|minus|hide)\s+"
                      r"(?:the\s+|any(?:thing)?\s+|all\s+|everything\s+)?|not\s+(?:the|any)\s+|"  # "..., not the highs"
                      # "not asking about public access, asking about encryption", "don't care about the lows"
                      r"(?:not|n't|nt)\s+(?:asking|talking|worried|interested|bothered)\s+(?:about|in|by)\s+(?:the\s+)?|"
                      r"(?:don'?t|do not|dont)\s+care\s+(?:about\s+)?(?:the\s+)?|not\s+about\s+(?:the\s+)?|"
                      # "signed-in accounts rather than fully anonymous"
                      r"(?:rather than|instead of)\s+(?:the\s+)?(?:fully\s+|totally\s+|completely\s+|just\s+)?)$", re.I)

# A property said not to count, after it ("terminated ones don't count", "stopped boxes dont
# matter", "the low ones are irrelevant"): left out, as an exclusion before it is.
_DISCOUNTED_NOUN = r"^\s*(?:(?:ones?|vms?|boxe?s?|instances?|machines?|nodes?|servers?|hosts?|rules?|findings?)\s+)?"
DISCOUNTED = re.compile(_DISCOUNTED_NOUN + r"(?:(?:(?:do|does|should|will)\s*(?:n'?t|not)|dont|doesnt|wont|shouldnt)\s+"
                        r"(?:really\s+)?(?:count|matter)\b|(?:are|is)\s+(?:irrelevant|excluded)\b)", re.I)


def _monthly(rows: list[Row]) -> str:
    """"About $280.32/month." for one candidate; the sum and each one's share for several."""
    priced = [(str(row.get("name") or row.get("resource") or ""), row["monthly_usd"]) for row in rows
              if isinstance(row.get("monthly_usd"), int | float)]
    if not priced:
        return ""
    if len(priced) == 1:
        return f"About ${priced[0][1]:,.2f}/month."
    each = ", ".join(f"{name} ${amount:,.2f}" for name, amount in priced)
    return f"About ${sum(amount for _name, amount in priced):,.2f}/month in all ({each})."


# Words asking what something costs or would save: "how much", "what does it cost a month", "$"
_ASKS_AMOUNT = re.compile(r"\bhow much\b|\bcost(?:s|ing)?\b|\bsave[sd]?\b|\bper month\b|\ba month\b|\bmonthly\b|"
                          r"\bpay(?:s|ing)?\b|\bmoney\b|\$|\bbucks\b|\bdollars\b", re.I)


@dataclass
class Focused:
    lead: str
    rest: str
    rows: list[Row]


def asked_facets(subject: Subject, text: str) -> list[Facet]:
    """The facets the words ask for; none when one is negated ("not public"), since then the
    whole list answers better than a guess at the complement."""
    found, excluded = [], []
    said = [(facet, match) for facet in subject.facets if (match := facet.asked.search(text)) is not None]
    names = {facet.name for facet, _ in said}
    for facet, match in said:
        if names & set(_NARROWED_BY.get(facet.name, ())):
            continue
        if EXCLUDED.search(text[: match.start()]) or DISCOUNTED.search(text[match.end():]):
            excluded.append(facet)  # "high and critical, skip the low": low is left out, not asked for
            continue
        if facet.negatable and NEGATED.search(text[: match.start()]):
            return []
        found.append(facet)
    if excluded and not found:
        return []  # only an exclusion: the whole list answers better than a guess at the complement
    # "not running" matched both states
    if subject.tool in ("aws_inventory", "azure_inventory", "gcp_inventory") and len(found) == 2:
        found = [facet for facet in found if facet.name == "stopped"]
    found = _and_above(subject, text, found)
    if found and subject.tool == "aws_iam_findings" and not any(f.name in KEY_FACETS for f in found) \
            and _asks_keys(text):
        # "mfa, keys and admins": access keys named among other issues, without saying which
        # trouble with them, are every key issue (old and never used), not left out
        found += [facet for facet in subject.facets if facet.name in KEY_FACETS]
    return found


# A facet the words may say a narrower one of ("unattached ebs volumes", "disks still on gp2"):
# the narrower one alone is asked, said or ruled out.
_NARROWED_BY = {"disk": ("unattached", "gp2")}


# A floor of severity: "high or above", "medium and up", "at least high", "high+", "high or worse"
_AT_LEAST = re.compile(r"\bat least\s+(critical|high|medium|low)\b|\b(critical|high|medium|low)(?:[- ]sev\w*)?"
                       r"(?:\s*\+|\s+(?:or|and)\s+(?:above|higher|up|worse|more severe)\b)", re.I)


def _and_above(subject: Subject, text: str, found: list[Facet]) -> list[Facet]:
    """A floor of severity asks for every level from it up, not only the level it names: a
    compliance lead's "rated high or above" must not hide the critical finding."""
    match = _AT_LEAST.search(text)
    if match is None or not any(facet.name in SEVERITY_RANK for facet in found):
        return found
    floor = SEVERITY_RANK.index((match.group(1) or match.group(2)).lower())
    return found + [facet for facet in subject.facets if facet.name in SEVERITY_RANK[:floor] and facet not in found]


KEY_FACETS = ("old_key", "unused_key")
_KEYS = re.compile(r"\b(?:access[- ])?keys?\b", re.I)
_ROOT_NEAR = re.compile(r"\broot\b[^,;.?!]{0,30}$", re.I)


def _asks_keys(text: str) -> bool:
    """Keys asked about as such: "keys", "access keys", not the root user's ("does root have
    access keys"), which is a facet of its own."""
    return any(not _ROOT_NEAR.search(text[: match.start()]) for match in _KEYS.finditer(text))


def names(items: list[str]) -> str:
    shown = ", ".join(items[:MAX_NAMES])
    return shown + (f" and {len(items) - MAX_NAMES} more" if len(items) > MAX_NAMES else "")


# "mfa, keys, admins, the lot": a list of properties closed by a word for everything asks for
# the whole list, not the properties it happened to name first
EVERYTHING = re.compile(r"\b(?:the (?:whole )?(?:lot|works|full monty|whole (?:list|thing|shebang))|"
                        r"all of (?:the above|it)|everything (?:else|you (?:have|find|got|can find)))\b", re.I)


# Every run of a period asked for, not each workflow's current state: "deploy history for the last
# 2 days - which passed, which failed", "every checkout build since monday" ("are all the builds
# green?" asks the state, so "all" is not read as a history)
RUN_HISTORY = re.compile(r"\b(?:history|histories|track record|every (?:single )?(?:[a-z0-9-]+ )?"
                         r"(?:run|build|deploy|deployment))\b", re.I)


# "what else are we wasting money on", "anything else I should clean up": beyond the kind
# named, a clause of its own (three words or more) asked again in general
_ELSE_CLAUSE = re.compile(r"\b(?:anything|something|what|which|where)\s+else\b(?P<tail>[^?.!;\n]*)", re.I)
GENERAL_CLAUSE_WORDS = 3


def asks_beyond_in_general(subject: Subject, text: str) -> bool:
    """Whether the words ask past the kind or property they name, with a question of their own
    that names none ("1 unassociated Elastic IP - and what else are we wasting money on?"); an
    elliptical "is anything else?" still asks about the property named before it."""
    for match in _ELSE_CLAUSE.finditer(text):
        tail = match.group("tail")
        if len(re.findall(r"[a-z][a-z'-]*", tail, re.I)) < GENERAL_CLAUSE_WORDS:
            continue
        if not asked_facets(subject, tail) and not any(kind.asked.search(tail) for kind in subject.kinds):
            return True
    return False


# A condition clause ("if the box is still mostly idle, ...", "assuming it's oversized, ..."): a
# premise the question rests on, up to the clause's comma or question mark
_PREMISE = re.compile(r"(?:^|[.?!;]\s*|\b(?:and|so|ok)\s+)(?:if|assuming|provided|given that|in case)\b"
                      r"[^,?.!;]*[,?.;]", re.I)


def beyond_the_premise(text: str, facets: list[Facet]) -> list[Facet]:
    """The facets the question asks, without those said only in a condition it rests on ("if
    the batch box is still idle, what would one size down save?" asks the size, not every
    idle thing); all of them when the premise holds every one."""
    premises = [match.span() for match in _PREMISE.finditer(text)]
    if not premises:
        return facets
    rest = text
    for start, end in sorted(premises, reverse=True):
        rest = rest[:start] + " " + rest[end:]
    asked = [facet for facet in facets if facet.asked.search(rest)]
    return asked or facets


# Kinds said as examples of a wider ask ("anything we could kill? old snapshots etc", "easy wins -
# idle boxes, that kind of thing", "waste, e.g. unattached disks"): the words of the examples
_EXAMPLES_BEFORE_MARK = re.compile(
    r"(?P<ex>[^?.!;\n]*?)[\s,]*\b(?:etc\b\.?|et cetera\b|and so (?:on|forth)\b|and the like\b|"
    r"(?:and|or) (?:stuff|things|anything|whatever) (?:like|of) (?:that|the sort)\b|"
    r"(?:that|this) (?:kind|sort|type) of (?:thing|stuff)s?\b|or whatever\b|and similar\b)", re.I)
_EXAMPLES_AFTER_MARK = re.compile(r"\b(?:e\.g\.?|eg|for (?:example|instance)|such as)[\s,:]+(?P<ex>[^?.!;\n]*)", re.I)


def examples_only(subject: Subject, text: str) -> bool:
    """Whether every property or kind the words name is said as an example of a wider ask
    ("anything wasteful we could cut? old snapshots etc"), the rest of the words naming none:
    then the whole list answers, not the examples' kinds. "database ports open? postgres 5432
    etc" names its property outside the examples too, and stays narrowed to it."""
    spans = [match.span("ex") for pattern in (_EXAMPLES_BEFORE_MARK, _EXAMPLES_AFTER_MARK)
             for match in pattern.finditer(text) if match.group("ex").strip()]
    if not spans:
        return False
    examples = " ".join(text[start:end] for start, end in spans)
    rest, cut = [], 0
    for start, end in sorted(spans):
        rest.append(text[cut:start])
        cut = max(cut, end)
    rest.append(text[cut:])
    rest_text = " ".join(rest)

    def names_any(words: str) -> bool:
        return bool(asked_facets(subject, words)) or any(kind.asked.search(words) for kind in subject.kinds)

    return names_any(examples) and not names_any(rest_text)


def focus(tool: str, result: ToolResult, text: str, meant: Sequence[str] = (), target: str = "") -> Focused | None:
    """Only what the question asks for, or None when it names no property this tool knows.
    ``meant``: what an earlier answer named that this turn points at ("does that person have
    MFA?"), of which the items of this result are the ones meant; ``target``: the resource the
    turn is about when its words only point at it ("anything flagged on that db?" after
    payments-db), which findings are then asked about as if named."""
    subject = SUBJECTS.get(tool)
    if subject is None or result.status != "ok" or not result.rows:
        return None
    if EVERYTHING.search(text) or (subject.current is not None and RUN_HISTORY.search(text)):
        return None
    if _LEAST_SEVERE.search(text) and any(facet in subject.facets for facet in SEVERITIES):
        least = _least_severe(subject, result)
        if least is not None:
            return least
    if subject.tool in ABOUT_A_RESOURCE and not asked_facets(subject, text) \
            and not any(kind.asked.search(text) for kind in subject.kinds):
        about = _about_a_resource(subject, result, f"{text} {target}" if target else text)
        if about is not None:
            return about
    if subject.tool in ASKED_BY_NAME:
        users = _asked_about(subject, result.rows, text, meant)
        if users:
            return _focus_on(subject, result, asked_facets(subject, text), users, text)
    if subject.named is not None and not subject.named.search(text):
        return None  # "what's running" asks about every kind of resource, not only instances
    if asks_beyond_in_general(subject, text) or examples_only(subject, text):
        return None
    facets = asked_facets(subject, text)
    if len(facets) > 1:
        facets = beyond_the_premise(text, facets)
    kinds = [kind for kind in subject.kinds if kind.asked.search(text)]
    beyond = [facet for facet in subject.beyond if facet.asked.search(text)]
    if beyond and subject.tool in BEYOND_BY_NOUN and not BEYOND_BY_NOUN[subject.tool].search(text):
        # "any roles sitting there unused?": what is unused is a role; no user is asked about
        facets = []
    extra = [row for row in result.rows if not subject.covers(row) and any(f.keep(row) for f in beyond)]
    if not facets and not kinds:
        if not extra:
            return None
        return Focused(lead=_also(subject, extra, first=True), rest="", rows=extra)
    focused = _focus_items(subject, result, facets, kinds, text)
    if focused is not None and focused.rows and subject.amount is not None and _ASKS_AMOUNT.search(text):
        # "is it one of those unattached volumes? what does it cost a month": the figure asked, said
        said = subject.amount(focused.rows)
        focused = replace(focused, lead=f"{focused.lead} {said}".strip())
    if focused is None or not extra:
        return focused
    return Focused(lead=f"{focused.lead} {_also(subject, extra)}", rest=focused.rest, rows=focused.rows + extra)


# The bottom of a ranked list: "the lowest severity thing", "least severe finding", "least urgent"
_LEAST_SEVERE = re.compile(r"\b(?:lowest|least)[- ](?:sev\w*|severe|critical|risk\w*|prio\w*|serious|urgent|bad)\b",
                           re.I)


def _least_severe(subject: Subject, result: ToolResult) -> Focused | None:
    """The items at the lowest severity level found, or None when every row shares one level."""
    levels = [str(row.get("severity", "")).lower() for row in result.rows]
    ranked = sorted({SEVERITY_RANK.index(level) for level in levels if level in SEVERITY_RANK})
    if len(ranked) < 2:
        return None
    level = SEVERITY_RANK[ranked[-1]]
    kept = [row for row in result.rows if str(row.get("severity", "")).lower() == level]
    total = len(result.rows)
    titles = list(dict.fromkeys(subject.name_of(row) for row in kept))
    lead = f"The least severe of the {total} {subject.noun} ({level} severity): {names(titles)}."
    return Focused(lead=lead, rest=f"Not listed: the other {total - len(kept)} {subject.noun}, all more severe.",
                   rows=kept)


# Findings asked about one thing the words name ("what's flagged on the bastion?", "anything
# against payments-db"): the rows whose title or resource names it.
# Rows narrowed to the thing the words name ("anything flagged on payments-db?", "why is
# analytics-batch-1 on there?"); a savings row is itself the thing, a finding is about one.
ABOUT_A_RESOURCE = ("aws_security_hub_findings", "aws_guardduty_findings", "aws_savings")
_HYPHENATED = re.compile(r"(?<![\w.-])[a-z][a-z0-9]*(?:-[a-z0-9]+)+(?![\w-])", re.I)
_REGION_SHAPE = re.compile(r"[a-z]{2}-[a-z]+-\d", re.I)
# (a name in brackets spelt in mixed case, as nicknames are: not "(deprecated)", not "(CRITICAL)")
_NICKNAME = re.compile(r"\(((?=[A-Za-z0-9]*[A-Z])(?=[A-Za-z0-9]*[a-z])[A-Za-z][A-Za-z0-9]{4,})\)")
_COMPANY_PREFIX = re.compile(r"^[a-z]+-(?=[a-z]+-[a-z])", re.I)  # "driftwood-" of "driftwood-checkout-static"
MIN_SPOKEN = 4


def _spoken_forms(row: Row) -> dict[str, str]:
    """What a finding's row is about, by the names people say: the hyphenated names in its title
    and the last part of its resource ("arn:...:user/dave" is dave), each also without a trailing
    number ("bastion-1" is "the bastion") or a company prefix; form -> name."""
    resource = str(row.get("resource", ""))
    found = _HYPHENATED.findall(str(row.get("title", "")))
    found += [str(row["name"])] if row.get("name") else []  # a savings row's Name tag
    # a vulnerability's nickname the title gives in brackets: "openssh (regreSSHion)", "(Log4Shell)"
    found += _NICKNAME.findall(str(row.get("title", "")))
    last = re.split(r"[/:]", resource)[-1]
    if len(last) >= MIN_SPOKEN - 1:
        found.append(last)
    forms: dict[str, str] = {}
    for name in found:
        if _REGION_SHAPE.fullmatch(name):
            continue
        for form in (name, re.sub(r"-\d+$", "", name), _COMPANY_PREFIX.sub("", name)):
            if len(form) >= MIN_SPOKEN or form == name:
                forms.setdefault(form.lower(), name)
    return forms


def _about_a_resource(subject: Subject, result: ToolResult, text: str) -> Focused | None:
    """The findings about the thing the words name, or None when they name none of the rows'
    things (or every row is about it)."""
    said: list[str] = []
    kept: list[Row] = []
    for row in result.rows:
        hit = [name for form, name in _spoken_forms(row).items()
               if re.search(rf"(?<![\w-]){'[- ]'.join(map(re.escape, form.split('-')))}(?![\w-])", text, re.I)]
        if hit:
            kept.append(row)
            said += hit
    if not kept or len(kept) == len(result.rows):
        return None
    checked = result.facts.get(subject.checked) if subject.checked else None
    total = int(checked) if isinstance(checked, int) and checked >= len(result.rows) else len(result.rows)
    titles = list(dict.fromkeys(subject.name_of(row) for row in kept))
    about = "" if any("title" not in row for row in kept) else \
        f" {'is' if len(kept) == 1 else 'are'} about {names(list(dict.fromkeys(said)))}"  # a row the thing itself
    lead = f"{len(kept)} of {total} {subject.noun}{about}: {names(titles)}."
    return Focused(lead=lead, rest=f"Not listed: the other {total - len(kept)} {subject.noun}.", rows=kept)


def _also(subject: Subject, rows: list[Row], first: bool = False) -> str:
    """Rows outside the subject's items, by name and issue ("driftwood-break-glass: policy
    allows * on *")."""
    named = "; ".join(f"{subject.name_of(row)}: {row.get('issue', '')}" for row in rows)
    return f"{named}." if first else f"Also: {named}."


def _focus_items(subject: Subject, result: ToolResult, facets: list[Facet],
                 kinds: list[Facet], text: str = "") -> Focused | None:
    """The subject's own items that have the facets (or are of the kinds) asked for."""
    ranked, _ = order_rows(result.columns or list(result.rows[0]), result.rows)  # named in table order
    items = [row for row in ranked if subject.covers(row)]
    if subject.current is not None:
        now = {id(row) for row in subject.current(list(result.rows))}
        items = [row for row in items if id(row) in now]
    if not items:
        return None
    all_names = list(dict.fromkeys(subject.name_of(row) for row in items))
    checked = result.facts.get(subject.checked) if subject.checked else None
    total = int(checked) if isinstance(checked, int) and checked >= len(all_names) else len(all_names)
    if kinds:
        return _focus_kind(subject, kinds, facets, items, total)
    named = result.facts.get("named")
    if isinstance(named, list) and named:
        return _focus_named(subject, facets, items, [str(name) for name in named])
    if total == 1 and subject.current is None:
        # the one item checked ("is that box up?" of the machine a lookup found): said to have
        # the property or not by name, and kept, its row giving what else was asked (its type)
        return replace(_focus_named(subject, facets, items, all_names), rows=items)
    kept = [row for row in items if any(facet.keep(row) for facet in facets)]
    kept_names = list(dict.fromkeys(subject.name_of(row) for row in kept))
    says = " or ".join(dict.fromkeys(facet.said(len(kept_names)) for facet in facets))  # each said once
    noun = subject.noun_over(items)
    if kept_names:
        lead = f"{len(kept_names)} of {total} {noun} {says}: {names(kept_names)}."
    else:
        lead = f"None of the {total} {noun} checked {' or '.join(f.said(1) for f in facets)}."
        if subject.current is not None:  # "is the deploy green?" "no": its latest run says how it is
            states = "; ".join(_current_state(subject, row) for row in items[:MAX_NAMES])
            return Focused(lead=f"{lead[:-1]}: {states}.", rest="", rows=items)
    rest = _rest(subject, facets, items, kept_names, total)
    if subject.current is not None and _asks_whether(text):
        rest = _others_now(subject, items, kept_names) or rest
    if subject.current is not None:  # a workflow's state is its last finished run: say what runs now
        rest = f"{rest} {_under_way(subject, list(result.rows))}".strip()
    return Focused(lead=lead, rest=rest, rows=kept)


def _focus_named(subject: Subject, facets: list[Facet], items: list[Row], named: list[str]) -> Focused:
    """The items the question named (the tool narrowed to them, ``facts["named"]``): each said
    to have the property asked about or not, never "none of the N checked" (the others were
    not asked about, and some of them may have it), then what else the named ones have."""
    kept = [row for row in items if subject.name_of(row) in named and any(facet.keep(row) for facet in facets)]
    kept_names = list(dict.fromkeys(subject.name_of(row) for row in kept))
    lacking = [name for name in named if name not in kept_names]
    said = []
    if kept_names:
        said.append(f"{names(kept_names)} {' or '.join(facet.said(len(kept_names)) for facet in facets)}.")
    if lacking:
        said.append(f"{names(lacking)} {' and '.join(_lacks(facet, len(lacking)) for facet in facets)}.")
    other = []
    for facet in subject.facets:
        if facet in facets or not facet.counted:
            continue
        having = list(dict.fromkeys(subject.name_of(row) for row in items
                                    if subject.name_of(row) in named and facet.keep(row)))
        if having:
            other.append(f"{names(having)} {facet.said(len(having))}.")
    return Focused(lead=" ".join(said), rest=" ".join(other), rows=kept)


# Words that ask about a subject's own items, beside its other rows: an IAM question about
# roles or policies that says none of these is not about users.
BEYOND_BY_NOUN = {"aws_iam_findings": re.compile(
    r"\b(?:users?|people|persons?|accounts?|logins?|console|keys?|credentials?|creds|mfa|2fa|admins?|"
    r"administrators?|humans?|employees?)\b", re.I)}
# Subjects whose items people ask about one by one, by name: "does erin have MFA?"
ASKED_BY_NAME = ("aws_iam_findings",)
# A name left out of the question rather than asked about: "apart from dave, anyone else?"
_LEFT_OUT_BEFORE = re.compile(r"\b(?:apart from|besides|beside|except(?: for)?|other than|aside from|not counting|"
                              r"excluding|beyond|but)\s+$", re.I)
MIN_NAME = 3  # shorter row names are too likely to be a word of the question


def _asked_about(subject: Subject, rows: list[Row], text: str, meant: Sequence[str]) -> list[str]:
    """The items the question asks about by name (not left out: "besides dave"), else the one
    item of this result that an earlier answer named and the words point at ("that person")."""
    known = list(dict.fromkeys(subject.name_of(row) for row in rows if subject.covers(row)))
    named = []
    for name in known:
        if len(name) < MIN_NAME:
            continue
        match = re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text, re.I)
        if match and not _LEFT_OUT_BEFORE.search(text[: match.start()]):
            named.append(name)
    if named:
        return named
    pointed = [name for name in known if name in meant]
    return pointed if len(pointed) == 1 else []


def _focus_on(subject: Subject, result: ToolResult, facets: list[Facet], named: list[str], text: str) -> Focused:
    """The named items, each on its own: which of the properties asked it has and which it
    lacks, then what else it has; with one property asked, also which items have it at all
    ("is dave the only one without MFA?"). With none asked, every property each has."""
    items = [row for row in result.rows if subject.covers(row)]
    asked = facets or [facet for facet in subject.facets if facet.counted]
    said, rest = [], []
    for name in named:
        own = [row for row in items if subject.name_of(row) == name]
        having = [facet for facet in asked if any(facet.keep(row) for row in own)]
        lacking = [facet for facet in asked if facet not in having]
        if having:
            said.append(f"{name} {' and '.join(facet.said(1) for facet in having)}.")
        if not facets:
            if not having:
                said.append(f"{name} has none of the issues checked.")
            continue
        if lacking:
            said.append(f"{name} {' and '.join(_lacks(facet, 1) for facet in lacking)}.")
        also = [facet.said(1) for facet in subject.facets if facet.counted and facet not in facets
                and any(facet.keep(row) for row in own)]
        if also:
            rest.append(f"{name} {' and '.join(also)}.")
    shown = [row for row in items if subject.name_of(row) in named and any(facet.keep(row) for facet in asked)]
    every = _focus_items(subject, result, facets, [], text) if len(facets) == 1 else None
    if every is not None:
        said.append(every.lead)
        shown = every.rows + [row for row in shown if row not in every.rows]
    return Focused(lead=" ".join(said), rest=" ".join(rest), rows=shown)


_SAYS_A_LACK = re.compile(r"\b(?:no|not|never)\b", re.I)


def _lacks(facet: Facet, count: int) -> str:
    """The facet's phrase denied for ``count`` items ("is not public", "do not have X"); a
    phrase that already says a lack ("have no default encryption") is denied as "is not one
    that has no default encryption", never as a double negative."""
    phrase = facet.says
    if phrase.startswith("are ") and facet.negatable:
        return agreeing(count, f"are not {phrase[4:]}")
    if phrase.startswith("have ") and (facet.negatable or not _SAYS_A_LACK.search(phrase)):
        # "does not have console access without MFA": a lack said with "without" denies plainly
        return f"{'does' if count == 1 else 'do'} not have {phrase[5:]}"
    return f"{'is not one' if count == 1 else 'are not ones'} that {facet.said(count)}"


def _under_way(subject: Subject, rows: list[Row]) -> str:
    """Runs not finished yet ("CI (acme/api) run 731 (#231), 6m ago"), which a state taken from
    the last finished run leaves out."""
    running = [row for row in rows if row.get("status") not in (None, "completed")]
    if not running:
        return ""
    return "Under way: " + "; ".join(_current_state(subject, row) for row in running[:MAX_NAMES]) + "."


# "is main green?", "did they all pass", "whether they went green": a yes/no about how things
# stand, not a request for the list of the ones that are so (a dash may set the question off from
# what the asker says first: "new here - is checkout green?")
_WHETHER = re.compile(r"\b(?:whether|if)\b|(?:^|[?.!;:,]\s*|\s[-\u2013\u2014]+\s*|\b(?:and|so|ok|okay)\s+)"
                      r"(?:is|was|are|were|did|does|do|has|have)\b(?![^?.!;]*\b(?:any|anything|which)\b)", re.I)


def _asks_whether(text: str) -> bool:
    return bool(_WHETHER.search(text))


def _others_now(subject: Subject, items: list[Row], kept: list[str]) -> str:
    """The items without the property asked about, each with its state now and the run
    that says so, when few: asked whether they passed, the one that did not is the news."""
    others = [row for row in items if subject.name_of(row) not in kept]
    if not others or len(others) > MAX_NAMES:
        return ""
    return "The others: " + "; ".join(_current_state(subject, row) for row in others) + "."


def _focus_kind(subject: Subject, kinds: list[Facet], facets: list[Facet], items: list[Row],
                total: int) -> Focused:
    """"critical CVEs": the items of the kind asked about, then the facets among them. When
    none of that kind has the facet, the most severe of that kind are named instead (a high
    CVE is the answer to "any critical CVEs?" that matters), saying so."""
    of_kind = [row for row in items if any(kind.keep(row) for kind in kinds)]
    noun = subject.noun_of(kinds)
    outside = total - len({subject.name_of(row) for row in of_kind})
    tail = (f" Not listed: {outside} other {_counted(outside, subject.noun)} that "
            f"{'is' if outside == 1 else 'are'} not {noun}.") if outside > 0 else ""
    if not of_kind:
        return Focused(lead=f"None of the {total} {subject.noun} checked {kinds[0].said(1)}.", rest="", rows=[])
    kept = [row for row in of_kind if any(facet.keep(row) for facet in facets)] if facets else of_kind
    kept_names = list(dict.fromkeys(subject.name_of(row) for row in kept))
    if kept_names:
        says = f" {' or '.join(facet.said(len(kept_names)) for facet in facets)}" if facets else ""
        lead = f"{len(kept_names)} of {len(of_kind)} {noun}{says}: {names(kept_names)}."
        rest = _rest(subject, facets, of_kind, kept_names, len(of_kind)) if facets else ""
        return Focused(lead=lead, rest=(rest + tail).strip(), rows=kept)
    worst = _most_severe(of_kind)
    worst_names = list(dict.fromkeys(subject.name_of(row) for row in worst))
    level = f" ({worst[0].get('severity')} severity)" if worst and worst[0].get("severity") else ""
    lead = (f"None of the {len(of_kind)} {noun} {' or '.join(f.said(1) for f in facets)}; "
            f"the most severe{level}: {names(worst_names)}.")
    return Focused(lead=lead, rest=tail.strip(), rows=worst)


def _current_state(subject: Subject, row: Row) -> str:
    """"Deploy (acme/api) failure, run 42, 3h ago": what an item is now, and the run that says so."""
    said = f"{subject.name_of(row)} {str(row.get('state')).replace('_', ' ')}"  # "in progress", "timed out"
    if row.get("run_id"):  # the number people say (#118) beside the id a re-run takes, and what it built
        said += f", run {row['run_id']}" + (f" (#{row['number']})" if row.get("number") else "")
        said += f', "{row["title"]}"' if row.get("title") else ""
    return said + (f", {row['age']} ago" if row.get("age") else "")


def _most_severe(rows: list[Row]) -> list[Row]:
    """The rows at the highest severity present (all of them when rows carry none)."""
    ranks = [SEVERITY_RANK.index(str(row.get("severity", "")).lower())
             if str(row.get("severity", "")).lower() in SEVERITY_RANK else len(SEVERITY_RANK) for row in rows]
    best = min(ranks, default=len(SEVERITY_RANK))
    return [row for row, rank in zip(rows, ranks, strict=True) if rank == best]


def _rest(subject: Subject, facets: list[Facet], items: list[Row], kept: list[str], total: int) -> str:
    """The others as counts: how many do not, and how many of those have another property."""
    others = total - len(kept)
    if others <= 0:
        return ""
    left = [row for row in items if subject.name_of(row) not in kept]
    extra = []
    for facet in subject.facets:
        if facet in facets or not facet.counted:
            continue
        count = len({subject.name_of(row) for row in left if facet.keep(row)})
        if count == others > 1:  # "the other 11 instances, all of which are running"
            extra.append(f"all {facet.said(count)}")
        elif count:
            extra.append(f"{count} {facet.said(count)}")
    tail = f", of which {', '.join(extra)}" if extra else ""
    return f"Not listed: the other {others} {_counted(others, subject.noun)}{tail}."


def _counted(count: int, noun: str) -> str:
    """The plural noun said of ``count`` things ("the other 1 security group", not "groups")."""
    return noun.removesuffix("s") if count == 1 else noun
