"""Guardian as an MCP server, driven by the MCP SDK's own client: `guardian mcp` spawned as a
subprocess on stdio against the sandbox, and `/mcp` (streamable HTTP) on the app served on
loopback. Figures and ids come from the seeded company (sandbox/company.py)."""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp.shared.exceptions import MCPError
from pydantic import SecretStr

from sandbox.company import DRIFTWOOD
from tests.conftest import sandbox_environment
from tests.e2e.conftest import GUARDIAN, Cli, base_env
from tests.helpers import contract_policy

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

POLICY = contract_policy("bob", "agent")
OWN_TOOLS = {"ask", "search_runbooks", "approval_status"}


@pytest.fixture(scope="module")
def mcp_home(tmp_path_factory: pytest.TempPathFactory, warm_home: Callable[[Path], Path]) -> Path:
    home = warm_home(tmp_path_factory.mktemp("mcp") / "home")
    (home.parent / "policy.yaml").write_text(POLICY)
    return home


def env_for(sandbox: Any, home: Path, user: str) -> dict[str, str]:
    return {**base_env(home), **sandbox.env, "GUARDIAN_POLICY": str(home.parent / "policy.yaml"),
            "GUARDIAN_MCP_USER": user}


@asynccontextmanager
async def stdio_session(env: dict[str, str]) -> AsyncIterator[ClientSession]:
    params = StdioServerParameters(command=str(GUARDIAN), args=["mcp"], env=env)
    async with stdio_client(params, errlog=sys.stderr) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        yield session


def structured(result: Any) -> dict[str, Any]:
    """The call's structured content, checked against its text twin."""
    assert json.loads(result.content[0].text) == result.structured_content
    data: dict[str, Any] = result.structured_content
    return data


def instance_state(sandbox: Any, name: str) -> str:
    instance = DRIFTWOOD.instance(name)
    ec2 = sandbox.boto_session().client("ec2", region_name=instance.region)
    found = ec2.describe_instances(InstanceIds=[sandbox.ids.instances[name]])
    return str(found["Reservations"][0]["Instances"][0]["State"]["Name"])


def audit_records(sandbox: Any, home: Path, user: str) -> list[dict[str, Any]]:
    result = Cli(env_for(sandbox, home, user))("audit", "--json", "--user", user)
    assert result.returncode == 0, result.stderr
    return result.json_lines


# --------------------------------------------------------------------------- stdio


