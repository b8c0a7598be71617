"""The SPARQL validation path agrees with pySHACL, result for result, on every shape case.

Each case runs through both engines: its data in a document graph of a real in-memory store
(context in the ontology graph) for ``validate_store``, and merged into an rdflib graph for
pySHACL. Both must report exactly the expected (focus, path, source shape, component) set.
"""

from __future__ import annotations

import importlib
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml
from rdflib import Graph

from kg.build import build
from kg.config import Settings
from kg.errors import InvalidParameter
from kg.namespaces import DOC_GRAPH_PREFIX, GRAPH_ONTOLOGY, GRAPH_REFERENCE
from kg.reference import individual_files, ontology_files
from kg.shacl_sparql import SH, UnsupportedShape
from kg.store import GraphStore
from kg.validation import (
    Violation,
    compile_shapes,
    load_shapes,
    validate_store,
    validate_with_pyshacl,
)

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "validation"
SHAPES_DIR = ROOT / "shapes"
TEST_GRAPH = DOC_GRAPH_PREFIX + "test"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
Key = tuple[str, str | None, str, str]


@dataclass(frozen=True)
class Case:
    name: str
    data: Graph
    expected: frozenset[Key]
    shapes: Graph
    context: Graph


# --- loading cases ---------------------------------------------------------------------------


@cache
def project_context() -> Graph:
    """Ontology and reference individuals, as the build loads them."""
    g = Graph()
    for path in ontology_files(ROOT / "ontology") + individual_files(ROOT / "ontology"):
        g.parse(path, format="turtle")
    return g


@cache
def fixture_shapes() -> Graph:
    return load_shapes([FIXTURES / "shapes.ttl"])


def project_shape_files() -> list[Path]:
    return sorted(SHAPES_DIR.glob("*.ttl"))


@cache
def project_shapes() -> Graph:
    return load_shapes(project_shape_files())


def fixture_cases() -> list[Case]:
    spec = yaml.safe_load((FIXTURES / "cases.yaml").read_text(encoding="utf-8"))
    prefixes: dict[str, str] = spec["prefixes"]
    header = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in prefixes.items())

    def expand(term: str | None) -> str | None:
        if term is None or term.startswith("("):
            return term
        if term.startswith('"') and term.endswith('"'):
            return term[1:-1]  # a literal focus node is named by its lexical form
        prefix, _, local = term.partition(":")
        return prefixes[prefix] + local if prefix in prefixes else term

    cases = []
    for c in spec["cases"]:
        data = Graph().parse(data=header + c["data"], format="turtle")
        expected = frozenset((expand(f), expand(p), expand(s), expand(k)) for f, p, s, k in c["expected"])
        cases.append(Case(c["name"], data, expected, fixture_shapes(), project_context()))  # type: ignore[arg-type]
    return cases


def project_cases() -> list[Case]:
    """The cases of the project's own shapes (tests/shapes/helpers.py), once shapes/ has any.

    A missing helper module gives no case here, and test_the_case_lists_are_not_empty fails
    with the reason, so the other tests still run.
    """
    if not project_shape_files():
        return []
    try:
        helpers = importlib.import_module("tests.shapes.helpers")
    except ModuleNotFoundError:
        return []
    context = helpers.context_graph()
    return [
        Case(f"shapes/{c.name}", c.data, frozenset(c.expected), project_shapes(), context)
        for c in helpers.load_cases()
    ]


FIXTURE_CASES = fixture_cases()
PROJECT_CASES = project_cases()


def test_the_case_lists_are_not_empty() -> None:
    assert len(FIXTURE_CASES) >= 10
    if project_shape_files():
        importlib.import_module("tests.shapes.helpers")  # fails loudly if the helpers are missing
        assert PROJECT_CASES, "shapes/*.ttl exist but tests/shapes/helpers.load_cases() returned no case"


# --- helpers ---------------------------------------------------------------------------------


def quads(g: Graph, graph: str) -> list[ox.Quad]:
    """An rdflib graph as quads of one named graph, through N-Triples (blank node ids kept)."""
    text = g.serialize(format="nt", encoding="utf-8")
    target = ox.NamedNode(graph)
    return [
        ox.Quad(q.subject, q.predicate, q.object, target)
        for q in ox.parse(text, format=ox.RdfFormat.N_TRIPLES)
    ]


