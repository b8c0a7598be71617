"""Quotations: where each one opens and closes, with straight or curly marks.

Curly marks say which way they face; a straight ``"`` is an opening mark after a space or an
opening bracket and a closing mark otherwise. A quotation may run over sentences and, as in print,
over a paragraph break; one left open is closed at the end of its paragraph when the next opening
mark comes. Single quotes are left alone: in news text they are mostly apostrophes.
"""

from __future__ import annotations

from dataclasses import dataclass

OPENING = "“"
CLOSING = "”"
STRAIGHT = '"'
MAX_QUOTE_CHARS = 2500
MAX_PARAGRAPH_BREAKS = 2


@dataclass(frozen=True)
class Quote:
    """A quotation: ``start``/``end`` delimit the quoted words, without the marks."""

    open: int
    close: int
    closed: bool

    @property
    def start(self) -> int:
        return self.open + 1

    @property
    def end(self) -> int:
        return self.close

    @property
    def outer_end(self) -> int:
        """Just after the closing mark (or the end of the words when the quote is left open)."""
        return self.close + 1 if self.closed else self.close

    def words(self, text: str) -> int:
        return len(text[self.start : self.end].split())

    def contains(self, pos: int) -> bool:
        return self.start <= pos < self.end


def _is_opening_straight(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if after.isspace():
        return False
    return before.isspace() or before in "([{—–-/:" or i == 0


def _paragraph_end(text: str, pos: int) -> int:
    end = text.find("\n", pos)
    end = len(text) if end < 0 else end
    while end > pos and text[end - 1].isspace():
        end -= 1
    return end


def find_quotes(text: str) -> list[Quote]:
    """Every quotation in the text, in order; quotes never overlap."""
    quotes: list[Quote] = []
    open_at: int | None = None
    for i, ch in enumerate(text):
        if ch not in (OPENING, CLOSING, STRAIGHT):
            continue
        opening = ch == OPENING or (ch == STRAIGHT and _is_opening_straight(text, i))
        if opening:
            if open_at is not None:
                between = text[open_at:i]
                if "\n" in between:  # a quotation left open at a paragraph's end
                    quotes.append(Quote(open_at, _paragraph_end(text, open_at), closed=False))
                # else: a stray opening mark; the new one wins
            open_at = i
            continue
        if open_at is None:
            continue  # a stray closing mark (or a closing mark after an unclosed quotation)
        between = text[open_at:i]
        too_long = len(between) > MAX_QUOTE_CHARS or between.count("\n\n") > MAX_PARAGRAPH_BREAKS
        if too_long:
            quotes.append(Quote(open_at, _paragraph_end(text, open_at), closed=False))
        else:
            quotes.append(Quote(open_at, i, closed=True))
        open_at = None
    if open_at is not None:
        quotes.append(Quote(open_at, _paragraph_end(text, open_at), closed=False))
    return quotes


def quote_at(quotes: list[Quote], pos: int) -> Quote | None:
    """The quotation whose words contain ``pos``, if any."""
    for q in quotes:
        if q.start <= pos < q.end:
            return q
        if q.open > pos:
            break
    return None
