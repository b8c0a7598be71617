"""Content negotiation: the most specific range decides, q=0 excludes, ties go to the server's order."""

from __future__ import annotations

import pytest

from kg.conneg import MediaRange, negotiate, parse_accept

OFFERS = [
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
]


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, "application/sparql-results+json"),
        ("", "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("text/csv", "text/csv"),
        ("TEXT/CSV", "text/csv"),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("text/*", "text/csv"),
        ("text/*;q=0.9, text/csv;q=0.1", "text/tab-separated-values"),
        ("application/sparql-results+json;q=0, */*", "application/sparql-results+xml"),
        ("text/csv;charset=utf-8;q=0.7, text/tab-separated-values;q=0.8", "text/tab-separated-values"),
        ("text/html", None),
        ("*/*;q=0", None),
        ("text/csv;q=0, text/tab-separated-values;q=0, application/*;q=0", None),
        ("garbage, text/csv", "text/csv"),
        ("text/csv;q=high, text/tab-separated-values", "text/tab-separated-values"),
        ("text/csv;q=2", "application/sparql-results+json"),
    ],
)
def test_negotiate(accept: str | None, chosen: str | None) -> None:
    assert negotiate(accept, OFFERS) == chosen


def test_parse_accept_keeps_order_and_q() -> None:
    assert parse_accept("text/turtle;q=0.5, application/*, */*;q=0.1, bad, */json") == [
        MediaRange("text", "turtle", 0.5),
        MediaRange("application", "*", 1.0),
        MediaRange("*", "*", 0.1),
    ]
