"""REST lookups: actors, an actor's claims, claims, documents, channels and contradictions.

Only HTTP here: each route reads its parameters, calls one function of ``kg.lookup`` and writes
the answer as JSON, or as JSON-LD when the client prefers ``application/ld+json`` (same body
plus the context of ``kg.lookup.jsonld``). Lists carry ``next``/``prev`` links built from the
request URL. ``NotFound`` becomes 404 and ``InvalidParameter`` 422, each with
``{"detail": "<what is wrong>"}``; an unknown actor also lists the nearest actors by name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Final

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from api.deps import StoreDep, problem
from kg import conneg
from kg.config import Settings
from kg.errors import InvalidParameter, NotFound, StoreError
from kg.lookup import actors, channels, claims, contradictions, documents, jsonld
from kg.lookup.models import (
    ActorCard,
    ActorRef,
    ActorSummary,
    ChannelOut,
    ClaimCard,
    ClaimSummary,
    ContradictionOut,
    DocumentCard,
    DocumentOut,
    Page,
)
from kg.lookup.params import MAX_LIMIT, Paging

JSON: Final = "application/json"


class Problem(BaseModel):
    detail: str = Field(description="what is wrong, precisely enough to fix the request")
    suggestions: list[ActorRef] | None = Field(
        default=None, description="for an unknown actor: the actors whose names come closest"
    )


_ERRORS: Final[dict[int | str, dict[str, Any]]] = {
    404: {"model": Problem, "description": "no such actor, claim or document"},
    422: {"model": Problem, "description": "a parameter that cannot be used (bad date, unknown stance …)"},
}
_BOTH: Final[dict[str, Any]] = {"content": {jsonld.MEDIA_TYPE: {}}}

Limit = Annotated[int | None, Query(description=f"items per page (1 to {MAX_LIMIT}, default 50)")]
Offset = Annotated[int | None, Query(description="items to skip (default 0)")]

router = APIRouter(tags=["lookups"])


# --- responses ---------------------------------------------------------------------------------


def _media(request: Request) -> str | None:
    """JSON-LD when the client ranks it above plain JSON; JSON on a tie or without a header."""
    return conneg.negotiate(request.headers.get("accept"), (JSON, jsonld.MEDIA_TYPE))


def _links(request: Request, page: Page[Any]) -> Page[Any]:
    def at(offset: int) -> str:
        return str(request.url.include_query_params(offset=offset, limit=page.limit))

    nxt = at(page.offset + page.limit) if page.offset + page.limit < page.total else None
    prev = at(max(0, page.offset - page.limit)) if page.offset > 0 else None
    return page.model_copy(update={"next": nxt, "prev": prev})


def _answer(request: Request, compute: Callable[[], BaseModel]) -> Response:
    """Run one lookup and write its answer, or the error a client can act on."""
    media = _media(request)
    if media is None:
        return problem(406, f"this resource is available as {JSON} or {jsonld.MEDIA_TYPE}")
    try:
        model = compute()
    except actors.UnknownActor as e:
        return problem(404, str(e), suggestions=[s.model_dump(mode="json") for s in e.suggestions])
    except NotFound as e:
        return problem(404, str(e))
    except InvalidParameter as e:
        return problem(422, str(e))
    except StoreError as e:
        return problem(503, str(e))
    if isinstance(model, Page):
        model = _links(request, model)
    headers = {"Vary": "Accept"}
    if media == jsonld.MEDIA_TYPE:
        return JSONResponse(jsonld.document(model), media_type=media, headers=headers)
    return JSONResponse(model.model_dump(mode="json", by_alias=True), headers=headers)


# --- actors ------------------------------------------------------------------------------------


@router.get(
    "/actors",
    response_model=Page[ActorSummary],
    responses={200: _BOTH, **_ERRORS},
    summary="Actors, or those a name finds (any spelling)",
    description=(
        "Without `q`, every actor by label. With `q`, the actors one of whose names (preferred, "
        "alternative, id) matches, ignoring case, accents, spaces and hyphens "
        "(`amirabdollahian` finds Hossein Amir-Abdollahian, `Hizbullah` Hezbollah, `Tehran` Iran); "
        "an office title (`Iran's foreign minister`) finds the people who held it. Best matches "
        "first: exact, office, prefix, word, contains; a close spelling only when nothing else matches."
    ),
)
def list_actors(
    request: Request,
    store: StoreDep,
    q: Annotated[str | None, Query(description="a name or part of one")] = None,
    limit: Limit = None,
    offset: Offset = None,
) -> Response:
    return _answer(request, lambda: actors.search(store, q, Paging.of(limit, offset)))


_ACTOR_ID = Path(
    description="the actor's id (`khamenei`; a document's own actors: `<document key>/<slug>`) "
    "or its full IRI (URL-encoded)"
)


@router.get(
    "/actors/{actor_id:path}/claims",
    response_model=Page[ClaimSummary],
    responses={200: _BOTH, **_ERRORS},
    summary="The claims an actor makes, filtered and page by page",
    description=(
        "In the order they were made (statement date; the latest possible date when only bounds are "
        "known; undated last). `from`/`to` filter on that same date."
    ),
)
def actor_claims(
    request: Request,
    store: StoreDep,
    actor_id: Annotated[str, _ACTOR_ID],
    stance: Annotated[str | None, Query(description="`affirms` or `denies`")] = None,
    date_from: Annotated[str | None, Query(alias="from", description="made on or after YYYY-MM-DD")] = None,
    date_to: Annotated[str | None, Query(alias="to", description="made on or before YYYY-MM-DD")] = None,
    document: Annotated[
        str | None, Query(description="only claims of this document (key, IRI or source file stem)")
    ] = None,
    attribution: Annotated[
        str | None,
        Query(description="direct-quote, partial-quote, indirect-speech, anonymous-source or outlet-framing"),
    ] = None,
    limit: Limit = None,
    offset: Offset = None,
) -> Response:
    def compute() -> Page[ClaimSummary]:
        paging = Paging.of(limit, offset)
        filters = actors.ClaimFilters.parse(
            store,
            stance=stance,
            attribution=attribution,
            document=document,
            date_from=date_from,
            date_to=date_to,
        )
        return actors.claims(store, actor_id, filters, paging)

    return _answer(request, compute)


@router.get(
    "/actors/{actor_id:path}",
    response_model=ActorCard,
    responses={200: _BOTH, **_ERRORS},
    summary="An actor's card: names, kind, offices, claims by stance, documents",
)
def actor_card(request: Request, store: StoreDep, actor_id: Annotated[str, _ACTOR_ID]) -> Response:
    return _answer(request, lambda: actors.card(store, actor_id))


# --- claims ------------------------------------------------------------------------------------


@router.get(
    "/claims/{claim_id:path}",
    response_model=ClaimCard,
    responses={200: _BOTH, **_ERRORS},
    summary="A claim: claimant, stance, what is claimed, the evidence in context, who contradicts it",
)
def claim_card(
    request: Request,
    store: StoreDep,
    claim_id: Annotated[
        str,
        Path(
            description="`<document key>/<claim id>` "
            "(e.g. `4de668e1403d28a9/khamenei-denies-message-to-us`) or the IRI"
        ),
    ],
    context: Annotated[
        int,
        Query(description=f"characters of text shown on each side of the quote (0 to {claims.MAX_CONTEXT})"),
    ] = claims.DEFAULT_CONTEXT,
) -> Response:
    settings: Settings | None = getattr(request.app.state, "settings", None)
    corpus = settings.corpus_dir if settings is not None else None
    return _answer(request, lambda: claims.card(store, claim_id, context, corpus))


# --- documents ---------------------------------------------------------------------------------


@router.get(
    "/documents",
    response_model=Page[DocumentOut],
    responses={200: _BOTH, **_ERRORS},
    summary="Documents, newest first",
)
def list_documents(request: Request, store: StoreDep, limit: Limit = None, offset: Offset = None) -> Response:
    return _answer(request, lambda: documents.listing(store, Paging.of(limit, offset)))


@router.get(
    "/documents/{document_id:path}",
    response_model=DocumentCard,
    responses={200: _BOTH, **_ERRORS},
    summary="A document's card: metadata, reliability, its claims and the actors it mentions",
)
def document_card(
    request: Request,
    store: StoreDep,
    document_id: Annotated[str, Path(description="the document's key, IRI, or source file name or stem")],
) -> Response:
    return _answer(request, lambda: documents.card(store, document_id))


# --- channels and contradictions ---------------------------------------------------------------


@router.get(
    "/channels",
    response_model=Page[ChannelOut],
    responses={200: _BOTH, **_ERRORS},
    summary="Channels and intermediaries, with the actor pairs they are claimed to link",
)
def list_channels(request: Request, store: StoreDep, limit: Limit = None, offset: Offset = None) -> Response:
    return _answer(request, lambda: channels.listing(store, Paging.of(limit, offset)))


@router.get(
    "/contradictions",
    response_model=Page[ContradictionOut],
    responses={200: _BOTH, **_ERRORS},
    summary="Contradicting claims, with the point and reason of each disagreement",
)
def list_contradictions(
    request: Request,
    store: StoreDep,
    point: Annotated[str | None, Query(description="occurrence, directness or initiator")] = None,
    actor: Annotated[str | None, Query(description="an actor making either claim (its id)")] = None,
    document: Annotated[str | None, Query(description="a document either claim comes from")] = None,
    limit: Limit = None,
    offset: Offset = None,
) -> Response:
    def compute() -> Page[ContradictionOut]:
        paging = Paging.of(limit, offset)
        filters = contradictions.ContradictionFilters.parse(
            store, point=point, actor=actor, document=document
        )
        return contradictions.listing(store, filters, paging)

    return _answer(request, compute)
