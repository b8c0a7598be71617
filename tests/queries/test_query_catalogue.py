"""The catalogue loader: every file loads, headers are parsed strictly, terms exist in the ontology."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import RDF, Graph, URIRef
from rdflib.plugins.sparql import prepareQuery

from kg.config import Settings
from kg.errors import KGError
from kg.namespaces import (
    BC,
    GRAPH_CONTRADICTIONS,
    GRAPH_INFERRED,
    GRAPH_ONTOLOGY,
    GRAPH_REFERENCE,
    ID,
    PREFIXES,
)
from kg.queries import NamedQuery, load_catalogue, load_query, run
from kg.store import GraphStore
from tests.conftest import ROOT

QUERIES = ROOT / "queries"
ONTOLOGY = ROOT / "ontology"
# The languages' own vocabularies are not redeclared in ontology/external.ttl.
BUILT_IN = ("http://www.w3.org/1999/02/22-rdf-syntax-ns#", "http://www.w3.org/2000/01/rdf-schema#",
            "http://www.w3.org/2002/07/owl#", "http://www.w3.org/2001/XMLSchema#")  # fmt: skip
PREFIX_LINE = re.compile(r"^PREFIX\s+([A-Za-z][\w-]*):\s*<([^>]*)>", re.MULTILINE | re.IGNORECASE)


def catalogue() -> dict[str, NamedQuery]:
    return load_catalogue(Settings(home=ROOT).queries_dir)


def test_every_rq_file_is_in_the_catalogue() -> None:
    cat = catalogue()
    files = sorted(QUERIES.glob("*.rq"))
    assert files, "no queries/*.rq"
    assert list(cat) == [p.stem for p in files]
    for path in files:
        q = cat[path.stem]
        assert q.name == path.stem and q.text == path.read_text(encoding="utf-8")
        assert q.summary and q.description and q.columns
    assert {
        "messages_between",
        "claims_of_actor",
        "contradictions",
        "channels_between_actors",
        "timeline",
        "weakly_sourced_claims",
        "actors_in_documents",
    } <= set(cat)


def test_settings_name_the_queries_directory(tmp_path: Path) -> None:
    assert Settings(home=ROOT).queries_dir == QUERIES
    assert Settings(home=tmp_path, queries=Path("q")).queries_dir == tmp_path / "q"
    assert Settings(home=tmp_path, queries=QUERIES).queries_dir == QUERIES


def ontology_graph() -> Graph:
    g = Graph()
    for path in sorted(ONTOLOGY.rglob("*.ttl")):
        g.parse(path, format="turtle")
    return g


def iris_in(node: object, found: set[URIRef]) -> set[URIRef]:
    """Every IRI in a query's parsed form (rdflib's algebra), wherever it occurs."""
    if isinstance(node, URIRef):
        found.add(node)
    elif isinstance(node, dict):
        for v in node.values():
            iris_in(v, found)
    elif isinstance(node, list | tuple | set):
        for v in node:
            iris_in(v, found)
    elif hasattr(node, "__dict__"):
        iris_in(vars(node), found)
    return found


def test_every_term_the_queries_use_is_defined_in_the_ontology() -> None:
    """A typo (bc:sentMesageTo) would match nothing and answer "no rows" instead of failing."""
    ontology = ontology_graph()
    defined = {str(s) for s in ontology.subjects(RDF.type, None) if isinstance(s, URIRef)}
    used: dict[str, str] = {}
    for name, query in catalogue().items():
        # rdflib parses every query too: a second engine accepts the text
        for iri in iris_in(prepareQuery(query.text).algebra, set()):
            used.setdefault(str(iri), name)
    own = {iri: q for iri, q in used.items() if iri.startswith(BC)}
    assert len(own) >= 20, "no bc: term found in the queries"
    graphs = {GRAPH_INFERRED.value, GRAPH_ONTOLOGY.value, GRAPH_REFERENCE.value, GRAPH_CONTRADICTIONS.value}
    checked = {iri: q for iri, q in used.items() if not iri.startswith(BUILT_IN) and iri not in graphs}
    undefined = sorted(f"{q}: {iri}" for iri, q in checked.items() if iri not in defined)
    assert not undefined, f"terms used in queries/ but not defined in ontology/: {undefined}"
    assert any(iri.startswith(PREFIXES["skos"]) for iri in checked), "skos labels are checked too"
    assert not [iri for iri in checked if iri.startswith(ID)], "queries name no individual by IRI"


def test_queries_declare_the_project_prefixes_and_no_others() -> None:
    """Each file is complete SPARQL; its prefixes are the project's (kg/namespaces.py), never others."""
    for name, query in catalogue().items():
        declared = PREFIX_LINE.findall(query.text)
        assert declared, name
        for prefix, iri in declared:
            assert PREFIXES.get(prefix) == iri, f"{name}: PREFIX {prefix}: <{iri}> is not the project's"


