"""Channels and intermediaries, with the pairs of actors each is claimed to link.

A pair is read off the propositions that go through the channel: sender and recipient of a
message (in that order), or two parties of talks or an exchange (``mutual``, in IRI order).
Counts are of claims, split by stance, so a channel that is only ever denied shows as such.
Channels are reference data (a handful), so the list is short and sorted by claim count.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Final

from kg.lookup.models import ChannelOut, ChannelPair, Page
from kg.lookup.names import actor_index
from kg.lookup.params import Paging
from kg.lookup.rows import actor_ref, integer, text
from kg.lookup.vocab import CHANNEL_BASE, CHANNEL_TYPES, STANCES, most_specific, short_id, slug_of
from kg.store import GraphStore

_CHANNELS: Final = """
SELECT ?ch ?label ?type ?direct ?via WHERE {
  ?ch a bc:Channel .
  OPTIONAL { ?ch skos:prefLabel ?label }
  OPTIONAL { ?ch bc:channelType ?type }
  OPTIONAL { ?ch bc:isDirect ?direct }
  OPTIONAL { ?ch bc:intermediary ?via }
}
"""
_CLAIMS: Final = """
SELECT ?ch ?stance (COUNT(DISTINCT ?c) AS ?n) WHERE {
  ?p bc:viaChannel ?ch . ?c bc:proposition ?p ; bc:stance ?stance .
} GROUP BY ?ch ?stance
"""
_PAIRS: Final = """
SELECT ?ch ?from ?to ?mutual ?stance (COUNT(DISTINCT ?c) AS ?n) WHERE {
  ?p bc:viaChannel ?ch .
  { ?p bc:sender ?from ; bc:recipient ?to BIND (false AS ?mutual) }
  UNION
  { ?p bc:party ?from , ?to FILTER (STR(?from) < STR(?to)) BIND (true AS ?mutual) }
  ?c bc:proposition ?p ; bc:stance ?stance .
} GROUP BY ?ch ?from ?to ?mutual ?stance
"""


def listing(store: GraphStore, paging: Paging) -> Page[ChannelOut]:
    index = actor_index(store)
    info: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for r in store.select(_CHANNELS):
        ch = text(r, "ch") or ""
        for key in ("label", "type", "direct", "via"):
            value = text(r, key)
            if value is not None and value not in info[ch][key]:
                info[ch][key].append(value)
    by_stance: dict[str, dict[str, int]] = defaultdict(lambda: {s: 0 for s in STANCES})
    for r in store.select(_CLAIMS):
        by_stance[text(r, "ch") or ""][slug_of(text(r, "stance") or "")] = integer(r, "n")
    pairs: dict[str, dict[tuple[str, str, bool], dict[str, int]]] = defaultdict(
        lambda: defaultdict(lambda: {s: 0 for s in STANCES})
    )
    for r in store.select(_PAIRS):
        pair = (text(r, "from") or "", text(r, "to") or "", text(r, "mutual") == "true")
        pairs[text(r, "ch") or ""][pair][slug_of(text(r, "stance") or "")] = integer(r, "n")
    channels = []
    for ch in set(info) | set(by_stance):
        fields = info.get(ch, {})
        direct = fields.get("direct", [])
        via = fields.get("via", [])
        counts = by_stance.get(ch, {s: 0 for s in STANCES})
        channels.append(
            ChannelOut(
                id=short_id(ch, CHANNEL_BASE),
                iri=ch,
                label=min(fields.get("label", []), default=None),
                type=most_specific(fields.get("type", []), CHANNEL_TYPES),
                direct=direct[0] == "true" if direct else None,
                intermediary=actor_ref(index, via[0]) if via else None,
                claim_count=sum(counts.values()),
                claims_by_stance=counts,
                pairs=sorted(
                    (
                        ChannelPair(
                            from_=actor_ref(index, a),
                            to=actor_ref(index, b),
                            mutual=mutual,
                            claim_count=sum(n.values()),
                            claims_by_stance=n,
                        )
                        for (a, b, mutual), n in pairs.get(ch, {}).items()
                    ),
                    key=lambda p: (-p.claim_count, p.from_.id, p.to.id),
                ),
            )
        )
    channels.sort(key=lambda c: (-c.claim_count, c.id))
    window = channels[paging.offset : paging.offset + paging.limit]
    return Page[ChannelOut](total=len(channels), limit=paging.limit, offset=paging.offset, items=window)
