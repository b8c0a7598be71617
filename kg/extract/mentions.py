"""Mentions of actors: reference names, titles, new names, anonymous sources, pronouns.

Reference actors are found through every label they have (``kg.extract.gazetteer``). A title
("Iran's foreign minister", "Omani Foreign Minister Badr Albusaidi") resolves through the office
term valid on the article's date, or, when the reference data has no such office, to the person
named beside it, or else to a new person known by the title. Anonymous sources ("an informed
Iranian source", "one analyst in Tehran") and unknown names become new actors, affiliated with
the state their words name. Pronouns and definite descriptions ("he", "the source", "the Iranian
diplomat") are left unresolved here: who they are depends on who spoke last
(``kg.extract.attribution``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from kg.extract.actors import ActorRegistry
from kg.extract.gazetteer import Gazetteer, normalise
from kg.extract.lexicon import (
    ARMED_WORDS,
    CAPITALS,
    COUNTRIES,
    DEMONYMS,
    MONTHS,
    NAME_PARTICLES,
    ORG_WORDS,
    OUTLET_WORDS,
    PERSON_HONORIFICS,
    PLURAL_HEADS,
    ROLE_MODIFIERS,
    ROLE_WORDS,
    SOURCE_DETERMINERS,
    SOURCE_HEADS,
    SOURCE_MODIFIERS,
    WEEKDAYS,
    words,
)
from kg.extract.spans import SpanList
from kg.models import ActorKind


@dataclass
class Mention:
    """A stretch of text that names (or points at) an actor."""

    start: int
    end: int
    text: str
    key: str | None  # actor key, None for pronouns and anaphors until resolved
    form: str  # name | title | source | pronoun | anaphor | group | both
    location: bool = False  # "in Tehran": a place, not an agent
    head: str | None = None  # anaphors: the noun ("source", "diplomat"); pronouns: the pronoun
    state: str | None = None  # anaphors: the state their adjective names ("the Iranian diplomat")

    @property
    def resolved(self) -> bool:
        return self.key is not None


_TOKEN = r"(?:[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)*|[A-Z]{2,}(?![a-z]))"
_PARTICLE = "(?:" + "|".join(re.escape(p) + ("" if p.endswith("-") else r"\s+") for p in NAME_PARTICLES) + ")"
_NAME_RE = re.compile(rf"(?<![\w-])(?:{_PARTICLE}?{_TOKEN})(?:\s+{_PARTICLE}?{_TOKEN}){{0,6}}(?![\w])")
_STOP_CAPS = frozenset(
    words(
        "The A An In On At But And However Meanwhile This That These Those His Her Their Its Our We He She "
        "It "
        "They I If As For From With By To Of After Before While When Since During Despite Although Though "
        "Yet So Now Then Also Both Each Every Some Any No Not Most Many Much More Following Speaking "
        "According Addressing Asked Shortly Earlier Later Last Next Today Yesterday Tomorrow Well Recently "
        "Another One Two Three Sources Officials Western European Arab Islamist Muslim Christian Jewish "
        "Share Skip Related Subscribe Tags News Disclaimer Copyright Photo Reuters AP AFP "
        "Foreign Minister President Prime Leader Supreme Ministry Affairs Spokesman Ambassador"
    )
)
_TITLE_CAPS = frozenset(
    words(
        "Minister President Director Leader Spokesman Spokeswoman Spokesperson Ambassador Secretary Chief "
        "Envoy Commander Speaker Official Adviser Negotiator Premier Chairman Head"
    )
)
_NON_NAME_WORDS = frozenset([*WEEKDAYS, *MONTHS, *COUNTRIES, *DEMONYMS, *CAPITALS])
_PLACE_WORDS = frozenset(
    words(
        "Bank Strip City Sea Gulf East West Heights Valley Island Islands River Province Region Mountains "
        "Square "
        "Street Airport Port Hospital Camp Coast Peninsula Desert Border Crossing Canal Strait Bay Lake "
        "Policy Privacy Terms Cookie Cookies Newsletter Comment Comments Contact Home Page Menu Search Login"
    )
)
_LOCATION_WORDS = frozenset(words("in at near across throughout inside outside around into within"))
MINISTRIES = (
    r"foreign ministry|defen[cs]e ministry|interior ministry|ministry of foreign affairs|foreign office|"
    r"state department|mission to the United Nations"
)
_PRONOUN_RE = re.compile(r"\b(?:[Hh]e|[Ss]he|[Tt]hey|[Ii]t|[Ww]e|I)\b")
_GROUP_RE = re.compile(
    r"\b(?:[Hh]is|[Hh]er|[Tt]heir|[Ii]ts|[Oo]ur) (?:own )?"
    r"(?:government|country|nation|state|leadership|group|movement|party|organi[sz]ation)\b"
)
_BOTH_RE = re.compile(
    r"\b(?:[Tt]he two (?:foes|countries|nations|sides|states|governments|capitals|rivals|adversaries|"
    r"delegations)|"
    r"[Bb]oth (?:sides|countries|nations|governments))\b"
)
_ANAPHOR_HEADS = (
    *(h for h in SOURCE_HEADS if h not in ("person", "people")),
    "minister",
    "diplomat",
    "president",
    "leader",
    "spokesman",
    "spokeswoman",
    "envoy",
    "ambassador",
    "negotiator",
    "official",
    "cleric",
    "ayatollah",
    "monarch",
    "premier",
)


_ANAPHOR_RE = re.compile(
    rf"\b[Tt]he\s+(?:(?P<dem>[A-Z][a-z]+)\s+)?(?:[a-z-]+\s+)?(?P<head>{'|'.join(_ANAPHOR_HEADS)})s?\b"
)


@dataclass(frozen=True)
class _Stretch:
    start: int
    end: int


@lru_cache(maxsize=8)
def _patterns(country_forms: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    countries = "|".join(re.escape(c) for c in sorted(country_forms, key=lambda c: -len(c)))
    roles = "|".join(re.escape(r) for r in sorted(ROLE_WORDS, key=lambda r: -len(r)))
    mods = "|".join(re.escape(m) for m in ROLE_MODIFIERS)
    title = re.compile(
        rf"(?:(?P<country>{countries})(?:'s)?\s+)?(?P<mods>(?i:(?:{mods})\s+)*)(?P<role>(?i:{roles}))"
        rf"(?:\s+of\s+(?P<country2>{countries}))?(?![\w])"
    )
    dets = "|".join(re.escape(d) for d in SOURCE_DETERMINERS)
    source_mods = "|".join(re.escape(m) for m in (*SOURCE_MODIFIERS, *DEMONYMS))
    heads = "|".join(re.escape(h) for h in sorted(SOURCE_HEADS, key=lambda h: -len(h)))
    source = re.compile(
        rf"\b(?P<det>(?i:{dets}|another))\s+(?P<mods>(?:(?:{source_mods}|[a-z]+-[a-z]+)\s+){{0,3}})"
        rf"(?P<head>{heads})\b"
        rf"(?P<tail>\s+(?:in|from|at)\s+(?:the\s+)?(?:{countries}|[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?)"
        rf"|\s+(?:close to|familiar with|with knowledge of|briefed on|involved in)\s+(?:the\s+)?"
        rf"[\w'-]+(?:\s+[\w'-]+){{0,3}}?(?=[,.;:]|\s+(?:said|says|told|who|added|explained)))?"
    )
    demonyms = "|".join(re.escape(d) for d in sorted(DEMONYMS, key=lambda d: -len(d)))
    group = re.compile(
        rf"\b(?P<the>the\s+)?(?P<dem>{demonyms}|{countries})(?:'s)?\s+(?P<noun>(?i:government|authorities|"
        rf"administration|leadership|regime|officials|diplomats|sources|analysts|negotiators|mediators|"
        rf"representatives|leaders|envoys|intermediaries|{MINISTRIES}))\b"
    )
    return title, source, group


class MentionFinder:
    """Finds the mentions of one document, registering new actors as it goes."""

    def __init__(self, gazetteer: Gazetteer, registry: ActorRegistry, on: dt.date | None) -> None:
        self.g = gazetteer
        self.reg = registry
        self.on = on
        forms = set(COUNTRIES) | set(DEMONYMS) | set(CAPITALS)
        for name, entry in gazetteer.names.items():
            if entry.kind == "actor" and gazetteer.actors[entry.slug].kind == "state" and " " not in name:
                forms.add(name)
        self.title_re, self.source_re, self.group_re = _patterns(tuple(sorted(forms)))
        # Countries, capitals and nationals in the plural ("the Norwegians") name states.
        self.plurals = {d + "s" for d in DEMONYMS if d.endswith(("an", "i")) and " " not in d}
        places = sorted({*COUNTRIES, *CAPITALS, *self.plurals}, key=lambda w: -len(w))
        self.place_re = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(w) for w in places) + r")(?![\w-])")

    # --- resolution helpers

    def state_for(self, word: str | None) -> str | None:
        """A state key for a country name, demonym, capital or reference state label."""
        if not word:
            return None
        word = word.strip()
        entry = self.g.names.get(word)
        if entry and entry.kind == "actor" and self.g.actors[entry.slug].kind == "state":
            return entry.slug
        slug, country = self.g.country_state(word)
        if slug:
            return slug
        if country:
            return self.reg.add("state", country, word)
        return None

    def office_holder(self, office: str) -> str | None:
        return self.g.offices[office].holder(self.on)

    def _title_holder(self, state: str | None, role: str) -> str | None:
        """The holder on the article's date of the state's office whose labels contain the role."""
        if state is None or state.startswith("new:"):
            return None
        role = role.lower()
        for office in self.g.offices_of(state):
            if any(
                role == lab.lower() or lab.lower().endswith(" " + role) or lab.lower().startswith(role + " ")
                for lab in office.labels
            ):
                holder = office.holder(self.on)
                if holder:
                    return holder
        return None

    # --- finding

    def find(
        self, text: str, sentence_starts: set[int], headline_spans: list[tuple[int, int]]
    ) -> list[Mention]:
        """All mentions in ``text`` (already normalised), in order, not overlapping."""
        taken: SpanList[Mention] = SpanList()
        headlines = SpanList(_Stretch(s, e) for s, e in headline_spans)

        for m in self.g.name_re.finditer(text):
            entry = self.g.names[m.group()]
            if entry.kind == "actor":
                taken.add(Mention(m.start(), m.end(), m.group(), entry.slug, "name"))
            else:
                holder = self.office_holder(entry.slug)
                if holder:
                    taken.add(Mention(m.start(), m.end(), m.group(), holder, "title"))
                else:
                    office_of = self.g.offices[entry.slug].office_of
                    label = m.group().strip()
                    key = self.reg.add("person", label, m.group(), affiliation=office_of)
                    taken.add(Mention(m.start(), m.end(), m.group(), key, "title"))

        for m in self.group_re.finditer(text):
            clash = taken.overlapping(m.start(), m.end())
            if any(t.start == m.start() and t.end == m.end() for t in clash):
                continue  # the reference data has this very name ("US officials")
            if any(t.start < m.start() or t.end > m.end() for t in clash):
                continue
            state = self.state_for(m.group("dem"))
            if state is None:
                continue
            for t in clash:  # "Iran's foreign ministry" is the ministry, not Iran
                taken.remove(t)
            noun = m.group("noun")
            if noun.lower() in ("government", "authorities", "administration", "leadership", "regime"):
                taken.add(Mention(m.start(), m.end(), m.group(), state, "name"))
            elif re.fullmatch(MINISTRIES, noun, re.IGNORECASE):
                label = f"{m.group('dem')} {noun.lower()}"
                key = self.reg.add("organisation", label, m.group(), affiliation=state)
                taken.add(Mention(m.start(), m.end(), m.group(), key, "name"))
            else:
                label = f"{m.group('dem')} {noun}"
                key = self.reg.add("collective", label, m.group(), affiliation=state)
                taken.add(Mention(m.start(), m.end(), m.group(), key, "source"))

        for m in self.source_re.finditer(text):
            clash = taken.overlapping(m.start(), m.end())
            if any(t.start < m.start() or t.end > m.end() for t in clash):
                continue
            if any(t.start == m.start() for t in clash):
                continue  # a reference name of its own ("Iranian analysts in Tehran")
            head = m.group("head")
            det = m.group("det").lower()
            if det == "senior" and not m.group("mods"):
                continue
            for t in clash:  # "one analyst in Tehran" is the analyst, not Tehran
                taken.remove(t)
            words = (m.group("mods") + (m.group("tail") or "")).split()
            state = next(
                (st for w in words if (st := self.state_for(w) or self.state_for(w.strip(",.")))), None
            )
            plural = head in PLURAL_HEADS and head != "sources"
            kind: ActorKind = "collective" if plural else "unnamed-source"
            label = m.group().strip()
            label = (
                label[0].lower() + label[1:] if label[:1].isupper() and not label.startswith("I ") else label
            )
            key = self.reg.add(
                kind, label, m.group(), affiliation=state, head=head.rstrip("s"), distinct=True
            )
            taken.add(Mention(m.start(), m.end(), m.group(), key, "source", head=head.rstrip("s")))
        for m in re.finditer(r"\bAnother\b(?=\s*(?:said|says|added|told|noted|argued|:))", text):
            if taken.free(m.start(), m.end()):
                taken.add(Mention(m.start(), m.end(), m.group(), None, "anaphor", head="another"))
        for m in self.place_re.finditer(text):
            if not taken.free(m.start(), m.end()) or m.group().isupper():
                continue  # "DOHA, March 12": a dateline, not an actor
            word = m.group()
            state = self.state_for(word[:-1] if word in self.plurals else word)
            if state is not None:
                taken.add(Mention(m.start(), m.end(), word, state, "name"))

        titles: SpanList[Mention] = SpanList()
        for m in self._title_matches(text, taken):
            country = m.group("country") or m.group("country2")
            state = self.state_for(country) if country else None
            role = m.group("role")
            holder = self._title_holder(state, role) if state else None
            before = text[max(0, m.start() - 4) : m.start()]
            mention = Mention(m.start(), m.end(), m.group(), holder, "title", head=role.lower(), state=state)
            if holder is None and state is None and not re.search(r"\b[Tt]he\s+$", before):
                mention.form = "bare-title"  # "Foreign Minister Badr Albusaidi": only with a name
            elif holder is None and state is None:
                article = re.search(r"\b[Tt]he\s+$", before)
                start = m.start() - (len(article.group()) if article else 0)
                if not taken.free(start, m.start()):
                    start = m.start()
                mention = Mention(start, m.end(), text[start : m.end()], None, "anaphor", head=role.lower())
            titles.add(mention)
        names: list[Mention] = []
        for run in _NAME_RE.finditer(text):
            for s, e in self._name_parts(text, run.start(), run.end()):
                if taken.free(s, e) and titles.free(s, e):
                    names.append(Mention(s, e, text[s:e], None, "newname"))
        self._merge_titles_and_names(text, taken, titles, names, sentence_starts, headlines)

        for m in _GROUP_RE.finditer(text):
            if taken.free(m.start(), m.end()):
                taken.add(
                    Mention(m.start(), m.end(), m.group(), None, "group", head=m.group().split()[0].lower())
                )
        for m in _BOTH_RE.finditer(text):
            if taken.free(m.start(), m.end()):
                taken.add(Mention(m.start(), m.end(), m.group(), None, "both"))
        for m in _ANAPHOR_RE.finditer(text):
            if not taken.free(m.start(), m.end()):
                continue
            state = self.state_for(m.group("dem")) if m.group("dem") else None
            if m.group("dem") and state is None:
                continue
            taken.add(
                Mention(m.start(), m.end(), m.group(), None, "anaphor", head=m.group("head"), state=state)
            )
        for m in _PRONOUN_RE.finditer(text):
            if taken.free(m.start(), m.end()):
                taken.add(Mention(m.start(), m.end(), m.group(), None, "pronoun", head=m.group().lower()))
        for mention in taken:
            prep = re.search(r"(\w+)\s+$", text[max(0, mention.start - 12) : mention.start])
            if (
                prep
                and prep.group(1).lower() in _LOCATION_WORDS
                and mention.form == "name"
                and mention.key is not None
                and self.reg.kind(mention.key) in ("state", "mission")
            ):
                mention.location = True
        return list(taken)

    def _title_matches(self, text: str, taken: SpanList[Mention]) -> list[re.Match[str]]:
        """Title matches clear of the mentions found so far; one that runs into a mention is tried
        again right after it ("Qatari Foreign Ministry spokesman": the ministry, then "spokesman")."""
        out: list[re.Match[str]] = []
        pos = 0
        while True:
            m = self.title_re.search(text, pos)
            if m is None:
                return out
            clash = taken.overlapping(m.start(), m.end())
            if clash and m.group("country") and all(m.start() <= t.start and t.end <= m.end() for t in clash):
                same = [t for t in clash if t.start == m.start() and t.end == m.end()]
                office_of = self._office_state(clash)
                country = self.state_for(m.group("country"))
                if not same and (office_of is None or office_of != country):
                    for t in clash:  # "Egypt's foreign minister" is not Iran's, whatever the label says
                        taken.remove(t)
                    clash = []
            if not clash:
                out.append(m)
                pos = m.end()
                continue
            pos = max(max(t.end for t in clash), m.start() + 1)

    def _office_state(self, mentions: list[Mention]) -> str | None:
        """The state of the office a title mention resolved through, if one did."""
        for t in mentions:
            if t.form == "title" and t.key:
                for office in self.g.offices.values():
                    if t.text.strip() in office.labels or any(
                        normalise(lab) == t.text.strip() for lab in office.labels
                    ):
                        return office.office_of
        return None

    def _name_parts(self, text: str, start: int, end: int) -> list[tuple[int, int]]:
        """Trim a capitalised run to the part that can be a name (no leading 'The', months …)."""
        tokens = [(m.start() + start, m.end() + start) for m in re.finditer(r"\S+", text[start:end])]
        while tokens and (
            text[tokens[0][0] : tokens[0][1]] in _STOP_CAPS
            or text[tokens[0][0] : tokens[0][1]] in _NON_NAME_WORDS
        ):
            tokens.pop(0)
        while tokens and text[tokens[-1][0] : tokens[-1][1]] in _NON_NAME_WORDS:
            tokens.pop()
        if not tokens:
            return []
        words = [text[s:e] for s, e in tokens]
        titled = [i for i, w in enumerate(words) if w in _TITLE_CAPS]
        if (
            titled and len(words) - titled[-1] - 1 >= 2
        ):  # "CIA Director William Burns": the name after the title
            tokens, words = tokens[titled[-1] + 1 :], words[titled[-1] + 1 :]
        if any(w in _NON_NAME_WORDS or w in _STOP_CAPS or w in _PLACE_WORDS for w in words):
            return []
        if re.search(r"\b[Tt]he\s+$", text[max(0, tokens[0][0] - 4) : tokens[0][0]]) and not any(
            w in ORG_WORDS or w in OUTLET_WORDS for w in words
        ):
            return []  # "the West Bank": people are not named with an article
        return [(tokens[0][0], tokens[-1][1])]

    def _classify_name(self, surface: str, state: str | None, after_title: bool) -> str | None:
        """A key for an unknown capitalised name: person, organisation, outlet or armed group."""
        words = surface.split()
        if any(w in OUTLET_WORDS for w in words) and not any(w in ("Ministry", "Council") for w in words):
            return self.reg.add("outlet", surface, surface)
        if any(w in ARMED_WORDS for w in words) and not any(w in ("Ministry",) for w in words):
            return self.reg.add("armed-group", surface, surface, affiliation=state)
        if any(w in ORG_WORDS for w in words):
            return self.reg.add("organisation", surface, surface, affiliation=state)
        if len(words) >= 2 or after_title:
            return self.reg.add("person", surface, surface, affiliation=state)
        return None

    def _merge_titles_and_names(
        self,
        text: str,
        taken: SpanList[Mention],
        titles: SpanList[Mention],
        names: list[Mention],
        sentence_starts: set[int],
        headlines: SpanList[_Stretch],
    ) -> None:
        """Join "Title Name" and "Name, title" into one person; resolve lone names and titles."""
        by_start: dict[int, Mention] = {n.start: n for n in names}
        by_end: dict[int, Mention] = {}
        for m in taken:
            if m.key:
                by_end[m.end] = m
            if m.form == "name" and m.key and self.reg.kind(m.key) == "person":
                by_start.setdefault(m.start, m)
        used_names: set[int] = set()
        for t in titles:
            if t.state is None:  # "Qatari Foreign Ministry spokesman": the title belongs to the ministry
                gap = re.search(r"\s*$", text[max(0, t.start - 3) : t.start])
                owner = by_end.get(t.start - (len(gap.group()) if gap else 0))
                if owner is not None and owner.key:
                    t.state = self.reg.state_of(owner.key) or owner.key
            gap_after = re.match(r"\s*,?\s*", text[t.end : t.end + 4])
            nxt = by_start.get(t.end + (gap_after.end() if gap_after else 0))
            if nxt is not None and taken.free(t.start, t.end):
                used_names.add(id(nxt))
                key = nxt.key or self._classify_name(nxt.text, t.state, True)
                if nxt.key is None and key and key.startswith("new:") and t.state:
                    self.reg.new[key[4:]].affiliation = self.reg.new[key[4:]].affiliation or t.state
                if nxt.key is not None:
                    taken.remove(nxt)
                taken.add(Mention(t.start, nxt.end, text[t.start : nxt.end], key, "title"))
                continue
            if t.form == "bare-title" or not taken.free(t.start, t.end):
                continue
            if t.form == "anaphor":
                taken.add(t)
                continue
            if t.key is None:  # a title the reference data has no office for, and no name beside it
                label = t.text.strip()
                t.key = self.reg.add("person", label, t.text, affiliation=t.state)
            taken.add(t)
        for n in names:
            if id(n) in used_names or not taken.free(n.start, n.end):
                continue
            prev = text[max(0, n.start - 14) : n.start]
            honorific = any(prev.rstrip().endswith(h) for h in PERSON_HONORIFICS)
            at_start = n.start in sentence_starts
            single = len(n.text.split()) == 1
            if headlines.around(n.start) is not None:
                continue
            if single and not honorific:
                known = self._surname(n.text)
                if known:
                    taken.add(Mention(n.start, n.end, n.text, known, "name"))
                continue
            if at_start and single:
                continue
            key = self._classify_name(n.text, None, honorific)
            if key:
                taken.add(Mention(n.start, n.end, n.text, key, "name"))

    def _surname(self, word: str) -> str | None:
        """A new person already met whose name ends with this word ("Albusaidi" after "Badr Albusaidi")."""
        for a in self.reg.new.values():
            if a.kind == "person" and a.label.split()[-1] == word and len(a.label.split()) > 1:
                return "new:" + a.slug
        return None