def store_with(data: dict[str, Graph], context: Graph) -> GraphStore:
    store = GraphStore.open(None)
    store.bulk_add(quads(context, GRAPH_ONTOLOGY.value))
    for graph, g in data.items():
        store.bulk_add(quads(g, graph))
    return store


def keys(violations: list[Violation]) -> set[Key]:
    return {v.key() for v in violations}


def show(ks: set[Key]) -> str:
    return "\n".join(" | ".join(str(x) for x in k) for k in sorted(ks, key=str))


# --- agreement -------------------------------------------------------------------------------


@pytest.mark.parametrize("case", FIXTURE_CASES + PROJECT_CASES, ids=lambda c: c.name)
def test_store_and_pyshacl_agree_with_the_expected_results(case: Case) -> None:
    store = store_with({TEST_GRAPH: case.data}, case.context)
    compiled = compile_shapes(case.shapes)
    fast = keys(validate_store(store, compiled))
    scoped = keys(validate_store(store, compiled, graph=TEST_GRAPH))
    reference = keys(validate_with_pyshacl(case.data, case.shapes, case.context))
    if fast != reference:
        pytest.fail(f"store only:\n{show(fast - reference)}\npyshacl only:\n{show(reference - fast)}")
    if fast != case.expected:
        pytest.fail(f"unexpected:\n{show(fast - case.expected)}\nmissing:\n{show(case.expected - fast)}")
    # every focus node of a case is introduced by the case's graph, except reference nodes
    # (sh:targetNode actor:iran) whose targeting triple is in the context
    assert scoped <= fast


def test_results_carry_value_severity_and_filled_message() -> None:
    case = next(c for c in FIXTURE_CASES if c.name == "stance-and-annotation-id")
    store = store_with({TEST_GRAPH: case.data}, case.context)
    found = validate_store(store, compile_shapes(case.shapes))
    stance = next(v for v in found if v.component == SH + "InConstraintComponent")
    assert stance.value == "<https://w3id.org/backchannel-kg/ontology#Maybe>"
    assert stance.severity == SH + "Violation"
    assert stance.message == (
        "The stance of https://w3id.org/backchannel-kg/id/test/c1 is "
        "https://w3id.org/backchannel-kg/ontology#Maybe, not bc:Affirms or bc:Denies."
    )
    minimum = next(v for v in found if v.component == SH + "MinCountConstraintComponent")
    assert minimum.value is None
    assert minimum.focus == "https://w3id.org/backchannel-kg/id/test/c2"
    length = next(
        v for v in found if v.component == SH + "MinLengthConstraintComponent" and v.value == '"ab"'
    )
    assert length.value == '"ab"'
    assert (
        length.message
        == "MinLength constraint not satisfied on path https://w3id.org/backchannel-kg/ontology#annotationId"
    )

    warning_case = next(c for c in FIXTURE_CASES if c.name == "method-warning-and-confidence-sparql")
    store = store_with({TEST_GRAPH: warning_case.data}, warning_case.context)
    by_component = {v.component: v for v in validate_store(store, compile_shapes(warning_case.shapes))}
    assert by_component[SH + "HasValueConstraintComponent"].severity == SH + "Warning"
    sparql = by_component[SH + "SPARQLConstraintComponent"]
    assert (
        sparql.message
        == "Confidence https://w3id.org/backchannel-kg/ontology#ReliabilityA is not a credibility grade."
    )


# well-formedness of typed literals: Oxigraph casts against rdflib's parsers (pySHACL)
LEXICAL_FORMS = [
    ("2024-02-30", "date"),
    ("2024-02-29", "date"),
    ("2023-02-29", "date"),
    ("2024-13-01", "date"),
    ("2024-1-5", "date"),
    ("2024-01-05Z", "date"),
    ("2024-01-05T10:00:00Z", "dateTime"),
    ("2024-01-05T25:00:00", "dateTime"),
    ("abc", "integer"),
    ("+5", "integer"),
    ("1.5", "integer"),
    ("1.5", "decimal"),
    ("1e3", "double"),
    ("NaN", "double"),
    ("1", "boolean"),
    ("2024", "gYear"),
    ("-1", "nonNegativeInteger"),
    ("7", "nonNegativeInteger"),
    ("300", "unsignedByte"),
    ("anything", "string"),
]


