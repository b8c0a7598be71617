"""Time expressions, resolved against the publication date.

News dates events relative to the day it appears: "on Monday" is the last Monday on or before
publication, "over the past 40 days" starts 40 days before it, "in recent weeks" gives only
bounds. Every date worked out this way is ``inferred`` and says how it was worked out; a date
the text writes in full with its year is ``stated``. Without a publication date only full dates
can be resolved.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from kg.extract.lexicon import MONTHS, WEEKDAYS
from kg.models import DateValue, TimeSpan

NUMBERS = {
    "a": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "few": 3,
    "several": 4,
}
UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}
RECENT_DAYS = {"day": 14, "week": 56, "month": 183}
_MONTH = "|".join(MONTHS)
_WEEKDAY = "|".join(WEEKDAYS)
_NUM = r"\d{1,3}|" + "|".join(NUMBERS)

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("full-dmy", re.compile(rf"\b(?P<d>\d{{1,2}}) (?P<m>{_MONTH}),? (?P<y>\d{{4}})\b")),
    ("full-mdy", re.compile(rf"\b(?P<m>{_MONTH}) (?P<d>\d{{1,2}})(?:st|nd|rd|th)?,? (?P<y>\d{{4}})\b")),
    (
        "since-date",
        re.compile(rf"\bsince (?:(?P<d1>\d{{1,2}}) (?P<m1>{_MONTH})|(?P<m2>{_MONTH}) (?P<d2>\d{{1,2}}))\b"),
    ),
    ("since-month", re.compile(rf"\bsince (?P<part>early |mid-|late )?(?P<m>{_MONTH})\b")),
    ("since-war", re.compile(r"\bsince the (?:start|beginning|outbreak) of the (?:war|conflict)\b")),
    (
        "past",
        re.compile(
            rf"\b(?:over|in|during|for|within) the (?:past|last) (?P<n>{_NUM}) "
            r"(?P<u>day|week|month|year)s?\b",
            re.IGNORECASE,
        ),
    ),
    (
        "recent",
        re.compile(
            r"\b(?:in|over|during) (?:the )?(?:recent|past|last few) (?P<u>day|week|month)s\b", re.IGNORECASE
        ),
    ),
    ("weekday", re.compile(rf"\b(?:on |last |this )?(?P<w>{_WEEKDAY})\b")),
    (
        "day-month",
        re.compile(rf"\b(?:on )?(?:(?P<d1>\d{{1,2}}) (?P<m1>{_MONTH})|(?P<m2>{_MONTH}) (?P<d2>\d{{1,2}}))\b"),
    ),
    (
        "month",
        re.compile(rf"\b(?:in |since )?(?P<part>early |mid-|late )?(?P<m>{_MONTH})(?: (?P<y>\d{{4}}))?\b"),
    ),
    ("part-year", re.compile(r"\b(?:in )?(?P<part>early |mid-|late )?(?P<y>20\d\d)\b")),
    (
        "relative-day",
        re.compile(r"\b(?P<w>yesterday|today|last night|this morning|earlier today)\b", re.IGNORECASE),
    ),
    (
        "relative-period",
        re.compile(r"\b(?P<which>last|this|earlier this) (?P<u>week|month|year)\b", re.IGNORECASE),
    ),
    ("weekend", re.compile(r"\b(?:at|over) the weekend\b", re.IGNORECASE)),
]


@dataclass(frozen=True)
class Timex:
    """A time expression: a point (a day) or a span, both as the model's date values."""

    start: int
    end: int
    text: str
    point: DateValue | None  # when the expression names one day (or bounds of one)
    span: TimeSpan | None  # the period it covers


def _month_number(name: str) -> int:
    return MONTHS.index(name) + 1


def _latest_before(month: int, day: int | None, pub: dt.date) -> dt.date:
    """The date with this month (and day) that is on or before publication, in its year or the one before."""
    year = pub.year
    candidate = dt.date(year, month, min(day or 1, calendar.monthrange(year, month)[1]))
    if candidate > pub:
        year -= 1
        candidate = dt.date(year, month, min(day or 1, calendar.monthrange(year, month)[1]))
    return candidate


