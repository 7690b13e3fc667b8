"""`guardian inventory sync`: snapshot what the inventory tools see into the knowledge
store, so questions like "what does the payments team run?" can be grounded in it, and keep
each snapshot in the database's inventory history, so "what changed since yesterday?" is the
difference between two of them."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from knowledge.namespaces import INVENTORY_NAMESPACE

if TYPE_CHECKING:
    from agents.inventory_history import InventoryHistory
    from bot.runtime import Runtime


def resource_document(row: dict[str, Any]) -> tuple[str, str, str]:
    """(source, title, text) for one inventory row."""
    rid = str(row.get("id") or row.get("resource_id") or row.get("name") or row.get("arn") or "unknown")
    kind = str(row.get("type") or row.get("resource_type") or "resource")
    lines = [f"{key}: {value}" for key, value in row.items() if value not in (None, "", [], {})]
    return f"inventory/{kind}/{rid}", f"{kind} {rid}", "\n".join(lines)


def resource_record(row: dict[str, Any]) -> dict[str, Any]:
    """The fields the history keeps for one row: those its document shows, as JSON values
    (a date or an enum a tool left in a row becomes its text)."""
    shown = {key: value for key, value in row.items() if value not in (None, "", [], {})}
    return dict(json.loads(json.dumps(shown, default=str)))


def snapshot_resources(records: dict[str, dict[str, Any]], failed: set[str], history: InventoryHistory
                       ) -> dict[str, dict[str, Any]]:
    """This sync's resources, plus the last snapshot's of the clouds that could not be read
    now: unknown is not removed, so the difference does not report them gone."""
    latest = history.latest() if failed else None
    carried = {key: fields for key, fields in (latest[1] if latest else {}).items()
               if fields.get("cloud") in failed and key not in records}
    return {**records, **carried}


class DeferredHistory:
    """The inventory history for the tool context, opened on first use: building a context
    (every command does) must not open the database; only a question about changes does."""

    def __init__(self, open_history: Callable[[], InventoryHistory]) -> None:
        self._open = open_history

    def at_or_before(self, moment: datetime) -> tuple[datetime, dict[str, dict[str, Any]]] | None:
        return self._open().at_or_before(moment)

    def after(self, moment: datetime) -> list[tuple[datetime, dict[str, dict[str, Any]]]]:
        return self._open().after(moment)


def sync_inventory(rt: Runtime) -> dict[str, Any]:
    from bot.errors import UserError

    docs: list[tuple[str, str, str]] = []
    records: dict[str, dict[str, Any]] = {}
    errors: list[str] = []
    failed: set[str] = set()
    failed_regions: dict[str, str] = {}
    for spec in rt.registry.for_skill("infra.inventory"):
        if spec.mutating:
            continue
        result = rt.registry.invoke(spec.name, {}, rt.tool_ctx)
        if result.status == "error":
            errors.append(result.summary)
            failed.add(spec.integration)
            continue
        failed_regions.update(result.facts.get("failed_regions") or {})
        for row in result.rows:
            doc = resource_document({"cloud": spec.integration, **row})
            docs.append(doc)
            records[doc[0]] = resource_record({"cloud": spec.integration, **row})
    if errors and not docs:  # keep the last snapshot rather than replace it with nothing
        raise UserError("; ".join(errors))
    if failed_regions:  # a snapshot without a region would drop that region's resources from the store
        regions = "; ".join(f"{region}: {reason.rstrip('.')}" for region, reason in failed_regions.items())
        raise UserError(f"Inventory not synced, the last snapshot is kept: could not check {regions}. Try again, "
                        "or leave the region out of GUARDIAN_AWS_REGIONS.")
    count = rt.knowledge.upsert_documents(INVENTORY_NAMESPACE, docs)
    history = rt.storage.inventory
    history.record(snapshot_resources(records, failed, history))
    return {"resources": len(docs), "chunks": count, "errors": errors}
