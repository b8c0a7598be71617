"""The SPARQL 1.1 Protocol, read-only: from an HTTP request as plain data to a complete answer.

The HTTP layer hands over the method, the raw query string and body, two headers and the
endpoint's own URL; it gets back a ``Payload`` (Content-Type and bytes) or a ``SeeOther``, or one
of the library's errors, which it maps to a status code. Nothing here imports a web framework.

Decisions where the protocol leaves a choice:

* Operations: ``GET ?query=``, ``POST`` form (``query=`` in the body, dataset parameters in the
  body or the URL) and ``POST application/sparql-query`` (dataset parameters in the URL). A query
  given twice, or in both URL and body, is refused rather than one of them picked. Bodies must be
  UTF-8 (a ``charset`` other than UTF-8 is an unsupported media type).
* Read-only: an ``update`` (or ``using-graph-uri``) parameter or an ``application/sparql-update``
  body is refused with the same "read-only" message; INSERT or DELETE sent as a query fails as a
  parse error, with a hint.
* No default prefixes: clients declare their own, as on any SPARQL endpoint; a parse error that
  comes from an undeclared prefix says which one, and gives the project's IRI when it is ours.
  Relative IRIs resolve against the endpoint's URL (the protocol's "service-defined BASE").
* Dataset: without ``default-graph-uri``/``named-graph-uri`` and without FROM, the default graph is
  the union of the named graphs. With either, the dataset is exactly what is named (only named
  graphs: an empty default graph; only default graphs: no named graphs), and the protocol's
  dataset overrides the query's FROM clauses.
* A bare GET (no query) describes the service (SPARQL 1.1 Service Description, in any RDF format
  offered); a browser that prefers HTML is sent to the query page instead.
* Formats: SELECT and ASK as SPARQL JSON, XML, CSV or TSV; CONSTRUCT and DESCRIBE as Turtle,
  N-Triples, JSON-LD or RDF/XML; chosen from Accept (with q-values) or from a ``format``
  parameter (``json``, ``xml``, ``csv``, ``tsv``, ``turtle``, ``ntriples``, ``jsonld``, ``rdfxml``
  or a media type), which wins over Accept.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final
from urllib.parse import parse_qsl

import pyoxigraph as ox

from kg.config import Settings
from kg.conneg import negotiate
from kg.errors import InvalidSparql, NotAcceptable, UnsupportedMediaType
from kg.namespaces import PREFIXES
from kg.sparql_results import (
    GRAPH_FORMATS,
    RESULT_FORMATS,
    Format,
    Limits,
    Payload,
    Pending,
    Plan,
    WorkerPool,
    answer,
    names,
    start,
    top_level_limit,
)
from kg.sparql_scan import UPDATE_KEYWORDS, QueryScan, scan
from kg.store import GraphStore

FORM: Final = "application/x-www-form-urlencoded"
SPARQL_QUERY: Final = "application/sparql-query"
SPARQL_UPDATE: Final = "application/sparql-update"
HTML: Final = "text/html"

_READ_ONLY: Final = "this endpoint is read-only: it answers SPARQL queries, and does not accept SPARQL Update"
_UPDATE_PARAMS: Final = frozenset({"update", "using-graph-uri", "using-named-graph-uri"})
_PROTOCOL_PARAMS: Final = frozenset({"query", "default-graph-uri", "named-graph-uri"}) | _UPDATE_PARAMS
_MAX_PARAMS: Final = 1000
_SAFE_IRI: Final = re.compile(r"""[A-Za-z][A-Za-z0-9+.\-]*:[^<>"{}|^`\\\x00-\x20]*""")
_FALLBACK_BASE: Final = "http://localhost/sparql"
_ERROR_AT: Final = re.compile(r"error at 1:([0-9]+)")

SD: Final = "http://www.w3.org/ns/sparql-service-description#"
_SD_PREFIXES: Final = {
    "sd": SD,
    "formats": "http://www.w3.org/ns/formats/",
    "dcterms": "http://purl.org/dc/terms/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
}


