"""The Sandbox API and `guardian sandbox`: env, stand-in hook, deterministic seeding."""

from __future__ import annotations

import time
from typing import Any

import pytest

from sandbox.company import DRIFTWOOD_GCP, Company
from sandbox.server import Sandbox, main

pytestmark = pytest.mark.slow  # starts the sandbox (moto + Cost Explorer)


class RecordingStandIn:
    """A minimal extra stand-in: what the hook needs (start, stop, env)."""

    def __init__(self) -> None:
        self.events: list[str] = []

    def start(self) -> Any:
        self.events.append("start")
        return self

    def stop(self) -> None:
        self.events.append("stop")

    def env(self) -> dict[str, str]:
        return {"EXAMPLE_API_URL": "http://127.0.0.1:1/"}


def test_env_points_every_client_at_the_sandbox(sandbox: Sandbox, company: Company) -> None:
    env = sandbox.env
    assert env["AWS_ENDPOINT_URL"] == sandbox.endpoint
    assert env["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
    assert env["AWS_ACCESS_KEY_ID"] == env["AWS_SECRET_ACCESS_KEY"] == "testing"
    assert env["GUARDIAN_AWS_REGIONS"].split(",") == list(company.regions)
    assert env["AWS_DEFAULT_REGION"] == company.regions[0]
    assert env["GUARDIAN_INSECURE_DEV"] == "1"


def test_extra_standins_start_stop_and_contribute_env(company: Company) -> None:
    extra = RecordingStandIn()
    running = Sandbox(company, standins=[extra])
    running.start(seed=False)  # seeding resets the process-wide moto state the session sandbox uses
    try:
        assert extra.events == ["start"]
        assert running.env["EXAMPLE_API_URL"] == "http://127.0.0.1:1/"
        assert "AWS_ENDPOINT_URL" in running.env
    finally:
        running.stop()
    assert extra.events == ["start", "stop"]
    assert running.ids is None


def test_default_standins_are_github_pagerduty_and_google_cloud(company: Company) -> None:
    running = Sandbox(company)
    running.start(seed=False)
    try:
        env = running.env
        assert env["GITHUB_API_URL"].startswith("http://127.0.0.1:")
        assert env["PAGERDUTY_API_URL"].startswith("https://127.0.0.1:")
        assert env["GUARDIAN_GCP_API_URL"].startswith("http://127.0.0.1:")
        assert (env["GOOGLE_CLOUD_PROJECT"], env["GUARDIAN_GCP_ANONYMOUS"]) == (DRIFTWOOD_GCP.project_id, "1")
    finally:
        running.stop()


def test_reseeding_is_fast_and_gives_the_same_ids(sandbox: Sandbox) -> None:
    before = sandbox.ids
    started = time.monotonic()
    again = sandbox.seed()
    assert time.monotonic() - started < 10
    assert again == before


def test_main_prints_export_lines(capsys: pytest.CaptureFixture[str], sandbox: Sandbox) -> None:
    assert main(["--aws-only", "--once"]) == 0
    out = capsys.readouterr().out.splitlines()
    exports = dict(line.removeprefix("export ").split("=", 1) for line in out if line.startswith("export "))
    assert set(exports) >= {"AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                            "AWS_DEFAULT_REGION", "GUARDIAN_AWS_REGIONS", "GUARDIAN_INSECURE_DEV"}
    assert exports["AWS_ENDPOINT_URL"] != sandbox.endpoint  # its own free port
    sandbox.seed()  # moto state is per process: the session sandbox re-seeds identically


def test_start_on_a_busy_port_is_one_line(capsys: pytest.CaptureFixture[str], sandbox: Sandbox) -> None:
    assert main(["--aws-only", "--once", "--port", str(sandbox.port)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("guardian sandbox: could not start:") and "\n" not in err
