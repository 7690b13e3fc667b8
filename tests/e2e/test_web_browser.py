"""The web chat in a real browser: Debian's headless Chromium driven by Playwright, against
uvicorn on loopback serving the real app over an in-process Runtime on the sandbox company
(real graph, tools, SQLite). Ask, see the answer (only the public buckets), ask for an
action, have the requester's own click refused, approve as someone allowed to, see the
result, and check it ran exactly once.

No browser is not a reason to skip: `make install` brings Debian's chromium, so a missing
one fails here."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from bot.http_app import BackgroundServer
from bot.runtime import Runtime
from bot.settings import load_settings
from sandbox.company import DRIFTWOOD
from tests.conftest import sandbox_environment
from tests.e2e.test_trust import _instance, _state
from tests.helpers import CONTRACT_POLICY

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("company_as_seeded")]

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
TOKENS = "carol:carol-token,dave:dave-token"
WAIT_MS = 60_000


@pytest.fixture(scope="module")
def web(sandbox: Any, tmp_path_factory: pytest.TempPathFactory,
        warm_home: Callable[[Path], Path]) -> Iterator[tuple[Runtime, str]]:
    home = tmp_path_factory.mktemp("web-home")
    policy = home / "policy.yaml"
    policy.write_text(CONTRACT_POLICY.replace("bob: [oncall]}", "bob: [oncall], carol: [oncall], dave: [oncall]}"))
    with pytest.MonkeyPatch.context() as patch:
        sandbox_environment(patch, sandbox)
        settings = load_settings(home=warm_home(home / "state"), policy=policy, web_token=SecretStr(TOKENS))
        with Runtime(settings) as rt, BackgroundServer(rt) as server:
            rt.guardian  # noqa: B018 - warm up (model, runbook index, graph) before the clock of any wait starts
            rt.router.route("warm up")
            rt.knowledge.search("public bucket")
            yield rt, server.url


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    assert CHROMIUM.is_file(), "Debian's chromium is missing: `make install` installs it (apt-get install chromium)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=str(CHROMIUM), headless=True,
            args=FLAGS)
        try:
            yield context
        finally:
            context.close()


def _open(context: Any, url: str, token: str) -> Any:
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.problems = problems
    page.goto(f"{url}/#token={token}")
    assert "#token" not in page.url  # the token leaves the address bar at once
    return page


def _ask(page: Any, text: str) -> Any:
    """Type a question, send it, and return the answer's element once it has arrived."""
    before = page.locator(".msg.bot > .answer").count()
    page.fill("#question", text)
    page.click("#send")
    answer = page.locator(".msg.bot > .answer").nth(before)
    answer.wait_for(timeout=WAIT_MS)  # locators, not page functions: the page's CSP forbids eval
    return answer


def test_ask_and_see_only_the_public_buckets(web: tuple[Runtime, str], browser_context: Any) -> None:
    _rt, url = web
    page = _open(browser_context, url, "carol-token")
    assert page.title() == "Guardian"
    assert page.locator("#token-form").is_hidden()  # a token came with the address: nothing to ask for
    answer = _ask(page, "which buckets are public?")
    public = {bucket.name for bucket in DRIFTWOOD.public_buckets()}
    others = {bucket.name for bucket in DRIFTWOOD.buckets} - public
    assert answer.get_attribute("data-skill") == "security.public_storage"
    assert answer.locator(".lead").inner_text().startswith(f"{len(public)} of {len(DRIFTWOOD.buckets)} buckets are "
                                                           "public: ")
    shown = answer.inner_text()
    assert all(name in shown for name in public) and not any(name in shown for name in others)
    assert "s3-bucket-public.md" in answer.locator(".context").inner_text()
    assert page.locator("#who").inner_text() == "as carol"
    assert page.problems == []


def test_a_cost_jump_is_drawn_as_a_chart_and_its_table_sorted(web: tuple[Runtime, str], browser_context: Any) -> None:
    _rt, url = web
    page = _open(browser_context, url, "carol-token")
    answer = _ask(page, "why did our aws bill jump the last few days?")
    assert answer.get_attribute("data-skill") == "cost.anomalies"
    assert answer.locator("figure.chart svg polyline").count() >= 1, answer.inner_text()  # say what came instead
    first_row = answer.locator("table tbody tr").first.locator("td").first.inner_text()
    # the account has a Cost Anomaly Detection monitor (sandbox/company.py): AWS's anomaly leads
    assert answer.locator(".lead").inner_text().startswith(f"AWS Cost Anomaly Detection: {first_row} in ")
    assert page.problems == []


