"""Finding the resource a person named in plain words (any cloud): "the search indexer box", "payments
db in prod", "the ledger worker". Words are matched against each resource's Name tag (or
identifier) and its service tag; kind words (box, db, function, bucket) narrow the kind and
environment words (prod, staging) the env tag. One best match resolves to its id; several
equally good ones are a question back, listing them; none is "not found"."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tools.places import PLACES, in_place

ENV_WORDS = {"prod": "prod", "production": "prod", "prd": "prod", "live": "prod", "staging": "staging",
             "stage": "staging", "stg": "staging", "dev": "dev", "development": "dev", "qa": "qa",
             "sandbox": "sandbox", "test": "test"}
KIND_WORDS: dict[str, tuple[str, ...]] = {
    "ec2": ("box", "boxes", "server", "servers", "instance", "instances", "vm", "vms", "host", "hosts",
            "machine", "machines", "node", "nodes", "ec2"),
    "rds": ("db", "dbs", "database", "databases", "rds", "postgres", "mysql", "aurora"),
    "lambda": ("function", "functions", "lambda", "lambdas", "fn"),
    "s3": ("bucket", "buckets", "s3"),
    "load_balancer": ("load", "balancer", "balancers", "lb", "lbs", "alb", "albs", "elb", "elbs", "nlb"),
    "ecs_service": ("ecs", "task", "tasks"),
    "eks": ("eks", "k8s", "kubernetes", "cluster"),
}
# Kind words that also say which one: a database engine ("the mysql one", "our postgres db")
# narrows the databases to those running it, when the candidates say what they run (traits).
TRAIT_KIND_WORDS = frozenset({"postgres", "mysql", "aurora"})
# Where a person says a resource is, in place names: parts of the regions' names it matches
# (AWS "eu-west-1", Azure "westeurope", Google "europe-west1"); one-word places only, since
# the phrase is read word by word.
REGION_WORDS: dict[str, tuple[str, ...]] = {place: parts for place, parts in PLACES.items()
                                            if " " not in place and place not in ("us", "usa")}
# Words that carry no name: articles, politeness, verbs of the skills, chat filler.
GENERIC = frozenset("""
a an the this that these those our my your their its of for in on at to from with by and or is are was
be it me us we i you u pls please plz can could would will kindly just now asap quick quickly hey hi ok
okay guardian one ones thing stuff again still right real actual main primary
stop start reboot restart bounce shut shutdown down up off power cycle spin bring turn kill terminate
resize scale describe details detail info about show tell status health healthy check look whats what
how is isnt logs log errors error tail grep what's going wrong with doing running stopped box's
who owns own owner owned where does do run runs located lives which more give get
""".split())


def words(text: str) -> list[str]:
    """Lower-case word tokens; kebab and snake names split into their parts."""
    return [token for token in re.split(r"[^a-z0-9]+", text.lower()) if token]


@dataclass(frozen=True)
class Phrase:
    """What a request says about a resource: name words, and kind and env hints."""

    name_words: tuple[str, ...]
    kinds: tuple[str, ...] = ()
    env: str | None = None
    regions: tuple[str, ...] = ()  # parts of region names the place words match ("europe": "eu-")
    traits: tuple[str, ...] = ()  # kind words that also pick one out ("mysql")

    @classmethod
    def parse(cls, text: str) -> Phrase:
        tokens = words(text)
        kinds = tuple(kind for kind, hints in KIND_WORDS.items() if any(t in hints for t in tokens))
        envs = [ENV_WORDS[t] for t in tokens if t in ENV_WORDS]
        hints = {h for values in KIND_WORDS.values() for h in values}
        names = tuple(t for t in tokens if t not in GENERIC and t not in hints and t not in ENV_WORDS
                      and t not in REGION_WORDS)
        regions = tuple(part for t in tokens if t in REGION_WORDS for part in REGION_WORDS[t])
        traits = tuple(dict.fromkeys(t for t in tokens if t in TRAIT_KIND_WORDS))
        return cls(names, kinds, envs[0] if envs else None, regions, traits)

    @property
    def names_something(self) -> bool:
        """Whether the words say which resource, by name or by a trait ("the mysql one")."""
        return bool(self.name_words or self.traits)

    def in_place(self, region: str) -> bool:
        """Whether ``region`` is where the words say ("the search box in europe"), or any when unsaid."""
        return not self.regions or in_place(region, self.regions)


@dataclass(frozen=True)
class Candidate:
    """A resource someone could mean."""

    kind: str
    id: str
    name: str
    region: str
    env: str = ""
    service: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)
    # words that describe it beyond its name ("windows" for a Windows VM): "the windows one"
    traits: tuple[str, ...] = field(default=(), compare=False)
    # what a person calls its kind when it differs from the kind it is resolved as (an Azure VM
    # is resolved among instances, "ec2", and shown as "Azure VM")
    shown_kind: str = field(default="", compare=False)

    @property
    def label(self) -> str:
        shown = f"{self.name} ({self.id})" if self.name and self.name != self.id else self.id
        return f"{shown}, {self.shown_kind or self.kind} in {self.region}" + (f", env {self.env}" if self.env else "")

    def own_words(self) -> set[str]:
        """The words a person could call it by: its name (or id), service and traits."""
        own = set(words(self.name or self.id)) | set(words(self.service))
        return own | {word for trait in self.traits for word in words(trait)}


@dataclass(frozen=True)
class Resolution:
    """The outcome: ``match`` when one candidate is best; ``ambiguous`` when several tie."""

    phrase: Phrase
    match: Candidate | None = None
    ambiguous: tuple[Candidate, ...] = ()


_SUFFIXES = ("ing", "ers", "er", "es", "ed", "s")


def stem(word: str) -> str:
    """A word without its inflection ("reporting", "reports" -> "report"), so a name is found
    in the form the person said it; a short word is kept whole."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def score(phrase: Phrase, candidate: Candidate) -> tuple[int, float]:
    """(name words matched, share of the candidate's own words matched): more matched words
    win, then the tighter fit ("search indexer" fits search-indexer-1 better than search-eu-1).
    Words match in any inflection ("the reporting box" is reports-1)."""
    own = {stem(word) for word in candidate.own_words()}
    matched = sum(1 for word in {stem(word) for word in phrase.name_words} if word in own)
    return matched, matched / max(len(own), 1)


