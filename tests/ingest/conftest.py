"""Stores for ingest tests: the seed build without 004, so 004 can be ingested as a new article.

004 (Khamenei's denial) contradicts claims of 000, 001 and 003 in the full seed build, so
ingesting it into a store built from the other four must add exactly the contradictions the full
build has. Its curated annotations stand in for extraction where a test is about the storage path
(a legitimate input: the same records the extractor produces).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kg.build import build
from kg.config import Settings
from kg.corpus import SourceDocument, read_document
from kg.models import AnnotationFile, DocumentMeta
from kg.reference import Reference
from kg.store import GraphStore
from tests.conftest import CORPUS, settings_for

STEM = "004_8ca7b8115da28cd5"
DOC_004: SourceDocument = read_document(CORPUS, STEM)
TEXT_004: bytes = DOC_004.text_path.read_bytes()
KEY_004 = DOC_004.key  # 4de668e1403d28a9

Extractor = Callable[[str, DocumentMeta, Reference, str], AnnotationFile]


def curated(doc: SourceDocument = DOC_004) -> Extractor:
    """The curated annotations of a seed document, named for the stem the pipeline gives."""

    def extract(text: str, meta: DocumentMeta, reference: Reference, stem: str) -> AnnotationFile:
        assert text == doc.text
        return doc.annotations.model_copy(update={"document": stem})

    return extract


@pytest.fixture(scope="session")
def base_without_004(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A closed on-disk store built from the seeds minus 004, and that corpus; copied per test."""
    root = tmp_path_factory.mktemp("without-004")
    corpus = root / "corpus"
    shutil.copytree(CORPUS, corpus)
    for path in [*corpus.glob(f"documents/{STEM}.*"), *corpus.glob(f"annotations/{STEM}.*")]:
        path.unlink()
    _, store = build(settings_for(root / "store", corpus))
    store.close()
    return root / "store", corpus


@pytest.fixture
def settings_without_004(tmp_path: Path, base_without_004: tuple[Path, Path]) -> Settings:
    """Settings for a private copy of that store (not open: an app may open it itself)."""
    base, corpus = base_without_004
    shutil.copytree(base, tmp_path / "store")
    return settings_for(tmp_path / "store", corpus)


@pytest.fixture
def store_without_004(settings_without_004: Settings) -> Iterator[GraphStore]:
    store = GraphStore.open(settings_without_004.store_path)
    yield store
    store.close()
