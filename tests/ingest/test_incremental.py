"""The contradictions found at ingest are the ones a full derivation finds, on generated corpora too."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyoxigraph as ox

from bench.generate import generate
from bench.ingest import _keys, articles
from kg.build import build
from kg.config import Settings
from kg.contradictions import Contradiction, find
from kg.incremental import pair_windows
from kg.ingest import ingest
from kg.namespaces import BC, GRAPH_CONTRADICTIONS
from kg.store import GraphStore
from tests.conftest import ROOT

A = "https://w3id.org/backchannel-kg/id/actor/"
X = "https://example.org/"
G = ox.NamedNode("https://w3id.org/backchannel-kg/id/graph/doc/0")


def _q(s: str, p: str, o: str | dt.date) -> ox.Quad:
    obj = (
        ox.Literal(o.isoformat(), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))
        if isinstance(o, dt.date)
        else ox.NamedNode(o)
    )
    return ox.Quad(ox.NamedNode(s), ox.NamedNode(BC + p), obj, G)


def test_pair_windows_join_the_windows_of_the_claims_on_a_pair() -> None:
    quads = [
        _q(X + "c1", "proposition", X + "p1"),
        _q(X + "p1", "party", A + "us"),
        _q(X + "p1", "party", A + "iran"),
        _q(X + "c1", "windowStart", dt.date(2024, 1, 1)),
        _q(X + "c1", "windowEnd", dt.date(2024, 2, 1)),
        _q(X + "c2", "proposition", X + "p2"),
        _q(X + "p2", "sender", A + "iran"),
        _q(X + "p2", "recipient", A + "us"),
        _q(X + "c2", "windowStart", dt.date(2023, 10, 7)),
        _q(X + "c2", "windowEnd", dt.date(2024, 1, 15)),
        _q(X + "c3", "proposition", X + "p3"),  # three parties, no start: open on that side
        _q(X + "p3", "party", A + "iran"),
        _q(X + "p3", "party", A + "oman"),
        _q(X + "p3", "party", A + "us"),
        _q(X + "c3", "windowEnd", dt.date(2024, 6, 1)),
        _q(X + "c4", "proposition", X + "p4"),  # a position: no roles, no pair
        _q(X + "p4", "concerns", A + "iran"),
    ]
    assert pair_windows(quads) == [
        (A + "iran", A + "oman", None, dt.date(2024, 6, 1)),
        (A + "iran", A + "us", None, dt.date(2024, 6, 1)),
        (A + "oman", A + "us", None, dt.date(2024, 6, 1)),
    ]
    assert pair_windows(quads[:10]) == [(A + "iran", A + "us", dt.date(2023, 10, 7), dt.date(2024, 2, 1))]


def _graph(store: GraphStore) -> list[Contradiction]:
    rows = store.select(
        f"SELECT ?f ?s ?pt WHERE {{ GRAPH <{GRAPH_CONTRADICTIONS.value}> {{"
        " ?n bc:firstClaim ?f ; bc:secondClaim ?s ; bc:point ?pt } }"
    )
    return sorted(Contradiction(r["f"].value, r["s"].value, r["pt"].value.split("#")[1]) for r in rows)


def test_generated_articles_add_what_a_full_derivation_finds(tmp_path: Path) -> None:
    """Articles continuing a generated corpus contradict its claims; ingest must find exactly those."""
    generate(300, tmp_path / "base", seed=42)
    generate(420, tmp_path / "more", seed=42)
    settings = Settings(home=ROOT, corpus=tmp_path / "base", store=str(tmp_path / "store"))
    _, store = build(settings)
    try:
        assert _graph(store) == find(store)
        stored = len(_graph(store))
        batch = articles(tmp_path / "more", 6, _keys(store))
        assert len(batch) == 6
        added = sum(len(ingest(store, settings, a.text, a.meta).contradictions) for a in batch)
        assert added > 0
        assert len(_graph(store)) == stored + added
        assert _graph(store) == find(store)
    finally:
        store.close()
