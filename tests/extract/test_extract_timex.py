"""Time expressions resolved against the publication date, inferred with evidence."""

from __future__ import annotations

import datetime as dt

from kg.extract.timex import Timex, find_timexes, publication_day
from kg.models import DateValue

PUB = dt.date(2024, 2, 10)  # a Saturday


def one(text: str, pub: dt.date | None = PUB) -> Timex:
    (t,) = find_timexes(text, pub)
    return t


def test_a_weekday_is_the_last_one_on_or_before_publication() -> None:
    saturday = one("on Saturday").point
    assert saturday is not None and saturday.date == dt.date(2024, 2, 10)
    t = one("on Monday")
    assert t.point is not None and t.point.date == dt.date(2024, 2, 5)
    assert t.point.status == "inferred" and "last Monday on or before publication" in t.point.evidence[0]


def test_over_the_past_days_counts_back_from_publication() -> None:
    t = one("over the past 40 days")
    assert t.span is not None and t.span.start is not None and t.span.end is not None
    assert (t.span.start.date, t.span.end.date) == (dt.date(2024, 1, 1), PUB)
    assert t.span.expression == "over the past 40 days"


def test_recent_weeks_give_bounds_only() -> None:
    t = one("in recent weeks")
    assert t.span is not None and t.span.start is not None and t.span.end is not None
    assert (t.span.start.date, t.span.start.not_before) == (None, dt.date(2023, 12, 16))
    assert t.span.end.not_after == PUB


def test_since_a_day_and_month_looks_back() -> None:
    t = one("since October 7")
    assert t.span is not None and t.span.start is not None
    assert t.span.start.date == dt.date(2023, 10, 7)


def test_month_and_part_of_month() -> None:
    t = one("in early January")
    assert t.span is not None and t.span.start is not None
    assert (t.span.start.not_before, t.span.start.not_after) == (dt.date(2024, 1, 1), dt.date(2024, 1, 10))


def test_full_dates_are_stated_and_need_no_publication_date() -> None:
    t = one("26 October 2023", None)
    assert t.point == DateValue(status="stated", date=dt.date(2023, 10, 26), expression="26 October 2023")
    assert find_timexes("on Monday", None) == []


def test_publication_day_prefers_the_date_then_the_latest_bound() -> None:
    assert publication_day(DateValue(status="stated", date=PUB)) == PUB
    inferred = DateValue(status="inferred", not_after=PUB, evidence=["x"])
    assert publication_day(inferred) == PUB
    assert publication_day(None) is None
