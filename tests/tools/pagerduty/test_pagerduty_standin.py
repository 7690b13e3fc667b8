"""The PagerDuty stand-in speaks REST API v2's wire format over TLS: classic pagination,
documented error bodies, writes that need a From header."""

from __future__ import annotations

import ssl
from datetime import timedelta
from pathlib import Path

import httpx2
import pytest
from pagerduty import RestApiV2Client

from sandbox.pagerduty_api import PagerDutyStandIn
from sandbox.saas_company import SaasCompany

pytestmark = pytest.mark.slow


def _http(standin: PagerDutyStandIn) -> httpx2.Client:
    context = ssl.create_default_context(cafile=str(standin.ca_file))
    return httpx2.Client(base_url=standin.url, verify=context, timeout=5)


def test_env_names_what_bot_settings_read(pagerduty: PagerDutyStandIn) -> None:
    env = pagerduty.env()
    assert env["PAGERDUTY_API_URL"] == pagerduty.url and pagerduty.url.startswith("https://127.0.0.1:")
    assert env["PAGERDUTY_API_KEY"] == pagerduty.api_key
    assert Path(env["GUARDIAN_PAGERDUTY_CA_BUNDLE"]).read_text().startswith("-----BEGIN CERTIFICATE-----")
    assert env["GUARDIAN_PAGERDUTY_FROM_EMAIL"] == pagerduty.from_email


def test_seed_is_fresh_and_has_one_incident_per_state(company: SaasCompany) -> None:
    states = sorted(i.status for i in company.pagerduty.incidents)
    assert states == ["acknowledged", "resolved", "triggered"]
    newest = max(i.created_at for i in company.pagerduty.incidents)
    assert timedelta(0) < company.now - newest < timedelta(hours=1)
    assert all(s.shift_start <= company.now < s.shift_end for s in company.pagerduty.schedules)


def test_classic_pagination(company: SaasCompany, pagerduty: PagerDutyStandIn) -> None:
    context = ssl.create_default_context(cafile=str(pagerduty.ca_file))
    client = RestApiV2Client(pagerduty.api_key, base_url=pagerduty.url, verify=context)
    ids = [item["id"] for item in client.iter_all("/incidents", params={"date_range": "all"}, page_size=1)]
    assert sorted(ids) == sorted(i.id for i in company.pagerduty.incidents)
    with _http(pagerduty) as http:
        page = http.get("/users", params={"limit": 2, "offset": 2},
                        headers={"Authorization": f"Token token={pagerduty.api_key}"}).json()
    assert (page["limit"], page["offset"], page["more"], len(page["users"])) == (2, 2, True, 2)
    client.close()


def test_documented_error_bodies(pagerduty: PagerDutyStandIn) -> None:
    with _http(pagerduty) as http:
        denied = http.get("/incidents", headers={"Authorization": "Token token=wrong"})
        missing = http.get("/incidents/PNOPE01", headers={"Authorization": f"Token token={pagerduty.api_key}"})
        no_from = http.put("/incidents/P7K2M9Q", json={"incident": {"type": "incident_reference",
                                                                    "status": "acknowledged"}},
                           headers={"Authorization": f"Token token={pagerduty.api_key}"})
    assert denied.status_code == 401 and denied.json()["error"]["code"] == 2006
    assert missing.status_code == 404 and missing.json() == {"error": {"message": "Not Found", "code": 2100}}
    assert no_from.status_code == 400 and no_from.json()["error"]["code"] == 2001
