"""Shared fixtures for the agents tests: one MiniLM embedder and one router per session."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from agents.router import SkillRouter
from knowledge.embeddings import Embedder
from tests.conftest import run_wide_dir

FIXED_NOW = datetime(2025, 6, 15, 12, 0)  # a Sunday; route_*.yaml slot expectations use it


@pytest.fixture(scope="session")
def router(embedder: Embedder, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SkillRouter]:
    """Fitted from scratch once per run (an empty cache of the run's own, not the user's): the
    first xdist worker embeds the utterances and fits; the others load its cache file, the
    same path a second `guardian` process takes."""
    cache_dir: Path
    with run_wide_dir(tmp_path_factory, "router-cache") as cache_dir:
        skill_router = SkillRouter(embedder, now=lambda: FIXED_NOW, cache_dir=cache_dir)
        skill_router.warm()
    yield skill_router
