"""The typed, surface-neutral answer. It carries facts, not markup: every surface (the
terminal, the `--json` contract's markdown, later Block Kit, Adaptive Cards and HTML)
renders the same ``Answer`` its own way in ``bot/render``. Text fields are plain sentences;
text that systems or people wrote travels only in ``quotes``, marked with its kind."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

# "question": a follow-up a person can ask with one click (a digest line's "ask: ..."); surfaces
# that can offer it as a button or menu do, the others show it as text.
CellKind = Literal["text", "number", "money", "percent", "time", "id", "status", "question"]
QuoteKind = Literal["log", "runbook", "alert", "note"]
Decision = Literal["approve", "deny"]


class Cell(BaseModel):
    """One typed value: a renderer formats money, percentages and times its own way."""

    kind: CellKind = "text"
    value: str | int | float | bool | None = None
    unit: str = Field(default="", description="Currency code for money (USD), else empty.")


class Column(BaseModel):
    key: str
    label: str
    kind: CellKind = "text"


class Table(BaseModel):
    title: str = ""
    columns: list[Column]
    rows: list[list[Cell]]
    total_rows: int = Field(default=0, description="Rows before truncation, for 'N more' notes.")
    sorted_by: str = Field(default="", description="Column key the rows are ordered by; empty: source order.")

    def column(self, key: str) -> list[Cell]:
        """The cells of one column, top to bottom (what tests and renderers read)."""
        index = [column.key for column in self.columns].index(key)
        return [row[index] for row in self.rows]


class Quote(BaseModel):
    """Untrusted text (a log tail, a runbook section, an alert body, a note): shown to the
    person as a quote, never followed as instructions. Already redacted and trimmed."""

    kind: QuoteKind
    label: str
    text: str
    source: str = ""
    total_lines: int = Field(default=0, description="Lines before trimming to the last ones shown.")


class Point(BaseModel):
    x: str
    y: float


class Series(BaseModel):
    name: str
    points: list[Point]


class Chart(BaseModel):
    """A chart as data: a renderer draws it (or prints it as a small table)."""

    title: str
    kind: Literal["line", "bar"] = "line"
    x_kind: CellKind = "time"
    y_kind: CellKind = "money"
    unit: str = ""
    series: list[Series]


class Citation(BaseModel):
    source: str
    title: str


class PendingApproval(BaseModel):
    id: str
    action: str
    summary: str


class ApprovalAction(BaseModel):
    """A decision a person may take on a pending approval; each surface words it (a CLI
    command, a button, a card action)."""

    approval_id: str
    decision: Decision


IncidentVerb = Literal["ack", "resolve", "escalate"]


class IncidentAction(BaseModel):
    """A button on an incident brief. Clicking it asks Guardian, as the clicker, to
    acknowledge, resolve or escalate the incident: the access policy and an approval apply
    as to any request (agents/incident_brief.py, bot/incidents.py)."""

    incident_id: str
    verb: IncidentVerb


class Choice(BaseModel):
    """A skill offered when the router was unsure."""

    skill: str
    label: str


class ToolCall(BaseModel):
    name: str
    args: dict[str, Any] = Field(default_factory=dict)
    ok: bool
    status: str = "ok"


class Answer(BaseModel):
    agent: str
    skill: str
    confidence: float = 1.0
    lead: str = Field(default="", description="The one sentence a person reads first: the fact asked for.")
    paragraphs: list[str] = Field(default_factory=list, description="Plain sentences after the lead.")
    tables: list[Table] = Field(default_factory=list)
    quotes: list[Quote] = Field(default_factory=list)
    charts: list[Chart] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list, description="Warnings and errors, one line each.")
    citations: list[Citation] = Field(default_factory=list)
    resources: list[str] = Field(default_factory=list, description="Ids the answer names.")
    tools: list[ToolCall] = Field(default_factory=list)
    pending_approval: PendingApproval | None = None
    actions: list[ApprovalAction] = Field(default_factory=list)
    choices: list[Choice] = Field(default_factory=list, description="Skills offered when unsure.")
    incident_actions: list[IncidentAction] = Field(default_factory=list, description="Ack/Resolve/Escalate "
                                                   "buttons of an incident brief.")

    @property
    def clarify_options(self) -> list[str]:
        return [choice.skill for choice in self.choices]

    def sentences(self) -> list[str]:
        """The answer's own prose (lead, paragraphs, notes): what it says, without data."""
        return [text for text in (self.lead, *self.paragraphs, *self.notes) if text]

    def row_ids(self) -> list[str]:
        """The ids the answer's table rows show, top to bottom: per row, the first cell that
        holds one of its resources (a row naming none counts for nothing)."""
        named = set(self.resources)
        rows: list[str] = []
        for table in self.tables:
            for row in table.rows:
                found = next((str(cell.value) for cell in row if str(cell.value) in named), None)
                if found is not None and found not in rows:
                    rows.append(found)
        return rows

    def shown_text(self) -> str:
        """Every string a person sees, whatever the surface: for checks such as "does the
        answer name this id" that must not depend on one renderer's markup."""
        parts = self.sentences()
        for table in self.tables:
            parts.append(table.title)
            parts.extend(str(cell.value) for row in table.rows for cell in row if cell.value is not None)
        parts.extend(f"{quote.label}\n{quote.text}" for quote in self.quotes)
        if self.pending_approval:
            parts.extend([self.pending_approval.id, self.pending_approval.summary])
        return "\n".join(parts)
