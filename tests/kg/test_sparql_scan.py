"""The SERVICE check and what else the scan reads from a query, against the engine's own reading.

Each refused query is one that pyoxigraph really parses as a SERVICE call (checked here by
running it against a local HTTP server that records requests), so the scan is tested against
the engine it protects, not against an idea of SPARQL.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from kg.errors import InvalidSparql
from kg.sparql_results import top_level_limit
from kg.sparql_scan import scan

CALLS = [
    "SELECT * { SERVICE <{url}a> { ?s ?p ?o } }",
    "select * { service <{url}b> { ?s ?p ?o } }",
    "SELECT * { SERVICE SILENT <{url}c> { ?s ?p ?o } }",
    "SELECT * { SERVICESILENT<{url}d>{ ?s ?p ?o } }",
    "PREFIX : <{url}> SELECT * { SERVICE:e { ?s ?p ?o } }",
    "PREFIX ex: <{url}> SELECT * { SERVICEex:f { ?s ?p ?o } }",
    "SELECT * { SERVICE#comment\n <{url}g> { ?s ?p ?o } }",
    "SELECT * { SERVICE\t<{url}h>{} }",
    "SELECT * { ?x ?y ?z OPTIONAL { SERVICE <{url}i> { ?s ?p ?o } } }",
    "ASK { SERVICE <{url}j> { } }",
    "SELECT * WHERE { { SELECT * { SERVICE <{url}k> { ?s ?p ?o } } } }",
    "SELECT * { FILTER EXISTS { SERVICE <{url}l> { ?s ?p ?o } } }",
    "SELECT * { SERVICE <{url}\\u006d> { ?s ?p ?o } }",
    "SELECT * { FILTER(1<'x>') SERVICE <{url}n> { } #'\n}",
    "SELECT * { BIND(1<'x>' AS ?v) SERVICE <{url}o> { } #'\n}",
]
# Parsed by the engine as SERVICE too, but they never call out (an unbound service variable,
# an empty left-hand side); the scan must refuse them all the same.
HIDDEN = [
    "SELECT * { ?s ?p trueSERVICE<{url}>{} }",
    "SELECT * { ?s ?p 1SERVICE<{url}>{ ?s ?p ?o } }",
    "SELECT * { ?s ?p (1 <x#>) SERVICE <{url}> { ?s ?p ?o } }",
    "SELECT * { BIND(<{url}> AS ?u) FILTER(1<2)SERVICE?u#>\n{ ?s ?p ?o } }",
    "SELECT * { {SELECT ?x (1<'a>' AS ?y) {} } SERVICE <{url}> {} #'\n }",
    "SELECT * { ?s ?p <<( ?a ?b ?c )>> FILTER(?x = <<( ?a ?b <x#> )>>) SERVICE <{url}> {} }",
    "SELECT * { VALUES ?x { 1 } FILTER(1<'a>')SERVICE<{url}>{}#'\n}",
]
FINE = [
    "SELECT * { ?s <http://example.org/service#p> ?o }",
    "PREFIX sd: <http://www.w3.org/ns/sparql-service-description#> SELECT * { ?s a sd:Service ; sd:endpoint ?e }",
    'SELECT * { ?s ?p "SERVICE <http://example.org/> {}" }',
    "SELECT * { ?s ?p '''\nSERVICE <http://example.org/> {}\n''' }",
    "SELECT * { ?s ?p ?o } # SERVICE <http://example.org/> {}",
    "SELECT ?service { ?service ?p ?o }",
    "PREFIX ex: <http://example.org/> SELECT * { ?s ex:service ?o }",
    "SELECT * { ?s ?p ?o FILTER(?o<?x&&?x>3) }",
    "SELECT * { ?s ?p ?o FILTER(?o <'a>' || ?o > 'b') }",
    "SELECT * { VALUES (?a ?b) { "
    + " ".join(f"(<http://a.example/#{i}> <http://b.example/#{i}>)" for i in range(500))
    + " } }",
]


@pytest.fixture(scope="module")
def listener() -> Iterator[tuple[str, list[str]]]:
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
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", hits
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("template", CALLS)
def test_the_engine_calls_out_and_the_scan_refuses(template: str, listener: tuple[str, list[str]]) -> None:
    url, hits = listener
    query = template.replace("{url}", url)
    before = len(hits)
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://s"), ox.NamedNode("http://p"), ox.NamedNode("http://o")))
    try:
        result = store.query(query, use_default_graph_as_union=True)
        if isinstance(result, ox.QuerySolutions):
            list(result)
    except OSError:
        pass  # the listener answers 500: the call was made, which is what this checks
    assert len(hits) == before + 1, "the engine did not call out: this case tests nothing"
    with pytest.raises(InvalidSparql, match=r"^SERVICE is not allowed here"):
        scan(query)


@pytest.mark.parametrize("template", HIDDEN)
def test_service_the_engine_parses_is_refused(template: str) -> None:
    query = template.replace("{url}", "http://127.0.0.1:9/")
    ox.Store().query(query, base_iri="http://base.example/")  # parsed (no SyntaxError): a real SERVICE
    with pytest.raises(InvalidSparql, match=r"^SERVICE is not allowed here"):
        scan(query)


@pytest.mark.parametrize("query", FINE)
def test_the_word_elsewhere_is_not_service(query: str) -> None:
    found = scan(query)
    assert found.form == "SELECT"
    assert not found.has_service


def test_escaped_keyword_is_refused_even_though_oxigraph_does_not_decode_it() -> None:
    with pytest.raises(InvalidSparql):
        scan(r"SELECT * { \u0053ERVICE <http://example.org/> { } }")


def test_too_many_ambiguous_comparisons_are_refused_rather_than_guessed() -> None:
    query = "SELECT * { FILTER(" + " && ".join(f"?a<'{i}>'" for i in range(40)) + ") }"
    with pytest.raises(InvalidSparql, match="too many '<'"):
        scan(query)


def test_dataset_prefixes_and_form() -> None:
    found = scan(
        "BASE <http://b.example/x/>\nPREFIX ex: <http://ex.example/>\nPREFIX : <rel#>\n"
        "SELECT * FROM <g1> FROM NAMED ex:g2 FROM ex:g\\.3\n"
        "WHERE { { SELECT * { ?s :p ?o } } ?s ex:p ?o . ?s bc:x ?y FILTER(?y > 'FROM <http://no/>') }"
    )
    assert found.form == "SELECT"
    assert found.default_graphs == ["http://b.example/x/g1", "http://ex.example/g.3"]
    assert found.named_graphs == ["http://ex.example/g2"]
    assert found.prefixes == {"ex": "http://ex.example/", "": "http://b.example/x/rel#"}
    assert found.undeclared_prefixes == ["bc"]


@pytest.mark.parametrize(
    ("query", "keyword"),
    [("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"), ("INSERT DATA { <a> <b> <c> }", "INSERT")],
)
def test_first_keyword(query: str, keyword: str) -> None:
    assert scan(query).first_keyword == keyword


@pytest.mark.parametrize(
    ("query", "limit"),
    [
        ("SELECT * { ?s ?p ?o } LIMIT 10", 10),
        ("SELECT * { ?s ?p ?o } ORDER BY ?s limit 7 OFFSET 3", 7),
        ("SELECT * { ?s ?p ?o } OFFSET 3 LIMIT 5\n", 5),
        ("SELECT * { { SELECT * { ?s ?p ?o } LIMIT 10 } }", None),
        ("SELECT * { ?s ?p ?o } # LIMIT 10", None),
        ("SELECT * { ?s ?p ?o } LIMIT 10 VALUES ?s { <http://a> }", None),
        ("SELECT * { ?s ?p ?o FILTER(?o = '}') } LIMIT 10", 10),
        ("SELECT * { ?s ?p ?o FILTER(?o = '} LIMIT 10') }", None),
    ],
)
def test_top_level_limit(query: str, limit: int | None) -> None:
    assert top_level_limit(query) == limit
