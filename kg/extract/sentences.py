"""Sentences with their code-point offsets, never cut inside a quotation.

A news sentence often quotes several sentences before naming the speaker ("“… forces. This is
what …,” said X"), so a boundary inside a quotation is not a boundary of the reported sentence.
A line break ends a sentence (headlines, captions and bylines have no full stop) unless a
quotation runs over it. Abbreviations such as "U.S." or "Mr." do not end a sentence unless a
typical sentence opening follows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.extract.lexicon import words
from kg.extract.quotes import Quote
from kg.extract.spans import SpanList

ABBREVIATIONS = frozenset(
    words(
        "mr mrs ms dr st gen lt col maj capt sgt sen rep gov prof jr sr no vs etc inc ltd co corp "
        "jan feb mar apr aug sept sep oct nov dec approx dept est fig"
    )
)
SENTENCE_OPENERS = frozenset(
    words(
        "The He She It They We I In On At But And However Meanwhile This That These Those His Her Their "
        "A An According Since After Before While When"
    )
)
_END = re.compile(r"[.!?]+[”\"')\]]*(?=\s)")
_INITIALS = re.compile(r"(?:\b[A-Z]\.)+$")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    whole_line: bool  # the sentence is a line of its own (a headline, caption or byline)

    def text(self, text: str) -> str:
        return text[self.start : self.end]


def _inside(quotes: SpanList[Quote], pos: int) -> bool:
    return quotes.around(pos) is not None


def _is_boundary(text: str, dot: int, after: int) -> bool:
    """Whether the punctuation at ``dot`` ends a sentence; ``after`` is where the next one starts."""
    nxt = text[after : after + 1]
    if not nxt or not (nxt.isupper() or nxt.isdigit() or nxt in "“\"‘'(["):
        return False
    if text[dot] != ".":
        return True
    word = re.search(r"(\S+)$", text[max(0, dot - 40) : dot])
    token = word.group(1) if word else ""
    if token.lower().strip('("“') in ABBREVIATIONS:
        return False
    if _INITIALS.search(token + "."):
        next_word = re.match(r"[\w’']+", text[after:])
        return bool(next_word and next_word.group(0) in SENTENCE_OPENERS)
    return True


def split_sentences(text: str, quote_list: list[Quote]) -> list[Sentence]:
    """Split ``text`` into trimmed sentences; empty lines give none."""
    quotes = SpanList(quote_list)
    cuts: list[int] = []
    for m in _END.finditer(text):
        after = m.end()
        while after < len(text) and text[after] in " \t":
            after += 1
        if after < len(text) and text[after] == "\n":
            continue  # the line break below cuts here anyway
        if _inside(quotes, m.start()) and _inside(quotes, after):
            continue
        if _is_boundary(text, m.start(), after):
            cuts.append(m.end())
    for i, ch in enumerate(text):
        if ch == "\n" and not _inside(quotes, i):
            cuts.append(i)
    cuts = sorted(set(cuts))
    sentences: list[Sentence] = []
    start = 0
    for cut in [*cuts, len(text)]:
        s, e = start, cut
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            line_start = text.rfind("\n", 0, s) + 1
            line_end = text.find("\n", e)
            line_end = len(text) if line_end < 0 else line_end
            whole = not text[line_start:s].strip() and not text[e:line_end].strip()
            sentences.append(Sentence(s, e, whole and not re.search(r"[.!?][”\"')\]]*$", text[s:e])))
        start = cut
    return sentences
