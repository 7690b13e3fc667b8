"""The one registry of tools. Validation, error containment, the write-tool guard, the
toolsets' prerequisites (a tool whose integration is not set up is refused with what to
set) and the output boundary (secrets masked, terminal controls stripped) live here so
that no caller can forget them."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError

from tools.base import ApprovedCall, ToolContext, ToolResult, ToolSpec
from tools.redaction import sanitize_obj
from tools.toolset import Toolset

log = logging.getLogger(__name__)


class WriteNotApproved(PermissionError):
    """Raised when a write tool is invoked without a recorded approval."""


class ToolRegistry:
    """Holds tool declarations and runs them with validated arguments. Tools added as part
    of a toolset run only when its prerequisites are met; loose specs (tests) always may."""

    def __init__(self, specs: Iterable[ToolSpec] = (), toolsets: Iterable[Toolset] = ()) -> None:
        self._specs: dict[str, ToolSpec] = {}
        self._toolsets: dict[str, Toolset] = {}
        for spec in specs:
            self.add(spec)
        for toolset in toolsets:
            self.add_toolset(toolset)

    @classmethod
    def of(cls, *toolsets: Toolset) -> ToolRegistry:
        return cls(toolsets=toolsets)

    def add_toolset(self, toolset: Toolset) -> None:
        if toolset.name in self._toolsets:
            raise ValueError(f"duplicate toolset {toolset.name}")
        self._toolsets[toolset.name] = toolset
        for spec in toolset.tools:
            self.add(spec)

    def toolsets(self) -> list[Toolset]:
        return list(self._toolsets.values())

    def configured(self, ctx: ToolContext) -> set[str]:
        """The integrations whose settings meet their prerequisites (a loose spec's counts)."""
        loose = {spec.integration for spec in self._specs.values() if spec.integration not in self._toolsets}
        return loose | {name for name, toolset in self._toolsets.items() if toolset.configured(ctx)}

    def unavailable(self, ctx: ToolContext) -> dict[str, str]:
        """Each tool that cannot run with these settings, and why (what to set)."""
        reasons: dict[str, str] = {}
        for spec in self._specs.values():
            reason = self.unavailable_reason(spec, ctx)
            if reason:
                reasons[spec.name] = reason
        return reasons

    def unavailable_reason(self, spec: ToolSpec, ctx: ToolContext, args: dict[str, Any] | None = None) -> str | None:
        """Why ``spec`` cannot run (with ``args``, when given), or None when it can."""
        toolset = self._toolsets.get(spec.integration)
        return toolset.unavailable_reason(ctx, spec, args) if toolset is not None else None

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

    def invoke(self, name: str, args: dict[str, Any], ctx: ToolContext) -> ToolResult:
        """Validate and run one read tool. A write tool never runs from here: it runs only
        through ``execute`` with a claimed approval. Every result (of every method here)
        leaves with secrets masked and terminal control sequences stripped."""
        return clean_result(self._invoke(name, args, ctx))

    def preview(self, name: str, args: dict[str, Any], ctx: ToolContext) -> ToolResult:
        """A write tool's read-only preflight: what it would change, changing nothing."""
        return clean_result(self._preview(name, args, ctx))

    def execute(self, call: ApprovedCall, ctx: ToolContext) -> ToolResult:
        """Run the write of a claimed approval, once, with exactly its arguments, after its
        preflight confirms the target is still what the approver saw."""
        return clean_result(self._execute(call, ctx))

    def _invoke(self, name: str, args: dict[str, Any], ctx: ToolContext) -> ToolResult:
        spec = self._specs.get(name)
        if spec is None:
            return ToolResult.error(f"There is no tool named {name!r}.")
        if spec.mutating:
            raise WriteNotApproved(f"{name} changes things and runs only for a claimed approval")
        return self._run(spec, spec.run, args, ctx)

    def _preview(self, name: str, args: dict[str, Any], ctx: ToolContext) -> ToolResult:
        spec = self._specs.get(name)
        if spec is None:
            return ToolResult.error(f"There is no tool named {name!r}.")
        if spec.preflight is None:
            return ToolResult(status="ok", summary=f"{name} has no preview; it would run with {args}.")
        return self._run(spec, spec.preflight, args, ctx)

    def _execute(self, call: ApprovedCall, ctx: ToolContext) -> ToolResult:
        if not isinstance(call, ApprovedCall):
            raise WriteNotApproved("a write runs only for a claimed approval record")
        spec = self._specs.get(call.tool)
        if spec is None or not spec.mutating:
            return ToolResult.error(f"There is no write tool named {call.tool!r}.")
        if not call.still_claimed():
            raise WriteNotApproved(f"approval {call.approval_id} is not claimed for execution")
        if spec.preflight is not None:
            check = clean_result(self._run(spec, spec.preflight, call.args, ctx))  # as the approver saw it
            if check.status != "ok":
                return ToolResult(status="error", summary=f"Not done: {check.summary}",
                                  facts={"refused": True, "reason": check.summary})
            changed = target_changes(call.target, check.facts.get("target"))
            if changed:
                return ToolResult(status="error", facts={"refused": True, "changes": changed},
                                  summary=("Not done: the target is no longer what was approved ("
                                           + "; ".join(changed) + "). Ask again if it is still needed."))
        return self._run(spec, spec.run, call.args, ctx)

    def _run(self, spec: ToolSpec, function: Any, args: dict[str, Any], ctx: ToolContext) -> ToolResult:
        reason = self.unavailable_reason(spec, ctx, args)
        if reason:
            return ToolResult(status="error", summary=reason, facts={"unavailable": spec.integration})
        try:
            parsed = spec.args_model.model_validate(args)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ())) or "arguments"
            return ToolResult.error(f"{spec.name}: {where}: {first.get('msg', 'invalid value')}.")
        try:
            result: ToolResult = function(ctx, parsed)
            return result
        except Exception as exc:  # a tool bug must never crash a chat turn
            log.exception("tool %s failed", spec.name)
            return ToolResult.error(f"{spec.name} failed unexpectedly ({type(exc).__name__}); it is logged.")


def target_changes(approved: dict[str, Any] | None, now: Any) -> list[str]:
    """What differs between the target fingerprint at approval and now ("state: running ->
    stopped"); empty when nothing was fingerprinted or nothing changed."""
    if not approved:
        return []
    if not isinstance(now, dict):
        return ["the target could not be checked again"]
    return [f"{key}: {approved.get(key)} -> {now.get(key)}" for key in sorted(approved)
            if approved.get(key) != now.get(key)]


def clean_result(result: ToolResult) -> ToolResult:
    """The result as it may leave the registry: quoted to a person, a model or a store."""
    return ToolResult.model_validate(sanitize_obj(result.model_dump()))
