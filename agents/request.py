"""The typed request every surface hands to the graph."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, Field

from agents.audit import new_correlation_id

MAX_TEXT = 8000
MAX_ID = 256


class ToolCall(BaseModel):
    """A write tool named by a program (an MCP client) with its typed arguments, instead of
    words for the router: the turn (``Guardian.ask(request, tool_call=...)``) skips routing and
    proposes exactly this call for approval, through the same preflight, pinning, approval
    record and interrupt as a chat request."""

    tool: str = Field(min_length=1, max_length=100)
    args: dict[str, Any] = Field(default_factory=dict)


class Request(BaseModel):
    """Who asked what, where. ``thread_id`` keys the conversation: a Slack thread, a Teams
    conversation, a CLI session; ``correlation_id`` ties this turn's audit records together."""

    text: str = Field(max_length=MAX_TEXT)
    user: str = Field(default="cli", max_length=4 * MAX_ID)  # the policy refuses odd identities
    surface: str = Field(default="cli", max_length=32)
    channel: str | None = Field(default=None, max_length=MAX_ID)
    thread_id: str = Field(default_factory=lambda: f"cli-{uuid.uuid4().hex[:12]}", min_length=1,
                           max_length=MAX_ID)
    correlation_id: str = Field(default_factory=new_correlation_id, max_length=64)
    acting_as: str | None = Field(default=None, max_length=MAX_ID, description=(
        "Who Guardian acts as in an integration that names a person (PagerDuty's From), set by the "
        "surface from its user mapping; never taken from the text."))
