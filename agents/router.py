"""The offline skill router: every request goes to exactly one skill, with no LLM and no
network. A logistic regression over MiniLM embeddings of the example utterances in
``agents/data/utterances.yaml`` gives each skill a probability; a handful of precise
rules (``ack P123``, ``reboot i-...``, ``who is on call``...) shift that where words beat
embeddings; the nearest examples' similarity says whether the text looks like anything
Guardian handles, so gibberish and small talk come back below the threshold and the
graph asks a clarifying question instead of guessing.

Approaches measured on tests/agents/route_dev.yaml (see docs/BENCHMARKS.md, "## Router"):
pure kNN, centroid, kNN + rules, logistic regression, logistic regression + rules; the
last one is what ``SkillRouter`` runs.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

import numpy as np
import yaml
from numpy.typing import NDArray

from agents.mood import imperative_skills, mood_for, question_skill, talked_about
from agents.route import Route
from agents.skills import SKILL_BY_NAME, SKILLS, agent_of
from agents.slots import extract_slots
from knowledge.embeddings import MODEL_NAME, Embedder

UTTERANCES_PATH = Path(__file__).parent / "data" / "utterances.yaml"
SKILL_NAMES: tuple[str, ...] = tuple(skill.name for skill in SKILLS)
Approach = Literal["knn", "centroid", "knn_rules", "logreg", "logreg_rules"]

# A strong rule all but decides the skill; a weak one tips a close call.
STRONG = 4.0
WEAK = 1.5
KNN_K = 3
# Nearest-example similarity below LOW_SIM looks like nothing we handle; above HIGH_SIM
# like something we do (MiniLM cosine; dev requests: 5th percentile ~0.44, small talk and
# gibberish <= ~0.43).
LOW_SIM = 0.28
HIGH_SIM = 0.50


# --------------------------------------------------------------------------- rules

INCIDENT_ID = re.compile(r"\bP[A-Z0-9]{5,7}\b")

_PREFIX = (
    r"^(?:\W*(?:hey|hi|ok|okay|yo)\b[\s,]*)?(?:guardian\W+)?"
    r"(?:(?:pls|please|plz|can you|can u|could you|would you|go|now)\s+)*"
)
_CI_WORDS = (
    r"\b(?:workflows?|pipelines?|builds?|ci|jobs?|actions?|deploy(?:s|ment)?|release|runs?|tests?|checks?|pr|"
    r"\w+\.ya?ml)\b"
)
_HOWTO = re.compile(
    r"^\W*(?:how (?:do|to|can|should|would|does) (?:i|we|you|one)?\b|how to\b|what(?:'?s| is) the "
    r"(?:procedure|process|playbook|runbook|steps?|fix)\b|steps (?:to|for|when)\b|what (?:do|should) (?:i|we) do\b)"
)
_HELP = re.compile(
    r"^\W*(?:/?guardian\s+)?(?:help|usage|commands?|menu|options|manual|capabilities|intro|getting started|"
    r"instructions|examples?)\W*(?:me|pls|please|plz)?\W*$|^\W*\?+\W*$|"
    r"\bwhat (?:can|do|could) (?:you|u|this bot|the bot|guardian) (?:do|help)\b|"
    r"\bhow (?:do|can|should) (?:i|we) (?:use|talk to) (?:you|u|this|the bot|guardian)\b|"
    r"\b(?:your|ur) (?:capabilities|skills|commands|features)\b|\b(?:list|show) (?:your )?(?:skills|commands)\b|"
    r"\bwhat (?:are|r) (?:you|u)\b\W*$|\bwho are (?:you|u)\b"
)


@dataclass(frozen=True)
class Rule:
    """A regex that adds ``boost`` to ``skill``'s log-score when it matches; ``unless``
    vetoes it (e.g. "how do I reboot..." is a runbook question, not a reboot)."""

    skill: str
    pattern: re.Pattern[str]
    boost: float
    unless: re.Pattern[str] | None = None
    mutating: bool = False


def _rule(skill: str, pattern: str, boost: float, unless: str | None = None, mutating: bool = False) -> Rule:
    return Rule(skill, re.compile(pattern), boost, re.compile(unless) if unless else None, mutating)


RULES: tuple[Rule, ...] = (
    _rule("help", _HELP.pattern, STRONG + 2),
    _rule(
        "knowledge.runbook",
        r"\b(?:runbooks?|playbooks?|run book|sop)\b|\bwhat does\b.*\bmean\b|\bwhat is (?:the )?alert\b|"
        + _HOWTO.pattern,
        STRONG,
        unless=_HELP.pattern,
    ),
    _rule(
        "incident.oncall",
        r"\bwho(?:'?s|se| is| has| do| should)?\b.*\b(?:on[- ]?cal+|pager|pagerduty|pager duty|on shift|"
        r"on point|escalate to)\b|\b(?:am i|i'?m|my next|my) on[- ]?call\b|\bon[- ]?call (?:schedule|rotation|list)\b",
        STRONG,
        unless=r"^\W*(?:page|escalate|wake|notify)\b",
    ),
    _rule(
        "incident.ack",
        _PREFIX + r"(?:i'?m on it|on it|taking (?:this|it)(?: one)?|i(?:'ll| will)? (?:take|got) it)?\W*"
        r"\b(?:ack|acking|acknowledge)\b|\bmark\b.*\bas acknowledged\b|^\W*acknowledged\b",
        STRONG,
        unless=r"\bun-?ack",
        mutating=True,
    ),
    _rule(
        "incident.resolve",
        r"(?<!un)\b(?:resolve|resolving)\b|\bmark\b.*\b(?:as )?(?:resolved|fixed)\b|\bclose\b(?: out| it)?.*"
        r"\b(?:incidents?|pages?|alerts?|outage|it|p[a-z0-9]{6})\b|^\W*close (?:it|out)\b",
        STRONG,
        unless=r"\bunresolved\b",
        mutating=True,
    ),
    _rule(
        "incident.page",
        _PREFIX + r"(?:page|escalate|wake up|summon|call in|pull in|loop in|bring in|get)\b"
        r"(?! (?:the )?(?:status|logs?|details|cost|spend|bill|list))|\bpage @\w+|\bescalate\b(?! to\W*$)|"
        r"\btrigger (?:a )?page\b",
        STRONG - 1.0,
        unless=r"^\W*who\b|\bescalation polic",
        mutating=True,
    ),
    _rule(
        "cicd.rerun",
        r"\b(?:re-?run|retry|re-?trigger|re-?deploy|re-?do the deploy)\b|"
        + _PREFIX
        + r"(?:restart|trigger|kick(?: off)?|run|start|dispatch|rebuild|redo)\b.*"
        + _CI_WORDS
        + "|"
        + _PREFIX
        + r"(?:deploy|ship|promote|roll ?out|push the release)\b",
        STRONG,
        unless=r"\bwhy\b|\bfail(?:ed|ing|ure)?\b.*\?|\bstatus\b|^\W*deploy\w* (?:failed|broke|is|was|logs?)\b",
        mutating=True,
    ),
    _rule(
        "cicd.failure",
        r"\bwhy\b.*\b(?:fail\w*|broke\w*|red|error\w*|crash\w*)\b|\b(?:fail\w*|broke\w*|red|errored)\b.*\bwhy\b|"
        r"\bfail(?:ed|ing)? (?:step|job)s?\b|\bfailing step\b|\broot cause\b.*" + _CI_WORDS,
        WEAK + 1.0,
    ),
    _rule(
        "infra.action",
        _PREFIX
        + r"(?:stop|start|reboot|restart|bounce|kick|power[- ]?(?:cycle|on|off)|shut ?(?:down|off)|shutdown|"
        r"turn (?:on|off)|spin (?:up|down)|resize|scale(?: out| in| up| down)?|upsize|bring up|hard reboot|"
        r"bump|make .* bigger|add \d+ (?:more )?(?:nodes|instances))\b|\b(?:stop|start|reboot|restart)\w* i-[0-9a-f]+",
        STRONG,
        unless=_CI_WORDS + r"|\brecommend|\bsuggest|\bsaving|\bcost\b",
        mutating=True,
    ),
    _rule(
        "security.open_ports",
        r"0\.0\.0\.0/0|::/0|\bports?\b.*\b(?:open|exposed|expose|internet|world|public)|"
        r"\b(?:open|exposed)\b.*\bports?\b|\b(?:ssh|rdp|3389|22)\b.*\b(?:open|exposed|world|internet)\b|"
        r"\bfirewall rules?\b|\bnsgs?\b|\bsecurity groups?\b.*\b(?:open|allow|wide|ingress)|\bingress\b",
        WEAK + 1.0,
    ),
    _rule("security.open_ports", r"0\.0\.0\.0/0|::/0|\bopen to (?:the )?(?:world|internet)\b", STRONG,
          unless=r"\b(?:buckets?|blobs?|storage)\b"),
    _rule(
        "infra.describe",
        r"^\W*(?:tell me about|describe|details? (?:on|of|for|about)|info (?:on|about)|what'?s up with|"
        r"show me (?:the )?(?:config|details)|is \S+ (?:healthy|up|running|ok)\b)",
        WEAK,
        unless=r"\b(?:incidents?|sev\d|outage|pages?|alerts?|logs?|findings?|p[a-z0-9]{6})\b|#\d",
    ),
    _rule("infra.inventory",
          r"^\W*(?:what'?s|what is) (?:running|deployed) (?:in|on)\b|\b(?:list|count|how many)\b", WEAK,
          unless=r"\b(?:incidents?|findings?|prs?|commits?|merged|users?|keys?|workflows?|runs?|logs?|cves?|"
          r"vulns?|questions?|skills|commands)\b|\bopen\b|\bpublic|\bunused|\bidle"),
    _rule(
        "cicd.changes",
        r"\b(?:what|anything|which|who|any)\b.*\b(?:shipped|merged|changed|changes|went out|got deployed|"
        r"was deployed|released|pushed)\b|\bchange ?log\b|\brecent (?:deploys|merges|changes|commits)\b",
        WEAK,
        unless=r"\b(?:costs?|spend|bill)\b",
    ),
    _rule(
        "incident.brief",
        r"\b(?:rundown|brief|summar\w*|tl;?dr|recap|catch me up|up to speed|impact|blast radius|what happened|"
        r"timeline|context)\b",
        WEAK,
        unless=r"\b(?:costs?|spend\w*|bill|security|compliance|posture)\b",
    ),
    _rule(
        "security.public_storage",
        r"\bpublic\w*\b.*\b(?:buckets?|blobs?|storage|containers?|s3)\b|"
        r"\b(?:buckets?|blobs?|storage|containers?)\b.*\b(?:public\w*|exposed|encrypt\w*|anonymous|anyone|"
        r"everyone|allusers|allauthenticatedusers|world)\b|\bunencrypted\b",
        WEAK + 1.0,
    ),
    _rule(
        "security.iam",
        r"\bmfa\b|\baccess keys?\b|\bakia[0-9a-z]{16}\b|\broot (?:account|user|login)\b|\badmin(?:istrator)?"
        r"(?:access)? (?:access|privileges|rights|grants|role)|\biam\b|\bcredentials?\b|\bkeys? (?:older|not rotated)",
        WEAK,
    ),
    _rule(
        "security.findings",
        r"\bcve-\d{4}-\d+|\bguardduty\b|\bfindings?\b|\binspector\b|\bvuln\w*\b|\bdefender\b.*\balerts?\b",
        WEAK,
    ),
    _rule(
        "cost.forecast",
        r"\bforecast\w*|\bproject(?:ed|ion)\b|\bpredict\w*|\b(?:month|quarter|year)[- ]end\b|"
        r"\bend of (?:the )?(?:month|quarter|year)\b|\beom\b|\bon (?:track|pace)\b|\bgo(?:ing|nna)? (?:to )?over\b|"
        r"\bwill (?:we|it|costs?|the bill|\w+ costs?) .*\b(?:cost|spend|pay|bill|be)\b|\bnext (?:month|quarter|year)\b",
        WEAK,
        unless=r"\bwho\b|\bon[- ]?call\b",
    ),
    _rule(
        "cost.anomalies",
        r"\b(?:spike\w*|jump\w*|anomal\w*|unusual|unexpected|doubled|2x|3x|blew up|exploded|weird|odd|abnormal)\b.*"
        r"\b(?:costs?|spend\w*|bill|charges?|billing)\b|\b(?:costs?|spend\w*|bill|charges?)\b.*\b(?:spike\w*|jump\w*|"
        r"anomal\w*|doubled|exploded|up so much|went up|increase|higher than|2x|3x)\b|\banomaly detection\b",
        WEAK,
    ),
    _rule(
        "cost.savings",
        r"\b(?:idle|unused|unattached|orphan\w*|rightsiz\w*|right-siz\w*|underutili[sz]\w*|oversized|"
        r"overprovisioned|savings plans?|reserved instances?|ri coverage|save money|cut costs?|waste\w*|cheaper)\b",
        WEAK,
        unless=r"\bkeys?\b|\biam\b|\bcredentials?\b|\busers?\b|\broles?\b",
    ),
    _rule(
        "infra.logs",
        r"\blogs?\b|\blogging\b|\bstderr\b|\bstdout\b|\bstack ?traces?\b|\btail\b|\bgrep\b|\blog group\b|"
        r"(?:^|\s)/aws/|\bexceptions?\b|\bconsole output\b",
        WEAK + 0.5,
        unless=_CI_WORDS,
    ),
)


def rule_boosts(text: str) -> tuple[NDArray[np.float64], bool]:
    """Per-skill log-score boosts for ``text`` and whether any strong rule fired."""
    lowered = " ".join(text.lower().split())
    boosts = np.zeros(len(SKILL_NAMES))
    howto = bool(_HOWTO.search(lowered))
    strong = False
    if howto:  # "how do I reboot X?" asks for instructions, never for the reboot itself
        for rule in RULES:
            if rule.mutating:
                boosts[SKILL_NAMES.index(rule.skill)] = -WEAK
    for skill in imperative_skills(text):  # grammar: an unambiguous action verb in the imperative
        index = SKILL_NAMES.index(skill)
        boosts[index] = max(boosts[index], STRONG)
        strong = True
    mentioned = talked_about(text)
    if mentioned and mentioned[1] != "reported":  # an action asked about, not for ("how do I" is a runbook)
        slots = {"incident_id": "?"} if INCIDENT_ID.search(text) else {}
        index = SKILL_NAMES.index(question_skill(mentioned[0], slots))
        boosts[index] = max(boosts[index], STRONG - 1.0)
        strong = True
    for rule in RULES:
        if rule.mutating and howto:
            continue
        if rule.unless is not None and rule.unless.search(lowered):
            continue
        if rule.pattern.search(lowered):
            index = SKILL_NAMES.index(rule.skill)
            boosts[index] = max(boosts[index], rule.boost)
            strong = strong or rule.boost >= STRONG - 1.0
    return boosts, strong


# --------------------------------------------------------------------------- index


def load_utterances(path: Path = UTTERANCES_PATH) -> dict[str, list[str]]:
    """Example utterances per skill, in catalogue order; every skill must have some."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    unknown = set(data) - set(SKILL_NAMES)
    missing = [name for name in SKILL_NAMES if not data.get(name)]
    if unknown or missing:
        raise ValueError(f"utterances file {path}: unknown skills {sorted(unknown)}, missing {missing}")
    return {name: [str(text) for text in data[name]] for name in SKILL_NAMES}