def test_every_parameter_example_gives_an_answer(seed_store: GraphStore) -> None:
    """Each example (the one the API documentation shows) finds something, alone and all together."""
    for name, query in catalogue().items():
        required = {p.name: p.example for p in query.parameters if p.required}
        assert run(seed_store, query, {p.name: p.example for p in query.parameters}), name
        for p in query.parameters:
            assert run(seed_store, query, {**required, p.name: p.example}), f"{name}: {p.name}={p.example}"


# --- header and text problems --------------------------------------------------------------------

GOOD_HEADER = """\
#+ summary: Claims by stance
#+ description: Every claim with its stance.
#+ parameters:
#+   - name: stance
#+     type: stance
#+     description: Only this stance.
#+     example: affirms
#+ columns:
#+   - name: claim
#+     description: The claim.
#+   - name: stance
#+     description: Its stance.
"""
GOOD_BODY = """\
PREFIX bc: <https://w3id.org/backchannel-kg/ontology#>
SELECT ?claim ?stance WHERE { ?claim bc:stance ?stance } ORDER BY ?claim
"""


def write(tmp_path: Path, text: str, name: str = "claims_by_stance") -> Path:
    path = tmp_path / f"{name}.rq"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file_loads(tmp_path: Path, seed_store: GraphStore) -> None:
    query = load_query(write(tmp_path, GOOD_HEADER + GOOD_BODY))
    assert query.name == "claims_by_stance"
    assert [p.name for p in query.parameters] == ["stance"]
    assert query.parameters[0].required is False and query.parameters[0].default is None
    assert len(run(seed_store, query, {"stance": "denies"})) == 15


BAD_HEADERS = [
    ("no-header", GOOD_BODY, "no header"),
    ("no-space", GOOD_HEADER.replace("#+ summary", "#+summary"), "header line 1: a header line starts with '#+ '"),
    ("bad-yaml", GOOD_HEADER.replace("#+ summary: Claims by stance", "#+ summary: [unclosed"), "not valid YAML"),
    ("not-a-mapping", "#+ - just\n#+ - a list\n" + GOOD_BODY, "must be a YAML mapping"),
    ("missing-columns", GOOD_HEADER.split("#+ columns:")[0], "header: columns: Field required"),
    ("unknown-key", GOOD_HEADER + "#+ returns: rows\n", "header: returns: Extra inputs are not permitted"),
    ("bad-type", GOOD_HEADER.replace("type: stance", "type: colour"), "parameters[0] (stance).type: Input should be 'iri'"),
    ("no-description", GOOD_HEADER.replace("#+     description: Only this stance.\n", ""), "parameters[0] (stance).description: Field required"),
    ("bad-variable", GOOD_HEADER.replace("name: claim", "name: the claim"), "columns[0] (the claim).name: String should match pattern"),
    ("required-default", GOOD_HEADER.replace("example: affirms", "example: affirms\n#+     required: true\n#+     default: denies"), "parameter 'stance' is required, so it cannot have a default"),
    ("bad-example", GOOD_HEADER.replace("example: affirms", "example: maybe"), "parameter 'stance': the example is not a valid value: parameter 'stance': 'maybe' is not one of the choices"),
    ("twice", GOOD_HEADER.replace("#+ columns:", "#+   - name: stance\n#+     type: stance\n#+     description: Again.\n#+     example: denies\n#+ columns:"), "parameter 'stance' is declared twice"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "text", "message"), BAD_HEADERS, ids=[c[0] for c in BAD_HEADERS])
