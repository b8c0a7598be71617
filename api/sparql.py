"""``/sparql``: the SPARQL 1.1 Protocol endpoint (read-only), which :func:`mount` adds to an app.

Only HTTP here: the request is handed to ``kg.sparql_protocol`` as plain data (raw query string
and body, two headers, the endpoint's URL) and its answer or error becomes a response. The
answer is complete before the status line goes out, so a time or size overrun is an error
status with a JSON body, never a 200 with half an answer.

The route is a plain ASGI app (:class:`_SparqlRoute`), not a FastAPI operation, and does no work
of its own: reading the request, checking and running the query and serialising all happen on
the endpoint's worker threads, and the event loop only awaits the result until the deadline. A
thread-pool route would hold one of the server's threads per request just to wait (two threads
per query instead of one), with no gain: measured with wrk on this machine, both gave the same
requests per second within noise.

Statuses: 400 for a request that cannot run (malformed, missing or doubled query, an update,
SERVICE, an unknown ``format``), 406 when no acceptable format can carry the answer, 415 for a
body in another media type or charset, 422 when the answer would exceed the size limit (413 is
about the request's own size and 507 is a storage failure; here a valid, understood query asks
for more than the endpoint gives, and the client fixes it with a LIMIT), 503 when the time limit
is reached (the same for every backend; 504 would blame an upstream server the embedded store
does not have), and 500 when the store itself fails.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from starlette.datastructures import URL
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from kg.errors import (
    InvalidParameter,
    KGError,
    NotAcceptable,
    QueryTimeout,
    ResultTooLarge,
    StoreError,
    UnsupportedMediaType,
)
from kg.sparql_protocol import FORM, SPARQL_QUERY, ProtocolRequest, SeeOther, SparqlEndpoint
from kg.sparql_results import GRAPH_FORMATS, RESULT_FORMATS


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """One endpoint (and its query workers) per app, over the store the app opened."""
    endpoint = SparqlEndpoint(app.state.store, app.state.settings)
    app.state.sparql = endpoint
    try:
        yield
    finally:
        endpoint.close()


_VARY = {"Vary": "Accept"}
_STATUS: tuple[tuple[type[KGError], int], ...] = (
    (UnsupportedMediaType, 415),
    (InvalidParameter, 400),
    (NotAcceptable, 406),
    (ResultTooLarge, 422),
    (QueryTimeout, 503),
    (StoreError, 500),
)


def _error(error: KGError) -> JSONResponse:
    for kind, status in _STATUS:
        if isinstance(error, kind):
            return JSONResponse(status_code=status, content={"detail": str(error)}, headers=_VARY)
    raise error


async def _respond(scope: Scope, receive: Receive) -> Response:
    endpoint: SparqlEndpoint = scope["app"].state.sparql
    request = Request(scope, receive)
    pending = endpoint.submit(
        ProtocolRequest(
            method=scope["method"],
            query_string=scope.get("query_string", b""),
            content_type=request.headers.get("content-type"),
            body=await request.body() if scope["method"] == "POST" else b"",
            accept=", ".join(request.headers.getlist("accept")) or None,
            endpoint=str(URL(scope={**scope, "query_string": b""})),
            ui=str(request.base_url),
        )
    )
    try:
        async with asyncio.timeout(pending.remaining()):
            answer = await asyncio.wrap_future(pending.future)
    except TimeoutError:
        return _error(pending.expired())
    except KGError as e:
        return _error(e)
    if isinstance(answer, SeeOther):
        return RedirectResponse(answer.location, status_code=303, headers=_VARY)
    return Response(answer.body, headers={"Content-Type": answer.content_type, **_VARY})


class _SparqlRoute:
    """``/sparql`` as a plain ASGI app behind a Starlette route (GET, HEAD and POST).

    The endpoint takes the raw request and gives a complete response, so FastAPI's handler layer
    (parameter solving, response validation) has nothing to do here, and it cost more per request
    than everything else in Python: 0.6-0.8 ms of CPU, a 1.5x lower rate of trivial queries under
    load (bench/README). The route is documented in the OpenAPI schema by :data:`OPENAPI_PATH`.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await _respond(scope, receive)
        await response(scope, receive, send)


