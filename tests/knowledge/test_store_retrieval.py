"""The shipped retrieval on real stores: namespaces, alert names in code case, and the
derived indexes another process loads from disk."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from knowledge import store as store_module
from knowledge.namespaces import FILES_NAMESPACE, INVENTORY_NAMESPACE, RUNBOOK_NAMESPACES
from knowledge.store import KnowledgeStore
from tools.base import ToolContext
from tools.knowledge import RUNBOOK_NAMESPACES as TOOL_RUNBOOK_NAMESPACES
from tools.knowledge import RunbookSearchArgs, search_runbooks

pytestmark = pytest.mark.slow

RUNBOOKS = {
    "KubePodCrashLooping.md": "# KubePodCrashLooping\n\n## Meaning\nA container keeps dying and being restarted.\n\n"
                              "## Diagnosis\nRead the previous container's logs with kubectl logs --previous.\n",
    "NodeFilesystemSpaceFillingUp.md": "# NodeFilesystemSpaceFillingUp\n\n## Meaning\nA volume on a host is "
                                       "predicted to run out of space.\n\n## Mitigation\nDelete old files.\n",
    "payments-db.md": "# Payments database failover\n\n## Steps\nPromote the replica of payments-db in "
                      "us-east-1, then point the payments service at it.\n",
}
INVENTORY = [("inventory/rds/payments-db", "rds payments-db",
              "id: payments-db\nservice: payments\nregion: us-east-1\nengine: postgres 15\nstate: available")]


@pytest.fixture
def mixed_store(make_store: Callable[..., KnowledgeStore], doc_writer: Callable[[Path, dict[str, str]], Path],
                tmp_path: Path) -> KnowledgeStore:
    store = make_store()
    store.ingest([doc_writer(tmp_path / "runbooks", RUNBOOKS)])
    store.upsert_documents(INVENTORY_NAMESPACE, INVENTORY)
    return store


def test_the_tool_searches_the_namespace_the_store_files_runbooks_under() -> None:
    assert TOOL_RUNBOOK_NAMESPACES == RUNBOOK_NAMESPACES == (FILES_NAMESPACE,)


def test_hits_say_their_namespace_and_a_runbook_search_never_returns_inventory(mixed_store: KnowledgeStore) -> None:
    everything = mixed_store.search("payments-db us-east-1", k=mixed_store.count())
    assert {hit.namespace for hit in everything} == {FILES_NAMESPACE, INVENTORY_NAMESPACE}
    assert next(h for h in everything if h.source == "inventory/rds/payments-db").namespace == INVENTORY_NAMESPACE
    runbooks = mixed_store.search("payments-db us-east-1", k=mixed_store.count(), namespaces=RUNBOOK_NAMESPACES)
    assert runbooks and {hit.namespace for hit in runbooks} == {FILES_NAMESPACE}
    assert runbooks[0].source == "payments-db.md"
    inventory = mixed_store.search("payments-db", k=5, namespaces=[INVENTORY_NAMESPACE])
    assert [hit.source for hit in inventory] == ["inventory/rds/payments-db"]
    mixed_store.hybrid = False  # dense alone filters the same way
    assert {h.namespace for h in mixed_store.search("payments-db", k=5, namespaces=RUNBOOK_NAMESPACES)} == \
        {FILES_NAMESPACE}


def test_the_runbook_tool_cites_runbooks_only(mixed_store: KnowledgeStore) -> None:
    result = search_runbooks(ToolContext(knowledge=mixed_store), RunbookSearchArgs(query="payments-db failover", k=5))
    assert result.status == "ok"
    assert "inventory/rds/payments-db" not in {cite["source"] for cite in result.citations}
    assert result.citations[0] == {"source": "payments-db.md", "title": "Payments database failover"}


def test_an_alert_name_finds_its_runbook_and_so_do_its_words(mixed_store: KnowledgeStore) -> None:
    assert mixed_store.search("[FIRING] KubePodCrashLooping", k=1)[0].source == "KubePodCrashLooping.md"
    assert mixed_store.search("node filesystem space filling up", k=1)[0].source == \
        "NodeFilesystemSpaceFillingUp.md"


def test_another_process_loads_the_saved_derived_indexes(make_store: Callable[..., KnowledgeStore],
                                                         doc_writer: Callable[[Path, dict[str, str]], Path],
                                                         tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "LEXICAL_PERSIST_MIN", 1)
    first = make_store()
    first.ingest([doc_writer(tmp_path / "runbooks", RUNBOOKS)])
    expected = [(h.source, h.score) for h in first.search("pod keeps restarting", k=3)]
    saved = list((first.home / "bm25").rglob("documents.npy"))
    assert len(saved) == 1 and saved[0].parent.parent.name.startswith(store_module.DERIVED_VERSION + "-")

    def no_rebuild(*args: object, **kwargs: object) -> None:
        raise AssertionError("the saved indexes should have been loaded, not rebuilt from Chroma")

    second = make_store()
    monkeypatch.setattr(second._chroma, "get_all_with_vectors", no_rebuild)
    assert [(h.source, h.score) for h in second.search("pod keeps restarting", k=3)] == expected
