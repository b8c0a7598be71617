"""Non-overlapping spans kept in text order, found by position in logarithmic time.

Mentions and quotations never overlap, so the ones inside a stretch of text are a contiguous run
of the sorted list, and the one around a position is its predecessor. Looking them up this way
keeps extraction linear in the length of the text (a two-megabyte article has tens of thousands
of mentions; scanning them all for every sentence would be quadratic).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from typing import Generic, Protocol, TypeVar


class Span(Protocol):
    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


T = TypeVar("T", bound=Span)


class SpanList(Generic[T]):
    """Spans sorted by start; adding keeps the order, lookups bisect."""

    def __init__(self, items: Iterable[T] = ()) -> None:
        self.items: list[T] = sorted(items, key=lambda s: s.start)
        self.starts: list[int] = [s.start for s in self.items]

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def add(self, item: T) -> None:
        i = bisect_right(self.starts, item.start)
        self.starts.insert(i, item.start)
        self.items.insert(i, item)

    def remove(self, item: T) -> None:
        i = bisect_left(self.starts, item.start)
        while i < len(self.items) and self.items[i] is not item:
            i += 1
        if i < len(self.items):
            del self.items[i]
            del self.starts[i]

    def overlapping(self, start: int, end: int) -> list[T]:
        """The spans that share at least one character with [start, end)."""
        i = bisect_left(self.starts, start)
        if i > 0 and self.items[i - 1].end > start:
            i -= 1
        out = []
        while i < len(self.items) and self.items[i].start < end:
            if self.items[i].end > start:
                out.append(self.items[i])
            i += 1
        return out

    def within(self, start: int, end: int) -> list[T]:
        """The spans that lie entirely inside [start, end)."""
        i = bisect_left(self.starts, start)
        out = []
        while i < len(self.items) and self.items[i].start < end:
            if self.items[i].end <= end:
                out.append(self.items[i])
            i += 1
        return out

    def free(self, start: int, end: int) -> bool:
        return not self.overlapping(start, end)

    def around(self, pos: int) -> T | None:
        """The span containing ``pos``, if any."""
        i = bisect_right(self.starts, pos) - 1
        if i >= 0 and self.items[i].start <= pos < self.items[i].end:
            return self.items[i]
        return None

    def before(self, pos: int) -> list[T]:
        """The spans that start before ``pos``, in order."""
        return self.items[: bisect_left(self.starts, pos)]
