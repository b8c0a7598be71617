"""Shared fixtures: a read-only seed store built once per session, fresh stores for writers."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.build import BuildReport, build
from kg.config import Settings
from kg.store import GraphStore

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


def settings_for(store: Path | str, corpus: Path = CORPUS) -> Settings:
    return Settings(home=ROOT, corpus=corpus, store=str(store))


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[BuildReport, GraphStore]]:
    """The seed corpus built once into a real on-disk store; tests must not write to it."""
    path = tmp_path_factory.mktemp("seed") / "store"
    report, store = build(settings_for(path))
    yield report, store
    store.close()


@pytest.fixture(scope="session")
def seed_store(seed_build: tuple[BuildReport, GraphStore]) -> GraphStore:
    return seed_build[1]


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A private copy of the corpus a test may edit."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture
def fresh_store(tmp_path: Path) -> Iterator[GraphStore]:
    """A store of its own, built from the seeds, for a test that writes."""
    _, store = build(settings_for(tmp_path / "store"))
    yield store
    store.close()
