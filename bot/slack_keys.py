"""A Slack post that must be made once carries its delivery key in its message metadata, so
a replica that took the work over after an uncertain post can look for it before posting
again (proactive posts, resumed turns). One shape for writing the key and reading it back."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def keyed_metadata(event_type: str, key: str) -> dict[str, Any]:
    """The ``metadata`` argument of ``chat.postMessage`` for a post carrying ``key``."""
    return {"event_type": event_type, "event_payload": {"key": key}}


def keyed_ts(messages: Iterable[Mapping[str, Any]], event_type: str, key: str) -> str | None:
    """The ts of the first message carrying ``key`` under ``event_type``, or None."""
    for message in messages:
        metadata = message.get("metadata") or {}
        if metadata.get("event_type") == event_type and (metadata.get("event_payload") or {}).get("key") == key:
            return str(message.get("ts"))
    return None
