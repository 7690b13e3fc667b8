"""The running sandbox: one loopback endpoint serving moto plus the Cost Explorer
stand-in, seeded with Driftwood Labs, and the other stand-ins (GitHub, PagerDuty, Azure
Resource Manager) beside it.

``Sandbox.env`` holds the variables that point Guardian (and any boto3 client) at it;
``guardian sandbox`` prints them as ``export`` lines and serves until Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol, Self

import boto3

from sandbox.aws import SeededIds, seed_company
from sandbox.company import DRIFTWOOD, Company
from sandbox.cost_explorer import CostExplorerMiddleware, CostExplorerStandIn
from sandbox.guardduty import GuardDutyFindings, GuardDutyMiddleware
from sandbox.seed_aws import as_dict

log = logging.getLogger(__name__)


class StandIn(Protocol):
    """A local stand-in for one SaaS API, started and stopped with the sandbox; its ``env()``
    is merged into ``Sandbox.env`` (e.g. GITHUB_API_URL, PAGERDUTY_API_URL)."""

    def start(self) -> Any: ...

    def stop(self) -> None: ...

    def env(self) -> dict[str, str]: ...


def _quiet_handler() -> type:
    """moto's request handler without a log line per request on stderr."""
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    class QuietHandler(MotoRequestHandler):
        def log_request(self, *_: int | str) -> None:
            return

    return QuietHandler


def saas_standins() -> list[StandIn]:
    """The GitHub and PagerDuty stand-ins, seeded with the same company's SaaS side, and its
    Azure subscription (Resource Manager) and Google Cloud project (Logging, Compute, Storage)."""
    from sandbox.azure_api import AzureStandIn
    from sandbox.gcp_api import GcpStandIn
    from sandbox.github_api import GitHubStandIn
    from sandbox.pagerduty_api import PagerDutyStandIn
    from sandbox.saas_company import build

    company = build()
    return [GitHubStandIn(company.github), PagerDutyStandIn(company.pagerduty), AzureStandIn(), GcpStandIn()]


