from __future__ import annotations

import pytest

from knowledge.embeddings import Embedder, shared_embedder


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The real packaged MiniLM model, loaded once per test session."""
    return shared_embedder()
