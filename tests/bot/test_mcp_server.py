"""The MCP surface in process, with the SDK's own in-memory client: what is listed, and the
errors a caller gets before anything runs. No sandbox, no model load (arguments are checked
before the graph is built). The end-to-end tests (tests/e2e/test_mcp.py) run the tools."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from pydantic import SecretStr

from bot.mcp_server import McpEndpoint, McpGateway, build_server
from bot.runtime import Runtime
from bot.settings import load_settings


@pytest.fixture
def rt(tmp_path: Path) -> Iterator[Runtime]:
    with Runtime(load_settings(home=tmp_path / "home", mcp_user="agent-7")) as runtime:
        yield runtime


def drive(rt: Runtime, steps: Any) -> Any:
    server = build_server(McpGateway(rt, "test"))

    async def run() -> Any:
        async with Client(server) as client:
            return await steps(client)

    return anyio.run(run)


def test_every_registry_tool_is_listed_with_its_arguments_schema(rt: Runtime) -> None:
    async def steps(client: Client) -> Any:
        return (await client.list_tools()).tools

    tools = {tool.name: tool for tool in drive(rt, steps)}
    assert set(tools) == {spec.name for spec in rt.registry.all()} | {"ask", "search_runbooks", "approval_status"}
    for spec in rt.registry.all():
        assert tools[spec.name].input_schema == spec.args_model.model_json_schema(), spec.name
        assert tools[spec.name].annotations.read_only_hint is (not spec.mutating), spec.name
    assert tools["ask"].input_schema["required"] == ["question"]
    assert tools["approval_status"].input_schema["required"] == ["approval_id"]


def test_bad_arguments_are_typed_errors_naming_the_argument_and_are_audited(rt: Runtime) -> None:
    async def steps(client: Client) -> Any:
        return [await client.call_tool("aws_ec2_instance_action", {"instance_id": "", "action": "stop"}),
                await client.call_tool("ask", {"question": 42}),
                await client.call_tool("search_runbooks", {"query": "disk full", "k": 99}),
                await client.call_tool("approval_status", {})]

    results = drive(rt, steps)
    errors = [result.structured_content["error"] for result in results]
    assert all(result.is_error for result in results)
    assert [(e["type"], e["argument"]) for e in errors] == [
        ("invalid_argument", "instance_id"), ("invalid_argument", "question"), ("invalid_argument", "k"),
        ("invalid_argument", "approval_id")]
    assert errors[3]["message"] == "approval_status: invalid argument approval_id: Field required"
    assert rt.storage.approvals.list(statuses=None) == ([], 0)  # the write was never proposed
    audited = [(r["tool"], r["user"], r["surface"], r["channel"]) for r in rt.storage.audit.query(event="mcp.call")]
    assert audited == [("aws_ec2_instance_action", "agent-7", "mcp", "test"), ("ask", "agent-7", "mcp", "test"),
                       ("search_runbooks", "agent-7", "mcp", "test"), ("approval_status", "agent-7", "mcp", "test")]


def test_an_unknown_tool_is_a_protocol_error(rt: Runtime) -> None:
    async def steps(client: Client) -> Any:
        with pytest.raises(MCPError) as raised:
            await client.call_tool("rm_rf", {})
        return raised.value

    error = drive(rt, steps)
    assert error.code == -32602 and error.message.startswith("Unknown tool 'rm_rf'")


@pytest.mark.parametrize(("token", "insecure", "authorization", "status"), [
    (None, False, "Bearer anything", 404),
    ("t0ken", False, None, 401),
    ("t0ken", False, "Bearer wrong", 401),
    ("t0ken", False, "Basic t0ken", 401),
    ("t0ken", False, "Bearer t0ken", 503),  # authenticated; not running outside the app's lifespan
    (None, True, None, 503),  # GUARDIAN_INSECURE_DEV opens it without a token (the sandbox)
], ids=["off", "missing", "wrong", "not-bearer", "good", "insecure-dev"])
def test_the_endpoint_checks_the_token_before_anything(tmp_path: Path, token: str | None, insecure: bool,
                                                       authorization: str | None, status: int) -> None:
    settings = load_settings(home=tmp_path / "home", insecure_dev=insecure,
                             mcp_token=SecretStr(token) if token else None)
    with Runtime(settings) as runtime:
        endpoint = McpEndpoint(runtime)

        async def post() -> httpx.Response:
            transport = httpx.ASGITransport(app=endpoint)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                headers = {"Authorization": authorization} if authorization else {}
                return await client.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                                         headers=headers)

        answer = anyio.run(post)
    assert answer.status_code == status
    assert ("www-authenticate" in answer.headers) is (status == 401)
