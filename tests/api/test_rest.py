"""The REST lookups over a real on-disk seed store, through real HTTP requests (TestClient).

Expected values come from the seed corpus: document keys are the first 16 hex digits of the
SHA-256 of each text (000 -> 9bdecb3cd4d131be, 001 -> e0e1bd622dfe11ac, 002 -> 697db856a043a9c0,
003 -> c4077f91fe77e5a6, 004 -> 4de668e1403d28a9).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api import create_app
from api.rest import router
from kg.build import build
from tests.conftest import CORPUS, settings_for

K000, K001, K004 = "9bdecb3cd4d131be", "e0e1bd622dfe11ac", "4de668e1403d28a9"
DENIAL = f"{K004}/khamenei-denies-message-to-us"
ACTOR = "https://w3id.org/backchannel-kg/id/actor/"


def with_rest(app: FastAPI) -> FastAPI:
    """The app with the lookups mounted (once the lead mounts them in create_app, as they are)."""
    if not any(getattr(r, "path", None) == "/actors" for r in app.routes):
        app.include_router(router)
    return app


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = settings_for(tmp_path_factory.mktemp("rest") / "store")
    _, store = build(settings)
    store.close()
    with TestClient(with_rest(create_app(settings))) as c:
        yield c


def get(client: TestClient, url: str, status: int = 200, **kw: Any) -> Any:
    response = client.get(url, **kw)
    assert response.status_code == status, response.text
    return response.json()


def all_items(client: TestClient, url: str) -> list[dict[str, Any]]:
    """Every item of a list, following the next links."""
    items: list[dict[str, Any]] = []
    next_url: str | None = url
    while next_url:
        page = get(client, next_url)
        items += page["items"]
        next_url = page["next"]
    return items


# --- /actors ---------------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["amirabdollahian", "Amir-Abdollahian", "AMIR ABDOLLAHIAN", "amír abdolláhian"])
def test_the_foreign_minister_by_any_spelling(client: TestClient, q: str) -> None:
    page = get(client, "/actors", params={"q": q})
    assert page["total"] == 1
    [actor] = page["items"]
    assert actor["id"] == "amir-abdollahian" and actor["label"] == "Hossein Amir-Abdollahian"
    assert actor["kind"] == "Person" and actor["match"]["how"] == "exact"
    assert actor["claim_count"] == 34
    assert set(actor["names"]) == {
        "Hossein Amir-Abdollahian",
        "Amir-Abdollahian",
        "Hossein Amirabdollahian",
        "Amirabdollahian",
    }


@pytest.mark.parametrize(
    ("q", "first", "name"),
    [
        ("Hizbullah", "hezbollah", "Hizbullah"),
        ("lebanon’s hizbollah", "hezbollah", "Lebanon's Hizbollah"),
        ("Tehran", "iran", "Tehran"),
        ("washington", "us", "Washington"),
    ],
)
def test_other_names_find_the_canonical_actor(client: TestClient, q: str, first: str, name: str) -> None:
    top = get(client, "/actors", params={"q": q})["items"][0]
    assert (top["id"], top["match"]["how"]) == (first, "exact")
    assert top["match"]["name"].replace("’", "'") == name


def test_an_office_title_finds_the_people_who_held_it(client: TestClient) -> None:
    items = get(client, "/actors", params={"q": "Iran's foreign minister"})["items"]
    terms = {(a["id"], a["match"]["start_date"], a["match"]["end_date"]) for a in items}
    assert terms == {
        ("amir-abdollahian", "2021-08-25", "2024-05-19"),
        ("bagheri", "2024-05-20", "2024-08-21"),
    }
    assert {a["match"]["how"] for a in items} == {"office"}


def test_a_misspelt_name_offers_close_spellings(client: TestClient) -> None:
    items = get(client, "/actors", params={"q": "Hezbolah"})["items"]
    assert items[0]["id"] == "hezbollah" and items[0]["match"]["how"] == "similar"


def test_the_whole_list_page_by_page(client: TestClient) -> None:
    first = get(client, "/actors", params={"limit": 10})
    assert first["total"] == 64 and len(first["items"]) == 10 and first["prev"] is None
    assert "offset=10" in first["next"] and "limit=10" in first["next"]
    actors = all_items(client, "/actors?limit=10")
    assert len(actors) == 64 == len({a["id"] for a in actors})
    labels = [a["label"] for a in actors]
    assert labels == sorted(labels, key=str.casefold)
    last = get(client, "/actors", params={"limit": 10, "offset": 60})
    assert len(last["items"]) == 4 and last["next"] is None and "offset=50" in last["prev"]
    kinds = Counter(a["kind"] for a in all_items(client, "/actors?limit=100"))
    assert kinds["Person"] == 17 and kinds["State"] == 16 and kinds["UnnamedSource"] == 3


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"q": " - "}, "'q' must contain a letter or a digit, not ' - '"),
        ({"limit": 0}, "'limit' must be between 1 and 500, not 0"),
        ({"limit": 501}, "'limit' must be between 1 and 500, not 501"),
        ({"offset": -1}, "'offset' must be 0 or more, not -1"),
    ],
)
def test_bad_list_parameters(client: TestClient, params: dict[str, Any], detail: str) -> None:
    assert get(client, "/actors", 422, params=params) == {"detail": detail}


def test_the_card_of_the_supreme_leader(client: TestClient) -> None:
    card = get(client, "/actors/khamenei")
    assert card["label"] == "Ali Khamenei" and card["kind"] == "Person"
    assert card["definition"] == "Iranian cleric, Supreme Leader of Iran since 1989."
    assert [a["id"] for a in card["affiliations"]] == ["iran"]
    [term] = card["offices"]
    assert term["office"]["label"] == "Supreme Leader of Iran"
    assert (term["start_date"], term["end_date"]) == ("1989-06-04", None)
    assert card["claim_count"] == 6 and card["claims_by_stance"] == {"affirms": 2, "denies": 4}
    assert card["document_count"] == 1
    [doc] = card["documents"]
    assert doc["id"] == K004 and doc["claims_made"] == 6 and doc["outlet"]["id"] == "nishadil"


def test_a_person_with_two_offices_in_date_order(client: TestClient) -> None:
    offices = get(client, "/actors/bagheri")["offices"]
    assert [(o["office"]["label"], o["start_date"], o["end_date"]) for o in offices] == [
        ("Deputy Foreign Minister of Iran for Political Affairs", "2021-09-08", "2024-05-19"),
        ("Foreign Minister of Iran", "2024-05-20", "2024-08-21"),
    ]


@pytest.mark.parametrize(
    "path",
    ["khamenei", "actor:khamenei", quote(ACTOR + "khamenei", safe=""), quote(ACTOR + "khamenei", safe=":/")],
)
def test_an_actor_by_id_prefixed_name_or_iri(client: TestClient, path: str) -> None:
    assert get(client, f"/actors/{path}")["iri"] == ACTOR + "khamenei"
    assert get(client, f"/actors/{path}/claims")["total"] == 6


def test_a_document_local_actor_has_a_slash_in_its_id(client: TestClient) -> None:
    card = get(client, f"/actors/{K001}/tehran-analyst-1")
    assert card["kind"] == "UnnamedSource" and card["iri"] == f"{ACTOR}{K001}/tehran-analyst-1"
    claims = get(client, f"/actors/{K001}/tehran-analyst-1/claims")
    assert claims["total"] == 1 and claims["items"][0]["source"]["id"] == K001


@pytest.mark.parametrize("path", ["/actors/khamenie", "/actors/khamenie/claims"])
def test_an_unknown_actor_is_404_with_the_nearest_names(client: TestClient, path: str) -> None:
    body = get(client, path, 404)
    assert body["detail"].startswith("no actor 'khamenie'; did you mean khamenei (Ali Khamenei)")
    assert body["suggestions"][0] == {
        "id": "khamenei",
        "iri": ACTOR + "khamenei",
        "label": "Ali Khamenei",
        "kind": "Person",
    }


# --- /actors/{id}/claims -----------------------------------------------------------------------


def test_his_denials_include_the_denial_from_004(client: TestClient) -> None:
    page = get(client, "/actors/khamenei/claims", params={"stance": "denies"})
    assert page["total"] == 4 and {c["stance"] for c in page["items"]} == {"denies"}
    denial = next(c for c in page["items"] if c["id"] == DENIAL)
    assert denial["claimant"]["id"] == "khamenei" and denial["attribution"] == "indirect-speech"
    assert denial["quote"].startswith("denied any claims whatsoever that his nation has sent a message")
    assert denial["stated_at"]["status"] == "inferred" and denial["stated_at"]["date"] is None
    assert (denial["stated_at"]["not_before"], denial["stated_at"]["not_after"]) == (
        "2023-10-07",
        "2025-11-28",
    )
    assert denial["when"] == "2025-11-28"
    source = denial["source"]
    assert source["id"] == K004 and source["title"].startswith("Ayatollah Khamenei Firmly Denies")
    assert source["outlet"]["label"] == "Nishadil" and source["outlet"]["reliability"] == "E"
    assert source["published"]["date"] == "2025-11-28"
    assert denial["proposition"]["kind"] == "Message"
    assert (
        denial["proposition"]["summary"] == "Iran sent a message to the US about the Israel-Hamas conflict."
    )


def test_claims_page_by_page_in_date_order(client: TestClient) -> None:
    first = get(client, "/actors/amir-abdollahian/claims", params={"limit": 10})
    assert first["total"] == 34 and len(first["items"]) == 10 and "offset=10" in first["next"]
    items = all_items(client, "/actors/amir-abdollahian/claims?limit=10")
    assert len(items) == 34 == len({c["id"] for c in items})
    whens = [c["when"] for c in items]
    assert whens == sorted(whens) and whens[0] == "2023-11-16" and whens[-1] == "2024-02-10"
    second = get(client, "/actors/amir-abdollahian/claims", params={"limit": 10, "offset": 10})
    assert "offset=0" in second["prev"] and [c["id"] for c in second["items"]] == [
        c["id"] for c in items[10:20]
    ]
    beyond = get(client, "/actors/amir-abdollahian/claims", params={"offset": 100})
    assert beyond["total"] == 34 and beyond["items"] == [] and beyond["next"] is None


@pytest.mark.parametrize(
    ("params", "total"),
    [
        ({"from": "2024-01-01"}, 5),
        ({"to": "2023-12-31"}, 29),
        ({"from": "2023-11-16", "to": "2023-11-16"}, 29),
        ({"from": "2024-02-11"}, 0),
        ({"attribution": "direct-quote"}, 12),
        ({"attribution": "outlet-framing", "stance": "affirms"}, 4),
        ({"stance": "denies"}, 6),
        ({"document": "000_9ccd7f39ddaf9104"}, 5),
        ({"document": K001}, 29),
        ({"document": f"https://w3id.org/backchannel-kg/id/doc/{K001}", "from": "2024-01-01"}, 0),
        ({"document": "004_8ca7b8115da28cd5.txt"}, 0),
    ],
)
def test_claim_filters(client: TestClient, params: dict[str, str], total: int) -> None:
    page = get(client, "/actors/amir-abdollahian/claims", params={**params, "limit": 100})
    assert page["total"] == total == len(page["items"])
    for claim in page["items"]:
        assert claim["when"] >= params.get("from", "0000") and claim["when"] <= params.get("to", "9999")
        assert claim["attribution"] == params.get("attribution", claim["attribution"])
        assert claim["stance"] == params.get("stance", claim["stance"])


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"from": "2024-13-01"}, "'from' is not a calendar date: '2024-13-01' (month must be in 1..12)"),
        ({"to": "yesterday"}, "'to' must be a date as YYYY-MM-DD, not 'yesterday'"),
        (
            {"from": "2024-02-01", "to": "2024-01-01"},
            "the date range is empty: 'from' 2024-02-01 is after 'to' 2024-01-01",
        ),
        ({"stance": "maybe"}, "unknown stance 'maybe'; use one of affirms, denies"),
        (
            {"attribution": "rumour"},
            "unknown attribution 'rumour'; use one of direct-quote, partial-quote, indirect-speech, "
            "anonymous-source, outlet-framing",
        ),
        ({"document": "nope"}, "no document 'nope': use its key, its IRI or its source file name"),
        ({"limit": 1000}, "'limit' must be between 1 and 500, not 1000"),
    ],
)
def test_bad_claim_filters_are_422(client: TestClient, params: dict[str, Any], detail: str) -> None:
    assert get(client, "/actors/khamenei/claims", 422, params=params) == {"detail": detail}


# --- /claims/{id} ------------------------------------------------------------------------------


def test_the_claim_card_of_the_denial(client: TestClient) -> None:
    card = get(client, f"/claims/{DENIAL}", params={"context": 60})
    assert card["iri"] == f"https://w3id.org/backchannel-kg/id/claim/{DENIAL}"
    assert card["claimant"]["label"] == "Ali Khamenei" and card["stance"] == "denies"
    assert card["confidence"] == 4 and card["note"].startswith("Contradicted by Amir-Abdollahian's")
    assert card["stated_at"]["expression"] == "Recently" and len(card["stated_at"]["date_evidence"]) == 2
    prop = card["proposition"]
    assert (prop["kind"], prop["sender"]["id"], prop["recipient"]["id"]) == ("Message", "iran", "us")
    assert [t["id"] for t in prop["topics"]] == ["gaza-war"]
    assert prop["time"]["start"]["date"] == "2023-10-07" and prop["time"]["end"]["not_after"] == "2025-11-28"
    evidence = card["evidence"]
    assert (evidence["start"], evidence["end"]) == (516, 675)
    text = (CORPUS / "documents" / "004_8ca7b8115da28cd5.txt").read_text(encoding="utf-8")
    assert evidence["quote"] == text[516:675]
    assert evidence["context_before"] == text[456:516] and evidence["context_after"] == text[675:735]
    assert evidence["context_before"].endswith(evidence["prefix"])
    assert evidence["context_after"].startswith(evidence["suffix"])
    source = card["source"]
    assert source["machine_generated"] is True and source["reliability"] == "E"
    assert source["source_file"] == "004_8ca7b8115da28cd5.txt" and source["claim_count"] == 11


def test_the_denial_is_contradicted_by_the_minister_in_000_and_001(client: TestClient) -> None:
    found = get(client, f"/claims/{DENIAL}")["contradictions"]
    assert len(found) == 10
    others = {c["second"]["id"] if c["first"]["id"] == DENIAL else c["first"]["id"] for c in found}
    assert f"{K000}/fm-exchange-of-messages" in others
    assert f"{K001}/fm-messages-via-swiss-interests-section" in others
    assert {c["point"]["id"] for c in found} == {"occurrence"}
    assert all(c["reason"].startswith("They disagree on whether it took place.") for c in found)
    minister = next(
        c for c in found if f"{K000}/fm-exchange-of-messages" in (c["first"]["id"], c["second"]["id"])
    )
    other = minister["second"] if minister["first"]["id"] == DENIAL else minister["first"]
    assert other["claimant"]["id"] == "amir-abdollahian" and other["stance"] == "affirms"
    assert other["source"]["id"] == K000


def test_a_claim_through_a_channel(client: TestClient) -> None:
    card = get(client, f"/claims/{K001}/fm-messages-via-swiss-interests-section")
    channel = card["proposition"]["channel"]
    assert channel["id"] == "swiss-interests-section" and channel["type"] == "ProtectingPowerChannel"
    assert channel["direct"] is False and channel["intermediary"]["id"] == "us-interests-section-tehran"
    assert card["proposition"]["kind"] == "MessageExchange"
    assert {p["id"] for p in card["proposition"]["parties"]} == {"iran", "us"}
    assert card["claimant"]["id"] == "amir-abdollahian"


def test_a_claim_by_its_iri(client: TestClient) -> None:
    iri = f"https://w3id.org/backchannel-kg/id/claim/{DENIAL}"
    assert get(client, f"/claims/{quote(iri, safe='')}")["id"] == DENIAL


@pytest.mark.parametrize(
    ("path", "detail"),
    [
        (
            f"/claims/{K004}/khamenei-denies-mesage-to-us",
            f"no claim '{K004}/khamenei-denies-mesage-to-us'; did you mean {DENIAL}?",
        ),
        (
            "/claims/nothing",
            "no claim 'nothing'; a claim id is <document key>/<claim id>, "
            "e.g. 9bdecb3cd4d131be/lead-direct-communication",
        ),
    ],
)
def test_an_unknown_claim_is_404(client: TestClient, path: str, detail: str) -> None:
    assert get(client, path, 404) == {"detail": detail}


def test_too_much_context_is_422(client: TestClient) -> None:
    body = get(client, f"/claims/{DENIAL}", 422, params={"context": 5000})
    assert body == {"detail": "'context' must be between 0 and 2000 characters, not 5000"}


# --- /documents --------------------------------------------------------------------------------


def test_documents_newest_first(client: TestClient) -> None:
    page = get(client, "/documents")
    assert page["total"] == 5
    rows = [
        (d["source_file"][:3], d["published"]["date"], d["claim_count"], d["reliability"])
        for d in page["items"]
    ]
    assert rows == [
        ("004", "2025-11-28", 11, "E"),
        ("002", "2024-06-03", 9, "F"),
        ("000", "2024-02-10", 10, "C"),
        ("001", "2023-11-16", 47, "B"),
        ("003", "2023-10-26", 9, "F"),
    ]
    assert [d["machine_generated"] for d in page["items"]] == [True, False, False, False, False]
    assert {d["language"] for d in page["items"]} == {"en"}
    two = get(client, "/documents", params={"limit": 2, "offset": 2})
    assert [d["id"] for d in two["items"]] == [page["items"][2]["id"], page["items"][3]["id"]]
    assert "offset=4" in two["next"] and "offset=0" in two["prev"]


@pytest.mark.parametrize("ident", [K004, "004_8ca7b8115da28cd5", "004_8ca7b8115da28cd5.txt"])
def test_the_document_card(client: TestClient, ident: str) -> None:
    card = get(client, f"/documents/{ident}")
    assert card["id"] == K004 and card["claim_count"] == 11 == len(card["claims"])
    assert card["claims_by_stance"] == {"affirms": 5, "denies": 6} and card["contradicted_claims"] == 2
    assert [a["id"] for a in card["cites"]] == ["reuters"]
    actors = {a["id"]: a["roles"] for a in card["actors"]}
    assert actors["khamenei"] == {"claimant": 6}
    assert actors["us"]["recipient"] == 2
    assert DENIAL in {c["id"] for c in card["claims"]}


def test_an_unknown_document_is_404(client: TestClient) -> None:
    body = get(client, "/documents/0000000000000000", 404)
    assert body == {"detail": "no document '0000000000000000': use its key, its IRI or its source file name"}


# --- /channels and /contradictions ---------------------------------------------------------------


def test_channels_with_the_pairs_they_link(client: TestClient) -> None:
    page = get(client, "/channels")
    channels = {c["id"]: c for c in page["items"]}
    assert page["total"] == 5 and set(channels) == {
        "direct",
        "swiss-interests-section",
        "oman",
        "back-channels",
        "qatar",
    }
    swiss = channels["swiss-interests-section"]
    assert swiss["intermediary"]["id"] == "us-interests-section-tehran" and swiss["direct"] is False
    [pair] = swiss["pairs"]
    assert (pair["from"]["id"], pair["to"]["id"], pair["mutual"], pair["claim_count"]) == (
        "iran",
        "us",
        True,
        1,
    )
    back = channels["back-channels"]
    assert back["claim_count"] == 3 and back["claims_by_stance"] == {"affirms": 3, "denies": 0}
    assert [(p["from"]["id"], p["to"]["id"], p["mutual"]) for p in back["pairs"]] == [("iran", "us", False)]
    assert channels["oman"]["type"] == "MediatorChannel" and channels["oman"]["intermediary"]["id"] == "oman"
    assert [c["id"] for c in page["items"]][:1] == ["back-channels"]  # most claims first


def test_contradictions_page_by_page_and_by_point(client: TestClient) -> None:
    first = get(client, "/contradictions", params={"limit": 10})
    assert first["total"] == 26 and len(first["items"]) == 10 and "offset=10" in first["next"]
    everything = all_items(client, "/contradictions?limit=10")
    assert len({c["iri"] for c in everything}) == 26
    assert Counter(c["point"]["id"] for c in everything) == {"occurrence": 20, "directness": 6}
    direct = get(client, "/contradictions", params={"point": "directness"})
    assert direct["total"] == 6 and {c["point"]["question"] for c in direct["items"]} == {
        "whether it was direct"
    }
    for c in direct["items"]:
        assert {c["first"]["stance"], c["second"]["stance"]} <= {"affirms", "denies"}
        assert c["reason"].startswith("They disagree on whether it was direct.")


def test_contradictions_of_an_actor_and_of_a_document(client: TestClient) -> None:
    his = get(client, "/contradictions", params={"actor": "khamenei"})
    assert his["total"] == 10
    assert all(
        "khamenei" in (c["first"]["claimant"]["id"], c["second"]["claimant"]["id"]) for c in his["items"]
    )
    of_000 = get(client, "/contradictions", params={"document": "000_9ccd7f39ddaf9104"})
    assert of_000["total"] == 8
    assert all(K000 in (c["first"]["source"]["id"], c["second"]["source"]["id"]) for c in of_000["items"])


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"point": "tone"}, "unknown point 'tone'; use one of occurrence, directness, initiator"),
        ({"actor": "nobody"}, "no actor 'nobody'; find its id with an actor search"),
        ({"document": "nope"}, "no document 'nope': use its key, its IRI or its source file name"),
    ],
)
def test_bad_contradiction_filters_are_422(client: TestClient, params: dict[str, str], detail: str) -> None:
    assert get(client, "/contradictions", 422, params=params) == {"detail": detail}


# --- negotiation and the OpenAPI description -----------------------------------------------------


def test_json_by_default_and_406_for_what_cannot_be_served(client: TestClient) -> None:
    response = client.get("/actors/khamenei")
    assert response.headers["content-type"] == "application/json" and response.headers["vary"] == "Accept"
    body = get(client, "/actors/khamenei", 406, headers={"Accept": "text/csv"})
    assert body == {"detail": "this resource is available as application/json or application/ld+json"}


def test_the_routes_are_described_in_openapi(client: TestClient) -> None:
    spec = get(client, "/openapi.json")
    paths = spec["paths"]
    for path in (
        "/actors",
        "/actors/{actor_id}",
        "/actors/{actor_id}/claims",
        "/claims/{claim_id}",
        "/documents",
        "/documents/{document_id}",
        "/channels",
        "/contradictions",
    ):
        assert paths[path]["get"]["summary"], path
    claims = paths["/actors/{actor_id}/claims"]["get"]
    assert {p["name"] for p in claims["parameters"]} >= {"stance", "from", "to", "document", "attribution"}
    ok = claims["responses"]["200"]["content"]
    assert set(ok) == {"application/json", "application/ld+json"}
    assert ok["application/json"]["schema"]["$ref"].endswith("Page_ClaimSummary_")
    assert "ClaimCard" in spec["components"]["schemas"]
    assert "Problem" in claims["responses"]["404"]["content"]["application/json"]["schema"]["$ref"]
