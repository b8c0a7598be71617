"""JSON-LD answers of the REST lookups, read back as RDF by two JSON-LD processors."""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
import pytest
import rdflib
from fastapi.testclient import TestClient

from api import create_app
from kg.build import build
from kg.lookup.jsonld import CONTEXT
from kg.namespaces import BC, DCTERMS, OA, RDF, RDFS, SCHEMA, SKOS
from kg.store import GraphStore
from tests.api.test_rest import DENIAL, K000, K004, with_rest
from tests.conftest import ROOT, settings_for

LD = {"Accept": "application/ld+json"}
CLAIM = f"https://w3id.org/backchannel-kg/id/claim/{DENIAL}"
HYDRA = "http://www.w3.org/ns/hydra/core#"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = settings_for(tmp_path_factory.mktemp("rest-ld") / "store")
    _, store = build(settings)
    store.close()
    with TestClient(with_rest(create_app(settings))) as c:
        yield c


def triples(client: TestClient, url: str) -> set[tuple[str, str, str]]:
    """The answer as JSON-LD, parsed by pyoxigraph, as (s, p, o) values; rdflib must agree."""
    response = client.get(url, headers=LD)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/ld+json"
    ox_triples = {
        (q.subject.value, q.predicate.value, q.object.value)
        for q in ox.parse(response.content, format=ox.RdfFormat.JSON_LD)
        if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)
    }
    graph = rdflib.Graph().parse(data=response.content, format="json-ld")
    rdflib_triples = {
        (str(s), str(p), str(o))
        for s, p, o in graph
        if not isinstance(s, rdflib.BNode) and not isinstance(o, rdflib.BNode)
    }
    assert ox_triples == rdflib_triples
    return ox_triples


def test_the_claim_card_as_rdf(client: TestClient) -> None:
    found = triples(client, f"/claims/{DENIAL}")
    doc = f"https://w3id.org/backchannel-kg/id/doc/{K004}"
    actor = "https://w3id.org/backchannel-kg/id/actor/"
    evidence = CLAIM + "/evidence"
    expected = {
        (CLAIM, BC + "claimant", actor + "khamenei"),
        (CLAIM, BC + "stance", BC + "Denies"),
        (CLAIM, BC + "attribution", BC + "IndirectSpeech"),
        (CLAIM, BC + "sourceDocument", doc),
        (CLAIM, BC + "evidence", evidence),
        (evidence, OA + "exact", client.get(f"/claims/{DENIAL}").json()["evidence"]["quote"]),
        (evidence, OA + "start", "516"),
        (evidence, OA + "end", "675"),
        (actor + "khamenei", RDF + "type", BC + "Person"),
        (actor + "khamenei", SKOS + "prefLabel", "Ali Khamenei"),
        (doc, BC + "reliability", BC + "ReliabilityE"),
        (doc, BC + "machineGenerated", "true"),
        (actor + "nishadil", BC + "reliability", BC + "ReliabilityE"),
    }
    assert expected <= found
    prop = next(o for s, p, o in found if (s, p) == (CLAIM, BC + "proposition"))
    assert {(prop, RDF + "type", BC + "Message"), (prop, BC + "sender", actor + "iran")} <= found
    firsts = {s for s, p, o in found if p == BC + "firstClaim" and o == CLAIM}
    seconds = {s for s, p, o in found if p == BC + "secondClaim" and o == CLAIM}
    assert len(firsts | seconds) == 10
    minister = f"https://w3id.org/backchannel-kg/id/claim/{K000}/fm-exchange-of-messages"
    assert any((k, BC + "secondClaim", minister) in found for k in firsts)
    assert not any(p == BC + "quote" or o == "" for _, p, o in found)