def _part_bounds(year: int, month: int, part: str | None) -> tuple[dt.date, dt.date]:
    last = calendar.monthrange(year, month)[1]
    part = (part or "").strip().rstrip("-")
    if part == "early":
        return dt.date(year, month, 1), dt.date(year, month, 10)
    if part == "mid":
        return dt.date(year, month, 11), dt.date(year, month, 20)
    if part == "late":
        return dt.date(year, month, 21), dt.date(year, month, last)
    return dt.date(year, month, 1), dt.date(year, month, last)


def _inferred(
    expression: str | None,
    evidence: str,
    date: dt.date | None = None,
    lo: dt.date | None = None,
    hi: dt.date | None = None,
) -> DateValue:
    if date is not None and lo is not None and lo > date:
        lo = date
    if date is not None and hi is not None and hi < date:
        hi = date
    return DateValue(
        status="inferred",
        date=date,
        not_before=lo,
        not_after=hi,
        expression=expression or None,
        evidence=[evidence],
    )


def _up_to(pub: dt.date, pub_text: str) -> DateValue:
    return _inferred("", f"Up to the article's publication date ({pub_text}).", date=pub)


def _resolve(kind: str, m: re.Match[str], pub: dt.date | None) -> tuple[DateValue | None, TimeSpan | None]:
    text = m.group()
    g = m.groupdict()
    if kind in ("full-dmy", "full-mdy"):
        try:
            day = dt.date(int(g["y"]), _month_number(g["m"]), int(g["d"]))
        except ValueError:
            return None, None
        value = DateValue(status="stated", date=day, expression=text)
        return value, TimeSpan(start=value, end=value, expression=text)
    if pub is None:
        return None, None
    pub_text = pub.isoformat()
    if kind == "since-date":
        month, day_s = (g["m1"], g["d1"]) if g["m1"] else (g["m2"], g["d2"])
        try:
            day = _latest_before(_month_number(month), int(day_s), pub)
        except ValueError:
            return None, None
        start = _inferred(
            text, f'"{text}": the last {month} {int(day_s)} on or before publication ({pub_text}).', date=day
        )
        return None, TimeSpan(start=start, end=_up_to(pub, pub_text), expression=text)
    if kind == "since-month":
        first = _latest_before(_month_number(g["m"]), 1, pub)
        lo, hi = _part_bounds(first.year, first.month, g["part"])
        start = _inferred(
            text,
            f'"{text}": {g["m"]} {first.year}, the last one before publication ({pub_text}).',
            lo=lo,
            hi=min(hi, pub),
        )
        return None, TimeSpan(start=start, end=_up_to(pub, pub_text), expression=text)
    if kind == "since-war":
        return None, None  # which war, and when it began, the text alone does not say
    if kind == "past":
        n_text = g["n"].lower()
        n = int(n_text) if n_text.isdigit() else NUMBERS[n_text]
        unit = g["u"].lower()
        begin = pub - dt.timedelta(days=n * UNIT_DAYS[unit])
        start = _inferred(text, f'"{text}" counted back from publication ({pub_text}).', date=begin)
        return None, TimeSpan(start=start, end=_up_to(pub, pub_text), expression=text)
    if kind == "recent":
        unit = g["u"].lower()
        lo = pub - dt.timedelta(days=RECENT_DAYS[unit])
        start = _inferred(
            text, f'"{text}": within about {RECENT_DAYS[unit]} days before publication ({pub_text}).', lo=lo
        )
        end = _inferred(text, f"Not after the article's publication ({pub_text}).", hi=pub)
        return None, TimeSpan(start=start, end=end, expression=text)
    if kind == "weekday":
        wanted = WEEKDAYS.index(g["w"])
        back = (pub.weekday() - wanted) % 7
        day = pub - dt.timedelta(days=back)
        value = _inferred(
            text, f'"{text}" read as the last {g["w"]} on or before publication ({pub_text}).', date=day
        )
        return value, TimeSpan(start=value, end=value, expression=text)
    if kind == "day-month":
        month, day_s = (g["m1"], g["d1"]) if g["m1"] else (g["m2"], g["d2"])
        try:
            day = _latest_before(_month_number(month), int(day_s), pub)
        except ValueError:
            return None, None
        value = _inferred(
            text, f'"{text}": the last {month} {int(day_s)} on or before publication ({pub_text}).', date=day
        )
        return value, TimeSpan(start=value, end=value, expression=text)
    if kind == "month":
        month = _month_number(g["m"])
        year = int(g["y"]) if g["y"] else _latest_before(month, 1, pub).year
        lo, hi = _part_bounds(year, month, g["part"])
        why = f'"{text}": {g["m"]} {year}' + (
            "" if g["y"] else f", the last one before publication ({pub_text})"
        )
        start = _inferred(text, why + ".", lo=lo, hi=hi)
        end = _inferred(text, why + ".", lo=lo, hi=hi)
        return None, TimeSpan(start=start, end=end, expression=text)
    if kind == "part-year":
        year = int(g["y"])
        if year > pub.year + 1:
            return None, None
        part = (g["part"] or "").strip().rstrip("-")
        lo, hi = dt.date(year, 1, 1), dt.date(year, 12, 31)
        if part == "early":
            hi = dt.date(year, 4, 30)
        elif part == "mid":
            lo, hi = dt.date(year, 5, 1), dt.date(year, 8, 31)
        elif part == "late":
            lo = dt.date(year, 9, 1)
        value = _inferred(text, f'"{text}": the year {year}.', lo=min(lo, pub), hi=min(hi, pub))
        return None, TimeSpan(start=value, end=value, expression=text)
    if kind == "relative-day":
        word = g["w"].lower()
        day = pub - dt.timedelta(days=1) if word == "yesterday" else pub
        value = _inferred(text, f'"{text}" relative to publication ({pub_text}).', date=day)
        return value, TimeSpan(start=value, end=value, expression=text)
    if kind == "relative-period":
        which, unit = g["which"].lower(), g["u"].lower()
        if unit == "week":
            monday = pub - dt.timedelta(days=pub.weekday())
            lo = monday - dt.timedelta(days=7) if which == "last" else monday
            hi = lo + dt.timedelta(days=6)
        elif unit == "month":
            first = pub.replace(day=1)
            if which == "last":
                lo = (first - dt.timedelta(days=1)).replace(day=1)
                hi = first - dt.timedelta(days=1)
            else:
                lo, hi = first, pub
        else:
            year = pub.year - 1 if which == "last" else pub.year
            lo, hi = dt.date(year, 1, 1), (dt.date(year, 12, 31) if which == "last" else pub)
        hi = min(hi, pub)
        value = _inferred(text, f'"{text}" relative to publication ({pub_text}).', lo=lo, hi=hi)
        return None, TimeSpan(start=value, end=value, expression=text)
    if kind == "weekend":
        back = (pub.weekday() - 5) % 7 or 7
        saturday = pub - dt.timedelta(days=back)
        value = _inferred(
            text,
            f'"{text}": the last weekend before publication ({pub_text}).',
            date=saturday,
            lo=saturday,
            hi=saturday + dt.timedelta(days=1),
        )
        return value, TimeSpan(start=value, end=value, expression=text)
    return None, None


def find_timexes(text: str, published: dt.date | None) -> list[Timex]:
    """The time expressions of a text (or a stretch of it), longest first where they overlap."""
    found: list[Timex] = []
    for kind, rx in _PATTERNS:
        for m in rx.finditer(text):
            if any(not (m.end() <= t.start or m.start() >= t.end) for t in found):
                continue
            point, span = _resolve(kind, m, published)
            if point is None and span is None:
                continue
            found.append(Timex(m.start(), m.end(), m.group(), point, span))
    return sorted(found, key=lambda t: t.start)


def publication_day(published: DateValue | None) -> dt.date | None:
    """The day to resolve against: the stated or best inferred date, else the latest bound."""
    if published is None:
        return None
    return published.date or published.not_after or published.not_before
