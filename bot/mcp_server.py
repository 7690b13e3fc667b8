"""Guardian as an MCP server (docs/mcp.md): ``guardian mcp`` on stdio and ``/mcp`` on
``guardian serve`` (streamable HTTP, bearer ``GUARDIAN_MCP_TOKEN``).

What a client gets, all read from the one tool registry:
- every read tool, its typed arguments as the input schema; it runs through the registry
  (prerequisites, validation, secrets masked on the way out);
- every write tool, which never runs from here: a call becomes a graph turn that proposes
  exactly that call, so the approval is created by the same preflight, pinning, record and
  interrupt as a chat request, and a person decides it in chat or with ``guardian approvals``;
  the result is the approval id, and ``approval_status`` reports its state and outcome;
- ``ask`` (the whole graph, the ``guardian ask --json`` shape) and ``search_runbooks``.

Every call carries one identity (``GUARDIAN_MCP_USER``, default ``mcp``): the access policy
maps it to roles like any user, and the audit records each call under surface ``mcp``.
Bad arguments are a tool error naming the argument; an unknown tool is a protocol error.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import anyio
import mcp_types as types
from mcp.server.lowlevel import Server
from mcp.shared.exceptions import MCPError
from pydantic import BaseModel, Field, ValidationError

from agents.audit import Origin, new_correlation_id

if TYPE_CHECKING:

    from fastapi import FastAPI

    from agents.policy import Decision
    from bot.runtime import Runtime
    from tools.base import ToolSpec

log = logging.getLogger(__name__)

SURFACE = "mcp"
SERVER_NAME = "guardian"


# --------------------------------------------------------------------------- Guardian's own tools


class AskArgs(BaseModel):
    question: str = Field(min_length=1, max_length=4000, description="The request, in plain words.")
    conversation: str | None = Field(default=None, min_length=1, max_length=128, description=(
        "Conversation id to keep follow-ups together (the same id again: 'and in eu-west-1?'); "
        "unset: a new conversation."))


class SearchRunbooksArgs(BaseModel):
    query: str = Field(min_length=1, max_length=2000, description="What to look for: a symptom, an alert name.")
    k: int = Field(default=3, ge=1, le=10, description="How many passages to return.")


class ApprovalStatusArgs(BaseModel):
    approval_id: str = Field(min_length=1, max_length=64, description="The id a write tool returned (ap-...).")


ASK = "ask"
SEARCH_RUNBOOKS = "search_runbooks"
APPROVAL_STATUS = "approval_status"
RUNBOOK_TOOL = "knowledge_search_runbooks"  # the registry tool search_runbooks goes through

OWN_TOOLS: dict[str, tuple[str, type[BaseModel]]] = {
    ASK: ("Ask Guardian anything it answers in chat (cost, security, infrastructure, CI/CD, incidents, "
          "runbooks): routes the request, runs the tools, and returns the answer with its tools, citations, "
          "resources and any pending approval. A request to change something creates an approval, never runs it.",
          AskArgs),
    SEARCH_RUNBOOKS: ("Search the team's runbooks and notes; returns passages with their source and title, "
                      "best first.", SearchRunbooksArgs),
    APPROVAL_STATUS: ("The state of an approval this identity requested: pending, approved, denied, executing, "
                      "executed, failed, refused, cancelled or abandoned, who decided it, and the outcome once "
                      "it ran.", ApprovalStatusArgs),
}

WRITE_NOTE = (" Changes things: calling it never runs it directly; it creates an approval that a person "
              "approves or denies (in chat or with `guardian approvals`). The result is the approval id; poll "
              "approval_status with it.")


class ToolFailure(Exception):
    """A call that ends in a typed tool error (``is_error``), not a protocol error."""

    def __init__(self, kind: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.kind = kind
        self.details = details

    def payload(self) -> dict[str, Any]:
        return {"error": {"type": self.kind, "message": str(self), **self.details}}


def argument_error(tool: str, exc: ValidationError) -> ToolFailure:
    """'invalid argument instance_id: Field required' for the first problem, every problem
    listed; the offending value is never echoed (it may be a secret)."""
    problems = [{"argument": ".".join(str(part) for part in error.get("loc", ())) or "arguments",
                 "problem": str(error.get("msg", "invalid value")).removeprefix("Value error, ")}
                for error in exc.errors()]
    first = problems[0]
    return ToolFailure("invalid_argument", f"{tool}: invalid argument {first['argument']}: {first['problem']}",
                       argument=first["argument"], problems=problems)


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def _result(payload: dict[str, Any], *, error: bool = False) -> types.CallToolResult:
    """Structured content for programs, the same JSON as text for clients that read only text."""
    data = _jsonable(payload)
    text = json.dumps(data, ensure_ascii=False, indent=1)
    return types.CallToolResult(content=[types.TextContent(text=text)], structured_content=data, is_error=error)


# --------------------------------------------------------------------------- the gateway


class McpGateway:
    """Guardian's tools as MCP sees them, for one identity on one transport (``stdio`` or
    ``http``, the audit's channel). Calls are synchronous; the server runs them in threads."""

    def __init__(self, rt: Runtime, transport: str) -> None:
        self.rt = rt
        self.user = rt.settings.mcp_user
        self.transport = transport
        self._warm = threading.Lock()

    # listing ----------------------------------------------------------------------------
    def tools(self) -> list[types.Tool]:
        listed = [self._registry_tool(spec) for spec in self.rt.registry.all()]
        for name, (description, model) in OWN_TOOLS.items():
            annotations = types.ToolAnnotations(read_only_hint=True, open_world_hint=name != APPROVAL_STATUS)
            listed.append(types.Tool(name=name, description=description, input_schema=model.model_json_schema(),
                                     annotations=annotations))
        return listed

    @staticmethod
    def _registry_tool(spec: ToolSpec) -> types.Tool:
        writes = spec.mutating
        description = spec.description + (WRITE_NOTE if writes else "")
        annotations = types.ToolAnnotations(read_only_hint=not writes, destructive_hint=writes or None,
                                            open_world_hint=True)
        return types.Tool(name=spec.name, description=description,
                          input_schema=spec.args_model.model_json_schema(), annotations=annotations)

    def known(self, name: str) -> bool:
        return name in OWN_TOOLS or name in self.rt.registry

    # calling ----------------------------------------------------------------------------
    def call(self, name: str, arguments: dict[str, Any] | None) -> types.CallToolResult:
        """One call, audited whatever happens (``mcp.call``: tool, redacted arguments, outcome)."""
        if not self.known(name):
            raise MCPError(code=types.INVALID_PARAMS, message=f"Unknown tool {name!r}: list the tools "
                           "(tools/list) for the names this server has.")
        origin = Origin(user=self.user, surface=SURFACE, channel=self.transport, correlation_id=new_correlation_id())
        args = dict(arguments or {})
        started = time.perf_counter()
        try:
            payload, outcome = self._dispatch(name, args, origin), "ok"
            result = _result(payload)
        except ToolFailure as failure:
            result, outcome = _result(failure.payload(), error=True), f"{failure.kind}: {failure}"
        except Exception as exc:  # a bug must cost one call, never the server
            log.exception("mcp: %s failed (correlation id %s)", name, origin.correlation_id)
            internal = ToolFailure("internal", f"{name} failed unexpectedly ({type(exc).__name__}); it is logged "
                                   f"under correlation id {origin.correlation_id}.")
            result, outcome = _result(internal.payload(), error=True), f"internal: {type(exc).__name__}"
        self.rt.storage.audit.record(origin, "mcp.call", tool=name, args=args, outcome=outcome,
                                     duration_ms=(time.perf_counter() - started) * 1000)
        return result

    def _dispatch(self, name: str, args: dict[str, Any], origin: Origin) -> dict[str, Any]:
        own = OWN_TOOLS.get(name)
        parsed = _parse(name, own[1] if own else self.rt.registry.get(name).args_model, args)
        self._ready()  # after the arguments: a typed error costs no model load
        if name == ASK:
            return self._ask(parsed, origin)
        if name == SEARCH_RUNBOOKS:
            return self._search(parsed, origin)
        if name == APPROVAL_STATUS:
            return self._status(parsed.approval_id)
        spec = self.rt.registry.get(name)
        if spec.mutating:
            return self._propose(spec, args, origin)
        return self._read(spec, args, origin)

    def _ready(self) -> None:
        """Build the graph, stores and tools once, whichever call comes first."""
        with self._warm:
            self.rt.guardian  # noqa: B018 - cached on the runtime

    def _allowed(self, origin: Origin, spec: ToolSpec) -> None:
        """The policy's ask right for any skill the tool serves, recorded like every surface's."""
        decisions: list[tuple[str, Decision]] = [(skill, self.rt.policy.may_ask(self.user, skill))
                                                 for skill in spec.skills]
        if not decisions:  # a tool no skill uses is not offered to anyone
            raise ToolFailure("refused", f"{spec.name} serves no skill, so no role can allow it.")
        skill, decision = next(((s, d) for s, d in decisions if d.allowed), decisions[0])
        self.rt.storage.audit.record(origin, "policy.ask", skill=skill, tool=spec.name,
                                     outcome=("allowed: " if decision.allowed else "refused: ") + decision.reason)
        if not decision.allowed:
            raise ToolFailure("refused", decision.reason, skill=skill)

    def _read(self, spec: ToolSpec, args: dict[str, Any], origin: Origin) -> dict[str, Any]:
        self._allowed(origin, spec)
        started = time.perf_counter()
        result = self.rt.registry.invoke(spec.name, args, self.rt.tool_ctx)
        self.rt.storage.audit.record(origin, "tool", skill=spec.skills[0] if spec.skills else None, tool=spec.name,
                                     args=args, outcome=result.status,
                                     duration_ms=(time.perf_counter() - started) * 1000)
        if result.status == "error":
            raise ToolFailure("tool_error", result.summary, result=result.model_dump())
        return result.model_dump()

    def _search(self, args: SearchRunbooksArgs, origin: Origin) -> dict[str, Any]:
        """The runbook tool through the registry (runbook namespaces only, masked output), in the
        ``guardian knowledge search --json`` shape."""
        found = self._read(self.rt.registry.get(RUNBOOK_TOOL), args.model_dump(), origin)
        results = [{"source": row["source"], "title": row["title"], "section": row.get("section"),
                    "score": row["score"], "text": row["text"]} for row in found["rows"]]
        return {"query": args.query, "results": results}

    def _ask(self, args: AskArgs, origin: Origin) -> dict[str, Any]:
        from agents.request import Request
        from bot.render.contract import contract_dict

        conversation = args.conversation or uuid.uuid4().hex[:12]
        request = Request(text=args.question, user=self.user, surface=SURFACE, channel=self.transport,
                          thread_id=f"mcp:{self.user}:{conversation}"[:256], correlation_id=origin.correlation_id)
        return {**contract_dict(self.rt.ask(request)), "conversation": conversation}

    def _propose(self, spec: ToolSpec, args: dict[str, Any], origin: Origin) -> dict[str, Any]:
        """A graph turn that proposes exactly this call: the approval is made the way every chat
        request's is (policy, preflight, pinned arguments, sealed record, interrupt)."""
        from agents.request import Request, ToolCall
        from bot.render.markdown import to_markdown

        self._allowed(origin, spec)
        request = Request(text=f"{spec.name} (MCP call)", user=self.user, surface=SURFACE, channel=self.transport,
                          thread_id=f"mcp:{self.user}:{uuid.uuid4().hex[:12]}", correlation_id=origin.correlation_id)
        answer = self.rt.guardian.ask(request, tool_call=ToolCall(tool=spec.name, args=args))
        pending = answer.pending_approval
        if pending is None:  # the preflight refused it (unknown target, impossible transition)
            raise ToolFailure("not_proposed", to_markdown(answer).strip(), skill=answer.skill)
        record = self.rt.storage.approvals.get(pending.id)
        return {"approval_id": pending.id, "status": record.status, "action": pending.action,
                "summary": pending.summary, "args": record.args,
                "next": (f"A person decides it: `guardian approvals approve {pending.id}` (or deny), or the "
                         "buttons in chat. Poll approval_status with the approval id.")}

    def _status(self, approval_id: str) -> dict[str, Any]:
        """Only this identity's own approvals: an id it did not request is as unknown as one
        that does not exist."""
        from agents.approvals import ApprovalError

        try:
            record = self.rt.storage.approvals.get(approval_id)
        except ApprovalError:
            record = None
        if record is None or record.requested_by != self.user:
            raise ToolFailure("unknown_approval", f"No approval with id {approval_id!r} requested by {self.user}.",
                              argument="approval_id")
        return {"approval_id": record.id, "status": record.status, "action": record.tool, "skill": record.skill,
                "summary": record.summary, "args": record.args, "requested_by": record.requested_by,
                "decided_by": record.decided_by, "outcome": record.result,
                "created_at": _iso(record.created_at), "decided_at": _iso(record.decided_at),
                "finished_at": _iso(record.finished_at)}


