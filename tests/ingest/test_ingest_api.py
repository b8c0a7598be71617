"""POST /documents and DELETE /documents/{id} over a real store, through real HTTP requests."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api import create_app
from api.documents import article_extractor, make_router
from kg.config import Settings
from kg.errors import InvalidParameter
from kg.ingest import Extractor
from kg.models import AnnotationFile, DocumentMeta, LocalActor
from kg.namespaces import ID
from kg.reference import Reference
from kg.store import GraphStore
from tests.ingest.conftest import DOC_004, KEY_004, TEXT_004, curated

KEY = "s3cret-key-for-tests"
AUTH = {"X-API-Key": KEY}
META_004 = {"title": DOC_004.meta.title, "outlet": "Nishadil", "published": "2025-11-28"}


def _app(settings: Settings, extractor: Extractor | None = None) -> FastAPI:
    """The app as configured (the write routes mounted), its extractor swapped for ``extractor``."""
    app = create_app(settings)
    if "post" not in app.openapi()["paths"].get("/documents", {}):
        app.include_router(make_router(settings))
        app.openapi_schema = None
    if extractor is not None:
        app.dependency_overrides[article_extractor] = lambda: extractor
    return app


@pytest.fixture
def keyed(settings_without_004: Settings) -> Settings:
    return settings_without_004.model_copy(update={"api_key": KEY})


@pytest.fixture
def client(keyed: Settings) -> Iterator[TestClient]:
    with TestClient(_app(keyed, curated())) as c:
        yield c


def _store(client: TestClient) -> GraphStore:
    store: GraphStore = client.app.state.store  # type: ignore[attr-defined]
    return store


def test_post_json_stores_the_document(client: TestClient) -> None:
    before = client.get("/healthz").json()["documents"]
    r = client.post("/documents", json={"text": DOC_004.text, **META_004}, headers=AUTH)
    assert r.status_code == 201, r.text
    body = r.json()
    assert r.headers["location"] == f"/documents/{KEY_004}"
    assert (body["key"], body["stored"], body["already_stored"]) == (KEY_004, True, False)
    assert len(body["claims"]) == 11 and len(body["contradictions"]) == 20
    assert body["validation"] == {"conforms": True, "results": []}
    assert {a["iri"] for a in body["actors"] if "outlet" in a["roles"]} == {f"{ID}actor/nishadil"}
    assert client.get("/healthz").json()["documents"] == before + 1
    assert _store(client).ask(f"ASK {{ <{ID}doc/{KEY_004}> bc:outlet actor:nishadil }}")

    again = client.post("/documents", json={"text": DOC_004.text, **META_004}, headers=AUTH)
    assert again.status_code == 200 and again.json()["already_stored"] is True
    assert again.headers["location"] == f"/documents/{KEY_004}"


def test_post_plain_text_with_metadata_in_the_query(client: TestClient) -> None:
    before = _store(client).canonical_nquads()
    r = client.post(
        "/documents",
        content=TEXT_004,
        params={"outlet": "nishadil", "published": "2025-11-28", "dry_run": "true"},
        headers={**AUTH, "Content-Type": "text/plain; charset=utf-8"},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["dry_run"] is True and body["stored"] is False and len(body["contradictions"]) == 20
    assert body["title"] == DOC_004.meta.title  # the first line
    assert _store(client).canonical_nquads() == before

    r = client.post("/documents", content=TEXT_004, headers={**AUTH, "Content-Type": "text/plain"})
    assert r.status_code == 201 and r.json()["stored"] is True


def test_delete_retracts_with_a_reason(client: TestClient) -> None:
    assert client.post("/documents", json={"text": DOC_004.text}, headers=AUTH).status_code == 201
    no_reason = client.delete(f"/documents/{KEY_004}", headers=AUTH)
    assert no_reason.status_code == 422
    assert no_reason.json() == {"detail": "a retraction needs a reason: DELETE /documents/{id}?reason=…"}
    r = client.delete(f"/documents/{KEY_004}", params={"reason": "unverified", "by": "desk"}, headers=AUTH)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["document"], body["reason"], body["by"]) == (f"{ID}doc/{KEY_004}", "unverified", "desk")
    assert body["removed_quads"] > 400 and body["retraction"].startswith(f"{ID}retraction/")
    assert not _store(client).ask(f"ASK {{ GRAPH <{body['graph']}> {{ ?s ?p ?o }} }}")
    assert not _store(client).ask(
        f"ASK {{ ?x bc:firstClaim|bc:secondClaim ?c . FILTER(CONTAINS(STR(?c), '{KEY_004}')) }}"
    )

    gone = client.delete(f"/documents/{KEY_004}", params={"reason": "again"}, headers=AUTH)
    assert gone.status_code == 404
    assert gone.json() == {"detail": f"no document '{KEY_004}' in the store (give its IRI, key or file stem)"}
    unknown = client.delete("/documents/0123456789abcdef", params={"reason": "x"}, headers=AUTH)
    assert unknown.status_code == 404
    assert unknown.json()["detail"].startswith("no document '0123456789abcdef' in the store")
    before = _store(client).canonical_nquads()
    refused = client.post("/documents", json={"text": DOC_004.text}, headers=AUTH)
    assert refused.status_code == 409 and "was retracted at" in refused.json()["detail"]
    assert _store(client).canonical_nquads() == before


# --- the key --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"), [("POST", "/documents"), ("DELETE", f"/documents/{KEY_004}?reason=x")]
)
def test_the_key_is_required_and_checked(client: TestClient, method: str, path: str) -> None:
    before = _store(client).canonical_nquads()
    body = json.dumps({"text": DOC_004.text}).encode()
    json_type = {"Content-Type": "application/json"}
    missing = client.request(method, path, content=body, headers=json_type)
    assert missing.status_code == 401
    assert missing.json() == {"detail": "this route needs the API key in the X-API-Key header"}
    assert missing.headers["www-authenticate"] == "X-API-Key"
    wrong = client.request(method, path, content=body, headers={**json_type, "X-API-Key": KEY + "x"})
    assert wrong.status_code == 403
    assert wrong.json() == {"detail": "the API key in the X-API-Key header is wrong"}
    assert _store(client).canonical_nquads() == before


def test_without_a_key_the_write_routes_are_not_mounted(settings_without_004: Settings) -> None:
    assert settings_without_004.api_key is None
    with pytest.raises(InvalidParameter, match="the write routes need an API key"):
        make_router(settings_without_004)
    with TestClient(create_app(settings_without_004)) as c:
        assert c.post("/documents", json={"text": "x"}, headers=AUTH).status_code in (404, 405)
        assert c.delete(f"/documents/{KEY_004}", params={"reason": "x"}, headers=AUTH).status_code in (
            404,
            405,
        )
        paths = c.get("/openapi.json").json()["paths"]
        assert "post" not in paths.get("/documents", {})
        assert not any("delete" in ops for ops in paths.values())


def test_the_openapi_document_describes_the_write_routes(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    post = spec["paths"]["/documents"]["post"]
    assert set(post["requestBody"]["content"]) == {"application/json", "text/plain"}
    assert "text" in post["requestBody"]["content"]["application/json"]["schema"]["properties"]
    assert {"401", "403", "413", "422"} <= set(post["responses"])
    assert spec["components"]["securitySchemes"]["APIKeyHeader"]["name"] == "X-API-Key"
    assert "delete" in spec["paths"]["/documents/{document_id}"]


# --- bad input ------------------------------------------------------------------------------------

BAD = [
    pytest.param({"json": {"text": ""}}, 422, "the text is empty", id="empty"),
    pytest.param({"json": {"text": "  \n "}}, 422, "the text is only white space", id="blank"),
    pytest.param({"json": {"title": "no text"}}, 422, "text: Field required", id="no-text"),
    pytest.param(
        {"json": {"text": "x", "colour": "red"}}, 422, "colour: Extra inputs are not permitted", id="extra"
    ),
    pytest.param(
        {"json": ["text"]},
        422,
        "the JSON body must be an object with 'text' and the metadata fields",
        id="array",
    ),
    pytest.param(
        {"json": {"text": DOC_004.text, "published": "28 Nov"}},
        422,
        "published: '28 Nov' is not a date; give it as YYYY-MM-DD, e.g. 2024-06-03",
        id="date",
    ),
    pytest.param(
        {"content": b'{"text": "Iran and', "headers": {"Content-Type": "application/json"}},
        400,
        "the body is not valid JSON: Unterminated string starting at at line 1, column 10",
        id="malformed-json",
    ),
    pytest.param(
        {"content": b'{"text": "Caf\xe9"}', "headers": {"Content-Type": "application/json"}},
        400,
        "the body is not UTF-8: byte 0xe9 at offset 13",
        id="json-not-utf8",
    ),
    pytest.param(
        {"content": b"Caf\xe9 talks", "headers": {"Content-Type": "text/plain"}},
        400,
        "the text is not UTF-8: byte 0xe9 at offset 3 (invalid continuation byte)",
        id="text-not-utf8",
    ),
    pytest.param(
        {"content": b"Cafe talks", "headers": {"Content-Type": "text/plain; charset=latin-1"}},
        415,
        "the text must be sent as UTF-8, not latin-1",
        id="charset",
    ),
    pytest.param(
        {"content": b"<p>Cafe</p>", "headers": {"Content-Type": "text/html"}},
        415,
        "send application/json or text/plain (UTF-8), not text/html",
        id="media-type",
    ),
    pytest.param(
        {"json": {"text": DOC_004.text}, "params": {"outlet": "Reuters"}},
        422,
        "with a JSON body the metadata goes in the body, not the query: outlet",
        id="query-with-json",
    ),
    pytest.param(
        {"json": {"text": DOC_004.text, "machine_generated": True, "url": "ftp://x"}},
        422,
        "url: 'ftp://x' is not an absolute http(s) URL without spaces",
        id="url",
    ),
]


@pytest.mark.parametrize(("request_args", "status", "detail"), BAD)
def test_bad_input_is_a_clear_4xx_and_stores_nothing(
    client: TestClient, request_args: dict[str, object], status: int, detail: str
) -> None:
    before = _store(client).canonical_nquads()
    headers = {**AUTH, **request_args.pop("headers", {})}  # type: ignore[dict-item]
    r = client.post("/documents", headers=headers, **request_args)  # type: ignore[arg-type]
    assert r.status_code == status, r.text
    assert r.json()["detail"] == detail
    assert _store(client).canonical_nquads() == before


def test_over_the_size_limit_is_413(keyed: Settings) -> None:
    small = keyed.model_copy(update={"max_document_bytes": 2000})
    with TestClient(_app(small, curated())) as c:
        before = _store(c).canonical_nquads()
        plain = c.post("/documents", content=TEXT_004, headers={**AUTH, "Content-Type": "text/plain"})
        assert plain.status_code == 413
        assert plain.json() == {
            "detail": "the request body is over the limit of 2,000 bytes for this media type"
        }
        as_json = c.post("/documents", json={"text": DOC_004.text}, headers=AUTH)
        assert as_json.status_code == 413
        assert as_json.json() == {
            "detail": "the text is 3,840 bytes, over the limit of 2,000 bytes (KG_MAX_DOCUMENT_BYTES)"
        }
        assert _store(c).canonical_nquads() == before


def test_a_document_failing_the_shapes_is_422_with_the_report(keyed: Settings) -> None:
    """Records that pass the id checks but not the shapes: a new outlet without a reliability grade."""

    def outlet_without_grade(
        text: str, meta: DocumentMeta, reference: Reference, stem: str
    ) -> AnnotationFile:
        ann = DOC_004.annotations
        wire = LocalActor(id="gulf-wire", kind="outlet", label="Gulf Wire", reviewed=False)
        return ann.model_copy(update={"document": stem, "local_actors": [*ann.local_actors, wire]})

    with TestClient(_app(keyed, outlet_without_grade)) as c:
        before = _store(c).canonical_nquads()
        r = c.post("/documents", json={"text": DOC_004.text}, headers=AUTH)
        assert r.status_code == 422, r.text
        body = r.json()
        assert body["detail"].startswith("the document was rejected (1 problem(s)); nothing was stored:")
        assert [p["entry"] for p in body["problems"]] == [
            f"{ID}actor/{KEY_004}/gulf-wire · bc:reliability · bc:OutletShape-reliability MinCountConstraintComponent"
        ]
        assert body["report"]["validation"]["conforms"] is False
        assert len(body["report"]["claims"]) == 11 and body["report"]["stored"] is False
        assert _store(c).canonical_nquads() == before


def test_reads_go_on_while_an_ingest_runs(keyed: Settings) -> None:
    started, release = threading.Event(), threading.Event()

    def slow(text: str, meta: DocumentMeta, reference: Reference, stem: str) -> AnnotationFile:
        started.set()
        assert release.wait(30), "the reader never released the ingest"
        return DOC_004.annotations.model_copy(update={"document": stem})

    with TestClient(_app(keyed, slow)) as c:
        answers: list[int] = []
        worker = threading.Thread(
            target=lambda: answers.append(
                c.post("/documents", json={"text": DOC_004.text}, headers=AUTH).status_code
            )
        )
        worker.start()
        try:
            assert started.wait(30)
            health = c.get("/healthz")  # answered while the ingest is in flight
            assert health.status_code == 200 and health.json()["documents"] == 4
        finally:
            release.set()
            worker.join(60)
        assert answers == [201]
        assert c.get("/healthz").json()["documents"] == 5