def test_every_triple_of_the_claim_card_is_in_the_store(client: TestClient) -> None:
    """Read as RDF, the card says what the store says (save the documented exceptions)."""
    store: GraphStore = client.app.state.store  # type: ignore[attr-defined]
    stored = {
        (q.subject.value, q.predicate.value, q.object.value)
        for q in store.quads()
        if not isinstance(q.subject, ox.Triple) and not isinstance(q.object, ox.Triple)
    }
    labels = {(s, o) for s, p, o in stored if p in (SKOS + "prefLabel", SKOS + "altLabel", RDFS + "label")}
    selectors: dict[str, set[str]] = {}
    for s, p, o in stored:
        if p == OA + "hasSelector":
            selectors.setdefault(s, set()).add(o)
    unexplained = []
    for s, p, o in triples(client, f"/claims/{DENIAL}"):
        if (s, p, o) in stored or p == DCTERMS + "identifier":
            continue
        if p == RDFS + "label" and (s, o) in labels:
            continue
        if any((sel, p, o) in stored for sel in selectors.get(s, ())):
            continue
        unexplained.append((s, p, o))
    assert unexplained == []


def test_a_page_is_a_hydra_collection(client: TestClient) -> None:
    response = client.get("/actors/amir-abdollahian/claims?limit=5", headers=LD)
    body = response.json()
    assert body["@context"]["items"] == HYDRA + "member" and body["total"] == 34
    found = {
        (q.subject.value, q.predicate.value, q.object.value)
        for q in ox.parse(response.content, format=ox.RdfFormat.JSON_LD)
    }
    members = {o for _, p, o in found if p == HYDRA + "member"}
    assert len(members) == 5 and all(
        m.startswith("https://w3id.org/backchannel-kg/id/claim/") for m in members
    )
    assert any(p == HYDRA + "totalItems" and o == "34" for _, p, o in found)
    assert any(p == HYDRA + "next" and "offset=5" in o for _, p, o in found)


def test_actor_and_document_cards_as_rdf(client: TestClient) -> None:
    actor = "https://w3id.org/backchannel-kg/id/actor/"
    found = triples(client, "/actors/amir-abdollahian")
    term = "https://w3id.org/backchannel-kg/id/term/amir-abdollahian-iran-foreign-minister"
    assert {
        (term, BC + "holder", actor + "amir-abdollahian"),
        (term, BC + "startDate", "2021-08-25"),
        (actor + "amir-abdollahian", RDFS + "label", "Amirabdollahian"),
        (actor + "amir-abdollahian", BC + "affiliation", actor + "iran"),
    } <= found
    doc = f"https://w3id.org/backchannel-kg/id/doc/{K004}"
    found = triples(client, f"/documents/{K004}")
    assert {(CLAIM, BC + "sourceDocument", doc), (doc, SCHEMA + "mentions", actor + "khamenei")} <= found
    assert (doc, BC + "cites", actor + "reuters") in found


def test_the_context_uses_only_defined_terms() -> None:
    """Every project term the context maps to is defined in ontology/ (no term used but undefined)."""
    defined = rdflib.Graph()
    for path in sorted((ROOT / "ontology").rglob("*.ttl")):
        defined.parse(path)
    subjects = {str(s) for s in defined.subjects()}
    used: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, str) and value.startswith(BC) and value != BC:
            used.add(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)

    walk(CONTEXT)
    assert len(used) > 60
    assert sorted(used - subjects) == []


def test_json_ld_is_chosen_only_when_preferred(client: TestClient) -> None:
    both = {"Accept": "application/json, application/ld+json;q=0.5"}
    assert client.get("/documents", headers=both).headers["content-type"] == "application/json"
    assert "@context" not in client.get("/documents").json()
    ld_first = {"Accept": "application/ld+json, application/json;q=0.9"}
    assert client.get("/documents", headers=ld_first).headers["content-type"] == "application/ld+json"


def test_an_error_stays_plain_json(client: TestClient) -> None:
    response = client.get("/actors/nobody-at-all", headers=LD)
    assert response.status_code == 404 and response.json()["detail"].startswith("no actor 'nobody-at-all'")