def _iso(moment: datetime | None) -> str | None:
    """UTC ISO 8601 (SQLite hands times back without their zone)."""
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def _parse(tool: str, model: type[BaseModel], args: dict[str, Any]) -> Any:
    try:
        return model.model_validate(args)
    except ValidationError as exc:
        raise argument_error(tool, exc) from None


# --------------------------------------------------------------------------- the MCP server


def build_server(gateway: McpGateway,
                 lifespan: Callable[[Server[Any]], AbstractAsyncContextManager[Any]] | None = None) -> Server[Any]:
    """The SDK's low-level server over the gateway: the tool list is the registry's, so it
    is built per request rather than declared function by function."""

    async def list_tools(_ctx: Any, _params: types.PaginatedRequestParams | None) -> types.ListToolsResult:
        return types.ListToolsResult(tools=gateway.tools())

    async def call_tool(_ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        return await anyio.to_thread.run_sync(gateway.call, params.name, params.arguments)

    kwargs: dict[str, Any] = {"lifespan": lifespan} if lifespan is not None else {}
    return Server(SERVER_NAME, version=_version(), title="Guardian", on_list_tools=list_tools,
                  on_call_tool=call_tool, instructions=INSTRUCTIONS, **kwargs)


INSTRUCTIONS = ("Guardian answers cloud-operations questions from the team's real systems. Read tools run at once; "
                "write tools (start/stop instances, re-run workflows, incident actions) only create an approval "
                "that a person decides: report the approval id to the user and poll approval_status.")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("guardian-angel")
    except PackageNotFoundError:
        return "0"


def run_stdio(rt: Runtime) -> int:
    """``guardian mcp``: serve one client on standard input/output until it closes them.
    Standard output carries only protocol messages; logs go to standard error."""
    from mcp.server.stdio import stdio_server

    server = build_server(McpGateway(rt, "stdio"))

    async def serve() -> None:
        async with stdio_server() as (read_stream, write_stream):
            await server.run(read_stream, write_stream, server.create_initialization_options())

    anyio.run(serve)
    return 0


# --------------------------------------------------------------------------- /mcp on guardian serve


class McpEndpoint:
    """``/mcp``: 404 while ``GUARDIAN_MCP_TOKEN`` is unset (unless GUARDIAN_INSECURE_DEV=1),
    401 for a missing or wrong bearer token (compared in constant time, before the body is
    read), else the SDK's streamable HTTP transport (stateless: any replica answers any call)."""

    def __init__(self, rt: Runtime) -> None:
        from mcp.server.streamable_http_manager import StreamableHTTPSessionManager

        self.rt = rt
        self.manager = StreamableHTTPSessionManager(app=build_server(McpGateway(rt, "http")), stateless=True,
                                                    json_response=True,
                                                    max_request_body_size=rt.settings.http_max_body_bytes)
        self.running = False
        self._stop = asyncio.Event()
        self._holder: asyncio.Task[None] | None = None

    def refusal(self, authorization: str | None) -> tuple[int, str] | None:
        token = self.rt.settings.mcp_token
        if token is None:
            if self.rt.settings.insecure_dev:
                return None
            return 404, "MCP is disabled: set GUARDIAN_MCP_TOKEN"
        scheme, _, given = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(),
                                                                  token.get_secret_value().encode()):
            return 401, "missing or invalid bearer token"
        return None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        from fastapi.responses import JSONResponse

        headers = dict(scope.get("headers") or [])
        authorization = headers.get(b"authorization", b"").decode("latin-1") or None
        refused = self.refusal(authorization)
        if refused is None and not self.running:
            refused = 503, "MCP starts with the app's lifespan (guardian serve); it is not running"
        if refused is not None:
            status, detail = refused
            extra = {"WWW-Authenticate": 'Bearer realm="guardian-mcp"'} if status == 401 else None
            if status == 401:
                log.warning("mcp: refused a request without a valid bearer token")
            await JSONResponse({"detail": detail}, status_code=status, headers=extra)(scope, receive, send)
            return
        await self.manager.handle_request(scope, receive, send)

    async def start(self) -> None:
        """Run the SDK's session manager in a task of its own: its task group must be entered
        and left by one task, and an app's start-up and shut-down may run in two."""
        stop = asyncio.Event()
        ready = asyncio.Event()

        async def hold() -> None:
            async with self.manager.run():
                self.running = True
                ready.set()
                try:
                    await stop.wait()
                finally:
                    self.running = False

        holder = asyncio.create_task(hold(), name="guardian-mcp")
        waiting = asyncio.create_task(ready.wait())
        await asyncio.wait({holder, waiting}, return_when=asyncio.FIRST_COMPLETED)
        waiting.cancel()
        if holder.done():
            holder.result()  # raises whatever kept it from starting
        self._stop, self._holder = stop, holder

    async def stop(self) -> None:
        if self._holder is not None:
            self._stop.set()
            await self._holder
            self._holder = None


def mount_mcp(app: FastAPI, rt: Runtime) -> McpEndpoint:
    """``/mcp`` in the app; its session manager runs with the app's lifespan."""
    endpoint = McpEndpoint(rt)
    app.add_route("/mcp", endpoint)  # type: ignore[arg-type]  # an ASGI app: every method goes to it
    app.router.on_startup.append(endpoint.start)
    app.router.on_shutdown.append(endpoint.stop)
    return endpoint
