"""The offline skill router: every request goes to exactly one skill, with no LLM and no
network. A logistic regression over MiniLM embeddings of the example utterances in
``agents/data/utterances.yaml``, ``agents/data/utterances_external.yaml`` (other
companies' voice, written from the skills' definitions), ``utterances_tunable.yaml`` (the
tunable routing sets' cases, never a held-out one) and ``utterances_evals.yaml`` (the dev eval
cases' single-turn requests, never a held-out one), plus half the log-probabilities of
one over their character and word n-grams (agents/lexical.py), gives each skill a
probability; a handful of precise
rules (``ack P123``, ``reboot i-...``, ``who is on call``...) shift that where words beat
embeddings (agents/router_rules.py); the nearest examples' similarity says whether the text looks like anything
Guardian handles, so gibberish and small talk come back below the threshold and the
graph asks a clarifying question instead of guessing.

Approaches measured in bench/bench_route.py (docs/BENCHMARKS.md, "## Router"): pure kNN,
centroid, kNN + rules, logistic regression, logistic regression + rules, and a
contrastively tuned head; the variants that are not shipped live in
bench/router_variants.py.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from numpy.typing import NDArray

from agents.lexical import LexicalModel
from agents.lexical import fit as fit_lexical
from agents.mood import (
    UNAMBIGUOUS_AFTER_ITS_QUESTION,
    asks_about_paging_effect,
    asks_how_it_is_done,
    imperative_skills,
    mood_for,
    question_skill,
)
from agents.route import Route
from agents.router_rules import SKILL_NAMES, action_talked_about, asked_words, rule_boosts, without_pasted_code
from agents.skills import SKILL_BY_NAME, agent_of
from agents.slots import extract_slots
from agents.spelling import Speller, model_words
from knowledge.embeddings import MODEL_NAME, Embedder

UTTERANCES_PATH = Path(__file__).parent / "data" / "utterances.yaml"
# Requests in other companies' voice (their service names, slang, typos, verbs that pull away
# from their object), written from the skills' definitions: more variety, not more rules.
EXTERNAL_UTTERANCES_PATH = Path(__file__).parent / "data" / "utterances_external.yaml"
HAND_WRITTEN_PATHS: tuple[Path, ...] = (UTTERANCES_PATH, EXTERNAL_UTTERANCES_PATH)
# Every case of the tunable routing sets (tests/agents/route_dev*.yaml) by skill, written by
# bench/make_tunable_utterances.py: left out one set at a time, learning from the others took
# the rule-free router from 1528 to 1546 of 1591 tunable requests (docs/BENCHMARKS.md).
TUNABLE_UTTERANCES_PATH = Path(__file__).parent / "data" / "utterances_tunable.yaml"
# The single-turn dev eval cases' requests (evals/cases/dev/) by skill, written by
# bench/make_eval_utterances.py; never a held-out case. Each eval batch left out, learning from the
# others took the rule-free router from 0.950 to 0.977 of 918 requests (bench/bench_route_evals.py).
EVAL_UTTERANCES_PATH = Path(__file__).parent / "data" / "utterances_evals.yaml"
# Files of requests as users typed them: learnt by the classifiers, never by the speller.
LEARNT_PATHS: tuple[Path, ...] = (TUNABLE_UTTERANCES_PATH, EVAL_UTTERANCES_PATH)
TRAINING_PATHS: tuple[Path, ...] = (*HAND_WRITTEN_PATHS, *LEARNT_PATHS)  # the learnt files last

WORD = re.compile(r"[^\W_]{2,}")  # two letters or digits: a word a request can be learnt by
KNN_K = 3
# Nearest-example similarity below LOW_SIM looks like nothing we handle; above HIGH_SIM
# like something we do (MiniLM cosine; dev requests: 5th percentile ~0.44, small talk and
# gibberish <= ~0.43).
LOW_SIM = 0.28
HIGH_SIM = 0.50
# Weight of the n-gram classifier's log-probabilities next to the embedding classifier's:
# chosen on the tunable sets (0.3 / 0.5 / 1.0 tried, docs/BENCHMARKS.md "Lexical features").
LEXICAL_WEIGHT = 0.5
INDEX_VERSION = b"lexical-1"  # a new index shape: older cached indexes are not read


# --------------------------------------------------------------------------- index


def read_yaml(path: Path) -> Any:
    """A YAML file through libyaml when it is there: the training files are read by every
    process that routes (~4,000 lines; 15 ms against 210 ms with the pure-Python loader)."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def load_examples(utterances_paths: Sequence[Path], examples_path: Path | None) -> dict[str, list[str]]:
    """The training utterances of every file plus, if given, more examples per skill (bench/
    measures adding the dev cases), in catalogue order."""
    extras = list(utterances_paths[1:]) + ([examples_path] if examples_path is not None else [])
    return with_examples(load_utterances(utterances_paths[0]), extras)


