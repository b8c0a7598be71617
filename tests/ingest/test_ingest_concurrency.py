"""Readers during an ingest see all of a document or none of it; writers take turns.

Also the basic path on the remote backend (a real ``oxigraph serve``), where the document and its
contradictions go in one SPARQL update.
"""

from __future__ import annotations

import threading
from pathlib import Path

from kg.build import build
from kg.config import Settings
from kg.ingest import ingest, retract
from kg.models import AnnotationFile, DocumentMeta
from kg.namespaces import DOC_GRAPH_PREFIX, GRAPH_CONTRADICTIONS, ID
from kg.reference import Reference
from kg.store import GraphStore
from tests.conftest import remote_settings, start_oxigraph, stop_oxigraph
from tests.ingest.conftest import DOC_004, KEY_004, TEXT_004, curated

# One query, so one snapshot: the new document's claims and the contradictions that name them.
SNAPSHOT = f"""
SELECT (COUNT(DISTINCT ?c) AS ?claims) (COUNT(DISTINCT ?x) AS ?contradictions) WHERE {{
  {{ GRAPH <{DOC_GRAPH_PREFIX}{KEY_004}> {{ ?c a bc:Claim }} }}
  UNION
  {{ GRAPH <{GRAPH_CONTRADICTIONS.value}> {{ ?x bc:firstClaim|bc:secondClaim ?y }}
     FILTER (STRSTARTS(STR(?y), "{ID}claim/{KEY_004}/")) }}
}}"""


def _snapshot(store: GraphStore) -> tuple[int, int]:
    row = store.select(SNAPSHOT)[0]
    return int(row["claims"].value), int(row["contradictions"].value)


def test_a_reader_never_sees_half_a_document(
    store_without_004: GraphStore, settings_without_004: Settings
) -> None:
    store = store_without_004
    seen: list[tuple[int, int]] = []
    done = threading.Event()
    in_extraction = threading.Event()

    def reader() -> None:
        while not done.is_set():
            seen.append(_snapshot(store))
        seen.append(_snapshot(store))

    def extract(text: str, meta: DocumentMeta, reference: Reference, stem: str) -> AnnotationFile:
        in_extraction.set()
        return curated()(text, meta, reference, stem)

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        ingest(store, settings_without_004, TEXT_004, DOC_004.meta, extractor=extract)
        retract(store, KEY_004, reason="test", by="tester")
    finally:
        done.set()
        thread.join(30)
    assert in_extraction.is_set()
    assert set(seen) <= {(0, 0), (11, 20)}, sorted(set(seen))
    assert seen[0] == (0, 0) and seen[-1] == (0, 0) and len(seen) > 10


def test_writers_take_turns(store_without_004: GraphStore, settings_without_004: Settings) -> None:
    """Two ingests of the same text at once: one stores it, the other finds it stored."""
    barrier = threading.Barrier(2)
    reports = []

    def extract(text: str, meta: DocumentMeta, reference: Reference, stem: str) -> AnnotationFile:
        barrier.wait(30)  # both are past the "already stored?" check before either writes
        return curated()(text, meta, reference, stem)

    def run() -> None:
        reports.append(
            ingest(store_without_004, settings_without_004, TEXT_004, DOC_004.meta, extractor=extract)
        )

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted((r.stored, r.already_stored) for r in reports) == [(False, True), (True, False)]
    assert _snapshot(store_without_004) == (11, 20)


def test_ingest_on_the_remote_backend(tmp_path: Path, base_without_004: tuple[Path, Path]) -> None:
    _, corpus = base_without_004
    server = start_oxigraph(tmp_path)
    try:
        settings = remote_settings(server, corpus)
        _, store = build(settings)
        try:
            before = store.canonical_nquads()
            dry = ingest(store, settings, TEXT_004, DOC_004.meta, extractor=curated(), dry_run=True)
            assert store.canonical_nquads() == before and len(dry.contradictions) == 20
            report = ingest(store, settings, TEXT_004, DOC_004.meta, extractor=curated())
            assert report.stored and _snapshot(store) == (11, 20)
            assert ingest(store, settings, TEXT_004, DOC_004.meta, extractor=curated()).already_stored
            retract(store, KEY_004, reason="test", by="tester")
            assert _snapshot(store) == (0, 0)
        finally:
            store.close()
    finally:
        stop_oxigraph(server)
