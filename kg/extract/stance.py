"""Stance: whether a claim affirms or denies what it is about.

Two things decide it. The reporting verb: "denied", "dismissed", "rejected", "ruled out" deny
what they report, unless they are themselves negated ("did not rule out"). And negation in the
reported clause, where it governs what is claimed: "has not sent a message", "no message has
been sent", "never asked", "nor does it". A negation further down, inside what was said ("we said
that Iran does not want the war to spread"), is part of the message, not a denial of it. The two
combine as a parity: a denial of a negated clause affirms.
"""

from __future__ import annotations

import re

from kg.extract.lexicon import NEGATOR_RE, NOT_NEGATION_RE
from kg.models import Stance

_VERB_NEGATED = re.compile(
    r"\b(?:not|never|n't|no longer)\s+(?:\w+ly\s+)?(?:\w+\s+)?$|\b(?:did|does|do|has|have|had|would|could)"
    r"(?:n't| not| never)\s+(?:\w+\s+)?$",
    re.IGNORECASE,
)
# Where the main clause of a reported content ends: what follows belongs to an embedded clause.
_CLAUSE_END = re.compile(
    r"\b(?:that|if|because|which|who|unless|whether|so that)\b|[;:—]|,\s+(?:but|and|while)\b", re.IGNORECASE
)


def verb_negated(text: str, verb_start: int) -> bool:
    """Whether the reporting verb at ``verb_start`` is negated ("did not rule out", "never denied")."""
    return bool(_VERB_NEGATED.search(text[max(0, verb_start - 30) : verb_start]))


def negated_before(text: str, start: int, cue: int) -> bool:
    """Negation between the start of the cue's clause and the cue ("has not sent", "no message")."""
    window = text[start:cue]
    cut = None
    for m in _CLAUSE_END.finditer(window):
        cut = m.end()
    if cut is not None:
        window = window[cut:]
    return _negated(window)


def _negated(window: str) -> bool:
    return bool(NEGATOR_RE.search(NOT_NEGATION_RE.sub(" ", window)))


def negated_after(text: str, cue_end: int, limit: int) -> bool:
    """A negated auxiliary right after the cue: "messages were never exchanged", "talks have not …"."""
    window = text[cue_end : min(limit, cue_end + 28)]
    return bool(
        re.match(
            r"\s+(?:(?:has|have|had|was|were|is|are|been|did|do|does)\s+)+(?:not|never)\b"
            r"|\s+(?:has|have|had|was|were|is|are|did|do|does)n't\b",
            window,
            re.IGNORECASE,
        )
    )


def main_clause_negated(text: str, start: int, end: int) -> bool:
    """Negation in the main clause of a reported content that claims no communication."""
    window = text[start:end]
    m = _CLAUSE_END.search(window)
    if m is not None and m.start() > 0:
        window = window[: m.start()]
    return _negated(window)


def combine(denial_verb: bool, negated_clause: bool) -> Stance:
    return "denies" if denial_verb != negated_clause else "affirms"
