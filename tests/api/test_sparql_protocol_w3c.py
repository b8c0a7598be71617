"""The W3C SPARQL 1.1 Protocol test suite, run from its own manifest against /sparql.

``/work/shared/conformance/sparql11-protocol/manifest.ttl`` (a copy of w3c/rdf-tests) describes
each test as HTTP requests and the expected responses: a status class (2xx/3xx/4xx), and for
queries the kind of answer (boolean, tabular, RDF) and for ASK its value. The module reads the
manifest with rdflib, loads each test's ``ut:graphData`` into a fresh store (each file into the
named graph its label gives), sends the requests through a real app and checks what the manifest
says, on an in-memory store and on a real ``oxigraph serve`` (remote backend).

Which tests apply to a read-only endpoint:

* all ``query_*`` and ``bad_*`` tests (27) run exactly as the manifest says;
* the seven ``update_*`` tests (``update_dataset_default_graph``, ``update_dataset_default_graphs``,
  ``update_dataset_named_graphs``, ``update_dataset_full``, ``update_post_form``,
  ``update_post_direct``, ``update_base_uri``) expect a successful update, which a read-only
  endpoint must not perform: for them the test checks the opposite, that the update request gets a
  400 saying the endpoint is read-only and that the store is unchanged.

No test is skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from api import create_app
from kg.config import Settings
from kg.store import GraphStore, open_store
from tests.conftest import ROOT, OxigraphServer, remote_settings, start_oxigraph, stop_oxigraph

SUITE = Path("/work/shared/conformance/sparql11-protocol")
MANIFEST = SUITE / "manifest.ttl"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = "http://www.w3.org/2011/http-statusCodes#StatusCode"

READ_ONLY_INSTEAD = {
    "update_dataset_default_graph",
    "update_dataset_default_graphs",
    "update_dataset_named_graphs",
    "update_dataset_full",
    "update_post_form",
    "update_post_direct",
    "update_base_uri",
}
BOOLEAN_TYPES = {"application/sparql-results+json", "application/sparql-results+xml"}
TABULAR_TYPES = BOOLEAN_TYPES | {"text/csv", "text/tab-separated-values"}
RDF_TYPES = {"application/rdf+xml", "text/turtle", "application/n-triples"}


@dataclass(frozen=True)
class Exchange:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: frozenset[str]
    expected_format: str | None
    expected_boolean: bool | None


@dataclass(frozen=True)
class ProtocolTest:
    id: str
    name: str
    data: tuple[tuple[str, Path], ...]
    exchanges: tuple[Exchange, ...]


def _text(g: Graph, node: Node | None, prop: URIRef) -> str | None:
    value = g.value(node, prop) if node is not None else None
    return str(value) if value is not None else None


def _exchange(g: Graph, request: Node) -> Exchange:
    body_node = g.value(request, HT.body)
    body = None
    if body_node is not None:
        chars = _text(g, body_node, CNT.chars) or ""
        body = chars.encode(_text(g, body_node, CNT.characterEncoding) or "UTF-8")  # UTF-16 gets a BOM
    headers = {}
    if g.value(request, HT.headers) is not None:
        for header in _list(g, request, HT.headers):
            headers[str(g.value(header, HT.fieldName))] = str(g.value(header, HT.fieldValue))
    response = g.value(request, HT.resp)
    statuses = frozenset(str(s).removeprefix(HTS) for s in g.objects(response, MF.expectedStatus))
    boolean = g.value(response, MF.expectedBoolean)
    path = str(g.value(request, HT.absolutePath))
    assert path.startswith("/sparql/"), path
    return Exchange(
        method=str(g.value(request, HT.methodName)),
        path="/sparql" + path.removeprefix("/sparql/"),
        headers=headers,
        body=body,
        statuses=statuses,
        expected_format=_text(g, response, MF.expectedFormat),
        expected_boolean=boolean.toPython() if isinstance(boolean, Literal) else None,
    )


def _list(g: Graph, node: Node | None, prop: URIRef) -> list[Node]:
    head = g.value(node, prop) if node is not None else None
    assert head is not None, f"{node} has no {prop}"
    return list(Collection(g, head))


def load_manifest() -> list[ProtocolTest]:
    g = Graph().parse(MANIFEST, format="turtle")
    manifest = next(g.subjects(RDF.type, MF.Manifest))
    tests = []
    for entry in _list(g, manifest, MF.entries):
        requests = _list(g, g.value(entry, MF.action), HT.requests)
        data = tuple(
            sorted(
                (str(g.value(d, RDFS.label)), Path(str(g.value(d, UT.graph)).removeprefix("file://")))
                for d in g.objects(entry, UT.graphData)
            )
        )
        tests.append(
            ProtocolTest(
                id=str(entry).rpartition("#")[2],
                name=str(g.value(entry, MF.name)),
                data=data,
                exchanges=tuple(_exchange(g, r) for r in requests),
            )
        )
    return tests


TESTS = load_manifest()


def test_the_manifest_is_read_whole() -> None:
    """34 entries, each with at least one exchange; every data file it names exists."""
    assert len(TESTS) == 34
    assert all(t.exchanges for t in TESTS)
    assert {t.id for t in TESTS} >= READ_ONLY_INSTEAD
    files = {path for t in TESTS for _, path in t.data}
    assert files == {SUITE / "data1.nt", SUITE / "data2.nt", SUITE / "data3.nt"}
    assert all(f.is_file() for f in files)


def _quads(test: ProtocolTest) -> list[ox.Quad]:
    quads = []
    for graph, path in test.data:
        for triple in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES):
            quads.append(ox.Quad(triple.subject, triple.predicate, triple.object, ox.NamedNode(graph)))
    return quads


@pytest.fixture(scope="module")
def protocol_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """A server of its own: the suite writes its data there, so the shared seed server stays intact."""
    server = start_oxigraph(tmp_path_factory.mktemp("w3c-oxigraph"))
    yield server
    stop_oxigraph(server)


def _app(settings: Settings, store: GraphStore) -> TestClient:
    return TestClient(create_app(settings, store=store))


MakeClient = Callable[[ProtocolTest], tuple[TestClient, GraphStore]]


@pytest.fixture(params=["memory", "remote"])
def client_for(request: pytest.FixtureRequest) -> Iterator[MakeClient]:
    """A function giving a client over a store holding exactly a test's data."""
    opened: list[TestClient] = []

    def make(test: ProtocolTest) -> tuple[TestClient, GraphStore]:
        if request.param == "memory":
            settings = Settings(home=ROOT, store="memory")
        else:
            settings = remote_settings(request.getfixturevalue("protocol_server"))
        store = open_store(settings)
        store.replace_all(_quads(test))
        client = _app(settings, store)
        client.__enter__()
        opened.append(client)
        return client, store

    yield make
    for client in opened:
        client.__exit__(None, None, None)


