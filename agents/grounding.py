"""Grounding in code: every resource id, figure and citation a model writes must be a value
this turn's tool results (or retrieved passages) contain. Not an id regex: the known values
are the results' own (``resources``, rows, facts, summary, citations), so a PagerDuty
incident, a run id, a bucket name or a Name tag counts as much as an EC2 instance id.

What counts as an id in the model's text: anything the AWS id pattern matches; any token in
backticks; a token of letters and digits joined by ``-_.:/`` that holds a digit; a token
shaped like a PagerDuty id; and a joined token that starts like a known resource
(``driftwood-...`` when the results named ``driftwood-logs``). Figures are numbers (money,
percentages, counts); a figure is grounded when it is a rounding of a known number (also
in thousands/millions, or a fraction written as a percentage). Citations are file names
(``x.md``) and bracketed titles, checked against the results' citations and passages.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from agents.verify import RESOURCE_ID

# Dates and times are not figures to check: the model restates the period it was asked about.
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b"
                   r"|\b\d{1,2}:\d{2}(?::\d{2})?\b")
_BACKTICKED = re.compile(r"`([^`\s]{2,})`")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:/@-]*[A-Za-z0-9]")
_JOINED = re.compile(r"[-_.:/]")
_PAGERDUTY = re.compile(r"\bP[A-Z0-9]{5,7}\b")
_FILE = re.compile(r"\b[\w./-]+\.(?:md|markdown|txt|rst|ya?ml|pdf|html?)\b", re.I)
_BRACKETED = re.compile(r"\[([^\[\]\n]{2,80})\]")
_NUMBER = re.compile(r"(?<![\w.])[$€£]?\s?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s?(%|[kKmMbB]\b)?")
# Instructions planted in data (a log line, a runbook, an alert body) that a model relays as
# its own words; the person reading the answer must not be told to act on them.
_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+|the\s+|your\s+)*(?:previous|prior|above|earlier|"
    r"system|safety)?\s*(?:instructions|rules|prompts?|guidelines)\b|\bapprove\s+(?:all|every|each)\b|"
    r"\byou\s+are\s+now\b|\b(?:system|developer)\s+prompt\b|\bnew\s+instructions\b", re.I)
# Small bare counts ("3 steps", "the top 5") are too common to police; money, percentages
# and larger numbers are what a reader acts on.
_SMALL = 12
_SCALE = {"k": 1e3, "m": 1e6, "b": 1e9}
_ENGLISH_SUFFIXES = ("-based", "-only", "-like", "-time", "-wide", "-level", "-term", "-up", "-down")
# Joined tokens with digits that are words, not resources: "24-hour", "SHA-256", "HTTP/2".
_NAME_LIKE = re.compile(r"(?<![\w$€£])(?=[\w.:/-]*[A-Za-z])(?![\d.,]+[kKmMbB]\b)[\w]+(?:[-_.:/][\w]+)+")
_NOT_AN_ID = re.compile(r"\d+(?:[.,]\d+)?[kKmMbBx%]?|\d+-(?:second|minute|hour|day|week|month|quarter|year|"
                        r"step|node|core|zone|az)s?|sha-\d+|utf-\d+|http/[\d.]+|tls-?[\d.]+|x86_64|24/7|"
                        r"iso-?8601|ipv[46]|[a-z]+-\d+x", re.I)


@dataclass
class Known:
    """Every value this turn's sources hold, as strings and as numbers."""

    tokens: set[str] = field(default_factory=set)
    numbers: list[float] = field(default_factory=list)
    citations: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)

    def add_text(self, text: str) -> None:
        for match in _TOKEN.finditer(text):
            token = match.group(0)
            self.tokens.add(token)
            self.tokens.update(part for part in re.split(r"[/:@]", token) if part)
        self.tokens.update(match.group(1) for match in _BACKTICKED.finditer(text))
        self.numbers.extend(value for value, _ in _numbers_in(_DATE.sub(" ", text)))

    def add_value(self, value: Any) -> None:
        if isinstance(value, bool) or value is None:
            return
        if isinstance(value, int | float):
            self.numbers.append(float(value))
            self.tokens.add(str(value))
        elif isinstance(value, str):
            self.tokens.add(value.strip())
            self.add_text(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                self.add_value(key)
                self.add_value(item)
        elif isinstance(value, list | tuple | set):
            for item in value:
                self.add_value(item)

    def add_result(self, result: dict[str, Any]) -> None:
        """One tool result (``ToolResult.model_dump()``): all of it is what the model saw."""
        for resource in result.get("resources") or []:
            self.add_value(resource)
            head = _JOINED.split(str(resource))[0]
            if len(head) >= 3 and _JOINED.search(str(resource)):
                self.prefixes.add(head.lower())
        self.add_value(result.get("summary"))
        self.add_value(result.get("facts"))
        rows = result.get("rows") or []
        self.add_value(rows)
        self.numbers.extend([float(len(rows)), float(len(result.get("resources") or []))])
        for cite in result.get("citations") or []:
            for key in ("source", "title"):
                if cite.get(key):
                    self.citations.add(str(cite[key]).lower())
                    self.citations.add(str(cite[key]).rsplit("/", 1)[-1].lower())
        for row in rows:
            if isinstance(row, dict) and row.get("source"):
                self.citations.add(str(row["source"]).rsplit("/", 1)[-1].lower())
                self.citations.add(str(row.get("title", "")).lower())


@dataclass
class Grounding:
    """What in the model's text no source holds; empty lists mean the text is grounded."""

    ids: list[str] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)
    citations: list[str] = field(default_factory=list)
    instructions: list[str] = field(default_factory=list)  # injected instructions relayed from data

    @property
    def grounded(self) -> bool:
        return not (self.ids or self.figures or self.citations or self.instructions)

    def counted(self) -> str:
        """How many of each, without the values (an invented id is not repeated to the user)."""
        kinds = ((self.ids, "id", "ids"), (self.figures, "figure", "figures"),
                 (self.citations, "citation", "citations"),
                 (self.instructions, "instruction from the data", "instructions from the data"))
        return ", ".join(f"{len(items)} {one if len(items) == 1 else many}" for items, one, many in kinds if items)

    def describe(self) -> str:
        parts = [f"{label} {', '.join(items[:3])}" for label, items in
                 (("id(s)", self.ids), ("figure(s)", self.figures), ("citation(s)", self.citations),
                  ("instruction(s)", self.instructions)) if items]
        return "; ".join(parts)


