"""A local stand-in for Azure Resource Manager (the parts Guardian's Azure tools call), over
HTTPS with a throwaway CA: azure-core refuses to send a bearer token over plain http.

It speaks the documented ARM wire format: paths under ``/subscriptions/{id}`` matched
case-insensitively (ARM ignores case; the SDKs spell ``resourceGroups`` and
``resourcegroups``), a required ``api-version`` query parameter (400
``MissingApiVersionParameter``), ``Authorization: Bearer`` (401 ``AuthenticationFailed``),
list pages as ``{"value": [...]}``, errors as ``{"error": {"code", "message"}}`` (404
``ResourceGroupNotFound`` / ``ResourceNotFound``, 403 ``AuthorizationFailed`` naming the
action, 429 with ``Retry-After``), VM power actions as long-running operations (202 with
``Azure-AsyncOperation`` and ``Location``, the operation answering ``Succeeded``) and the
Cost Management query (``POST .../providers/Microsoft.CostManagement/query``) answering
``{"properties": {"columns", "rows"}}`` from the company's cost lines.

Tests make it misbehave on purpose: ``throttle(n)`` answers the next n requests with 429,
``deny(action)`` answers requests needing that permission with 403.
"""

from __future__ import annotations

import hmac
import re
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sandbox.company import (
    DRIFTWOOD_AZURE,
    AzureAccount,
    AzureNsg,
    AzureStorageAccount,
    AzureVm,
    azure_line_cost,
    days_between,
    utc_today,
)
from sandbox.http_standin import METHODS, Call, Reply, RouteSpec, TlsStandIn, route

# What each power action does: the states it may start from and the state it leaves.
POWER_ACTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "start": (("stopped", "deallocated"), "running"),
    "poweroff": (("running",), "stopped"),
    "deallocate": (("running", "stopped"), "deallocated"),
    "restart": (("running",), "running"),
}
POWER_DISPLAY = {"running": "VM running", "stopped": "VM stopped", "deallocated": "VM deallocated"}
PROVIDERS = {"virtualmachines": ("Microsoft.Compute", "virtualMachines"),
             "networksecuritygroups": ("Microsoft.Network", "networkSecurityGroups"),
             "storageaccounts": ("Microsoft.Storage", "storageAccounts")}
SUB = r"^/subscriptions/(?P<sub>[^/]+)"
RG = SUB + r"/resourcegroups/(?P<rg>[^/]+)"


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, {"error": {"code": code, "message": message}}, headers=headers or {})


@dataclass
class _Route:
    method: str
    pattern: re.Pattern[str]
    action: str  # the RBAC permission the request needs
    handler: Callable[..., Reply]


