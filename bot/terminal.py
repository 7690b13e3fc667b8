"""Terminal rendering of the typed answer (rich), and the `guardian chat` loop."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markdown import Markdown
from rich.panel import Panel
from rich.table import Table as RichTable

from agents.answer import Answer
from agents.request import Request

if TYPE_CHECKING:
    from bot.runtime import Runtime

APPROVAL_COMMAND = re.compile(r"^\s*(approve|deny)\s+(ap-[0-9a-f]+)\s*$", re.I)


def render(answer: Answer, console: Console) -> None:
    """Summary, tables, notes, approval and citations, in that order."""
    console.print(Markdown(answer.summary))
    for table in answer.tables:
        rich_table = RichTable(title=table.title or None, show_lines=False, header_style="bold")
        for column in table.columns:
            rich_table.add_column(column, overflow="fold")
        for row in table.rows:
            rich_table.add_row(*row)
        console.print(rich_table)
        hidden = table.total_rows - len(table.rows)
        if hidden > 0:
            console.print(f"[dim]…and {hidden} more[/dim]")
    for note in answer.notes:
        console.print(note, style="yellow", markup=False)
    if answer.pending_approval:
        pending = answer.pending_approval
        console.print(Panel(
            f"{pending.summary}\n\nType [bold]approve {pending.id}[/bold] or [bold]deny {pending.id}[/bold]",
            title="Approval needed", border_style="red"))
    if answer.citations:
        console.print("Runbooks: " + "; ".join(f"{c.title} ({c.source})" for c in answer.citations),
                      style="dim", markup=False)
    console.print(f"[dim]{answer.agent} · {answer.skill} · confidence {answer.confidence:.2f}[/dim]")


def chat_loop(
    ask: Callable[[str], Answer],
    decide: Callable[[str, bool], Answer],
    console: Console,
    lines: Iterable[str] | None = None,
) -> None:
    """Read questions until EOF or 'exit'; 'approve ap-…' / 'deny ap-…' decide approvals."""
    interactive = lines is None and sys.stdin.isatty()
    source = lines if lines is not None else (None if interactive else sys.stdin)
    console.print("[bold]Guardian[/bold] — ask about cost, security, infrastructure, deploys, incidents "
                  "or runbooks. 'help' lists what I can do; 'exit' quits.")
    iterator = iter(source) if source is not None else None
    while True:
        if iterator is None:
            try:
                text = console.input("[bold cyan]you>[/bold cyan] ")
            except (EOFError, KeyboardInterrupt):
                break
        else:
            try:
                text = next(iterator)
            except StopIteration:
                break
            console.print(f"[bold cyan]you>[/bold cyan] {text.rstrip()}")
        text = text.strip()
        if not text:
            continue
        if text.lower() in ("exit", "quit", ":q"):
            break
        try:
            match = APPROVAL_COMMAND.match(text)
            with console.status("working…"):
                answer = decide(match.group(2), match.group(1).lower() == "approve") if match else ask(text)
        except Exception as exc:  # the loop must survive anything a turn throws
            console.print(f"[red]{exc}[/red]")
            continue
        render(answer, console)


def chat_with(rt: Runtime, user: str, thread: str, console: Console, lines: Iterable[str] | None = None) -> None:
    """A terminal chat as ``user`` on one conversation thread: warm up, then loop."""
    with console.status("loading the model and runbooks…"):
        rt.guardian  # noqa: B018 - warm up before the first question
        rt.router.route("warm up")

    def ask(text: str) -> Answer:
        return rt.ask(Request(text=text, user=user, surface="cli", thread_id=thread))

    def decide(approval_id: str, approve: bool) -> Answer:
        return rt.guardian.decide(approval_id, approve=approve, user=user)

    chat_loop(ask, decide, console, lines=lines)