def test_datatype_well_formedness_agrees_with_pyshacl() -> None:
    xsd = "http://www.w3.org/2001/XMLSchema#"
    shapes_ttl = ["@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> ."]
    data_ttl = ["@prefix ex: <https://example.org/> ."]
    for i, (lexical, dt) in enumerate(LEXICAL_FORMS):
        shapes_ttl.append(
            f"ex:S{i} a sh:NodeShape ; sh:targetSubjectsOf ex:p{i} ; "
            f"sh:property [ sh:path ex:p{i} ; sh:datatype <{xsd}{dt}> ] ."
        )
        data_ttl.append(f'ex:x{i} ex:p{i} "{lexical}"^^<{xsd}{dt}> .')
    shapes = Graph().parse(data="\n".join(shapes_ttl), format="turtle")
    data = Graph().parse(data="\n".join(data_ttl), format="turtle")
    store = store_with({TEST_GRAPH: data}, Graph())
    fast = {v.focus for v in validate_store(store, compile_shapes(shapes))}
    reference = {v.focus for v in validate_with_pyshacl(data, shapes, Graph())}
    assert fast == reference
    ill_formed = {LEXICAL_FORMS[int(f.rsplit("x", 1)[1])] for f in fast}
    assert {("2024-02-30", "date"), ("abc", "integer"), ("-1", "nonNegativeInteger")} <= ill_formed
    assert ("2024-02-29", "date") not in ill_formed
    assert ("7", "nonNegativeInteger") not in ill_formed


def test_known_disagreements_come_from_how_each_store_keeps_literals() -> None:
    """Two literals the engines cannot agree on, pinned so a change in either is noticed.

    Oxigraph stores a well-formed ``"7"^^xsd:nonNegativeInteger`` as ``"7"^^xsd:integer``, so
    the store must accept an in-range xsd:integer for the subtype, which pySHACL rejects. And
    rdflib rewrites an ill-formed boolean such as ``"yes"`` to ``"false"`` when it parses (it
    keeps only an ill-typed flag), so a store loaded from the rdflib graph sees a good boolean;
    loaded from the text, the store flags it as pySHACL does.
    """
    xsd = "http://www.w3.org/2001/XMLSchema#"
    shapes = Graph().parse(
        data=SHAPE_HEADER
        + f"ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:n ; sh:property [ sh:path ex:n ; sh:datatype <{xsd}nonNegativeInteger> ] ."
        + f"ex:T a sh:NodeShape ; sh:targetSubjectsOf ex:b ; sh:property [ sh:path ex:b ; sh:datatype <{xsd}boolean> ] .",
        format="turtle",
    )
    text = f'<https://example.org/x> <https://example.org/n> "7"^^<{xsd}integer> .\n<https://example.org/y> <https://example.org/b> "yes"^^<{xsd}boolean> .\n'
    data = Graph().parse(data=text, format="nt")
    assert {v.focus for v in validate_with_pyshacl(data, shapes, Graph())} == {
        "https://example.org/x",
        "https://example.org/y",
    }
    from_rdflib = store_with({TEST_GRAPH: data}, Graph())
    assert validate_store(from_rdflib, compile_shapes(shapes)) == []
    from_text = GraphStore.open(None)
    from_text.raw.load(text.encode(), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(TEST_GRAPH))
    assert {v.focus for v in validate_store(from_text, compile_shapes(shapes))} == {"https://example.org/y"}


# --- graph-scoped validation -----------------------------------------------------------------

GOOD_CLAIM = """
ex:{c} a bc:Claim ; bc:claimant actor:iran ; bc:stance bc:Affirms ; bc:annotationId "{c}" ;
  bc:evidence ex:{c}-e ; bc:sourceDocument ex:{d} ; bc:annotationMethod bc:CuratedAnnotation ;
  bc:confidence bc:Credibility3 .
ex:{c}-e oa:hasSource ex:{d} . ex:{d} a bc:Document .
"""
PREFIXES = """
@prefix ex: <https://w3id.org/backchannel-kg/id/test/> .
@prefix bc: <https://w3id.org/backchannel-kg/ontology#> .
@prefix actor: <https://w3id.org/backchannel-kg/id/actor/> .
@prefix oa: <http://www.w3.org/ns/oa#> .
"""


