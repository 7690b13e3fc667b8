"""The knowledge store's injected sanitizer: every document, ingested or upserted (the
inventory snapshot), is cleaned before it is chunked, embedded and stored, so no planted
secret is in any file of the store; without one, the same scan finds them (the control)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from knowledge.store import KnowledgeStore
from tools.redaction import sanitize

SECRETS = ["AKIAZ7Q4W2LMX8RT5NVB", "sk_live_51HqLyjWDarjtT1zdp7dcXy89", "Tr0ub4dor-3x-runbook",
           "MIIEowIBAAKCAQEAq7Zr9Lw4Vb8Nc3Ty6Hj1Pd5Sf0Ga2Ke7R7kQ2mZx9"]
RUNBOOK = f"""# Rotate the payments database password

## Steps
1. Connect with `psql postgresql://admin:{SECRETS[2]}@payments-db:5432/payments`.
2. The old deploy key was {SECRETS[0]}; the billing key is {SECRETS[1]}.
3. \x1b]0;owned\x07Never paste keys like this one:

-----BEGIN RSA PRIVATE KEY-----
{SECRETS[3]}
-----END RSA PRIVATE KEY-----
"""


def leaked(home: Path) -> list[str]:
    """The planted secrets found in any file under ``home``, each with the file holding it."""
    return [f"{s} in {p.relative_to(home)}" for p in sorted(home.rglob("*")) if p.is_file()
            for s in SECRETS if s.encode() in p.read_bytes()]


def test_ingested_documents_are_sanitized_before_storage(make_store: Callable[..., KnowledgeStore],
                                                         tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "rotate.md").write_text(RUNBOOK)
    store = make_store(sanitizer=sanitize)
    report = store.ingest([docs])
    assert report.files_indexed == 1
    hits = store.search("rotate the payments database password", k=3)
    assert hits and hits[0].source == "rotate.md"
    text = "\n".join(h.text for h in hits)
    assert "postgresql://admin:[REDACTED]@payments-db" in text and "\x1b" not in text
    assert leaked(tmp_path / "home") == []
    assert store.ingest([docs]).files_unchanged == 1  # an unchanged file is still a no-op


def test_upserted_documents_are_sanitized_before_storage(make_store: Callable[..., KnowledgeStore],
                                                         tmp_path: Path) -> None:
    store = make_store(sanitizer=sanitize)
    store.upsert_documents("inventory", [("inventory/rds/payments-db", f"rds payments-db {SECRETS[0]}",
                                          f"engine: postgres\npassword: {SECRETS[2]}\nnote: {SECRETS[1]}")])
    [hit] = store.search("payments-db postgres", k=1)
    assert "password: [REDACTED]" in hit.text and SECRETS[0] not in hit.title
    assert leaked(tmp_path / "home") == []


def test_without_a_sanitizer_the_scan_finds_them(make_store: Callable[..., KnowledgeStore], tmp_path: Path) -> None:
    """The control: the raw-bytes scan above would see a secret that was stored."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "rotate.md").write_text(RUNBOOK)
    make_store().ingest([docs])
    found = " ".join(leaked(tmp_path / "home"))
    assert SECRETS[0] in found and SECRETS[2] in found