# "web-frontend-1", "ledger_worker": a name written whole. Region names, resource ids and
# a few hyphenated words are not names.
_COMPOUND = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)+")
_NOT_A_NAME = re.compile(r"^(?:[a-z]{2}(?:-gov)?-[a-z]+-\d+[a-z]?"  # us-east-1, us-east-1a
                         r"|[a-z]+-[a-z]+\d+(?:-[a-z])?"  # us-central1, europe-west1-b
                         r"|[a-z]{1,4}-[0-9a-f]{6,}"  # i-0abc123..., sg-..., vol-...
                         r"|on-call|follow-up|re-run|roll-back|read-only|x-ray|e-mail|sign-in|log-in)$")


def written_names(text: str) -> list[str]:
    """The hyphenated or snake_case names ``text`` spells out whole."""
    return [token for token in _COMPOUND.findall(text.lower()) if not _NOT_A_NAME.match(token)]


def holds(candidate: Candidate, name: str) -> bool:
    """Whether ``name``'s parts run, in order, through the candidate's name, id or service
    ("ledger-worker" is in ledger-worker-2; "web-frontend-1" is not in checkout-web-1)."""
    parts = words(name)
    for own in (words(candidate.name), words(candidate.id), words(candidate.service)):
        if any(own[i:i + len(parts)] == parts for i in range(len(own) - len(parts) + 1)):
            return True
    return False


def resolve(phrase_text: str, candidates: Iterable[Candidate], kinds: Sequence[str] = ()) -> Resolution:
    """The resource ``phrase_text`` names among ``candidates`` (of ``kinds`` when given). A
    name written whole must be found whole: a resource sharing only some of its words is
    not what the person meant, and acting on it would be acting on the wrong thing."""
    phrase = Phrase.parse(phrase_text)
    wanted = [kind for kind in phrase.kinds if not kinds or kind in kinds] or list(kinds)
    pool = [c for c in candidates if (not wanted or c.kind in wanted) and phrase.in_place(c.region)
            and (phrase.env is None or ENV_WORDS.get(c.env.lower(), c.env.lower()) == phrase.env)]
    written = written_names(phrase_text)
    pool = [c for c in pool if all(holds(c, name) for name in written)]
    # "the mysql one": the candidates that run it, when any says what it runs
    pool = [c for c in pool if set(phrase.traits) <= c.own_words()] or pool
    if not phrase.name_words:
        if not phrase.traits or not any(set(phrase.traits) <= c.own_words() for c in pool):
            return Resolution(phrase)
        return Resolution(phrase, match=pool[0]) if len(pool) == 1 else Resolution(phrase, ambiguous=tuple(pool))
    scored = sorted(((score(phrase, c), c) for c in pool), key=lambda item: item[0], reverse=True)
    scored = [(s, c) for s, c in scored if s[0] > 0]
    if not scored:
        return Resolution(phrase)
    best = scored[0][0]
    top = [c for s, c in scored if s == best]
    if len(top) == 1:
        return Resolution(phrase, match=top[0])
    return Resolution(phrase, ambiguous=tuple(top))


def sole_candidate(phrase_text: str, candidates: Iterable[Candidate]) -> Candidate | None:
    """The one candidate of the kind the words say, where they say and in the env they say,
    when there is exactly one ("the eks cluster" with one cluster); None otherwise. A name
    written whole must still be held by it."""
    phrase = Phrase.parse(phrase_text)
    written = written_names(phrase_text)
    pool = [c for c in candidates if c.kind in phrase.kinds and phrase.in_place(c.region)
            and (phrase.env is None or ENV_WORDS.get(c.env.lower(), c.env.lower()) == phrase.env)
            and all(holds(c, name) for name in written)]
    return pool[0] if len(pool) == 1 else None


class AmbiguousResource(LookupError):
    """Several resources fit what a person named: the answer is a question listing them."""

    def __init__(self, phrase: str, candidates: Sequence[Candidate]) -> None:
        parsed = Phrase.parse(phrase)
        name_words = parsed.name_words
        self.phrase = " ".join(name_words or parsed.traits) or phrase
        self.candidates = tuple(candidates)
        listed = "; ".join(candidate.label for candidate in candidates[:8])
        more = f" and {len(candidates) - 8} more" if len(candidates) > 8 else ""
        # "ledger worker" when only "worker" fits: say so, rather than imply they are what was named
        shared = [w for w in dict.fromkeys(name_words) if all(w in c.own_words() for c in candidates)]
        if shared and len(shared) < len(set(name_words)):
            super().__init__(f"Nothing is named \"{self.phrase}\"; {len(candidates)} resources match "
                             f"\"{' '.join(shared)}\" only: {listed}{more}. Did you mean one of them? "
                             "Name it by its Name tag or id.")
            return
        super().__init__(f"Several resources match \"{self.phrase}\": {listed}{more}. Which one do you mean? "
                         "Name it by its Name tag or id.")