def _media(response_content_type: str) -> str:
    return response_content_type.split(";")[0].strip().lower()


def _check_answer(exchange: Exchange, status: int, content_type: str, body: bytes) -> None:
    assert f"{status // 100}xx" in exchange.statuses, (status, body[:500])
    if exchange.expected_format is None:
        return
    media = _media(content_type)
    if exchange.expected_format == "boolean":
        assert media in BOOLEAN_TYPES
        fmt = ox.QueryResultsFormat.from_media_type(media)
        assert fmt is not None
        result = ox.parse_query_results(body, format=fmt)
        assert isinstance(result, ox.QueryBoolean)
        if exchange.expected_boolean is not None:
            assert bool(result) is exchange.expected_boolean
    elif exchange.expected_format == "tabular":
        assert media in TABULAR_TYPES
        fmt = ox.QueryResultsFormat.from_media_type(media)
        assert fmt is not None
        result = ox.parse_query_results(body, format=fmt)
        assert isinstance(result, ox.QuerySolutions)
        assert [v.value for v in result.variables] == ["value"]
        assert [row["value"] for row in result] == [ox.Literal("1", datatype=ox.NamedNode(XSD_INTEGER))]
    else:
        assert exchange.expected_format == "RDF"
        assert media in RDF_TYPES
        rdf_format = ox.RdfFormat.from_media_type(media)
        assert rdf_format is not None
        list(ox.parse(body, format=rdf_format))


XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"


@pytest.mark.parametrize("test", TESTS, ids=[t.id for t in TESTS])
def test_protocol(test: ProtocolTest, client_for: MakeClient) -> None:
    client, store = client_for(test)
    if test.id in READ_ONLY_INSTEAD:
        before = store.canonical_nquads()
        first = test.exchanges[0]
        response = client.request(first.method, first.path, content=first.body, headers=first.headers)
        assert response.status_code == 400
        assert "read-only" in response.json()["detail"]
        assert store.canonical_nquads() == before
        return
    for exchange in test.exchanges:
        response = client.request(
            exchange.method, exchange.path, content=exchange.body, headers=exchange.headers
        )
        _check_answer(
            exchange, response.status_code, response.headers.get("content-type", ""), response.content
        )
        if response.status_code >= 400:
            assert response.json()["detail"]


def test_construct_resolves_relative_iris_against_the_endpoint() -> None:
    """query_content_type_construct uses <s> and <p>: they resolve against the endpoint's URL."""
    test = next(t for t in TESTS if t.id == "query_content_type_construct")
    settings = Settings(home=ROOT, store="memory")
    with _app(settings, open_store(settings)) as client:
        exchange = test.exchanges[0]
        response = client.request(
            exchange.method,
            exchange.path,
            content=exchange.body,
            headers={**exchange.headers, "Accept": "application/n-triples"},
        )
    assert response.status_code == 200
    assert response.text == (
        '<http://testserver/s> <http://testserver/p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
    )


SD = Namespace("http://www.w3.org/ns/sparql-service-description#")


@pytest.mark.parametrize(
    "accept", ["text/turtle", "application/rdf+xml", "application/n-triples", "application/ld+json"]
)
def test_service_description(accept: str) -> None:
    """The three service-description tests: GET returns RDF, with a matching sd:endpoint, in the schema."""
    settings = Settings(home=ROOT, store="memory")
    with _app(settings, open_store(settings)) as client:
        response = client.get("/sparql", headers={"Accept": accept})
    assert response.status_code == 200
    assert _media(response.headers["content-type"]) == accept
    rdf_format = {
        "text/turtle": "turtle",
        "application/rdf+xml": "xml",
        "application/n-triples": "nt",
        "application/ld+json": "json-ld",
    }
    g = Graph().parse(data=response.content, format=rdf_format[accept])
    services = list(g.subjects(RDF.type, SD.Service))
    assert len(services) == 1
    service = services[0]
    assert list(g.objects(service, SD.endpoint)) == [URIRef("http://testserver/sparql")]
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in g
    assert (service, SD.feature, SD.UnionDefaultGraph) in g
    formats = set(g.objects(service, SD.resultFormat))
    assert URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in formats
    assert URIRef("http://www.w3.org/ns/formats/Turtle") in formats
    assert len(formats) == 8
    dataset = g.value(service, SD.defaultDataset)
    assert (dataset, RDF.type, SD.Dataset) in g
    assert (g.value(dataset, SD.defaultGraph), RDF.type, SD.Graph) in g
    # conforms to the schema: every sd: term used is one the vocabulary defines, on the right node
    sd_terms = {p for _, p, _ in g if str(p).startswith(str(SD))} | {
        o for _, _, o in g if isinstance(o, URIRef) and str(o).startswith(str(SD))
    }
    defined = {SD[t] for t in ("endpoint", "supportedLanguage", "feature", "defaultEntailmentRegime", "defaultDataset",
                               "defaultGraph", "resultFormat", "Service", "Dataset", "Graph", "SPARQL11Query",
                               "UnionDefaultGraph")}  # fmt: skip
    assert sd_terms == defined
