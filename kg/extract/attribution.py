"""Who says what: reporting frames, their speakers and the words they report.

A frame is a reporting verb or phrase (said, told, confirmed, denied, ruled out, warned,
"according to", "a report by") with its speaker:

* before the verb ("Iran's foreign minister revealed …", "X, who …, mentioned that …"), with only
  auxiliaries, adverbs, a place or a day between them;
* after it, when the verb follows the reported words ("“…,” said one analyst in Tehran");
* after "according to" or "a report by";
* for a participle ("…, saying …", "while ruling out …"), the speaker of the sentence's frame.

The reported words follow the frame ("said that …", "told the press that “…”") or precede it
("“…,” he said", "…, the source said"); a quotation on both sides ("“…,” he added, “…”") is one
report. Pronouns and definite descriptions as speakers ("he", "the source", "the Iranian
diplomat") are resolved to the nearest earlier speaker or person that fits. A sentence that is
only a quotation continues the previous speaker.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from kg.extract.actors import ActorRegistry
from kg.extract.lexicon import AUDIENCE_WORDS, DENIAL_LEMMAS, OBJECT_LEMMAS, REPORTING_FORMS, words
from kg.extract.mentions import Mention
from kg.extract.quotes import Quote
from kg.extract.sentences import Sentence
from kg.extract.spans import SpanList
from kg.extract.stance import verb_negated
from kg.models import Attribution

_FORMS = sorted(REPORTING_FORMS, key=lambda f: -len(f))
REPORTING_RE = re.compile(r"\b(?:" + "|".join(re.escape(f) for f in _FORMS) + r")\b", re.IGNORECASE)
ACCORDING_RE = re.compile(r"\b[Aa]ccording to\s+")
REPORT_BY_RE = re.compile(
    r"\b(?:a|the|an)\s+(?:\w+\s+)?(?:report|statement|interview)s?\s+(?:by|from|in|with)\s+"
)
AUDIENCE_RE = re.compile(
    r"\s+(?:" + "|".join(re.escape(a) for a in sorted(AUDIENCE_WORDS, key=lambda a: -len(a))) + r"|"
    r"(?:a|an|the|his|her|their)\s+(?:[\w-]+\s+){0,2}(?:press|news) conference|"
    r"(?:a|an|the)\s+(?:[\w-]+\s+){0,2}(?:briefing|interview|news agency|newspaper|broadcaster|television|"
    r"channel|radio|website))\b",
    re.IGNORECASE,
)
_LIGHT = frozenset(
    words(
        "has have had was were is are also and then later further again already once would will did does do "
        "been not never 's publicly reportedly quite very however both all each subsequently previously "
        "earlier recently today yesterday himself herself itself themselves had has"
    )
)
_ADJUNCTS = re.compile(
    r"\b(?:on|last|this|late on|early on) (?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
    r"|\b(?:in|during|at) (?:an?|the|his|her) (?:interview|statement|press conference|news conference|"
    r"speech|briefing|meeting|televised address|address|gathering)(?: (?:in|with) [A-Z][\w-]+)?\b"
    r"|\bin [A-Z][\w-]+\b|\bon [A-Z][\w]+\b|\bthrough a translator\b|\bspeaking (?:to|with) [\w ]{1,30}\b",
)
_SUBORDINATE = re.compile(r"\s*(?:While|Although|Though|Even though|Whereas|As|Because|If)\b")
_RELATIVE = re.compile(r",\s+(?:who|which|whose)\b")
_PARENTHETICAL = re.compile(r",[^,]{0,160},|—[^—]{0,160}—|\([^)]{0,160}\)|\[[^\]]{0,160}\]\(#\)")


@dataclass
class _Frame:
    """A reporting cue with its speaker, before its words are delimited."""

    cs: int
    ce: int
    lemma: str
    key: str
    mention: Mention | None
    inverted: bool
    object_end: int | None  # after an audience ("told reporters"); -1: the verb starts the words
    left_edge: int  # where the frame begins (its speaker, or the cue): the words before end here
    nested_from: int | None = None  # the words include a report this frame reports


def lemma_denies(lemma: str) -> bool:
    return lemma in DENIAL_LEMMAS


@dataclass
class Speech:
    """A report: who, with which verb, and which words (``content``) of the text."""

    sentence: Sentence
    speaker: str
    cue: tuple[int, int]
    lemma: str
    content: tuple[int, int]
    attribution: Attribution
    denial: bool
    subject_is_speaker: bool


def light_gap(gap: str) -> bool:
    """Whether only auxiliaries, adverbs, asides, a day or a place lie between speaker and verb."""
    g = gap
    for _ in range(3):
        g2 = _PARENTHETICAL.sub(" ", g)
        if g2 == g:
            break
        g = g2
    g = _ADJUNCTS.sub(" ", g)
    g = g.replace("'s", " ")
    for tok in re.findall(r"[\w'-]+|[^\s\w]", g):
        if tok in (",",):
            continue
        low = tok.lower()
        if low in _LIGHT or (low.endswith("ly") and len(low) > 4):
            continue
        return False
    return True


class Discourse:
    """Who has spoken and who has been named so far, to resolve "he", "the source", "Another"."""

    def __init__(self, registry: ActorRegistry) -> None:
        self.reg = registry
        self.speakers: list[tuple[int, str]] = []
        self.named: list[tuple[int, str]] = []

    def note_mention(self, m: Mention) -> None:
        if m.key and not m.location:
            self.named.append((m.start, m.key))

    def note_speaker(self, pos: int, key: str) -> None:
        self.speakers.append((pos, key))

    def _last(
        self, items: list[tuple[int, str]], pos: int, kinds: tuple[str, ...], state: str | None = None
    ) -> str | None:
        for p, key in reversed(items):
            if p >= pos:
                continue
            if self.reg.kind(key) in kinds and (state is None or self.reg.state_of(key) == state):
                return key
        return None

    def resolve(self, m: Mention, pos: int) -> str | None:
        """The actor a pronoun or definite description stands for, if one fits."""
        if m.key:
            return m.key
        head = (m.head or "").lower()
        if m.form == "pronoun":
            if head in ("he", "she"):
                return self._last(self.speakers, pos, ("person",)) or self._last(self.named, pos, ("person",))
            if head == "they":
                return self._last(self.speakers, pos, ("collective", "unnamed-source", "armed-group"))
            if head == "it":
                return self._last(self.speakers, pos, ("state", "organisation", "outlet", "armed-group"))
            return None
        if m.form == "anaphor":
            if head == "another":
                last = self._last(self.speakers, pos, ("unnamed-source", "collective"))
                if last is None or not last.startswith("new:"):
                    return None
                prev = self.reg.new[last[4:]]
                return self.reg.add(
                    prev.kind,
                    f"another {prev.head or 'source'}",
                    m.text,
                    affiliation=prev.affiliation,
                    head=prev.head,
                    distinct=True,
                )
            for p, key in (*reversed(self.named), *reversed(self.speakers)):
                if p >= pos or not key.startswith("new:"):
                    continue
                new = self.reg.new[key[4:]]
                if new.head and new.head == head.rstrip("s"):
                    return key
            if head.rstrip("s") in ("source", "analyst", "insider", "aide", "adviser", "observer", "expert"):
                return None
            kinds = ("collective",) if head.endswith("s") and head != "leaders" else ("person",)
            return self._last(self.speakers, pos, kinds, m.state) or self._last(
                self.named, pos, kinds, m.state
            )
        return None


class FrameFinder:
    """Finds the reports of one document, sentence by sentence, in text order."""

    def __init__(
        self,
        text: str,
        quotes: list[Quote],
        mentions: list[Mention],
        registry: ActorRegistry,
    ) -> None:
        self.text = text
        self.quotes = quotes
        self.quote_spans = SpanList(quotes)
        self.mentions = SpanList(mentions)
        self.reg = registry
        self.discourse = Discourse(registry)

    def _in_quote(self, pos: int) -> Quote | None:
        return self.quote_spans.around(pos)

    def _mentions(self, start: int, end: int) -> list[Mention]:
        return self.mentions.within(start, end)

    def _speaker_key(self, m: Mention, pos: int) -> str | None:
        key = self.discourse.resolve(m, pos)
        if key is not None and m.key is None and m.form in ("pronoun", "anaphor"):
            m.key = key
        return key

    def _left_subject(self, sent: Sentence, cue: int) -> Mention | None:
        cands = [m for m in self._mentions(sent.start, cue) if not self._in_quote(m.start) and not m.location]
        # "X, who met A, B and C, told …": the relative clause's names are not the speaker
        rel = _RELATIVE.search(self.text, sent.start, cue)
        last_comma = self.text.rfind(",", sent.start, cue)
        region = (rel.start(), last_comma + 1) if rel is not None and last_comma > rel.start() else None
        for m in reversed(cands):
            if m.form in ("group", "both"):
                continue
            if m.form == "pronoun" and (m.head or "") in ("we", "i"):
                continue
            if region is not None and region[0] <= m.start < region[1]:
                continue
            if region is not None and m.end <= region[0]:
                gap = self.text[m.end : region[0]] + " " + self.text[region[1] : cue]
            else:
                gap = self.text[m.end : cue]
            if light_gap(gap):
                return m
        return None

    def _right_subject(self, sent: Sentence, cue_start: int, cue_end: int) -> Mention | None:
        before = self.text[sent.start : cue_start].rstrip()
        if before and before[-1] not in ',”"':
            return None
        for m in self._mentions(cue_end, sent.end):
            if re.fullmatch(r"\s+(?:the\s+)?", self.text[cue_end : m.start]):
                return m
            return None
        return None

    def find(self, sentences: list[Sentence], skip: set[int]) -> list[Speech]:
        """Every report, in order; sentences starting in ``skip`` (headlines) only feed the discourse."""
        speeches: list[Speech] = []
        last_speaker: tuple[int, str] | None = None
        for index, sent in enumerate(sentences):
            found: list[Speech] = []
            if sent.start not in skip:
                found = self._frames(sent)
            if not found and sent.start not in skip and last_speaker is not None:
                cont = self._continuation(sent, index, last_speaker, sentences)
                if cont is not None:
                    found = [cont]
            for s in found:
                self.discourse.note_speaker(s.cue[0], s.speaker)
                last_speaker = (index, s.speaker)
            for m in self._mentions(sent.start, sent.end):
                if (
                    m.form == "pronoun"
                    and m.key is None
                    and m.head in ("he", "she")
                    and not self._in_quote(m.start)
                ):
                    self._speaker_key(m, m.start)
                self.discourse.note_mention(m)
            speeches.extend(found)
        return speeches

    def _continuation(
        self, sent: Sentence, index: int, last: tuple[int, str], sentences: list[Sentence]
    ) -> Speech | None:
        """A sentence that is only a quotation, right after a report, goes on with that speaker."""
        if index - last[0] > 2:
            return None
        q = self._in_quote(sent.start + 1)
        if q is None or q.open != sent.start:
            return None
        if q.outer_end < sent.end - 2:
            return None
        start, end = _trim(self.text, q.start, q.end)
        return Speech(sent, last[1], (q.open, q.open), "say", (start, end), "direct-quote", False, False)

    def _frames(self, sent: Sentence) -> list[Speech]:
        """The reports of one sentence: first each cue's speaker, then the words each one reports."""
        text = self.text
        cues: list[tuple[int, int, str]] = []
        for m in ACCORDING_RE.finditer(text, sent.start, sent.end):
            cues.append((m.start(), m.end(), "according"))
        for m in REPORT_BY_RE.finditer(text, sent.start, sent.end):
            cues.append((m.start(), m.end(), "report"))
        names = [m for m in self._mentions(sent.start, sent.end) if m.form in ("name", "title", "source")]
        for m in REPORTING_RE.finditer(text, sent.start, sent.end):
            if self._in_quote(m.start()) or any(n.start <= m.start() < n.end for n in names):
                continue
            if any(c[0] <= m.start() < c[1] for c in cues):
                continue
            cues.append((m.start(), m.end(), REPORTING_FORMS[m.group().lower()]))
        cues.sort()
        frames: list[_Frame] = []
        for cs, ce, lemma in cues:
            frame = self._speaker(sent, cs, ce, lemma, frames)
            if frame is not None:
                frames.append(frame)
        frames = self._unnest(frames)
        speeches: list[Speech] = []
        sub = _SUBORDINATE.match(text, sent.start, sent.end)
        for i, frame in enumerate(frames):
            nxt = frames[i + 1] if i + 1 < len(frames) else None
            limit = sent.end if nxt is None else nxt.left_edge
            if sub is not None:
                comma = text.find(",", frame.ce, limit)
                if comma > 0 and text.find(",", sent.start, frame.cs) < 0:
                    limit = comma  # "While Tehran has denied X, it now …": the report ends with its clause
            speech = self._content(sent, frame, limit, speeches)
            if speech is not None:
                speeches.append(speech)
        return speeches

    def _unnest(self, frames: list[_Frame]) -> list[_Frame]:
        """Fold a report into the one that reports it.

        "The source explained that Iran says …" and "Iran said …, the source said" are the source's
        reports of what Iran says: one claim, the source's.
        """
        text = self.text
        out = list(frames)
        i = 0
        while i + 1 < len(out):
            a, b = out[i], out[i + 1]
            between = text[a.ce : b.left_edge]
            if b.mention is not None and re.fullmatch(r"[\s,:]*(?:that)?\s*", between) and a.key != b.key:
                out[i] = _Frame(
                    a.cs,
                    a.ce,
                    a.lemma,
                    a.key,
                    a.mention,
                    a.inverted,
                    a.object_end,
                    a.left_edge,
                    nested_from=b.left_edge,
                )
                del out[i + 1]
                continue
            tail = text[b.ce : b.ce + 3]
            reporter_last = (
                not b.inverted
                and b.mention is not None
                and text[: b.left_edge].rstrip().endswith(",")
                and re.match(r"\s*[.,]", tail) is not None
                and a.key != b.key
                and b.lemma in ("say", "add", "explain", "note", "tell")
            )
            if reporter_last:
                out[i + 1] = _Frame(
                    b.cs,
                    b.ce,
                    b.lemma,
                    b.key,
                    b.mention,
                    b.inverted,
                    b.object_end,
                    b.left_edge,
                    nested_from=a.left_edge,
                )
                del out[i]
                continue
            i += 1
        return out

    def _speaker(self, sent: Sentence, cs: int, ce: int, lemma: str, earlier: list[_Frame]) -> _Frame | None:
        """Who speaks for the cue at [cs, ce), or None when the cue is not a report."""
        text = self.text
        if lemma in ("according", "report"):
            after = [
                m
                for m in self._mentions(ce, sent.end)
                if re.fullmatch(
                    r"\s*(?:(?:one|some|two|each|either|both|neither|several|many|all|most) of\s+)?"
                    r"(?:the\s+)?",
                    text[ce : m.start],
                )
            ]
            if not after:
                return None
            reporter = self._speaker_key(after[0], cs)
            if reporter is None:
                return None
            return _Frame(cs, ce, lemma, reporter, after[0], inverted=True, object_end=None, left_edge=cs)
        participle = text[cs:ce].split()[0].lower().endswith("ing")
        before = text[sent.start : cs].rstrip()
        shared = re.search(r",?\s*\b(?:but|and)(?:\s+(?:also|later|then))?$", before)
        mention: Mention | None = None
        inverted = False
        if shared is not None and earlier:  # "X said …, but denied …": one subject, two verbs
            key: str | None = earlier[-1].key
            left = sent.start + shared.start()
        elif participle and earlier and before.endswith((",", "while", "when", "after")):
            key = earlier[-1].key
            left = sent.start + len(re.sub(r"\s*,?\s*(?:while|when|after)$", "", text[sent.start : cs]))
        else:
            mention = self._left_subject(sent, cs)
            if mention is None:
                mention = self._right_subject(sent, cs, ce)
                inverted = mention is not None
            if mention is None:
                return None
            key = self._speaker_key(mention, cs)
            left = mention.start if not inverted else cs
        if key is None:
            return None
        object_end = self._object_end(sent, ce, lemma, key)
        if object_end == -2:
            return None  # "Tehran told the US …" is a communication, not a report
        return _Frame(cs, ce, lemma, key, mention, inverted=inverted, object_end=object_end, left_edge=left)

    def _object_end(self, sent: Sentence, ce: int, lemma: str, key: str) -> int | None:
        """Where the words start after "told X", "warned X": after an audience ("told reporters"),
        at the verb when the speaker addresses another actor (-1), or -2 when the teller is a state
        and the telling is itself the communication."""
        if lemma not in OBJECT_LEMMAS:
            return None
        text = self.text
        aud = AUDIENCE_RE.match(text, ce)
        if aud:
            return aud.end()
        obj = next(
            (m for m in self._mentions(ce, sent.end) if re.fullmatch(r"\s+(?:the\s+)?", text[ce : m.start])),
            None,
        )
        if obj is not None and obj.key:
            if len(_strip_adjuncts(text[obj.end : sent.end]).split()) < 2:
                return obj.end  # "…, Hamdan told Al Jazeera on Tuesday": whom he told, not a message
            return -2 if self.reg.kind(key) in ("state", "organisation") else -1
        return None

    def _content(self, sent: Sentence, f: _Frame, limit: int, earlier: list[Speech]) -> Speech | None:
        """The words a frame reports: after it up to the next frame, or before it."""
        text = self.text
        denial = lemma_denies(f.lemma) and not verb_negated(text, f.cs)
        if f.lemma in ("according", "report"):
            rest_start = f.mention.end if f.mention else f.ce
            if f.lemma == "according":
                if not text[sent.start : f.cs].strip():
                    start, end = rest_start, limit
                else:
                    prev = max([s.content[1] for s in earlier] or [sent.start])
                    start, end = prev, f.cs
            else:
                m = re.match(r"[^,]*?\bthat\s+(?:\w+ed\s+)?", text[rest_start:limit])
                start, end = rest_start + (m.end() if m else 0), limit
            start, end = _trim(text, start, end)
            if end - start < 8:
                return None
            return Speech(
                sent,
                f.key,
                (f.cs, f.ce),
                f.lemma,
                (start, end),
                self._attribution(f.key, start, end),
                False,
                False,
            )
        after_start = f.ce
        if f.object_end is not None and f.object_end > 0:
            after_start = f.object_end
        if f.inverted and f.mention is not None:
            after_start = max(after_start, f.mention.end)
        if f.lemma in OBJECT_LEMMAS and f.object_end is None:
            told = re.match(
                r"\s+(?:the\s+|a\s+|an\s+)?[\w-]+(?:\s+[\w-]+){0,3}?\s+that\b", text[after_start:limit]
            )
            if told is not None:
                after_start += told.end()  # "told the institute that …"
        rest = text[after_start:limit]
        subject_is_speaker = f.object_end == -1
        if subject_is_speaker:
            start, end = f.cs, limit
        elif (
            len(_strip_adjuncts(rest).split()) >= 2
            and not re.match(r"\s*,\s*(?:\w+ing|who|which|whose)\b", rest)
            and not (f.inverted and not re.match(r"\s*:", rest))
        ):
            start = _skip_adjuncts(text, after_start, limit)
            end = limit
            q_before = self._quote_closing_before(f.left_edge)
            q_after = self._in_quote(start + 1) if text[start : start + 1] in '“"' else None
            if q_before is not None and q_after is not None and q_before.open >= sent.start:
                start = q_before.open  # "“…,” he added, “…”": one report on both sides
        else:
            prev_end = max([sent.start, *[s.content[1] for s in earlier], *[s.cue[1] for s in earlier]])
            start, end = prev_end, f.left_edge
            if f.nested_from is not None and f.nested_from < f.left_edge:
                start = f.nested_from
            comma = text.rfind(",", start, end)
            described = re.findall(r"[A-Za-z][\w'-]*", text[comma + 1 : end]) if comma > start else []
            if (
                0 < len(described) <= 3
                and self.quote_spans.around(comma) is None
                and not re.search('[“”"]', text[comma:end])
            ):
                end = comma  # "…, senior Hamas official Osama Hamdan said": the speaker's description
            if len(text[start:end].split()) < 2 and earlier:
                start, end = earlier[-1].content  # "X said A — a position Y confirmed": Y reports A too
        credit = text.find("©", start, end)
        if credit > 0:
            end = credit
        start, end = _trim(text, start, end)
        if end - start < 3 or len(text[start:end].split()) < 2:
            return None
        start, end = _unwrap_quote(text, self.quote_spans, start, end)
        return Speech(
            sent,
            f.key,
            (f.cs, f.ce),
            f.lemma,
            (start, end),
            self._attribution(f.key, start, end),
            denial,
            subject_is_speaker,
        )

    def _quote_closing_before(self, pos: int) -> Quote | None:
        """The quotation that closes just before ``pos`` (nothing but commas and spaces between)."""
        i = bisect_left(self.quote_spans.starts, pos) - 1
        if i < 0:
            return None
        q = self.quote_spans.items[i]
        if q.closed and q.close < pos and re.fullmatch(r"[\s,”\"]*", self.text[q.close : pos]):
            return q
        return None

    def _attribution(self, key: str, start: int, end: int) -> Attribution:
        kind = self.reg.kind(key)
        if key.startswith("new:") and kind in ("unnamed-source",):
            return "anonymous-source"
        if key.startswith("new:") and self.reg.new[key[4:]].head is not None:
            return "anonymous-source"
        quoted = self.quote_spans.within(start - 1, end + 1)
        if quoted and len(quoted) == 1 and quoted[0].start <= start and quoted[0].end >= end:
            return "direct-quote"
        if quoted and quoted[0].open == start and quoted[-1].outer_end >= end:
            return "direct-quote"  # "“…,” he added, “…”": quotations around the frame
        if quoted:
            inside = sum(q.end - q.start for q in quoted)
            return "direct-quote" if inside >= 0.8 * (end - start) else "partial-quote"
        return "indirect-speech"