class AzureStandIn(TlsStandIn):
    """ARM for Driftwood Labs' subscription: resource groups, resources, VMs (with power
    actions), NSGs, storage accounts and the Cost Management query."""

    ca_prefix = "guardian-azure-ca-"

    def __init__(self, account: AzureAccount = DRIFTWOOD_AZURE, *, token: str | None = None) -> None:
        self.account = account
        self.token = token or "azure-sandbox-" + secrets.token_hex(12)
        self.power: dict[str, str] = {}
        self.throttled = 0  # the next n requests answer 429
        self.retry_after = "0"
        self.denied: set[str] = set()  # permissions the sandbox identity lacks
        self.operations: dict[str, str] = {}
        self.reset()
        self._table = self._arm_routes()
        super().__init__()

    def reset(self) -> None:
        """Every VM back in its seeded power state; no faults."""
        self.power = {vm.name.lower(): vm.power_state for vm in self.account.vms}
        self.throttled = 0
        self.denied = set()

    def throttle(self, times: int, retry_after: str = "0") -> None:
        """Answer the next ``times`` requests with 429 Too Many Requests."""
        self.throttled, self.retry_after = times, retry_after

    def deny(self, *actions: str) -> None:
        """Answer requests needing any of ``actions`` with 403 AuthorizationFailed."""
        self.denied |= set(actions)

    # -- TLS and environment
    def env(self) -> dict[str, str]:
        """The variables that point Guardian (bot/settings.py) at this stand-in."""
        return {
            "AZURE_SUBSCRIPTION_ID": self.account.subscription_id,
            "GUARDIAN_AZURE_ARM_URL": self.url,
            "GUARDIAN_AZURE_CA_BUNDLE": str(self.ca_file),
            "GUARDIAN_AZURE_TOKEN": self.token,
        }

    # -- routing: one catch-all route, matched here case-insensitively as ARM does
    def routes(self) -> list[RouteSpec]:
        return [route(method, "/{rest:path}", self._dispatch) for method in METHODS]

    def authenticate(self, call: Call) -> Reply | None:
        header = call.headers.get("authorization", "")
        if not header.startswith("Bearer ") or not hmac.compare_digest(header[7:], self.token):
            return _error(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is "
                          "missing or the token is invalid.")
        return None

    def _arm_routes(self) -> list[_Route]:
        vm = RG + r"/providers/microsoft\.compute/virtualmachines/(?P<name>[^/]+)"
        table: list[tuple[str, str, str, Callable[..., Reply]]] = [
            ("GET", SUB + r"/resourcegroups$", "Microsoft.Resources/subscriptions/resourceGroups/read",
             self._resource_groups),
            ("GET", RG + r"$", "Microsoft.Resources/subscriptions/resourceGroups/read", self._resource_group),
            ("GET", SUB + r"/resources$", "Microsoft.Resources/subscriptions/resources/read", self._resources),
            ("GET", RG + r"/resources$", "Microsoft.Resources/subscriptions/resourceGroups/resources/read",
             self._resources),
            ("GET", SUB + r"(?:/resourcegroups/(?P<rg>[^/]+))?/providers/microsoft\.compute/virtualmachines$",
             "Microsoft.Compute/virtualMachines/read", self._vms),
            ("GET", vm + r"$", "Microsoft.Compute/virtualMachines/read", self._vm),
            ("GET", vm + r"/instanceview$", "Microsoft.Compute/virtualMachines/instanceView/read",
             self._instance_view),
            ("POST", vm + r"/(?P<verb>start|poweroff|deallocate|restart)$", "Microsoft.Compute/virtualMachines/"
             "{verb}/action", self._power),
            ("GET", SUB + r"/providers/microsoft\.compute/locations/(?P<loc>[^/]+)/operations/(?P<op>[^/]+)$",
             "Microsoft.Compute/locations/operations/read", self._operation),
            ("GET", SUB + r"(?:/resourcegroups/(?P<rg>[^/]+))?/providers/microsoft\.network/"
             r"networksecuritygroups$", "Microsoft.Network/networkSecurityGroups/read", self._nsgs),
            ("GET", RG + r"/providers/microsoft\.network/networksecuritygroups/(?P<name>[^/]+)$",
             "Microsoft.Network/networkSecurityGroups/read", self._nsg),
            ("GET", SUB + r"(?:/resourcegroups/(?P<rg>[^/]+))?/providers/microsoft\.storage/storageaccounts$",
             "Microsoft.Storage/storageAccounts/read", self._storage_accounts),
            ("POST", SUB + r"(?:/resourcegroups/(?P<rg>[^/]+))?/providers/microsoft\.costmanagement/query$",
             "Microsoft.CostManagement/query/action", self._cost_query),
        ]
        return [_Route(method, re.compile(pattern, re.IGNORECASE), action, handler)
                for method, pattern, action, handler in table]

    def _dispatch(self, call: Call, rest: str) -> Reply:  # noqa: ARG002 - the path is in the call
        if self.throttled > 0:
            self.throttled -= 1
            return _error(429, "TooManyRequests", "The request was throttled: too many requests for this "
                          "subscription. Retry after the time given in Retry-After.",
                          {"Retry-After": self.retry_after})
        if not call.arg("api-version"):
            return _error(400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) "
                          "is required for all requests.")
        for spec in self._table:
            match = spec.pattern.match(call.path)
            if match is None or spec.method != call.method:
                continue
            params = {k: v for k, v in match.groupdict().items() if v is not None}
            if params.get("sub", "").lower() != self.account.subscription_id.lower():
                return _error(404, "SubscriptionNotFound", f"The subscription '{params.get('sub')}' could not "
                              "be found.")
            action = spec.action.format(verb=params.get("verb", ""))
            if action in self.denied:
                return self._forbidden(action, call.path)
            params.pop("sub")
            return spec.handler(call, **params)
        return _error(404, "NotFound", f"No HTTP resource was found that matches the request URI '{call.path}'.")

    def _forbidden(self, action: str, path: str) -> Reply:
        scope = path.split("/providers/")[0] if "/providers/" in path else path
        return _error(403, "AuthorizationFailed", f"The client 'guardian-sandbox' with object id "
                      f"'{uuid.UUID(int=7)}' does not have authorization to perform action '{action}' over scope "
                      f"'{scope}' or the scope is invalid. If access was recently granted, please refresh your "
                      "credentials.")

    # -- representations
    def _rg_known(self, rg: str | None) -> bool:
        return rg is None or any(g.name.lower() == rg.lower() for g in self.account.resource_groups)

    def _rg_missing(self, rg: str) -> Reply:
        return _error(404, "ResourceGroupNotFound", f"Resource group '{rg}' could not be found.")

    def _vm_json(self, vm: AzureVm, *, instance_view: bool = False) -> dict[str, Any]:
        ident = self.account.resource_id(vm.resource_group, "Microsoft.Compute", "virtualMachines", vm.name)
        nic = self.account.resource_id(vm.resource_group, "Microsoft.Network", "networkInterfaces",
                                       f"{vm.name}-nic")
        props: dict[str, Any] = {
            "vmId": str(uuid.uuid5(uuid.NAMESPACE_URL, ident)),
            "hardwareProfile": {"vmSize": vm.size},
            "storageProfile": {"osDisk": {"osType": vm.os_type, "name": f"{vm.name}-osdisk",
                                          "createOption": "FromImage", "diskSizeGB": 64}},
            "osProfile": {"computerName": vm.name, "adminUsername": "azureuser"},
            "networkProfile": {"networkInterfaces": [{"id": nic}]},
            "provisioningState": "Succeeded",
        }
        if instance_view:
            props["instanceView"] = self._view(vm)
        return {"id": ident, "name": vm.name, "type": "Microsoft.Compute/virtualMachines", "location": vm.location,
                "tags": vm.tags, "properties": props}

    def _view(self, vm: AzureVm) -> dict[str, Any]:
        state = self.power[vm.name.lower()]
        return {"computerName": vm.name, "osName": "ubuntu" if vm.os_type == "Linux" else "Windows Server 2022",
                "statuses": [
                    {"code": "ProvisioningState/succeeded", "level": "Info", "displayStatus": "Provisioning succeeded"},
                    {"code": f"PowerState/{state}", "level": "Info", "displayStatus": POWER_DISPLAY[state]}]}

    def _nsg_json(self, nsg: AzureNsg) -> dict[str, Any]:
        ident = self.account.nsg_id(nsg)
        rules = []
        for rule in nsg.rules:
            props: dict[str, Any] = {"protocol": rule.protocol, "sourcePortRange": "*", "access": rule.access,
                                     "priority": rule.priority, "direction": rule.direction,
                                     "destinationAddressPrefix": "*", "provisioningState": "Succeeded",
                                     "sourceAddressPrefixes": [], "destinationPortRanges": []}
            if len(rule.sources) == 1:
                props["sourceAddressPrefix"] = rule.sources[0]
            else:
                props["sourceAddressPrefixes"] = list(rule.sources)
            if len(rule.ports) == 1:
                props["destinationPortRange"] = rule.ports[0]
            else:
                props["destinationPortRanges"] = list(rule.ports)
            rules.append({"id": f"{ident}/securityRules/{rule.name}", "name": rule.name,
                          "type": "Microsoft.Network/networkSecurityGroups/securityRules", "properties": props})
        users = [{"id": self.account.resource_id(vm.resource_group, "Microsoft.Network", "networkInterfaces",
                                                 f"{vm.name}-nic")}
                 for vm in self.account.vms if vm.nsg == nsg.name]
        return {"id": ident, "name": nsg.name, "type": "Microsoft.Network/networkSecurityGroups",
                "location": nsg.location, "tags": nsg.tags, "etag": f'W/"{uuid.uuid5(uuid.NAMESPACE_URL, ident)}"',
                "properties": {"provisioningState": "Succeeded", "securityRules": rules,
                               "defaultSecurityRules": _default_rules(ident), "networkInterfaces": users}}

    def _storage_json(self, account: AzureStorageAccount) -> dict[str, Any]:
        return {"id": self.account.storage_id(account), "name": account.name,
                "type": "Microsoft.Storage/storageAccounts", "location": account.location, "tags": account.tags,
                "kind": "StorageV2", "sku": {"name": account.sku, "tier": "Standard"},
                "properties": {"provisioningState": "Succeeded", "allowBlobPublicAccess":
                               account.allow_blob_public_access, "minimumTlsVersion": "TLS1_2",
                               "supportsHttpsTrafficOnly": True, "publicNetworkAccess": "Enabled",
                               "primaryLocation": account.location, "statusOfPrimary": "available",
                               "primaryEndpoints": {"blob": f"https://{account.name}.blob.core.windows.net/"}}}

    def _generic(self) -> list[dict[str, Any]]:
        """Every resource as the resources API lists it (id, name, type, location, tags)."""
        rows = [self._vm_json(vm) for vm in self.account.vms]
        rows += [self._nsg_json(nsg) for nsg in self.account.nsgs]
        rows += [self._storage_json(sa) for sa in self.account.storage_accounts]
        return [{key: row[key] for key in ("id", "name", "type", "location", "tags")} for row in rows]

    # -- handlers
    def _resource_groups(self, _call: Call) -> Reply:
        return Reply(200, {"value": [self._rg_json(g.name) for g in self.account.resource_groups]})

    def _rg_json(self, name: str) -> dict[str, Any]:
        group = next(g for g in self.account.resource_groups if g.name.lower() == name.lower())
        return {"id": f"/subscriptions/{self.account.subscription_id}/resourceGroups/{group.name}",
                "name": group.name, "type": "Microsoft.Resources/resourceGroups", "location": group.location,
                "tags": group.tags, "properties": {"provisioningState": "Succeeded"}}

    def _resource_group(self, _call: Call, rg: str) -> Reply:
        return Reply(200, self._rg_json(rg)) if self._rg_known(rg) else self._rg_missing(rg)

    def _resources(self, _call: Call, rg: str | None = None) -> Reply:
        if not self._rg_known(rg):
            return self._rg_missing(str(rg))
        rows = self._generic()
        if rg is not None:
            rows = [row for row in rows if f"/resourcegroups/{rg.lower()}/" in row["id"].lower()]
        return Reply(200, {"value": rows})

    def _vms(self, call: Call, rg: str | None = None) -> Reply:
        if not self._rg_known(rg):
            return self._rg_missing(str(rg))
        status = (call.arg("statusOnly") or "").lower() == "true"
        vms = [vm for vm in self.account.vms if rg is None or vm.resource_group.lower() == rg.lower()]
        return Reply(200, {"value": [self._vm_json(vm, instance_view=status) for vm in vms]})

    def _find_vm(self, rg: str, name: str) -> AzureVm | Reply:
        if not self._rg_known(rg):
            return self._rg_missing(rg)
        vm = next((v for v in self.account.vms
                   if v.name.lower() == name.lower() and v.resource_group.lower() == rg.lower()), None)
        if vm is None:
            return _error(404, "ResourceNotFound", f"The Resource 'Microsoft.Compute/virtualMachines/{name}' "
                          f"under resource group '{rg}' was not found.")
        return vm

    def _vm(self, call: Call, rg: str, name: str) -> Reply:
        vm = self._find_vm(rg, name)
        if isinstance(vm, Reply):
            return vm
        expand = (call.arg("$expand") or "").lower() == "instanceview"
        return Reply(200, self._vm_json(vm, instance_view=expand))

    def _instance_view(self, _call: Call, rg: str, name: str) -> Reply:
        vm = self._find_vm(rg, name)
        return vm if isinstance(vm, Reply) else Reply(200, self._view(vm))

    def _power(self, call: Call, rg: str, name: str, verb: str) -> Reply:
        vm = self._find_vm(rg, name)
        if isinstance(vm, Reply):
            return vm
        allowed, after = POWER_ACTIONS[verb.lower()]
        state = self.power[vm.name.lower()]
        if state not in allowed:
            return _error(409, "OperationNotAllowed", f"Operation '{verb}' is not allowed on VM '{vm.name}' since "
                          f"the VM is {state}.")
        self.power[vm.name.lower()] = after
        op = str(uuid.uuid4())
        self.operations[op] = "Succeeded"
        where = f"{self.url}/subscriptions/{self.account.subscription_id}/providers/Microsoft.Compute/locations/" \
                f"{vm.location}/operations/{op}?api-version={call.arg('api-version')}"
        return Reply(202, None, headers={"Azure-AsyncOperation": where, "Location": where + "&monitor=true",
                                         "Retry-After": "0"})

    def _operation(self, call: Call, loc: str, op: str) -> Reply:  # noqa: ARG002 - ARM's path names it
        status = self.operations.get(op)
        if status is None:
            return _error(404, "NotFound", f"Operation {op} was not found.")
        if call.arg("monitor") == "true":
            return Reply(200, None)
        now = datetime.now(UTC).isoformat()
        return Reply(200, {"name": op, "status": status, "startTime": now, "endTime": now})

    def _nsgs(self, _call: Call, rg: str | None = None) -> Reply:
        if not self._rg_known(rg):
            return self._rg_missing(str(rg))
        return Reply(200, {"value": [self._nsg_json(n) for n in self.account.nsgs
                                     if rg is None or n.resource_group.lower() == rg.lower()]})

    def _nsg(self, _call: Call, rg: str, name: str) -> Reply:
        nsg = next((n for n in self.account.nsgs
                    if n.name.lower() == name.lower() and n.resource_group.lower() == rg.lower()), None)
        if nsg is None:
            return _error(404, "ResourceNotFound", f"The Resource 'Microsoft.Network/networkSecurityGroups/{name}'"
                          f" under resource group '{rg}' was not found.")
        return Reply(200, self._nsg_json(nsg))

    def _storage_accounts(self, _call: Call, rg: str | None = None) -> Reply:
        if not self._rg_known(rg):
            return self._rg_missing(str(rg))
        return Reply(200, {"value": [self._storage_json(a) for a in self.account.storage_accounts
                                     if rg is None or a.resource_group.lower() == rg.lower()]})

    def _cost_query(self, call: Call, rg: str | None = None) -> Reply:
        body = call.body if isinstance(call.body, dict) else {}
        window = _window(body)
        if window is None:
            return _error(400, "BadRequest", "Invalid query definition: timeframe must be Custom (with "
                          "timePeriod from/to), MonthToDate or TheLastMonth.")
        start, end = window
        dataset = body.get("dataset") or {}
        aggregation = dataset.get("aggregation") or {}
        cost_name = next((str(a.get("name", "PreTaxCost")) for a in aggregation.values() if isinstance(a, dict)),
                         "PreTaxCost")
        groupings = [str(g.get("name")) for g in dataset.get("grouping") or [] if isinstance(g, dict)]
        dimension = {"servicename": "ServiceName", "resourcegroupname": "ResourceGroupName",
                     "resourcegroup": "ResourceGroupName"}
        groups = [dimension.get(name.lower()) for name in groupings]
        if None in groups:
            return _error(400, "BadRequest", f"Invalid query definition: unsupported grouping {groupings}.")
        try:
            services = _filtered_services(dataset.get("filter"))
        except ValueError as exc:
            return _error(400, "BadRequest", f"Invalid query definition: {exc}")
        lines = [line for line in self.account.cost_lines
                 if (rg is None or line.resource_group.lower() == rg.lower())
                 and (services is None or line.service_name.lower() in services)]
        daily = str(dataset.get("granularity") or "None").lower() == "daily"
        totals: dict[tuple[Any, ...], float] = {}
        for line in lines:
            key = tuple(line.service_name if g == "ServiceName" else line.resource_group for g in groups)
            if daily:  # one row per day and group, the day as UsageDate (yyyymmdd, a Number)
                for day in days_between(start, end):
                    day_key = (int(day.strftime("%Y%m%d")), *key)
                    totals[day_key] = totals.get(day_key, 0.0) + azure_line_cost(line, day)
                continue
            amount = sum(azure_line_cost(line, day) for day in days_between(start, end))
            totals[key] = totals.get(key, 0.0) + amount
        columns = [{"name": cost_name, "type": "Number"}]
        columns += [{"name": "UsageDate", "type": "Number"}] if daily else []
        columns += [{"name": str(g), "type": "String"} for g in groups]
        columns.append({"name": "Currency", "type": "String"})
        rows = [[round(amount, 2), *key, "USD"] for key, amount in sorted(totals.items())]
        scope = f"/subscriptions/{self.account.subscription_id}" + (f"/resourceGroups/{rg}" if rg else "")
        return Reply(200, {"id": f"{scope}/providers/Microsoft.CostManagement/query/{uuid.uuid4()}",
                           "name": str(uuid.uuid4()), "type": "Microsoft.CostManagement/query",
                           "properties": {"nextLink": None, "columns": columns, "rows": rows}})


