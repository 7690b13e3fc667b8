"""`guardian inventory sync`: snapshot what the inventory tools see into the knowledge
store, so questions like "what does the payments team run?" can be grounded in it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from knowledge.namespaces import INVENTORY_NAMESPACE

if TYPE_CHECKING:
    from bot.runtime import Runtime


def resource_document(row: dict[str, Any]) -> tuple[str, str, str]:
    """(source, title, text) for one inventory row."""
    rid = str(row.get("id") or row.get("resource_id") or row.get("name") or row.get("arn") or "unknown")
    kind = str(row.get("type") or row.get("resource_type") or "resource")
    lines = [f"{key}: {value}" for key, value in row.items() if value not in (None, "", [], {})]
    return f"inventory/{kind}/{rid}", f"{kind} {rid}", "\n".join(lines)


def sync_inventory(rt: Runtime) -> dict[str, Any]:
    from bot.errors import UserError

    docs: list[tuple[str, str, str]] = []
    errors: list[str] = []
    failed_regions: dict[str, str] = {}
    for spec in rt.registry.for_skill("infra.inventory"):
        if spec.mutating:
            continue
        result = rt.registry.invoke(spec.name, {}, rt.tool_ctx)
        if result.status == "error":
            errors.append(result.summary)
            continue
        failed_regions.update(result.facts.get("failed_regions") or {})
        docs.extend(resource_document({"cloud": spec.integration, **row}) for row in result.rows)
    if errors and not docs:  # keep the last snapshot rather than replace it with nothing
        raise UserError("; ".join(errors))
    if failed_regions:  # a snapshot without a region would drop that region's resources from the store
        regions = "; ".join(f"{region}: {reason.rstrip('.')}" for region, reason in failed_regions.items())
        raise UserError(f"Inventory not synced, the last snapshot is kept: could not check {regions}. Try again, "
                        "or leave the region out of GUARDIAN_AWS_REGIONS.")
    count = rt.knowledge.upsert_documents(INVENTORY_NAMESPACE, docs)
    return {"resources": len(docs), "chunks": count, "errors": errors}
