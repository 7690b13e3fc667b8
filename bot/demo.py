"""`guardian demo` / `make demo`: the sandbox company plus a chat with Guardian against it."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from rich.console import Console


def run_demo(args: argparse.Namespace) -> int:
    from agents.request import Request
    from bot.runtime import Runtime
    from bot.sandbox.server import Sandbox
    from bot.settings import load_settings
    from bot.terminal import chat_loop

    console = Console()
    with console.status("starting the sandbox company…"):
        sandbox = Sandbox()
        sandbox.start()
    try:
        # The demo must never touch a real account: the sandbox's variables win here.
        os.environ.update(sandbox.env)
        os.environ.setdefault("GUARDIAN_HOME", str(Path(".guardian") / "demo"))
        settings = load_settings()
        console.print("[green]Sandbox running.[/green] To point another shell at it:")
        for key, value in sandbox.env.items():
            console.print(f"  export {key}={value}", markup=False, highlight=False)
        console.print("Try: [bold]which buckets are public?[/bold] · [bold]what did we spend last week?"
                      "[/bold] · [bold]any ssh open to the world[/bold] · [bold]errors in checkout logs[/bold]"
                      " · [bold]stop <instance id>[/bold] · [bold]who is on call for payments[/bold]")
        with Runtime(settings) as rt:
            with console.status("loading the model and runbooks…"):
                rt.guardian  # noqa: B018 - warm up before the first question
                rt.router.route("warm up")
            thread = f"demo-{os.getpid()}"

            def ask(text: str) -> object:
                return rt.guardian.ask(Request(text=text, user=args.user, surface="cli", thread_id=thread))

            def decide(approval_id: str, approve: bool) -> object:
                return rt.guardian.decide(approval_id, approve=approve, user=args.user)

            lines = Path(args.script).read_text().splitlines() if args.script else None
            chat_loop(ask, decide, console, lines=lines)  # type: ignore[arg-type]
    finally:
        sandbox.stop()
    return 0
