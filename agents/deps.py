"""What the graph's nodes need, built once by the composition root in bot/ and passed to
every run as LangGraph's runtime context."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agents.approvals import ApprovalStore
from agents.audit import AuditLog, Origin
from agents.conversations import ConversationStore
from agents.policy import AccessPolicy
from agents.request import Request
from tools.base import ToolContext
from tools.registry import ToolRegistry


@dataclass
class GraphDeps:
    """What the nodes need; built by the composition root in bot/ and passed to every run
    as LangGraph's runtime context."""

    router: Any  # agents.router.SkillRouter (route(text) -> Route)
    registry: ToolRegistry
    tool_ctx: ToolContext
    approvals: ApprovalStore
    audit: AuditLog
    policy: AccessPolicy = field(default_factory=AccessPolicy.open)
    conversations: ConversationStore | None = None
    threshold: float = 0.45  # below it the router is unsure (a follow-up may borrow; LLM mode consults)
    answer_floor: float = 0.45  # from it up to ``threshold`` a read is answered with the other guesses named
    chat_model: Any | None = None
    max_tool_steps: int = 6
    llm_routing: str = "fallback"  # fallback | always | never: when the supervisor asks the model
    llm_max_tokens: int = 30_000  # a turn's model tokens (input + output), summed over its steps
    llm_timeout_s: float = 60.0  # a turn's model wall time


def origin_of(request: Request) -> Origin:
    return Origin(user=request.user, surface=request.surface, channel=request.channel,
                  correlation_id=request.correlation_id)