def test_stdio_lists_the_registry_and_runs_read_tools_with_typed_errors(sandbox: Any, mcp_home: Path) -> None:
    from bot.runtime import Runtime
    from bot.settings import load_settings
    from tools.aws.inventory import InventoryArgs

    with Runtime(load_settings(home=mcp_home.parent / "listing")) as rt:
        registry = {spec.name: spec for spec in rt.registry.all()}
    seen: dict[str, Any] = {}

    async def drive() -> None:
        async with stdio_session(env_for(sandbox, mcp_home, "agent")) as session:
            listed = {tool.name: tool for tool in (await session.list_tools()).tools}
            seen["listed"] = listed
            seen["inventory"] = structured(await session.call_tool("aws_inventory", {"resource_type": "ec2"}))
            seen["describe"] = structured(await session.call_tool("aws_describe_resource",
                                                                  {"resource_id": "search-indexer-1"}))
            seen["bad_enum"] = await session.call_tool("aws_inventory", {"resource_type": "spaceship"})
            seen["missing"] = await session.call_tool("aws_describe_resource", {})
            seen["bad_write"] = await session.call_tool("aws_ec2_instance_action",
                                                        {"instance_id": "search-indexer-1", "action": "explode"})
            with pytest.raises(MCPError) as unknown:
                await session.call_tool("aws_delete_everything", {})
            seen["unknown"] = unknown.value

    anyio.run(drive)
    listed = seen["listed"]
    assert set(listed) == set(registry) | OWN_TOOLS
    assert listed["aws_inventory"].input_schema == InventoryArgs.model_json_schema()
    assert listed["aws_inventory"].annotations.read_only_hint is True
    writes = {name for name, spec in registry.items() if spec.mutating}
    assert writes == {"aws_ec2_instance_action", "azure_vm_action", "github_rerun_workflow", "pagerduty_ack_incident",
                      "pagerduty_resolve_incident", "pagerduty_page"}
    for name in writes:
        assert listed[name].annotations.read_only_hint is False
        assert "creates an approval" in (listed[name].description or "")

    inventory = seen["inventory"]
    assert inventory["status"] == "ok" and inventory["facts"]["total"] == len(DRIFTWOOD.instances)
    assert {row["name"]: row["id"] for row in inventory["rows"]} == {
        instance.name: sandbox.ids.instances[instance.name] for instance in DRIFTWOOD.instances}
    assert {row["name"] for row in inventory["rows"] if row["state"] == "stopped"} == {
        instance.name for instance in DRIFTWOOD.stopped_instances()}
    assert sandbox.ids.instances["search-indexer-1"] in seen["describe"]["resources"]

    for key, argument in (("bad_enum", "resource_type"), ("missing", "resource_id"), ("bad_write", "action")):
        result = seen[key]
        assert result.is_error, key
        error = structured(result)["error"]
        assert error["type"] == "invalid_argument" and error["argument"] == argument, error
        assert f"invalid argument {argument}" in error["message"]
    assert "Unknown tool 'aws_delete_everything'" in seen["unknown"].message

    calls = [r for r in audit_records(sandbox, mcp_home, "agent") if r["event"] == "mcp.call"]
    assert calls and {r["surface"] for r in calls} == {"mcp"} and {r["channel"] for r in calls} == {"stdio"}
    outcomes = {(r["tool"], r["outcome"].split(":")[0]) for r in calls}
    assert {("aws_inventory", "ok"), ("aws_inventory", "invalid_argument"), ("aws_describe_resource", "ok"),
            ("aws_ec2_instance_action", "invalid_argument")} <= outcomes


def test_stdio_search_runbooks_and_ask_run_the_whole_graph(sandbox: Any, mcp_home: Path) -> None:
    seen: dict[str, Any] = {}

    async def drive() -> None:
        async with stdio_session(env_for(sandbox, mcp_home, "agent")) as session:
            seen["search"] = structured(await session.call_tool("search_runbooks",
                                                                {"query": "s3 bucket is public", "k": 2}))
            seen["ask"] = structured(await session.call_tool("ask", {"question": "which instances are stopped?"}))

    anyio.run(drive)
    search = seen["search"]
    assert search["query"] == "s3 bucket is public" and len(search["results"]) == 2
    assert search["results"][0]["source"] == "s3-bucket-public.md"
    answer = seen["ask"]
    assert answer["skill"] == "infra.inventory" and answer["pending_approval"] is None
    assert [tool["name"] for tool in answer["tools"]] == ["aws_inventory"]
    stopped = DRIFTWOOD.stopped_instances()
    assert answer["answer"].startswith(f"{len(stopped)} of {len(DRIFTWOOD.instances)} instances is stopped: "
                                       f"{stopped[0].name} ({sandbox.ids.instances[stopped[0].name]})")
    turn = [r for r in audit_records(sandbox, mcp_home, "agent") if r["event"] in ("request", "answer")]
    assert turn and {r["surface"] for r in turn} == {"mcp"}


