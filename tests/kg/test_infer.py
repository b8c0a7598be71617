"""OWL reasoning over the store: the seeds are consistent, a bad fixture is caught and explained."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg import infer
from kg.namespaces import BC, GRAPH_INFERRED, ID, RDF
from kg.store import GraphStore

pytestmark = pytest.mark.slow


def test_seeds_are_consistent_and_inferences_go_to_their_own_graph(fresh_store: GraphStore) -> None:
    before = {q for q in fresh_store.canonical_nquads()}
    report = infer.run(fresh_store)
    assert report.consistent, report.inconsistency
    assert report.inferred
    after = set(fresh_store.canonical_nquads())
    added = after - before
    assert added and all(line.endswith(f"<{GRAPH_INFERRED.value}> .") for line in added)
    # what HermiT adds: inverse of claimant, super-property of sender/party, superclass types
    assert fresh_store.ask(
        f"ASK {{ GRAPH <{GRAPH_INFERRED.value}> {{ <{ID}actor/khamenei> bc:madeClaim ?c }} }}"
    )
    assert fresh_store.ask(f"ASK {{ GRAPH <{GRAPH_INFERRED.value}> {{ ?p bc:involves <{ID}actor/iran> }} }}")
    assert fresh_store.ask(f"ASK {{ GRAPH <{GRAPH_INFERRED.value}> {{ <{ID}actor/khamenei> a bc:Actor }} }}")
    # running again replaces, not duplicates
    infer.run(fresh_store)
    assert set(fresh_store.canonical_nquads()) == after


def test_an_individual_typed_person_and_state_is_caught(fresh_store: GraphStore) -> None:
    bad = ox.NamedNode(ID + "actor/hezbollah-as-person")
    fixture = ox.NamedNode(ID + "graph/doc/bad-fixture")
    fresh_store.add(
        [
            ox.Quad(bad, ox.NamedNode(RDF + "type"), ox.NamedNode(BC + "Person"), fixture),
            ox.Quad(bad, ox.NamedNode(RDF + "type"), ox.NamedNode(BC + "State"), fixture),
        ]
    )
    before = fresh_store.canonical_nquads()
    report = infer.run(fresh_store)
    assert not report.consistent
    assert report.inconsistency is not None
    assert bad.value in report.inconsistency.individuals
    axioms = " | ".join(report.inconsistency.axioms)
    assert "bc:Person" in axioms and "bc:State" in axioms
    assert fresh_store.canonical_nquads() == before  # nothing written when inconsistent
