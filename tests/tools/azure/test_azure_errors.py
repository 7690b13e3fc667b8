"""Bad input and bad days: no subscription configured, throttling (retried, then said
plainly), a missing permission (named), a bad token, an untrusted certificate and an
endpoint that is not there. Each is one sentence, never a traceback."""

from __future__ import annotations

import pytest

from sandbox.azure_api import AzureStandIn
from tests.tools.azure.conftest import azure_ctx
from tools.azure.client import RETRIES
from tools.base import ToolContext
from tools.registry import ToolRegistry
from tools.settings import AzureSettings


def test_no_subscription_means_azure_is_not_configured(registry: ToolRegistry, arm: AzureStandIn) -> None:
    ctx = ToolContext(azure=AzureSettings())
    result = registry.invoke("azure_inventory", {}, ctx)
    assert result.status == "error"
    assert result.summary == "Azure is not configured: it needs a subscription (set AZURE_SUBSCRIPTION_ID)."
    assert "azure" not in registry.configured(ctx)
    assert arm.calls == []


def test_throttling_is_retried_and_then_succeeds(registry: ToolRegistry, ctx: ToolContext,
                                                arm: AzureStandIn) -> None:
    arm.throttle(RETRIES)
    result = registry.invoke("azure_open_nsg_rules", {}, ctx)
    assert result.status == "ok", result.summary
    assert len(arm.calls) == RETRIES + 1  # the same list call, until it answered


def test_throttling_that_persists_is_reported_clearly(registry: ToolRegistry, ctx: ToolContext,
                                                     arm: AzureStandIn) -> None:
    arm.throttle(RETRIES + 5)
    result = registry.invoke("azure_open_nsg_rules", {}, ctx)
    assert result.status == "error"
    assert result.summary == (f"Azure is throttling listing network security groups (429 Too Many Requests, "
                              f"still after {RETRIES} retries); try again in a minute.")
    assert len(arm.calls) == RETRIES + 1


def test_access_denied_names_the_missing_permission(registry: ToolRegistry, ctx: ToolContext,
                                                   arm: AzureStandIn) -> None:
    arm.deny("Microsoft.Storage/storageAccounts/read")
    result = registry.invoke("azure_public_storage", {}, ctx)
    assert result.summary == ("Azure denied listing storage accounts (AuthorizationFailed): the identity needs "
                              "Microsoft.Storage/storageAccounts/read permission.")


def test_a_denied_vm_action_names_its_own_permission(registry: ToolRegistry, ctx: ToolContext,
                                                     arm: AzureStandIn) -> None:
    from tests.helpers import approved_call

    arm.deny("Microsoft.Compute/virtualMachines/deallocate/action")
    result = registry.execute(approved_call("azure_vm_action", {"resource_id": "payments-worker-1",
                                                                "action": "deallocate"}), ctx)
    assert result.status == "error"
    assert "needs Microsoft.Compute/virtualMachines/deallocate/action permission" in result.summary
    assert arm.power["payments-worker-1"] == "running"


def test_a_bad_token_is_named(registry: ToolRegistry, arm: AzureStandIn) -> None:
    result = registry.invoke("azure_inventory", {}, azure_ctx(arm, token="not-the-token"))
    assert result.status == "error"
    assert result.summary.startswith("Azure rejected the credential") and "GUARDIAN_AZURE_TOKEN" in result.summary


def test_an_untrusted_certificate_points_at_the_ca_bundle_setting(registry: ToolRegistry, arm: AzureStandIn) -> None:
    result = registry.invoke("azure_inventory", {}, azure_ctx(arm, verify=True))
    assert result.status == "error"
    assert "not trusted" in result.summary and "GUARDIAN_AZURE_CA_BUNDLE" in result.summary
    assert arm.calls == []  # nothing was sent over a connection it could not trust


def test_an_endpoint_that_is_not_there(registry: ToolRegistry, arm: AzureStandIn, closed_port: int) -> None:
    url = f"https://127.0.0.1:{closed_port}"
    result = registry.invoke("azure_inventory", {}, azure_ctx(arm, arm_url=url))
    assert result.status == "error"
    assert result.summary.startswith(f"Could not reach Azure at {url}")


def test_no_token_and_no_azure_sign_in_is_named(registry: ToolRegistry, arm: AzureStandIn,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Without GUARDIAN_AZURE_TOKEN, azure-identity's default chain looks for credentials
    (environment, managed identity, az / azd / pwsh sign-ins); on a machine with none of
    them the answer says what to set, and nothing reaches ARM."""
    import os

    for key in list(os.environ):
        if key.startswith(("AZURE_", "MSI_", "IDENTITY_")):
            monkeypatch.delenv(key)
    monkeypatch.setenv("PATH", "/nonexistent")  # no az, azd or pwsh to ask
    result = registry.invoke("azure_inventory", {}, azure_ctx(arm, token=None))
    assert result.status == "error"
    assert result.summary.startswith("No Azure credentials were found: set GUARDIAN_AZURE_TOKEN")
    assert arm.calls == []
