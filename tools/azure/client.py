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


def _one_slip_apart(typed: str, name: str) -> bool:
    """Whether ``typed`` is ``name`` with one slip of the keyboard: a letter changed, dropped or
    added, or two neighbours swapped (optimal string alignment distance 1)."""
    if typed == name or abs(len(typed) - len(name)) > 1:
        return False
    if len(typed) == len(name):
        diff = [i for i, (a, b) in enumerate(zip(typed, name, strict=True)) if a != b]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and typed[diff[0]] == name[diff[1]] and typed[diff[1]] == name[diff[0]])
    short, long = (typed, name) if len(typed) < len(name) else (name, typed)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


def resource_group_meant(ctx: ToolContext, name: str | None) -> tuple[str | None, str]:
    """The resource group a request names, and what to say of the reading: a name typed with one
    slip ("rg-platfrom") that no group has, but exactly one group is one slip from, is that
    group ("Read rg-platfrom as rg-platform."); any other name is left as given (the call then
    says it is not there)."""
    if not name:
        return name, ""
    try:
        groups = [str(group.name) for group in arm(ctx, "resource").resource_groups.list()]
    except Exception:  # no listing (denied, throttled): the name as given, the call says the rest
        return name, ""
    if any(group.lower() == name.lower() for group in groups):
        return name, ""
    close = [group for group in groups if _one_slip_apart(name.lower(), group.lower())]
    if len(close) != 1:
        return name, ""
    return close[0], f"Read {name} as resource group {close[0]}."