def with_examples(utterances: dict[str, list[str]], paths: Sequence[Path]) -> dict[str, list[str]]:
    """``utterances`` with each file's examples appended to their skills, in file order."""
    for path in paths:
        extra = read_yaml(path) or {}
        unknown = set(extra) - set(SKILL_NAMES)
        if unknown:
            raise ValueError(f"examples file {path}: unknown skills {sorted(unknown)}")
        utterances = {name: texts + [str(text) for text in extra.get(name, [])] for name, texts in utterances.items()}
    return utterances


def load_training(paths: Sequence[Path] = TRAINING_PATHS) -> dict[str, list[str]]:
    """Every training utterance the shipped router learns from, per skill."""
    return load_examples(paths, None)


def text_hash(text: str) -> str:
    """A request's identity for comparing sets without showing it: SHA-256 of its lower-cased,
    stripped text (held-out cases are compared by hash so no output shows them)."""
    return hashlib.sha256(text.lower().strip().encode()).hexdigest()


def tunable_utterances_text(case_files: Sequence[Path], held_out: Collection[str] = ()) -> str:
    """The YAML of ``utterances_tunable.yaml``: the cases of ``case_files`` (routing sets,
    ``{"cases": [{"text", "skill"}]}``) grouped by skill in catalogue order, duplicates once,
    leaving out every case whose ``text_hash`` is in ``held_out`` (the same words written
    independently into a held-out set must not be learnt)."""
    requests = [(str(case["text"]), str(case["skill"])) for path in case_files for case in read_yaml(path)["cases"]]
    return learnt_utterances_text(requests, held_out, "bench/make_tunable_utterances.py from the tunable routing sets\n"
                                  "# (tests/agents/route_dev*.yaml)")


def learnt_utterances_text(requests: Sequence[tuple[str, str]], held_out: Collection[str], source: str) -> str:
    """The YAML of a learnt training file: ``(text, skill)`` pairs grouped by skill in catalogue
    order, duplicates once, without any text whose ``text_hash`` is in ``held_out`` and without
    any text of no word (a bare "?" asking for help teaches no skill, but as an example it made
    every short text, "lol" too, look like a request: its embedding is near all of them); its
    header names the ``source`` that generated it."""
    by_skill: dict[str, list[str]] = {name: [] for name in SKILL_NAMES}
    for text, skill in requests:
        if text_hash(text) not in held_out and WORD.search(text) and text not in by_skill[skill]:
            by_skill[skill].append(text)
    header = f"# Generated by {source}; never edit by hand, never add a held-out case.\n"
    body = {name: texts for name, texts in by_skill.items() if texts}
    return header + yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=200)


def load_utterances(path: Path = UTTERANCES_PATH) -> dict[str, list[str]]:
    """Example utterances per skill, in catalogue order; every skill must have some."""
    data = read_yaml(path) or {}
    unknown = set(data) - set(SKILL_NAMES)
    missing = [name for name in SKILL_NAMES if not data.get(name)]
    if unknown or missing:
        raise ValueError(f"utterances file {path}: unknown skills {sorted(unknown)}, missing {missing}")
    return {name: [str(text) for text in data[name]] for name in SKILL_NAMES}


