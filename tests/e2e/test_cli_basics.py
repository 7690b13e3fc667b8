"""The CLI as a user runs it: contract shapes, exit codes and one-line errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.conftest import Cli, base_env

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture(scope="module")
def offline_cli(tmp_path_factory: pytest.TempPathFactory, warm_home: Callable[[Path], Path]) -> Cli:
    """No cloud at all: route and knowledge must not need one."""
    return Cli(base_env(warm_home(tmp_path_factory.mktemp("offline-home"))))


def test_route_file_gives_one_line_per_request(offline_cli: Cli, tmp_path: Path) -> None:
    requests = tmp_path / "requests.txt"
    requests.write_text("what did we spend on ec2 last week\n\nis s3 bucket logs public\nwho is on call for payments\n")
    result = offline_cli("route", "--json", "--file", str(requests))
    assert result.returncode == 0, result.stderr
    assert [line["skill"] for line in result.json_lines] == [
        "cost.summary", "security.public_storage", "incident.oncall"]
    first = result.json_lines[0]
    assert set(first) == {"text", "agent", "skill", "confidence", "slots", "mood"}  # the contract's keys + mood
    assert first["agent"] == "cost" and 0 <= first["confidence"] <= 1
    assert first["slots"]["time_range"]["label"] == "last week"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("route", "--json", "--file", "/no/such/file.txt"), 1, "No such file"),
        (("ask", "--json"), 1, "Ask something"),
        (("knowledge", "ingest", "/no/such/dir"), 1, "No such file or directory"),
        (("approvals", "approve", "ap-0000000000"), 1, "No approval with id"),
        (("frobnicate",), 2, "invalid choice"),
        (("knowledge", "search", "-k", "many", "x"), 2, "invalid int value"),
    ],
)
def test_user_errors_are_one_line_without_traceback(offline_cli: Cli, args: tuple[str, ...], code: int,
                                                   message: str) -> None:
    result = offline_cli(*args)
    assert result.returncode == code
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    if code == 1:
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_knowledge_ingest_is_idempotent_and_search_cites_relative_sources(offline_cli: Cli, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "team").mkdir(parents=True)
    (docs / "team" / "kafka-lag.md").write_text(
        "# Kafka consumer lag\n\n## Check\nRun kafka-consumer-groups --describe and compare offsets.\n")
    first = offline_cli("knowledge", "ingest", "--json", str(docs))
    assert first.returncode == 0, first.stderr
    assert first.last["chunks_added"] >= 1
    again = offline_cli("knowledge", "ingest", "--json", str(docs))
    assert again.last["chunks_added"] == 0 and again.last["files_unchanged"] == 1
    found = offline_cli("knowledge", "search", "--json", "-k", "2", "consumer group is lagging behind")
    hit = found.last["results"][0]
    assert hit["source"] == "team/kafka-lag.md"
    assert hit["title"] == "Kafka consumer lag"
    assert {"source", "title", "score", "text"} <= set(hit)


def test_help_answers_in_the_contract_shape(offline_cli: Cli) -> None:
    result = offline_cli("ask", "--json", "what can you do?")
    assert result.returncode == 0, result.stderr
    answer = result.last
    assert set(answer) >= {"agent", "skill", "tools", "answer", "citations", "resources", "pending_approval"}
    assert answer["skill"] == "help"
    assert "cost.summary" in answer["answer"] and "infra.action" in answer["answer"]
