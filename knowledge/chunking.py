"""Splitting documents into retrievable chunks: markdown by heading (each chunk keeps its
document title and heading path), plain text by paragraph; long sections are split on
paragraph boundaries so a chunk stays within what MiniLM reads (256 word pieces)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

MAX_CHARS = 1100
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")
HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)


@dataclass(frozen=True)
class Chunk:
    source: str
    title: str
    section: str
    text: str
    index: int


def _split_long(text: str, limit: int = MAX_CHARS) -> list[str]:
    """Paragraph-packed pieces of at most ``limit`` characters (a single huge paragraph is
    cut on line boundaries, then hard)."""
    pieces: list[str] = []
    current = ""
    for paragraph in re.split(r"\n\s*\n", text):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        while len(paragraph) > limit:
            cut = paragraph.rfind("\n", 0, limit)
            cut = cut if cut > limit // 3 else limit
            pieces.append(paragraph[:cut].strip())
            paragraph = paragraph[cut:].strip()
        if current and len(current) + len(paragraph) + 2 > limit:
            pieces.append(current)
            current = paragraph
        else:
            current = f"{current}\n\n{paragraph}" if current else paragraph
    if current:
        pieces.append(current)
    return pieces


def _sections(lines: list[str]) -> list[tuple[list[str], list[str]]]:
    """(heading path, body lines) in document order; headings inside code fences are text."""
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


def chunk_markdown(text: str, source: str) -> list[Chunk]:
    text = HTML_COMMENT.sub("", text)
    lines = text.splitlines()
    title = next((m.group(2).strip() for m in map(HEADING.match, lines) if m and len(m.group(1)) == 1), None)
    title = title or PurePosixPath(source).stem.replace("-", " ").replace("_", " ")
    chunks: list[Chunk] = []
    for path, body in _sections(lines):
        section = " > ".join(path[1:] if path and path[0] == title else path) or "Overview"
        for piece in _split_long("\n".join(body)):
            chunks.append(Chunk(source, title, section, piece, len(chunks)))
    return chunks


def chunk_plain_text(text: str, source: str) -> list[Chunk]:
    title = PurePosixPath(source).stem.replace("-", " ").replace("_", " ")
    return [Chunk(source, title, "Text", piece, i) for i, piece in enumerate(_split_long(text))]


def chunk_document(text: str, source: str) -> list[Chunk]:
    if source.lower().endswith((".md", ".markdown")):
        return chunk_markdown(text, source)
    return chunk_plain_text(text, source)
