"""dev18 (evals18a): Cloud Storage grants asked by who they let read: any signed-in Google
account (allAuthenticatedUsers) or anyone (allUsers); "rather than X" sets X aside."""

from __future__ import annotations

from agents.focus import focus
from tools.base import ToolResult

GRANTS = ToolResult(
    status="ok", summary="2 of 4 Cloud Storage buckets in project acme-data are public.",
    columns=["bucket", "location", "member", "role", "who"],
    rows=[{"bucket": "acme-site-assets", "location": "EU", "member": "allUsers",
           "role": "roles/storage.objectViewer", "who": "anyone"},
          {"bucket": "acme-vendor-feed", "location": "ASIA", "member": "allAuthenticatedUsers",
           "role": "roles/storage.legacyObjectReader", "who": "any Google account"}],
    facts={"buckets_checked": 4, "public": 2}, resources=["acme-site-assets", "acme-vendor-feed"])


def test_logged_in_accounts_only_is_the_authenticated_grant() -> None:
    focused = focus("gcp_public_buckets", GRANTS, "which one needs a logged-in google account, instead of "
                                                  "totally anonymous access?")
    assert focused is not None
    assert [row["bucket"] for row in focused.rows] == ["acme-vendor-feed"]
    assert "allAuthenticatedUsers" in focused.lead


def test_anonymous_is_the_all_users_grant() -> None:
    focused = focus("gcp_public_buckets", GRANTS, "can unauthenticated ppl read any of our gcs stuff")
    assert focused is not None and [row["bucket"] for row in focused.rows] == ["acme-site-assets"]


def test_public_alone_keeps_every_grant() -> None:
    assert focus("gcp_public_buckets", GRANTS, "are any gcs buckets public") is None
