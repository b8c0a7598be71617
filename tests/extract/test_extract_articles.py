"""Extraction on articles written for the tests: wording, names and channels the seeds never use.

Each ``articles/<name>.txt`` has a ``<name>.yaml`` beside it listing the claims extraction must
find: the claimant (a reference id, or ``{new: words}`` for an actor the text introduces), the
stance, a stretch of text (``anchor``) the claim's quote must overlap, and the proposition's kind,
sender, recipient, parties and channel. The extracted document must also pass the corpus checks,
compile and pass the SHACL gate, like a curated one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyoxigraph as ox
import pytest
import yaml

from kg import gate
from kg.corpus import check_document
from kg.extract import extract
from kg.models import AnnotationFile, ClaimAnnotation
from kg.rdfize import compile_document, local_actor_iri
from kg.reference import Reference
from kg.store import GraphStore
from tests.conftest import ROOT
from tests.extract.extract_support import Article, article_names, load_article

NAMES = article_names()


def test_there_are_at_least_three_test_articles() -> None:
    assert len(NAMES) >= 3, NAMES
    for name in NAMES:
        assert load_article(name).spec["claims"], name


def _claimant_matches(ann: AnnotationFile, claim: ClaimAnnotation, want: Any) -> bool:
    if isinstance(want, str):
        return claim.claimant == want
    words = want["new"].lower()
    local = {a.id: a for a in ann.local_actors}
    actor = local.get(claim.claimant)
    if actor is None:
        return False
    return words in actor.label.lower() or words in (actor.surface_form or "").lower()


def _channel_matches(ann: AnnotationFile, got: str | None, want: Any) -> bool:
    if isinstance(want, str) or want is None:
        return got == want
    channel = next((c for c in ann.local_channels if c.id == got), None)
    if channel is None or channel.intermediary is None:
        return False
    actor = next((a for a in ann.local_actors if a.id == channel.intermediary), None)
    return actor is not None and want["new"].lower() in actor.label.lower()


def _found(article: Article, ann: AnnotationFile, want: dict[str, Any]) -> list[ClaimAnnotation]:
    anchor = want["anchor"]
    at = article.text.find(anchor)
    assert at >= 0 and article.text.find(anchor, at + 1) < 0, f"anchor must occur once: {anchor!r}"
    lo, hi = at, at + len(anchor)
    return [
        c
        for c in ann.claims
        if c.start is not None
        and c.end is not None
        and c.start < hi
        and lo < c.end
        and _claimant_matches(ann, c, want["claimant"])
        and c.stance == want["stance"]
    ]


def _expected_claims() -> list[tuple[str, int]]:
    return [(name, i) for name in NAMES for i in range(len(load_article(name).spec["claims"]))]


@pytest.fixture(scope="module")
def extracted(reference: Reference) -> dict[str, AnnotationFile]:
    out = {}
    for name in NAMES:
        article = load_article(name)
        out[name] = extract(article.text, article.meta, reference, name)
    return out


@pytest.mark.parametrize(("name", "index"), _expected_claims())
def test_expected_claim_is_found(name: str, index: int, extracted: dict[str, AnnotationFile]) -> None:
    article = load_article(name)
    want = article.spec["claims"][index]
    ann = extracted[name]
    found = _found(article, ann, want)
    listing = "\n".join(f"  {c.claimant} {c.stance} {c.proposition.kind}: {c.quote!r}" for c in ann.claims)
    assert found, (
        f"no {want['stance']} claim by {want['claimant']} over {want['anchor']!r}; extracted:\n{listing}"
    )
    claim = found[0]
    p = claim.proposition
    if "attribution" in want:
        assert claim.attribution == want["attribution"]
    if "kind" in want:
        assert p.kind == want["kind"], p
    for role in ("sender", "recipient"):
        if role in want:
            assert getattr(p, role) == want[role], p
    if "parties" in want:
        assert sorted(p.parties) == sorted(want["parties"]), p
    if "channel" in want:
        assert _channel_matches(ann, p.channel, want["channel"]), (p.channel, ann.local_channels)
    if "direct" in want:
        assert p.direct is want["direct"], p
    if "time_start" in want:
        assert p.time is not None and p.time.start is not None, p
        assert p.time.start.earliest == want["time_start"], p.time
        assert p.time.start.status == "inferred" and p.time.start.evidence
    if "stated" in want:
        assert claim.stated is not None and claim.stated.date == want["stated"], claim.stated
        assert claim.stated.status == "inferred" and claim.stated.evidence
    assert claim.quote == article.text[claim.start : claim.end]
    assert claim.method == "extracted"


@pytest.mark.parametrize("name", NAMES)
def test_new_actors_are_unreviewed_with_their_surface_form(
    name: str, extracted: dict[str, AnnotationFile]
) -> None:
    article = load_article(name)
    ann = extracted[name]
    for want in article.spec.get("new_actors", []):
        candidates = [a for a in ann.local_actors if a.kind == want["kind"]]
        if "surface_form" in want:
            candidates = [a for a in candidates if a.surface_form == want["surface_form"]]
        if "label" in want:
            candidates = [a for a in candidates if a.label == want["label"]]
        if "label_contains" in want:
            candidates = [a for a in candidates if want["label_contains"] in a.label.lower()]
        assert candidates, (want, ann.local_actors)
        actor = candidates[0]
        assert actor.reviewed is False
        if "affiliation" in want:
            assert actor.affiliation == want["affiliation"], actor
        if actor.surface_form is not None:
            assert actor.surface_form in article.text.replace("’", "'") or actor.surface_form in article.text


@pytest.mark.parametrize("name", NAMES)
def test_extraction_passes_the_corpus_checks(
    name: str, reference: Reference, extracted: dict[str, AnnotationFile]
) -> None:
    article = load_article(name)
    doc = article.source(extracted[name])
    assert check_document(doc, reference, {name}) == []


def test_extracted_articles_pass_the_shacl_gate(
    reference: Reference, extracted: dict[str, AnnotationFile]
) -> None:
    store = GraphStore.open(None)
    try:
        store.bulk_add(reference.quads)
        for name in NAMES:
            store.bulk_add(compile_document(load_article(name).source(extracted[name])))
        blocking, _ = gate.check_store(store, ROOT / "shapes")
        assert blocking == [], "\n".join(f.line() for f in blocking)
        # the new actors are in the graph, unreviewed, with the words that introduced them
        article = load_article("qatar_wire")
        key = article.source(extracted["qatar_wire"]).key
        spokesman = next(a for a in extracted["qatar_wire"].local_actors if a.label == "Khalid Al-Mansouri")
        iri = local_actor_iri(key, spokesman.id)
        rows = store.select(
            "SELECT ?a ?reviewed ?form WHERE { ?a bc:reviewed ?reviewed ; bc:surfaceForm ?form }",
            {"a": ox.NamedNode(iri)},
        )
        assert [(r["reviewed"].value, r["form"].value) for r in rows] == [("false", "Khalid Al-Mansouri")]
        assert store.ask(f"ASK {{ ?c bc:annotationMethod bc:AutomaticExtraction ; bc:claimant <{iri}> }}")
        assert not store.ask("ASK { ?c bc:annotationMethod bc:CuratedAnnotation }")
    finally:
        store.close()


def test_annotation_file_round_trips_through_yaml(extracted: dict[str, AnnotationFile]) -> None:
    """An extraction can be saved as a curated-style YAML file for review and read back unchanged."""
    for ann in extracted.values():
        dumped = yaml.safe_dump(ann.model_dump(mode="json", exclude_none=True), allow_unicode=True)
        assert AnnotationFile.model_validate(yaml.safe_load(dumped)) == ann


def test_extraction_is_deterministic(reference: Reference) -> None:
    article = load_article("norway_note")
    first = extract(article.text, article.meta, reference, article.name)
    second = extract(article.text, article.meta, reference, article.name)
    assert first == second


def test_inferred_dates_resolve_against_the_publication_date(extracted: dict[str, AnnotationFile]) -> None:
    ann = extracted["tehran_denial"]
    stated = [c.stated for c in ann.claims if c.stated is not None]
    assert [s.date for s in stated] == [dt.date(2024, 6, 30)]
    assert stated[0].expression == "on Sunday"
    assert "last Sunday on or before publication (2024-07-01)" in stated[0].evidence[0]