class Sandbox:
    """moto + Cost Explorer on one loopback port, plus any extra stand-ins.

    ``standins``: a list, or a factory called at ``start()``; default: GitHub and PagerDuty.
    Pass ``standins=[]`` for AWS only (what the AWS tool tests do).
    """

    def __init__(self, company: Company = DRIFTWOOD,
                 standins: Sequence[StandIn] | Callable[[], Sequence[StandIn]] | None = None) -> None:
        self.company = company
        self.cost_explorer = CostExplorerStandIn(company.cost_lines, monitors=company.anomaly_monitors)
        self.ids: SeededIds | None = None
        self._standin_source = saas_standins if standins is None else standins
        self.standins: list[StandIn] = []
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._profile_dir: str | None = None  # empty AWS config/credentials files

    # ------------------------------------------------------------------ lifecycle

    def start(self, host: str = "127.0.0.1", port: int = 0, *, seed: bool = True) -> None:
        """Serve moto and Cost Explorer on ``host:port`` (0: a free port), seed the company
        (unless ``seed=False``), then start the stand-ins. ``with Sandbox() as s`` does the same."""
        if self._server is not None:
            return
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
        from werkzeug.serving import make_server

        moto_and_ce = CostExplorerMiddleware(DomainDispatcherApplication(create_backend_app), self.cost_explorer)
        app = GuardDutyMiddleware(moto_and_ce, GuardDutyFindings(self.company, self._instance_id))
        # Bind here so a busy port is a plain OSError (werkzeug would print and sys.exit).
        with socket.create_server((host, port)) as listener:
            self._server = make_server(host, listener.getsockname()[1], app, threaded=True,
                                       request_handler=_quiet_handler(), fd=listener.fileno())
        self._thread = threading.Thread(target=self._server.serve_forever, name="guardian-sandbox-aws",
                                        daemon=True)
        self._thread.start()
        self._profile_dir = tempfile.mkdtemp(prefix="guardian-sandbox-")
        for name in ("credentials", "config"):
            with open(f"{self._profile_dir}/{name}", "w", encoding="utf-8"):
                pass
        if seed:
            try:
                self.seed()
            except Exception:
                self.stop()
                raise
        source = self._standin_source
        self.standins = list(source() if callable(source) else source)
        for standin in self.standins:
            standin.start()

    def stop(self) -> None:
        """Stop the stand-ins and the AWS endpoint (idempotent)."""
        for standin in reversed(self.standins):
            with contextlib.suppress(Exception):
                standin.stop()
        self.standins = []
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self._profile_dir is not None:
            shutil.rmtree(self._profile_dir, ignore_errors=True)
            self._profile_dir = None

    def _instance_id(self, name: str) -> str:
        """A seeded instance's id, for the GuardDuty findings that name it."""
        return self.ids.instances[name] if self.ids is not None else name

    def seed(self) -> SeededIds:
        """(Re)build the company's AWS account in moto; returns the ids AWS assigned."""
        self.ids = seed_company(self.endpoint, self.company)
        return self.ids

    def reset(self) -> SeededIds:
        """Undo whatever a test changed: moto reset + re-seed (same ids: moto's RNG is seeded).
        moto's state is per process, so this resets every Sandbox in this process."""
        return self.seed()

    @property
    def azure(self) -> Any:
        """The running Azure Resource Manager stand-in (``sandbox.azure_api.AzureStandIn``)."""
        from sandbox.azure_api import AzureStandIn

        found = next((s for s in self.standins if isinstance(s, AzureStandIn)), None)
        if found is None:
            raise RuntimeError("this sandbox runs no Azure stand-in")
        return found

    @property
    def seeded(self) -> dict[str, Any]:
        """The seeded ids as plain name -> id maps (``seed_aws.as_dict``); seeds on first use."""
        return as_dict(self.ids if self.ids is not None else self.seed())

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ what clients need

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the sandbox is not running: call start() first")
        return int(self._server.server_address[1])

    @property
    def endpoint(self) -> str:
        host = str(self._server.server_address[0]) if self._server is not None else "127.0.0.1"
        return f"http://{host}:{self.port}"

    def boto_session(self) -> PinnedSession:
        """A boto3 session whose clients go to the sandbox with dummy keys, whatever the
        process environment says (for ``ToolContext(boto_session_factory=sandbox.boto_session)``
        in tests; the CLI uses ``env`` instead)."""
        return PinnedSession(self.endpoint, self.company.regions[0])

    @property
    def env(self) -> dict[str, str]:
        """Variables pointing boto3 and Guardian at the sandbox (dummy keys, both regions)."""
        values = {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": self.company.regions[0],
            "GUARDIAN_AWS_REGIONS": ",".join(self.company.regions),
            "GUARDIAN_INSECURE_DEV": "1",
        }
        if self._profile_dir is not None:  # a user's real ~/.aws profile can never be picked up
            values["AWS_SHARED_CREDENTIALS_FILE"] = f"{self._profile_dir}/credentials"
            values["AWS_CONFIG_FILE"] = f"{self._profile_dir}/config"
        for standin in self.standins:
            values.update(standin.env())
        return values


