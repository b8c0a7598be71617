"""/sparql through real HTTP requests (TestClient) over real stores holding the seed build.

The basic exchanges run on every backend (embedded on disk, in memory, a real ``oxigraph serve``);
the limits, which need their own settings, run on in-memory copies of the seed (and the size
limit on the remote backend too). Expected values are the seed corpus's: 86 claims, 5 documents,
26 contradictions, 209 quads in graph/contradictions (208 and its export summary), 11 names of Hezbollah.
"""

from __future__ import annotations

import csv
import http.server
import io
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef
from rdflib import Literal as RdfLiteral

from api import create_app
from kg.build import build
from kg.config import Settings
from kg.store import GraphStore, open_store
from tests.conftest import ROOT, OxigraphServer, remote_settings, settings_for

BC = "https://w3id.org/backchannel-kg/ontology#"
ID = "https://w3id.org/backchannel-kg/id/"
PREFIX = f"PREFIX bc: <{BC}>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
CLAIMS = PREFIX + "SELECT (COUNT(?c) AS ?n) WHERE { ?c a bc:Claim }"
CLAIM_LIST = PREFIX + "SELECT ?c WHERE { ?c a bc:Claim } ORDER BY ?c"
HEZBOLLAH = PREFIX + (
    f"CONSTRUCT {{ <{ID}actor/hezbollah> skos:altLabel ?l }} "
    f"WHERE {{ <{ID}actor/hezbollah> skos:prefLabel|skos:altLabel ?l }}"
)
HEZBOLLAH_NAMES = {
    "Hezbollah",
    "Hizballah",
    "Hizbollah",
    "Hizbullah",
    "Lebanese Hizbullah",
    "Lebanon's Hizbullah",
    "Lebanon’s Hizbollah",
    "Lebanon’s Hizbullah",
    "Lebanon’s Hezbollah",
    "Lebanon's Hizbollah",
    "Lebanon's Hezbollah",
}
JSON_RESULTS = "application/sparql-results+json"
XML_RESULTS = "application/sparql-results+xml"
SLOW_COUNT = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d a ?f }"  # ~8M joins, 1-2 s before any row
SLOW_STREAM = "SELECT * { ?a ?b ?c . ?d ?e ?f }"  # 40M rows, streamed from the first one


def make_app(settings: Settings, store: GraphStore | None = None) -> TestClient:
    """The app as deployed: ``create_app`` mounts /sparql."""
    return TestClient(create_app(settings, store=store))


@pytest.fixture(scope="module")
def embedded_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sparql") / "store"
    _, store = build(settings_for(path))
    store.close()
    return path


@pytest.fixture(scope="module", params=["embedded", "memory", "remote"])
def client(request: pytest.FixtureRequest, embedded_path: Path) -> Iterator[TestClient]:
    """A client over the seed build on each backend in turn; tests must not write."""
    if request.param == "embedded":
        app = make_app(settings_for(embedded_path))
    elif request.param == "memory":
        _, store = build(settings_for("memory"))
        app = make_app(Settings(home=ROOT, store="memory"), store=store)
    else:
        request.getfixturevalue("remote_seed_store")
        app = make_app(remote_settings(request.getfixturevalue("oxigraph_server")))
    with app as c:
        yield c


def seed_copy(seed_store: GraphStore) -> GraphStore:
    """A private in-memory copy of the seed build, for an app with settings of its own."""
    store = open_store(Settings(home=ROOT, store="memory"))
    store.bulk_add(seed_store.quads())
    return store


def limited(seed_store: GraphStore, **limits: float) -> TestClient:
    settings = Settings(home=ROOT, store="memory").model_copy(update=limits)
    return make_app(settings, store=seed_copy(seed_store))


def rows(response: httpx.Response) -> list[dict[str, str]]:
    body = response.json()
    return [{k: v["value"] for k, v in b.items()} for b in body["results"]["bindings"]]


# --- query forms and formats, on every backend ------------------------------------------------


