"""Splitting documents into retrievable chunks.

Markdown is cut at headings: each chunk keeps its document's title (first H1, else the
file stem) and its heading path ("Triage > Inodes"), so a hit can say where in a runbook it
came from. Plain text is one document cut by paragraphs. Sections longer than MiniLM reads
(256 word pieces, about 1000 characters of English) are split on paragraph, then line,
boundaries. Text is kept as written: runbooks are data, later layers quote them as such.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

MAX_CHARS = 1000
MARKDOWN_SUFFIXES = (".md", ".markdown")
HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
FENCE = re.compile(r"^ {0,3}(```|~~~)")
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
OVERVIEW = "Overview"
TEXT_SECTION = "Text"


@dataclass(frozen=True)
class Chunk:
    """One retrievable piece of a document; ``index`` is its position in the document."""

    source: str
    title: str
    section: str
    text: str
    index: int


def split_long(text: str, limit: int = MAX_CHARS) -> list[str]:
    """Paragraph-packed pieces of at most ``limit`` characters; a single paragraph longer
    than that is cut at line breaks where possible, else hard."""
    pieces: list[str] = []
    current = ""
    for paragraph in PARAGRAPH_BREAK.split(text):
        paragraph = paragraph.strip("\n").rstrip()
        if not paragraph.strip():
            continue
        while len(paragraph) > limit:
            cut = paragraph.rfind("\n", 0, limit)
            if cut <= limit // 3:
                cut = paragraph.rfind(" ", 0, limit)
            cut = cut if cut > limit // 3 else limit
            head, paragraph = paragraph[:cut].rstrip(), paragraph[cut:].strip("\n ")
            if current:
                pieces.append(current)
                current = ""
            pieces.append(head)
        if current and len(current) + len(paragraph) + 2 > limit:
            pieces.append(current)
            current = paragraph
        else:
            current = f"{current}\n\n{paragraph}" if current else paragraph
    if current:
        pieces.append(current)
    return pieces


def _sections(lines: list[str]) -> list[tuple[list[str], list[str]]]:
    """(heading path, body lines) in document order; a ``#`` line inside a code fence is
    text, not a heading."""
    path: list[tuple[int, str]] = []
    sections: list[tuple[list[str], list[str]]] = [([], [])]
    in_fence = False
    for line in lines:
        if FENCE.match(line):
            in_fence = not in_fence
        match = None if in_fence else HEADING.match(line)
        if match:
            level, name = len(match.group(1)), match.group(2).strip()
            path = [(lvl, text) for lvl, text in path if lvl < level] + [(level, name)]
            sections.append(([text for _, text in path], []))
        else:
            sections[-1][1].append(line)
    return sections


def file_stem(source: str) -> str:
    return PurePosixPath(source).stem


def _first_h1(lines: list[str]) -> str | None:
    in_fence = False
    for line in lines:
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        match = None if in_fence else HEADING.match(line)
        if match and len(match.group(1)) == 1:
            return match.group(2).strip()
    return None


def chunk_markdown(text: str, source: str, title: str | None = None) -> list[Chunk]:
    """Chunks by heading; the section is the heading path below the title."""
    lines = text.splitlines()
    title = title or _first_h1(lines) or file_stem(source)
    chunks: list[Chunk] = []
    for path, body in _sections(lines):
        if path and path[0] == title:
            path = path[1:]
        section = " > ".join(path) or OVERVIEW
        for piece in split_long("\n".join(body)):
            chunks.append(Chunk(source, title, section, piece, len(chunks)))
    return chunks


def chunk_plain_text(text: str, source: str, title: str | None = None) -> list[Chunk]:
    """One document cut by paragraphs (packed up to the size limit)."""
    title = title or file_stem(source)
    return [Chunk(source, title, TEXT_SECTION, piece, i) for i, piece in enumerate(split_long(text))]


def chunk_document(text: str, source: str) -> list[Chunk]:
    """Markdown by heading for .md/.markdown, paragraphs for anything else."""
    if source.lower().endswith(MARKDOWN_SUFFIXES):
        return chunk_markdown(text, source)
    return chunk_plain_text(text, source)
