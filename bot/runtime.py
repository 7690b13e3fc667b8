"""The composition root: builds every long-lived object once from the settings and hands
them down. Parts are built on first use so `guardian route` never opens Chroma and
`guardian knowledge search` never builds the graph."""

from __future__ import annotations

import logging
from contextlib import ExitStack
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agents.policy import AccessPolicy, load_policy
from bot.settings import Settings

if TYPE_CHECKING:
    from agents.answer import Answer
    from agents.proactive import Proactive
    from agents.progress import ProgressCallback
    from agents.request import Request
    from agents.router import SkillRouter
    from agents.sealing import Sealer, SecretKey
    from agents.service import Guardian
    from agents.storage import Storage
    from bot.metrics import Metrics
    from knowledge.embeddings import Embedder
    from knowledge.guard import GuardedKnowledge
    from knowledge.store import KnowledgeStore
    from tools.base import ToolContext
    from tools.registry import ToolRegistry
    from tools.settings import (
        AwsSettings,
        AzureSettings,
        GcpSettings,
        GitHubSettings,
        KnowledgeSettings,
        PagerDutySettings,
    )

log = logging.getLogger(__name__)


class Runtime:
    """One process's Guardian: settings, models, stores, tools and the graph."""

    def __init__(self, settings: Settings, chat_model: Any | None = None) -> None:
        self.settings = settings
        self._chat_model = chat_model
        self._stack = ExitStack()
        # A malformed policy stops start-up here, with the file and line, not at the first
        # request it would have refused.
        self.policy: AccessPolicy = load_policy(settings.policy)
        from agents.private import private_home

        private_home(settings.home)  # 0700; a looser home is tightened

    def close(self) -> None:
        self._stack.close()

    def __enter__(self) -> Runtime:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @cached_property
    def metrics(self) -> Metrics:
        """One metrics registry for every surface this process serves."""
        from bot.metrics import Metrics

        metrics = Metrics()
        self.storage.audit.subscribe(metrics.audited)  # LLM mode's events become counters
        return metrics

    @cached_property
    def embedder(self) -> Embedder:
        from knowledge.embeddings import shared_embedder

        return shared_embedder(self.settings.cache_dir)

    @cached_property
    def knowledge(self) -> GuardedKnowledge:
        """The knowledge store, opened on first use; if it is damaged only the calls that need
        it fail (with how to rebuild it), never the whole runtime."""
        from knowledge.guard import GuardedKnowledge

        return GuardedKnowledge(self.settings.home, self._open_knowledge, chroma_url=self.settings.chroma_url)

    def _open_knowledge(self) -> KnowledgeStore:
        from agents.private import private_dir, private_tree
        from knowledge.store import KnowledgeStore
        from tools.redaction import sanitize

        home, embedded = self.settings.home, not self.settings.chroma_url
        if embedded:
            private_dir(home / "chroma", "knowledge store")
        store = KnowledgeStore(home, self.embedder, chroma_url=self.settings.chroma_url, sanitizer=sanitize)
        store.ensure_builtin_runbooks()
        folders = (home / "chroma", home / "bm25") if embedded else (home / "bm25",)
        for folder in folders:
            private_tree(folder, "knowledge store")
            self._stack.callback(private_tree, folder, "knowledge store")  # and what this process adds
        return store

    @cached_property
    def router(self) -> SkillRouter:
        from agents.router import SkillRouter

        return SkillRouter(self.embedder, threshold=self.settings.router_threshold,
                           cache_dir=self.settings.cache_dir)

    @cached_property
    def registry(self) -> ToolRegistry:
        from tools.aws import AWS
        from tools.azure import AZURE
        from tools.gcp import GCP
        from tools.github import GITHUB
        from tools.knowledge import KNOWLEDGE
        from tools.pagerduty import PAGERDUTY
        from tools.registry import ToolRegistry

        return ToolRegistry.of(AWS, AZURE, GCP, GITHUB, PAGERDUTY, KNOWLEDGE)

    @cached_property
    def tool_ctx(self) -> ToolContext:
        from bot.inventory import DeferredHistory
        from tools.base import ToolContext

        return ToolContext(inventory_history=DeferredHistory(lambda: self.storage.inventory),
                           aws=aws_settings(self.settings), github=github_settings(self.settings),
                           pagerduty=pagerduty_settings(self.settings), azure=azure_settings(self.settings),
                           gcp=gcp_settings(self.settings),
                           knowledge_settings=knowledge_settings(self.settings), knowledge=self.knowledge)

    @cached_property
    def secret_key(self) -> SecretKey:
        """GUARDIAN_SECRET_KEY, else GUARDIAN_HOME/secret.key (created once, 0600)."""
        from agents.sealing import load_secret_key

        configured = self.settings.secret_key.get_secret_value() if self.settings.secret_key else None
        return load_secret_key(self.settings.home, configured, database_url=self.settings.effective_database_url)

    @cached_property
    def sealer(self) -> Sealer:
        """Seals values kept out of every listing (an approval's raw arguments); also what
        ``agents.sealing.seal``/``unseal`` use in this process."""
        from agents.sealing import use_key

        return use_key(self.secret_key)

    def _private_database(self) -> None:
        """A SQLite database is created owner-only before anything opens it."""
        from sqlalchemy.engine import make_url

        from agents.private import private_sqlite

        url = make_url(self.settings.effective_database_url)
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            private_sqlite(Path(url.database))

    @cached_property
    def storage(self) -> Storage:
        from agents.storage import Storage

        self._private_database()
        return Storage.open(self.settings.effective_database_url, self.sealer)

    @cached_property
    def proactive(self) -> Proactive:
        """Subscriptions and the scheduled jobs (digests, exposure alerts) over the shared database."""
        from agents.proactive import Proactive, Schedule

        schedule = Schedule(digest_hour=self.settings.digest_hour,
                            exposure_interval=self.settings.exposure_scan_interval)
        return Proactive(self.storage.dedupe.engine, self.registry, self.tool_ctx, self.policy,
                         self.storage.audit, schedule)

    @cached_property
    def chat_model(self) -> Any | None:
        if self._chat_model is not None:
            return self._chat_model
        if not self.settings.llm_enabled:
            return None
        from bot.llm import build_chat_model

        return build_chat_model(self.settings.llm)

    @cached_property
    def guardian(self) -> Guardian:
        from agents.checkpoint import make_checkpointer
        from agents.deps import GraphDeps
        from agents.service import Guardian

        deps = GraphDeps(router=self.router, registry=self.registry, tool_ctx=self.tool_ctx,
                         approvals=self.storage.approvals, audit=self.storage.audit, policy=self.policy,
                         conversations=self.storage.conversations,
                         threshold=self.settings.router_threshold,
                         answer_floor=min(self.settings.router_answer_floor, self.settings.router_threshold),
                         chat_model=self.chat_model,
                         max_tool_steps=self.settings.max_tool_steps, llm_routing=self.settings.llm_routing,
                         llm_max_tokens=self.settings.llm_max_tokens, llm_timeout_s=self.settings.llm_timeout_s)
        self._private_database()
        checkpointer = make_checkpointer(self.settings.effective_database_url, self._stack, self.secret_key)
        return Guardian(deps, checkpointer)

    def ask(self, request: Request, on_progress: ProgressCallback | None = None) -> Answer:
        """One turn, as every surface asks it. When the runbook lookup beside the answer failed
        because the knowledge store is unavailable, the answer says so in one note."""
        from agents.specialists import cites_runbook

        answer = self.guardian.ask(request, on_progress)
        problem = self.knowledge.problem
        shown = answer.sentences()
        if (problem and cites_runbook(answer.skill) and not answer.citations
                and not any(problem in text for text in shown)):
            answer.notes.append(f"No runbook cited: {problem}")
        return answer