def test_approve_an_action_see_the_result_and_it_ran_once(web: tuple[Runtime, str], browser_context: Any,
                                                          sandbox: Any) -> None:
    rt, url = web
    instance_id, ec2 = _instance(sandbox, "analytics-dev-1")
    page = _open(browser_context, url, "carol-token")
    answer = _ask(page, "stop analytics-dev-1")
    box = answer.locator(".approval")
    approval_id = box.get_attribute("data-approval-id")
    assert approval_id and instance_id in box.inner_text()
    assert rt.storage.approvals.get(approval_id).status == "pending"

    box.locator("button.approve").click()  # carol asked, so carol may not approve it
    box.locator(".result.refused").wait_for(timeout=WAIT_MS)
    assert box.locator(".result").inner_text().startswith("Refused: carol asked for this action")
    assert box.locator("button.approve").is_enabled()  # someone else still may
    assert rt.storage.approvals.get(approval_id).status == "pending" and _state(ec2, instance_id) == "running"

    page.click("#change-token")  # dave, on call, takes the keyboard
    assert page.locator("#token-form").is_visible()
    page.fill("#token", "dave-token")
    page.press("#token", "Enter")
    box.locator("button.approve").click()
    box.locator(".result.done").wait_for(timeout=WAIT_MS)
    result = box.locator(".result").inner_text()
    assert result.startswith(f"Done (approved by dave, {approval_id})") and instance_id in result
    assert not box.locator("button.approve").is_enabled() and not box.locator("button.deny").is_enabled()

    assert _state(ec2, instance_id) in ("stopping", "stopped")
    record = rt.storage.approvals.get(approval_id)
    assert (record.status, record.decided_by, record.requested_by) == ("executed", "dave", "carol")
    runs = [r for r in rt.storage.audit.query(event="action.executed") if r["approval_id"] == approval_id]
    assert len(runs) == 1 and runs[0]["surface"] == "web"
    # the browser logs the refused click's 403 and nothing else went wrong on the page
    assert page.problems == ["Failed to load resource: the server responded with a status of 403 (Forbidden)"]


def test_an_incident_brief_arrives_in_the_open_page_and_its_resolution_replaces_it(
        web: tuple[Runtime, str], browser_context: Any, sandbox: Any) -> None:
    """`make demo`'s scene: the page is open, PagerDuty escalates (the sandbox's signed sample
    through the real webhook route), the brief appears without a question; resolved, the same
    box changes."""
    import json
    import urllib.request

    from sandbox.pagerduty_api import PagerDutyStandIn
    from sandbox.pagerduty_webhooks import add_incident, incident_event

    rt, url = web
    pd = next(s for s in sandbox.standins if isinstance(s, PagerDutyStandIn))
    incident = add_incident(pd.data, "Payments API 5xx error rate above 5% (prod)")
    page = _open(browser_context, url, "carol-token")

    def fire(event_type: str, **kw: Any) -> None:
        # no Slack or PAGERDUTY_WEBHOOK_SECRET here: the sandbox's GUARDIAN_INSECURE_DEV=1 takes it unsigned
        body = json.dumps(incident_event(pd.data, incident.id, event_type, **kw)).encode()
        request = urllib.request.Request(f"{url}/webhooks/pagerduty", data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 202

    try:
        fire("incident.escalated")
        box = page.locator(f'.incident[data-incident-id="{incident.id}"]')
        box.wait_for(timeout=WAIT_MS)
        assert box.get_attribute("data-status") == "triggered"
        shown = box.inner_text()
        assert "API 5xx error rate spike" in shown and "api-5xx-spike.md" in box.locator(".context").inner_text()
        assert page.locator(".msg.bot").count() == 0  # nobody asked: only the brief is on the page
        fire("incident.resolved", agent="bob")
        page.locator(f'.incident[data-incident-id="{incident.id}"][data-status="resolved"]').wait_for(timeout=WAIT_MS)
        assert page.locator(f'.incident[data-incident-id="{incident.id}"]').count() == 1  # replaced, not added
        assert "Resolved by Bob Okafor" in page.locator(f'.incident[data-incident-id="{incident.id}"]').inner_text()
        stored = rt.storage.incidents.get(incident.id)  # kept once, without Slack, for the feed
        assert stored is not None and (stored.surface, stored.status) == ("web", "resolved")
        assert page.problems == []
    finally:
        pd.data.incidents.remove(incident)