def _filtered_services(query_filter: Any) -> set[str] | None:
    """The lower-cased services of a ``{"dimensions": {"name": "ServiceName", "operator": "In",
    "values": [...]}}`` filter; None for no filter. A filter this stand-in does not evaluate
    raises ValueError (answered 400, never silently ignored)."""
    if not query_filter:
        return None
    dimensions = query_filter.get("dimensions") if isinstance(query_filter, dict) else None
    if not isinstance(dimensions, dict) or str(dimensions.get("name", "")).lower() != "servicename" \
            or str(dimensions.get("operator", "")).lower() != "in" or len(query_filter) != 1:
        raise ValueError("only a dimensions filter on ServiceName with the In operator is supported.")
    return {str(value).lower() for value in dimensions.get("values") or []}


def _window(body: dict[str, Any]) -> tuple[date, date] | None:
    """The query's days as [start, end): Custom's ``to`` is inclusive, as ARM's is."""
    timeframe = str(body.get("timeframe", "")).lower()
    today = utc_today()
    if timeframe == "custom":
        period = body.get("timePeriod") or {}
        try:
            start = datetime.fromisoformat(str(period["from"]).replace("Z", "+00:00")).date()
            last = datetime.fromisoformat(str(period["to"]).replace("Z", "+00:00")).date()
        except (KeyError, ValueError):
            return None
        return start, last + timedelta(days=1)
    if timeframe == "monthtodate":
        return today.replace(day=1), today + timedelta(days=1)
    if timeframe == "thelastmonth":
        end = today.replace(day=1)
        return (end - timedelta(days=1)).replace(day=1), end
    return None


