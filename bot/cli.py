"""`guardian` command line (docs/CONTRACT.md). Heavy imports happen inside commands so
`guardian --help` and usage errors are instant."""

from __future__ import annotations

import argparse
import atexit
import gc
import getpass
import json
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.errors import UserError, local_state_error, one_line
from knowledge.sources import KnowledgeError

if TYPE_CHECKING:
    from bot.runtime import Runtime
    from bot.settings import Settings

log = logging.getLogger("guardian")


def emit(obj: dict[str, Any]) -> None:
    """One JSON object per line (the contract's --json shape)."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def fail(message: str) -> int:
    """The contract's failure: one line on stderr (secrets masked, terminal controls
    stripped: an error can quote a connection string or a log line), exit status 1."""
    from tools.redaction import sanitize

    print(f"guardian: {one_line(sanitize(message))}", file=sys.stderr)
    return 1


def read_inputs(file: str | None, words: Sequence[str]) -> list[str]:
    """Lines of --file, or the words as one input; '-' reads standard input."""
    if file:
        try:
            raw = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
            text = raw.decode("utf-8")
        except FileNotFoundError as exc:
            raise UserError(f"No such file: {file}") from exc
        except UnicodeDecodeError as exc:
            where = "standard input" if file == "-" else file
            raise UserError(f"{where} is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start}): "
                            "save it as UTF-8 and try again.") from exc
        except OSError as exc:
            raise UserError(f"Cannot read {file}: {exc.strerror or exc}.") from exc
        return [line.strip() for line in text.splitlines() if line.strip()]
    joined = utf8_words(words)
    if not joined:
        raise UserError("Nothing to do: give some text or --file FILE.")
    return [joined]


def utf8_words(words: Sequence[str]) -> str:
    """Command-line words as one text; bytes that are not UTF-8 (which Python passes on as
    lone surrogates) are refused here rather than failing somewhere downstream."""
    joined = " ".join(words).strip()
    try:
        joined.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise UserError("The text on the command line is not UTF-8: check your terminal's encoding.") from exc
    return joined


def default_user() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:
        return "cli"


# commands ------------------------------------------------------------------------------
def cmd_route(rt: Runtime, args: argparse.Namespace) -> int:
    texts = read_inputs(args.file, args.text)
    for route in rt.router.route_many(texts):
        if args.json:
            emit(route.contract_dict())
        else:
            print(f"{route.skill:24} {route.confidence:.2f}  {route.text}  {json.dumps(route.slots)}")
    return 0


UNREADABLE_HINTS = {"not UTF-8 text": "is not UTF-8 text: save it as UTF-8",
                    "binary content": "is binary (it contains NUL bytes): give markdown or text files"}


def cmd_knowledge_ingest(rt: Runtime, args: argparse.Namespace) -> int:
    from knowledge.sources import read_text

    paths = [Path(p) for p in args.paths]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise UserError(f"No such file or directory: {', '.join(missing)}")
    for path in paths:  # a file named on the command line must be indexable; nothing is written otherwise
        problem = read_text(path).problem if path.is_file() else None
        if problem and not problem.startswith("empty"):
            hint = UNREADABLE_HINTS.get(problem, f"cannot be read ({problem})")
            raise UserError(f"{path} {hint}; nothing was indexed.")
    report = rt.knowledge.ingest(paths)
    for skipped in report.skipped:
        print(f"guardian: skipped {skipped}", file=sys.stderr)
    if args.json:
        emit(report.model_dump())
    else:
        print(f"indexed {report.files_indexed} file(s), {report.files_unchanged} unchanged, "
              f"{report.chunks_added} chunk(s) added, {report.chunks_removed} removed")
    return 0


def cmd_knowledge_rebuild(rt: Runtime, args: argparse.Namespace) -> int:
    moved, chunks = rt.knowledge.rebuild(force=args.force)
    if args.json:
        emit({"store": str(rt.knowledge.path), "moved_to": str(moved) if moved else None, "chunks": chunks})
        return 0
    if moved:
        print(f"Moved the old store to {moved}.")
    print(f"Rebuilt {rt.knowledge.path} with the built-in runbooks ({chunks} chunks). Ingest your own documents "
          "again with `guardian knowledge ingest PATH...` (and run `guardian inventory sync` if you use it).")
    return 0


def cmd_knowledge_search(rt: Runtime, args: argparse.Namespace) -> int:
    from tools.redaction import sanitize

    queries = read_inputs(args.file, args.query)
    for query, hits in zip(queries, rt.knowledge.search_many(queries, k=args.k), strict=True):
        # masked again on the way out: a store filled before redaction, or by another writer
        results = [{"source": sanitize(h.source), "title": sanitize(h.title), "score": round(h.score, 4),
                    "text": sanitize(h.text), "section": sanitize(h.section)} for h in hits]
        if args.json:
            emit({"query": sanitize(query), "results": results})
        else:
            print(f"# {sanitize(query)}")
            for r in results:
                print(f"  {r['score']:.3f}  {r['title']} — {r['section']}  ({r['source']})")
    return 0


def cmd_ask(rt: Runtime, args: argparse.Namespace) -> int:
    from agents.request import Request

    text = utf8_words(args.question)
    if not text:
        raise UserError("Ask something, e.g. guardian ask \"which buckets are public?\"")
    rt.embedder.preload()  # every turn routes with the model: load it while the rest is set up
    kwargs: dict[str, Any] = {"text": text, "user": args.user, "surface": "cli", "channel": args.channel}
    if args.thread:
        kwargs["thread_id"] = args.thread
    answer = rt.ask(Request(**kwargs))
    from bot.render.contract import contract_dict

    if args.json:
        emit(contract_dict(answer))
    else:
        from rich.console import Console

        from bot.render.terminal import render

        render(answer, Console())
    return 0


def cmd_approvals(rt: Runtime, args: argparse.Namespace) -> int:
    if args.approvals_command == "list":  # a read of the database: no graph (langgraph is ~1.5 s of CPU cold)
        return _list_approvals(rt, args)
    from agents.approvals import ApprovalError
    from agents.service import NeedsResume

    try:
        if args.approvals_command in ("approve", "deny"):
            answer = rt.guardian.decide(args.id, approve=args.approvals_command == "approve", user=args.user)
        elif args.approvals_command == "resume":
            answer = rt.guardian.resume(args.id, user=args.user)
        else:
            answer = rt.guardian.cancel(args.id, user=args.user, reason=args.reason)
    except NeedsResume as exc:
        raise UserError(f"{exc} (guardian approvals resume {exc.approval_id}).") from exc
    except ApprovalError as exc:
        raise UserError(str(exc)) from exc
    from bot.render.contract import contract_dict
    from bot.render.markdown import to_markdown

    if args.json:
        emit(contract_dict(answer))
    else:
        print(to_markdown(answer))
    return 0


def _list_approvals(rt: Runtime, args: argparse.Namespace) -> int:
    """Open approvals (pending, and approved or executing ones a crash may have left) by
    default; the count of those not shown goes to stderr under --json."""
    from agents.approvals import OPEN_STATUSES

    records, hidden = rt.storage.approvals.list(statuses=None if args.all else OPEN_STATUSES, limit=args.limit)
    for rec in records:
        stalled = rec.status in ("approved", "executing") and rec.age_seconds() > STALLED_AFTER_S
        row: dict[str, Any] = {
               "id": rec.id, "status": rec.status, "skill": rec.skill, "action": rec.tool, "args": rec.args,
               "summary": rec.summary, "requested_by": rec.requested_by, "decided_by": rec.decided_by,
               "created_at": rec.created_at.isoformat(), "stalled": stalled, "next": _next_step(rec.id, rec.status)}
        if args.json:
            emit(row)
        else:
            flag = f"  STALLED: {row['next']}" if stalled else ""
            print(f"{rec.id}  {rec.status:9} {rec.tool:28} {rec.summary}  (by {rec.requested_by}){flag}")
    what = "approvals" if args.all else "open approvals"
    if not records and not args.json:
        print(f"No {what}.")
    if hidden:
        more = " (decided ones: add --all)" if not args.all else f" (--limit {args.limit})"
        note = f"{hidden} more not shown{more}"
        print(note, file=sys.stderr if args.json else sys.stdout)
    return 0


STALLED_AFTER_S = 120


def _next_step(approval_id: str, status: str) -> str:
    if status == "pending":
        return f"guardian approvals approve|deny {approval_id}"
    if status == "approved":
        return (f"approved but never started: `guardian approvals resume {approval_id}` runs it once, "
                f"`guardian approvals cancel {approval_id}` drops it")
    if status == "executing":
        return (f"interrupted while running (it may or may not have run): check the target, then "
                f"`guardian approvals cancel {approval_id}`")
    return ""


def cmd_audit(rt: Runtime, args: argparse.Namespace) -> int:
    from bot.timeparse import parse_since

    since = parse_since(args.since) if args.since else None
    for record in rt.storage.audit.query(since=since, user=args.user, limit=args.limit):
        if args.json:
            emit(record)
        else:
            tool = f" {record['tool']}" if record["tool"] else ""
            print(f"{record['at']}  {record['correlation_id']}  {record['user']:16} {record['event']:20} "
                  f"{record['skill'] or '-':22}{tool}  {record['outcome'] or ''}")
    return 0


def cmd_scan_security(rt: Runtime, args: argparse.Namespace) -> int:
    """Every cloud's ``*_security_scan`` tool, side by side (bot/scan_runner.py), through the
    registry like every tool run (its prerequisites, error mapping and output masking apply).
    A cloud whose settings are missing is skipped with one line on stderr; one that fails is
    named after the others' findings, and the scan exits 1 as incomplete."""
    from bot.scan_runner import security_scans

    results, skipped = security_scans(lambda: rt.registry, rt.tool_ctx)  # the registry after the fork
    if not results:
        raise UserError(" ".join(skipped.values()) or "There is no security scan to run.")
    for name, why in skipped.items():
        print(f"guardian: skipped {name}: {why}", file=sys.stderr)
    from tools.aws.errors import RegionsFailed  # botocore: imported after the child's fork, never before

    failed = [f"{name}: {result.summary}" for name, result in results.items() if result.status == "error"]
    if len(failed) == len(results):
        raise UserError(" ".join(result.summary for result in results.values()))
    rows = [row for result in results.values() if result.status != "error" for row in result.rows]
    rows.sort(key=lambda row: SEVERITY_RANK.get(row["severity"], len(SEVERITY_RANK)))  # stable per cloud
    for row in rows:
        if args.json:
            emit({column: row.get(column) for column in SCAN_FIELDS})
        else:
            print(f"{row['severity']:8} {row['cloud']:5} {row['check']:24} {row['region']:12} {row['resource']}  "
                  f"{row['detail']}")
    missed = {k: v for result in results.values() for k, v in (result.facts.get("failed_regions") or {}).items()}
    if missed or failed:  # the findings above stand; the scan as a whole is incomplete
        raise UserError("Scan incomplete." + (RegionsFailed.note(missed) if missed else "")
                        + "".join(f" {reason}" for reason in failed))
    return 0


SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}
SCAN_FIELDS = ("check", "severity", "cloud", "region", "resource", "detail")


def cmd_tools(rt: Runtime, args: argparse.Namespace) -> int:
    """Every tool, and for each one these settings leave unavailable, why (what to set)."""
    unavailable = rt.registry.unavailable(rt.tool_ctx)
    for spec in rt.registry.all():
        why = unavailable.get(spec.name)
        if args.json:
            emit({"name": spec.name, "integration": spec.integration, "mode": spec.mode, "skills": list(spec.skills),
                  "available": why is None, "why": why})
        else:
            print(f"{spec.name:34} {spec.mode:5} {'ok' if why is None else 'unavailable: ' + why}")
    return 0


def cmd_inventory_sync(rt: Runtime, args: argparse.Namespace) -> int:
    from bot.inventory import sync_inventory

    report = sync_inventory(rt)
    if args.json:
        emit(report)
    else:
        print(f"snapshotted {report['resources']} resource(s) into the knowledge store")
    return 0


def cmd_chat(rt: Runtime, args: argparse.Namespace) -> int:
    from rich.console import Console

    from bot.terminal import chat_with

    chat_with(rt, args.user, f"chat-{os.getpid()}", Console())
    return 0


def cmd_demo(_rt: Runtime | None, args: argparse.Namespace) -> int:
    from bot.demo import run_demo

    return run_demo(args)


