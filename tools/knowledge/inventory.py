"""What the inventory snapshot (``guardian inventory sync``) knows about a resource, service or
owner named in plain words, across every cloud, cited as inventory (never as a runbook).

The live describe tools answer for one cloud's API; the snapshot answers "who owns
web-frontend-1?" or "where does payments-api run?" when the name belongs to another cloud, or
to several resources in several clouds."""

from __future__ import annotations

from pydantic import BaseModel, Field

from tools.base import ToolContext, ToolResult
from tools.resolve import Candidate, Phrase, holds, words, written_names

# knowledge.namespaces.INVENTORY_NAMESPACE (tools do not import knowledge)
INVENTORY_NAMESPACES = ("inventory",)
SEARCH_DEPTH = 60  # passages read before filtering by name: a small company's whole snapshot
SHOWN_FIELDS = ("cloud", "type", "name", "region", "state", "owner", "service", "env", "id")


class InventoryLookupArgs(BaseModel):
    query: str = Field(description="The resource, service or owner as the person named it.")
    limit: int = Field(default=10, ge=1, le=50)


def _record(text: str) -> dict[str, str]:
    """A snapshot document's ``key: value`` lines as a dict."""
    record = {}
    for line in text.splitlines():
        key, sep, value = line.partition(": ")
        if sep:
            record[key.strip()] = value.strip()
    record.setdefault("region", record.get("location", ""))
    return record


def _names_it(record: dict[str, str], written: list[str], name_words: tuple[str, ...]) -> bool:
    """Whole written names must run through the name, id or service; otherwise every name
    word must be one of the record's name, service or owner words."""
    candidate = Candidate(record.get("type", ""), record.get("id", ""), record.get("name", ""),
                          record.get("region", ""), record.get("env", ""), record.get("service", ""))
    if written:
        return all(holds(candidate, name) for name in written)
    own_words = set(words(" ".join(record.get(key, "") for key in ("name", "service", "owner"))))
    return bool(name_words) and all(word in own_words for word in name_words)


def _label(record: dict[str, str]) -> str:
    where = " ".join(part for part in (record.get("cloud", ""), record.get("type", "")) if part)
    owner = f", owner {record['owner']}" if record.get("owner") else ""
    return f"{record.get('name') or record.get('id')} ({where} in {record.get('region') or '?'}{owner})"


def inventory_lookup(ctx: ToolContext, args: InventoryLookupArgs) -> ToolResult:
    if ctx.knowledge is None:
        return ToolResult.error("The knowledge store is not available in this process.")
    phrase = Phrase.parse(args.query)
    written = written_names(args.query)
    if not written and not phrase.name_words:
        return ToolResult.no_data("Name the resource, service or owner to look up in the inventory.")
    hits = ctx.knowledge.search(args.query, k=SEARCH_DEPTH, namespaces=INVENTORY_NAMESPACES)
    if not hits:
        return ToolResult.no_data("There is no inventory snapshot yet: run `guardian inventory sync` (guardian "
                                  "serve takes one on a schedule).")
    found = [(hit, record) for hit in hits if _names_it(record := _record(hit.text), written, phrase.name_words)]
    exact = [(hit, r) for hit, r in found if written and r.get("name", "").lower() in written]
    found = (exact or found)[: args.limit]
    named = " ".join(written) or " ".join(phrase.name_words)
    if not found:
        return ToolResult.no_data(f"The inventory snapshot has nothing named {named} (if it is new, run "
                                  "`guardian inventory sync`).")
    rows = [{field: record.get(field, "") for field in SHOWN_FIELDS} for _hit, record in found]
    summary = (f"The inventory snapshot has {len(rows)} resource{'s' if len(rows) != 1 else ''} for {named}: "
               f"{'; '.join(_label(record) for _hit, record in found)}.")
    citations = [{"source": hit.source, "title": f"inventory snapshot: {record.get('type', '')} "
                                                 f"{record.get('name') or record.get('id', '')}"}
                 for hit, record in found]
    resources = list(dict.fromkeys(value for row in rows for value in (row["name"], row["id"]) if value))
    return ToolResult(status="ok", summary=summary, columns=[f for f in SHOWN_FIELDS if f != "id"], rows=rows,
                      facts={"matched": len(rows)}, resources=resources, citations=citations)
