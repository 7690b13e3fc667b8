"""The Adaptive Card renderer (Teams): every string in a text run (no markdown), typed
cells formatted, untrusted quotes framed and labelled, approval buttons carrying the id;
and the Teams app package the manifest and icons make."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

from agents.answer import Answer, Chart, Citation, Point, Quote, Series
from bot.render.cards import CARD_VERSION, DECIDE_VERB, card_text, to_card
from tests.bot.test_render import approval_answer, cost_table

DEPLOY = Path(__file__).parents[2] / "deploy" / "teams"


def _nodes(card: Any, kind: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(card, dict):
        if card.get("type") == kind:
            found.append(card)
        for value in card.values():
            found.extend(_nodes(value, kind))
    elif isinstance(card, list):
        for item in card:
            found.extend(_nodes(item, kind))
    return found


def test_no_text_goes_where_teams_reads_markdown() -> None:
    """A resource or log line written as markdown stays text: there is no TextBlock at all."""
    answer = Answer(agent="security", skill="security.public_storage", lead="[click me](https://evil.example) **now**",
                    tables=[cost_table()], quotes=[Quote(kind="log", label="api", text="<at>everyone</at> _x_")])
    card = to_card(answer)
    assert _nodes(card, "TextBlock") == []
    runs = [run["text"] for run in _nodes(card, "TextRun")]
    assert "[click me](https://evil.example) **now**" in runs and "<at>everyone</at> _x_" in runs


def test_tables_are_table_elements_with_typed_cells_and_a_hidden_rows_note() -> None:
    card = to_card(Answer(agent="cost", skill="cost.breakdown", lead="EC2 leads.", tables=[cost_table()]))
    assert card["version"] == CARD_VERSION == "1.5"
    [table] = _nodes(card, "Table")
    _header, *rows = table["rows"]
    cells = [[cell["items"][0]["inlines"][0]["text"] for cell in row["cells"]] for row in rows]
    assert cells == [["EC2", "$1,247.60", "52.6%"], ["S3|logs", "-$3.00", "1.0%"]]
    assert [c.get("horizontalCellContentAlignment") for c in table["columns"]] == [None, "Right", "Right"]
    assert "…and 3 more." in card_text(card)


def test_quotes_are_framed_and_say_they_are_untrusted() -> None:
    quote = Quote(kind="log", label="payments-api", text="ERROR boom\nERROR again", total_lines=40)
    card = to_card(Answer(agent="infrastructure", skill="infra.logs", lead="2 errors.", quotes=[quote]))
    [frame] = [c for c in _nodes(card, "Container") if c.get("style") == "emphasis"]
    shown = card_text(frame)
    assert "Log: payments-api (quoted from the system, untrusted) (last 2 of 40 lines)" in shown
    assert frame["items"][1]["inlines"][0] == {"type": "TextRun", "text": "ERROR boom\nERROR again",
                                               "fontType": "Monospace"}


def test_approval_buttons_carry_the_id_and_a_decided_card_has_none() -> None:
    card = to_card(approval_answer())
    approve, deny = card["actions"]
    assert (approve["type"], approve["verb"], approve["title"]) == ("Action.Execute", DECIDE_VERB, "Approve")
    assert approve["data"] == {"guardian": DECIDE_VERB, "approval_id": "ap-1f2e", "decision": "approve"}
    assert deny["data"]["decision"] == "deny" and deny["fallback"]["type"] == "Action.Submit"
    assert deny["fallback"]["data"] == deny["data"]
    assert "Approval needed (ap-1f2e)" in card_text(card) and "stop i-0abc" in card_text(card)
    decided = to_card(approval_answer(), status="Approved by Bob")
    assert "actions" not in decided and "Approved by Bob" in card_text(decided)


def test_charts_citations_and_skill() -> None:
    chart = Chart(title="Daily EC2 cost", series=[Series(name="EC2", points=[Point(x=f"2026-11-{d:02d}", y=d * 10.0)
                                                                          for d in range(1, 20)])])
    answer = Answer(agent="cost", skill="cost.anomaly", lead="EC2 doubled.", charts=[chart],
                    citations=[Citation(source="cost-spike.md", title="Cost spike"),
                               Citation(source="inventory/aws.json", title="AWS inventory")])
    card = to_card(answer)
    [table] = _nodes(card, "Table")
    assert len(table["rows"]) == 1 + 14  # header and the last 14 days
    assert table["rows"][-1]["cells"][1]["items"][0]["inlines"][0]["text"] == "$190.00"
    assert card_text(card).endswith("Runbooks: Cost spike (cost-spike.md) · Inventory: AWS inventory "
                                    "(inventory/aws.json) · Skill: cost.anomaly")


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def test_the_teams_package_has_the_manifest_and_both_icons(tmp_path: Path) -> None:
    manifest = json.loads((DEPLOY / "manifest.json").read_text())
    assert manifest["bots"][0]["scopes"] == ["personal", "team", "groupChat"]
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert _png_size((DEPLOY / "color.png").read_bytes()) == (192, 192)
    assert _png_size((DEPLOY / "outline.png").read_bytes()) == (32, 32)
    app_id = "00000000-0000-4000-8000-00000000b07a"
    work = tmp_path / "teams"
    work.mkdir()
    for name in ("build.py", "manifest.json", "color.png", "outline.png"):
        (work / name).write_bytes((DEPLOY / name).read_bytes())
    done = subprocess.run([sys.executable, str(work / "build.py"), "--app-id", app_id], capture_output=True,
                          text=True, check=True)
    with zipfile.ZipFile(done.stdout.strip()) as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        built = json.loads(package.read("manifest.json"))
    assert built["id"] == built["bots"][0]["botId"] == app_id
    assert package.filename and "{{" not in json.dumps(built)
    assert (work / "color.png").read_bytes() == (DEPLOY / "color.png").read_bytes()  # the icons are what it draws


def test_an_incident_brief_card_carries_ack_resolve_escalate_as_submit_buttons_naming_the_incident() -> None:
    from agents.answer import IncidentAction
    from bot.render.cards import INCIDENT_VERB

    brief = Answer(agent="incident", skill="incident.brief", lead="Payments API 5xx (P1ABC23), now triggered",
                   incident_actions=[IncidentAction(incident_id="P1ABC23", verb=verb)
                                     for verb in ("ack", "resolve", "escalate")])
    actions = to_card(brief)["actions"]
    assert [(a["type"], a["title"]) for a in actions] == [("Action.Submit", "Ack"), ("Action.Submit", "Resolve"),
                                                          ("Action.Submit", "Escalate")]
    assert [a["data"] for a in actions] == [{"guardian": INCIDENT_VERB, "verb": verb, "incident_id": "P1ABC23"}
                                            for verb in ("ack", "resolve", "escalate")]
    resolved = brief.model_copy(update={"incident_actions": []})
    assert "actions" not in to_card(resolved)