@dataclass
class RouterIndex:
    vectors: NDArray[np.float32]  # (n_utterances, dim), normalised
    labels: NDArray[np.int64]  # skill index per utterance
    coef: NDArray[np.float64]  # logistic regression (n_skills, dim)
    intercept: NDArray[np.float64]  # (n_skills,)
    lexical: LexicalModel | None = None  # n-gram classifier (None: the embedding alone, bench variants)
    speller: Speller | None = None  # typo repair against the utterances' words (agents/spelling.py)


def _fit_logreg(vectors: NDArray[np.float32], labels: NDArray[np.int64]) -> tuple[NDArray[np.float64], ...]:
    # C chosen on the dev set (1, 10, 30, 100 tried): 30 is the best accuracy before
    # probabilities on small talk get overconfident.
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=30.0, max_iter=3000)
    model.fit(vectors, labels)
    return np.asarray(model.coef_, dtype=np.float64), np.asarray(model.intercept_, dtype=np.float64)


def _build_index(
    embedder: Embedder, utterances: dict[str, list[str]], cache_dir: Path | None, digest: str,
    vocab_file: Path | None = None, spelling: Sequence[str] | None = None,
) -> RouterIndex:
    """The fitted index (from the cache when there); the speller learns the words of
    ``spelling`` (default: every utterance)."""
    texts = [text for name in SKILL_NAMES for text in utterances[name]]
    labels = np.array([i for i, name in enumerate(SKILL_NAMES) for _ in utterances[name]], dtype=np.int64)
    cache_file = cache_dir / f"router-{digest}.npz" if cache_dir is not None else None
    if cache_file is not None and cache_file.exists():
        with np.load(cache_file) as cached:
            vectors = cached["vectors"].astype(np.float32)
            coef, intercept = cached["coef"], cached["intercept"]
            lexical = LexicalModel.from_arrays(cached)
    else:
        vectors = embedder.encode(texts)
        coef, intercept = _fit_logreg(vectors, labels)
        lexical = fit_lexical(texts, labels.tolist())
        if cache_file is not None:
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache_file.with_suffix(f".{os.getpid()}.tmp.npz")  # processes starting together each write their own
            arrays: dict[str, Any] = {"vectors": vectors, "coef": coef, "intercept": intercept, **lexical.arrays()}
            np.savez(tmp, **arrays)
            tmp.replace(cache_file)
    speller = (Speller(texts if spelling is None else spelling, model_words(vocab_file))
               if vocab_file is not None and vocab_file.is_file() else None)
    return RouterIndex(vectors, labels, coef, intercept, lexical, speller)


def model_vocab_file(embedder: Embedder) -> Path:
    """The WordPiece vocabulary of the model ``embedder`` runs (the packaged MiniLM unless it
    was given another model folder): the words the speller leaves alone."""
    from knowledge.onnx_export import packaged_model_dir

    model_dir = getattr(embedder, "model_dir", None) or packaged_model_dir()
    return Path(model_dir) / "vocab.txt"


def softmax(logits: NDArray[np.float64]) -> NDArray[np.float64]:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return np.asarray(exp / exp.sum(axis=-1, keepdims=True))


# --------------------------------------------------------------------------- router


