"""What is claimed: kind, sender, recipient, parties, channel, directness and time."""

from __future__ import annotations

import datetime as dt

import pytest

from kg.extract import extract
from kg.models import AnnotationFile, Proposition
from kg.reference import Reference
from tests.extract.extract_support import meta_for


def said(reference: Reference, words: str) -> tuple[Proposition, AnnotationFile]:
    text = f"Headline\n\nBagheri said {words}"
    ann = extract(text, meta_for(text, outlet="reuters"), reference, "t")
    (claim,) = ann.claims
    assert claim.claimant == "bagheri"
    return claim.proposition, ann


@pytest.mark.parametrize(
    ("words", "kind", "sender", "recipient", "parties"),
    [
        ("Washington sent two messages to Tehran.", "message", "us", "iran", []),
        ("the US asked Iran to show restraint.", "request", "us", "iran", []),
        ("Iran warned Israel against an invasion.", "warning", "iran", "israel", []),
        (
            "there was an exchange of messages between Iran and America.",
            "message-exchange",
            None,
            None,
            ["iran", "us"],
        ),
        ("Iran and the United States held talks.", "talks", None, None, ["iran", "us"]),
        ("Iran has been negotiating with the United States.", "negotiation", None, None, ["iran", "us"]),
        ("Tehran has been in contact with Riyadh.", "communication", None, None, ["iran", "saudi-arabia"]),
        ("the war is not the solution.", "position", None, None, []),
    ],
)
def test_kinds_and_roles(
    reference: Reference, words: str, kind: str, sender: str | None, recipient: str | None, parties: list[str]
) -> None:
    p, _ = said(reference, words)
    assert (p.kind, p.sender, p.recipient, sorted(p.parties)) == (kind, sender, recipient, parties)


def test_a_passive_with_from_and_to(reference: Reference) -> None:
    p, _ = said(reference, "messages were sent from the US to Lebanon's Hezbollah.")
    assert (p.kind, p.sender, p.recipient) == ("message", "us", "hezbollah")


def test_people_stand_for_their_state_except_in_a_meeting(reference: Reference) -> None:
    p, _ = said(reference, "Netanyahu warned Nasrallah against escalation.")
    assert (p.sender, p.recipient) == ("israel", "hezbollah")
    p, _ = said(reference, "Raisi met Crown Prince Mohammed bin Salman in Riyadh.")
    assert (p.kind, sorted(p.parties), p.channel) == ("talks", ["mohammed-bin-salman", "raisi"], None)


@pytest.mark.parametrize(
    ("words", "channel", "direct"),
    [
        (
            "messages were exchanged between Iran and the US via the Swiss channel.",
            "swiss-interests-section",
            False,
        ),
        ("Iran and the US held talks in Oman.", "oman", False),
        ("Iran passed a message to the US through Qatari mediators.", "qatar", False),
        ("Tehran told Washington through back channels that it wants calm.", "back-channels", False),
        ("Iran and the US held direct talks.", None, True),
        ("Iran and the US held indirect talks.", None, False),
    ],
)
def test_channels_and_directness(reference: Reference, words: str, channel: str | None, direct: bool) -> None:
    p, _ = said(reference, words)
    assert (p.channel, p.direct) == (channel, direct)


def test_an_intermediary_the_reference_lacks_becomes_a_channel_of_the_document(reference: Reference) -> None:
    p, ann = said(reference, "Iran sent a message to the US through the Norwegian embassy in Tehran.")
    (channel,) = ann.local_channels
    assert p.channel == channel.id and channel.type == "mediator"
    norway = next(a for a in ann.local_actors if a.id == channel.intermediary)
    assert (norway.kind, norway.label, norway.reviewed) == ("state", "Norway", False)


def test_time_of_the_communication_is_inferred_from_the_publication_date(reference: Reference) -> None:
    p, _ = said(reference, "messages have been exchanged between Iran and the US over the past 40 days.")
    assert p.time is not None and p.time.start is not None and p.time.end is not None
    assert (p.time.start.date, p.time.end.date) == (dt.date(2024, 5, 22), dt.date(2024, 7, 1))
    assert p.time.start.status == "inferred" and p.time.expression == "over the past 40 days"


def test_the_initiator_is_the_one_who_initiated(reference: Reference) -> None:
    p, _ = said(reference, "Iran initiated contacts with the United States.")
    assert (p.kind, p.initiator) == ("communication", "iran")


def test_summary_names_the_roles(reference: Reference) -> None:
    p, _ = said(reference, "Washington sent two messages to Tehran via Oman.")
    assert p.summary == "United States sent a message to Iran (Omani mediation channel)."
