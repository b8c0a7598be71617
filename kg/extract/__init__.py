"""Extraction of claims from an article the corpus has never seen: rule-based, offline.

``extract`` reads a plain text with its metadata and returns the same record a curator writes by
hand (``kg.models.AnnotationFile``), so an extracted document goes through exactly the checks,
the compiler and the SHACL gate that curated ones go through. The steps, one module each:

1. ``quotes`` and ``sentences``: quotations (straight or curly, over sentences) and sentences
   with code-point offsets;
2. ``mentions``: actors through every reference label, titles resolved by the article's date,
   new people, organisations and anonymous sources (created unreviewed, with the words that
   introduced them);
3. ``attribution``: reporting frames, their speakers (named, pronoun, "the source", the outlet)
   and the words they report, direct or indirect;
4. ``propositions`` and ``stance``: what is claimed (kind, sender, recipient, parties, channel,
   directness, time) and whether it is affirmed or denied;
5. ``timex``: "on Monday", "over the past 40 days" resolved against the publication date, each
   such value marked inferred with its reason.

Sentences that report a communication in the outlet's own voice, and the headline, are claims
of the outlet (``outlet-framing``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.errors import InvalidParameter
from kg.extract.actors import NEW, ActorRegistry, NewActor
from kg.extract.attribution import FrameFinder, Speech
from kg.extract.gazetteer import Gazetteer, build_gazetteer, normalise
from kg.extract.lexicon import BOILERPLATE_LINES
from kg.extract.mentions import Mention, MentionFinder
from kg.extract.propositions import Built, LocalChannels, PropositionBuilder
from kg.extract.quotes import find_quotes
from kg.extract.sentences import Sentence, split_sentences
from kg.extract.spans import SpanList
from kg.extract.stance import combine, main_clause_negated, negated_after, negated_before
from kg.extract.timex import find_timexes, publication_day
from kg.models import (
    SLUG,
    ActorKind,
    AnnotationFile,
    Attribution,
    ClaimAnnotation,
    DateValue,
    DocumentMeta,
    LocalActor,
)
from kg.reference import Reference

__all__ = ["extract"]

_GAZETTEERS: dict[int, tuple[Reference, Gazetteer]] = {}
_SPLIT = re.compile(
    r",?\s+(?:but|and|while)\s+(?:also\s+)?(?=(?:warn|told|tell|ask|urg|sen[dt]|call|pass|convey|relay|request)\w*\b)"
    r"|;\s+|,?\s+nor\s+",
    re.IGNORECASE,
)
UNNAMED_OUTLET = "unnamed-outlet"
_ABBREVIATED = re.compile(r"\b(?:[A-Z]\.){2,}$")


def gazetteer_for(reference: Reference) -> Gazetteer:
    """The gazetteer of a reference, built once per reference object."""
    cached = _GAZETTEERS.get(id(reference))
    if cached is None or cached[0] is not reference:
        cached = (reference, build_gazetteer(reference))
        _GAZETTEERS.clear()
        _GAZETTEERS[id(reference)] = cached
    return cached[1]


@dataclass
class _Claim:
    claimant: str
    stance: str
    attribution: Attribution
    start: int
    end: int
    built: Built
    stated: DateValue | None


def body_end(text: str) -> int:
    """Where the article ends and page furniture ("Related", "Tags", "Your Comment") begins."""
    pos = 0
    for line in text.splitlines(keepends=True):
        if pos > 200 and line.strip().lower().rstrip(":") in BOILERPLATE_LINES:
            return pos
        pos += len(line)
    return len(text)


def _headline(text: str, title: str, sentences: list[Sentence]) -> Sentence | None:
    at = text.find(normalise(title).strip())
    if at < 0:
        return None
    return next((s for s in sentences if s.start <= at < s.end), None)


class _Extraction:
    """The state of one document's extraction."""

    def __init__(self, text: str, meta: DocumentMeta, reference: Reference) -> None:
        self.original = text
        self.text = normalise(text)
        self.meta = meta
        self.g = gazetteer_for(reference)
        self.reg = ActorRegistry(self.g)
        self.published = publication_day(meta.published)
        end = body_end(text)
        self.quotes = [q for q in find_quotes(text) if q.open < end]
        self.sentences = [
            _without_dateline(text, s) for s in split_sentences(text, self.quotes) if s.start < end
        ]
        self.headline = _headline(self.text, meta.title, self.sentences)
        self.fixed: list[LocalActor] = []
        self.outlet = self._outlet()
        self.finder = MentionFinder(self.g, self.reg, self.published)
        headlines = [(s.start, s.end) for s in self.sentences if s.whole_line]
        self.mentions = self.finder.find(self.text, {s.start for s in self.sentences}, headlines)
        self.mention_spans = SpanList(self.mentions)
        self.quote_spans = SpanList(self.quotes)
        self.channels = LocalChannels()
        self.builder = PropositionBuilder(
            self.text,
            self.g,
            self.reg,
            self.finder,
            self.mentions,
            self.published,
            self.channels,
            self.quotes,
        )
        self.used: set[str] = set()

    def _outlet(self) -> str:
        """The outlet's actor key; one unknown to the reference becomes a local actor of that id."""
        m = self.meta
        wanted: list[tuple[str | None, ActorKind]] = [(m.outlet, "outlet"), (m.author, "person")]
        wanted += [(c, "outlet") for c in m.cites]
        for slug, kind in wanted:
            if slug and not SLUG.match(slug):
                raise InvalidParameter(
                    f"{slug!r} is not an actor id: the metadata names actors by id "
                    "(lower-case letters, digits and hyphens, such as 'financial-times')"
                )
            if slug and slug not in self.g.actors and slug not in {a.id for a in self.fixed}:
                grade = m.reliability if kind == "outlet" and slug == m.outlet else None
                self.fixed.append(
                    LocalActor(
                        id=slug,
                        kind=kind,
                        label=slug.replace("-", " ").title(),
                        reliability=grade or ("F" if kind == "outlet" else None),
                        reviewed=False,
                        surface_form=None,
                    )
                )
        if m.outlet:
            return m.outlet if m.outlet in self.g.actors else f"fixed:{m.outlet}"
        return NEW + UNNAMED_OUTLET

    def _claimant_kind(self, key: str) -> str:
        if key.startswith("fixed:"):
            return "outlet"
        if key == NEW + UNNAMED_OUTLET:
            return "outlet"
        return self.reg.kind(key)

    def _mentions(self, start: int, end: int) -> list[Mention]:
        return self.mention_spans.within(start, end)

    def _bind_speaker_words(self, start: int, end: int, speaker: str) -> None:
        """Inside a speaker's words, "we" is the speaker's side and "his government" the speaker's state."""
        state = self.reg.state_of(speaker) or speaker
        for m in self._mentions(start, end):
            if m.key is None and m.form == "pronoun" and m.head in ("we",):
                m.key = state
            elif m.key is None and m.form == "group":
                own = re.search(r"(?:group|movement|party|organi[sz]ation)$", m.text)
                m.key = (self.reg.affiliation(speaker) or speaker) if own else state

    def _stated(self, sent: Sentence, content: tuple[int, int]) -> DateValue | None:
        window = self.text[sent.start : sent.end]
        for t in find_timexes(window, self.published):
            s = sent.start + t.start
            if content[0] <= s < content[1] or t.point is None:
                continue
            if self.quote_spans.around(s) is not None:
                continue
            return t.point
        return None

    def _parts(self, start: int, end: int) -> list[tuple[int, int, bool]]:
        """Split reported words at "…, but also warned …", "; " and "nor" (the last one denies)."""
        parts: list[tuple[int, int, bool]] = []
        pos, negated = start, False
        for m in _SPLIT.finditer(self.text, start, end):
            if self.quote_spans.around(m.start()) is not None:
                continue
            if len(self.text[pos : m.start()].split()) < 3 or len(self.text[m.end() : end].split()) < 3:
                continue
            parts.append((pos, m.start(), negated))
            pos, negated = m.end(), "nor" in m.group().lower()
        parts.append((pos, end, negated))
        return parts

    def _stance(self, built: Built, start: int, end: int, denial: bool, forced: bool) -> str:
        if forced:
            negated = True
        elif built.cue is not None:
            negated = negated_before(self.text, start, built.cue[0]) or negated_after(
                self.text, built.cue[1], end
            )
        else:
            negated = main_clause_negated(self.text, start, end)
        return combine(denial, negated)

    def run(self, stem: str) -> AnnotationFile:
        frames = FrameFinder(self.text, self.quotes, self.mentions, self.reg)
        skip = {self.headline.start} if self.headline else set()
        speeches = frames.find(self.sentences, skip)
        claims: list[_Claim] = []
        headline = self._headline_claim(self.headline, frames) if self.headline is not None else None
        if headline is not None:
            claims.append(headline)
        by_sentence: dict[int, list[Speech]] = {}
        for sp in speeches:
            by_sentence.setdefault(sp.sentence.start, []).append(sp)
        for sent in self.sentences:
            if sent is self.headline:
                continue
            if sent.start in by_sentence:
                for sp in by_sentence[sent.start]:
                    claims.extend(self._speech_claims(sp))
                continue
            claim = self._outlet_claim(sent)
            if claim is not None:
                claims.append(claim)
        claims.sort(key=lambda c: c.start)
        return self._annotation(stem, claims)

    def _speech_claims(self, sp: Speech) -> list[_Claim]:
        self._bind_speaker_words(sp.content[0], sp.content[1], sp.speaker)
        out = []
        stated = self._stated(sp.sentence, sp.content)
        for i, (start, end, nor) in enumerate(self._parts(*sp.content)):
            s, e = _trim_span(self.text, start, end)
            if e - s < 3:
                continue
            built = self.builder.build(s, e, sp.speaker, sp.subject_is_speaker or i > 0)
            stance = self._stance(built, s, e, sp.denial, nor)
            out.append(
                _Claim(
                    sp.speaker,
                    stance,
                    sp.attribution if i == 0 or sp.attribution != "direct-quote" else "partial-quote",
                    s,
                    e,
                    built,
                    stated,
                )
            )
        return out

    def _outlet_claim(self, sent: Sentence) -> _Claim | None:
        s, e = _trim_span(self.text, sent.start, sent.end)
        if not self.builder.cues(s, e):
            return None
        built = self.builder.build(s, e, None, False)
        if built.kind == "position":
            return None
        return _Claim(
            self.outlet, self._stance(built, s, e, False, False), "outlet-framing", s, e, built, None
        )

    def _headline_claim(self, sent: Sentence, frames: FrameFinder) -> _Claim | None:
        s, e = _trim_span(self.text, sent.start, sent.end)
        speeches = frames._frames(sent)
        speaker, denial, start = None, False, s
        cues = self.builder.cues(s, e)
        if speeches and cues and cues[0][0] < speeches[0].cue[0]:
            speeches = []  # "Iran got US message via Switzerland, denies talks": the first report leads
        if speeches:
            first = speeches[0]
            speaker, denial, start = first.speaker, first.denial, first.cue[1]
        built = self.builder.build(start, e, speaker, speaker is not None)
        if built.kind == "position":
            return None
        return _Claim(
            self.outlet, self._stance(built, start, e, denial, False), "outlet-framing", s, e, built, None
        )

    def _annotation(self, stem: str, claims: list[_Claim]) -> AnnotationFile:
        out: list[ClaimAnnotation] = []
        seen: set[tuple[str, str]] = set()
        used: set[str] = set()
        for c in claims:
            quote = self.original[c.start : c.end]
            ident = (c.claimant, " ".join(quote.split()))
            if ident in seen or not quote.strip():
                continue
            seen.add(ident)
            claimant = self._claimant_slug(c.claimant)
            if not c.claimant.startswith("fixed:"):
                used.add(c.claimant)
            used |= c.built.actors
            used |= {k for k in self.channels.intermediaries.values()}
            n = len(out) + 1
            out.append(
                ClaimAnnotation(
                    id=f"x{n:03d}-{claimant[:32].strip('-')}-{c.built.kind}",
                    claimant=claimant,
                    stance=c.stance,  # type: ignore[arg-type]
                    attribution=c.attribution,
                    quote=quote,
                    start=c.start,
                    end=c.end,
                    stated=c.stated,
                    proposition=c.built.proposition,
                    method="extracted",
                )
            )
        if NEW + UNNAMED_OUTLET in used and UNNAMED_OUTLET not in self.reg.new:
            self.reg.new[UNNAMED_OUTLET] = _unnamed_outlet(self.meta)
        local = self.fixed + self.reg.local_actors(used)
        return AnnotationFile(
            document=stem,
            local_actors=local,
            local_channels=list(self.channels.items.values()),
            claims=out,
        )

    def _claimant_slug(self, key: str) -> str:
        if key.startswith("fixed:"):
            return key[len("fixed:") :]
        return self.reg.slug(key)