_PARAMS: list[dict[str, Any]] = [
    {"name": "query", "in": "query", "schema": {"type": "string"}, "description": "the SPARQL query"},
    {
        "name": "default-graph-uri",
        "in": "query",
        "schema": {"type": "array", "items": {"type": "string"}},
        "description": "a graph in the default graph (repeatable); none: the union of all named graphs",
    },
    {
        "name": "named-graph-uri",
        "in": "query",
        "schema": {"type": "array", "items": {"type": "string"}},
        "description": "a graph GRAPH patterns may use (repeatable)",
    },
    {
        "name": "format",
        "in": "query",
        "schema": {"type": "string"},
        "description": "json, xml, csv, tsv, turtle, ntriples, jsonld, rdfxml, or a media type; beats Accept",
    },
]
_ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the answer, in the format chosen by `format` or Accept",
        "content": {f.media_type: {} for f in (*RESULT_FORMATS, *GRAPH_FORMATS)},
    },
    303: {"description": "a browser asking for HTML without a query is sent to the query page"},
    400: {"description": "malformed, missing or doubled query; an update; SERVICE"},
    406: {"description": "no acceptable format for this kind of answer"},
    415: {"description": "a POST body that is neither a form nor application/sparql-query, or not UTF-8"},
    422: {"description": "the answer has more rows or triples than the limit"},
    503: {"description": "the query ran out of time (or waited for a free worker until it did)"},
}


def _operation(summary: str, description: str, **extra: Any) -> dict[str, Any]:
    responses = {str(code): answer for code, answer in _ANSWERS.items()}
    operation = {"tags": ["sparql"], "summary": summary, "description": description, "responses": responses}
    return operation | extra


OPENAPI_PATH: dict[str, Any] = {
    "get": _operation(
        "SPARQL 1.1 query (GET), or the service description without a query",
        "Read-only SPARQL 1.1 Protocol. Results as SPARQL JSON, XML, CSV or TSV; graphs as Turtle, "
        "N-Triples, JSON-LD or RDF/XML, by Accept. No prefixes are predeclared. Without `query` the "
        "answer is the SPARQL Service Description (Turtle by default).",
        operationId="sparql_get",
        parameters=_PARAMS,
    ),
    "post": _operation(
        "SPARQL 1.1 query (POST, as a form or as the body)",
        f"The query as `query=` in an `{FORM}` body, or as the whole body with Content-Type "
        f"`{SPARQL_QUERY}` (dataset parameters then go in the URL).",
        operationId="sparql_post",
        parameters=_PARAMS[1:],
        requestBody={
            "required": True,
            "content": {
                FORM: {"schema": {"type": "object", "properties": {"query": {"type": "string"}}}},
                SPARQL_QUERY: {"schema": {"type": "string"}},
            },
        },
    ),
}
"""The route's entry in the OpenAPI schema, which FastAPI makes only for its own routes."""


def mount(app: FastAPI) -> None:
    """Serve ``/sparql`` on ``app``: first among its routes, documented, with the endpoint's
    query workers started and stopped with the app.

    First, because the router tries routes in order and FastAPI nests each included router in a
    layer of its own: put behind them, the endpoint cost 0.15-0.2 ms more per request.
    """
    route = Route("/sparql", _SparqlRoute(), methods=["GET", "POST"], include_in_schema=False)
    app.router.routes.insert(0, route)
    app.include_router(APIRouter(lifespan=_lifespan))
    make_schema = app.openapi

    def openapi() -> dict[str, Any]:  # FastAPI documents its own routes only
        if app.openapi_schema is None:
            make_schema()["paths"]["/sparql"] = OPENAPI_PATH
        assert app.openapi_schema is not None
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
