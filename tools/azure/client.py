"""Azure management clients built from Guardian's configuration (``ToolContext.azure``):
the ARM endpoint and its token audience, a CA bundle for a private CA, bounded retries and
timeouts, and the credential. Nothing here reads the environment; azure-identity's
``DefaultAzureCredential`` keeps Azure's own conventions (AZURE_CLIENT_ID, managed identity,
``az login``) when no static token is configured.

The SDKs are imported when a tool first runs, so a command that needs no Azure pays nothing.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from tools.base import ToolContext
from tools.settings import AzureSettings

RETRIES = 2  # a throttled or failing call is retried twice (azure-core honours Retry-After)
RETRY_BACKOFF = 0.5
CONNECT_TIMEOUT = 5
READ_TIMEOUT = 20
TOKEN_LIFETIME = 3600
_LOCK = threading.Lock()


class StaticTokenCredential:
    """A fixed ARM bearer token (the sandbox, or a token a pipeline minted): the credential
    protocol azure-core asks of any credential, with no network and no refresh."""

    def __init__(self, token: str) -> None:
        self._token = token

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:  # noqa: ARG002 - the protocol's signature
        from azure.core.credentials import AccessToken

        return AccessToken(self._token, int(time.time()) + TOKEN_LIFETIME)

    def get_token_info(self, *scopes: str, options: Any = None) -> Any:  # noqa: ARG002
        from azure.core.credentials import AccessTokenInfo

        return AccessTokenInfo(self._token, int(time.time()) + TOKEN_LIFETIME)


def credential(settings: AzureSettings) -> Any:
    """The static token when one is configured, else azure-identity's default chain."""
    if settings.token is not None and settings.token.get_secret_value():
        return StaticTokenCredential(settings.token.get_secret_value())
    from azure.identity import DefaultAzureCredential

    return DefaultAzureCredential()


def client_options(settings: AzureSettings) -> dict[str, Any]:
    """What every management client is made with: the endpoint, the token audience of that
    endpoint (sovereign clouds differ), TLS verification and bounded retries."""
    return {
        "base_url": settings.base_url,
        "credential_scopes": [f"{settings.base_url}/.default"],
        "connection_verify": settings.verify,
        "retry_total": RETRIES,
        "retry_backoff_factor": RETRY_BACKOFF,
        "connection_timeout": CONNECT_TIMEOUT,
        "read_timeout": READ_TIMEOUT,
    }


def _make(kind: str, settings: AzureSettings) -> Any:
    cred = credential(settings)
    options = client_options(settings)
    sub = str(settings.subscription_id)
    if kind == "resource":
        from azure.mgmt.resource.resources import ResourceManagementClient

        return ResourceManagementClient(cred, sub, **options)
    if kind == "compute":
        from azure.mgmt.compute import ComputeManagementClient

        return ComputeManagementClient(cred, sub, **options)
    if kind == "network":
        from azure.mgmt.network import NetworkManagementClient

        return NetworkManagementClient(cred, sub, **options)
    if kind == "storage":
        from azure.mgmt.storage import StorageManagementClient

        return StorageManagementClient(cred, sub, **options)
    if kind == "cost":
        from azure.mgmt.costmanagement import CostManagementClient

        return CostManagementClient(cred, **options)
    raise ValueError(f"unknown Azure client {kind}")


def arm(ctx: ToolContext, kind: str) -> Any:
    """The ``kind`` management client (resource, compute, network, storage, cost), made once
    per context: clients are thread-safe and hold a connection pool."""
    with _LOCK:
        made = ctx.azure_clients.get(kind)
        if made is None:
            made = ctx.azure_clients[kind] = _make(kind, ctx.azure)
    return made


def text(value: Any) -> str:
    """An SDK value as plain text: the SDKs' enums are str subclasses whose ``str()`` is the
    enum's name ("SecurityRuleDirection.INBOUND"), their ``value`` is the wire text."""
    if value is None:
        return ""
    return str(getattr(value, "value", value))


def subscription_scope(ctx: ToolContext, resource_group: str | None = None) -> str:
    scope = f"/subscriptions/{ctx.azure.subscription_id}"
    return f"{scope}/resourceGroups/{resource_group}" if resource_group else scope


def resource_group_of(resource_id: str) -> str:
    """The resource group named in an ARM id ('' when it names none)."""
    parts = resource_id.split("/")
    lowered = [part.lower() for part in parts]
    if "resourcegroups" in lowered:
        index = lowered.index("resourcegroups") + 1
        return parts[index] if index < len(parts) else ""
    return ""
