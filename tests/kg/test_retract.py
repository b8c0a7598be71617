"""Retraction removes exactly one document's graph and records who, when and why."""

from __future__ import annotations

import pytest

from kg.build import build
from kg.corpus import read_document
from kg.errors import InvalidParameter, NotFound
from kg.namespaces import DOC_GRAPH_PREFIX, GRAPH_CONTRADICTIONS, GRAPH_RETRACTIONS
from kg.rdfize import doc_iri
from kg.retract import retract
from kg.store import GraphStore
from tests.conftest import CORPUS, assert_export_reads_the_triples, settings_for

STEM = "004_8ca7b8115da28cd5"
KEY = read_document(CORPUS, STEM).key


def _by_graph(store: GraphStore) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for line in store.canonical_nquads():
        graph = line.rsplit(" ", 2)[-2]
        out.setdefault(graph, set()).add(line)
    return out


def test_retract_removes_exactly_the_document_graph(fresh_store: GraphStore) -> None:
    before = _by_graph(fresh_store)
    r = retract(fresh_store, STEM, reason="machine-generated, unverifiable", by="tester")
    after = _by_graph(fresh_store)
    doc_graph = f"<{DOC_GRAPH_PREFIX}{KEY}>"
    assert doc_graph in before and doc_graph not in after
    assert r.removed_quads == len(before[doc_graph])
    for g, quads in before.items():
        if g not in (doc_graph, f"<{GRAPH_CONTRADICTIONS.value}>"):
            assert after[g] == quads, g
    rows = fresh_store.select(f"""
      SELECT ?doc ?why ?who ?when WHERE {{ GRAPH <{GRAPH_RETRACTIONS.value}> {{
        ?r a bc:Retraction ; bc:retractedDocument ?doc ; bc:reason ?why ; bc:retractedBy ?who ; bc:retractedAt ?when }} }}""")
    assert [(x["doc"].value, x["why"].value, x["who"].value) for x in rows] == [
        (doc_iri(KEY), "machine-generated, unverifiable", "tester")
    ]
    # Khamenei's denials were in 004: no contradiction refers to them any more
    assert not fresh_store.ask(
        f"ASK {{ ?c bc:firstClaim|bc:secondClaim ?x . FILTER (CONTAINS(STR(?x), '{KEY}')) }}"
    )
    assert fresh_store.ask("ASK { ?c a bc:Contradiction }")  # the others remain


def test_a_rebuild_keeps_a_retracted_document_out(tmp_path) -> None:
    path = tmp_path / "store"
    _, store = build(settings_for(path))
    retract(store, STEM, reason="test", by="tester")
    store.close()
    report, store = build(settings_for(path))
    try:
        assert report.skipped_retracted == [STEM]
        assert f"{DOC_GRAPH_PREFIX}{KEY}" not in store.graphs()
        assert store.ask(f"ASK {{ GRAPH <{GRAPH_RETRACTIONS.value}> {{ ?r bc:retractedDocument ?d }} }}")
    finally:
        store.close()


def test_retract_errors(fresh_store: GraphStore) -> None:
    with pytest.raises(NotFound, match="no document 'nope'"):
        retract(fresh_store, "nope", reason="x", by="t")
    with pytest.raises(InvalidParameter, match="needs a reason"):
        retract(fresh_store, STEM, reason="  ", by="t")
    retract(fresh_store, STEM, reason="once", by="t")
    with pytest.raises(NotFound):
        retract(fresh_store, STEM, reason="twice", by="t")


def test_retract_drops_the_contradictions_summary_and_the_export_reads_the_graph(
    fresh_store: GraphStore,
) -> None:
    summary = f"ASK {{ GRAPH <{GRAPH_CONTRADICTIONS.value}> {{ <{GRAPH_CONTRADICTIONS.value}> bc:exportSummary ?x }} }}"
    assert fresh_store.ask(summary)  # the build wrote it
    retract(fresh_store, STEM, reason="machine-generated, unverifiable", by="tester")
    assert not fresh_store.ask(summary)  # it listed contradictions that are gone
    assert_export_reads_the_triples(fresh_store)
