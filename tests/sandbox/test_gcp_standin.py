"""The Google Cloud stand-in's logging query language: what Guardian sends and what a person
might type, with the documented precedence (NOT, then OR, then AND)."""

from __future__ import annotations

import pytest

from sandbox.gcp_api import parse_filter

ENTRY = {"severity": "ERROR", "timestamp": "2026-12-03T07:00:00.000000Z", "textPayload": "Pool Exhausted",
         "resource": {"type": "cloud_run_revision", "labels": {"service_name": "checkout-api"}},
         "labels": {"compute.googleapis.com/resource_name": "gce-1"}}


@pytest.mark.parametrize(("query", "matches"), [
    ("", True),
    ("severity>=ERROR", True),
    ("severity>=critical", False),
    ("severity<WARNING", False),
    ('timestamp>="2026-12-03T06:00:00Z" AND timestamp<"2026-12-03T07:00:00Z"', False),
    ('timestamp>="2026-12-03T06:00:00Z" timestamp<"2026-12-03T08:00:00Z"', True),  # juxtaposition is AND
    ('resource.labels.service_name="checkout-api"', True),
    ('labels."compute.googleapis.com/resource_name"="gce-1"', True),
    ('labels."compute.googleapis.com/resource_name"="gce-2"', False),
    ('textPayload:"pool exhausted"', True),  # ":" has, case-insensitive
    ('resource.type="gce_instance" AND severity>=ERROR OR textPayload:"pool"', False),  # a AND (b OR c)
    ('(resource.type="gce_instance" AND severity>=ERROR) OR textPayload:"pool"', True),
    ('NOT resource.type="gce_instance"', True),
    ('-resource.type="cloud_run_revision"', False),
    ("jsonPayload.message:x", False),  # a missing field matches nothing
])
def test_filters(query: str, matches: bool) -> None:
    assert parse_filter(query)(ENTRY) is matches


@pytest.mark.parametrize("query", ['severity>=', '(severity>=ERROR', 'severity>=ERROR)', '= "x"'])
def test_malformed_filters_are_refused(query: str) -> None:
    with pytest.raises(ValueError):
        parse_filter(query)