def test_a_write_through_mcp_waits_for_a_person_then_runs_once(sandbox: Any, mcp_home: Path,
                                                               company_as_seeded: None) -> None:
    name = "search-indexer-1"
    instance_id = sandbox.ids.instances[name]
    cli = Cli(env_for(sandbox, mcp_home, "agent"))
    seen: dict[str, Any] = {}

    async def drive() -> None:
        async with stdio_session(env_for(sandbox, mcp_home, "agent")) as session:
            proposed = structured(await session.call_tool("aws_ec2_instance_action",
                                                          {"instance_id": name, "action": "stop"}))
            seen["proposed"] = proposed
            seen["state_while_pending"] = instance_state(sandbox, name)
            seen["pending"] = structured(await session.call_tool("approval_status",
                                                                 {"approval_id": proposed["approval_id"]}))
            seen["self_approve"] = await anyio.to_thread.run_sync(
                lambda: cli("approvals", "approve", proposed["approval_id"], "--user", "agent"))
            seen["approve"] = await anyio.to_thread.run_sync(
                lambda: cli("approvals", "approve", proposed["approval_id"], "--user", "bob", "--json"))
            seen["done"] = structured(await session.call_tool("approval_status",
                                                              {"approval_id": proposed["approval_id"]}))
            seen["stranger"] = await session.call_tool("approval_status", {"approval_id": "ap-0000000000"})

    anyio.run(drive)
    proposed = seen["proposed"]
    assert proposed["status"] == "pending" and proposed["action"] == "aws_ec2_instance_action"
    assert proposed["summary"].startswith(f"stop {instance_id} ({name}, running, us-east-1)")
    assert proposed["args"] == {"instance_id": instance_id, "action": "stop", "region": "us-east-1"}
    assert seen["state_while_pending"] == "running"
    assert seen["pending"]["status"] == "pending" and seen["pending"]["requested_by"] == "agent"
    refused = seen["self_approve"]
    assert refused.returncode == 1 and "requester_may_approve" in refused.stderr
    assert seen["approve"].returncode == 0, seen["approve"].stderr
    done = seen["done"]
    assert done["status"] == "executed" and done["decided_by"] == "bob"
    assert instance_id in done["outcome"]
    assert instance_state(sandbox, name) == "stopped"
    assert seen["stranger"].is_error and structured(seen["stranger"])["error"]["type"] == "unknown_approval"
    events = [(r["event"], r["surface"]) for r in audit_records(sandbox, mcp_home, "agent")
              if r["approval_id"] == proposed["approval_id"]]
    assert ("approval.requested", "mcp") in events


def test_a_user_the_policy_refuses_gets_a_refusal_and_nothing_is_created(sandbox: Any, mcp_home: Path,
                                                                         company_as_seeded: None) -> None:
    cli = Cli(env_for(sandbox, mcp_home, "viewer"))
    before = {row["id"] for row in cli("approvals", "list", "--all", "--json").json_lines}
    seen: dict[str, Any] = {}

    async def drive() -> None:
        async with stdio_session(env_for(sandbox, mcp_home, "viewer")) as session:
            seen["write"] = await session.call_tool("aws_ec2_instance_action",
                                                    {"instance_id": "search-indexer-1", "action": "stop"})
            seen["ask"] = structured(await session.call_tool("ask", {"question": "stop search-indexer-1"}))
            seen["read"] = structured(await session.call_tool("aws_inventory", {"resource_type": "ec2"}))

    anyio.run(drive)
    assert seen["write"].is_error
    error = structured(seen["write"])["error"]
    assert error["type"] == "refused" and error["skill"] == "infra.action"
    assert "viewer may not use infra.action" in error["message"] and "role oncall would" in error["message"]
    assert seen["ask"]["skill"] == "infra.action" and seen["ask"]["pending_approval"] is None
    assert seen["read"]["facts"]["total"] == len(DRIFTWOOD.instances)  # the reader role still reads
    after = {row["id"] for row in cli("approvals", "list", "--all", "--json").json_lines}
    assert after == before
    assert instance_state(sandbox, "search-indexer-1") == "running"
    refusals = [r for r in audit_records(sandbox, mcp_home, "viewer")
                if r["event"] == "policy.ask" and r["outcome"].startswith("refused")]
    assert len(refusals) == 2 and {r["surface"] for r in refusals} == {"mcp"}


