"""What the CLI prints is masked: knowledge search results (a store filled before redaction,
not through the registry), security scan findings (through the registry), and every
'guardian: ...' error line, which also stays one line without terminal controls."""

from __future__ import annotations

import argparse
import json
from types import SimpleNamespace
from typing import Any

import pytest
from pydantic import BaseModel

from bot import cli, scan_runner
from bot.errors import UserError
from knowledge.store import SearchHit
from tools.aws import AWS
from tools.aws.security import ScanArgs
from tools.base import ToolContext, ToolResult, ToolSpec
from tools.registry import ToolRegistry
from tools.settings import AwsSettings

STRIPE = "sk_live_51HqLyjWDarjtT1zdp7dcXy89"
AKIA = "AKIAZ7Q4W2LMX8RT5NVB"


class FakeKnowledge:
    def search_many(self, queries: list[str], k: int = 5) -> list[list[SearchHit]]:
        hit = SearchHit(source=f"old/{STRIPE}.md", title=f"Rotate \x1b[2J{AKIA}", section="Steps",
                        score=0.9, text=f"psql postgresql://admin:S3cretPass@db/app\npassword: hunter2 {STRIPE}",
                        chunk_id="c1")
        return [[hit] for _ in queries]


@pytest.mark.parametrize("as_json", [True, False])
def test_knowledge_search_output_is_masked(as_json: bool, capsys: pytest.CaptureFixture[str]) -> None:
    args = argparse.Namespace(file=None, query=[f"rotate {STRIPE}"], k=3, json=as_json)
    fake: Any = SimpleNamespace(knowledge=FakeKnowledge())
    assert cli.cmd_knowledge_search(fake, args) == 0
    out = capsys.readouterr().out
    for secret in (STRIPE, AKIA, "S3cretPass", "hunter2", "\x1b"):
        assert secret not in out
    if as_json:
        row = json.loads(out)
        assert row["results"][0]["text"].startswith("psql postgresql://admin:[REDACTED]@db/app")
        assert row["results"][0]["title"] == f"Rotate AKIA…{AKIA[-4:]}"


def test_scan_findings_are_masked(capsys: pytest.CaptureFixture[str]) -> None:
    finding = {"check": "old_access_key", "severity": "medium", "cloud": "aws", "region": "global",
               "resource": "dave", "detail": f"{AKIA} (Active) is 200 days old"}

    def scan(_ctx: ToolContext, _args: BaseModel) -> ToolResult:
        return ToolResult(status="ok", rows=[finding])

    spec = ToolSpec("aws_security_scan", "findings", ScanArgs, "read", (), "aws", scan)
    fake: Any = SimpleNamespace(registry=ToolRegistry([spec]), tool_ctx=ToolContext())
    assert cli.cmd_scan_security(fake, argparse.Namespace(json=True)) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["detail"] == f"AKIA…{AKIA[-4:]} (Active) is 200 days old" and row["resource"] == "dave"


def test_scan_goes_through_the_registry_prerequisites(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scan_runner, "own_toolsets", list)  # AWS alone: no Azure or Google Cloud declared
    fake: Any = SimpleNamespace(registry=ToolRegistry.of(AWS), tool_ctx=ToolContext(aws=AwsSettings(regions=())))
    with pytest.raises(UserError) as caught:
        cli.cmd_scan_security(fake, argparse.Namespace(json=True))
    assert str(caught.value) == ("AWS is not configured: it needs a region to scan (set GUARDIAN_AWS_REGIONS or "
                                 "AWS_DEFAULT_REGION).")


def test_error_lines_are_masked_and_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    cli.fail(f"cannot connect to postgresql://app:S3cretPass@db/app\n\x1b]0;owned\x07with {STRIPE}")
    err = capsys.readouterr().err
    assert err == "guardian: cannot connect to postgresql://app:[REDACTED]@db/app with [REDACTED STRIPE KEY]\n"


def test_main_routes_errors_through_the_mask(capsys: pytest.CaptureFixture[str], tmp_path: Any) -> None:
    from bot.settings import load_settings

    code = cli.main(["knowledge", "ingest", str(tmp_path / f"missing-{STRIPE}.md")],
                    settings_factory=lambda: load_settings(home=tmp_path / "home"))
    err = capsys.readouterr().err
    assert code == 1 and STRIPE not in err and "[REDACTED STRIPE KEY]" in err