def _default_rules(nsg_id: str) -> list[dict[str, Any]]:
    """The six default rules every NSG carries (the deny-all ones come from ``*``)."""
    specs = [("AllowVnetInBound", 65000, "Inbound", "Allow", "VirtualNetwork"),
             ("AllowAzureLoadBalancerInBound", 65001, "Inbound", "Allow", "AzureLoadBalancer"),
             ("DenyAllInBound", 65500, "Inbound", "Deny", "*"),
             ("AllowVnetOutBound", 65000, "Outbound", "Allow", "VirtualNetwork"),
             ("AllowInternetOutBound", 65001, "Outbound", "Allow", "*"),
             ("DenyAllOutBound", 65500, "Outbound", "Deny", "*")]
    return [{"id": f"{nsg_id}/defaultSecurityRules/{name}", "name": name,
             "type": "Microsoft.Network/networkSecurityGroups/defaultSecurityRules",
             "properties": {"protocol": "*", "sourcePortRange": "*", "destinationPortRange": "*",
                            "sourceAddressPrefix": source, "destinationAddressPrefix": "*", "access": access,
                            "priority": priority, "direction": direction, "provisioningState": "Succeeded",
                            "sourceAddressPrefixes": [], "destinationPortRanges": []}}
            for name, priority, direction, access, source in specs]

