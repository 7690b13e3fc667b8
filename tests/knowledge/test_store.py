"""The store against real Chroma (embedded, on disk) and the real MiniLM model."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from knowledge.store import KnowledgeError, KnowledgeStore

pytestmark = pytest.mark.slow

CASES = {"the disk is full on web-3": "team/disk-full.md", "cert expires tomorrow": "team/tls-expiry.md",
         "too many clients already postgres": "db/connections.md",
         "primary did not acknowledge the page": "notes/paging.txt"}


def test_search_finds_the_right_document_with_relative_sources(store: KnowledgeStore, docs_dir: Path) -> None:
    report = store.ingest([docs_dir])
    assert (report.files_seen, report.files_indexed, report.skipped) == (4, 4, [])
    assert report.chunks_added == store.count() > 0
    for query, expected in CASES.items():
        hits = store.search(query, k=3)
        assert hits[0].source == expected, (query, hits)
        assert all(0.0 <= hit.score <= 1.0 for hit in hits)
        assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)
    top = store.search("pg_stat_activity", k=1)[0]
    assert (top.title, top.section) == ("Database connections exhausted", "Diagnose")
    assert "pg_stat_activity" in top.text


def test_a_file_given_directly_is_named_by_its_file_name(store: KnowledgeStore, docs_dir: Path) -> None:
    report = store.ingest([docs_dir / "team" / "tls-expiry.md"])
    assert report.files_indexed == 1
    assert store.search("certbot", k=1)[0].source == "tls-expiry.md"


def test_reingest_unchanged_is_a_no_op(store: KnowledgeStore, docs_dir: Path) -> None:
    first = store.ingest([docs_dir])
    ids = {hit.chunk_id for hit in store.search("disk", k=50)}
    again = store.ingest([docs_dir])
    assert (again.chunks_added, again.chunks_removed, again.files_unchanged, again.files_indexed) == (0, 0, 4, 0)
    assert store.count() == first.chunks_added
    assert {hit.chunk_id for hit in store.search("disk", k=50)} == ids


def test_a_changed_file_replaces_its_chunks(store: KnowledgeStore, docs_dir: Path) -> None:
    store.ingest([docs_dir])
    count = store.count()
    (docs_dir / "team/tls-expiry.md").write_text("# Certificate about to expire\n\n## Renew\nUse the ACME "
                                                 "client zebracert to rotate.\n")
    changed = store.ingest([docs_dir])
    assert (changed.files_indexed, changed.files_unchanged) == (1, 3)
    assert changed.chunks_removed >= 1 and changed.chunks_added >= 1
    assert store.count() == count - changed.chunks_removed + changed.chunks_added
    texts = [hit.text for hit in store.search("renew certificate certbot", k=store.count())]
    assert any("zebracert" in t for t in texts)
    assert not any("certbot" in t for t in texts)


def test_a_deleted_file_is_removed_when_its_directory_is_reingested(store: KnowledgeStore,
                                                                  docs_dir: Path) -> None:
    store.ingest([docs_dir])
    (docs_dir / "db/connections.md").unlink()
    report = store.ingest([docs_dir])
    assert (report.files_removed, report.files_unchanged) == (1, 3) and report.chunks_removed >= 1
    assert all(hit.source != "db/connections.md" for hit in store.search("pg_stat_activity", k=store.count()))


def test_search_many_matches_search(store: KnowledgeStore, docs_dir: Path) -> None:
    store.ingest([docs_dir])
    queries = list(CASES)
    batched = store.search_many(queries, k=3)
    single = [store.search(q, k=3) for q in queries]
    assert [[h.chunk_id for h in hits] for hits in batched] == [[h.chunk_id for h in hits] for hits in single]
    assert [h.score for hits in batched for h in hits] == pytest.approx([h.score for hits in single for h in hits],
                                                                        abs=1e-3)
    assert store.search_many([], k=3) == [] and store.search("disk", k=0) == []


def test_dense_mode_scores_are_cosine_similarities(make_store: Callable[..., KnowledgeStore],
                                                   docs_dir: Path) -> None:
    store = make_store(hybrid=False)
    store.ingest([docs_dir])
    hits = store.search("Rotate and compress old logs under /var/log", k=2)
    assert hits[0].source == "team/disk-full.md" and hits[0].score > 0.6 > hits[1].score >= 0.0


def test_two_stores_on_one_home_see_each_others_writes(make_store: Callable[..., KnowledgeStore],
                                                       docs_dir: Path) -> None:
    reader, writer = make_store(), make_store()
    assert reader.search("anything") == []
    writer.ingest([docs_dir])
    assert reader.search("disk is full", k=1)[0].source == "team/disk-full.md"
    assert reader.ingest([docs_dir]).chunks_added == 0  # the reader sees the writer's manifest
    (docs_dir / "team/disk-full.md").write_text("# Disk full\n\n## Fix\nCall the storage team (quokka).\n")
    writer.ingest([docs_dir])
    assert "quokka" in reader.search("disk full fix", k=1)[0].text  # dense and BM25 both refreshed
    assert reader.search("quokka", k=1)[0].source == "team/disk-full.md"


def test_another_process_sees_changes_made_after_it_opened(store: KnowledgeStore, docs_dir: Path, tmp_path: Path,
                                                           doc_writer: Callable[..., Path]) -> None:
    """Embedded Chroma caches its vector index per process; a long-lived reader must notice
    another process's ingest (a real second interpreter here)."""
    store.ingest([docs_dir])
    assert store.search("disk", k=1)  # the index is loaded in this process now
    extra = doc_writer(tmp_path / "more", {"kafka.md": "# Kafka consumer lag\n\n## Fix\nScale the "
                                                        "consumer group; check partition skew.\n"})
    script = textwrap.dedent(f"""
        from pathlib import Path
        from knowledge.embeddings import shared_embedder
        from knowledge.store import KnowledgeStore
        report = KnowledgeStore(Path({str(tmp_path / 'home')!r}), shared_embedder()).ingest([Path({str(extra)!r})])
        print(report.chunks_added)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[-1]) >= 1
    hits = store.search("kafka consumer lag partition skew", k=1)
    assert hits and hits[0].source == "kafka.md"


def test_bad_input(store: KnowledgeStore, tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match="No such file or directory") as missing:
        store.ingest([tmp_path / "missing"])
    assert "\n" not in str(missing.value)
    with pytest.raises(KnowledgeError):
        store.ingest([])
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "binary.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
    (junk / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    (junk / "empty.md").write_text("")
    (junk / "title-only.md").write_text("# Nothing else\n")
    (junk / "image.png").write_bytes(b"\x89PNG")  # not a document type: not even seen
    report = store.ingest([junk])
    assert (report.files_seen, report.chunks_added, store.count()) == (4, 0, 0)
    assert sorted(s.split(":")[0] for s in report.skipped) == ["binary.md", "empty.md", "latin1.txt",
                                                               "title-only.md"]
    assert store.ingest([junk]).chunks_added == 0


def test_a_file_that_turns_into_junk_loses_its_chunks(store: KnowledgeStore, docs_dir: Path) -> None:
    store.ingest([docs_dir])
    (docs_dir / "db/connections.md").write_bytes(b"\x00\x01\x02")
    report = store.ingest([docs_dir])
    assert report.chunks_removed >= 1 and report.skipped == ["db/connections.md: binary content"]
    assert all(hit.source != "db/connections.md" for hit in store.search("connections", k=store.count()))


def test_a_missing_path_changes_nothing(store: KnowledgeStore, docs_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError):
        store.ingest([docs_dir, tmp_path / "typo"])
    assert store.count() == 0


def test_a_namespace_is_replaced_as_a_whole_and_unchanged_docs_are_kept(store: KnowledgeStore,
                                                                        docs_dir: Path) -> None:
    store.ingest([docs_dir])
    files = store.count()
    assert store.upsert_documents("inventory", [("inventory/ec2/i-1", "ec2 i-1", "service: payments"),
                                                ("inventory/s3/logs", "s3 logs", "service: search")]) == 2
    kept = {h.chunk_id for h in store.search("s3 logs search", k=store.count()) if h.source == "inventory/s3/logs"}
    assert store.upsert_documents("inventory", [("inventory/ec2/i-2", "ec2 i-2", "service: checkout"),
                                                ("inventory/s3/logs", "s3 logs", "service: search")]) == 2
    hits = store.search("which instance runs checkout", k=store.count())
    assert {h.source for h in hits if h.source.startswith("inventory/")} == {"inventory/ec2/i-2",
                                                                             "inventory/s3/logs"}
    assert kept <= {h.chunk_id for h in hits}  # the unchanged document kept its chunk id (not re-embedded)
    assert store.count() == files + 2
    assert store.upsert_documents("inventory", []) == 0 and store.count() == files
    with pytest.raises(KnowledgeError):
        store.upsert_documents("", [])


def test_builtin_runbooks_are_ingested_once(make_store: Callable[..., KnowledgeStore]) -> None:
    store = make_store()
    first = store.ensure_builtin_runbooks()
    if first is None:
        pytest.fail("knowledge/runbooks/ must ship with the package")
    assert first.files_indexed >= 10 and first.skipped == []
    assert store.ensure_builtin_runbooks() is None
    assert make_store().ensure_builtin_runbooks() is None  # another process: still current
    assert {hit.source for hit in store.search("runbook", k=store.count())} >= {"disk-full.md"}


def test_hybrid_finds_an_exact_identifier_that_dense_alone_blurs(make_store: Callable[..., KnowledgeStore]) -> None:
    """Resource ids are what BM25 is in the fusion for: MiniLM sees look-alike hex strings."""
    docs = [(f"inventory/ec2/i-{n:017x}", f"ec2 i-{n:017x}", f"id: i-{n:017x}\nservice: payments\nstate: running")
            for n in range(0x0a1b2c3d4e5f60000, 0x0a1b2c3d4e5f60000 + 40 * 0x1f3, 0x1f3)]
    hybrid, dense = make_store(), make_store(hybrid=False)
    hybrid.upsert_documents("inventory", docs)
    target = docs[17][0]
    query = f"is {target.rsplit('/', 1)[1]} running"
    assert hybrid.search(query, k=1)[0].source == target
    assert target not in [hit.source for hit in dense.search(query, k=1)]
