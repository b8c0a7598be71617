"""Who says what: speakers before, inside and after quotations, pronouns, sources, the outlet."""

from __future__ import annotations

import pytest

from kg.errors import InvalidParameter
from kg.extract import extract
from kg.models import AnnotationFile, ClaimAnnotation
from kg.reference import Reference
from tests.extract.extract_support import meta_for


def run(reference: Reference, text: str, outlet: str | None = "reuters") -> AnnotationFile:
    return extract(text, meta_for(text, outlet=outlet), reference, "t")


def claims(ann: AnnotationFile) -> list[tuple[str, str, str, str]]:
    return [(c.claimant, c.stance, c.attribution, c.quote) for c in ann.claims]


def local(ann: AnnotationFile, c: ClaimAnnotation) -> str:
    return next(a.label for a in ann.local_actors if a.id == c.claimant)


def test_speaker_before_the_quote(reference: Reference) -> None:
    text = "Headline\n\nKhamenei said: “Iran has sent no message to the United States.”"
    assert claims(run(reference, text)) == [
        ("khamenei", "denies", "direct-quote", "Iran has sent no message to the United States.")
    ]


def test_speaker_after_the_quote_either_order(reference: Reference) -> None:
    text = (
        'Headline\n\n"We exchanged messages with Washington," Bagheri said.\n\n"Talks go on," said Bagheri.'
    )
    assert claims(run(reference, text)) == [
        ("bagheri", "affirms", "direct-quote", "We exchanged messages with Washington"),
        ("bagheri", "affirms", "direct-quote", "Talks go on"),
    ]


def test_speaker_inside_the_quote_joins_both_halves(reference: Reference) -> None:
    text = "Headline\n\n“In response to the US,” Bagheri added, “we said that Iran wants calm.”"
    (c,) = run(reference, text).claims
    assert c.claimant == "bagheri" and c.attribution == "direct-quote"
    assert c.quote.startswith("“In response to the US,”") and c.quote.endswith("wants calm.”")
    assert (c.proposition.kind, c.proposition.sender, c.proposition.recipient) == ("message", "iran", "us")


def test_a_pronoun_is_the_nearest_speaker(reference: Reference) -> None:
    text = "Headline\n\nNetanyahu spoke first. Raisi said Iran wants calm. He added that talks with Oman continue."
    found = run(reference, text).claims
    assert [c.claimant for c in found] == ["raisi", "raisi"]
    assert found[1].quote == "talks with Oman continue"


def test_a_quotation_alone_continues_the_last_speaker(reference: Reference) -> None:
    text = "Headline\n\nBerri said Lebanon wants calm. “Nobody wants a war.”"
    found = run(reference, text).claims
    assert [(c.claimant, c.attribution) for c in found] == [
        ("berri", "indirect-speech"),
        ("berri", "direct-quote"),
    ]


def test_according_to_and_anonymous_sources(reference: Reference) -> None:
    text = (
        "Headline\n\nAccording to an informed Iraqi source, Washington sent a message to Tehran. "
        "The source said Iran replied."
    )
    ann = run(reference, text)
    first, second = ann.claims
    assert first.claimant == second.claimant
    assert local(ann, first) == "an informed Iraqi source"
    assert first.attribution == "anonymous-source"
    assert (first.proposition.sender, first.proposition.recipient) == ("us", "iran")


def test_told_reporters_is_an_audience_not_a_recipient(reference: Reference) -> None:
    text = "Headline\n\nNasrallah told reporters that Hezbollah had received no message from the US."
    (c,) = run(reference, text).claims
    assert (c.claimant, c.stance) == ("nasrallah", "denies")
    assert (c.proposition.sender, c.proposition.recipient) == ("us", "hezbollah")


def test_a_communication_in_the_outlet_s_own_words(reference: Reference) -> None:
    text = "Headline\n\nIran and the United States held indirect talks in Oman last week."
    (c,) = run(reference, text).claims
    assert (c.claimant, c.attribution) == ("reuters", "outlet-framing")
    assert (c.proposition.kind, sorted(c.proposition.parties), c.proposition.channel) == (
        "talks",
        ["iran", "us"],
        "oman",
    )


def test_an_unnamed_outlet_is_a_local_outlet(reference: Reference) -> None:
    text = "Headline\n\nIran and the United States held talks."
    ann = run(reference, text, outlet=None)
    (c,) = ann.claims
    (outlet,) = ann.local_actors
    assert (c.claimant, outlet.id, outlet.kind, outlet.reviewed) == (
        "unnamed-outlet",
        "unnamed-outlet",
        "outlet",
        False,
    )


def test_the_headline_is_the_outlet_s_claim(reference: Reference) -> None:
    text = "Khamenei denies Iran sent messages to the US\n\nNo other claim here."
    (c,) = run(reference, text).claims
    assert (c.claimant, c.stance, c.attribution) == ("reuters", "denies", "outlet-framing")
    assert (c.proposition.sender, c.proposition.recipient) == ("iran", "us")


def test_a_report_reported_by_another_is_one_claim(reference: Reference) -> None:
    text = "Headline\n\nIran has said that it wants calm, the source said."
    assert [c.claimant for c in run(reference, text).claims] == ["iran"]  # no source was introduced
    text = "Headline\n\nAn Omani official spoke. Iran has said that it wants calm, the official said."
    ann = run(reference, text)
    assert [local(ann, c) for c in ann.claims] == ["an Omani official"]


def test_metadata_actors_the_reference_lacks_become_unreviewed_local_actors(reference: Reference) -> None:
    text = "Headline\n\nIran and the United States held talks."
    ann = run(reference, text, outlet="gulf-wire")
    (outlet,) = ann.local_actors
    assert (outlet.id, outlet.kind, outlet.label, outlet.reviewed, outlet.reliability) == (
        "gulf-wire",
        "outlet",
        "Gulf Wire",
        False,
        "F",
    )
    assert ann.claims[0].claimant == "gulf-wire"


def test_a_metadata_outlet_that_is_not_an_id_is_a_clear_error(reference: Reference) -> None:
    text = "Headline\n\nIran and the United States held talks."
    with pytest.raises(InvalidParameter, match="'Gulf Wire' is not an actor id"):
        run(reference, text, outlet="Gulf Wire")
