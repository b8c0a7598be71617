"""Compiling what extraction produces: unreviewed actors, channels of one document, the method."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.corpus import SourceDocument, check_document
from kg.models import AnnotationFile, ClaimAnnotation, DocumentMeta, LocalActor, LocalChannel, Proposition
from kg.namespaces import BC, ID, SKOS
from kg.rdfize import compile_document, local_actor_iri, local_channel_iri
from kg.reference import load_reference
from tests.conftest import CORPUS, ROOT

TEXT = "Norwegian diplomats carried a message from Tehran to Washington, a Norwegian official said."


def _doc(tmp_path: Path, annotations: AnnotationFile) -> SourceDocument:
    path = tmp_path / "x.txt"
    path.write_text(TEXT, encoding="utf-8")
    return SourceDocument(
        stem="x",
        text_path=path,
        text=TEXT,
        sha256=hashlib.sha256(TEXT.encode()).hexdigest(),
        meta=DocumentMeta(title="x"),
        annotations=annotations,
        meta_path=path,
        annotation_path=None,
    )


def _annotations(channel_intermediary: str = "norway") -> AnnotationFile:
    quote = "Norwegian diplomats carried a message from Tehran to Washington"
    return AnnotationFile(
        document="x",
        local_actors=[
            LocalActor(id="norway", kind="state", label="Norway", reviewed=False, surface_form="Norwegian"),
            LocalActor(
                id="a-norwegian-official",
                kind="unnamed-source",
                label="a Norwegian official",
                affiliation="norway",
                reliability="F",
                reviewed=False,
                surface_form="a Norwegian official",
            ),
        ],
        local_channels=[
            LocalChannel(
                id="via-norway", type="mediator", label="via Norway", intermediary=channel_intermediary
            )
        ],
        claims=[
            ClaimAnnotation(
                id="x001",
                claimant="a-norwegian-official",
                stance="affirms",
                attribution="anonymous-source",
                quote=quote,
                start=0,
                end=len(quote),
                method="extracted",
                proposition=Proposition(
                    kind="message", sender="iran", recipient="us", channel="via-norway", summary="s"
                ),
            )
        ],
    )


def test_unreviewed_actors_channels_and_method_are_compiled(tmp_path: Path) -> None:
    doc = _doc(tmp_path, _annotations())
    ref = load_reference(ROOT / "ontology", CORPUS)
    assert check_document(doc, ref, {"x"}) == []
    quads = {(str(q.subject.value), q.predicate.value, str(q.object.value)) for q in compile_document(doc)}  # type: ignore[union-attr]
    norway = local_actor_iri(doc.key, "norway")
    channel = local_channel_iri(doc.key, "via-norway")
    assert (norway, BC + "reviewed", "false") in quads
    assert (norway, BC + "surfaceForm", "Norwegian") in quads
    assert (norway, SKOS + "altLabel", "Norwegian") in quads
    assert (channel, BC + "channelType", BC + "MediatorChannel") in quads
    assert (channel, BC + "isDirect", "false") in quads
    assert (channel, BC + "intermediary", norway) in quads
    claim = f"{ID}claim/{doc.key}/x001"
    assert (claim, BC + "annotationMethod", BC + "AutomaticExtraction") in quads
    assert any(
        s.startswith(f"{ID}proposition/") and p == BC + "viaChannel" and o == channel for s, p, o in quads
    )


def test_a_channel_through_an_unknown_actor_is_rejected(tmp_path: Path) -> None:
    doc = _doc(tmp_path, _annotations(channel_intermediary="atlantis"))
    ref = load_reference(ROOT / "ontology", CORPUS)
    problems = check_document(doc, ref, {"x"})
    assert [p.message for p in problems] == ["unknown actor id 'atlantis'"]


@pytest.mark.parametrize("channel", ["via-norway", "oman"])
def test_claims_may_use_local_or_reference_channels(tmp_path: Path, channel: str) -> None:
    ann = _annotations()
    claim = ann.claims[0]
    changed = claim.model_copy(
        update={"proposition": claim.proposition.model_copy(update={"channel": channel})}
    )
    doc = _doc(tmp_path, ann.model_copy(update={"claims": [changed]}))
    ref = load_reference(ROOT / "ontology", CORPUS)
    assert check_document(doc, ref, {"x"}) == []
    graph = compile_document(doc)
    via = [q.object for q in graph if q.predicate == ox.NamedNode(BC + "viaChannel")]
    assert via == [
        ox.NamedNode(local_channel_iri(doc.key, channel) if channel == "via-norway" else f"{ID}channel/oman")
    ]
