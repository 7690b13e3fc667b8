"""Reading a failed job's log the way a person would, but in milliseconds: find the failing
step's section, the error lines in it (with a little context), and a likely cause named
from patterns CI failures are known by (flaky test, dependency resolution, out of memory,
timeout, migration conflict, missing secret), with the line that gave it away.

Why it is shaped this way:
- Logs run to many megabytes, so nothing here walks lines in Python. The failing step's
  section is found by bisecting the log on its per-line timestamps (the jobs API gives
  each step's start and end); errors and causes are found by a few compiled regular
  expressions run over that section in C, and only matched lines are cut out.
- Log text is untrusted (whoever controls the repository writes it): this module only
  returns excerpts as data. Nothing in a log can choose a tool or an argument.
- Cause patterns are ordered: the more specific signature wins when several match
  (a job that ran out of memory often also times out; a flaky test often times out).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

# Each line of a job log starts with an ISO timestamp (7 fractional digits) and a space.
STAMP = re.compile(r"\ufeff?(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.\d+)?Z ")
_STAMP_PREFIX = r"(?:\ufeff?\d{4}-\d\d-\d\dT[\d:.]+Z )?"
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
CONTEXT_BEFORE = 2
CONTEXT_AFTER = 4
MAX_ERROR_BLOCKS = 3
LINE_CHARS = 300
MAX_ERROR_LINES = 30


@dataclass(frozen=True)
class Sign:
    """One tell-tale of a cause. ``find`` starts with literal text (the regex engine then
    skips ahead with a fast substring search: a pattern opening with ``\\b`` or an
    alternation is ten times slower on a 5 MB log); ``line``, when given, must also match
    the whole line for the sign to count."""

    find: str
    line: str | None = None


@dataclass(frozen=True)
class Cause:
    """A recognisable reason a CI job fails, and what to do about it."""

    name: str
    label: str
    advice: str
    signs: tuple[Sign, ...]


def _signs(*finds: str) -> tuple[Sign, ...]:
    return tuple(Sign(find) for find in finds)


_SECRET_VAR = r"[A-Z][A-Z0-9_]*(?:TOKEN|SECRET|_KEY|PASSWORD)\b.{0,30}?\b(?:is not set|is empty|is missing|must be set)"

# In priority order: when several match, the first listed wins.
CAUSES: tuple[Cause, ...] = (
    Cause("missing_secret", "missing secret",
          "a secret or credential the job needs is not set for this repository, environment or branch; check "
          "the workflow's secrets and the environment's protection rules",
          (*_signs("Input required and not supplied:", "Unable to locate credentials", "NoCredentialsError",
                   "Credentials could not be loaded", "could not read Username for 'http",
                   "Parameter token or opts.auth is required"),
           Sign("KeyError: '", r"KeyError: '[A-Z0-9_]*(?:TOKEN|SECRET|KEY|PASSWORD)'"),
           *(Sign(text, _SECRET_VAR) for text in ("is not set", "is empty", "is missing", "must be set")))),
    Cause("out_of_memory", "out of memory",
          "the job ran out of memory; raise the heap limit (NODE_OPTIONS=--max-old-space-size, -Xmx), use fewer "
          "parallel workers, or a larger runner",
          (*_signs("out of memory", "Out of memory", "OutOfMemoryError", "MemoryError", "OOMKilled",
                   "Cannot allocate memory", "exit code 137"),
           Sign("Z Killed", r"Z Killed\s*$"))),
    Cause("migration_conflict", "migration conflict",
          "a database migration clashes with the schema or with another migration; reconcile the migration "
          "history (merge heads, drop the duplicate change) before deploying again",
          (*_signs("Multiple head revisions are present", "Conflicting migrations detected",
                   "multiple leaf nodes in the migration graph", "Can't locate revision identified by",
                   "DuplicateColumn", "DuplicateTable", "DuplicateObject", "Duplicate column name",
                   "Migration checksum mismatch", "Migrations have failed validation"),
           Sign("already exists",
                r"\b(?:column|relation|table|index)\s+\"?[\w.]+\"?\s+(?:of relation \"?\w+\"?\s+)?already exists"))),
    Cause("dependency_resolution", "dependency resolution",
          "the package manager could not resolve a consistent set of dependencies; pin or relax the conflicting "
          "versions, or refresh the lock file",
          _signs("ResolutionImpossible", "The conflict is caused by", "Could not find a version that satisfies",
                 "No matching distribution found for", "ERESOLVE", "Conflicting peer dependency",
                 "version solving failed", "SolverProblemError", "Could not resolve dependencies for project",
                 "Could not resolve all dependencies for", "Could not resolve all files for",
                 "failed to select a version for", "missing go.sum entry")),
    Cause("flaky_test", "flaky test",
          "a test passed and failed on the same code (it was retried or is marked flaky); re-run the job and "
          "quarantine or fix the test",
          (*_signs("flaky", "Flaky", "FLAKY", "RERUN", "passed on retry", "passed on rerun"),
           Sign("(Attempt ", r"\(Attempt \d+ of \d+\)"), Sign("retried ", r"retried \d+ times?"))),
    Cause("timeout", "timeout",
          "something took longer than allowed; check for a hung step or a slow dependency, or raise "
          "timeout-minutes",
          (*_signs("has exceeded the maximum execution time", "The operation was canceled.", "timed out",
                   "Timed out", "TimeoutError", "ETIMEDOUT", "deadline exceeded"),
           Sign("Timeout of ", r"Timeout of \d+ ?ms exceeded"))),
)
CAUSE_BY_NAME = {cause.name: cause for cause in CAUSES}
_COMPILED: dict[Sign, tuple[re.Pattern[str], re.Pattern[str] | None]] = {
    sign: (re.compile(re.escape(sign.find)),
           re.compile(sign.line, re.M) if sign.line else None)
    for cause in CAUSES for sign in cause.signs}

# Lines that report an error, anchored at the start of the line (after the timestamp) so
# a passing test named "shows an error banner" is not one; and GitHub's ``##[error]`` mark
# anywhere. The line pattern is searched for after a newline (a literal the regex engine
# skips to quickly: twice as fast as a multi-line ``^`` on a 5 MB log).
_LINE_ERROR = (
    _STAMP_PREFIX + r"[ \t]*(?:"
    r"(?:Error|ERROR|FATAL|FAIL(?:ED)?|fatal|panic|npm ERR!|error(?:\[E\d+\])?)(?:\b|:)"
    r"|Traceback \(most recent call last\)"
    r"|E {3}"
    r"|[\w.]*(?:Error|Exception|errors\.\w+)(?::|$)"
    r"|[\w.]*(?:Error|Exception)\b"
    r"|Killed\s*$)")
_ERROR_AT = re.compile(_LINE_ERROR, re.M)
_ERROR_AFTER_NEWLINE = re.compile("\n" + _LINE_ERROR, re.M)
_ERROR_MARK = re.compile(re.escape("##[error]"))
GENERIC_ERROR = re.compile(r"##\[error\](?:Process completed with exit code|The operation was canceled)")


@dataclass
class Diagnosis:
    """What a failed step's log says: where it was read, the error lines and the cause."""

    section_found: bool  # False: the step could not be located, the whole log was read
    section_bytes: int
    error_lines: list[str] = field(default_factory=list)
    cause: Cause | None = None
    evidence: str | None = None
    tail: list[str] = field(default_factory=list)


