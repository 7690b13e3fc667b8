"""Block Kit from the typed answer: untrusted text cannot mention, notify or link anyone,
tables come largest first, the approval's buttons carry its id, and limits hold."""

from __future__ import annotations

import json

from agents.answer import Answer, ApprovalAction, Cell, Citation, Column, PendingApproval, Quote, Table
from bot.render.blocks import APPROVE_ACTION, DENY_ACTION, SECTION_LIMIT, answer_blocks, decided_blocks, table_text


def _all_text(blocks: list[dict[str, object]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def test_untrusted_text_cannot_mention_or_broadcast() -> None:
    answer = Answer(agent="infra", skill="infra.logs", lead="Errors in <!channel> & more",
                    quotes=[Quote(kind="log", label="checkout-api", text="ERROR <!here> ping <@U0BOSS> ```x```")])
    shown = _all_text(answer_blocks(answer))
    assert "<!channel>" not in shown and "<!here>" not in shown and "<@U0BOSS>" not in shown
    assert "&lt;!here&gt;" in shown and "&amp; more" in shown
    [quote] = [b for b in answer_blocks(answer) if "checkout-api" in str(b.get("text"))]  # type: ignore[index]
    body = quote["text"]["text"]  # type: ignore[index]
    assert "untrusted" in body and body.count("```") == 2  # the log cannot close its block early


def test_tables_come_largest_first_unless_the_answer_chose_an_order() -> None:
    columns = [Column(key="service", label="Service"), Column(key="cost", label="Cost", kind="money")]
    rows = [[Cell(value="S3"), Cell(kind="money", value=12.5, unit="USD")],
            [Cell(value="EC2"), Cell(kind="money", value=900.0, unit="USD")],
            [Cell(value="RDS"), Cell(kind="money", value=130.0, unit="USD")]]
    lines = table_text(Table(columns=columns, rows=rows)).splitlines()
    assert [line.split()[0] for line in lines[1:]] == ["EC2", "RDS", "S3"]
    assert lines[1].endswith("$900.00")
    chosen = table_text(Table(columns=columns, rows=rows, sorted_by="service")).splitlines()
    assert [line.split()[0] for line in chosen[1:]] == ["S3", "EC2", "RDS"]


def test_the_approval_buttons_carry_its_id_and_come_last() -> None:
    answer = Answer(agent="infra", skill="infra.action", lead="Stop i-1?",
                    citations=[Citation(source="ec2-stop.md", title="Stopping instances")],
                    pending_approval=PendingApproval(id="ap-123", action="stop", summary="stop i-1 (web-1)"),
                    actions=[ApprovalAction(approval_id="ap-123", decision="approve"),
                             ApprovalAction(approval_id="ap-123", decision="deny")])
    blocks = answer_blocks(answer)
    assert blocks[-1]["type"] == "actions"
    assert [(e["action_id"], e["value"]) for e in blocks[-1]["elements"]] == [  # type: ignore[index]
        (APPROVE_ACTION, "ap-123"), (DENY_ACTION, "ap-123")]
    context = next(b for b in blocks if b["type"] == "context")
    assert "infra.action" in _all_text([context]) and "Stopping instances" in _all_text([context])
    after = decided_blocks(blocks, "Approved ap-123 by", "U0BOB")
    assert not any(b["type"] == "actions" for b in after) and after[-1]["text"]["text"].endswith("(<@U0BOB>)")  # type: ignore[index]


def test_limits_hold_for_huge_answers() -> None:
    answer = Answer(agent="x", skill="help", lead="x" * 10_000, paragraphs=["p"] * 80,
                    pending_approval=PendingApproval(id="ap-9", action="stop", summary="s"))
    blocks = answer_blocks(answer)
    assert len(blocks) <= 50 and blocks[-1]["type"] == "actions"
    assert all(len(b["text"]["text"]) <= SECTION_LIMIT for b in blocks if "text" in b)  # type: ignore[index]


def test_follow_up_questions_become_one_menu_per_table_and_leave_the_monospace_text() -> None:
    from agents.answer import Answer, Cell, Column, Table
    from bot.render.blocks import FOLLOWUP_ACTION, answer_blocks

    too_long = "why " + "x" * 200
    table = Table(title="Top cost movers", columns=[
        Column(key="service", label="service"), Column(key="change", label="change", kind="money"),
        Column(key="ask", label="ask", kind="question")], rows=[
        [Cell(value="EC2"), Cell(kind="money", value=12.5), Cell(kind="question", value="why did ec2 cost change")],
        [Cell(value="S3"), Cell(kind="money", value=40.0), Cell(kind="question", value="why did s3 cost change")],
        [Cell(value="RDS"), Cell(kind="money", value=1.0), Cell(kind="question", value=too_long)]])
    blocks = answer_blocks(Answer(agent="proactive", skill="proactive.digest", lead="Digest.", tables=[table]))
    [menu] = [e for b in blocks if b["type"] == "actions" for e in b["elements"] if e["action_id"] == FOLLOWUP_ACTION]
    # in the table's order (largest change first), without the one Slack could not carry as a value
    assert [o["value"] for o in menu["options"]] == ["why did s3 cost change", "why did ec2 cost change"]
    assert menu["placeholder"]["text"] == "Ask about top cost movers…"
    text = json.dumps(blocks)
    assert "ask: " not in text and "$40.00" in text


def test_a_table_without_questions_has_no_menu() -> None:
    from agents.answer import Answer, Cell, Column, Table
    from bot.render.blocks import answer_blocks

    table = Table(columns=[Column(key="id", label="id", kind="id")], rows=[[Cell(kind="id", value="i-1")]])
    blocks = answer_blocks(Answer(agent="infra", skill="infra.inventory", lead="One.", tables=[table]))
    assert not [b for b in blocks if b["type"] == "actions"]