@dataclass
class _Index:
    vectors: NDArray[np.float32]  # (n_utterances, dim), normalised
    labels: NDArray[np.int64]  # skill index per utterance
    centroids: NDArray[np.float32]  # (n_skills, dim), normalised
    coef: NDArray[np.float64]  # logistic regression (n_skills, dim)
    intercept: NDArray[np.float64]  # (n_skills,)


def _fit_logreg(vectors: NDArray[np.float32], labels: NDArray[np.int64]) -> tuple[NDArray[np.float64], ...]:
    # C chosen on the dev set (1, 10, 30, 100 tried): 30 is the best accuracy before
    # probabilities on small talk get overconfident.
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=30.0, max_iter=3000)
    model.fit(vectors, labels)
    return np.asarray(model.coef_, dtype=np.float64), np.asarray(model.intercept_, dtype=np.float64)


def _build_index(
    embedder: Embedder, utterances: dict[str, list[str]], cache_dir: Path | None, digest: str
) -> _Index:
    texts = [text for name in SKILL_NAMES for text in utterances[name]]
    labels = np.array([i for i, name in enumerate(SKILL_NAMES) for _ in utterances[name]], dtype=np.int64)
    cache_file = cache_dir / f"router-{digest}.npz" if cache_dir is not None else None
    if cache_file is not None and cache_file.exists():
        with np.load(cache_file) as cached:
            vectors = cached["vectors"].astype(np.float32)
            coef, intercept = cached["coef"], cached["intercept"]
    else:
        vectors = embedder.encode(texts)
        coef, intercept = _fit_logreg(vectors, labels)
        if cache_file is not None:
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache_file.with_suffix(".tmp.npz")
            np.savez(tmp, vectors=vectors, coef=coef, intercept=intercept)
            tmp.replace(cache_file)
    centroids = np.stack([vectors[labels == i].mean(axis=0) for i in range(len(SKILL_NAMES))])
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    return _Index(vectors, labels, centroids.astype(np.float32), coef, intercept)


