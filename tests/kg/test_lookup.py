"""kg.lookup on the seed build, on each backend (embedded, memory, a real oxigraph server).

The same answers everywhere: in particular the bound filter values, which Oxigraph substitutes
and a remote engine receives as a VALUES block, reach the sub-select that pages an actor's claims.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.errors import InvalidParameter, NotFound
from kg.lookup import actors, channels, claims, contradictions, documents
from kg.lookup.names import INDEX_TTL_SECONDS, actor_index, compact, fingerprint
from kg.lookup.params import Paging
from kg.lookup.vocab import ACTOR_CLASSES, PROPOSITION_CLASSES, local_name
from kg.namespaces import GRAPH_REFERENCE
from kg.rdfize import ACTOR_CLASS, KIND_CLASS
from kg.store import GraphStore
from tests.conftest import CORPUS

K000, K001, K004 = "9bdecb3cd4d131be", "e0e1bd622dfe11ac", "4de668e1403d28a9"
DENIAL = f"{K004}/khamenei-denies-message-to-us"


def test_names_compare_without_case_accents_spaces_or_punctuation() -> None:
    assert compact("Amir-Abdollahian") == compact("AMIR ABDOLLAHIAN") == compact("amirabdollahian")
    assert compact("Türkiye") == "turkiye" and compact("Lebanon’s Hizbullah") == compact(
        "Lebanon's Hizbullah"
    )
    assert compact("the U.S.") == "theus" and compact(" - ") == ""


def test_the_class_lists_cover_the_compiler_tables() -> None:
    assert {local_name(c) for c in ACTOR_CLASSES} == set(ACTOR_CLASS.values())
    assert {local_name(c) for c in PROPOSITION_CLASSES} == set(KIND_CLASS.values())


def test_search(backend_store: GraphStore) -> None:
    [found] = actors.search(backend_store, "AMIR ABDOLLAHIAN", Paging()).items
    assert (found.id, found.claim_count) == ("amir-abdollahian", 34)
    assert actors.search(backend_store, "Hizbullah", Paging()).items[0].id == "hezbollah"
    assert actors.search(backend_store, None, Paging(limit=5)).total == 64


def test_claims_with_filters(backend_store: GraphStore) -> None:
    def total(ident: str, **filters: str) -> int:
        parsed = actors.ClaimFilters.parse(backend_store, **filters)
        return actors.claims(backend_store, ident, parsed, Paging(limit=100)).total

    assert total("khamenei", stance="denies") == 4
    assert total("amir-abdollahian", date_from="2024-01-01") == 5
    assert total("amir-abdollahian", date_to="2023-12-31", attribution="direct-quote") == 10
    assert total("amir-abdollahian", document="000_9ccd7f39ddaf9104") == 5
    page = actors.claims(
        backend_store,
        "amir-abdollahian",
        actors.ClaimFilters.parse(backend_store, date_from="2023-11-16", date_to="2023-11-16"),
        Paging(limit=7, offset=21),
    )
    assert page.total == 29 and len(page.items) == 7 and {c.when for c in page.items} == {"2023-11-16"}
    assert all(c.source.id == K001 and c.claimant.id == "amir-abdollahian" for c in page.items)


def test_a_page_is_one_slice_of_one_order(backend_store: GraphStore) -> None:
    everything = actors.claims(backend_store, "amir-abdollahian", actors.ClaimFilters(), Paging(limit=500))
    pages = [
        actors.claims(backend_store, "amir-abdollahian", actors.ClaimFilters(), Paging(limit=8, offset=o))
        for o in range(0, 34, 8)
    ]
    assert [c.id for p in pages for c in p.items] == [c.id for c in everything.items]


def test_cards(backend_store: GraphStore) -> None:
    card = claims.card(backend_store, DENIAL, context=40)
    assert card.claimant.id == "khamenei" and len(card.contradictions) == 10
    text = (CORPUS / "documents" / "004_8ca7b8115da28cd5.txt").read_text(encoding="utf-8")
    assert card.evidence.context_before == text[476:516] and card.evidence.context_after == text[675:715]
    doc = documents.card(backend_store, "004_8ca7b8115da28cd5")
    assert doc.claim_count == 11 and doc.contradicted_claims == 2
    assert actors.card(backend_store, "khamenei").claims_by_stance == {"affirms": 2, "denies": 4}


def test_lists(backend_store: GraphStore) -> None:
    assert [d.published.date for d in documents.listing(backend_store, Paging()).items if d.published] == [
        "2025-11-28",
        "2024-06-03",
        "2024-02-10",
        "2023-11-16",
        "2023-10-26",
    ]
    filters = contradictions.ContradictionFilters.parse(backend_store, actor="khamenei", point="occurrence")
    page = contradictions.listing(backend_store, filters, Paging(limit=4))
    assert page.total == 10 and len(page.items) == 4
    assert {c.id for c in channels.listing(backend_store, Paging()).items} >= {
        "oman",
        "swiss-interests-section",
    }


def test_errors(seed_store: GraphStore) -> None:
    with pytest.raises(actors.UnknownActor) as unknown:
        actors.card(seed_store, "hizbolah")
    assert [s.id for s in unknown.value.suggestions][:1] == ["hezbollah"]
    with pytest.raises(NotFound, match="no actor 'nobody'"):
        actors.claims(seed_store, "nobody", actors.ClaimFilters(), Paging())
    with pytest.raises(InvalidParameter, match="unknown stance 'both'"):
        actors.ClaimFilters.parse(seed_store, stance="both")
    with pytest.raises(NotFound, match="no claim"):
        claims.card(seed_store, "not a claim id")


def test_the_index_is_cached_and_rebuilt_when_the_store_changes(fresh_store: GraphStore) -> None:
    index = actor_index(fresh_store)
    assert actor_index(fresh_store) is index  # same fingerprint: no rebuild
    assert "iran" not in {a.id for a in actors.search(fresh_store, "Persia", Paging()).items}
    before = fingerprint(fresh_store)
    iran = ox.NamedNode("https://w3id.org/backchannel-kg/id/actor/iran")
    label = ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
    fresh_store.add([ox.Quad(iran, label, ox.Literal("Persia", language="en"), GRAPH_REFERENCE)])
    assert fingerprint(fresh_store) != before
    [found] = actors.search(fresh_store, "persia", Paging()).items
    assert found.id == "iran" and found.match is not None and found.match.how == "exact"
    assert actor_index(fresh_store) is not index
    assert INDEX_TTL_SECONDS > 0


def test_the_context_comes_from_the_corpus_when_the_store_has_no_text(fresh_store: GraphStore) -> None:
    fresh_store.update(
        f"DELETE WHERE {{ GRAPH ?g {{ <https://w3id.org/backchannel-kg/id/doc/{K004}> schema:text ?t }} }}"
    )
    text = (CORPUS / "documents" / "004_8ca7b8115da28cd5.txt").read_text(encoding="utf-8")
    evidence = claims.card(fresh_store, DENIAL, context=30, corpus_dir=CORPUS).evidence
    assert (evidence.context_before, evidence.context_after) == (text[486:516], text[675:705])
    assert claims.card(fresh_store, DENIAL, context=30).evidence.context_before == ""
