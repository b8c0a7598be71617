"""The seed build conforms to the shapes, and every node shape has real data to check."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import RDF, Dataset, Graph
from rdflib.term import Node

from kg.store import GraphStore
from tests.shapes.helpers import SH, base_graph, context_graph, merge_quads, shapes_graph, validate


@pytest.fixture(scope="module")
def seed_graph(seed_store: GraphStore) -> Graph:
    """Every graph of the seed store (documents, contradictions, ontology, reference) merged."""
    data = ox.serialize(seed_store.raw, format=ox.RdfFormat.N_QUADS)
    ds = Dataset()
    ds.parse(data=data.decode(), format="nquads")
    g = merge_quads(ds)
    assert len(g) > 5000
    return g


def focus_nodes(g: Graph, shapes: Graph, shape: Node) -> set[Node]:
    found: set[Node] = set()
    for cls in shapes.objects(shape, SH.targetClass):
        rows = g.query("SELECT ?x WHERE { ?x a/rdfs:subClassOf* ?c }", initBindings={"c": cls})
        found |= {row[0] for row in rows}  # type: ignore[index]
    for p in shapes.objects(shape, SH.targetSubjectsOf):
        found |= set(g.subjects(p, None))
    return found


def test_the_seed_build_conforms(seed_graph: Graph) -> None:
    conforms, _, text = validate(
        seed_graph
    )  # the context is in the store already; merging it again is a no-op
    assert conforms, text


def test_every_node_shape_has_a_passing_example(seed_graph: Graph) -> None:
    shapes = shapes_graph()
    base = base_graph()
    base += context_graph()
    qualifiers = set(shapes.objects(None, SH.qualifiedValueShape))  # untargeted by design
    node_shapes = set(shapes.subjects(RDF.type, SH.NodeShape)) - qualifiers
    assert node_shapes
    # The plain-triple shape targets what must never exist: its absence is the passing example.
    expected_empty = {s for s in node_shapes if str(s).endswith("NoAssertedCommunicationShape")}
    for shape in node_shapes - expected_empty:
        # The seed has no retraction and the base no mutual communication; each has the other.
        assert focus_nodes(seed_graph, shapes, shape) or focus_nodes(base, shapes, shape), (
            f"{shape}: no focus node in the seed build nor in the base"
        )
    for shape in expected_empty:
        assert not focus_nodes(seed_graph, shapes, shape)
