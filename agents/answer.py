"""The typed, surface-neutral answer. Each surface renders it its own way (terminal,
Slack Block Kit, Teams cards, HTML); ``contract_dict`` is the `guardian ask --json` shape."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class Table(BaseModel):
    title: str = ""
    columns: list[str]
    rows: list[list[str]]
    total_rows: int = Field(default=0, description="Rows before truncation, for 'N more' notes.")


class Citation(BaseModel):
    source: str
    title: str


class PendingApproval(BaseModel):
    id: str
    action: str
    summary: str


class ToolCall(BaseModel):
    name: str
    args: dict[str, Any] = Field(default_factory=dict)
    ok: bool
    status: str = "ok"


class Answer(BaseModel):
    agent: str
    skill: str
    confidence: float = 1.0
    summary: str = Field(description="Short markdown paragraph(s) a person reads first.")
    tables: list[Table] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list, description="Warnings and errors, one line each.")
    citations: list[Citation] = Field(default_factory=list)
    resources: list[str] = Field(default_factory=list)
    tools: list[ToolCall] = Field(default_factory=list)
    pending_approval: PendingApproval | None = None
    clarify_options: list[str] = Field(default_factory=list, description="Skills offered when unsure.")

    def markdown(self) -> str:
        """The answer as one markdown document (CLI --json and plain-text surfaces)."""
        parts = [self.summary.strip()]
        for table in self.tables:
            parts.append(markdown_table(table))
        parts.extend(f"> {note}" for note in self.notes)
        if self.pending_approval:
            parts.append(
                f"**Approval needed** (`{self.pending_approval.id}`): {self.pending_approval.summary}\n"
                f"Approve with `guardian approvals approve {self.pending_approval.id}` "
                f"or deny with `guardian approvals deny {self.pending_approval.id}`."
            )
        if self.citations:
            cites = "; ".join(f"{c.title} (`{c.source}`)" for c in self.citations)
            parts.append(f"Runbooks: {cites}")
        return "\n\n".join(part for part in parts if part)

    def contract_dict(self) -> dict[str, Any]:
        return {
            "agent": self.agent,
            "skill": self.skill,
            "tools": [{"name": t.name, "args": t.args, "ok": t.ok} for t in self.tools],
            "answer": self.markdown(),
            "citations": [c.model_dump() for c in self.citations],
            "resources": list(self.resources),
            "pending_approval": self.pending_approval.model_dump() if self.pending_approval else None,
        }


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def markdown_table(table: Table) -> str:
    lines = []
    if table.title:
        lines.append(f"**{table.title}**\n")
    lines.append("| " + " | ".join(_cell(c) for c in table.columns) + " |")
    lines.append("|" + "|".join("---" for _ in table.columns) + "|")
    lines.extend("| " + " | ".join(_cell(v) for v in row) + " |" for row in table.rows)
    hidden = table.total_rows - len(table.rows)
    if hidden > 0:
        lines.append(f"\n_…and {hidden} more._")
    return "\n".join(lines)
