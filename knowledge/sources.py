"""Finding and reading the files to ingest.

A document's ``source`` is its path relative to the directory given to ingest (for a file
given directly, its name), so the same tree ingested on another machine yields the same
sources. Files that are not readable UTF-8 text are skipped with a reason, never guessed at.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

DOC_SUFFIXES = (".md", ".markdown", ".txt")


class KnowledgeError(Exception):
    """A user-facing problem with knowledge input; its message is one line."""


@dataclass(frozen=True)
class SourceFile:
    path: Path
    source: str


@dataclass(frozen=True)
class Root:
    """A directory given to ingest (or the folder of a file given directly): ``key`` names
    it in the store, ``files`` are its documents, ``complete`` says whether a stored source
    missing from ``files`` was deleted (true for a directory, false for a single file)."""

    key: str
    files: list[SourceFile]
    complete: bool


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def discover(path: Path, key: str | None = None) -> Root:
    """The documents under ``path``: .md, .markdown and .txt files found recursively
    (skipping hidden folders such as .git), or the file itself."""
    if not path.exists():
        raise KnowledgeError(f"No such file or directory: {path}")
    resolved = path.resolve()
    if resolved.is_file():
        return Root(key or str(resolved.parent), [SourceFile(resolved, resolved.name)], complete=False)
    if not resolved.is_dir():
        raise KnowledgeError(f"Not a regular file or directory: {path}")
    files = [
        SourceFile(p, p.relative_to(resolved).as_posix())
        for p in sorted(resolved.rglob("*"))
        if p.suffix.lower() in DOC_SUFFIXES and not _hidden(p.relative_to(resolved)) and p.is_file()
    ]
    return Root(key or str(resolved), files, complete=True)


@dataclass(frozen=True)
class ReadResult:
    text: str | None
    sha256: str
    problem: str | None


def read_text(path: Path) -> ReadResult:
    """The file's text and content hash, or why it cannot be indexed."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return ReadResult(None, "", f"unreadable ({exc.strerror or exc})")
    digest = hashlib.sha256(raw).hexdigest()
    if b"\x00" in raw:
        return ReadResult(None, digest, "binary content")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return ReadResult(None, digest, "not UTF-8 text")
    if not text.strip():
        return ReadResult(None, digest, "empty")
    return ReadResult(text, digest, None)
