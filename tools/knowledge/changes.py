"""What changed in the infrastructure since a moment: the difference between the inventory
snapshot taken at or before it and the latest one (both kept by ``guardian inventory sync``),
cited as inventory snapshots. Resources added, removed, and changed field by field (state,
owner, tags, size...), with the snapshot that first showed each one as it is now."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from pydantic import BaseModel, Field

from tools.base import InventorySnapshot, ToolContext, ToolResult
from tools.wording import counted

COLUMNS = ["change", "cloud", "type", "name", "id", "what", "when"]
CHANGE_ORDER = {"added": 0, "removed": 1, "changed": 2}
DEFAULT_WINDOW = timedelta(days=1)
MAPPED = ("tags", "labels")
NO_SNAPSHOT = "run `guardian inventory sync` (guardian serve takes one on a schedule)"


class InventoryChangesArgs(BaseModel):
    start: date | None = Field(default=None, description="Changes since the start of this ISO date (UTC).")
    start_time: datetime | None = Field(default=None, description="Changes since this moment; takes the "
                                                                   "place of start.")
    limit: int = Field(default=50, ge=1, le=500, description="How many changed resources to show.")


def _since(args: InventoryChangesArgs, now: datetime) -> datetime:
    if args.start_time is not None:
        return args.start_time if args.start_time.tzinfo else args.start_time.replace(tzinfo=UTC)
    if args.start is not None:
        return datetime.combine(args.start, time.min, tzinfo=UTC)
    return now - DEFAULT_WINDOW


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _taken(moment: datetime) -> str:
    """A snapshot's time to the second: two syncs can fall in one minute."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _text(value: Any) -> str:
    return "(none)" if value in (None, "", [], {}) else str(value)


def _mapping(key: str, value: Any) -> dict[str, Any] | None:
    """Tags and labels as a mapping, whether a tool gave a dict or ``k=v, k=v`` text."""
    if isinstance(value, dict):
        return value
    if key in MAPPED and isinstance(value, str) and "=" in value:
        pairs = [part.partition("=") for part in value.split(", ")]
        if all(sep for _k, sep, _v in pairs):
            return {k.strip(): v.strip() for k, _sep, v in pairs}
    return None


def field_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """``field: old -> new`` for each field that differs; tags and labels are compared key by
    key, so one changed tag reads as ``tags.env: prod -> staging``."""
    out: list[str] = []
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        was, now = _mapping(key, before), _mapping(key, after)
        if (was is not None or before is None) and (now is not None or after is None):
            was, now = was or {}, now or {}
            out.extend(f"{key}.{sub}: {_text(was.get(sub))} -> {_text(now.get(sub))}"
                       for sub in sorted(set(was) | set(now)) if was.get(sub) != now.get(sub))
        else:
            out.append(f"{key}: {_text(before)} -> {_text(after)}")
    return out


def _first_seen(key: str, snapshots: list[InventorySnapshot]) -> datetime:
    """When the resource was first seen as it is in the latest snapshot (or first seen gone)."""
    final = snapshots[-1][1].get(key)
    when = snapshots[-1][0]
    for taken_at, resources in reversed(snapshots):
        if resources.get(key) != final:
            break
        when = taken_at
    return when


def diff(base: InventorySnapshot, later: list[InventorySnapshot]) -> list[dict[str, Any]]:
    """The rows for every resource added, removed or changed from ``base`` to ``later[-1]``."""
    before, after = base[1], later[-1][1]
    rows = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        record = new or old or {}
        change = "added" if old is None else "removed" if new is None else "changed"
        what = field_changes(old, new) if old is not None and new is not None else []
        rows.append({"change": change, "cloud": record.get("cloud", ""), "type": record.get("type", ""),
                     "name": record.get("name", ""), "id": record.get("id", ""), "what": "; ".join(what),
                     "when": _taken(_first_seen(key, [base, *later])), "source": key})
    rows.sort(key=lambda row: (CHANGE_ORDER[row["change"]], row["cloud"], row["type"], row["name"], row["id"]))
    return rows


def _counts(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {change: sum(1 for row in rows if row["change"] == change) for change in CHANGE_ORDER}


def _citation(snapshot: InventorySnapshot) -> dict[str, str]:
    moment = snapshot[0].astimezone(UTC)
    return {"source": f"inventory/snapshot/{moment.strftime('%Y-%m-%dT%H:%M:%SZ')}",
            "title": f"inventory snapshot of {_taken(moment)}"}


def inventory_changes(ctx: ToolContext, args: InventoryChangesArgs) -> ToolResult:
    if ctx.inventory_history is None:
        return ToolResult.error("The inventory history is not available in this process.")
    since = _since(args, datetime.now(UTC))
    base = ctx.inventory_history.at_or_before(since)
    later = ctx.inventory_history.after(since)
    lead = ""
    if base is None:
        if len(later) < 2:
            only = f" (the only one is from {_taken(later[0][0])}, nothing to compare it with)" if later else ""
            return ToolResult.no_data(f"No inventory snapshot was taken at or before {_stamp(since)}{only}, so "
                                      f"what changed since then is unknown; {NO_SNAPSHOT}.")
        base, later = later[0], later[1:]
        lead = (f"No inventory snapshot was taken at or before {_stamp(since)}; the oldest is from "
                f"{_taken(base[0])}, so this covers only what changed after it. ")
    if not later:
        return ToolResult.no_data(f"No inventory snapshot was taken after {_stamp(since)} (the latest is from "
                                  f"{_taken(base[0])}), so there is nothing to compare; {NO_SNAPSHOT}.")
    rows = diff(base, later)
    counts = _counts(rows)
    window = f"between the inventory snapshots of {_taken(base[0])} and {_taken(later[-1][0])}"
    if rows:
        lead += (f"{counted(len(rows), 'resource')} changed {window}: "
                 f"{counts['added']} added, {counts['removed']} removed, {counts['changed']} changed.")
    else:
        lead += f"No resource was added, removed or changed {window} ({counted(len(later[-1][1]), 'resource')})."
    shown = rows[: args.limit]
    if len(rows) > len(shown):
        lead += f" Showing the first {len(shown)}."
    resources = list(dict.fromkeys(value for row in shown for value in (row["name"], row["id"]) if value))
    return ToolResult(status="ok", summary=lead, columns=COLUMNS,
                      rows=[{column: row[column] for column in COLUMNS} for row in shown],
                      facts={**counts, "since": since.isoformat(), "from": base[0].isoformat(),
                             "to": later[-1][0].isoformat()},
                      resources=resources, citations=[_citation(base), _citation(later[-1])])