class SkillRouter:
    """Routes chat text to one skill of the catalogue, offline.

    ``threshold`` is the confidence below which the caller should ask a clarifying
    question (offering ``Route.alternatives``). ``now`` anchors relative dates in slots
    ("last week"). ``cache_dir``, if given, keeps the embedded utterances across
    processes, keyed by a hash of the utterance files and the model name.
    """

    def __init__(
        self,
        embedder: Embedder,
        threshold: float = 0.45,
        now: Callable[[], datetime] | None = None,
        *,
        cache_dir: Path | None = None,
        utterances_paths: Sequence[Path] = TRAINING_PATHS,
        examples_path: Path | None = None,
        repair_typos: bool = True,
    ) -> None:
        self.embedder = embedder
        self.repair_typos = repair_typos  # off only in bench/ to measure what the repair brings
        self.threshold = threshold
        self.now = now or datetime.now
        self.cache_dir = cache_dir
        self.utterances_paths = tuple(utterances_paths)
        self.examples_path = examples_path
        self._index: RouterIndex | None = None
        self._lock = threading.Lock()

    @property
    def index(self) -> RouterIndex:
        """The embedded utterances, built on first use (one batch encode, ~3-6 s on 2 cores)."""
        if self._index is None:
            with self._lock:
                if self._index is None:
                    raw = b"".join(path.read_bytes() for path in self.utterances_paths)
                    raw += self.examples_path.read_bytes() if self.examples_path is not None else b""
                    digest = hashlib.sha256(raw + MODEL_NAME.encode() + INDEX_VERSION).hexdigest()[:16]
                    # the hand-written files' words are spelt right; the learnt files' requests are typed
                    # as users type ("lsat mnth"), so the speller does not learn their typos as words
                    written = load_examples([path for path in self.utterances_paths
                                             if path not in LEARNT_PATHS], None)
                    learnt = [path for path in self.utterances_paths if path in LEARNT_PATHS]
                    utterances = with_examples(written, learnt + ([self.examples_path] if self.examples_path else []))
                    vocab = model_vocab_file(self.embedder) if self.repair_typos else None
                    self._index = _build_index(self.embedder, utterances, self.cache_dir, digest, vocab,
                                               [text for texts in written.values() for text in texts])
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
        # the words as meant ("bulid" -> "build") for the model, the grammar and the slots
        repaired = [index.speller.correct(text) for text in texts] if index.speller is not None else list(texts)
        # a message with pasted code is read without the paste as well (see _around_the_paste)
        around = {i: without_pasted_code(repaired[i]) for i in live}
        pasted = [i for i in live if around[i] != repaired[i]]
        around_row = {i: len(live) + k for k, i in enumerate(pasted)}  # its row after every message's own
        vectors = self.embedder.encode([asked_words(repaired[i]) for i in live]
                                       + [asked_words(around[i]) for i in pasted]) if live else None
        # every request against every example in one product: a matrix-vector product per request
        # costs more in BLAS's thread start-up than in arithmetic
        similarities = index.vectors @ vectors.T if vectors is not None else None
        routes: list[Route] = []
        by_position = {position: row for row, position in enumerate(live)}
        for i, text in enumerate(texts):
            if i not in by_position or vectors is None or similarities is None:
                routes.append(self._empty(text))
                continue
            row = by_position[i]
            probs, similarity, strong = self.score(index, vectors[row], repaired[i], similarities[:, row])
            if i in around_row:
                row = around_row[i]
                probs, similarity, strong = _around_the_paste(
                    (probs, similarity, strong), self.score(index, vectors[row], around[i], similarities[:, row]))
            routes.append(self._route(text, probs, similarity, strong, now, grammar_text=repaired[i]))
        return routes

    def score(
        self, index: RouterIndex, vector: NDArray[np.float32], text: str,
        similarities: NDArray[np.float32] | None = None,
    ) -> tuple[NDArray[np.float64], float, bool]:
        """(probability per skill, nearest-example similarity of the best skill, strong rule fired);
        ``similarities`` of ``vector`` to every example, when the caller computed them in a batch."""
        knn = knn_scores(index.vectors @ vector if similarities is None else similarities, index.labels)
        boosts, strong = self.boosts(text)
        probs = softmax(self.logits(index, vector, knn) + self.lexical(index, asked_words(text)) + boosts)
        return probs, float(knn.max()), strong

    def logits(
        self, index: RouterIndex, vector: NDArray[np.float32], knn: NDArray[np.float64]  # noqa: ARG002
    ) -> NDArray[np.float64]:
        """Per-skill log-probabilities of the logistic regression over the embedding (``knn``,
        the per-skill nearest-example similarity, is there for the kNN variants in bench/)."""
        logits = index.coef @ vector.astype(np.float64) + index.intercept
        return np.log(softmax(logits) + 1e-9)

    def lexical(self, index: RouterIndex, text: str) -> NDArray[np.float64]:
        """The n-gram classifier's weighted log-probabilities (zeros without one)."""
        if index.lexical is None:
            return np.zeros(len(SKILL_NAMES))
        return LEXICAL_WEIGHT * index.lexical.log_probs(text)

    def boosts(self, text: str) -> tuple[NDArray[np.float64], bool]:
        """The grammar rules' boosts (agents/router_rules.py) and whether a strong one fired."""
        return rule_boosts(text)

    def _route(
        self, text: str, probs: NDArray[np.float64], similarity: float, strong: bool, now: datetime,
        grammar_text: str | None = None,
    ) -> Route:
        order = np.argsort(-probs)
        best = int(order[0])
        # How much the text resembles anything we handle; a precise rule is evidence too.
        familiarity = _familiarity(similarity, strong)
        confidence = _confidence(probs, familiarity)
        skill = SKILL_NAMES[best]
        alternatives = [(SKILL_NAMES[int(j)], round(float(probs[int(j)]), 4)) for j in order[1:4]]
        # typos repaired ("restrat", "lsat mnth"): the grammar and the slots key on words; the
        # repair never touches ids or names with digits or hyphens, and Route.text stays as typed
        words = grammar_text or text
        slots = extract_slots(words, now)
        mood, requested = "request", None
        if SKILL_BY_NAME[skill].mutating:
            mood, asked = mood_for(skill, words)
            if mood == "request":
                skill = asked
            else:  # talked about, not asked for: answer it as a question
                requested, skill = skill, question_skill(skill, slots)
                if skill == "incident.list" and _WHO_DID_IT.search(words.lower()):
                    skill = "incident.brief"  # "who did close it": one incident's actor, in its brief
        elif (asked_too := _write_asked_with_its_question(words, skill, slots)) is not None:
            # "who's on call for search? page them": the question is what the write needs, the
            # write is the ask (its approval card names whom, or what, it acts on)
            skill = asked_too
        elif (mentioned := action_talked_about(words)) and (
                question_skill(mentioned[0], slots) == skill or _names_its_target(mentioned[0], slots)):
            # an unambiguous action verb, only talked about ("what would happen if we reboot X?",
            # "did anyone stop X?"), on a target the sentence names: the sentence is about that
            # action on it, whatever else its words resemble
            requested, mood = mentioned
            if question_skill(requested, slots) != skill:  # the grammar, not the classifier, chose
                skill = question_skill(requested, slots)
                confidence = max(confidence, GRAMMAR_CONFIDENCE)
        if requested is None and asks_how_it_is_done(words) and (mentioned := action_talked_about(words)):
            # "how would I get you to reboot a box?": how an action is carried out, with no target
            # named, is still a question about that action (the help below leads with its policy)
            requested, mood = mentioned
        if requested is not None:  # the action's probability is evidence for the question about it
            both = probs[SKILL_NAMES.index(requested)] + probs[SKILL_NAMES.index(skill)]
            confidence = float(np.clip(max(confidence, both * familiarity), 0.0, 1.0))
            if asks_how_it_is_done(words):
                # "can I rerun it myself or does it have to go through you?": how the action is
                # carried out (approval, who acts) is the policy's to answer, in the help
                skill, confidence = "help", max(confidence, GRAMMAR_CONFIDENCE)
            elif mood == "hypothetical" and agent_of(requested) == "incident" and asks_about_paging_effect(words):
                # "would acking it stop the escalation?": what the action would do to the paging is
                # the escalation policy's to answer (a runbook), not the incident's state ("take it
                # so it stops escalating" is a reason given for a request, not such a question)
                skill, confidence = "knowledge.runbook", max(confidence, GRAMMAR_CONFIDENCE)
        return Route(
            text=text,
            agent=agent_of(skill),
            skill=skill,
            confidence=confidence,
            slots=slots,
            alternatives=alternatives,
            mood=mood,
            requested_skill=requested,
            meant=words if words != text else None,  # the answer narrows its rows by what was meant
        )

    def _empty(self, text: str) -> Route:
        return Route(text=text, agent=agent_of("help"), skill="help", confidence=0.0, slots={})


