"""The shapes graph itself: SHACL-SHACL, naming, messages, and only terms the ontology defines."""

from __future__ import annotations

import re
from pathlib import Path

import pyshacl
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.term import Node

from tests.shapes.helpers import (
    BC,
    ONTOLOGY_DIR,
    SH,
    list_members,
    ontology_graph,
    shape_files,
    shapes_graph,
    shapes_of,
)

SHACL_SHACL = Path(pyshacl.__file__).parent / "assets" / "shacl-shacl.ttl"
PREFIXES_NODE = BC.prefixes
BC_NAME = re.compile(r"\bbc:([A-Za-z_][\w-]*)")


def sparql_constraints(g: Graph) -> set[Node]:
    return set(g.objects(None, SH.sparql))


def test_shape_files_mirror_the_ontology() -> None:
    files = shape_files()
    assert files, "no shapes/*.ttl"
    for path in files:
        assert (ONTOLOGY_DIR / path.name).is_file(), f"shapes/{path.name} mirrors no ontology/{path.name}"


def test_shapes_conform_to_shacl_shacl() -> None:
    assert SHACL_SHACL.is_file()
    conforms, _, text = pyshacl.validate(
        shapes_graph(), shacl_graph=Graph().parse(SHACL_SHACL), inference="none"
    )
    assert conforms, text


def test_every_shape_is_an_iri_with_name_description_and_message() -> None:
    g = shapes_graph()
    shapes = shapes_of(g)
    assert len(shapes) > 50
    for shape in shapes:
        assert isinstance(shape, URIRef) and shape.startswith(str(BC)), f"anonymous or foreign shape {shape}"
        for p in (SH.name, SH.description, SH.message):
            values = list(g.objects(shape, p))
            assert len(values) == 1 and isinstance(values[0], Literal) and str(values[0]).strip(), (
                f"{shape} {p}"
            )


def test_property_shapes_are_named_after_their_node_shape() -> None:
    g = shapes_graph()
    pairs = list(g.subject_objects(SH.property))
    assert pairs
    for node_shape, prop in pairs:
        assert str(node_shape).endswith("Shape"), node_shape
        assert str(prop).startswith(f"{node_shape}-"), f"{prop} is not named {node_shape}-<property>"
    for shape in g.subjects(RDF.type, SH.NodeShape):
        assert str(shape).endswith("Shape"), shape


def test_sparql_constraints_are_documented_and_simple() -> None:
    g = shapes_graph()
    nodes = sparql_constraints(g)
    assert nodes, "no SHACL-SPARQL constraint found"
    for node in nodes:
        assert isinstance(node, URIRef), node
        assert g.value(node, SH.message) is not None, f"{node} has no sh:message"
        assert g.value(node, SH.prefixes) == PREFIXES_NODE, f"{node} must use sh:prefixes bc:prefixes"
        query = str(g.value(node, SH.select))
        assert "$this" in query, node
        assert len(re.findall(r"\bSELECT\b", query, re.IGNORECASE)) == 1, (
            f"{node}: no subqueries (a second engine runs these)"
        )
        assert not re.search(r"\bVALUES\b", query, re.IGNORECASE), f"{node}: SHACL-SPARQL forbids VALUES"
    declared = {str(g.value(d, SH.prefix)) for d in g.objects(PREFIXES_NODE, SH.declare)}
    assert {"bc", "rdfs", "oa", "schema"} <= declared


def defined_terms(ontology: Graph) -> set[URIRef]:
    return {s for s in ontology.subjects(RDF.type, None) if isinstance(s, URIRef)}


def test_every_bc_term_in_the_shapes_is_defined_in_the_ontology() -> None:
    g = shapes_graph()
    own = shapes_of(g) | sparql_constraints(g) | {PREFIXES_NODE}
    used = {t for triple in g for t in triple if isinstance(t, URIRef) and t.startswith(str(BC))} - own
    for node in sparql_constraints(g):
        used |= {BC[m] for m in BC_NAME.findall(str(g.value(node, SH.select)))}
    assert used, "no bc: term found in the shapes"
    undefined = sorted(used - defined_terms(ontology_graph()))
    assert not undefined, f"bc: terms used in shapes/ but not defined in ontology/: {undefined}"


def reification_predicates(ontology: Graph) -> set[URIRef]:
    return {
        URIRef(str(row[0]))
        for row in ontology.query(
            "SELECT ?p WHERE { ?p rdfs:subPropertyOf* bc:communicatedWith }", initNs={"bc": BC, "rdfs": RDFS}
        )
    }


def test_plain_triple_targets_and_reified_predicates_follow_the_ontology() -> None:
    g, ontology = shapes_graph(), ontology_graph()
    expected = reification_predicates(ontology)
    assert len(expected) >= 7
    assert set(g.objects(BC.NoAssertedCommunicationShape, SH.targetSubjectsOf)) == expected
    allowed = set(list_members(g, g.value(BC["CommunicationShape-predicate"], SH["in"])))
    assert allowed == expected


def test_closed_lists_are_the_ontology_individuals() -> None:
    """Every sh:in list (but the reification predicates) is all the individuals of one class."""
    g, ontology = shapes_graph(), ontology_graph()
    lists = [(s, list_members(g, head)) for s, head in g.subject_objects(SH["in"])]
    assert len(lists) >= 8
    for shape, members in lists:
        if shape == BC["CommunicationShape-predicate"]:
            continue
        classes = set.intersection(
            *({c for c in ontology.objects(m, RDF.type) if c != OWL.NamedIndividual} for m in members)
        )
        assert len(classes) == 1, f"{shape}: the list's members share no single class ({classes})"
        (cls,) = classes
        assert set(members) == set(ontology.subjects(RDF.type, cls)), f"{shape}: not every {cls} is listed"