# Each toolset's typed settings, from the one settings object (secrets stay SecretStr).


def aws_settings(settings: Settings) -> AwsSettings:
    from tools.settings import AwsSettings

    return AwsSettings(regions=tuple(settings.regions))


def gcp_settings(settings: Settings) -> GcpSettings:
    from tools.settings import GcpSettings

    return GcpSettings(project=settings.google_cloud_project, api_url=settings.gcp_api_url,
                       anonymous=settings.gcp_anonymous)


def github_settings(settings: Settings) -> GitHubSettings:
    from tools.settings import GitHubSettings

    return GitHubSettings(token=settings.github_token, api_url=settings.github_api_url, org=settings.github_org,
                          repos=tuple(settings.github_repos))


def pagerduty_settings(settings: Settings) -> PagerDutySettings:
    from tools.settings import PagerDutySettings

    bundle = settings.pagerduty_ca_bundle
    return PagerDutySettings(api_key=settings.pagerduty_api_key, api_url=settings.pagerduty_api_url,
                             from_email=settings.pagerduty_from_email, verify=str(bundle) if bundle else True)


def azure_settings(settings: Settings) -> AzureSettings:
    from tools.settings import AzureSettings

    bundle = settings.azure_ca_bundle
    return AzureSettings(subscription_id=settings.azure_subscription_id, arm_url=settings.azure_arm_url,
                         verify=str(bundle) if bundle else True, token=settings.azure_token)


def knowledge_settings(settings: Settings) -> KnowledgeSettings:
    from tools.settings import KnowledgeSettings

    return KnowledgeSettings(chroma_url=settings.chroma_url)
