"""HTTP content negotiation (RFC 9110 §12.5.1) over plain strings, for any answer with several formats.

A client's Accept header ranks media ranges with q-values; the most specific range that matches
an offer gives that offer's quality (``text/turtle;q=0.5`` beats ``text/*;q=0.9`` for Turtle), q=0
rules an offer out, and ties go to the server's order of preference, which puts the canonical
type of each format before its aliases. Nothing here knows about a web framework.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class MediaRange:
    """One element of an Accept header: ``type/subtype`` (either may be ``*``) and its q-value."""

    type: str
    subtype: str
    q: float

    def specificity(self, media_type: str) -> int:
        """How closely this range names ``media_type``: 3 exactly, 2 by type, 1 for */*, 0 not at all."""
        main, _, sub = media_type.partition("/")
        if self.type == "*":
            return 1
        if self.type != main:
            return 0
        if self.subtype == "*":
            return 2
        return 3 if self.subtype == sub else 0


def parse_accept(header: str | None) -> list[MediaRange]:
    """The ranges of an Accept header; malformed elements are skipped, as RFC 9110 allows."""
    ranges: list[MediaRange] = []
    for element in (header or "").split(","):
        media, *params = (p.strip() for p in element.split(";"))
        main, slash, sub = media.lower().partition("/")
        if not slash or not main or not sub or (main == "*" and sub != "*"):
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = -1.0
                break
        if 0.0 <= q <= 1.0:
            ranges.append(MediaRange(main, sub, q))
    return ranges


def quality(ranges: Sequence[MediaRange], media_type: str) -> float:
    """The q-value the client gives ``media_type``: that of the most specific matching range."""
    best, q = 0, 0.0
    for r in ranges:
        s = r.specificity(media_type)
        if s > best or (s == best and s > 0 and r.q > q):
            best, q = s, r.q
    return q


def negotiate(accept: str | None, offers: Sequence[str]) -> str | None:
    """The offer the client prefers, None when it accepts none; no (usable) Accept takes the first."""
    if not offers:
        return None
    ranges = parse_accept(accept)
    if not ranges:
        return offers[0]
    chosen, best = None, 0.0
    for offer in offers:
        q = quality(ranges, offer)
        if q > best:
            chosen, best = offer, q
    return chosen
