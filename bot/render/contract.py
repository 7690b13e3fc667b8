"""The `guardian ask --json` / `/api/chat` shape (docs CONTRACT.md): its `answer` field is
the markdown renderer's output; everything else comes from the typed answer as it is."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agents.answer import Answer, ApprovalAction
from bot.render.markdown import cli_decision, to_markdown


def contract_dict(answer: Answer, decision: Callable[[ApprovalAction], str] = cli_decision) -> dict[str, Any]:
    return {
        "agent": answer.agent,
        "skill": answer.skill,
        "tools": [{"name": t.name, "args": t.args, "ok": t.ok} for t in answer.tools],
        "answer": to_markdown(answer, decision),
        "citations": [c.model_dump() for c in answer.citations],
        "resources": list(answer.resources),
        "pending_approval": answer.pending_approval.model_dump() if answer.pending_approval else None,
    }
