"""Sentences: abbreviations, quotations and line breaks."""

from __future__ import annotations

from kg.extract.quotes import find_quotes
from kg.extract.sentences import split_sentences


def sentences(text: str) -> list[str]:
    return [s.text(text) for s in split_sentences(text, find_quotes(text))]


def test_abbreviations_do_not_end_a_sentence() -> None:
    text = "Talks with the U.S. were held in Oman. Mr. Smith said so."
    assert sentences(text) == ["Talks with the U.S. were held in Oman.", "Mr. Smith said so."]


def test_initials_end_a_sentence_before_a_sentence_opener() -> None:
    text = "Iran wrote to the U.S. The reply came later."
    assert sentences(text) == ["Iran wrote to the U.S.", "The reply came later."]


def test_no_boundary_inside_a_quotation() -> None:
    text = "“It is time. This is it,” said the minister. Then he left."
    assert sentences(text) == ["“It is time. This is it,” said the minister.", "Then he left."]


def test_a_line_is_a_sentence_and_headlines_are_marked() -> None:
    text = "Iran confirms talks\n\nThe minister said talks went on.\n"
    found = split_sentences(text, [])
    assert [s.text(text) for s in found] == ["Iran confirms talks", "The minister said talks went on."]
    assert [s.whole_line for s in found] == [True, False]


def test_offsets_are_code_points() -> None:
    text = "Iran’s “envoy” spoke. Then—silence."
    found = split_sentences(text, find_quotes(text))
    assert [(s.start, s.end) for s in found] == [(0, 21), (22, 35)]