@dataclass(frozen=True)
class ProtocolRequest:
    """An HTTP request to the endpoint, as plain data.

    ``endpoint`` is the absolute URL the client used (for ``sd:endpoint`` and as the base IRI);
    ``ui`` is where a browser asking for HTML on a bare GET is sent.
    """

    method: str
    query_string: bytes
    content_type: str | None
    body: bytes
    accept: str | None
    endpoint: str
    ui: str


@dataclass(frozen=True)
class SeeOther:
    """Redirect the client (HTTP 303) to ``location``."""

    location: str


@dataclass(frozen=True)
class Operation:
    """What a request asks for, once the protocol's ways of saying it are read."""

    query: str | None
    default_graphs: list[str]
    named_graphs: list[str]
    format: str | None
    bare: bool


def _params(raw: bytes, where: str) -> list[tuple[str, str]]:
    try:
        return parse_qsl(
            raw.decode("utf-8"),
            keep_blank_values=True,
            strict_parsing=False,
            encoding="utf-8",
            errors="strict",
            max_num_fields=_MAX_PARAMS,
        )
    except UnicodeDecodeError as e:
        raise InvalidSparql(f"the {where} is not UTF-8 (byte {e.start}); percent-encode UTF-8") from e
    except ValueError as e:
        raise InvalidSparql(f"the {where} has more than {_MAX_PARAMS} parameters") from e


def _media_type(header: str | None) -> tuple[str | None, str | None]:
    """The media type (lowercase, no parameters) and the charset, if any, of a Content-Type."""
    if not header:
        return None, None
    media, *params = (p.strip() for p in header.split(";"))
    charset = None
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media.lower(), charset


def _require_utf8(charset: str | None, media: str) -> None:
    if charset not in (None, "utf-8", "utf8"):
        raise UnsupportedMediaType(f"{media} must be sent as UTF-8, not charset={charset}")


def read_operation(request: ProtocolRequest) -> Operation:
    """Read the operation from the URL and body, refusing what the protocol does not allow."""
    url = _params(request.query_string, "query string")
    params = list(url)
    if request.method == "POST":
        media, charset = _media_type(request.content_type)
        if media == FORM:
            _require_utf8(charset, media)
            body = _params(request.body, "request body")
            if any(k == "query" for k, _ in url) and any(k == "query" for k, _ in body):
                raise InvalidSparql("two queries: 'query' is both in the URL and in the request body")
            params += body
        elif media == SPARQL_QUERY:
            _require_utf8(charset, media)
            try:
                text = request.body.decode("utf-8")
            except UnicodeDecodeError as e:
                raise InvalidSparql(f"the query is not UTF-8 (byte {e.start})") from e
            if any(k == "query" for k, _ in url):
                raise InvalidSparql("two queries: one in the request body and one in the URL's 'query'")
            params.append(("query", text))
        elif media == SPARQL_UPDATE:
            raise InvalidSparql(_READ_ONLY)
        else:
            got = f"Content-Type {media}" if media else "no Content-Type"
            raise UnsupportedMediaType(
                f"a POST to this endpoint needs Content-Type {FORM} (query=…) or {SPARQL_QUERY} "
                f"(the query as the body), not {got}"
            )
    keys = {k for k, _ in params}
    if keys & _UPDATE_PARAMS:
        raise InvalidSparql(_READ_ONLY)
    queries = [v for k, v in params if k == "query"]
    if len(queries) > 1:
        raise InvalidSparql(f"{len(queries)} queries in one request; send exactly one 'query'")
    formats = [v for k, v in params if k == "format"]
    return Operation(
        query=queries[0] if queries else None,
        default_graphs=[_graph(v, "default-graph-uri") for k, v in params if k == "default-graph-uri"],
        named_graphs=[_graph(v, "named-graph-uri") for k, v in params if k == "named-graph-uri"],
        format=formats[0] if formats else None,
        bare=not keys & _PROTOCOL_PARAMS,
    )


def _graph(iri: str, param: str) -> str:
    try:
        ox.NamedNode(iri)
    except ValueError as e:
        raise InvalidSparql(f"{param} {iri!r} is not an absolute IRI: {e}") from e
    return iri


