"""The three contradiction rules, as a keyed join over claim features.

Written first as SPARQL, the rules compared every pair of claims sharing an actor; around hub
actors (Iran and the US are in a fifth of all claims) Oxigraph's plans grew with the square of
the corpus and a 10k-claim build spent minutes in them. Here each claim's features are fetched
once with one-pattern queries, affirming claims are indexed by (pair of actors, kind,
directness) and sorted by the start of their time window, and each rule only looks at the
candidates its key allows. The cost is the size of the index plus the number of candidate
pairs that really share actors, kind and time, which is close to the size of the answer.

The rules, in words:

* **occurrence**: one claim affirms a communication another denies. What is affirmed must
  entail what is denied (the same kind or a kind of it; an exchange of messages entails a
  message each way), between the same actors, in the same direction where the denial gives one,
  in overlapping time; whatever the denial specifies (directness, channel, initiator) must hold
  of the affirmed communication. A denial of *direct* contact also disagrees with affirmed direct
  contact of any comparable kind. The point is the initiator or the directness when the denial
  is about that, else whether it took place at all.
* **directness**: two affirmations of comparable communications between the same actors (one's
  actors include the other's) in overlapping time, one direct and one not, one-way messages
  going the same way.
* **initiator**: two affirmations of comparable communications between exactly the same actors
  in overlapping time naming different initiators.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from kg.namespaces import BC, RDFS
from kg.store import GraphStore

MESSAGE, EXCHANGE, COMMUNICATION = BC + "Message", BC + "MessageExchange", BC + "Communication"
AFFIRMS, DENIES = BC + "Affirms", BC + "Denies"


@dataclass(slots=True)
class Proposition:
    """What a claimed communication says, as sets (the data may repeat a value)."""

    kinds: set[str] = field(default_factory=set)
    senders: set[str] = field(default_factory=set)
    recipients: set[str] = field(default_factory=set)
    parties: set[str] = field(default_factory=set)
    direct: set[bool] = field(default_factory=set)
    channels: set[str] = field(default_factory=set)
    initiators: set[str] = field(default_factory=set)
    kind: str = ""

    @property
    def involved(self) -> frozenset[str]:
        return frozenset(self.senders | self.recipients | self.parties)

    @property
    def directness(self) -> bool | None:
        return next(iter(self.direct)) if len(self.direct) == 1 else None


@dataclass(slots=True)
class Claim:
    iri: str
    stance: str
    prop: Proposition
    lo: dt.date | None = None
    hi: dt.date | None = None


def _overlap(a: Claim, b: Claim) -> bool:
    """Unless one window ends before the other begins, they can be about the same time."""
    if a.hi is not None and b.lo is not None and a.hi < b.lo:
        return False
    return not (b.hi is not None and a.lo is not None and b.hi < a.lo)


def kind_ancestors(store: GraphStore) -> dict[str, set[str]]:
    """Each kind of communication with the kinds it is (itself included), from the ontology.

    The closure is taken here over the store's few ``rdfs:subClassOf`` triples: written as one
    query with ``rdfs:subClassOf*`` on both sides, Oxigraph's zero-length paths walked every term
    in the store (0.4 s at 100k claims, two minutes at a million).
    """
    parents: dict[str, set[str]] = defaultdict(set)
    for k, sup in predicate_pairs(store, RDFS + "subClassOf"):
        parents[k].add(sup)

    def closure(k: str) -> set[str]:
        seen, todo = {k}, [k]
        while todo:
            for sup in parents.get(todo.pop(), ()):
                if sup not in seen:
                    seen.add(sup)
                    todo.append(sup)
        return seen

    kinds = {k: up for k in {COMMUNICATION, *parents} if COMMUNICATION in (up := closure(k))}
    return {k: {sup for sup in up if sup in kinds} for k, up in kinds.items()}


def predicate_pairs(store: GraphStore, predicate: str) -> Iterator[tuple[str, str]]:
    """Subject and object of every ``predicate`` triple, streamed: at a million claims the
    ``rdf:type`` scan alone is tens of millions of rows."""
    return _value_pairs(store, f"SELECT ?s ?o WHERE {{ ?s <{predicate}> ?o }}")


def _value_pairs(store: GraphStore, query: str) -> Iterator[tuple[str, str]]:
    """The values of a two-column SELECT's rows that have both, streamed."""
    for solution in store.solutions(query):
        a, b = solution[0], solution[1]
        if a is not None and b is not None:
            yield a.value, b.value