def clean(line: str) -> str:
    """A log line without its timestamp and colour codes, cut to a readable length."""
    line = _ANSI.sub("", STAMP.sub("", line)).rstrip()
    return line.replace("##[group]", "▶ ", 1)[:LINE_CHARS]


def _stamp_at(text: str, pos: int) -> str | None:
    """The timestamp (to the second) of the first stamped line at or after ``pos``."""
    while pos < len(text):
        match = STAMP.match(text, pos)
        if match:
            return match.group(1)
        nxt = text.find("\n", pos)
        if nxt < 0:
            return None
        pos = nxt + 1
    return None


def _line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def _next_line(text: str, pos: int) -> int:
    """Offset of the line that starts at or after ``pos``."""
    if pos == 0 or text[pos - 1] == "\n":
        return pos
    nxt = text.find("\n", pos)
    return len(text) if nxt < 0 else nxt + 1


def seek(text: str, stamp: str) -> int:
    """Offset of the first line stamped at or after ``stamp`` (``YYYY-MM-DDTHH:MM:SS``), by
    bisecting the log on byte offsets: timestamps only grow within a job log, so "the next
    stamped line is at or after ``stamp``" is false and then true as the offset grows."""
    low, high = 0, len(text)
    while low < high:
        mid = (low + high) // 2
        current = _stamp_at(text, _next_line(text, mid))
        if current is None or current >= stamp:
            high = mid
        else:
            low = mid + 1
    pos = _next_line(text, low)
    while pos < len(text) and not STAMP.match(text, pos):  # a line without a stamp continues the one before
        pos = _next_line(text, pos + 1)
    return pos


