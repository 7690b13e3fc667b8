"""Knowledge fixtures. The session-scoped ``embedder`` (the real packaged MiniLM, loaded
once) comes from tests/conftest.py, shared with the other layers' tests; these build real
stores on disk under tmp_path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from knowledge.embeddings import Embedder
from knowledge.store import KnowledgeStore

DOCS = {
    "team/disk-full.md": "# Disk full on a Linux host\n\n## Check\nRun df -h and du to find the largest "
                         "directories.\n\n## Fix\nRotate and compress old logs under /var/log.\n",
    "team/tls-expiry.md": "# Certificate about to expire\n\n## Renew\nRenew the TLS certificate with certbot "
                          "before it expires and reload nginx.\n",
    "db/connections.md": "# Database connections exhausted\n\n## Diagnose\nCount connections in "
                         "pg_stat_activity grouped by application and state.\n",
    "notes/paging.txt": "Paging etiquette.\n\nPage the secondary on-call after 15 minutes without an "
                        "acknowledgement from the primary.\n",
}


def write_docs(root: Path, docs: dict[str, str]) -> Path:
    for rel, text in docs.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


@pytest.fixture
def doc_writer() -> Callable[[Path, dict[str, str]], Path]:
    """Writes {relative path: text} under a folder and returns the folder."""
    return write_docs


@pytest.fixture
def docs_dir(tmp_path: Path) -> Path:
    """A small tree of markdown and text runbooks."""
    return write_docs(tmp_path / "docs", DOCS)


@pytest.fixture
def make_store(tmp_path: Path, embedder: Embedder) -> Callable[..., KnowledgeStore]:
    """Opens a store on one home under tmp_path; several calls act like several processes."""

    def make(**kwargs: object) -> KnowledgeStore:
        return KnowledgeStore(tmp_path / "home", embedder, **kwargs)  # type: ignore[arg-type]

    return make


@pytest.fixture
def store(make_store: Callable[..., KnowledgeStore]) -> KnowledgeStore:
    return make_store()