def test_select_in_json_by_default(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": CLAIMS})
    assert response.status_code == 200
    assert response.headers["content-type"] == JSON_RESULTS
    assert response.headers["vary"] == "Accept"
    assert rows(response) == [{"n": "86"}]


def test_select_in_xml_csv_and_tsv(client: TestClient) -> None:
    xml = client.get("/sparql", params={"query": CLAIMS}, headers={"Accept": XML_RESULTS})
    assert xml.headers["content-type"] == XML_RESULTS
    parsed = ox.parse_query_results(xml.content, format=ox.QueryResultsFormat.XML)
    assert isinstance(parsed, ox.QuerySolutions)
    assert [s["n"].value for s in parsed] == ["86"]

    response = client.get("/sparql", params={"query": CLAIM_LIST}, headers={"Accept": "text/csv"})
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    table = list(csv.reader(io.StringIO(response.text)))
    assert table[0] == ["c"] and len(table) == 87
    assert table[1] == [f"{ID}claim/4de668e1403d28a9/headline-denies-messages"]
    assert table[-1] == [f"{ID}claim/e0e1bd622dfe11ac/western-states-hold-iran-responsible"]

    tsv = client.get("/sparql", params={"query": CLAIMS}, headers={"Accept": "text/tab-separated-values"})
    assert tsv.headers["content-type"] == "text/tab-separated-values; charset=utf-8"
    assert tsv.text == "?n\n86\n"


def test_csv_lists_every_claim_in_order(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": CLAIM_LIST, "format": "csv"})
    table = list(csv.reader(io.StringIO(response.text)))
    claims = [row[0] for row in table[1:]]
    assert len(claims) == 86 and claims == sorted(claims)
    assert f"{ID}claim/9bdecb3cd4d131be/hezbollah-vows-fight-to-end" in claims


def test_ask(client: TestClient) -> None:
    yes = client.get(
        "/sparql", params={"query": PREFIX + f"ASK {{ <{ID}actor/hezbollah> skos:altLabel 'Hizbullah'@en }}"}
    )
    assert yes.status_code == 200 and yes.json() == {"head": {}, "boolean": True}
    no = client.get(
        "/sparql",
        params={"query": PREFIX + f"ASK {{ <{ID}actor/hezbollah> skos:altLabel 'Hamas'@en }}"},
        headers={"Accept": XML_RESULTS},
    )
    assert no.headers["content-type"] == XML_RESULTS
    assert not bool(ox.parse_query_results(no.content, format=ox.QueryResultsFormat.XML))


def _labels(graph: Graph) -> set[str]:
    return {str(o) for s, p, o in graph if s == URIRef(f"{ID}actor/hezbollah")}


@pytest.mark.parametrize(
    ("accept", "media", "rdflib_format"),
    [
        (None, "text/turtle", "turtle"),
        ("text/turtle", "text/turtle", "turtle"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
    ],
)
def test_construct_in_every_rdf_format(
    client: TestClient, accept: str | None, media: str, rdflib_format: str
) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.post(
        "/sparql", content=HEZBOLLAH, headers={"Content-Type": "application/sparql-query", **headers}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    graph = Graph().parse(data=response.content, format=rdflib_format)
    assert _labels(graph) == HEZBOLLAH_NAMES
    assert RdfLiteral("Hizbullah", lang="en") in set(graph.objects())


def test_turtle_uses_the_query_prefixes(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": HEZBOLLAH})
    assert "@prefix skos: <http://www.w3.org/2004/02/skos/core#> ." in response.text
    assert "skos:altLabel" in response.text


def test_describe(client: TestClient) -> None:
    response = client.get(
        "/sparql",
        params={"query": f"DESCRIBE <{ID}actor/hezbollah>"},
        headers={"Accept": "application/n-triples"},
    )
    assert response.status_code == 200
    triples = list(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))
    labels = {t.object.value for t in triples if t.predicate.value.endswith("altLabel")}
    assert {"Hizbullah", "Hizbollah", "Hizballah"} <= labels


def test_post_form(client: TestClient) -> None:
    response = client.post("/sparql", data={"query": CLAIMS})
    assert response.status_code == 200 and rows(response) == [{"n": "86"}]


# --- the dataset: default-graph-uri, named-graph-uri, FROM -------------------------------------

COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
CONTRADICTIONS = ID + "graph/contradictions"
REFERENCE = ID + "graph/reference"


def test_default_graph_uri_restricts_the_default_graph(client: TestClient) -> None:
    union = rows(client.get("/sparql", params={"query": COUNT_ALL}))[0]["n"]
    assert int(union) > 6000
    one = client.get("/sparql", params={"query": COUNT_ALL, "default-graph-uri": CONTRADICTIONS})
    assert rows(one) == [{"n": "209"}]
    # the contradictions graph holds the 26 contradictions and nothing claims-side
    contradictions = PREFIX + "SELECT (COUNT(?x) AS ?n) WHERE { ?x a bc:Contradiction }"
    assert rows(
        client.get("/sparql", params={"query": contradictions, "default-graph-uri": CONTRADICTIONS})
    ) == [{"n": "26"}]
    assert rows(client.get("/sparql", params={"query": contradictions, "default-graph-uri": REFERENCE})) == [
        {"n": "0"}
    ]


def test_named_graph_uri_limits_graph_patterns_and_empties_the_default_graph(client: TestClient) -> None:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = client.post(
        f"/sparql?named-graph-uri={REFERENCE}&named-graph-uri={CONTRADICTIONS}",
        content=query,
        headers={"Content-Type": "application/sparql-query"},
    )
    assert sorted(r["g"] for r in rows(response)) == [CONTRADICTIONS, REFERENCE]
    empty = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }", "named-graph-uri": REFERENCE})
    assert empty.json()["boolean"] is False
    everything = client.get("/sparql", params={"query": query})
    assert len(rows(everything)) == 8  # five documents, ontology, reference, contradictions


def test_from_in_the_query_is_honoured(client: TestClient) -> None:
    """Without protocol graphs the default graph is the union, unless the query says FROM."""
    response = client.get(
        "/sparql", params={"query": f"SELECT (COUNT(*) AS ?n) FROM <{CONTRADICTIONS}> WHERE {{ ?s ?p ?o }}"}
    )
    assert rows(response) == [{"n": "209"}]
    named = client.get(
        "/sparql",
        params={"query": f"SELECT DISTINCT ?g FROM NAMED <{REFERENCE}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"},
    )
    assert rows(named) == [{"g": REFERENCE}]


def test_protocol_dataset_overrides_from(client: TestClient) -> None:
    response = client.get(
        "/sparql",
        params={
            "query": f"SELECT (COUNT(*) AS ?n) FROM <{REFERENCE}> WHERE {{ ?s ?p ?o }}",
            "default-graph-uri": CONTRADICTIONS,
        },
    )
    assert rows(response) == [{"n": "209"}]


# --- content negotiation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", XML_RESULTS),
        ("text/*;q=0.9, text/csv;q=0.1", "text/tab-separated-values"),
        ("*/*;q=0.1, text/tab-separated-values", "text/tab-separated-values"),
        ("application/json", JSON_RESULTS),
        ("text/html, */*;q=0.8", JSON_RESULTS),
        ("*/*", JSON_RESULTS),
        ("application/sparql-results+json;q=0, */*", XML_RESULTS),
    ],
)
def test_accept_with_q_values(client: TestClient, accept: str, media: str) -> None:
    response = client.get("/sparql", params={"query": CLAIMS}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media


def test_format_parameter_wins_over_accept(client: TestClient) -> None:
    response = client.get(
        "/sparql", params={"query": CLAIMS, "format": "tsv"}, headers={"Accept": XML_RESULTS}
    )
    assert response.text == "?n\n86\n"
    graph = client.get("/sparql", params={"query": HEZBOLLAH, "format": "json"})
    assert graph.headers["content-type"] == "application/ld+json"
    assert {
        v["@value"] for node in graph.json() for vs in node.values() if isinstance(vs, list) for v in vs
    } == HEZBOLLAH_NAMES


@pytest.mark.parametrize(
    ("query", "accept", "available"),
    [
        (CLAIMS, "text/turtle", "application/sparql-results+json, application/sparql-results+xml, text/csv"),
        (
            CLAIMS,
            "text/csv;q=0, text/tab-separated-values;q=0, application/*;q=0",
            "text/tab-separated-values",
        ),
        (
            HEZBOLLAH,
            "application/sparql-results+json",
            "text/turtle, application/n-triples, application/ld+json",
        ),
    ],
)
def test_406_names_what_can_be_produced(client: TestClient, query: str, accept: str, available: str) -> None:
    response = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 406
    assert available in response.json()["detail"]


def test_a_format_the_answer_cannot_take(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": HEZBOLLAH, "format": "csv"})
    assert response.status_code == 406
    assert response.json()["detail"] == (
        "a CONSTRUCT/DESCRIBE answer cannot be given as 'csv'; available: text/turtle, "
        "application/n-triples, application/ld+json, application/rdf+xml"
    )
    unknown = client.get("/sparql", params={"query": CLAIMS, "format": "yaml"})
    assert unknown.status_code == 400 and "unknown format 'yaml'" in unknown.json()["detail"]


# --- requests that cannot run ------------------------------------------------------------------


def test_malformed_query_gets_the_parser_message(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "ASK {"})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("the query is not valid SPARQL: parser: error at 1:6: ")


def test_undeclared_prefix_is_named(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELECT ?c WHERE { ?c a bc:Claim }"})
    assert response.status_code == 400
    assert response.json()["detail"].startswith(
        "the query is not valid SPARQL: the prefix 'bc:' is used but not declared "
        f"(add PREFIX bc: <{BC}>); parser: error at 1:"
    )


@pytest.mark.parametrize(
    ("method", "url", "kwargs", "message"),
    [
        ("GET", "/sparql?default-graph-uri=http://example.org/g", {}, "no query"),
        ("POST", "/sparql", {"data": {"default-graph-uri": "http://example.org/g"}}, "no query"),
        ("GET", "/sparql?query=", {}, "the query is empty"),
        ("GET", "/sparql?query=ASK%20%7B%7D&query=ASK%20%7B%7D", {}, "2 queries in one request"),
        ("POST", "/sparql?query=ASK%20%7B%7D", {"data": {"query": "ASK {}"}}, "two queries"),
        (
            "POST",
            "/sparql?query=ASK%20%7B%7D",
            {"content": "ASK {}", "headers": {"Content-Type": "application/sparql-query"}},
            "two queries",
        ),
        ("GET", "/sparql?update=CLEAR%20ALL", {}, "read-only"),
        ("POST", "/sparql", {"data": {"update": "CLEAR ALL"}}, "read-only"),
        (
            "POST",
            "/sparql",
            {"content": "CLEAR ALL", "headers": {"Content-Type": "application/sparql-update"}},
            "read-only",
        ),
        ("GET", "/sparql?query=%FF", {}, "not UTF-8"),
        ("GET", "/sparql?query=ASK%7B%7D&default-graph-uri=not%20an%20iri", {}, "is not an absolute IRI"),
    ],
)
def test_400(client: TestClient, method: str, url: str, kwargs: dict[str, Any], message: str) -> None:
    response = client.request(method, url, **kwargs)
    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_insert_sent_as_a_query_is_a_parse_error_saying_read_only(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": f"INSERT DATA {{ <{ID}a> <{ID}b> <{ID}c> }}"})
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail.startswith("the query is not valid SPARQL: this endpoint is read-only")
    assert "parser: error at 1:" in detail
    assert client.get("/sparql", params={"query": f"ASK {{ <{ID}a> ?p ?o }}"}).json()["boolean"] is False


@pytest.mark.parametrize(
    ("content_type", "body", "message"),
    [
        ("text/plain", b"ASK {}", "not Content-Type text/plain"),
        (None, b"query=ASK%20%7B%7D", "not no Content-Type"),
        ("application/sparql-query; charset=UTF-16", "ASK {}".encode("utf-16"), "must be sent as UTF-8"),
    ],
)
def test_415(client: TestClient, content_type: str | None, body: bytes, message: str) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post("/sparql", content=body, headers=headers)
    assert response.status_code == 415
    assert message in response.json()["detail"]


def test_other_methods_are_not_allowed(client: TestClient) -> None:
    for response in (client.put("/sparql?query=ASK%20%7B%7D"), client.delete("/sparql")):
        assert response.status_code == 405
        assert response.json() == {"detail": "Method Not Allowed"}
        assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD", "POST"}
    head = client.head(f"/sparql?{urlencode({'query': 'ASK {}'})}", headers={"Accept": "text/csv"})
    assert (
        head.status_code == 200 and head.headers["content-type"].startswith("text/csv") and not head.content
    )


def test_the_endpoint_is_described_in_openapi(client: TestClient) -> None:
    """/sparql is a plain ASGI route; its OpenAPI entry is written by hand and must stay whole."""
    spec = client.get("/openapi.json").json()
    item = spec["paths"]["/sparql"]
    assert set(item) == {"get", "post"}
    get, post = item["get"], item["post"]
    assert [p["name"] for p in get["parameters"]] == [
        "query",
        "default-graph-uri",
        "named-graph-uri",
        "format",
    ]
    assert "query" not in [p["name"] for p in post["parameters"]]
    assert set(post["requestBody"]["content"]) == {
        "application/x-www-form-urlencoded",
        "application/sparql-query",
    }
    for operation in (get, post):
        assert operation["summary"] and operation["tags"] == ["sparql"]
        assert {"200", "400", "406", "415", "422", "503"} <= set(operation["responses"])
        assert all(r["description"] for r in operation["responses"].values())
        assert "application/sparql-results+json" in operation["responses"]["200"]["content"]
    assert client.get("/docs").status_code == 200


# --- SERVICE ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def listener() -> Iterator[tuple[str, list[str]]]:
    """A real HTTP server on localhost that records every request it gets."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(500)
            self.end_headers()

        do_POST = do_GET

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", hits
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * { SERVICE <{url}> { ?s ?p ?o } }",
        "select * { service silent <{url}> { ?s ?p ?o } }",
        "SELECT * { SERVICESILENT<{url}>{ ?s ?p ?o } }",
        "PREFIX : <{url}> SELECT * { SERVICE:x { ?s ?p ?o } }",
        "SELECT * { ?s ?p ?o FILTER(1<'x>') SERVICE <{url}> { ?s ?p ?o } #'\n}",
        "ASK { FILTER EXISTS { SERVICE <{url}> { } } }",
        "SELECT * { { SELECT * { SERVICE <{url}> { ?s ?p ?o } } } }",
    ],
)
def test_service_is_refused_before_any_request(
    client: TestClient, listener: tuple[str, list[str]], query: str
) -> None:
    url, hits = listener
    response = client.get("/sparql", params={"query": query.replace("{url}", url)})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("SERVICE is not allowed here")
    assert hits == []


def test_the_word_service_elsewhere_is_fine(client: TestClient) -> None:
    query = (
        "PREFIX sd: <http://www.w3.org/ns/sparql-service-description#>\n"
        'SELECT ?service WHERE { BIND("SERVICE <http://example.org/> {}" AS ?service) } # SERVICE\n'
    )
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 200
    assert rows(response) == [{"service": "SERVICE <http://example.org/> {}"}]


# --- the service description ---------------------------------------------------------------------


def test_bare_get_describes_the_service(client: TestClient) -> None:
    response = client.get("/sparql")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/turtle; charset=utf-8"
    graph = Graph().parse(data=response.text, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert (None, URIRef(sd + "endpoint"), URIRef("http://testserver/sparql")) in graph
    comment = next(str(o) for p, o in graph.predicate_objects() if str(p).endswith("comment"))
    assert "30 s" in comment and "100000 rows" in comment


def test_a_browser_is_sent_to_the_query_page(client: TestClient) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get("/sparql", headers={"Accept": browser}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "http://testserver/"


def test_bare_get_for_results_says_the_query_is_missing(client: TestClient) -> None:
    response = client.get("/sparql", headers={"Accept": JSON_RESULTS})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("no query: send it as the 'query' parameter")


# --- limits -------------------------------------------------------------------------------------------


def test_answer_at_the_row_limit_is_whole_and_one_more_row_is_refused(seed_store: GraphStore) -> None:
    with limited(seed_store, query_max_results=86) as c:
        for fmt in ("json", "xml", "csv", "tsv"):
            response = c.get("/sparql", params={"query": CLAIM_LIST, "format": fmt})
            assert response.status_code == 200, fmt
        assert len(rows(c.get("/sparql", params={"query": CLAIM_LIST}))) == 86
    with limited(seed_store, query_max_results=85) as c:
        for fmt in ("json", "xml", "csv", "tsv"):
            response = c.get("/sparql", params={"query": CLAIM_LIST, "format": fmt})
            assert response.status_code == 422, fmt
            assert response.json() == {
                "detail": "the answer has more than 85 rows, the most this endpoint returns; "
                "add a LIMIT (at most 85) or narrow the query"
            }
        assert len(rows(c.get("/sparql", params={"query": CLAIM_LIST + " LIMIT 85"}))) == 85
        assert c.get("/sparql", params={"query": CLAIM_LIST + " LIMIT 86"}).status_code == 422


def test_triple_limit(seed_store: GraphStore) -> None:
    with limited(seed_store, query_max_results=11) as c:
        assert (
            _labels(Graph().parse(data=c.get("/sparql", params={"query": HEZBOLLAH}).text, format="turtle"))
            == HEZBOLLAH_NAMES
        )
    with limited(seed_store, query_max_results=10) as c:
        response = c.get("/sparql", params={"query": HEZBOLLAH})
        assert response.status_code == 422
        assert response.json()["detail"].startswith("the answer has more than 10 triples")


def test_size_limit_on_the_remote_backend(
    remote_seed_store: GraphStore, oxigraph_server: OxigraphServer
) -> None:
    settings = remote_settings(oxigraph_server).model_copy(update={"query_max_results": 85})
    with make_app(settings) as c:
        assert c.get("/sparql", params={"query": CLAIM_LIST}).status_code == 422
        assert c.get("/sparql", params={"query": CLAIMS}).status_code == 200


def test_streaming_query_stops_at_the_time_limit(seed_store: GraphStore) -> None:
    with limited(seed_store, query_timeout=0.5, query_max_results=10**9) as c:
        start = time.monotonic()
        response = c.get("/sparql", params={"query": SLOW_STREAM})
        elapsed = time.monotonic() - start
        assert response.status_code == 503
        assert response.json() == {
            "detail": "the query ran longer than the time limit of 0.5 s and was stopped; "
            "narrow it (more specific patterns, a LIMIT) and try again"
        }
        assert elapsed < 5
        assert rows(c.get("/sparql", params={"query": CLAIMS})) == [{"n": "86"}]


def test_query_that_computes_before_its_first_row_is_answered_at_the_deadline(seed_store: GraphStore) -> None:
    """The client hears at the deadline, though the worker finishes computing (no cancellation)."""
    with limited(seed_store, query_timeout=0.2, query_workers=1) as c:
        start = time.monotonic()
        response = c.get("/sparql", params={"query": SLOW_COUNT})
        assert response.status_code == 503
        assert time.monotonic() - start < 1.0
        assert "ran longer than the time limit of 0.2 s" in response.json()["detail"]
        # the one worker is still computing: the next query waits, then hears the endpoint is busy
        busy = c.get("/sparql", params={"query": "ASK {}"})
        assert busy.status_code == 503
        assert busy.json()["detail"].startswith("the endpoint is busy: the query waited its whole time limit")
        deadline = time.monotonic() + 60
        while c.get("/sparql", params={"query": "ASK {}"}).status_code != 200:
            assert time.monotonic() < deadline
            time.sleep(0.2)


def test_a_time_limit_that_is_not_hit(seed_store: GraphStore) -> None:
    """Every typing triple times the 5 documents: a join computed before its one row, within 30 s."""
    typed_query = "SELECT (COUNT(*) AS ?n) { ?a a ?c }"
    join_query = PREFIX + "SELECT (COUNT(*) AS ?n) { ?a a ?c . ?d a bc:Document }"
    with limited(seed_store, query_timeout=30) as c:
        typed = int(rows(c.get("/sparql", params={"query": typed_query}))[0]["n"])
        assert typed > 1000
        assert rows(c.get("/sparql", params={"query": join_query})) == [{"n": str(5 * typed)}]


def test_errors_are_json_with_a_detail(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELEC"})
    assert response.headers["content-type"] == "application/json"
    assert set(json.loads(response.content)) == {"detail"}