def cmd_eval(_rt: Runtime | None, args: argparse.Namespace) -> int:
    from bot.evals import cmd_eval as run_eval

    return run_eval(args)


def cmd_mcp(rt: Runtime, _args: argparse.Namespace) -> int:
    from bot.mcp_server import run_stdio

    return run_stdio(rt)


def cmd_serve(rt: Runtime, args: argparse.Namespace) -> int:
    from bot.exposure import exposure_warnings
    from bot.http_app import serve

    for warning in exposure_warnings(rt.settings, rt.policy, args.host):
        log.warning("%s", warning)

    return serve(rt, host=args.host, port=args.port)


# parser --------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="guardian", description="Guardian: ChatOps for cloud operations.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log at INFO level on stderr")
    sub = parser.add_subparsers(dest="command", required=True)

    route = sub.add_parser("route", help="which skill a request goes to (no LLM, no network)")
    route.add_argument("--json", action="store_true")
    route.add_argument("--file", help="one request per line ('-' for stdin)")
    route.add_argument("text", nargs="*")
    route.set_defaults(func=cmd_route)

    knowledge = sub.add_parser("knowledge", help="runbook store").add_subparsers(dest="kcmd", required=True)
    ingest = knowledge.add_parser("ingest", help="index markdown/text files and directories")
    ingest.add_argument("paths", nargs="+")
    ingest.add_argument("--json", action="store_true")
    ingest.set_defaults(func=cmd_knowledge_ingest)
    search = knowledge.add_parser("search", help="search the store")
    search.add_argument("--json", action="store_true")
    search.add_argument("-k", type=int, default=5)
    search.add_argument("--file")
    search.add_argument("query", nargs="*")
    search.set_defaults(func=cmd_knowledge_search)
    rebuild = knowledge.add_parser("rebuild", help="move a damaged store aside and build a fresh one")
    rebuild.add_argument("--force", action="store_true", help="rebuild even if the store reads fine")
    rebuild.add_argument("--json", action="store_true")
    rebuild.set_defaults(func=cmd_knowledge_rebuild)

    ask = sub.add_parser("ask", help="ask one question")
    ask.add_argument("--json", action="store_true")
    ask.add_argument("--user", default=default_user())
    ask.add_argument("--channel")
    ask.add_argument("--thread", help="conversation id (default: a new one)")
    ask.add_argument("question", nargs="*")
    ask.set_defaults(func=cmd_ask)

    approvals = sub.add_parser("approvals", help="list, approve or deny pending actions")
    approvals_sub = approvals.add_subparsers(dest="approvals_command", required=True)
    listing = approvals_sub.add_parser("list", help="open approvals (pending, approved, executing)")
    listing.add_argument("--all", action="store_true", help="include decided and finished ones")
    listing.add_argument("--limit", type=int, default=50)
    verbs = {"approve": "approve and run a pending action", "deny": "deny a pending action",
             "resume": "run an approved action whose run never started (after a crash)",
             "cancel": "close an approved or interrupted action without running it"}
    for name, text in verbs.items():
        decide = approvals_sub.add_parser(name, help=text)
        decide.add_argument("id")
        if name == "cancel":
            decide.add_argument("--reason", default="cancelled by an operator")
    for p in (listing, *[approvals_sub.choices[n] for n in verbs]):
        p.add_argument("--user", default=default_user())
        p.add_argument("--json", action="store_true")
    approvals.set_defaults(func=cmd_approvals)

    from bot.resumed_turns import add_parser as add_turns

    add_turns(sub, default_user())

    audit = sub.add_parser("audit", help="the audit trail, oldest first")
    audit.add_argument("--json", action="store_true")
    audit.add_argument("--since", help="ISO 8601 time, or a span back from now: 30m, 1h, 7d")
    audit.add_argument("--user")
    audit.add_argument("--limit", type=int)
    audit.set_defaults(func=cmd_audit)

    scan = sub.add_parser("scan", help="scans").add_subparsers(dest="scan_kind", required=True)
    scan_security = scan.add_parser("security", help="security findings, one per line")
    scan_security.add_argument("--json", action="store_true")
    scan_security.set_defaults(func=cmd_scan_security)

    tools = sub.add_parser("tools", help="every tool, and why those that cannot run here cannot")
    tools.add_argument("--json", action="store_true")
    tools.set_defaults(func=cmd_tools)

    inventory = sub.add_parser("inventory", help="resource inventory").add_subparsers(dest="icmd", required=True)
    sync = inventory.add_parser("sync", help="snapshot resources into the knowledge store")
    sync.add_argument("--json", action="store_true")
    sync.set_defaults(func=cmd_inventory_sync)

    chat = sub.add_parser("chat", help="terminal chat")
    chat.add_argument("--user", default=default_user())
    chat.set_defaults(func=cmd_chat)

    sub.add_parser("sandbox", help="local stand-ins seeded with a fictional company (see sandbox --help)")

    demo = sub.add_parser("demo", help="sandbox + chat")
    demo.add_argument("--user", default="demo:you")
    demo.add_argument("--script", help="read questions from this file instead of the terminal")
    demo.add_argument("--port", type=int, default=8765,
                      help="web chat port on 127.0.0.1 (a free one if taken; -1: no web chat)")
    demo.set_defaults(func=cmd_demo, no_runtime=True)

    evals = sub.add_parser("eval", help="run the eval suite against the sandbox company (docs/EVALS.md)")
    evals.add_argument("--subset", choices=("fast", "full"), default="full")
    evals.add_argument("--split", choices=("dev", "heldout", "all"), default="all")
    evals.add_argument("--cases", help="cases directory (default: the project's evals/cases)")
    evals.add_argument("--json", action="store_true")
    evals.add_argument("--show-heldout", action="store_true",
                       help="also list the held-out cases that failed (not while tuning: docs/EVALS.md)")
    evals.add_argument("--llm", help="provider:model to evaluate LLM mode with (docs/llm.md); default offline")
    evals.add_argument("--llm-price", help="IN,OUT: USD per million input/output tokens, for the cost")
    evals.set_defaults(func=cmd_eval, no_runtime=True)

    mcp = sub.add_parser("mcp", help="MCP server on stdio: read tools, ask, search_runbooks; writes need approval")
    mcp.set_defaults(func=cmd_mcp)

    serve = sub.add_parser("serve", help="HTTP app")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.set_defaults(func=cmd_serve)
    return parser