def test_graph_scoped_validation_checks_only_the_focus_nodes_of_that_graph() -> None:
    good = Graph().parse(data=PREFIXES + GOOD_CLAIM.format(c="good", d="d1"), format="turtle")
    bad_text = GOOD_CLAIM.format(c="bad", d="d2").replace("bc:stance bc:Affirms ;", "")
    bad = Graph().parse(data=PREFIXES + bad_text + 'ex:bad bc:claimant "someone" .', format="turtle")
    good_graph, bad_graph = DOC_GRAPH_PREFIX + "good", DOC_GRAPH_PREFIX + "bad"
    store = store_with({good_graph: good, bad_graph: bad}, project_context())
    compiled = compile_shapes(fixture_shapes())

    assert validate_store(store, compiled, graph=good_graph) == []
    in_bad = validate_store(store, compiled, graph=bad_graph)
    everything = validate_store(store, compiled)
    assert in_bad == everything
    bad_iri = "https://w3id.org/backchannel-kg/id/test/bad"
    assert keys(in_bad) == {
        (
            bad_iri,
            "https://w3id.org/backchannel-kg/ontology#stance",
            "https://w3id.org/backchannel-kg/test-shapes#ClaimShape-stance",
            SH + "MinCountConstraintComponent",
        ),
        (
            bad_iri,
            "https://w3id.org/backchannel-kg/ontology#stance",
            "https://w3id.org/backchannel-kg/test-shapes#ClaimShape-oneKnownStance",
            SH + "QualifiedMinCountConstraintComponent",
        ),
        (
            bad_iri,
            "https://w3id.org/backchannel-kg/ontology#claimant",
            "https://w3id.org/backchannel-kg/test-shapes#ClaimShape-claimant",
            SH + "MaxCountConstraintComponent",
        ),
        (
            bad_iri,
            "https://w3id.org/backchannel-kg/ontology#claimant",
            "https://w3id.org/backchannel-kg/test-shapes#ClaimShape-claimant",
            SH + "NodeKindConstraintComponent",
        ),
        (
            bad_iri,
            "https://w3id.org/backchannel-kg/ontology#claimant",
            "https://w3id.org/backchannel-kg/test-shapes#ClaimShape-claimant",
            SH + "ClassConstraintComponent",
        ),
        (
            "someone",
            None,
            "https://w3id.org/backchannel-kg/test-shapes#ClaimantShape",
            SH + "NodeKindConstraintComponent",
        ),
        (
            "someone",
            None,
            "https://w3id.org/backchannel-kg/test-shapes#ClaimantShape",
            SH + "OrConstraintComponent",
        ),
    }
    assert validate_store(store, compiled, graph=DOC_GRAPH_PREFIX + "absent") == []


def test_a_node_typed_in_two_graphs_is_validated_in_both() -> None:
    claim = Graph().parse(data=PREFIXES + "ex:c a bc:Claim .", format="turtle")
    store = store_with({DOC_GRAPH_PREFIX + "a": claim, DOC_GRAPH_PREFIX + "b": claim}, project_context())
    compiled = compile_shapes(fixture_shapes())
    in_a = validate_store(store, compiled, graph=DOC_GRAPH_PREFIX + "a")
    assert in_a
    assert (
        in_a
        == validate_store(store, compiled, graph=DOC_GRAPH_PREFIX + "b")
        == validate_store(store, compiled)
    )


# --- the seed build --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_quads() -> list[ox.Quad]:
    _, store = build(Settings(home=ROOT, store="memory"))
    return list(store.raw)


def seed_shapes() -> Graph:
    return project_shapes() if project_shape_files() else fixture_shapes()


