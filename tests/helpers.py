"""Shared test helpers (factories, fakes of *outside* things only)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel
from langchain_core.messages import AIMessage, BaseMessage
from pydantic import Field

from tools.base import ApprovedCall


def contract_policy(*oncall: str) -> str:
    """The access policy example of docs/CONTRACT.md ("Access policy"), as a team would write
    it, with ``oncall`` as its on-call users (the example's are alice and bob)."""
    users = ", ".join(f"{user}: [oncall]" for user in oncall)
    return f"""\
roles:
  reader: {{ask: ["cost.*", "security.*", "infra.inventory", "infra.describe", "infra.logs",
                 "cicd.status", "cicd.failure", "cicd.changes", "incident.list",
                 "incident.oncall", "incident.brief", "knowledge.*", "help"]}}
  oncall: {{ask: ["*"], approve: ["infra.action", "cicd.rerun", "incident.*"]}}
users: {{{users}}}
default_roles: [reader]            # anyone not listed
requester_may_approve: false       # the one who asked may not approve it
"""


CONTRACT_POLICY = contract_policy("alice", "bob")


class ToolCallingFakeChatModel(FakeMessagesListChatModel):
    """LangChain's fake chat model, replaying scripted AIMessages (with real tool calls).
    Its parent's bind_tools raises NotImplementedError; binding is a no-op here, and the
    tools it was bound with are kept so tests can assert what the model was offered."""

    bound_tool_names: list[str] = Field(default_factory=list)
    seen_messages: list[list[BaseMessage]] = Field(default_factory=list)

    def bind_tools(self, tools: Sequence[Any], **_: Any) -> ToolCallingFakeChatModel:  # type: ignore[override]
        self.bound_tool_names = [getattr(tool, "name", str(tool)) for tool in tools]
        return self

    def invoke(self, input: Any, *args: Any, **kwargs: Any) -> BaseMessage:
        self.seen_messages.append(list(input))
        return super().invoke(input, *args, **kwargs)


def tool_call(name: str, args: dict[str, Any], call_id: str = "call-1", text: str = "") -> AIMessage:
    return AIMessage(content=text, tool_calls=[{"name": name, "args": args, "id": call_id, "type": "tool_call"}])


def approved_call(tool: str, args: dict[str, Any], target: dict[str, Any] | None = None) -> ApprovedCall:
    """A claimed approval for tool-level tests of a write's own behaviour (the approval
    lifecycle itself is tested through the graph and the stores)."""
    return ApprovedCall(approval_id="ap-test", tool=tool, args=args, target=target, still_claimed=lambda: True)


def synced_resources() -> int:
    """How many resources `guardian inventory sync` snapshots from the sandbox: every
    configured cloud's inventory, as sandbox/company.py seeds it."""
    from sandbox.company import DRIFTWOOD, DRIFTWOOD_AZURE, DRIFTWOOD_GCP

    aws = len(DRIFTWOOD.instances) + len(DRIFTWOOD.buckets) + len(DRIFTWOOD.databases) + len(DRIFTWOOD.functions)
    aws += len(DRIFTWOOD.ecs_services) + len(DRIFTWOOD.eks_clusters) + len(DRIFTWOOD.load_balancers)
    azure = len(DRIFTWOOD_AZURE.vms) + len(DRIFTWOOD_AZURE.nsgs) + len(DRIFTWOOD_AZURE.storage_accounts)
    return aws + azure + len(DRIFTWOOD_GCP.instances) + len(DRIFTWOOD_GCP.buckets)
