"""Turns a crash interrupted, finished after the restart (agents/turn_recovery.py): the
sweep `guardian serve` starts with its lifespan, the poster that answers in the Slack
thread or Teams conversation that asked, or keeps the answer for the web chat page that
asked (agents/resumed_answers.py; the page reads it back, bot/webchat.py), and
`guardian turns [list|resume ID]`.

The sweep runs in a worker thread, at start-up and then every ``tick_for(grace)`` seconds,
so start-up never waits for it, and a turn killed just before the restart (younger than the
grace when the server came back) is picked up once it is idle long enough. Every replica
runs one; the claims in the shared database make each turn resumed and posted once.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import TYPE_CHECKING, Any

from bot.errors import UserError
from bot.slack_keys import keyed_metadata, keyed_ts

if TYPE_CHECKING:  # the graph's modules load only when a command or the server needs them (`guardian --help`)
    from fastapi import FastAPI
    from slack_sdk import WebClient

    from agents.answer import Answer
    from agents.request import Request
    from agents.resumed_answers import ResumedAnswerStore
    from agents.turn_recovery import TurnRecovery
    from bot.runtime import Runtime
    from bot.teams_surface import TeamsSurface

log = logging.getLogger(__name__)

METADATA_EVENT = "guardian_resumed_turn"
HISTORY_LIMIT = 200
MAX_TICK = 60.0
# Surfaces whose answer went back on the request that asked: nothing to post to later.
# (The web chat's page reads a resumed answer back from the database: see SurfaceReplies.)
UNREACHABLE = {
    "cli": "the command-line session that asked ended with its process",
    "mcp": "the MCP client's call ended with the process that served it",
}


class SurfaceReplies:
    """Posts a resumed turn's answer in the Slack thread (message metadata carries the
    delivery key, so a takeover can see the post is there) or the Teams conversation that
    asked, or keeps it under its delivery key for the web chat page that asked (the page's
    connection died with the process; it reads the answer back when the server is up);
    any other surface cannot be reached later (``unreachable`` says why)."""

    def __init__(self, slack: WebClient | None, teams: TeamsSurface | None = None,
                 web: ResumedAnswerStore | None = None) -> None:
        self.slack = slack
        self.teams = teams
        self.web = web

    def unreachable(self, request: Request) -> str | None:
        if request.surface == "slack":
            if self.slack is None:
                return "Slack is not configured in this process (SLACK_BOT_TOKEN is unset)"
            return None if request.channel else "the request names no Slack channel"
        if request.surface == "teams":
            if self.teams is None:
                return "Teams is not configured in this process (MICROSOFT_APP_ID is unset)"
            return None if request.channel else "the request names no Teams conversation"
        if request.surface == "web":
            return None if self.web is not None else "no store for the web chat's resumed answers was given"
        return UNREACHABLE.get(request.surface, f"Guardian cannot post to the {request.surface} surface later")

    def reply(self, request: Request, answer: Answer, key: str) -> str:
        """Post the answer; in Slack, in place of the turn's "Working on it…" message when it
        is still in the thread (as the interrupted turn would have), else as a new reply."""
        from bot.render.blocks import answer_blocks, fallback_text
        from bot.slack_surface import thread_ts_of

        if request.surface == "teams" and self.teams is not None:
            return self.teams.post_to_sync(str(request.channel), answer)
        if request.surface == "web" and self.web is not None:
            return self.web.put(key, request, answer)
        if request.surface != "slack" or self.slack is None:
            raise RuntimeError(self.unreachable(request) or f"cannot post to {request.surface}")
        content: dict[str, Any] = {"channel": str(request.channel), "text": fallback_text(answer),
                                   "blocks": answer_blocks(answer), "metadata": keyed_metadata(METADATA_EVENT, key)}
        working = self._working(request)
        if working:
            self.slack.chat_update(ts=working, **content)
            return working
        response = self.slack.chat_postMessage(thread_ts=thread_ts_of(request.thread_id), **content)
        return str(response["ts"])

    def _working(self, request: Request) -> str | None:
        """The ts of the progress message the interrupted turn left (bot/slack_surface.py's
        ``Progress``), or None (an assistant thread shows a status line instead, or the
        thread cannot be read: then the answer is a new reply)."""
        from bot.slack_surface import WORKING_EVENT

        return keyed_ts(self._messages(request) or [], WORKING_EVENT, request.correlation_id)

    def _messages(self, request: Request) -> list[dict[str, Any]] | None:
        """The recent messages of the thread (or channel) that asked, with their metadata;
        None when Slack would not say."""
        from slack_sdk.errors import SlackApiError

        from bot.slack_surface import thread_ts_of

        if self.slack is None or not request.channel:
            return None
        thread_ts = thread_ts_of(request.thread_id)
        try:
            if thread_ts:
                found = self.slack.conversations_replies(channel=request.channel, ts=thread_ts,
                                                         include_all_metadata=True, limit=HISTORY_LIMIT)
            else:
                found = self.slack.conversations_history(channel=request.channel, include_all_metadata=True,
                                                         limit=HISTORY_LIMIT)
        except SlackApiError as exc:
            log.warning("resumed turn: could not read %s: %s", request.channel, exc)
            return None
        return list(found.get("messages") or [])

    def find(self, request: Request, key: str) -> str | None:
        """The ts of the answer already posted in the thread (or channel) with ``key`` (for
        the web chat, the key when the answer is kept); None when it is not there or Slack
        would not say (Teams keeps no metadata)."""
        if request.surface == "web" and self.web is not None:
            return self.web.find(key)
        if request.surface != "slack":
            return None
        return keyed_ts(self._messages(request) or [], METADATA_EVENT, key)


def replies_for(rt: Runtime, teams: TeamsSurface | None = None) -> SurfaceReplies:
    from slack_sdk import WebClient

    token = rt.settings.slack_bot_token
    slack = WebClient(token=token.get_secret_value(), base_url=rt.settings.slack_api_url) if token else None
    return SurfaceReplies(slack, teams if teams is not None and teams.app_id else None, rt.storage.resumed)


def recovery_for(rt: Runtime) -> TurnRecovery:
    from agents.turn_recovery import RecoveryPolicy, TurnRecovery

    policy = RecoveryPolicy(max_age_s=rt.settings.resume_max_age_s, grace_s=rt.settings.resume_grace_s)
    return TurnRecovery(rt.guardian, rt.storage.dedupe.engine, rt.storage.audit, policy)


def tick_for(grace_s: float) -> float:
    """Often enough that a turn is picked up soon after it passes the grace."""
    return max(1.0, min(MAX_TICK, grace_s / 4))


def mount_turn_recovery(app: FastAPI, rt: Runtime) -> None:
    """Start the sweep with the app's lifespan (``guardian serve``); GUARDIAN_RESUME_TURNS=0
    keeps a replica from resuming turns."""
    if not rt.settings.resume_turns:
        return
    from bot.proactive import Scheduler

    built: dict[str, Any] = {}

    def sweep() -> int:  # the stores, the graph and the Teams surface are taken on the first tick, in the worker
        if "recovery" not in built:
            built["recovery"] = recovery_for(rt)
            built["replies"] = replies_for(rt, getattr(app.state, "teams", None))
        posted: int = built["recovery"].sweep(built["replies"])
        return posted

    scheduler = Scheduler(sweep, tick_for(rt.settings.resume_grace_s), name="guardian-turn-recovery")

    async def start() -> None:
        app.state.turn_recovery = scheduler
        scheduler.start()

    app.router.on_startup.append(start)
    app.router.on_shutdown.append(scheduler.stop)


# --------------------------------------------------------------------------- the command


def cmd_turns(rt: Runtime, args: argparse.Namespace) -> int:
    """`guardian turns [list]`: interrupted turns; `guardian turns resume ID`: finish one
    now, post its answer where it was asked (when this process can) and print it."""
    from agents.turn_recovery import TurnError
    from bot.cli import emit
    from bot.timeparse import parse_since

    recovery = recovery_for(rt)
    since = parse_since(args.since) if args.since else None
    if getattr(args, "turns_command", None) != "resume":
        return _list(recovery, since, args.json, emit)
    teams = None
    if rt.settings.microsoft_app_id:
        from bot.teams_surface import TeamsSurface

        teams = TeamsSurface(rt)
    try:
        done = recovery.resume(args.id, replies_for(rt, teams), user=args.user, since=since)
    except TurnError as exc:
        raise UserError(str(exc)) from exc
    from bot.render.contract import contract_dict
    from bot.render.markdown import to_markdown

    if args.json:
        emit({**contract_dict(done.answer), "turn": done.turn.id, "posted": done.posted,
              "not_posted": done.not_posted})
        return 0
    sys.stdout.write(to_markdown(done.answer) + "\n")
    where = f"{done.turn.request.surface} {done.turn.request.channel or ''}".strip()
    sys.stderr.write(f"guardian: posted to {where} ({done.posted})\n" if done.posted
                     else f"guardian: not posted to {where}: {done.not_posted or 'it was posted before'}\n")
    return 0


def _list(recovery: TurnRecovery, since: Any, as_json: bool, emit: Any) -> int:
    now = recovery.now()
    turns = recovery.find(since)
    for turn in turns:
        row = turn.row(now)
        if as_json:
            emit(row)
        else:
            sys.stdout.write(f"{turn.id}  {_age(row['age_s']):>7}  {turn.skill or '-':22} {turn.request.surface:6} "
                             f"{turn.step:12} {turn.status:11} {row['question']}  (by {turn.request.user})\n")
    if not turns and not as_json:
        sys.stdout.write("No interrupted turns.\n")
    return 0


def _age(seconds: float) -> str:
    minutes, rest = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{rest:02d}s"


def add_parser(sub: Any, default_user: str) -> None:
    """`guardian turns` in the command's parser (bot/cli.py)."""
    turns = sub.add_parser("turns", help="turns a crash interrupted: list them, or finish one (resume ID)")
    turns_sub = turns.add_subparsers(dest="turns_command")
    listing = turns_sub.add_parser("list", help="interrupted turns (the default)")
    resume = turns_sub.add_parser("resume", help="finish an interrupted turn, post its answer where it was asked, "
                                                 "print it")
    resume.add_argument("id", help="the turn's id (tn-...) or its checkpoint thread")
    resume.add_argument("--user", default=default_user)
    for parser in (turns, listing, resume):
        parser.add_argument("--json", action="store_true", default=argparse.SUPPRESS)
        parser.add_argument("--since", default=argparse.SUPPRESS,
                            help="look back to this ISO 8601 time or span (30m, 1h, 7d); default: the max age "
                                 "plus an hour")
    turns.set_defaults(func=cmd_turns, json=False, since=None)
