"""The `guardian chat` loop in a terminal; answers are drawn by ``bot.render.terminal``."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from rich.console import Console

from agents.answer import Answer
from agents.request import Request
from bot.render.terminal import chat_decision, render

if TYPE_CHECKING:
    from bot.runtime import Runtime

APPROVAL_COMMAND = re.compile(r"^\s*(approve|deny)\s+(ap-[0-9a-f]+)\s*$", re.I)


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
        render(answer, console, decision=chat_decision)


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