def known_values(results: Iterable[dict[str, Any]], extra_texts: Iterable[str] = ()) -> Known:
    """The values of this turn's tool results (and texts the user or conversation gave)."""
    known = Known()
    for result in results:
        known.add_result(result)
    for text in extra_texts:
        known.add_text(text)
    return known


def check(text: str, known: Known) -> Grounding:
    """The ids, figures and citations in ``text`` that no known value supports."""
    found = Grounding(instructions=[match.group(0) for match in _INSTRUCTION.finditer(text)])
    cited = _citations_in(text)
    for citation in cited:
        if not _cited_known(citation, known):
            found.citations.append(citation)
    ids = [rid for rid in _ids_in(text, known) if rid not in cited]
    found.ids = [rid for rid in ids if not _id_known(rid, known)]
    stripped = _DATE.sub(" ", text)
    for rid in ids:  # an id's digits are not figures
        stripped = stripped.replace(rid, " ")
    stripped = _NAME_LIKE.sub(" ", stripped)  # nor are a name's ("24-hour", "SHA-256", "t3.large")
    for citation in cited:
        stripped = stripped.replace(citation, " ")
    for value, written in _numbers_in(stripped):
        if not _figure_known(value, written, known.numbers):
            found.figures.append(written.strip())
    found.figures = list(dict.fromkeys(found.figures))
    return found


# --------------------------------------------------------------------------- helpers


def _ids_in(text: str, known: Known) -> list[str]:
    candidates: list[str] = list(RESOURCE_ID.findall(text))
    candidates.extend(token for token in (m.group(1).strip(".,;:") for m in _BACKTICKED.finditer(text))
                      if not token.startswith("-") and "=" not in token)  # a flag or a setting, not a resource
    candidates.extend(_PAGERDUTY.findall(text))
    for match in _TOKEN.finditer(_DATE.sub(" ", text)):
        token = match.group(0).rstrip(".:")
        if not _JOINED.search(token) or _is_number(token) or _NOT_AN_ID.fullmatch(token):
            continue
        joined_with_digit = any(ch.isdigit() for ch in token) and any(ch.isalpha() for ch in token)
        family = _JOINED.split(token)[0].lower() in known.prefixes
        if (joined_with_digit or family) and not token.lower().endswith(_ENGLISH_SUFFIXES):
            candidates.append(token)
    return list(dict.fromkeys(candidate for candidate in candidates if candidate))


def _id_known(rid: str, known: Known) -> bool:
    return rid in known.tokens or rid.lower() in known.citations


def _citations_in(text: str) -> list[str]:
    files = [match.group(0) for match in _FILE.finditer(text)]
    bracketed = [match.group(1).strip() for match in _BRACKETED.finditer(text)
                 if not _is_number(match.group(1).strip()) and "unverified" not in match.group(1)]
    return list(dict.fromkeys([*files, *bracketed]))


def _cited_known(citation: str, known: Known) -> bool:
    lowered = citation.lower()
    if lowered in known.citations or lowered.rsplit("/", 1)[-1] in known.citations:
        return True
    return citation in known.tokens  # a file a result names (a workflow's deploy.yml), not a passage


def _is_number(token: str) -> bool:
    return bool(re.fullmatch(r"[\d.,:/-]+", token))


def _numbers_in(text: str) -> Iterator[tuple[float, str]]:
    for match in _NUMBER.finditer(text):
        whole, fraction, suffix = match.group(1), match.group(2) or "", (match.group(3) or "").lower()
        value = float(whole.replace(",", "") + fraction)
        written = match.group(0)
        money = written.lstrip()[:1] in "$€£"
        if suffix in _SCALE:
            value *= _SCALE[suffix]
        if not money and not suffix and not fraction and value <= _SMALL:
            continue
        yield value, written


def _figure_known(value: float, written: str, numbers: Sequence[float]) -> bool:
    """``value`` as written (its decimals, a k/M scale, a percentage) is a rounding of a known number."""
    decimals = len(written.split(".", 1)[1].rstrip("%kKmMbB ")) if "." in written else 0
    scale = next((_SCALE[ch.lower()] for ch in written[-1:] if ch.lower() in _SCALE), 1.0)
    tolerance = 0.5 * 10 ** -decimals * scale + 1e-9
    percent = written.rstrip().endswith("%")
    for number in numbers:
        candidates = [number, number * 100] if percent else [number]
        if any(math.isclose(value, c, abs_tol=tolerance) for c in candidates):
            return True
    return False
