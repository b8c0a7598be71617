"""Writing documents over HTTP: ``POST /documents`` ingests an article, ``DELETE /documents/{id}``
retracts one. Reading them (``GET /documents…``) is the REST router's.

The routes exist only when an API key is configured (``KG_API_KEY``): ``make_router`` refuses to
build them without one, and the app mounts them only then. The key travels in the ``X-API-Key``
header and is compared in constant time. Every refusal is JSON, ``{"detail": "<what is wrong>"}``:
401 without the key, 403 with a wrong one, 400 for a body that is not UTF-8 or not JSON, 413 over
the size limit, 415 for a media type other than JSON or plain text, 409 for the text of a
retracted document, 422 for metadata that cannot be used or a document that fails the checks
(then with the problems and the ingest report beside the detail); the store is unchanged in
every case. The body is read here with its size bounded, so a huge upload is refused before it is
held in memory; ingesting runs in a worker thread, so reads go on meanwhile.
"""

from __future__ import annotations

import hmac
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Security
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from api.deps import StoreDep, problem
from kg.article import ArticleMeta, TextNotUtf8, TextTooLarge
from kg.config import Settings
from kg.errors import IngestRejected, InvalidParameter, KGError, NotFound, StoreError
from kg.ingest import DocumentRetracted, Extractor, ingest, retract
from kg.ingest_report import IngestReport

API_KEY_HEADER = "X-API-Key"
_JSON_OVERHEAD = 6  # a character escaped as \\uXXXX takes six bytes of JSON
_META_FIELDS = ("title", "outlet", "author", "published", "url", "language", "machine_generated")


class DocumentIn(ArticleMeta):
    """An article and what the submitter says about it."""

    text: str = Field(description="the full text of the article, plain text")


class RetractionOut(BaseModel):
    document: str
    graph: str
    retraction: str = Field(description="the IRI of the retraction record")
    removed_quads: int
    at: str
    by: str
    reason: str


