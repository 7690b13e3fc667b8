"""Shared fixtures for the agents tests: one MiniLM embedder and one router per session."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from agents.router import SkillRouter
from knowledge.embeddings import Embedder

FIXED_NOW = datetime(2025, 6, 15, 12, 0)  # a Sunday; route_*.yaml slot expectations use it


@pytest.fixture(scope="session")
def router(embedder: Embedder, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SkillRouter]:
    cache_dir: Path = tmp_path_factory.mktemp("router-cache")
    skill_router = SkillRouter(embedder, now=lambda: FIXED_NOW, cache_dir=cache_dir)
    skill_router.warm()
    yield skill_router
