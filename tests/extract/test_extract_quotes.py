"""Quotations: curly or straight, over sentences and paragraph breaks, apostrophes left alone."""

from __future__ import annotations

from kg.extract.quotes import find_quotes, quote_at


def words(text: str) -> list[str]:
    return [text[q.start : q.end] for q in find_quotes(text)]


def test_curly_and_straight_quotes() -> None:
    text = 'He said “we talked” and she said "we did not".'
    assert words(text) == ["we talked", "we did not"]


def test_apostrophes_are_not_quotes() -> None:
    text = "Iran’s minister said ‘maybe’ and Hezbollah's chief said “no”."
    assert words(text) == ["no"]


def test_a_quote_runs_over_sentences() -> None:
    text = "“It is time. This is what they waited for,” he said."
    assert words(text) == ["It is time. This is what they waited for,"]


def test_a_quote_runs_over_a_paragraph_break() -> None:
    text = "“The fact that they fight\n\nwith a third of the army shows it,” he said."
    (q,) = find_quotes(text)
    assert q.closed and text[q.start : q.end].endswith("shows it,")


def test_a_quote_left_open_ends_with_its_paragraph() -> None:
    text = "He said: “we will see\n\n“Another quote” follows."
    quotes = find_quotes(text)
    assert [text[q.start : q.end] for q in quotes] == ["we will see", "Another quote"]
    assert quotes[0].closed is False


def test_quote_at_finds_the_quote_around_a_position() -> None:
    text = 'A "b c" d'
    (q,) = find_quotes(text)
    assert quote_at([q], text.index("c")) == q
    assert quote_at([q], text.index("d")) is None
