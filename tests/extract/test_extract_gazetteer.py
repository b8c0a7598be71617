"""The reference data as the extractor sees it: every label, offices by date, channels."""

from __future__ import annotations

import datetime as dt

import pytest

from kg.extract.gazetteer import Gazetteer, build_gazetteer, normalise
from kg.reference import Reference


@pytest.fixture(scope="module")
def g(reference: Reference) -> Gazetteer:
    return build_gazetteer(reference)


def names(g: Gazetteer, text: str) -> list[tuple[str, str]]:
    return [(m.group(), g.names[m.group()].slug) for m in g.name_re.finditer(normalise(text))]


def test_every_label_is_a_surface_form(g: Gazetteer) -> None:
    assert names(g, "Hizbollah, Hizballah and Hezbollah") == [
        ("Hizbollah", "hezbollah"),
        ("Hizballah", "hezbollah"),
        ("Hezbollah", "hezbollah"),
    ]
    assert names(g, "Tehran told Washington") == [("Tehran", "iran"), ("Washington", "us")]
    assert names(g, "Amirabdollahian and Amir-Abdollahian") == [
        ("Amirabdollahian", "amir-abdollahian"),
        ("Amir-Abdollahian", "amir-abdollahian"),
    ]


def test_longest_form_wins_and_curly_apostrophes_match(g: Gazetteer) -> None:
    assert names(g, "Lebanon’s Hizbullah said") == [("Lebanon's Hizbullah", "hezbollah")]
    assert names(g, "Iran’s foreign minister said") == [("Iran's foreign minister", "iran-foreign-minister")]


def test_compounds_are_not_mentions_of_the_state(g: Gazetteer) -> None:
    assert names(g, "pro-Iran groups and Iran-backed fighters") == []


def test_offices_resolve_by_date(g: Gazetteer) -> None:
    office = g.offices["iran-foreign-minister"]
    assert office.holder(dt.date(2023, 11, 16)) == "amir-abdollahian"
    assert office.holder(dt.date(2024, 6, 3)) == "bagheri"
    assert office.holder(dt.date(2020, 1, 1)) is None
    assert g.offices["iran-supreme-leader"].holder(None) == "khamenei"


def test_channels_by_label_and_by_intermediary(g: Gazetteer) -> None:
    assert g.channel_names["Omani channel"] == "oman"
    assert g.channel_of_intermediary["oman"] == "oman"
    assert g.channel_of_intermediary["qatar"] == "qatar"
    assert g.channel_of_intermediary["swiss-embassy-tehran"] == "swiss-interests-section"
    assert g.channels["back-channels"].direct is False


def test_country_words_name_reference_states(g: Gazetteer) -> None:
    assert g.country_state("Omani") == ("oman", "Oman")
    assert g.country_state("Doha") == ("qatar", "Qatar")
    assert g.country_state("Norwegian") == (None, "Norway")
    assert g.country_state("Atlantis") == (None, None)
