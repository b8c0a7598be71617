"""Mentions: titles by date, new people and sources, places, pronouns."""

from __future__ import annotations

import datetime as dt

from kg.extract.actors import ActorRegistry
from kg.extract.gazetteer import build_gazetteer, normalise
from kg.extract.mentions import Mention, MentionFinder
from kg.extract.quotes import find_quotes
from kg.extract.sentences import split_sentences
from kg.reference import Reference


def find(
    reference: Reference, text: str, on: dt.date | None = dt.date(2024, 7, 1)
) -> tuple[list[Mention], ActorRegistry]:
    g = build_gazetteer(reference)
    reg = ActorRegistry(g)
    sentences = split_sentences(text, find_quotes(text))
    found = MentionFinder(g, reg, on).find(normalise(text), {s.start for s in sentences}, [])
    return found, reg


def keyed(found: list[Mention]) -> list[tuple[str, str | None]]:
    return [(m.text, m.key) for m in found if m.form != "pronoun"]


def test_a_title_resolves_to_the_holder_on_the_article_date(reference: Reference) -> None:
    text = "Iran's foreign minister spoke."
    assert keyed(find(reference, text, dt.date(2023, 11, 16))[0]) == [
        ("Iran's foreign minister", "amir-abdollahian")
    ]
    assert keyed(find(reference, text, dt.date(2024, 7, 1))[0]) == [("Iran's foreign minister", "bagheri")]
    assert keyed(find(reference, "The Supreme Leader spoke.")[0]) == [("The Supreme Leader", "khamenei")]


def test_a_title_and_a_new_name_make_one_new_person(reference: Reference) -> None:
    found, reg = find(
        reference, "Later, Omani Foreign Minister Badr Albusaidi met the envoy. Albusaidi left."
    )
    (person,) = [m for m in found if m.key and m.key.startswith("new:") and m.form == "title"]
    assert person.text == "Omani Foreign Minister Badr Albusaidi"
    new = reg.new[person.key[4:]]  # type: ignore[index]
    assert (new.kind, new.label, new.affiliation) == ("person", "Badr Albusaidi", "oman")
    assert ("Albusaidi", person.key) in keyed(found)


def test_anonymous_sources_are_new_actors_affiliated_by_their_adjective(reference: Reference) -> None:
    found, reg = find(reference, "An informed Qatari source told us. One analyst in Beirut agreed.")
    sources = [reg.new[m.key[4:]] for m in found if m.form == "source" and m.key]
    assert [(s.kind, s.surface_form, s.affiliation, s.head) for s in sources] == [
        ("unnamed-source", "An informed Qatari source", "qatar", "source"),
        ("unnamed-source", "One analyst in Beirut", "lebanon", "analyst"),
    ]


def test_officials_of_a_state_and_its_government(reference: Reference) -> None:
    found, reg = find(reference, "Omani officials and the Iraqi government spoke to US officials.")
    assert [(m.text, m.key) for m in found] == [
        ("Omani officials", "new:omani-officials"),
        ("the Iraqi government", "iraq"),
        ("US officials", "us-officials"),
    ]
    assert reg.new["omani-officials"].affiliation == "oman"


def test_new_states_come_from_country_names(reference: Reference) -> None:
    found, reg = find(reference, "Norway hosted them; the Norwegians said so.")
    assert keyed(found) == [("Norway", "new:norway"), ("Norwegians", "new:norway")]
    assert reg.new["norway"].kind == "state"


def test_places_and_pronouns(reference: Reference) -> None:
    found, _ = find(reference, "He spoke in Tehran about Hezbollah's role.")
    assert [(m.text, m.form, m.location) for m in found] == [
        ("He", "pronoun", False),
        ("Tehran", "name", True),
        ("Hezbollah", "name", False),
    ]


def test_page_furniture_is_not_a_person(reference: Reference) -> None:
    found, _ = find(reference, "Read our Cookie Policy. The West Bank is calm.")
    assert keyed(found) == []
