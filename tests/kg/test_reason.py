"""Tests for kg.reason: real HermiT (and Pellet for explanations) in a real JVM, no mocks.

The fixtures in tests/fixtures/reasoning/ are a small stand-in ontology plus data files, each
data file commenting the inference or clash it is there to produce.
"""

from __future__ import annotations

from pathlib import Path

import owlready2
import pytest
import rdflib
from rdflib import RDF, XSD, Literal, Namespace, URIRef

from kg.reason import (
    MAX_LITERAL_LENGTH,
    ReasonerUnavailable,
    _diagnose,
    reason,
    reasoner_input,
)

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "reasoning"
BC = Namespace("https://w3id.org/backchannel-kg/ontology#")
ACTOR = Namespace("https://w3id.org/backchannel-kg/id/actor/")
CLAIM = Namespace("https://w3id.org/backchannel-kg/id/claim/")
COMM = Namespace("https://w3id.org/backchannel-kg/id/communication/")


def load(*names: str) -> rdflib.Graph:
    """The fixture ontology plus the named data fixtures, in one graph."""
    graph = rdflib.Graph()
    for name in ("ontology.ttl", *names):
        graph.parse(FIXTURES / name)
    return graph


@pytest.mark.slow
def test_consistent_fixture_materialises_types_and_property_values():
    graph = load("consistent.ttl")
    size = len(graph)

    report = reason(graph)

    assert report.consistent
    assert report.inconsistency is None
    assert report.reasoner == "HermiT"
    assert report.seconds > 0
    inferred = set(report.inferred)
    # inverse property: araghchi bc:memberOf iran-government
    assert (ACTOR["iran-government"], BC.hasMember, ACTOR.araghchi) in inferred
    # superclass types: Minister -> Person -> Actor
    assert (ACTOR.araghchi, RDF.type, BC.Person) in inferred
    assert (ACTOR.araghchi, RDF.type, BC.Actor) in inferred
    # rdfs:domain of bc:claimant
    assert (CLAIM.c1, RDF.type, BC.Claim) in inferred
    # super-property: bc:sender rdfs:subPropertyOf bc:participant
    assert (COMM.m1, BC.participant, ACTOR.iran) in inferred
    # only new triples, no trivial types, sorted, input untouched
    assert not inferred & set(graph)
    assert all(
        o not in (rdflib.OWL.Thing, rdflib.OWL.NamedIndividual) for _, p, o in inferred if p == RDF.type
    )
    assert list(report.inferred) == sorted(report.inferred, key=lambda t: tuple(map(str, t)))
    assert len(graph) == size


@pytest.mark.slow
def test_property_values_can_be_left_out():
    report = reason(load("consistent.ttl"), infer_property_values=False)

    assert report.consistent
    assert (CLAIM.c1, RDF.type, BC.Claim) in report.inferred
    assert all(p == RDF.type for _, p, _ in report.inferred)


@pytest.mark.slow
def test_disjoint_types_are_explained_by_individual_and_axiom():
    report = reason(load("inconsistent-disjoint.ttl"))

    assert not report.consistent
    assert report.inferred == ()
    explanation = report.inconsistency
    assert explanation is not None
    assert explanation.individuals == (str(ACTOR.khamenei),)
    assert set(explanation.axioms) == {
        "bc:Person owl:disjointWith bc:State",
        "id:actor/khamenei rdf:type bc:Person",
        "id:actor/khamenei rdf:type bc:State",
    }
    assert "id:actor/khamenei" in explanation.message


@pytest.mark.slow
def test_functional_property_clash_is_explained():
    report = reason(load("inconsistent-functional.ttl"))

    assert not report.consistent
    explanation = report.inconsistency
    assert explanation is not None
    assert str(CLAIM.c2) in explanation.individuals
    assert set(explanation.axioms) == {
        "bc:claimant rdf:type owl:FunctionalProperty",
        "id:claim/c2 bc:claimant id:actor/araghchi",
        "id:claim/c2 bc:claimant id:actor/baghaei",
        "id:actor/araghchi owl:differentFrom id:actor/baghaei",
    }


@pytest.mark.slow
def test_clash_through_subclass_chain_names_the_subclass_axiom():
    graph = load()
    graph.add((ACTOR.araghchi, RDF.type, BC.Minister))
    graph.add((ACTOR.araghchi, RDF.type, BC.State))

    explanation = reason(graph).inconsistency

    assert explanation is not None
    assert explanation.individuals == (str(ACTOR.araghchi),)
    assert "bc:Minister rdfs:subClassOf bc:Person" in explanation.axioms
    assert "bc:Person owl:disjointWith bc:State" in explanation.axioms


