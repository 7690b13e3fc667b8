"""`guardian demo` / `make demo`: the sandbox company plus a chat with Guardian against it,
in the terminal and in the browser (the web chat, served beside it; its address is printed)."""

from __future__ import annotations

import argparse
import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import SecretStr
from rich.console import Console

from bot.settings import Settings, load_settings

if TYPE_CHECKING:
    from bot.runtime import Runtime


def _web_token(settings: Settings) -> tuple[Settings, str | None]:
    """The demo's web chat gets a fresh random token (user "web") unless one is configured;
    the address printed carries it in the fragment, which the browser never sends on."""
    if settings.web_token is not None:
        return settings, None
    token = secrets.token_urlsafe(18)
    return settings.model_copy(update={"web_token": SecretStr(token)}), token


DEMO_INCIDENT_CHANNEL = "C0INCIDENTS"


def _incident_briefs(settings: Settings, slack_api_url: str) -> Settings:
    """The demo's Slack is the sandbox's Slack Web API stand-in, its incident channel a fixed
    id, and its PagerDuty webhook secret the sample one, so `guardian sandbox fire` shows a
    brief arriving (unless the user configured their own)."""
    from sandbox.pagerduty_webhooks import SAMPLE_SECRET

    update: dict[str, object] = {}
    if settings.slack_bot_token is None:
        update.update(slack_bot_token=SecretStr("xoxb-sandbox"), slack_api_url=slack_api_url)
    if settings.incident_channel is None:
        update["incident_channel"] = DEMO_INCIDENT_CHANNEL
    if settings.pagerduty_webhook_secret is None:
        update["pagerduty_webhook_secret"] = SecretStr(SAMPLE_SECRET)
    if settings.alertmanager_token is None:
        from sandbox.alertmanager_webhooks import SAMPLE_TOKEN

        update["alertmanager_token"] = SecretStr(SAMPLE_TOKEN)
    return settings.model_copy(update=update)


def _snapshot_inventory(rt: Runtime, console: Console) -> None:
    """What `guardian serve` does on a schedule, once: "where does payments-api run?" and
    "who owns web-frontend-1?" are answered from the snapshot from the first question on."""
    from bot.errors import UserError
    from bot.inventory import sync_inventory

    with console.status("Snapshotting the inventory of every cloud..."):
        try:
            done = sync_inventory(rt)
        except UserError as exc:
            console.print(f"[yellow]Inventory not snapshotted:[/yellow] {exc}", highlight=False)
            return
    console.print(f"[green]Inventory:[/green] {done['resources']} resources snapshotted (AWS, Azure, Google Cloud).")


def run_demo(args: argparse.Namespace) -> int:
    from bot.http_app import BackgroundServer
    from bot.runtime import Runtime
    from bot.terminal import chat_with
    from sandbox.server import Sandbox
    from sandbox.slack_api import SlackApiStandIn

    console = Console()
    with console.status("starting the sandbox company…"):
        sandbox = Sandbox()
        sandbox.start()
        slack = SlackApiStandIn().start()
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
        settings, token = _web_token(settings)
        settings = _incident_briefs(settings, slack.api_url)
        with Runtime(settings) as rt:
            _snapshot_inventory(rt, console)
            web = None
            if args.port is not None and args.port >= 0:
                web = BackgroundServer(rt, host="127.0.0.1", port=args.port)
                url = web.start()
                where = f"{url}/#token={token}" if token else f"{url}/ (with your GUARDIAN_WEB_TOKEN)"
                console.print(f"[green]Web chat:[/green] {where}", highlight=False)
                if settings.pagerduty_webhook_secret is not None:
                    from sandbox.pagerduty_webhooks import SAMPLE_SECRET

                    given = settings.pagerduty_webhook_secret.get_secret_value()
                    secret = given if given == SAMPLE_SECRET else "<your PAGERDUTY_WEBHOOK_SECRET>"
                    console.print(f"[green]Incident briefs:[/green] in another shell run `guardian sandbox fire --url "
                                  f"{url} --secret {secret}`: the brief appears in the web chat, and at {slack.url}/ "
                                  "(the Slack stand-in's posts)",
                                  highlight=False, markup=True)
                if settings.alertmanager_token is not None:
                    from sandbox.alertmanager_webhooks import SAMPLE_TOKEN

                    given = settings.alertmanager_token.get_secret_value()
                    bearer = given if given == SAMPLE_TOKEN else "<your GUARDIAN_ALERTMANAGER_TOKEN>"
                    console.print(f"[green]Alert briefs:[/green] `guardian sandbox fire --alertmanager --url {url} "
                                  f"--token {bearer}` (add --resolved to resolve it)", highlight=False, markup=True)
            try:
                chat_with(rt, args.user, f"demo-{os.getpid()}", console, lines=lines)
            finally:
                if web is not None:
                    web.stop()
    finally:
        slack.stop()
        sandbox.stop()
    return 0