def choose_format(formats: Sequence[Format], accept: str | None, requested: str | None, what: str) -> Format:
    """The format for an answer: the ``format`` parameter if given, else by Accept."""
    if requested is not None:
        key = requested.strip().lower()
        for fmt in formats:
            if key in fmt.names or key == fmt.media_type or key in fmt.aliases:
                return fmt
        known = {n for f in (*RESULT_FORMATS, *GRAPH_FORMATS) for n in f.names}
        if key not in known:
            raise InvalidSparql(f"unknown format {requested!r}; use one of {', '.join(sorted(known))}")
        raise NotAcceptable(
            f"{what} cannot be given as {requested!r}; available: {names(formats)}",
            [f.media_type for f in formats],
        )
    offers = {f.media_type: f for f in formats}
    for fmt in formats:
        for alias in fmt.aliases:
            offers.setdefault(alias, fmt)
    chosen = negotiate(accept, list(offers))
    if chosen is None:
        raise NotAcceptable(
            f"none of the media types in Accept ({accept}) can carry {what}; available: {names(formats)}",
            [f.media_type for f in formats],
        )
    return offers[chosen]


class SparqlEndpoint:
    """The endpoint over one store: reads requests, runs queries within the limits, describes itself."""

    def __init__(self, store: GraphStore, settings: Settings) -> None:
        self.store = store
        self.limits = Limits(settings.query_timeout, settings.query_max_results)
        self._pool: WorkerPool[Payload | SeeOther] = WorkerPool(settings.query_workers)

    def close(self) -> None:
        self._pool.close()

    def submit(self, request: ProtocolRequest) -> Pending[Payload | SeeOther]:
        """Start answering on a worker; the caller waits on the result until its deadline.

        Everything, reading the request included, happens on the worker, so a caller on an event
        loop does no work of its own beyond waiting.
        """
        return start(self._pool, lambda deadline: self._answer(request, deadline), self.limits)

    def handle(self, request: ProtocolRequest) -> Payload | SeeOther:
        """Answer a request, blocking until the answer or the deadline."""
        return self.submit(request).wait()

    def _answer(self, request: ProtocolRequest, deadline: float) -> Payload | SeeOther:
        op = read_operation(request)
        if op.bare and request.method == "GET":
            return self.describe(request, op.format)
        if op.query is None:
            raise InvalidSparql(
                "no query: send it as the 'query' parameter (GET or a form POST) or as an "
                f"{SPARQL_QUERY} body"
            )
        if not op.query.strip():
            raise InvalidSparql("the query is empty")
        return answer(self.store, self.plan(request, op, op.query), self.limits, deadline)

    def plan(self, request: ProtocolRequest, op: Operation, query: str) -> Plan:
        """Check the query (no SERVICE) and decide dataset, base and formats before it runs."""
        folded = query.casefold()
        checked: QueryScan | None = None
        if "service" in folded or "from" in folded or "\\u" in folded:
            checked = scan(query)  # raises on SERVICE
        default: list[str] | None = None
        named: list[str] | None = None
        if op.default_graphs or op.named_graphs:
            default, named = op.default_graphs, op.named_graphs
        elif checked is not None and (checked.default_graphs or checked.named_graphs):
            default, named = checked.default_graphs, checked.named_graphs
        base = request.endpoint if _SAFE_IRI.fullmatch(request.endpoint) else _FALLBACK_BASE
        prologue = f"BASE <{base}> "
        limit = top_level_limit(query)

        @functools.cache
        def query_scan() -> QueryScan | None:
            try:
                return checked or scan(query)
            except InvalidSparql:
                return None

        def choose(kind: str) -> Format:
            if kind == "graph":
                return choose_format(GRAPH_FORMATS, request.accept, op.format, "a CONSTRUCT/DESCRIBE answer")
            return choose_format(RESULT_FORMATS, request.accept, op.format, "a SELECT or ASK answer")

        def explain(message: str) -> str:
            return _explain(message, len(prologue), query_scan())

        def prefixes() -> dict[str, str]:
            found = query_scan()
            return dict(found.prefixes) if found else {}

        return Plan(
            text=prologue + query,
            default_graphs=default,
            named_graphs=named,
            bounded=limit is not None and limit <= self.limits.max_results,
            choose=choose,
            explain=explain,
            prefixes=prefixes,
        )

    def describe(self, request: ProtocolRequest, requested: str | None) -> Payload | SeeOther:
        """The service description, or a redirect to the query page for a browser."""
        if requested is None and negotiate(request.accept, [*_graph_offers(), HTML]) == HTML:
            return SeeOther(request.ui)
        try:
            fmt = choose_format(GRAPH_FORMATS, request.accept, requested, "the service description")
        except NotAcceptable as e:
            if requested is not None:
                raise
            raise InvalidSparql(
                "no query: send it as the 'query' parameter; without one, this URL gives the "
                f"service description, available as {names(GRAPH_FORMATS)}"
            ) from e
        triples = service_description(request.endpoint, self.limits)
        if fmt.rdf in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML):
            body = ox.serialize(triples, format=fmt.rdf, prefixes=_SD_PREFIXES)
        else:
            body = ox.serialize(triples, format=fmt.rdf)
        return Payload(fmt.content_type, body or b"")


