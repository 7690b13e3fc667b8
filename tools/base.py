"""What a tool is: a declaration (name, description, typed arguments, read or write,
the skills it serves, the integration it needs) plus a function returning a typed result.

Agents, RBAC, approvals, help text and the LLM's tool list all read these declarations,
so a tool is data first and code second.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field

from tools.settings import AwsSettings, AzureSettings, GcpSettings, GitHubSettings, KnowledgeSettings, PagerDutySettings

ToolMode = Literal["read", "write"]
ToolStatus = Literal["ok", "error", "no_data"]
# facts key of an error result: the name the tool looked for and did not find in its cloud,
# so the agent may look for it in another configured cloud (agents/elsewhere.py)
NOT_FOUND = "not_found"
# facts key: what a result leaves out of its rows, as a sentence ("Not enabled in eu-west-1.",
# "1 more finding is archived and not listed."): kept when an answer narrows to some rows, since
# it tells why something the person may look for is not there
CAVEAT = "caveat"


class ToolResult(BaseModel):
    """A tool's typed answer. Templates quote it; ids in ``resources`` are the only ids an
    answer may name."""

    status: ToolStatus
    summary: str = Field(default="", description="One line a person reads; for errors, the reason.")
    columns: list[str] = Field(default_factory=list, description="Table columns, in display order.")
    rows: list[dict[str, Any]] = Field(default_factory=list, description="Table rows keyed by column.")
    facts: dict[str, Any] = Field(default_factory=dict, description="Scalar facts: totals, counts, dates.")
    resources: list[str] = Field(default_factory=list, description="Resource ids this result saw.")
    citations: list[dict[str, str]] = Field(default_factory=list, description="{source, title} used.")

    @classmethod
    def error(cls, message: str) -> ToolResult:
        return cls(status="error", summary=message)

    @classmethod
    def no_data(cls, message: str) -> ToolResult:
        return cls(status="no_data", summary=message)

    @classmethod
    def not_found(cls, message: str, name: str) -> ToolResult:
        """An error saying the resource named ``name`` does not exist where the tool looked."""
        return cls(status="error", summary=message, facts={NOT_FOUND: name})


class KnowledgeSearcher(Protocol):
    """What tools need of the knowledge store (kept abstract so tools stay independent)."""

    def search(self, query: str, k: int = 5, namespaces: Sequence[str] | None = None) -> list[Any]: ...


InventorySnapshot = tuple[datetime, dict[str, dict[str, Any]]]  # taken at, resource key -> fields


class InventoryHistory(Protocol):
    """The inventory snapshots ``guardian inventory sync`` kept (agents/inventory_history.py),
    kept abstract so tools stay independent of the database."""

    def at_or_before(self, moment: datetime) -> InventorySnapshot | None:
        """The last snapshot taken at or before ``moment``."""
        ...

    def after(self, moment: datetime) -> list[InventorySnapshot]:
        """Every snapshot taken after ``moment``, oldest first."""
        ...


@dataclass
class ToolContext:
    """Per-process handles and each toolset's typed settings; built once in ``bot/`` and
    passed down.

    boto3 itself honours ``AWS_ENDPOINT_URL``, ``AWS_PROFILE`` and credentials, so only the
    regions to scan are Guardian's own AWS choice.
    """

    aws: AwsSettings = field(default_factory=AwsSettings)
    gcp: GcpSettings = field(default_factory=GcpSettings)
    github: GitHubSettings = field(default_factory=GitHubSettings)
    pagerduty: PagerDutySettings = field(default_factory=PagerDutySettings)
    knowledge_settings: KnowledgeSettings = field(default_factory=KnowledgeSettings)
    knowledge: KnowledgeSearcher | None = None
    azure: AzureSettings = field(default_factory=AzureSettings)
    boto_session_factory: Callable[[], Any] | None = None
    inventory_history: InventoryHistory | None = None
    # boto3 clients made for this context, shared by every tool run (tools/aws/common.py):
    # clients are thread-safe, and making one costs ~10 ms and ~2,000 objects the garbage
    # collector must later walk. Not init fields: ``replace(ctx, ...)`` starts a fresh cache.
    aws_clients: dict[tuple[str, str], Any] = field(default_factory=dict, init=False, repr=False, compare=False)
    aws_clients_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False,
                                             compare=False)
    # Azure management clients (tools/azure/client.py), shared the same way.
    azure_clients: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)
    # Google Cloud SDK clients, likewise made once per context (tools/gcp/clients.py).
    gcp_clients: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def regions(self) -> list[str]:
        """The AWS regions to scan, the default one first."""
        return list(self.aws.regions)

    def boto_session(self) -> Any:
        """A boto3 session; one per call keeps tools thread-safe. The service models (the
        EC2 one alone is megabytes of JSON) are parsed once per process through a shared
        loader, not once per session."""
        if self.boto_session_factory is not None:
            return self.boto_session_factory()
        import boto3
        import botocore.session

        core = botocore.session.get_session()
        core.register_component("data_loader", _shared_loader())
        return boto3.session.Session(botocore_session=core)


_LOADER: Any = None


def _shared_loader() -> Any:
    global _LOADER
    if _LOADER is None:
        import botocore.loaders

        _LOADER = botocore.loaders.create_loader()
    return _LOADER


ToolFunction = Callable[[ToolContext, Any], ToolResult]


@dataclass(frozen=True)
class ToolSpec:
    """The declaration of one tool."""

    name: str
    description: str
    args_model: type[BaseModel]
    mode: ToolMode
    skills: tuple[str, ...]
    integration: str
    run: ToolFunction
    preflight: ToolFunction | None = field(default=None, compare=False)
    """For write tools: a read-only check that the target exists and says what would change,
    run before an approval is requested (so an unknown resource never reaches a human) and
    again just before the approved write runs. Its ``facts["target"]`` fingerprints what it
    saw; the write is refused if the fingerprint changed in between."""
    pins: tuple[str, ...] = ()
    """Arguments the preflight resolves (a Name tag to its instance id, "the latest failed
    run" to its run id): its facts of these names replace the requested values, so the
    approval stores and shows exactly what will be acted on."""

    @property
    def mutating(self) -> bool:
        return self.mode == "write"


@dataclass(frozen=True)
class ApprovedCall:
    """A write a person approved and that this process has claimed (approved -> executing):
    the only thing ``ToolRegistry.execute`` runs a write tool for. ``args`` are the exact
    arguments the approver saw; ``target`` the preflight's fingerprint at approval time;
    ``still_claimed`` asks the database that the claim holds."""

    approval_id: str
    tool: str
    args: dict[str, Any]
    target: dict[str, Any] | None
    still_claimed: Callable[[], bool] = field(repr=False, compare=False)
