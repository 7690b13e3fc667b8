"""`guardian demo` / `make demo`: the sandbox company plus a chat with Guardian against it."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from rich.console import Console


def run_demo(args: argparse.Namespace) -> int:
    from bot.runtime import Runtime
    from bot.settings import load_settings
    from bot.terminal import chat_with
    from sandbox.server import Sandbox

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
        lines = Path(args.script).read_text().splitlines() if args.script else None
        with Runtime(settings) as rt:
            chat_with(rt, args.user, f"demo-{os.getpid()}", console, lines=lines)
    finally:
        sandbox.stop()
    return 0