def _graph_offers() -> list[str]:
    return [m for f in GRAPH_FORMATS for m in (f.media_type, *f.aliases)]


def _explain(message: str, shift: int, found: QueryScan | None) -> str:
    """The parser's message, with positions as the client wrote them, after a hint where one helps."""
    m = _ERROR_AT.match(message)
    if m and int(m.group(1)) > shift:
        message = f"error at 1:{int(m.group(1)) - shift}" + message[m.end() :]
    hints = []
    if found is not None:
        for prefix in found.undeclared_prefixes:
            known = PREFIXES.get(prefix)
            declare = f"PREFIX {prefix}: <{known}>" if known else f"PREFIX {prefix}: <…>"
            hints.append(f"the prefix '{prefix}:' is used but not declared (add {declare})")
        if found.first_keyword in UPDATE_KEYWORDS:
            hints.append(_READ_ONLY)
    return "the query is not valid SPARQL: " + "".join(f"{h}; " for h in hints) + "parser: " + message


def _sd(local: str) -> ox.NamedNode:
    return ox.NamedNode(SD + local)


def service_description(endpoint: str, limits: Limits) -> list[ox.Triple]:
    """The SPARQL 1.1 Service Description of this endpoint.

    Named graphs are not listed: there is one per document, so on a large store the description
    would run to megabytes; the comment says how they are named.
    """
    sd = _sd
    a = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    service, dataset, graph = ox.BlankNode("service"), ox.BlankNode("dataset"), ox.BlankNode("default")
    endpoint_node = ox.NamedNode(endpoint if _SAFE_IRI.fullmatch(endpoint) else _FALLBACK_BASE)
    comment = (
        "Read-only SPARQL 1.1 Query endpoint of the back-channel claims knowledge graph. Without "
        "default-graph-uri, named-graph-uri or FROM, the default graph is the union of the named "
        "graphs: one per document (https://w3id.org/backchannel-kg/id/graph/doc/<key>) plus "
        "graph/ontology, graph/reference, graph/contradictions, graph/inferred and graph/retractions. "
        f"Each query may run for {limits.timeout:g} s and return at most {limits.max_results} rows "
        "or triples; SERVICE is refused. No prefixes are predeclared."
    )
    triples = [
        ox.Triple(service, a, sd("Service")),
        ox.Triple(service, sd("endpoint"), endpoint_node),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(
            service, sd("defaultEntailmentRegime"), ox.NamedNode("http://www.w3.org/ns/entailment/Simple")
        ),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, a, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), graph),
        ox.Triple(graph, a, sd("Graph")),
        ox.Triple(
            service, ox.NamedNode("http://purl.org/dc/terms/title"), ox.Literal("Back-channel claims KG")
        ),
        ox.Triple(service, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment"), ox.Literal(comment)),
    ]
    triples += [
        ox.Triple(service, sd("resultFormat"), ox.NamedNode(f.w3c)) for f in (*RESULT_FORMATS, *GRAPH_FORMATS)
    ]
    return triples
