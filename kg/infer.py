"""Running the OWL reasoner over the store and keeping what it infers in its own graph.

The reasoner (``kg.reason``) works on an rdflib graph; this module feeds it everything the store
holds except the previous inferences, and writes the new ones to the inferred graph in one
transaction, so asserted and inferred statements are never mixed.
"""

from __future__ import annotations

import pyoxigraph as ox
import rdflib

from kg.namespaces import GRAPH_INFERRED
from kg.reason import ReasoningReport, reason
from kg.store import GraphStore


def store_graph(store: GraphStore) -> rdflib.Graph:
    """The union of the store's graphs, without earlier inferences, as one rdflib graph."""
    return store.to_rdflib({GRAPH_INFERRED}, exclude=True)


def _to_ox(term: rdflib.term.Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unexpected term {term!r}")


def run(store: GraphStore, *, write: bool = True) -> ReasoningReport:
    """Reason over the store; on a consistent store, replace the inferred graph with the result."""
    report = reason(store_graph(store))
    if write and report.consistent:
        quads = []
        for s, p, o in report.inferred:
            subj, obj = _to_ox(s), _to_ox(o)
            if isinstance(subj, ox.Literal):
                continue
            quads.append(ox.Quad(subj, ox.NamedNode(str(p)), obj, GRAPH_INFERRED))
        store.replace_graph(GRAPH_INFERRED, quads)
    return report