def step_section(text: str, started: datetime | None, completed: datetime | None) -> tuple[int, int] | None:
    """The (start, end) offsets of the lines a step wrote, or None when the log has no
    timestamps there (the caller then reads the whole log)."""
    if started is None or completed is None or not STAMP.match(text):
        return None
    begin = seek(text, started.strftime("%Y-%m-%dT%H:%M:%S"))
    end = seek(text, (completed + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S"))
    return (begin, end) if end > begin else None


def _line_around(text: str, pos: int, before: int, after: int, low: int, high: int) -> tuple[int, int]:
    """Offsets of the ``before`` lines before and ``after`` lines after the line at ``pos``,
    kept within [low, high)."""
    start = _line_start(text, pos)
    for _ in range(before):
        if start <= low:
            break
        start = _line_start(text, start - 1)
    end = pos
    for _ in range(after + 1):
        nxt = text.find("\n", end, high)
        if nxt < 0:
            end = high
            break
        end = nxt + 1
    return max(start, low), min(end, high)


def _error_lines_at(text: str, low: int, high: int) -> list[int]:
    """Offsets of the lines in [low, high) that report an error (``low`` starts a line)."""
    hits = {low} if _ERROR_AT.match(text, low, high) else set()
    hits.update(match.start() + 1 for match in _ERROR_AFTER_NEWLINE.finditer(text, low, high))
    hits.update(_line_start(text, match.start()) for match in _ERROR_MARK.finditer(text, low, high))
    return sorted(hits)


def _error_blocks(text: str, low: int, high: int) -> list[str]:
    """The first specific error lines of the section and its last error line, each with a
    few lines of context; errors close together share one block, blocks are separated by
    an ellipsis."""
    blocks: list[tuple[int, int]] = []
    last = None
    for last in _error_lines_at(text, low, high):
        if GENERIC_ERROR.search(text, last, _line_end(text, last)):
            continue
        if blocks and last <= blocks[-1][1]:  # inside or right after the previous block: extend it
            blocks[-1] = (blocks[-1][0], _line_around(text, last, 0, CONTEXT_AFTER, low, high)[1])
        elif len(blocks) < MAX_ERROR_BLOCKS:
            blocks.append(_line_around(text, last, CONTEXT_BEFORE, CONTEXT_AFTER, low, high))
    if last is not None and (not blocks or last >= blocks[-1][1]):
        blocks.append(_line_around(text, last, 1, 0, low, high))
    lines: list[str] = []
    previous_end = None
    for start, end in blocks:
        if previous_end is not None and start > previous_end:
            lines.append("…")
        begin = start if previous_end is None else max(start, previous_end)
        lines.extend(clean(line) for line in text[begin:end].splitlines())
        previous_end = end if previous_end is None else max(end, previous_end)
    return lines[:MAX_ERROR_LINES]


def _first_sign(text: str, low: int, high: int, cause: Cause) -> int | None:
    """Offset of the line holding the earliest sign of ``cause`` in [low, high)."""
    earliest: int | None = None
    for sign in cause.signs:
        find, line = _COMPILED[sign]
        for match in find.finditer(text, low, high if earliest is None else min(high, earliest)):
            start = _line_start(text, match.start())
            if line is None or line.search(text, start, _line_end(text, match.start())):
                earliest = start
                break
    return earliest


def _line_end(text: str, pos: int) -> int:
    end = text.find("\n", pos)
    return len(text) if end < 0 else end


def _cause(text: str, low: int, high: int) -> tuple[Cause, str] | None:
    """The highest-priority cause with a sign in the section, and the line it is in."""
    for cause in CAUSES:
        start = _first_sign(text, low, high, cause)
        if start is not None:
            return cause, clean(text[start:_line_end(text, start)])
    return None


def diagnose(text: str, started: datetime | None = None, completed: datetime | None = None,
             tail_lines: int = 40) -> Diagnosis:
    """Diagnose a failed job's log, read from the failing step's section when its times are
    known (else the whole log)."""
    section = step_section(text, started, completed)
    low, high = section if section else (0, len(text))
    found = _cause(text, low, high)
    tail_text = text[max(low, _tail_start(text, high, tail_lines)):high]
    tail = [line for line in (clean(raw) for raw in tail_text.splitlines()) if line != "##[endgroup]"]
    return Diagnosis(section_found=section is not None, section_bytes=high - low,
                     error_lines=_error_blocks(text, low, high),
                     cause=found[0] if found else None, evidence=found[1] if found else None,
                     tail=tail[-tail_lines:])


def _tail_start(text: str, high: int, lines: int) -> int:
    """Offset where the last ``lines`` (+ a few for dropped markers) lines before ``high`` begin."""
    pos = high
    for _ in range(lines + 4):
        if pos <= 0:
            return 0
        pos = text.rfind("\n", 0, pos - 1)
        if pos < 0:
            return 0
    return pos + 1