def configure_logging(verbose: bool) -> None:
    from tools.redaction import RedactingFilter

    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    level = logging.INFO if verbose else logging.WARNING
    root.setLevel(level)
    handler.setLevel(level)  # some libraries (bm25s) set their own loggers to DEBUG on import
    for noisy in ("chromadb", "httpx", "sentence_transformers", "transformers", "botocore", "urllib3", "bm25s"):
        logging.getLogger(noisy).setLevel(logging.WARNING if verbose else logging.ERROR)


# Commands that answer once and exit; chat, demo, eval, mcp and serve keep the collector running.
ONE_SHOT_COMMANDS = frozenset({"route", "knowledge", "ask", "approvals", "audit", "scan", "tools", "inventory"})


@contextmanager
def cold_command_heap(command: str) -> Iterator[None]:
    """A cold command imports the SDKs, the store and the graph (~250k long-lived objects):
    the cyclic collector walked them again and again while they loaded (~0.45 s of CPU of a
    `guardian ask`) and once more at exit (~0.7 s), of ~3.5 s in all. A one-shot command runs
    with the collector paused, and every command's heap is frozen at exit (skipped by the exit
    collections; still released as modules are cleared, after the Runtime was closed).
    ``bot/scan_runner.py`` does the same around scans. In-process callers get the collector
    back as it was."""
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)  # once; runs before the interpreter's own exit collections
    paused = command in ONE_SHOT_COMMANDS and gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def main(argv: Sequence[str] | None = None, settings_factory: Callable[[], Settings] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["sandbox"]:  # the sandbox has its own options (--port, --once, --aws-only)
        from sandbox.server import main as sandbox_main

        return sandbox_main(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    with cold_command_heap(args.command):
        configure_logging(args.verbose)
        return run_command(args, settings_factory)


def run_command(args: argparse.Namespace, settings_factory: Callable[[], Settings] | None) -> int:
    """The parsed command on a Runtime (closed before returning), its failures one line."""
    settings: Settings | None = None
    try:
        if getattr(args, "no_runtime", False):
            return int(args.func(None, args))
        from bot.runtime import Runtime
        from bot.settings import load_settings

        settings = settings_factory() if settings_factory else load_settings()
        with Runtime(settings) as rt:
            return int(args.func(rt, args))
    except (UserError, KnowledgeError) as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if isinstance(exc, ValueError):  # settings and input validation: already a sentence
            local: str | None = str(exc)
        else:
            local = local_state_error(exc, settings.effective_database_url if settings else None)
        log.debug("failed", exc_info=True)
        if args.verbose:
            logging.getLogger("guardian").exception("details")
        return fail(local or f"{type(exc).__name__}: {exc} (run with -v for details)")


if __name__ == "__main__":
    raise SystemExit(main())
