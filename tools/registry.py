"""The one registry of tools. Validation, error containment, the write-tool guard and the
output boundary (secrets masked, terminal controls stripped) live here so that no caller
can forget them."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError

from tools.base import ToolContext, ToolResult, ToolSpec
from tools.redaction import sanitize_obj

log = logging.getLogger(__name__)


class WriteNotApproved(PermissionError):
    """Raised when a write tool is invoked without a recorded approval."""


class ToolRegistry:
    """Holds tool declarations and runs them with validated arguments."""

    def __init__(self, specs: Iterable[ToolSpec] = ()) -> None:
        self._specs: dict[str, ToolSpec] = {}
        for spec in specs:
            self.add(spec)

    def add(self, spec: ToolSpec) -> None:
        if spec.name in self._specs:
            raise ValueError(f"duplicate tool name {spec.name}")
        self._specs[spec.name] = spec

    def get(self, name: str) -> ToolSpec:
        return self._specs[name]

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def all(self) -> list[ToolSpec]:
        return list(self._specs.values())

    def for_skill(self, skill: str) -> list[ToolSpec]:
        return [spec for spec in self._specs.values() if skill in spec.skills]

    def invoke(
        self, name: str, args: dict[str, Any], ctx: ToolContext, *, approval_id: str | None = None
    ) -> ToolResult:
        """Validate and run one tool. A write tool needs the id of a recorded approval: the
        graph's execute node is the only caller that has one. Every string of the result
        leaves with secrets masked and terminal control sequences stripped."""
        return clean_result(self._invoke(name, args, ctx, approval_id=approval_id))

    def _invoke(
        self, name: str, args: dict[str, Any], ctx: ToolContext, *, approval_id: str | None = None
    ) -> ToolResult:
        spec = self._specs.get(name)
        if spec is None:
            return ToolResult.error(f"There is no tool named {name!r}.")
        if spec.mutating and not approval_id:
            raise WriteNotApproved(f"{name} changes things and needs an approval first")
        try:
            parsed = spec.args_model.model_validate(args)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ())) or "arguments"
            return ToolResult.error(f"{name}: {where}: {first.get('msg', 'invalid value')}.")
        try:
            return spec.run(ctx, parsed)
        except Exception as exc:  # a tool bug must never crash a chat turn
            log.exception("tool %s failed", name)
            return ToolResult.error(f"{name} failed unexpectedly ({type(exc).__name__}); it is logged.")


def clean_result(result: ToolResult) -> ToolResult:
    """The result as it may leave the registry: quoted to a person, a model or a store."""
    return ToolResult.model_validate(sanitize_obj(result.model_dump()))