class PinnedSession(boto3.session.Session):
    """A boto3 session whose clients default to one endpoint with dummy keys (an explicit
    ``endpoint_url`` wins over AWS_ENDPOINT_URL*, so the process environment cannot
    redirect it)."""

    def __init__(self, endpoint: str, region: str) -> None:
        super().__init__(aws_access_key_id="testing", aws_secret_access_key="testing",
                         region_name=region)
        self.sandbox_endpoint = endpoint

    def client(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("endpoint_url", self.sandbox_endpoint)
        return super().client(*args, **kwargs)

    def resource(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("endpoint_url", self.sandbox_endpoint)
        return super().resource(*args, **kwargs)


def _quote(value: str) -> str:
    return value if all(ch.isalnum() or ch in "-_./:,=@" for ch in value) else "'" + value.replace("'", "'\\''") + "'"


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def summary(company: Company) -> list[str]:
    """A few ``#`` comment lines on what is in the account and what is wrong with it (comments,
    so ``eval "$(guardian sandbox --once)"`` still works)."""
    from sandbox.company import gcp_planted_problems, planted_problems

    lines = [f"# {len(company.instances)} EC2 instances, {len(company.buckets)} S3 buckets, "
             f"{len(company.databases)} RDS databases, {len(company.functions)} Lambda functions, "
             f"{len(company.iam_users)} IAM users in {', '.join(company.regions)}",
             "# planted problems (ask Guardian to find them):"]
    lines += [f"#   {p.kind}: {p.resource} ({p.region}) {p.detail}" for p in planted_problems(company)]
    lines += [f"#   gcp {p.kind}: {p.resource} ({p.region}) {p.detail}" for p in gcp_planted_problems()]
    return lines


def azure_summary() -> list[str]:
    """The Azure subscription's counts and planted problems, as ``#`` comment lines."""
    from sandbox.company import DRIFTWOOD_AZURE, azure_planted_problems

    azure = DRIFTWOOD_AZURE
    lines = [f"# Azure subscription {azure.subscription_name} ({azure.subscription_id}): "
             f"{len(azure.resource_groups)} resource groups, {len(azure.vms)} VMs, {len(azure.nsgs)} NSGs, "
             f"{len(azure.storage_accounts)} storage accounts"]
    lines += [f"#   {p.kind}: {p.resource} ({p.region}) {p.detail}" for p in azure_planted_problems(azure)]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """``guardian sandbox``: start, seed, print ``export`` lines, serve until Ctrl-C.
    ``guardian sandbox fire ...``: a signed sample PagerDuty webhook at a running serve;
    ``guardian sandbox fire --alertmanager ...``: a sample Alertmanager notification."""
    if argv is not None and list(argv)[:1] == ["fire"]:
        rest = list(argv)[1:]
        if "--alertmanager" in rest:
            from sandbox.alertmanager_webhooks import main as fire_alert

            return fire_alert([arg for arg in rest if arg != "--alertmanager"])
        from sandbox.pagerduty_webhooks import main as fire

        return fire(rest)
    parser = argparse.ArgumentParser(prog="guardian sandbox", description=__doc__,
                                     epilog="guardian sandbox fire --url URL [--secret S]: a signed sample "
                                     "PagerDuty escalation at a running guardian serve (see fire --help); "
                                     "guardian sandbox fire --alertmanager --url URL [--token T] [--resolved]: "
                                     "a sample Alertmanager alert group, or its resolution")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="AWS endpoint port (0: any free port)")
    parser.add_argument("--aws-only", action="store_true",
                        help="skip the GitHub, PagerDuty, Azure and Google Cloud stand-ins")
    parser.add_argument("--once", action="store_true", help="print the variables and exit (for scripts/tests)")
    args = parser.parse_args(list(argv) if argv is not None else None)
    sandbox = Sandbox(standins=[] if args.aws_only else None)
    try:
        started = time.monotonic()
        sandbox.start(args.host, args.port)
        seeded_in = time.monotonic() - started
    except OSError as exc:
        sandbox.stop()
        sys.stderr.write(f"guardian sandbox: could not start: {exc}\n")
        return 1
    previous = signal.signal(signal.SIGTERM, _interrupt)  # `kill` cleans up like Ctrl-C
    try:
        return _serve(sandbox, seeded_in, once=args.once)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _serve(sandbox: Sandbox, seeded_in: float, *, once: bool) -> int:
    """Print the variables, then serve until Ctrl-C or SIGTERM (or return at once)."""
    lines = [f"# {sandbox.company.name} sandbox at {sandbox.endpoint} (started and seeded in {seeded_in:.1f} s)"]
    lines += [f"export {key}={_quote(value)}" for key, value in sandbox.env.items()]
    lines += summary(sandbox.company)
    if any(type(standin).__name__ == "AzureStandIn" for standin in sandbox.standins):
        lines += azure_summary()
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()
    if once:
        sandbox.stop()
        return 0
    sys.stderr.write("# serving; Ctrl-C to stop\n")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
