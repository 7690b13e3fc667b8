"""Runbook search as a tool, so agents (and the LLM) ground answers in the team's own docs."""

from __future__ import annotations

from pydantic import BaseModel, Field

from tools.base import ToolContext, ToolResult, ToolSpec
from tools.knowledge.changes import InventoryChangesArgs, inventory_changes
from tools.knowledge.inventory import InventoryLookupArgs, inventory_lookup
from tools.settings import KnowledgeSettings
from tools.toolset import Prerequisite, Toolset

# The store's namespace of ingested files and built-in runbooks (knowledge.store.FILES_NAMESPACE;
# tools do not import knowledge). Inventory snapshots live in their own namespace and are
# never returned, or cited, as a runbook.
RUNBOOK_NAMESPACES = ("files",)

KNOWLEDGE_SKILLS = (
    "knowledge.runbook",
    "incident.brief",
)


class RunbookSearchArgs(BaseModel):
    query: str = Field(description="What to look for, in the user's words or an alert name.")
    k: int = Field(default=3, ge=1, le=10, description="How many passages to return.")


def search_runbooks(ctx: ToolContext, args: RunbookSearchArgs) -> ToolResult:
    """Passages from ingested runbooks (never inventory snapshots), best first, with their
    source for citation."""
    if ctx.knowledge is None:
        return ToolResult.error("The knowledge store is not available in this process.")
    try:
        hits = ctx.knowledge.search(args.query, k=args.k, namespaces=RUNBOOK_NAMESPACES)
    except Exception as exc:
        if getattr(exc, "user_facing", False):  # the store is unavailable: say so, in its words
            return ToolResult.error(str(exc))
        raise
    if not hits:
        return ToolResult.no_data("No runbook matches that; ingest yours with `guardian knowledge ingest`.")
    rows = [
        {"title": hit.title, "section": hit.section, "source": hit.source, "score": round(hit.score, 3),
         "text": hit.text}
        for hit in hits
    ]
    citations: list[dict[str, str]] = []
    for hit in hits:
        cite = {"source": hit.source, "title": hit.title}
        if cite not in citations:
            citations.append(cite)
    return ToolResult(
        status="ok",
        summary=f"Best match: {hits[0].title} — {hits[0].section}",
        columns=["title", "section", "source", "score"],
        rows=rows,
        citations=citations,
    )


KNOWLEDGE_TOOLS = [
    ToolSpec(
        name="knowledge_inventory_changes",
        description="What changed in the infrastructure since a moment, in every cloud: resources added, "
                    "removed or changed (state, owner, tags, size...) between inventory snapshots; cited as "
                    "inventory.",
        args_model=InventoryChangesArgs,
        mode="read",
        skills=("cicd.changes",),
        integration="knowledge",
        run=inventory_changes,
    ),
    ToolSpec(
        name="knowledge_inventory_lookup",
        description="What the inventory snapshot knows about a named resource, service or owner, in every "
                    "cloud: where it runs, who owns it, its state; cited as inventory.",
        args_model=InventoryLookupArgs,
        mode="read",
        skills=("infra.describe",),
        integration="knowledge",
        run=inventory_lookup,
    ),
    ToolSpec(
        name="knowledge_search_runbooks",
        description="Search the team's runbooks and notes; returns passages with sources.",
        args_model=RunbookSearchArgs,
        mode="read",
        skills=KNOWLEDGE_SKILLS,
        integration="knowledge",
        run=search_runbooks,
    )
]


def _has_store(ctx: ToolContext) -> bool:
    return ctx.knowledge is not None


KNOWLEDGE = Toolset(
    name="knowledge",
    title="Runbook search",
    settings_model=KnowledgeSettings,
    tools=tuple(KNOWLEDGE_TOOLS),
    prerequisites=(Prerequisite("the knowledge store", "run it in a process that opened GUARDIAN_HOME or "
                                "GUARDIAN_CHROMA_URL", _has_store),),
)