def test_a_malformed_header_names_the_file_and_the_problem(
    tmp_path: Path, case: str, text: str, message: str
) -> None:
    path = write(tmp_path, text if text.endswith(GOOD_BODY) else text + GOOD_BODY)
    with pytest.raises(KGError) as caught:
        load_query(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


BAD_BODIES = [
    ("syntax", GOOD_BODY.replace("PREFIX bc: <https://w3id.org/backchannel-kg/ontology#>\n", ""), "not a valid SPARQL query (with its own PREFIX declarations)"),
    ("ask", "PREFIX bc: <https://w3id.org/backchannel-kg/ontology#>\nASK { ?claim bc:stance ?stance }", "must be a SELECT query"),
    ("columns", GOOD_BODY.replace("SELECT ?claim ?stance", "SELECT ?stance ?claim"), "the header's columns ['claim', 'stance'] are not the variables the SELECT projects, in order: ['stance', 'claim']"),
    ("unprojected", GOOD_BODY.replace("SELECT ?claim ?stance WHERE { ?claim bc:stance ?stance }", "SELECT ?claim ?s WHERE { ?claim bc:stance ?stance BIND(?stance AS ?s) }"), "are not the variables"),
    ("order", GOOD_BODY.replace(" ORDER BY ?claim", "  # ORDER BY ?claim"), "has no ORDER BY"),
    ("assigned", GOOD_BODY.replace("?claim bc:stance ?stance", "?claim bc:stance ?s BIND(?s AS ?stance)"), "with its parameters bound as on a remote engine (a VALUES block opening the WHERE group) the query is not valid"),
    ("bound", GOOD_BODY.replace("?claim bc:stance ?stance", "?claim bc:stance ?stance FILTER(BOUND(?stance))"), "parameter 'stance' is tested with BOUND()"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "body", "message"), BAD_BODIES, ids=[c[0] for c in BAD_BODIES])
def test_a_bad_query_text_names_the_file_and_the_problem(
    tmp_path: Path, case: str, body: str, message: str
) -> None:
    path = write(tmp_path, GOOD_HEADER + body)
    with pytest.raises(KGError) as caught:
        load_query(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


def test_a_parameter_must_be_projected(tmp_path: Path) -> None:
    header = GOOD_HEADER.replace("#+   - name: stance\n#+     description: Its stance.\n", "")
    body = GOOD_BODY.replace("SELECT ?claim ?stance", "SELECT ?claim")
    path = write(tmp_path, header + body)
    with pytest.raises(KGError, match="parameter 'stance' is not projected by the SELECT"):
        load_query(path)


def test_file_names_and_directories(tmp_path: Path) -> None:
    with pytest.raises(KGError, match="must be snake_case"):
        load_query(write(tmp_path, GOOD_HEADER + GOOD_BODY, name="Claims-By-Stance"))
    with pytest.raises(KGError, match="no such directory of named queries"):
        load_catalogue(tmp_path / "missing")
    good = tmp_path / "good"
    good.mkdir()
    write(good, GOOD_HEADER + GOOD_BODY)
    (good / "checks").mkdir()
    write(good / "checks", "not a query", name="ignored")  # only the top level is the catalogue
    assert list(load_catalogue(good)) == ["claims_by_stance"]
    broken = write(good, GOOD_HEADER.replace("type: stance", "type: colour") + GOOD_BODY, name="broken")
    with pytest.raises(KGError, match=re.escape(str(broken))):
        load_catalogue(good)