def _softmax(logits: NDArray[np.float64]) -> NDArray[np.float64]:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return np.asarray(exp / exp.sum(axis=-1, keepdims=True))


# --------------------------------------------------------------------------- router


class SkillRouter:
    """Routes chat text to one skill of the catalogue, offline.

    ``threshold`` is the confidence below which the caller should ask a clarifying
    question (offering ``Route.alternatives``). ``now`` anchors relative dates in slots
    ("last week"). ``cache_dir``, if given, keeps the embedded utterances across
    processes, keyed by a hash of the utterance file and the model name.
    """

    def __init__(
        self,
        embedder: Embedder,
        threshold: float = 0.45,
        now: Callable[[], datetime] | None = None,
        *,
        cache_dir: Path | None = None,
        utterances_path: Path = UTTERANCES_PATH,
        approach: Approach = "logreg_rules",
    ) -> None:
        self.embedder = embedder
        self.threshold = threshold
        self.now = now or datetime.now
        self.cache_dir = cache_dir
        self.utterances_path = utterances_path
        self.approach: Approach = approach
        self._index: _Index | None = None
        self._lock = threading.Lock()

    @property
    def index(self) -> _Index:
        """The embedded utterances, built on first use (one batch encode, ~3-6 s on 2 cores)."""
        if self._index is None:
            with self._lock:
                if self._index is None:
                    raw = self.utterances_path.read_bytes()
                    digest = hashlib.sha256(raw + MODEL_NAME.encode()).hexdigest()[:16]
                    utterances = load_utterances(self.utterances_path)
                    self._index = _build_index(self.embedder, utterances, self.cache_dir, digest)
        return self._index

    def warm(self) -> None:
        """Build the index now (a server calls this at start-up, not on the first request)."""
        _ = self.index

    def route(self, text: str) -> Route:
        """The skill for one request."""
        return self.route_many([text])[0]

    def route_many(self, texts: Sequence[str]) -> list[Route]:
        """Routes for many requests, embedding all of them in one batch call."""
        index = self.index
        now = self.now()
        live = [i for i, text in enumerate(texts) if text.strip()]
        vectors = self.embedder.encode([texts[i] for i in live]) if live else None
        routes: list[Route] = []
        by_position = {position: row for row, position in enumerate(live)}
        for i, text in enumerate(texts):
            if i not in by_position or vectors is None:
                routes.append(self._empty(text))
                continue
            probs, similarity, strong = self.score(index, vectors[by_position[i]], text)
            routes.append(self._route(text, probs, similarity, strong, now))
        return routes

    def score(
        self, index: _Index, vector: NDArray[np.float32], text: str
    ) -> tuple[NDArray[np.float64], float, bool]:
        """(probability per skill, nearest-example similarity of the best skill, strong rule fired)."""
        similarities = index.vectors @ vector
        knn = _knn_scores(similarities, index.labels)
        if self.approach == "centroid":
            logits = (index.centroids @ vector).astype(np.float64) * 20.0
        elif self.approach in ("knn", "knn_rules"):
            logits = knn * 20.0
        else:
            logits = index.coef @ vector.astype(np.float64) + index.intercept
            logits = np.log(_softmax(logits) + 1e-9)
        strong = False
        if self.approach.endswith("_rules"):
            boosts, strong = rule_boosts(text)
            logits = logits + boosts
        probs = _softmax(logits)
        return probs, float(knn.max()), strong

    def _route(
        self, text: str, probs: NDArray[np.float64], similarity: float, strong: bool, now: datetime
    ) -> Route:
        order = np.argsort(-probs)
        best = int(order[0])
        # How much the text resembles anything we handle; a precise rule is evidence too.
        familiarity = float(np.clip((similarity - LOW_SIM) / (HIGH_SIM - LOW_SIM), 0.0, 1.0))
        if strong:
            familiarity = max(familiarity, 1.0)
        confidence = float(np.clip(probs[best] * familiarity, 0.0, 1.0))
        skill = SKILL_NAMES[best]
        alternatives = [(SKILL_NAMES[int(j)], round(float(probs[int(j)]), 4)) for j in order[1:4]]
        slots = extract_slots(text, now)
        mood, requested = "request", None
        if SKILL_BY_NAME[skill].mutating:
            mood, asked = mood_for(skill, text)
            if mood == "request":
                skill = asked
            else:  # talked about, not asked for: answer it as a question
                requested, skill = skill, question_skill(skill, slots)
        elif (mentioned := talked_about(text)) and question_skill(mentioned[0], slots) == skill:
            requested, mood = mentioned
        if requested is not None:  # the action's probability is evidence for the question about it
            both = probs[SKILL_NAMES.index(requested)] + probs[SKILL_NAMES.index(skill)]
            confidence = float(np.clip(max(confidence, both * familiarity), 0.0, 1.0))
        return Route(
            text=text,
            agent=agent_of(skill),
            skill=skill,
            confidence=confidence,
            slots=slots,
            alternatives=alternatives,
            mood=mood,
            requested_skill=requested,
        )

    def _empty(self, text: str) -> Route:
        return Route(text=text, agent=agent_of("help"), skill="help", confidence=0.0, slots={})


def _knn_scores(similarities: NDArray[np.float32], labels: NDArray[np.int64]) -> NDArray[np.float64]:
    """Per skill, the mean similarity of its KNN_K nearest utterances."""
    scores = np.zeros(len(SKILL_NAMES))
    for i in range(len(SKILL_NAMES)):
        own = similarities[labels == i]
        k = min(KNN_K, own.shape[0])
        scores[i] = float(np.partition(own, -k)[-k:].mean())
    return scores