def load_claims(store: GraphStore, ancestors: dict[str, set[str]]) -> list[Claim]:
    """Every claim about a communication, with what the rules compare, in a dozen plain scans."""
    props: dict[str, Proposition] = defaultdict(Proposition)
    kinds = " ".join(f"<{k}>" for k in sorted(ancestors))
    for p, k in _value_pairs(store, f"SELECT ?p ?k WHERE {{ VALUES ?k {{ {kinds} }} ?p a ?k }}"):
        props[p].kinds.add(k)
    for name, attr in (
        ("sender", "senders"),
        ("recipient", "recipients"),
        ("party", "parties"),
        ("viaChannel", "channels"),
        ("initiator", "initiators"),
    ):
        for p, v in predicate_pairs(store, BC + name):
            if p in props:
                getattr(props[p], attr).add(v)
    for p, v in predicate_pairs(store, BC + "isDirect"):
        if p in props:
            props[p].direct.add(v == "true")
    for prop in props.values():
        # the asserted kind is the most specific one (the reasoner may add its superclasses)
        specific = [k for k in prop.kinds if not any(k != o and k in ancestors[o] for o in prop.kinds)]
        prop.kind = sorted(specific)[0]

    stance = dict(predicate_pairs(store, BC + "stance"))
    claims: dict[str, Claim] = {}
    for c, p in predicate_pairs(store, BC + "proposition"):
        if p in props and c in stance and len(props[p].involved) >= 2:
            claims[c] = Claim(c, stance[c], props[p])
    for c, d in predicate_pairs(store, BC + "windowStart"):
        if c in claims:
            claims[c].lo = dt.date.fromisoformat(d)
    for c, d in predicate_pairs(store, BC + "windowEnd"):
        if c in claims:
            claims[c].hi = dt.date.fromisoformat(d)
    return sorted(claims.values(), key=lambda c: c.iri)


_SHORT = dt.timedelta(days=400)
"""Windows up to this long are found by their start alone (an undated claim's is about a year)."""


class _Bucket:
    """The affirming claims of one (actor pair, kind, directness), arranged for time lookups.

    Claims whose window is closed and at most :data:`_SHORT` long are sorted by start: one that
    overlaps a window beginning at ``since`` must start after ``since - _SHORT``, so a lookup
    bisects on both sides. The others (open or long windows, a few per bucket) are scanned.
    """

    def __init__(self, members: list[Claim]) -> None:
        short = [c for c in members if c.lo is not None and c.hi is not None and c.hi - c.lo <= _SHORT]
        ids = {id(c) for c in short}
        short.sort(key=lambda c: (c.lo or dt.date.min, c.iri))
        self.short = short
        self.starts = [c.lo or dt.date.min for c in short]
        self.wide = sorted((c for c in members if id(c) not in ids), key=lambda c: c.iri)

    def overlapping(self, since: dt.date | None, until: dt.date | None) -> Iterator[Claim]:
        near_min = since is None or since - dt.date.min <= _SHORT
        first = 0 if since is None or near_min else bisect.bisect_left(self.starts, since - _SHORT)
        stop = len(self.short) if until is None else bisect.bisect_right(self.starts, until)
        yield from self.short[first:stop]
        yield from self.wide


class _Index:
    """Claims by (actor pair, kind, directness), each bucket arranged by time window."""

    def __init__(self, claims: Iterable[Claim]) -> None:
        buckets: dict[tuple[str, str, str, bool | None], list[Claim]] = defaultdict(list)
        for c in claims:
            for x, y in itertools.combinations(sorted(c.prop.involved), 2):
                buckets[(x, y, c.prop.kind, c.prop.directness)].append(c)
        self._buckets = {key: _Bucket(members) for key, members in buckets.items()}

    def candidates(
        self,
        pair: tuple[str, str],
        kinds: Iterable[str],
        direct: Iterable[bool | None],
        window: Claim,
    ) -> Iterator[Claim]:
        """Claims on this pair, of these kinds and directness, that may overlap ``window``'s time.

        A superset: the caller still checks :func:`_overlap`.
        """
        for kind in kinds:
            for d in direct:
                bucket = self._buckets.get((pair[0], pair[1], kind, d))
                if bucket is not None:
                    yield from bucket.overlapping(window.lo, window.hi)