# --------------------------------------------------------------------------- streamable HTTP


TOKEN = "mcp-test-token-4f1c"


@pytest.fixture
def http_app(sandbox: Any, mcp_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., str]]:
    """``serve(token=...)``: the app on a loopback port with its lifespan (as under `guardian
    serve`), pointed at the sandbox; returns its base URL."""
    from bot.http_app import BackgroundServer
    from bot.runtime import Runtime
    from bot.settings import load_settings

    sandbox_environment(monkeypatch, sandbox)
    opened: list[tuple[Runtime, BackgroundServer]] = []

    def serve(token: str | None) -> str:
        settings = load_settings(home=mcp_home, insecure_dev=False, scheduler=False, mcp_user="http-agent",
                                 policy=mcp_home.parent / "policy.yaml",
                                 mcp_token=SecretStr(token) if token else None)
        rt = Runtime(settings)
        server = BackgroundServer(rt, lifespan="on")
        opened.append((rt, server))
        return server.start()

    yield serve
    for rt, server in opened:
        server.stop()
        rt.close()


def test_http_with_the_token_lists_and_calls_tools(sandbox: Any, http_app: Callable[..., str]) -> None:
    url = http_app(TOKEN) + "/mcp"
    seen: dict[str, Any] = {}

    async def drive() -> None:
        client = create_mcp_http_client(headers={"Authorization": f"Bearer {TOKEN}"})
        async with client, streamable_http_client(url, http_client=client) as (read, write), \
                ClientSession(read, write) as session:
            await session.initialize()
            seen["names"] = {tool.name for tool in (await session.list_tools()).tools}
            seen["inventory"] = structured(await session.call_tool(
                "aws_inventory", {"resource_type": "ec2", "region": "eu-west-1"}))
            seen["bad"] = await session.call_tool("aws_inventory", {"limit": 0})

    anyio.run(drive)
    assert {"aws_inventory", "aws_ec2_instance_action", *OWN_TOOLS} <= seen["names"]
    eu = {i.name: sandbox.ids.instances[i.name] for i in DRIFTWOOD.instances if i.region == "eu-west-1"}
    assert {row["name"]: row["id"] for row in seen["inventory"]["rows"]} == eu
    assert seen["bad"].is_error and structured(seen["bad"])["error"]["argument"] == "limit"


def test_http_refuses_a_wrong_or_missing_token_with_401(http_app: Callable[..., str],
                                                         caplog: pytest.LogCaptureFixture) -> None:
    url = http_app(TOKEN) + "/mcp"
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    headers = {"Accept": "application/json, text/event-stream"}
    wrong = httpx.post(url, json=body, headers={**headers, "Authorization": "Bearer not-the-token"})
    missing = httpx.post(url, json=body, headers=headers)
    assert (wrong.status_code, missing.status_code) == (401, 401)
    assert wrong.headers["www-authenticate"].startswith("Bearer")
    assert TOKEN not in wrong.text

    async def drive() -> None:
        client = create_mcp_http_client(headers={"Authorization": "Bearer not-the-token"})
        async with client, streamable_http_client(url, http_client=client) as (read, write), \
                ClientSession(read, write) as session:
            with anyio.fail_after(30):
                await session.initialize()

    with pytest.raises(BaseExceptionGroup) as refused:  # the SDK's client gets no session
        anyio.run(drive)
    assert refused.value.subgroup(lambda exc: isinstance(exc, MCPError)) is not None
    turned_away = [r for r in caplog.records if r.getMessage() == "mcp: refused a request without a valid bearer token"]
    assert len(turned_away) == 3  # the two posts above and the SDK client's first request


def test_http_without_a_token_configured_is_off(http_app: Callable[..., str]) -> None:
    url = http_app(None) + "/mcp"
    answer = httpx.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                        headers={"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"})
    assert answer.status_code == 404
    assert answer.json() == {"detail": "MCP is disabled: set GUARDIAN_MCP_TOKEN"}
