"""The store against real Chroma (embedded, on disk) and the real MiniLM model."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.embeddings import Embedder
from knowledge.store import KnowledgeError, KnowledgeStore

pytestmark = pytest.mark.slow

DOCS = {
    "team/disk-full.md": "# Disk full on a Linux host\n\n## Check\nRun df -h and du to find the largest "
                         "directories.\n\n## Fix\nRotate and compress old logs under /var/log.\n",
    "team/tls-expiry.md": "# Certificate about to expire\n\n## Renew\nRenew the TLS certificate with certbot "
                          "before it expires and reload nginx.\n",
    "db/connections.md": "# Database connections exhausted\n\n## Diagnose\nCount connections in "
                         "pg_stat_activity grouped by application and state.\n",
}


def _write(root: Path, docs: dict[str, str]) -> Path:
    for rel, text in docs.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


@pytest.fixture
def store(tmp_path: Path, embedder: Embedder) -> KnowledgeStore:
    return KnowledgeStore(tmp_path / "home", embedder)


def test_search_finds_the_right_runbook_with_relative_sources(store: KnowledgeStore, tmp_path: Path) -> None:
    docs = _write(tmp_path / "docs", DOCS)
    report = store.ingest([docs])
    assert (report.files_seen, report.files_indexed) == (3, 3)
    cases = {"the disk is full on web-3": "team/disk-full.md", "cert expires tomorrow": "team/tls-expiry.md",
             "too many clients already postgres": "db/connections.md"}
    for query, expected in cases.items():
        hits = store.search(query, k=2)
        assert hits[0].source == expected, (query, hits)
        assert 0.0 <= hits[0].score <= 1.0
        assert hits[0].score >= hits[-1].score


def test_reingest_unchanged_is_a_no_op_and_changed_file_replaces_chunks(store: KnowledgeStore,
                                                                        tmp_path: Path) -> None:
    docs = _write(tmp_path / "docs", DOCS)
    first = store.ingest([docs])
    count = store.count()
    again = store.ingest([docs])
    assert (again.chunks_added, again.files_unchanged, store.count()) == (0, 3, count)
    (docs / "team/tls-expiry.md").write_text("# Certificate about to expire\n\n## Renew\nUse the ACME "
                                             "client zebracert to rotate.\n")
    changed = store.ingest([docs])
    assert changed.files_indexed == 1 and changed.chunks_removed >= 1
    assert store.count() == count - changed.chunks_removed + changed.chunks_added
    texts = [hit.text for hit in store.search("renew certificate", k=3)]
    assert any("zebracert" in t for t in texts)
    assert not any("certbot" in t for t in texts)
    assert first.chunks_added == count


def test_deleted_file_is_removed_on_reingest(store: KnowledgeStore, tmp_path: Path) -> None:
    docs = _write(tmp_path / "docs", DOCS)
    store.ingest([docs])
    (docs / "db/connections.md").unlink()
    report = store.ingest([docs])
    assert report.files_removed == 1
    assert all(hit.source != "db/connections.md" for hit in store.search("pg_stat_activity connections", k=3))


def test_search_many_matches_search(store: KnowledgeStore, tmp_path: Path) -> None:
    store.ingest([_write(tmp_path / "docs", DOCS)])
    queries = ["disk full", "tls certificate", "postgres connections"]
    batched = store.search_many(queries, k=2)
    assert [[h.chunk_id for h in hits] for hits in batched] == [
        [h.chunk_id for h in store.search(q, k=2)] for q in queries]


def test_a_second_process_sees_changes(tmp_path: Path, embedder: Embedder) -> None:
    home = tmp_path / "home"
    reader = KnowledgeStore(home, embedder)
    assert reader.search("anything") == []
    writer = KnowledgeStore(home, embedder)
    writer.ingest([_write(tmp_path / "docs", DOCS)])
    assert reader.search("disk is full", k=1)[0].source == "team/disk-full.md"


def test_bad_input(store: KnowledgeStore, tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match="No such file or directory"):
        store.ingest([tmp_path / "missing"])
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "binary.md").write_bytes(b"\x89PNG\x00\x01\xff\xfe")
    (junk / "empty.md").write_text("")
    (junk / "nul.txt").write_text("text\x00with nul")
    report = store.ingest([junk])
    assert report.chunks_added == 0
    assert len(report.skipped) == 2


def test_inventory_namespace_is_replaced_as_a_whole(store: KnowledgeStore) -> None:
    assert store.upsert_documents("inventory", [("inventory/ec2/i-1", "ec2 i-1", "service: payments"),
                                                ("inventory/s3/logs", "s3 logs", "service: search")]) == 2
    store.upsert_documents("inventory", [("inventory/ec2/i-2", "ec2 i-2", "service: checkout")])
    sources = {hit.source for hit in store.search("which instance runs checkout", k=5)}
    assert sources == {"inventory/ec2/i-2"}


def test_builtin_runbooks_are_ingested_once(store: KnowledgeStore) -> None:
    first = store.ensure_builtin_runbooks()
    if first is None:
        pytest.fail("knowledge/runbooks/ must ship with the package")
    assert first.files_indexed >= 15
    assert store.ensure_builtin_runbooks() is None