Scored = tuple[NDArray[np.float64], float, bool]


def _around_the_paste(whole: Scored, around: Scored) -> Scored:
    """The reading of the words around a pasted line when they alone are sure of another skill
    (a pasted alert's words pull towards its brief, a finding's title towards that check, while
    the question beside it asks the list or another check); else the whole message's. The
    slots and the grammar always read the whole message (the paste names the role, the bucket)."""
    probs, similarity, strong = around
    if int(np.argmax(probs)) == int(np.argmax(whole[0])) \
            or _confidence(probs, _familiarity(similarity, strong)) < SURE_AROUND:
        return whole
    return around


SURE_AROUND = 0.9


def _familiarity(similarity: float, strong: bool) -> float:
    """How much the text resembles anything we handle; a precise rule is evidence too."""
    return 1.0 if strong else float(np.clip((similarity - LOW_SIM) / (HIGH_SIM - LOW_SIM), 0.0, 1.0))


def _confidence(probs: NDArray[np.float64], familiarity: float) -> float:
    """The route's confidence: the best probability, discounted by how unlike every example the text is."""
    return float(np.clip(probs.max() * familiarity, 0.0, 1.0))


def knn_scores(similarities: NDArray[np.float32], labels: NDArray[np.int64]) -> NDArray[np.float64]:
    """Per skill, the mean similarity of its KNN_K nearest utterances."""
    scores = np.zeros(len(SKILL_NAMES))
    for i in range(len(SKILL_NAMES)):
        own = similarities[labels == i]
        k = min(KNN_K, own.shape[0])
        scores[i] = float(np.partition(own, -k)[-k:].mean())
    return scores