def _refusal(e: KGError) -> JSONResponse:
    """One mapping from the library's errors to HTTP, for both routes."""
    if isinstance(e, IngestRejected):
        problems = [{"file": p.file, "entry": p.entry, "message": p.message} for p in e.problems]
        return problem(422, str(e), problems=problems, report=e.report)
    if isinstance(e, TextTooLarge):
        return problem(413, str(e))
    if isinstance(e, TextNotUtf8):
        return problem(400, str(e))
    if isinstance(e, DocumentRetracted):
        return problem(409, str(e))
    if isinstance(e, NotFound):
        return problem(404, str(e))
    if isinstance(e, InvalidParameter):
        return problem(422, str(e))
    if isinstance(e, StoreError):
        return problem(503, str(e))
    return problem(500, str(e))


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it is known to be over ``limit`` bytes."""
    too_large = f"the request body is over the limit of {limit:,} bytes for this media type"
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise HTTPException(413, too_large)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, too_large)
        chunks.append(chunk)
    return b"".join(chunks)


def _validation_message(e: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(x) for x in err['loc']) or 'body'}: {err['msg']}" for err in e.errors())


_REQUEST_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "application/json": {"schema": DocumentIn.model_json_schema()},
        "text/plain": {
            "schema": {"type": "string", "description": "the article; metadata in the query string"}
        },
    },
}


_KEY_HEADER = APIKeyHeader(
    name=API_KEY_HEADER, auto_error=False, description="the key set in KG_API_KEY on the server"
)


def article_extractor() -> Extractor | None:
    """The extractor ingest uses; None is :func:`kg.extract.extract`.

    A dependency, so a deployment or a test can swap it (``app.dependency_overrides``), e.g. to
    feed curated annotations through the same pipeline.
    """
    return None


ExtractorDep = Annotated[Extractor | None, Depends(article_extractor)]


def make_router(settings: Settings) -> APIRouter:
    """The write routes, guarded by the configured API key (refused when there is none)."""
    if not settings.api_key:
        raise InvalidParameter(
            "the write routes need an API key (KG_API_KEY); without one, do not mount them"
        )
    expected = settings.api_key.encode()

    def require_key(given: Annotated[str | None, Security(_KEY_HEADER)]) -> None:
        if not given:
            raise HTTPException(
                401,
                f"this route needs the API key in the {API_KEY_HEADER} header",
                headers={"WWW-Authenticate": API_KEY_HEADER},
            )
        if not hmac.compare_digest(given.encode(), expected):
            raise HTTPException(403, f"the API key in the {API_KEY_HEADER} header is wrong")

    router = APIRouter(prefix="/documents", tags=["documents"], dependencies=[Depends(require_key)])

    @router.post(
        "",
        status_code=201,
        response_model=IngestReport,
        summary="Ingest a new article: extract its claims, validate them and store it as its own graph",
        description=(
            "Send JSON (`text` and the metadata fields) or the plain text itself (`text/plain`, "
            "UTF-8) with the metadata in the query string. The answer lists the claims, the actors "
            "(known and new), the communications, the contradictions with claims already stored and "
            "the validation results: 201 when stored, 200 for a dry run or for a text already stored "
            "(the same bytes change nothing). A document that fails a check is refused with 422, "
            "the problems and the same report, and nothing is stored."
        ),
        responses={
            200: {"description": "dry run, or the same text was already stored"},
            400: {"description": "the body is not UTF-8 or not JSON"},
            401: {"description": "no API key"},
            403: {"description": "wrong API key"},
            409: {"description": "the text of a retracted document"},
            413: {"description": "over the size limit (KG_MAX_DOCUMENT_BYTES)"},
            415: {"description": "neither application/json nor text/plain"},
            422: {"description": "unusable metadata, or the document fails the checks (report attached)"},
        },
        openapi_extra={"requestBody": _REQUEST_BODY},
    )
    async def post_document(
        request: Request,
        store: StoreDep,
        extractor: ExtractorDep,
        dry_run: Annotated[bool, Query(description="check and report, write nothing")] = False,
        title: Annotated[str | None, Query(description="text/plain only: the title")] = None,
        outlet: Annotated[str | None, Query(description="text/plain only: the outlet")] = None,
        author: Annotated[str | None, Query(description="text/plain only: the author")] = None,
        published: Annotated[str | None, Query(description="text/plain only: YYYY-MM-DD")] = None,
        url: Annotated[str | None, Query(description="text/plain only: where it was found")] = None,
        language: Annotated[str | None, Query(description="text/plain only: BCP 47 tag")] = None,
        machine_generated: Annotated[
            bool | None, Query(description="text/plain only: the text declares itself machine-generated")
        ] = None,
    ) -> JSONResponse:
        media, _, params = request.headers.get("content-type", "").partition(";")
        media = media.strip().lower()
        max_bytes = settings.max_document_bytes
        given = {
            k: v
            for k, v in {
                "title": title,
                "outlet": outlet,
                "author": author,
                "published": published,
                "url": url,
                "language": language,
                "machine_generated": machine_generated,
            }.items()
            if v is not None
        }
        text: bytes | str
        if media == "application/json" or media.endswith("+json"):
            raw = await _read_body(request, max_bytes * _JSON_OVERHEAD + 65_536)
            if given:
                return problem(
                    422, f"with a JSON body the metadata goes in the body, not the query: {', '.join(given)}"
                )
            try:
                decoded = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                return problem(400, f"the body is not UTF-8: byte 0x{raw[e.start]:02x} at offset {e.start}")
            try:
                data = json.loads(decoded)
            except json.JSONDecodeError as e:
                return problem(
                    400, f"the body is not valid JSON: {e.msg} at line {e.lineno}, column {e.colno}"
                )
            if not isinstance(data, dict):
                return problem(422, "the JSON body must be an object with 'text' and the metadata fields")
            try:
                doc = DocumentIn.model_validate(data)
            except ValidationError as e:
                return problem(422, _validation_message(e))
            text = doc.text
            meta = ArticleMeta.model_validate(doc.model_dump(include=set(_META_FIELDS)))
        elif media == "text/plain":
            charset = next(
                (p.split("=", 1)[1].strip().strip('"').lower() for p in params.split(";") if "charset=" in p),
                "utf-8",
            )
            if charset not in ("utf-8", "utf8", "us-ascii", "ascii"):
                return problem(415, f"the text must be sent as UTF-8, not {charset}")
            text = await _read_body(request, max_bytes)
            try:
                meta = ArticleMeta.model_validate(given)
            except ValidationError as e:
                return problem(422, _validation_message(e))
        else:
            return problem(
                415, f"send application/json or text/plain (UTF-8), not {media or 'a body without a type'}"
            )
        try:
            report = await run_in_threadpool(
                ingest, store, settings, text, meta, dry_run=dry_run, extractor=extractor
            )
        except KGError as e:
            return _refusal(e)
        status = 201 if report.stored else 200
        headers = {"Location": f"/documents/{report.key}"} if report.stored or report.already_stored else {}
        return JSONResponse(status_code=status, content=report.model_dump(mode="json"), headers=headers)

    @router.delete(
        "/{document_id:path}",
        response_model=RetractionOut,
        summary="Retract a document: remove its graph and record who retracted it, when and why",
        description=(
            "`document_id` is the document's key (16 hex digits), its IRI or its source file stem. "
            "`reason` is required and recorded with the retraction; the contradictions its claims "
            "took part in go with it."
        ),
        responses={
            401: {"description": "no API key"},
            403: {"description": "wrong API key"},
            404: {"description": "no such document in the store"},
            422: {"description": "no reason given"},
        },
    )
    def delete_document(
        document_id: str,
        store: StoreDep,
        reason: Annotated[str | None, Query(description="why it is retracted (required, recorded)")] = None,
        by: Annotated[str, Query(description="who retracts it (recorded)")] = "api",
    ) -> JSONResponse:
        if reason is None or not reason.strip():
            return problem(422, "a retraction needs a reason: DELETE /documents/{id}?reason=…")
        try:
            r = retract(store, document_id, reason=reason.strip(), by=by)
        except KGError as e:
            return _refusal(e)
        out = RetractionOut(
            document=r.document,
            graph=r.graph,
            retraction=r.iri,
            removed_quads=r.removed_quads,
            at=r.at.isoformat().replace("+00:00", "Z"),
            by=by,
            reason=reason.strip(),
        )
        return JSONResponse(content=out.model_dump(mode="json"))

    return router