def _unnamed_outlet(meta: DocumentMeta) -> NewActor:
    return NewActor(
        UNNAMED_OUTLET,
        "outlet",
        "the publisher of this text (not named)",
        meta.title,
        reliability=meta.reliability,
    )


_DATELINE = re.compile(
    r"[A-Z][A-Z .'-]{2,40}(?:,\s+[A-Z][a-z]+\.?\s+\d{1,2})?(?:,\s+\d{4})?\s*"
    r"(?:\([^)]{1,40}\))?\s*[–—-]{1,2}\s*"
)


def _without_dateline(text: str, sent: Sentence) -> Sentence:
    """A sentence without the dateline that opens a wire story ("DOHA, March 12 (Wire) – ")."""
    m = _DATELINE.match(text, sent.start, sent.end)
    if m is None or m.end() >= sent.end:
        return sent
    return Sentence(m.end(), sent.end, sent.whole_line)


def _trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in ",;:*#—-"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:*#—-"):
        end -= 1
    closing = text[end : end + 1] in ("”", '"')  # a quotation's own full stop stays
    if (
        end > start
        and text[end - 1] == "."
        and text[start] not in '“"'
        and not closing
        and not _ABBREVIATED.search(text, start, end)
    ):
        end -= 1
    return start, end


def extract(text: str, meta: DocumentMeta, reference: Reference, stem: str) -> AnnotationFile:
    """The claims of an article, as an annotation file of extracted (unreviewed) claims.

    Args:
        text: the article, exactly as it will be stored (offsets count its code points).
        meta: its metadata; the publication date resolves relative dates and office titles, the
            outlet is the claimant of the outlet's own framing.
        reference: the ontology and reference individuals (``kg.reference.load_reference``).
        stem: the document's stem, written into ``AnnotationFile.document``.
    """
    return _Extraction(text, meta, reference).run(stem)
