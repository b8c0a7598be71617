"""Finding actors by any name they go by: a normalised index over every actor label, cached.

Names are compared in a *compact* form: Unicode-decomposed, accents dropped, case-folded, and
everything but letters and digits removed. So ``Amir-Abdollahian``, ``amirabdollahian`` and
``AMIR ABDOLLAHIAN`` are one key, ``Lebanon’s Hizbullah`` (curly apostrophe) and ``Lebanon's
Hizbullah`` too, and ``Türkiye`` is ``turkiye``. An actor's keys are all its labels
(``rdfs:label``, ``skos:prefLabel``, ``skos:altLabel``: "Hizbullah" finds Hezbollah, "Tehran"
finds Iran as the reference data models it) plus its id. Titles are labels of offices, not of
people, so the full title of an office ("Iran's foreign minister") finds the people who held it,
each with the dates of the term.

**Caching and refresh.** Actors number in the thousands even at a million claims (about 19,000
at 100k synthetic claims, most of them document-local unnamed sources), so the index is built
once per store (four streaming SELECTs, about half a second at 100k claims) and kept in memory.
Each use first runs one cheap query, a *fingerprint* (the number of typed actors and the number
of ``skos:altLabel`` triples, a few milliseconds): a document that brings new local actors, a
retraction that removes some, or a reference update that adds a spelling changes it, and the
index is rebuilt on the next request. An edit that keeps both counts (a renamed label) is picked
up when the entry is older than ``INDEX_TTL_SECONDS``. Indexes are held per store object and go
away with it.
"""

from __future__ import annotations

import difflib
import re
import threading
import time
import unicodedata
import weakref
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

import pyoxigraph as ox

from kg.lookup.vocab import ACTOR_BASE, ACTOR_CLASSES, most_specific, short_id
from kg.namespaces import SKOS
from kg.store import GraphStore

INDEX_TTL_SECONDS: Final = 900.0

_CLASSES: Final = " ".join(f"<{iri}>" for iri in ACTOR_CLASSES)
_TYPES: Final = f"SELECT ?a ?cls WHERE {{ VALUES ?cls {{ {_CLASSES} }} ?a a ?cls }}"
# One query per label property: joined in one query, Oxigraph scans every skos:prefLabel in the
# store (contradictions have one each) and takes seconds at 100k claims.
_LABELS: Final = {
    "pref": f"SELECT ?a ?name WHERE {{ VALUES ?cls {{ {_CLASSES} }} ?a a ?cls ; skos:prefLabel ?name }}",
    "rdfs": f"SELECT ?a ?name WHERE {{ VALUES ?cls {{ {_CLASSES} }} ?a a ?cls ; rdfs:label ?name }}",
    "alt": "SELECT ?a ?name WHERE { ?a skos:altLabel ?name }",
}
_OFFICES: Final = """
SELECT ?office ?p ?name ?holder ?start ?end WHERE {
  ?term bc:office ?office ; bc:holder ?holder .
  VALUES ?p { skos:prefLabel rdfs:label skos:altLabel }
  ?office ?p ?name .
  OPTIONAL { ?term bc:startDate ?start }
  OPTIONAL { ?term bc:endDate ?end }
}
"""
_FINGERPRINT: Final = f"""
SELECT ?actors ?names WHERE {{
  {{ SELECT (COUNT(*) AS ?actors) WHERE {{ VALUES ?cls {{ {_CLASSES} }} ?a a ?cls }} }}
  {{ SELECT (COUNT(*) AS ?names) WHERE {{ ?x <{SKOS}altLabel> ?l }} }}
}}
"""

# How a name matched, best first; "similar" (a spelling within difflib's reach) is offered only
# when nothing matched otherwise.
MATCH_RANKS: Final = ("exact", "office", "prefix", "word", "contains", "similar")


_NOT_ASCII_ALNUM = re.compile(r"[^a-z0-9]+")
_ASCII_WORD = re.compile(r"[a-z0-9]+")


def compact(text: str) -> str:
    """Case-, accent-, space- and punctuation-insensitive form of a name."""
    if text.isascii():  # most names: a fast path with the same result
        return _NOT_ASCII_ALNUM.sub("", text.lower())
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed.casefold() if ch.isalnum() and not unicodedata.combining(ch))


def word_starts(text: str) -> frozenset[int]:
    """Offsets in ``compact(text)`` at which a word of ``text`` begins."""
    starts: set[int] = set()
    pos = 0
    if text.isascii():
        for m in _ASCII_WORD.finditer(text.lower()):
            starts.add(pos)
            pos += len(m.group())
        return frozenset(starts)
    in_word = False
    for ch in unicodedata.normalize("NFKD", text).casefold():
        if unicodedata.combining(ch):
            continue
        if ch.isalnum():
            if not in_word:
                starts.add(pos)
            pos, in_word = pos + 1, True
        else:
            in_word = False
    return frozenset(starts)


@dataclass(frozen=True)
class Term:
    """One person's term in an office, as a search result explains it."""

    office: str
    title: str
    start: str | None
    end: str | None


