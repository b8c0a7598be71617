"""Named queries over HTTP: ``GET /queries`` (the catalogue) and ``GET /queries/{name}`` (an answer).

Each query gets a route of its own, so OpenAPI shows its summary, description, typed parameters
and columns. The parameters are read from the query string by ``kg.queries`` (which types them,
resolves ids and names what is wrong), not by FastAPI, so a bad value gets the same message here
as on the command line, as a 422 ``{"detail": ...}``; ``openapi_extra`` still documents each with
its JSON type. An unknown parameter is an error too, so a misspelt filter never silently widens
the answer.

Answers are JSON (``{"query", "columns", "rows", "count"}``; every row has every column, null
where unbound; IRIs and dates as strings, numbers and booleans as such, see
``kg.queries.json_value``) or, with ``Accept: text/csv``, CSV with a header row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, create_model

from api.deps import problem
from kg import conneg
from kg.errors import InvalidParameter, NotFound, StoreError
from kg.queries import (
    CHOICES,
    TYPE_HELP,
    Column,
    JsonValue,
    NamedQuery,
    Parameter,
    answer,
    get,
    run,
    to_csv,
)
from kg.store import GraphStore

JSON = "application/json"
CSV = "text/csv"
_OFFERED = (JSON, CSV)


class Problem(BaseModel):
    detail: str = Field(description="what is wrong, precisely enough to fix the request")


class QueryInfo(BaseModel):
    name: str = Field(description="the query's name: its file stem and the last step of its URL")
    summary: str
    description: str
    url: str = Field(description="where to run it (GET, parameters in the query string)")
    parameters: list[Parameter]
    columns: list[Column]
    sparql: str = Field(description="the query text, header included (valid SPARQL)")


def negotiate(accept: str | None) -> str | None:
    """JSON or CSV, whichever the Accept header prefers (JSON on a tie or without a header)."""
    return conneg.negotiate(accept, _OFFERED)


def _schema(p: Parameter) -> dict[str, Any]:
    schema: dict[str, Any]
    if p.type == "integer":
        schema = {"type": "integer"}
    elif p.type == "boolean":
        schema = {"type": "boolean"}
    elif p.type == "date":
        schema = {"type": "string", "format": "date"}
    elif p.type in CHOICES:
        schema = {"type": "string", "enum": list(CHOICES[p.type])}
    else:
        schema = {"type": "string"}
    if p.default is not None:
        schema["default"] = p.default
    return schema


def _openapi_parameters(query: NamedQuery) -> list[dict[str, Any]]:
    return [
        {
            "name": p.name,
            "in": "query",
            "required": p.required,
            "description": f"{p.description} Type `{p.type}`: {TYPE_HELP[p.type]}.",
            "schema": _schema(p),
            "example": p.example,
        }
        for p in query.parameters
    ]


def _answer_model(query: NamedQuery) -> type[BaseModel]:
    """The answer's shape for OpenAPI, with each column documented."""
    stem = "".join(part.capitalize() for part in query.name.split("_"))
    fields: dict[str, Any] = {
        c.name: (JsonValue, Field(default=None, description=c.description)) for c in query.columns
    }
    row = create_model(f"{stem}Row", **fields)
    model: type[BaseModel] = create_model(
        f"{stem}Answer",
        query=(str, Field(description="the query's name")),
        columns=(list[str], Field(description="the columns, in order")),
        rows=(list[row], Field(description="one object per row, every column present")),  # type: ignore[valid-type]
        count=(int, Field(description="the number of rows")),
    )
    return model


def _endpoint(query: NamedQuery) -> Callable[[Request], Response]:
    def endpoint(request: Request) -> Response:
        media = negotiate(request.headers.get("accept"))
        if media is None:
            return problem(406, f"answers are {JSON} or {CSV}; the Accept header allows neither")
        params: dict[str, str] = {}
        for key, value in request.query_params.multi_items():
            if key in params:
                return problem(422, f"parameter {key!r} is given more than once")
            params[key] = value
        store: GraphStore = request.app.state.store
        try:
            rows = run(store, query, params)
        except InvalidParameter as e:
            return problem(422, str(e))
        except StoreError as e:
            return problem(503, str(e))
        if media == CSV:
            return Response(to_csv(query, rows), media_type="text/csv; charset=utf-8")
        return JSONResponse(answer(query, rows))

    endpoint.__name__ = f"query_{query.name}"
    endpoint.__doc__ = query.description
    return endpoint


def make_router(catalogue: dict[str, NamedQuery]) -> APIRouter:
    """A router with the catalogue and one GET route per named query; mount it on any app."""
    router = APIRouter(prefix="/queries", tags=["named queries"])

    @router.get(
        "",
        response_model=list[QueryInfo],
        summary="The named queries: what each answers, its parameters and columns",
    )
    def list_queries(request: Request) -> list[QueryInfo]:
        return [
            QueryInfo(
                name=q.name,
                summary=q.summary,
                description=q.description,
                url=request.app.url_path_for(f"query_{q.name}"),
                parameters=list(q.parameters),
                columns=list(q.columns),
                sparql=q.text,
            )
            for q in catalogue.values()
        ]

    for query in catalogue.values():
        router.add_api_route(
            f"/{query.name}",
            _endpoint(query),
            methods=["GET"],
            name=f"query_{query.name}",
            operation_id=f"query_{query.name}",
            summary=query.summary,
            description=query.description,
            response_model=None,
            responses={
                200: {
                    "model": _answer_model(query),
                    "content": {CSV: {"schema": {"type": "string"}}},
                    "description": "the answer, as JSON or (Accept: text/csv) CSV",
                },
                406: {"model": Problem, "description": "the Accept header allows neither JSON nor CSV"},
                422: {"model": Problem, "description": "a parameter is missing, unknown or not valid"},
            },
            openapi_extra={"parameters": _openapi_parameters(query)} if query.parameters else None,
        )

    @router.get("/{name}", include_in_schema=False)
    def unknown_query(name: str) -> JSONResponse:
        # Every query of the catalogue has its own route, so only an unknown name arrives here.
        try:
            get(catalogue, name)
        except NotFound as e:
            return problem(404, str(e))
        return problem(404, f"no named query {name!r}")

    return router
