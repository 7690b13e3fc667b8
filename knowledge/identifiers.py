"""Identifier splitting for lexical retrieval.

Ops text names things in code case: an alert fires as ``KubePodCrashLooping``, a metric is
``kube_pod_container_status_waiting``, a runbook file is ``disk-full.md``. A word tokenizer
keeps each as one token, so "pod crash looping" never meets ``KubePodCrashLooping``. Here
every identifier keeps its whole form (an exact name still matches exactly) and is followed
by its parts, split at case changes, underscores, dots and hyphens.
"""

from __future__ import annotations

import re

# A run of word characters joined by _ . - (so "kube-state-metrics" and "nf_conntrack" are one).
IDENTIFIER = re.compile(r"[A-Za-z0-9]+(?:[_.\-][A-Za-z0-9]+)*")
# Parts of one identifier: an acronym before a capitalised word (HTTPServer -> HTTP, Server),
# then capitalised or lower-case words; digits stay with the letters before them, so an id
# such as ``0abc123`` is not cut into noise.
PART = re.compile(r"[A-Z0-9]+(?=[A-Z][a-z])|[A-Z]?[a-z0-9]+|[A-Z0-9]+")


def identifier_parts(token: str) -> list[str]:
    """The lower-cased parts of ``token``; one part (itself) when it is a plain word."""
    return [part.lower() for part in PART.findall(token)]


def split_identifiers(text: str) -> str:
    """``text`` with each compound identifier followed by its parts in lower case:
    "KubePodCrashLooping fired" -> "KubePodCrashLooping kube pod crash looping fired"."""
    def expand(match: re.Match[str]) -> str:
        token = match.group(0)
        parts = identifier_parts(token)
        return token if len(parts) < 2 else f"{token} {' '.join(parts)}"

    return IDENTIFIER.sub(expand, text)


def identifiers_as_words(text: str) -> str:
    """``text`` with each compound identifier replaced by its parts, for a reader of words
    (MiniLM cuts ``NodeFilesystemSpaceFillingUp`` into meaningless word pieces):
    "KubePodCrashLooping fired" -> "kube pod crash looping fired"."""
    def words(match: re.Match[str]) -> str:
        parts = identifier_parts(match.group(0))
        return match.group(0) if len(parts) < 2 else " ".join(parts)

    return IDENTIFIER.sub(words, text)