@dataclass
class IndexedActor:
    iri: str
    id: str
    kind: str | None
    label: str
    names: list[str]
    keys: dict[str, frozenset[int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Match:
    actor: IndexedActor
    how: str
    name: str
    term: Term | None = None

    @property
    def rank(self) -> int:
        return MATCH_RANKS.index(self.how)


class ActorIndex:
    """Every actor with its names, looked up by compact key."""

    def __init__(self, actors: dict[str, IndexedActor], offices: dict[str, list[tuple[str, Term]]]) -> None:
        self.actors = actors
        self.offices = offices
        self.sorted = sorted(actors.values(), key=lambda a: (a.label.casefold(), a.iri))
        self._by_key: dict[str, list[IndexedActor]] = defaultdict(list)
        for a in self.sorted:
            for key in a.keys:
                self._by_key[key].append(a)

    def get(self, iri: str) -> IndexedActor | None:
        return self.actors.get(iri)

    def search(self, text: str) -> list[Match]:
        """Actors whose names match ``text``, best match first, then by label."""
        q = compact(text)
        best: dict[str, Match] = {}

        def offer(m: Match) -> None:
            old = best.get(m.actor.iri)
            if old is None or m.rank < old.rank:
                best[m.actor.iri] = m

        for actor in self.sorted:
            for key, starts in actor.keys.items():
                at = key.find(q)
                if at < 0:
                    continue
                offer(Match(actor, _how(key, q, at, starts), _name_for(actor, key)))
        for holder, term in self.offices.get(q, []):
            if holder in self.actors:
                offer(Match(self.actors[holder], "office", term.title, term))
        if not best:
            for m in self.similar(q):
                offer(m)
        return sorted(best.values(), key=lambda m: (m.rank, m.actor.label.casefold(), m.actor.iri))

    def similar(self, text: str, n: int = 5) -> list[Match]:
        """The actors whose names are closest in spelling (difflib over compact keys)."""
        q = compact(text)
        if not q:
            return []
        close = difflib.get_close_matches(q, list(self._by_key), n=n * 2, cutoff=0.6)
        found: dict[str, Match] = {}
        for key in close:
            for actor in self._by_key[key]:
                found.setdefault(actor.iri, Match(actor, "similar", _name_for(actor, key)))
        return list(found.values())[:n]


def _how(key: str, q: str, at: int, starts: frozenset[int]) -> str:
    if key == q:
        return "exact"
    if at == 0:
        return "prefix"
    return "word" if _at_word(key, q, starts) else "contains"


def _at_word(key: str, q: str, starts: frozenset[int]) -> bool:
    at = key.find(q)
    while at >= 0:
        if at in starts:
            return True
        at = key.find(q, at + 1)
    return False


def _name_for(actor: IndexedActor, key: str) -> str:
    return next((n for n in actor.names if compact(n) == key), actor.id)


# --- building and caching -----------------------------------------------------------------


def _stream(store: GraphStore, sparql: str, names: tuple[str, ...]) -> Iterable[tuple[str | None, ...]]:
    for sol in store.solutions(sparql):
        yield tuple(_value(sol[n]) for n in names)


def _value(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> str | None:
    return None if term is None or isinstance(term, ox.Triple) else term.value


def _label(labels: dict[str, list[str]], fallback: str) -> str:
    for prop in ("pref", "rdfs", "alt"):
        if labels.get(prop):
            return sorted(labels[prop])[0]
    return fallback


def build_index(store: GraphStore) -> ActorIndex:
    types: dict[str, set[str]] = defaultdict(set)
    for a, cls in _stream(store, _TYPES, ("a", "cls")):
        if a is not None and cls is not None:
            types[a].add(cls)
    labels: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for prop, sparql in _LABELS.items():
        for a, name in _stream(store, sparql, ("a", "name")):
            if a in types and name is not None and name not in labels[a][prop]:
                labels[a][prop].append(name)
    actors: dict[str, IndexedActor] = {}
    for iri, classes in types.items():
        ident = short_id(iri, ACTOR_BASE)
        label = _label(labels[iri], ident)
        names = [label, *sorted({n for ns in labels[iri].values() for n in ns} - {label}, key=str.casefold)]
        keys: dict[str, frozenset[int]] = {}
        for text in [*names, ident]:
            key = compact(text)
            if key:
                keys[key] = keys.get(key, frozenset()) | word_starts(text)
        actors[iri] = IndexedActor(iri, ident, most_specific(classes, ACTOR_CLASSES), label, names, keys)
    offices: dict[str, list[tuple[str, Term]]] = defaultdict(list)
    titles: dict[str, str] = {}
    rows = list(_stream(store, _OFFICES, ("office", "p", "name", "holder", "start", "end")))
    for office, _prop, name, *_ in sorted(rows, key=lambda r: (r[1] != SKOS + "prefLabel", r[2] or "")):
        if office is not None and name is not None:
            titles.setdefault(office, name)
    for office, _prop, name, holder, start, end in rows:
        if office is None or name is None or holder is None:
            continue
        term = Term(office, titles[office], start, end)
        entry = (holder, term)
        if entry not in offices[compact(name)]:
            offices[compact(name)].append(entry)
    return ActorIndex(actors, dict(offices))


@dataclass
class _Entry:
    fingerprint: tuple[str | None, ...]
    built: float
    index: ActorIndex


_CACHE: weakref.WeakKeyDictionary[GraphStore, _Entry] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def fingerprint(store: GraphStore) -> tuple[str | None, ...]:
    rows = store.select(_FINGERPRINT)
    return tuple(_value(rows[0].get(k)) for k in ("actors", "names")) if rows else ()


def actor_index(store: GraphStore) -> ActorIndex:
    """The store's actor index, rebuilt when its fingerprint changed or it is too old."""
    fp = fingerprint(store)
    now = time.monotonic()
    with _LOCK:
        entry = _CACHE.get(store)
        if entry is not None and entry.fingerprint == fp and now - entry.built < INDEX_TTL_SECONDS:
            return entry.index
    index = build_index(store)
    with _LOCK:
        _CACHE[store] = _Entry(fp, now, index)
    return index