def split_for_pyshacl(quads: list[ox.Quad]) -> tuple[Graph, Graph]:
    """Data (document and derived graphs) and context (ontology, reference) as rdflib graphs."""
    data, context = Graph(), Graph()
    context_graphs = {GRAPH_ONTOLOGY.value, GRAPH_REFERENCE.value}
    for name, target in ((False, data), (True, context)):
        triples = [
            ox.Triple(q.subject, q.predicate, q.object)
            for q in quads
            if (q.graph_name.value in context_graphs) == name
        ]
        target.parse(data=(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode(), format="nt")
    return data, context


@pytest.mark.slow
def test_the_seed_build_conforms_under_both_engines(seed_quads: list[ox.Quad]) -> None:
    store = GraphStore.open(None)
    store.bulk_add(seed_quads)
    shapes = seed_shapes()
    compiled = compile_shapes(shapes)
    assert compiled
    fast = validate_store(store, compiled)
    assert fast == [], show(keys(fast))
    data, context = split_for_pyshacl(seed_quads)
    assert len(data) + len(context) == len(store)
    reference = validate_with_pyshacl(data, shapes, context)
    assert reference == [], show(keys(reference))


@pytest.mark.slow
def test_a_damaged_seed_gives_the_same_results_under_both_engines(seed_quads: list[ox.Quad]) -> None:
    """Drop every 40th document triple and point every 150th link at an unknown actor."""
    nobody = ox.NamedNode("https://w3id.org/backchannel-kg/id/actor/nobody")
    damaged: list[ox.Quad] = []
    for i, q in enumerate(seed_quads):
        if not q.graph_name.value.startswith(DOC_GRAPH_PREFIX):
            damaged.append(q)
        elif i % 40 == 0:
            continue
        elif i % 150 == 1 and isinstance(q.object, ox.NamedNode) and q.predicate.value != RDF_TYPE:
            damaged.append(ox.Quad(q.subject, q.predicate, nobody, q.graph_name))
        else:
            damaged.append(q)
    store = GraphStore.open(None)
    store.bulk_add(damaged)
    shapes = seed_shapes()
    fast = keys(validate_store(store, compile_shapes(shapes)))
    data, context = split_for_pyshacl(damaged)
    reference = keys(validate_with_pyshacl(data, shapes, context))
    assert len(fast) >= 10
    if fast != reference:
        pytest.fail(f"store only:\n{show(fast - reference)}\npyshacl only:\n{show(reference - fast)}")


# --- errors ----------------------------------------------------------------------------------

SHAPE_HEADER = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <https://example.org/> .
"""


@pytest.mark.parametrize(
    ("body", "feature"),
    [
        (
            "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:closed true .",
            "shape ex:S: unsupported SHACL feature sh:closed",
        ),
        (
            "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property ex:S-p . ex:S-p sh:path ex:p ;"
            " sh:qualifiedValueShape [ sh:class ex:D ] ; sh:qualifiedMinCount 1 ; sh:qualifiedValueShapesDisjoint true .",
            "shape ex:S-p: unsupported SHACL feature sh:qualifiedValueShapesDisjoint true",
        ),
        (
            "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCont 1 ] .",
            "unsupported SHACL feature sh:minCont",
        ),
        (
            'ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:languageIn ( "en" ) ] .',
            "unsupported SHACL feature sh:languageIn",
        ),
        ("ex:S a sh:NodeShape ; sh:target [ a ex:T ] .", "shape ex:S: unsupported SHACL feature sh:target"),
        (
            "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:node ex:S .",
            "shape ex:S: unsupported SHACL feature a recursive shape reference",
        ),
        (
            'ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select "SELECT ?x WHERE { ?x ?p ?o }" ] .',
            "does not project $this",
        ),
        ("ex:R a sh:NodeShape ; sh:rule [ a sh:SPARQLRule ] .", "unsupported SHACL feature sh:rule"),
    ],
)
def test_an_unsupported_feature_is_an_error_naming_shape_and_feature(body: str, feature: str) -> None:
    shapes = Graph().parse(data=SHAPE_HEADER + body, format="turtle")
    with pytest.raises(UnsupportedShape) as info:
        compile_shapes(shapes)
    assert feature in str(info.value)
    assert isinstance(info.value, InvalidParameter)


def test_a_shapes_file_that_does_not_parse_names_file_and_line(tmp_path: Path) -> None:
    good = tmp_path / "good.ttl"
    good.write_text(SHAPE_HEADER + "ex:S a sh:NodeShape .\n", encoding="utf-8")
    bad = tmp_path / "x.ttl"
    lines = [
        *SHAPE_HEADER.strip().splitlines(),
        "",
        "ex:S a sh:NodeShape ;",
        "  sh:property [ sh:path ex:p ;",
        "  sh:minCount 1",
        "ex:T a sh:NodeShape .",
    ]
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InvalidParameter) as info:
        load_shapes([good, bad])
    assert str(info.value).startswith(f"{bad}, line 7: ")
    assert "expected" in str(info.value)


def test_compilation_is_cached_and_skips_deactivated_shapes() -> None:
    first = compile_shapes(fixture_shapes())
    started = time.perf_counter()
    second = compile_shapes(fixture_shapes())
    assert time.perf_counter() - started < 0.5
    assert first == second
    shapes = {c.shape for c in first}
    assert "https://w3id.org/backchannel-kg/test-shapes#DeactivatedShape" not in shapes
    assert "https://w3id.org/backchannel-kg/test-shapes#ClaimShape-claimant" in shapes
