"""``/sparql``: the SPARQL 1.1 Protocol endpoint (read-only), as a router any app can mount.

Only HTTP here: the request is handed to ``kg.sparql_protocol`` as plain data (raw query string
and body, two headers, the endpoint's URL) and its answer or error becomes a response. The
answer is complete before the status line goes out, so a time or size overrun is an error
status with a JSON body, never a 200 with half an answer.

The routes are ``async`` and do no work of their own: reading the request, checking and running
the query and serialising all happen on the endpoint's worker threads, and the event loop only
awaits the result until the deadline. A plain ``def`` route would hold one of the server's
thread-pool threads per request just to wait (two threads per query instead of one), with no
gain: measured with wrk on this machine, both gave the same requests per second within noise.

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

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

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


router = APIRouter(tags=["sparql"], lifespan=_lifespan)


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


async def _respond(request: Request) -> Response:
    endpoint: SparqlEndpoint = request.app.state.sparql
    pending = endpoint.submit(
        ProtocolRequest(
            method=request.method,
            query_string=request.scope.get("query_string", b""),
            content_type=request.headers.get("content-type"),
            body=await request.body(),
            accept=", ".join(request.headers.getlist("accept")) or None,
            endpoint=str(request.url.replace(query="", fragment="")),
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
    200: {"content": {f.media_type: {} for f in (*RESULT_FORMATS, *GRAPH_FORMATS)}},
    303: {"description": "a browser asking for HTML without a query is sent to the query page"},
    400: {"description": "malformed, missing or doubled query; an update; SERVICE"},
    406: {"description": "no acceptable format for this kind of answer"},
    415: {"description": "a POST body that is neither a form nor application/sparql-query, or not UTF-8"},
    422: {"description": "the answer has more rows or triples than the limit"},
    503: {"description": "the query ran out of time (or waited for a free worker until it did)"},
}


@router.get(
    "/sparql",
    summary="SPARQL 1.1 query (GET), or the service description without a query",
    description=(
        "Read-only SPARQL 1.1 Protocol. Results as SPARQL JSON, XML, CSV or TSV; graphs as Turtle, "
        "N-Triples, JSON-LD or RDF/XML, by Accept. No prefixes are predeclared. Without `query` the "
        "answer is the SPARQL Service Description (Turtle by default)."
    ),
    response_class=Response,
    responses=_ANSWERS,
    openapi_extra={"parameters": _PARAMS},
)
async def sparql_get(request: Request) -> Response:
    return await _respond(request)


@router.post(
    "/sparql",
    summary="SPARQL 1.1 query (POST, as a form or as the body)",
    description=(
        f"The query as `query=` in an `{FORM}` body, or as the whole body with Content-Type "
        f"`{SPARQL_QUERY}` (dataset parameters then go in the URL)."
    ),
    response_class=Response,
    responses=_ANSWERS,
    openapi_extra={
        "parameters": _PARAMS[1:],
        "requestBody": {
            "required": True,
            "content": {
                FORM: {"schema": {"type": "object", "properties": {"query": {"type": "string"}}}},
                SPARQL_QUERY: {"schema": {"type": "string"}},
            },
        },
    },
)
async def sparql_post(request: Request) -> Response:
    return await _respond(request)