# A sentence naming an unambiguous action verb and its target ("what would happen if we reboot
# auth-eu-1?") is answered, read-only, rather than met with a clarifying question.
GRAMMAR_CONFIDENCE = 0.6
TARGET_SLOTS = {"infra.action": ("instance_id", "resource_name"), "cicd.rerun": ("run_id", "repo"),
                "incident.ack": ("incident_id",), "incident.resolve": ("incident_id",),
                "incident.page": ("incident_id", "service")}


# Who did an incident write to one incident, pointed at ("who did close it", "who acked that one"):
# its brief's log says, where the list of many only shows whom each is assigned to.
_WHO_DID_IT = re.compile(r"\bwho\s+(?:did\s+|has\s+|had\s+)?\w+(?:\s+(?:out|up))?\s+(?:it|that|this)(?:\s+one)?\b"
                         r"(?!\s+(?:and|or|,))")


def _write_asked_with_its_question(text: str, skill: str, slots: Mapping[str, object]) -> str | None:
    """A write asked for in the imperative with a verb naming one action, in a message the models
    read as the question that leads to it (the on-call for a page, a run's state for a re-run),
    or None. A participle ("open or closed") or a pasted line's verb ("Run failed") asks nothing."""
    return next((asked for asked in imperative_skills(text, UNAMBIGUOUS_AFTER_ITS_QUESTION)
                 if question_skill(asked, slots) == skill), None)


def _names_its_target(action: str, slots: Mapping[str, object]) -> bool:
    """Does the sentence name what ``action`` would act on (an instance, a run, an incident)?"""
    return any(slots.get(name) for name in TARGET_SLOTS.get(action, ()))
