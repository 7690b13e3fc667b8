"""The typed request every surface hands to the graph."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field


class Request(BaseModel):
    """Who asked what, where. ``thread_id`` keys the conversation: a Slack thread, a Teams
    conversation, a CLI session."""

    text: str
    user: str = "cli"
    surface: str = "cli"
    channel: str | None = None
    thread_id: str = Field(default_factory=lambda: f"cli-{uuid.uuid4().hex[:12]}")
