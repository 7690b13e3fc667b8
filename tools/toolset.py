"""A toolset: one integration's tools, the settings model they are configured with and the
prerequisites they need before they can run. The registry reads the prerequisites, so a
tool whose integration is not set up is refused with what to set, never half-run."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from tools.base import ToolContext, ToolSpec


@dataclass(frozen=True)
class Prerequisite:
    """One thing a toolset needs: ``what`` it is, the ``fix`` (the setting to set) and
    whether the context ``met`` it. When ``or_argument`` is named, a request that gives that
    argument (a repository as owner/name) supplies it itself; ``writes_only`` needs apply
    to the toolset's write tools alone (who PagerDuty changes are made as)."""

    what: str
    fix: str
    met: Callable[[ToolContext], bool]
    or_argument: str | None = None
    writes_only: bool = False

    def satisfied(self, ctx: ToolContext, args: Mapping[str, Any] | None = None) -> bool:
        if self.met(ctx):
            return True
        return bool(self.or_argument and args and args.get(self.or_argument))

    @property
    def sentence(self) -> str:
        return f"{self.what} ({self.fix})"


@dataclass(frozen=True)
class Toolset:
    """An integration's tools, declared together. ``name`` is the tools' ``integration``."""

    name: str
    title: str
    settings_model: type[BaseModel]
    tools: tuple[ToolSpec, ...]
    prerequisites: tuple[Prerequisite, ...] = ()
    only_when_named: bool = False
    """A cloud whose tools answer a chat question only when it names that cloud ("in gcp", a
    GCP region); unnamed questions go to the default cloud. Scans and inventory sync still
    cover every configured cloud."""

    def __post_init__(self) -> None:
        strays = [spec.name for spec in self.tools if spec.integration != self.name]
        if strays:
            raise ValueError(f"toolset {self.name} holds tools of another integration: {', '.join(strays)}")

    def missing(self, ctx: ToolContext, spec: ToolSpec | None = None,
                args: Mapping[str, Any] | None = None) -> list[Prerequisite]:
        """The prerequisites not met for a call of ``spec`` with ``args`` (None: the read
        tools, for any call)."""
        writing = spec is not None and spec.mutating
        return [need for need in self.prerequisites
                if (writing or not need.writes_only) and not need.satisfied(ctx, args)]

    def configured(self, ctx: ToolContext) -> bool:
        """Whether the settings meet every read prerequisite a request cannot supply itself."""
        return all(need.met(ctx) for need in self.prerequisites if need.or_argument is None and not need.writes_only)

    def unavailable_reason(self, ctx: ToolContext, spec: ToolSpec | None = None,
                           args: Mapping[str, Any] | None = None) -> str | None:
        """One sentence saying what is missing and what to set, or None when the call can run."""
        missing = self.missing(ctx, spec, args)
        if not missing:
            return None
        needs = [need.sentence for need in missing]
        listed = needs[0] if len(needs) == 1 else ", ".join(needs[:-1]) + " and " + needs[-1]
        return f"{self.title} is not configured: it needs {listed}."
