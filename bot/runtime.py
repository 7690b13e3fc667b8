"""The composition root: builds every long-lived object once from the settings and hands
them down. Parts are built on first use so `guardian route` never opens Chroma and
`guardian knowledge search` never builds the graph."""

from __future__ import annotations

import logging
from contextlib import ExitStack
from functools import cached_property
from typing import TYPE_CHECKING, Any

from bot.settings import Settings

if TYPE_CHECKING:
    from agents.answer import Answer
    from agents.request import Request
    from agents.router import SkillRouter
    from agents.service import Guardian
    from agents.storage import Storage
    from knowledge.embeddings import Embedder
    from knowledge.guard import GuardedKnowledge
    from knowledge.store import KnowledgeStore
    from tools.base import ToolContext
    from tools.registry import ToolRegistry

log = logging.getLogger(__name__)


class Runtime:
    """One process's Guardian: settings, models, stores, tools and the graph."""

    def __init__(self, settings: Settings, chat_model: Any | None = None) -> None:
        self.settings = settings
        self._chat_model = chat_model
        self._stack = ExitStack()

    def close(self) -> None:
        self._stack.close()

    def __enter__(self) -> Runtime:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @cached_property
    def embedder(self) -> Embedder:
        from knowledge.embeddings import shared_embedder

        return shared_embedder()

    @cached_property
    def knowledge(self) -> GuardedKnowledge:
        """The knowledge store, opened on first use; if it is damaged only the calls that need
        it fail (with how to rebuild it), never the whole runtime."""
        from knowledge.guard import GuardedKnowledge

        return GuardedKnowledge(self.settings.home, self._open_knowledge, chroma_url=self.settings.chroma_url)

    def _open_knowledge(self) -> KnowledgeStore:
        from knowledge.store import KnowledgeStore

        store = KnowledgeStore(self.settings.home, self.embedder, chroma_url=self.settings.chroma_url)
        store.ensure_builtin_runbooks()
        return store

    @cached_property
    def router(self) -> SkillRouter:
        from agents.router import SkillRouter

        return SkillRouter(self.embedder, threshold=self.settings.router_threshold,
                           cache_dir=self.settings.cache_dir)

    @cached_property
    def registry(self) -> ToolRegistry:
        from tools.aws import AWS_TOOLS
        from tools.github import GITHUB_TOOLS
        from tools.knowledge import KNOWLEDGE_TOOLS
        from tools.pagerduty import PAGERDUTY_TOOLS
        from tools.registry import ToolRegistry

        return ToolRegistry([*AWS_TOOLS, *GITHUB_TOOLS, *PAGERDUTY_TOOLS, *KNOWLEDGE_TOOLS])

    @cached_property
    def tool_ctx(self) -> ToolContext:
        from tools.base import ToolContext

        return ToolContext(regions=self.settings.regions, knowledge=self.knowledge, extras=self._integrations())

    def _integrations(self) -> dict[str, Any]:
        """Credentials for the SaaS integrations, present only when configured."""
        s = self.settings
        extras: dict[str, Any] = {}
        if s.github_token:
            extras["github"] = {"token": s.github_token.get_secret_value(), "api_url": s.github_api_url,
                                "org": s.github_org, "repos": s.github_repos}
        if s.pagerduty_api_key:
            extras["pagerduty"] = {"api_key": s.pagerduty_api_key.get_secret_value(),
                                   "api_url": s.pagerduty_api_url, "from_email": s.pagerduty_from_email,
                                   "verify": str(s.pagerduty_ca_bundle) if s.pagerduty_ca_bundle else True}
        return extras

    @cached_property
    def storage(self) -> Storage:
        from agents.storage import Storage, make_engine

        return Storage(make_engine(self.settings.effective_database_url))

    @cached_property
    def chat_model(self) -> Any | None:
        if self._chat_model is not None:
            return self._chat_model
        if not self.settings.llm_enabled:
            return None
        from langchain.chat_models import init_chat_model

        return init_chat_model(self.settings.llm)

    @cached_property
    def guardian(self) -> Guardian:
        from agents.checkpoint import make_checkpointer
        from agents.graph import GraphDeps
        from agents.service import Guardian

        deps = GraphDeps(router=self.router, registry=self.registry, tool_ctx=self.tool_ctx,
                         storage=self.storage, threshold=self.settings.router_threshold,
                         chat_model=self.chat_model, max_tool_steps=self.settings.max_tool_steps)
        checkpointer = make_checkpointer(self.settings.effective_database_url, self._stack)
        return Guardian(deps, checkpointer)

    def ask(self, request: Request) -> Answer:
        """One turn, as every surface asks it. When the runbook lookup beside the answer failed
        because the knowledge store is unavailable, the answer says so in one note."""
        from agents.planner import RUNBOOK_TOPICS

        answer = self.guardian.ask(request)
        problem = self.knowledge.problem
        shown = [answer.summary, *answer.notes]
        if (problem and answer.skill in RUNBOOK_TOPICS and not answer.citations
                and not any(problem in text for text in shown)):
            answer.notes.append(f"No runbook cited: {problem}")
        return answer
