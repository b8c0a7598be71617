"""Contradictions are derived by rule: the ones the seeds hold, and none where claims agree."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kg.build import build
from kg.contradictions import Contradiction
from kg.corpus import document_stems, read_document
from kg.namespaces import BC, GRAPH_CONTRADICTIONS
from kg.rdfize import claim_iri
from kg.store import GraphStore
from tests.conftest import CORPUS, settings_for

KEYS = {s[:3]: read_document(CORPUS, s).key for s in document_stems(CORPUS)}


def claim(doc: str, cid: str) -> str:
    return claim_iri(KEYS[doc], cid)


def pairs(store: GraphStore) -> set[tuple[str, str, str]]:
    rows = store.select(
        "SELECT ?a ?b ?p WHERE { ?c a bc:Contradiction ; bc:firstClaim ?a ; bc:secondClaim ?b ; bc:point ?p }"
    )
    return {(r["a"].value, r["b"].value, r["p"].value[len(BC) :]) for r in rows}


def has(found: set[tuple[str, str, str]], x: str, y: str, point: str) -> bool:
    first, second = sorted((x, y))
    return (first, second, point) in found


@pytest.mark.parametrize(
    ("x", "y", "point"),
    [
        # the Supreme Leader's denial against the foreign minister's account of messages exchanged
        (("004", "khamenei-denies-message-to-us"), ("000", "fm-exchange-of-messages"), "OccurrencePoint"),
        (
            ("004", "khamenei-denies-message-to-us"),
            ("001", "fm-messages-via-swiss-interests-section"),
            "OccurrencePoint",
        ),
        (
            ("004", "khamenei-denies-message-to-us"),
            ("001", "fm-told-us-no-spread-in-response"),
            "OccurrencePoint",
        ),
        (
            ("004", "khamenei-denies-message-to-us"),
            ("003", "source-iran-reply-arms-israel"),
            "OccurrencePoint",
        ),
        # the outlet's "direct communication" framing against "ruling out ... direct talks"
        (("000", "lead-direct-communication"), ("001", "fm-rules-out-direct-talks"), "DirectnessPoint"),
        # ... and against messages through the Swiss embassy's US interests section
        (
            ("000", "lead-direct-communication"),
            ("001", "fm-messages-via-swiss-interests-section"),
            "DirectnessPoint",
        ),
        (("000", "lead-direct-communication"), ("002", "ft-indirect-talks-early-2024"), "DirectnessPoint"),
    ],
)
def test_seed_contradictions_found(
    seed_store: GraphStore, x: tuple[str, str], y: tuple[str, str], point: str
) -> None:
    assert has(pairs(seed_store), claim(*x), claim(*y), point)


@pytest.mark.parametrize(
    ("x", "y"),
    [
        # same exchange, different words: the minister in Beirut and in the FT
        (("000", "fm-exchange-of-messages"), ("001", "fm-messages-via-swiss-interests-section")),
        # the US sent messages to Iran (003) and reports of US messages to Iran (004): agree
        (("003", "source-us-two-messages-to-iran"), ("004", "reports-us-messages-to-iran")),
        # Khamenei denies Iran sent messages; the US sending messages to Iran is another direction
        (("004", "khamenei-denies-message-to-us"), ("003", "source-us-two-messages-to-iran")),
        # denying direct talks does not contradict indirect messages via the Swiss
        (("001", "fm-rules-out-direct-talks"), ("001", "fm-messages-via-swiss-interests-section")),
        # the two denials agree with each other
        (("004", "khamenei-denies-message-to-us"), ("004", "headline-denies-messages")),
    ],
)
def test_agreeing_claims_are_not_flagged(
    seed_store: GraphStore, x: tuple[str, str], y: tuple[str, str]
) -> None:
    a, b = sorted((claim(*x), claim(*y)))
    assert not [p for p in pairs(seed_store) if p[:2] == (a, b)]
    assert not seed_store.ask(f"ASK {{ <{a}> bc:contradicts <{b}> }}")


def test_every_contradiction_is_well_formed(seed_store: GraphStore) -> None:
    found = pairs(seed_store)
    assert len(found) >= 7
    for a, b, point in found:
        assert a != b and a < b
        assert point in {"OccurrencePoint", "DirectnessPoint", "InitiatorPoint"}
    # occurrence contradictions always oppose an affirmation and a denial
    same_stance = seed_store.select("""
      SELECT ?c WHERE { ?c bc:point bc:OccurrencePoint ; bc:firstClaim/bc:stance ?s ; bc:secondClaim/bc:stance ?s }""")
    assert same_stance == []
    # each has a readable reason, lives only in the contradictions graph, and links both ways
    rows = seed_store.select("""
      SELECT ?c ?g ?reason WHERE { GRAPH ?g { ?c a bc:Contradiction ; bc:reason ?reason ;
                                    bc:firstClaim ?a ; bc:secondClaim ?b . ?a bc:contradicts ?b . ?b bc:contradicts ?a } }""")
    assert len(rows) == len(found)
    assert {r["g"].value for r in rows} == {GRAPH_CONTRADICTIONS.value}
    assert all(r["reason"].value.startswith("They disagree on ") for r in rows)


def test_contradiction_iris_are_stable() -> None:
    c = Contradiction("a", "b", "OccurrencePoint")
    assert (
        c.iri
        == Contradiction("a", "b", "OccurrencePoint").iri
        != Contradiction("a", "b", "DirectnessPoint").iri
    )


# ---- rule behaviour on minimal corpora ---------------------------------------------------------

Prop = dict[str, Any]


def _corpus(tmp_path: Path, docs: list[list[tuple[str, str, Prop]]]) -> Path:
    """Write one document per list of (claim id, stance, proposition) with generated quotes."""
    corpus = tmp_path / "corpus"
    (corpus / "documents").mkdir(parents=True)
    (corpus / "annotations").mkdir()
    for n, claims in enumerate(docs):
        stem = f"t{n}"
        quotes = [f"Claim {cid} is stated here in document {n}." for cid, _, _ in claims]
        text = "Test article.\n" + "\n".join(quotes) + "\n"
        (corpus / "documents" / f"{stem}.txt").write_text(text, encoding="utf-8")
        meta = {
            "title": f"test {n}",
            "published": {"status": "stated", "date": "2023-11-20"},
            "reliability": "C",
        }
        (corpus / "documents" / f"{stem}.meta.json").write_text(json.dumps(meta))
        entries = []
        for (cid, stance, prop), quote in zip(claims, quotes, strict=True):
            start = text.index(quote)
            entries.append(
                {
                    "id": cid,
                    "claimant": "amir-abdollahian" if n == 0 else "khamenei",
                    "stance": stance,
                    "attribution": "indirect-speech",
                    "quote": quote,
                    "start": start,
                    "end": start + len(quote),
                    "proposition": {"summary": cid, **prop},
                }
            )
        (corpus / "annotations" / f"{stem}.json").write_text(
            json.dumps({"document": stem, "claims": entries})
        )
    return corpus


def _derive(tmp_path: Path, docs: list[list[tuple[str, str, Prop]]]) -> set[tuple[str, str, str]]:
    corpus = _corpus(tmp_path, docs)
    _, store = build(settings_for("memory", corpus))
    return {(a.rsplit("/", 1)[-1], b.rsplit("/", 1)[-1], p) for a, b, p in pairs(store)}


MSG_IR_US: Prop = {"kind": "message", "sender": "iran", "recipient": "us"}
MSG_US_IR: Prop = {"kind": "message", "sender": "us", "recipient": "iran"}
TALKS: Prop = {"kind": "talks", "parties": ["iran", "us"]}


def span(start: str, end: str) -> Prop:
    return {"time": {"start": {"status": "stated", "date": start}, "end": {"status": "stated", "date": end}}}


@pytest.mark.parametrize(
    ("affirmed", "denied", "expected"),
    [
        (MSG_IR_US, MSG_IR_US, "OccurrencePoint"),
        ({"kind": "message-exchange", "parties": ["iran", "us"]}, MSG_IR_US, "OccurrencePoint"),
        ({"kind": "warning", "sender": "iran", "recipient": "us"}, MSG_IR_US, "OccurrencePoint"),
        (MSG_IR_US, {"kind": "communication", "parties": ["iran", "us"]}, "OccurrencePoint"),
        ({"kind": "negotiation", "parties": ["iran", "us"]}, TALKS, "OccurrencePoint"),
        ({**TALKS, "direct": True}, {**TALKS, "direct": True}, "DirectnessPoint"),
        (
            {"kind": "communication", "parties": ["iran", "us"], "direct": True},
            {**TALKS, "direct": True},
            "DirectnessPoint",
        ),
        ({**TALKS, "initiator": "iran"}, {**TALKS, "initiator": "iran"}, "InitiatorPoint"),
        ({**TALKS, "channel": "oman"}, {**TALKS, "channel": "oman"}, "OccurrencePoint"),
        (
            {**MSG_IR_US, **span("2023-10-10", "2023-11-01")},
            {**MSG_IR_US, **span("2023-10-20", "2023-12-01")},
            "OccurrencePoint",
        ),
    ],
    ids=[
        "same",
        "exchange-entails-message",
        "warning-is-a-message",
        "message-is-a-communication",
        "negotiation-is-talks",
        "direct-talks",
        "direct-contact-broader-kind",
        "initiator",
        "same-channel",
        "overlapping-time",
    ],
)
def test_affirm_against_deny(tmp_path: Path, affirmed: Prop, denied: Prop, expected: str) -> None:
    found = _derive(tmp_path, [[("yes", "affirms", affirmed)], [("no", "denies", denied)]])
    assert {p for _, _, p in found} == {expected}


@pytest.mark.parametrize(
    ("affirmed", "denied"),
    [
        (MSG_US_IR, MSG_IR_US),  # the other direction
        ({**TALKS, "direct": False}, {**TALKS, "direct": True}),  # indirect talks vs no direct talks
        ({**TALKS, "channel": "oman"}, {**TALKS, "channel": "qatar"}),  # another channel
        ({**TALKS, "initiator": "us"}, {**TALKS, "initiator": "iran"}),  # not initiated by Iran: agree
        (
            {**MSG_IR_US, **span("2020-01-01", "2020-02-01")},
            {**MSG_IR_US, **span("2023-10-07", "2023-11-20")},
        ),
        ({"kind": "communication", "parties": ["iran", "us"]}, MSG_IR_US),  # unspecified form: not entailed
        (TALKS, {"kind": "talks", "parties": ["iran", "israel"]}),  # other parties
        (
            {"kind": "position", "subjects": ["iran"]},
            {"kind": "position", "subjects": ["iran"]},
        ),  # not a communication
    ],
    ids=[
        "other-direction",
        "indirect-vs-no-direct",
        "other-channel",
        "other-initiator",
        "disjoint-time",
        "communication-does-not-entail-message",
        "other-parties",
        "positions",
    ],
)
def test_no_contradiction(tmp_path: Path, affirmed: Prop, denied: Prop) -> None:
    assert _derive(tmp_path, [[("yes", "affirms", affirmed)], [("no", "denies", denied)]]) == set()


def test_directness_between_two_affirmations(tmp_path: Path) -> None:
    found = _derive(
        tmp_path,
        [
            [("direct", "affirms", {**TALKS, "direct": True})],
            [("indirect", "affirms", {**TALKS, "direct": False, "channel": "oman"})],
        ],
    )
    assert {p for _, _, p in found} == {"DirectnessPoint"}


def test_initiator_between_two_affirmations(tmp_path: Path) -> None:
    found = _derive(
        tmp_path,
        [
            [("by-iran", "affirms", {**TALKS, "initiator": "iran"})],
            [("by-us", "affirms", {**TALKS, "initiator": "us"})],
        ],
    )
    assert {p for _, _, p in found} == {"InitiatorPoint"}


def test_same_claim_in_other_words_is_not_flagged(tmp_path: Path) -> None:
    found = _derive(
        tmp_path,
        [
            [("a", "affirms", {**MSG_IR_US, "channel": "swiss-interests-section", "direct": False})],
            [("b", "affirms", {**MSG_IR_US, "channel": "swiss-interests-section"})],
        ],
    )
    assert found == set()


def test_statement_date_bounds_an_open_span(tmp_path: Path) -> None:
    """A claim made in 2020 cannot be about messages in 2023, even with no end date given."""
    early = {**MSG_IR_US, "time": {"start": {"status": "stated", "date": "2019-01-01"}}}
    corpus = _corpus(
        tmp_path,
        [[("old", "affirms", early)], [("new", "denies", {**MSG_IR_US, **span("2023-10-07", "2023-11-20")})]],
    )
    meta = corpus / "documents" / "t0.meta.json"
    meta.write_text(json.dumps({"title": "old", "published": {"status": "stated", "date": "2020-03-01"}}))
    _, store = build(settings_for("memory", corpus))
    assert pairs(store) == set()


def _published(corpus: Path, n: int, date: str) -> None:
    meta = corpus / "documents" / f"t{n}.meta.json"
    meta.write_text(json.dumps({"title": f"test {n}", "published": {"status": "stated", "date": date}}))


@pytest.mark.parametrize(
    ("affirmed_on", "denied_on", "disagree"),
    [
        ("2024-03-01", "2024-09-01", True),  # both speak of the year before: it overlaps
        ("2025-06-01", "2019-06-01", False),  # a 2019 denial says nothing of the year before June 2025
        ("2019-06-01", "2025-06-01", False),  # ... nor a 2025 denial of the year before June 2019
        ("2020-06-01", "2021-05-25", True),  # less than a year apart
    ],
)
def test_undated_communications_are_about_the_recent_past(
    tmp_path: Path, affirmed_on: str, denied_on: str, disagree: bool
) -> None:
    corpus = _corpus(tmp_path, [[("yes", "affirms", MSG_IR_US)], [("no", "denies", MSG_IR_US)]])
    _published(corpus, 0, affirmed_on)
    _published(corpus, 1, denied_on)
    _, store = build(settings_for("memory", corpus))
    assert ({p for _, _, p in pairs(store)} == {"OccurrencePoint"}) is disagree


def test_undated_against_dated_in_its_year(tmp_path: Path) -> None:
    """An undated denial of 2024-09 disagrees with messages dated 2023-10, not with those of 2022."""
    corpus = _corpus(
        tmp_path,
        [
            [
                ("recent", "affirms", {**MSG_IR_US, **span("2023-10-07", "2023-10-20")}),
                ("old", "affirms", {**MSG_IR_US, **span("2022-01-10", "2022-02-01")}),
            ],
            [("no", "denies", MSG_IR_US)],
        ],
    )
    _published(corpus, 1, "2024-09-01")
    _, store = build(settings_for("memory", corpus))
    assert {(a.rsplit("/", 1)[-1], b.rsplit("/", 1)[-1]) for a, b, _ in pairs(store)} == {("no", "recent")}
