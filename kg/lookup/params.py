"""Checking what a client asks for before any query runs, with messages that say how to fix it.

Every value that reaches a query goes through here and comes out as a typed pyoxigraph term
(an IRI from a closed list, an ``xsd:date``), so a query never sees text a client wrote.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Final

import pyoxigraph as ox

from kg.errors import InvalidParameter
from kg.namespaces import XSD

MAX_LIMIT: Final = 500
DEFAULT_LIMIT: Final = 50
XSD_DATE: Final = ox.NamedNode(XSD + "date")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Paging:
    """A window on a sorted list: at most ``limit`` items starting at ``offset``."""

    limit: int = DEFAULT_LIMIT
    offset: int = 0

    @classmethod
    def of(cls, limit: int | None, offset: int | None, max_limit: int = MAX_LIMIT) -> Paging:
        limit = DEFAULT_LIMIT if limit is None else limit
        offset = 0 if offset is None else offset
        if not 1 <= limit <= max_limit:
            raise InvalidParameter(f"'limit' must be between 1 and {max_limit}, not {limit}")
        if offset < 0:
            raise InvalidParameter(f"'offset' must be 0 or more, not {offset}")
        return cls(limit, offset)


def choice(value: str | None, name: str, table: dict[str, str]) -> ox.NamedNode | None:
    """The IRI for a slug from a closed list (``stance=denies``), or None when not given."""
    if value is None or value == "":
        return None
    key = value.strip().lower()
    if key not in table:
        raise InvalidParameter(f"unknown {name} {value!r}; use one of {', '.join(table)}")
    return ox.NamedNode(table[key])


def date(value: str | None, name: str) -> dt.date | None:
    if value is None or value == "":
        return None
    text = value.strip()
    if not _DATE.fullmatch(text):
        raise InvalidParameter(f"'{name}' must be a date as YYYY-MM-DD, not {value!r}")
    try:
        return dt.date.fromisoformat(text)
    except ValueError as e:
        raise InvalidParameter(f"'{name}' is not a calendar date: {value!r} ({e})") from e


def date_range(date_from: str | None, date_to: str | None) -> tuple[ox.Literal | None, ox.Literal | None]:
    """Both ends as ``xsd:date`` literals (None: open); an empty range is an error, not zero rows."""
    lo, hi = date(date_from, "from"), date(date_to, "to")
    if lo is not None and hi is not None and lo > hi:
        raise InvalidParameter(f"the date range is empty: 'from' {lo} is after 'to' {hi}")
    return _literal(lo), _literal(hi)


def _literal(value: dt.date | None) -> ox.Literal | None:
    return None if value is None else ox.Literal(value.isoformat(), datatype=XSD_DATE)