def _strip_adjuncts(rest: str) -> str:
    out = _ADJUNCTS.sub(" ", rest)
    out = re.sub(r"^[\s,:;.]*(?:that\b)?", "", out)
    return re.sub(r"[\s.,;:”\"]+$", "", out)


def _skip_adjuncts(text: str, start: int, end: int) -> int:
    """Move past ", on Monday in Beirut, that" to where the reported words begin."""
    pos = start
    while pos < end:
        m = re.match(r"[\s,:;]+", text[pos:end])
        if m:
            pos += m.end()
            continue
        m = _ADJUNCTS.match(text, pos, end)
        if m:
            pos = m.end()
            continue
        m = re.match(r"that\b|\w+ly\b(?=[\s,]+(?:that\b|[“\"]))|with [^,]{1,60},(?=\s*that\b)", text[pos:end])
        if m:
            pos += m.end()
            continue
        break
    return pos


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Strip spaces, leading "that"/commas and trailing commas or a final full stop."""
    while start < end and (text[start].isspace() or text[start] in ",:;"):
        start += 1
    if text[start : start + 5].lower() == "that ":
        start += 5
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:—-"):
        end -= 1
    quoted = text[start:end].startswith(("“", '"'))
    if (
        end > start
        and text[end - 1] == "."
        and not quoted
        and not re.search(r"\b(?:[A-Z]\.){2,}$", text[start:end])
    ):
        end -= 1
    return start, end


def _unwrap_quote(text: str, quotes: SpanList[Quote], start: int, end: int) -> tuple[int, int]:
    """When the reported words are one quotation, its words without the marks (and a trailing comma)."""
    for q in quotes.within(start, end + 1):
        tail = text[q.outer_end : end] if q.outer_end <= end else ""
        if q.open == start and q.end <= end and len(tail.split()) <= 4 and not re.search('[“"]', tail):
            s, e = q.start, q.end
            while e > s and (text[e - 1].isspace() or text[e - 1] == ","):
                e -= 1
            return s, e
    return start, end