def _pairs_of(actors: frozenset[str]) -> list[tuple[str, str]]:
    return list(itertools.combinations(sorted(actors), 2))


def occurrence(
    affirms: _Index, denials: list[Claim], ancestors: dict[str, set[str]]
) -> Iterator[tuple[str, str, str]]:
    entailing: dict[str, list[str]] = {}  # denied kind -> affirmed kinds that entail it
    comparable_only: dict[str, list[str]] = {}  # ... that are comparable but do not entail it
    for kd in ancestors:
        entailing[kd] = [
            ka for ka in ancestors if kd in ancestors[ka] or (kd == MESSAGE and EXCHANGE in ancestors[ka])
        ]
        comparable_only[kd] = [ka for ka in ancestors if ka in ancestors[kd] and ka not in entailing[kd]]
    for d in denials:
        p = d.prop
        denied_direct = p.directness
        kinds = entailing[p.kind] + (comparable_only[p.kind] if denied_direct else [])
        direct: tuple[bool | None, ...] = (
            (denied_direct,) if denied_direct is not None else (True, False, None)
        )
        key = _pairs_of(p.involved)[0]
        for a in affirms.candidates(key, kinds, direct, d):
            q = a.prop
            if not (p.involved <= q.involved and _overlap(a, d)):
                continue
            if any(s not in q.senders and s not in q.parties for s in p.senders):
                continue
            if any(r not in q.recipients and r not in q.parties for r in p.recipients):
                continue
            if not (p.channels <= q.channels and p.initiators <= q.initiators):
                continue
            point = (
                "InitiatorPoint"
                if p.initiators
                else "DirectnessPoint"
                if denied_direct
                else "OccurrencePoint"
            )
            yield a.iri, d.iri, point


def _comparable(k1: str, k2: str, ancestors: dict[str, set[str]]) -> bool:
    return k1 in ancestors[k2] or k2 in ancestors[k1]


def directness(
    affirms: _Index, direct: list[Claim], ancestors: dict[str, set[str]]
) -> Iterator[tuple[str, str, str]]:
    for a in direct:
        p = a.prop
        kinds = [k for k in ancestors if _comparable(p.kind, k, ancestors)]
        seen: set[str] = set()
        for pair in _pairs_of(p.involved):
            for b in affirms.candidates(pair, kinds, (False,), a):
                q = b.prop
                if b.iri in seen or not _overlap(a, b):
                    continue
                seen.add(b.iri)
                if not (p.involved <= q.involved or q.involved <= p.involved):
                    continue
                if p.senders and q.senders and p.senders != q.senders:
                    continue
                yield a.iri, b.iri, "DirectnessPoint"


def initiator(
    affirms: _Index, named: list[Claim], ancestors: dict[str, set[str]]
) -> Iterator[tuple[str, str, str]]:
    for a in named:
        p = a.prop
        kinds = [k for k in ancestors if _comparable(p.kind, k, ancestors)]
        key = _pairs_of(p.involved)[0]
        for b in affirms.candidates(key, kinds, (True, False, None), a):
            q = b.prop
            if b.iri <= a.iri or not q.initiators or q.involved != p.involved or not _overlap(a, b):
                continue
            if any(i1 != i2 for i1 in p.initiators for i2 in q.initiators):
                yield a.iri, b.iri, "InitiatorPoint"


def run(store: GraphStore) -> Iterator[tuple[str, str, str]]:
    """Every (claim, claim, point) the rules derive; a pair may come more than once."""
    ancestors = kind_ancestors(store)
    if COMMUNICATION not in ancestors:
        return
    claims = load_claims(store, ancestors)
    affirmed = [c for c in claims if c.stance == AFFIRMS]
    index = _Index(affirmed)
    yield from occurrence(index, [c for c in claims if c.stance == DENIES], ancestors)
    yield from directness(index, [c for c in affirmed if c.prop.directness is True], ancestors)
    yield from initiator(index, [c for c in affirmed if c.prop.initiators], ancestors)
