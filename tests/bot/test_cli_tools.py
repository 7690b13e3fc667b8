"""`guardian tools --json`: every tool, and for those the settings leave unavailable, the
registry's reason, naming the variable to set."""

from __future__ import annotations

import argparse
import json
from types import SimpleNamespace
from typing import Any

import pytest
from pydantic import SecretStr

from bot import cli
from bot.runtime import github_settings, pagerduty_settings
from bot.settings import Settings
from tools.base import ToolContext
from tools.github import GITHUB
from tools.pagerduty import PAGERDUTY
from tools.registry import ToolRegistry


def listing(ctx: ToolContext, capsys: pytest.CaptureFixture[str]) -> dict[str, dict[str, Any]]:
    fake: Any = SimpleNamespace(registry=ToolRegistry.of(GITHUB, PAGERDUTY), tool_ctx=ctx)
    assert cli.cmd_tools(fake, argparse.Namespace(json=True)) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    return {row["name"]: row for row in rows}


def test_tools_say_which_are_unavailable_and_why(capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings(GITHUB_TOKEN="ghp_example", github_org="driftwood",  # type: ignore[call-arg]
                        PAGERDUTY_API_KEY="pd-key")
    ctx = ToolContext(github=github_settings(settings), pagerduty=pagerduty_settings(settings))
    rows = listing(ctx, capsys)
    assert rows["github_workflow_runs"] == {"name": "github_workflow_runs", "integration": "github", "mode": "read",
                                            "skills": ["cicd.status"], "available": True, "why": None}
    assert rows["pagerduty_oncall"]["available"] is True
    writes = {name: row["why"] for name, row in rows.items() if not row["available"]}
    assert set(writes) == {"pagerduty_ack_incident", "pagerduty_resolve_incident", "pagerduty_page"}
    assert all("GUARDIAN_PAGERDUTY_FROM_EMAIL" in why for why in writes.values())


def test_runtime_keeps_secrets_secret_in_the_toolset_settings() -> None:
    settings = Settings(GITHUB_TOKEN="ghp_example", PAGERDUTY_API_KEY="pd-key")  # type: ignore[call-arg]
    github, pagerduty = github_settings(settings), pagerduty_settings(settings)
    assert isinstance(github.token, SecretStr) and github.token.get_secret_value() == "ghp_example"
    assert isinstance(pagerduty.api_key, SecretStr) and "pd-key" not in repr(pagerduty)
    assert pagerduty.verify is True and github.repos == ()