@pytest.mark.slow
def test_all_disjoint_classes_axiom_is_rendered_with_its_members():
    graph = load()
    graph.add((CLAIM.c9, RDF.type, BC.Claim))
    graph.add((CLAIM.c9, RDF.type, BC.Person))

    explanation = reason(graph).inconsistency

    assert explanation is not None
    assert explanation.individuals == (str(CLAIM.c9),)
    assert set(explanation.axioms) == {
        "id:claim/c9 rdf:type bc:Claim",
        "id:claim/c9 rdf:type bc:Person",
        "bc:Person rdfs:subClassOf bc:Actor",
        "owl:AllDisjointClasses(bc:Actor bc:Claim bc:Communication bc:Document)",
    }


def test_builtin_diagnosis_finds_disjoint_types():
    """The fallback used when Pellet cannot explain, run directly (it needs no JVM)."""
    explanation = _diagnose(reasoner_input(load("inconsistent-disjoint.ttl")))

    assert explanation is not None
    assert explanation.individuals == (str(ACTOR.khamenei),)
    assert "bc:Person owl:disjointWith bc:State" in explanation.axioms
    assert "id:actor/khamenei rdf:type bc:Person" in explanation.axioms


def test_builtin_diagnosis_finds_functional_clash():
    explanation = _diagnose(reasoner_input(load("inconsistent-functional.ttl")))

    assert explanation is not None
    assert explanation.individuals == (str(CLAIM.c2),)
    assert set(explanation.axioms) == {
        "bc:claimant rdf:type owl:FunctionalProperty",
        "id:claim/c2 bc:claimant id:actor/araghchi",
        "id:claim/c2 bc:claimant id:actor/baghaei",
        "id:actor/araghchi owl:differentFrom id:actor/baghaei",
    }


def test_builtin_diagnosis_finds_nothing_in_consistent_data():
    assert _diagnose(reasoner_input(load("consistent.ttl"))) is None


def test_reasoner_input_drops_values_hermit_cannot_take():
    graph = load("data-values.ttl")
    long_text = Literal("x" * 5000)
    graph.add((CLAIM.c3, BC.text, long_text))
    graph.add((CLAIM.c3, BC.text, Literal("short quote")))

    kept = reasoner_input(graph)

    assert len(long_text) > MAX_LITERAL_LENGTH
    assert (CLAIM.c3, BC.text, long_text) not in kept
    assert (CLAIM.c3, BC.statedOn, None) not in kept  # xsd:date: not in the OWL 2 datatype map
    assert (CLAIM.c3, rdflib.RDFS.comment, None) not in kept  # annotation
    assert (CLAIM.c3, BC.text, Literal("short quote")) in kept
    assert (CLAIM.c3, BC.charStart, Literal(120)) in kept
    assert (None, rdflib.OWL.imports, None) not in kept
    assert (CLAIM.c3, BC.claimant, ACTOR.baghaei) in kept


@pytest.mark.slow
def test_dates_and_long_strings_do_not_break_reasoning():
    graph = load("data-values.ttl")
    graph.add((CLAIM.c3, BC.text, Literal("x" * 5000)))
    graph.add((CLAIM.c3, BC.text, Literal("y" * 5000, datatype=XSD.string)))

    report = reason(graph)

    assert report.consistent, report.inconsistency
    assert (CLAIM.c3, RDF.type, BC.Claim) in report.inferred
    assert (ACTOR.baghaei, RDF.type, BC.Actor) in report.inferred


def test_missing_java_is_reported(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(owlready2, "JAVA_EXE", str(ROOT / "no-such-java"))

    with pytest.raises(ReasonerUnavailable, match="needs a Java runtime"):
        reason(load("consistent.ttl"))


@pytest.mark.slow
def test_project_ontology_is_consistent():
    files = sorted((ROOT / "ontology").rglob("*.ttl"))
    assert files, "no ontology/**/*.ttl found"
    graph = rdflib.Graph()
    for path in files:
        graph.parse(path)

    report = reason(graph)

    assert report.consistent, report.inconsistency
    inferred_subjects = {str(s) for s, _, _ in report.inferred}
    assert not any(s.startswith("urn:bckg-reason:") for s in inferred_subjects)
    assert URIRef("http://inferrences") not in {s for s, _, _ in report.inferred}
