"""What the reference data knows, indexed for finding it in text.

Every label of every reference actor, office and channel is a surface form the extractor looks
for, so adding a spelling to ``ontology/individuals/*.ttl`` is how a new variant is taught. Offices
resolve to a person through the office term that holds on the article's date, which is why
"Iran's foreign minister" means Amir-Abdollahian in 2023 and Bagheri in June 2024.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import pyoxigraph as ox

from kg.extract.lexicon import CAPITALS, COUNTRIES, DEMONYMS
from kg.models import ActorKind
from kg.namespaces import BC, ID, RDF, RDFS, SKOS
from kg.reference import Reference

KIND_OF_CLASS: dict[str, ActorKind] = {
    "State": "state",
    "NonStateArmedGroup": "armed-group",
    "Person": "person",
    "Organisation": "organisation",
    "Outlet": "outlet",
    "DiplomaticMission": "mission",
    "CollectiveActor": "collective",
    "UnnamedSource": "unnamed-source",
}
LABEL_PREDICATES = {RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel"}


def normalise(text: str) -> str:
    """Curly apostrophes and quotes as straight ones, one for one, so offsets are unchanged."""
    return text.translate(_STRAIGHTEN)


_STRAIGHTEN = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " "})


@dataclass(frozen=True)
class ActorInfo:
    slug: str
    kind: ActorKind
    label: str
    affiliation: str | None = None


@dataclass(frozen=True)
class OfficeTerm:
    holder: str
    start: dt.date | None
    end: dt.date | None


@dataclass
class OfficeInfo:
    slug: str
    office_of: str | None
    labels: list[str] = field(default_factory=list)
    terms: list[OfficeTerm] = field(default_factory=list)

    def holder(self, on: dt.date | None) -> str | None:
        """The person holding the office on a date; without a date, the sole open-ended holder."""
        if on is None:
            open_terms = [t for t in self.terms if t.end is None]
            return open_terms[0].holder if len(open_terms) == 1 else None
        for t in self.terms:
            if (t.start is None or t.start <= on) and (t.end is None or on <= t.end):
                return t.holder
        return None


@dataclass(frozen=True)
class ChannelInfo:
    slug: str
    label: str
    direct: bool
    intermediary: str | None


@dataclass(frozen=True)
class Entry:
    """What a surface form names: an actor, an office or a channel."""

    kind: str  # "actor" | "office" | "channel"
    slug: str


@dataclass
class Gazetteer:
    actors: dict[str, ActorInfo] = field(default_factory=dict)
    offices: dict[str, OfficeInfo] = field(default_factory=dict)
    channels: dict[str, ChannelInfo] = field(default_factory=dict)
    topics: dict[str, str] = field(default_factory=dict)  # lower-case label -> slug
    names: dict[str, Entry] = field(default_factory=dict)  # surface form -> entry (actors, offices)
    channel_names: dict[str, str] = field(default_factory=dict)  # surface form -> channel slug
    hosted_by: dict[str, str] = field(default_factory=dict)  # mission -> host mission

    @cached_property
    def name_re(self) -> re.Pattern[str]:
        return _alternation(self.names)

    @cached_property
    def channel_re(self) -> re.Pattern[str]:
        return _alternation(self.channel_names)

    @cached_property
    def channel_of_intermediary(self) -> dict[str, str]:
        """Actor -> the reference channel that passes through it.

        A mission's host counts too, and so does the state the host represents: a message "via
        Switzerland" goes through the US interests section that the Swiss embassy hosts.
        """
        found: dict[str, str] = {}
        for ch in self.channels.values():
            if ch.intermediary:
                found.setdefault(ch.intermediary, ch.slug)
        for mission, host in self.hosted_by.items():
            if mission in found:
                found.setdefault(host, found[mission])
                protecting = self.actors[host].affiliation if host in self.actors else None
                if protecting:
                    found.setdefault(protecting, found[mission])
        return found

    @cached_property
    def state_by_name(self) -> dict[str, str]:
        """Country name (and capital, demonym) -> reference state slug, where the reference has it."""
        found: dict[str, str] = {}
        for country, (demonyms, capital) in COUNTRIES.items():
            entry = self.names.get(country) or self.names.get(f"the {country}")
            if entry is None or entry.kind != "actor" or self.actors[entry.slug].kind != "state":
                continue
            for form in (country, capital, *demonyms):
                found[form] = entry.slug
        return found

    def country_state(self, word: str) -> tuple[str | None, str | None]:
        """(reference state slug or None, country name or None) for a country, demonym or capital."""
        country = word if word in COUNTRIES else DEMONYMS.get(word) or CAPITALS.get(word)
        if country is None:
            return None, None
        return self.state_by_name.get(country), country

    def offices_of(self, actor: str) -> list[OfficeInfo]:
        return [o for o in self.offices.values() if o.office_of == actor]


def _alternation(forms: Mapping[str, object]) -> re.Pattern[str]:
    """One regex over all forms, longest first (so "Iran's foreign minister" beats "Iran")."""
    ordered = sorted(forms, key=lambda f: (-len(f), f))
    body = "|".join(re.escape(f) for f in ordered) or r"(?!x)x"
    return re.compile(
        rf"(?<![\w-])(?<!pro-)(?<!anti-)(?:{body})"
        r"(?![\w])(?!-(?:backed|affiliated|aligned|allied|based|led|sponsored|funded|supported)\b)"
    )


def _variants(label: str) -> set[str]:
    """A label as texts write it: straight apostrophes, with and without a leading article."""
    base = normalise(label).strip()
    out = {base}
    for article in ("the ", "The "):
        if base.startswith(article) and len(base) > len(article) + 2:
            out.add(base[len(article) :])
    more = set()
    for form in out:
        if form[:1].islower():
            more.add(form[:1].upper() + form[1:])
        if form.lower().startswith("the "):
            more.add("The " + form[4:])
    return out | more


def _local(iri: str, head: str) -> str | None:
    prefix = f"{ID}{head}/"
    if iri.startswith(prefix) and "/" not in iri[len(prefix) :]:
        return iri[len(prefix) :]
    return None


def build_gazetteer(ref: Reference) -> Gazetteer:
    """Index the reference quads: actors with kinds and labels, offices with terms, channels."""
    by_subject: dict[str, list[tuple[str, ox.NamedNode | ox.Literal | ox.BlankNode]]] = {}
    for q in ref.quads:
        if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(ID):
            by_subject.setdefault(q.subject.value, []).append((q.predicate.value, q.object))  # type: ignore[arg-type]
    g = Gazetteer()

    def values(props: Sequence[tuple[str, object]], pred: str) -> list[str]:
        out = []
        for p, o in props:
            if p == pred and isinstance(o, ox.NamedNode | ox.Literal):
                out.append(o.value)
        return out

    def labels(props: Sequence[tuple[str, object]]) -> list[str]:
        return [o.value for p, o in props if p in LABEL_PREDICATES and isinstance(o, ox.Literal)]

    terms: list[tuple[str, OfficeTerm]] = []
    for iri, props in by_subject.items():
        types = {o for o in values(props, RDF + "type")}
        slug = _local(iri, "actor")
        if slug is not None:
            kind = next((KIND_OF_CLASS[t[len(BC) :]] for t in types if t[len(BC) :] in KIND_OF_CLASS), None)
            if kind is None:
                continue
            aff = [a for a in values(props, BC + "affiliation") + values(props, BC + "representsState")]
            pref = values(props, SKOS + "prefLabel") or labels(props) or [slug]
            g.actors[slug] = ActorInfo(slug, kind, pref[0], _local(aff[0], "actor") if aff else None)
            for label in labels(props):
                for form in _variants(label):
                    g.names.setdefault(form, Entry("actor", slug))
            host = values(props, BC + "hostedBy")
            if host and (h := _local(host[0], "actor")):
                g.hosted_by[slug] = h
            continue
        slug = _local(iri, "office")
        if slug is not None and BC + "Office" in types:
            of = values(props, BC + "officeOf")
            office_info = g.offices.setdefault(slug, OfficeInfo(slug, None))
            office_info.office_of = _local(of[0], "actor") if of else None
            office_info.labels = labels(props)
            continue
        if BC + "OfficeTerm" in types:
            holder = values(props, BC + "holder")
            office = values(props, BC + "office")
            if holder and office:
                start = values(props, BC + "startDate")
                end = values(props, BC + "endDate")
                term = OfficeTerm(
                    _local(holder[0], "actor") or "",
                    dt.date.fromisoformat(start[0]) if start else None,
                    dt.date.fromisoformat(end[0]) if end else None,
                )
                terms.append((_local(office[0], "office") or "", term))
            continue
        slug = _local(iri, "channel")
        if slug is not None and BC + "Channel" in types:
            direct = values(props, BC + "isDirect")
            inter = values(props, BC + "intermediary")
            pref = values(props, SKOS + "prefLabel") or [slug]
            g.channels[slug] = ChannelInfo(
                slug, pref[0], direct == ["true"], _local(inter[0], "actor") if inter else None
            )
            for label in labels(props):
                for form in _variants(label):
                    g.channel_names.setdefault(form, slug)
            continue
        slug = _local(iri, "topic")
        if slug is not None and BC + "Topic" in types:
            for label in labels(props):
                g.topics.setdefault(label.lower(), slug)
    for office_slug, term in terms:
        if office_slug in g.offices:
            g.offices[office_slug].terms.append(term)
    for info in g.offices.values():
        info.terms.sort(key=lambda t: t.start or dt.date.min)
        for label in info.labels:
            for form in _variants(label):
                g.names.setdefault(form, Entry("office", info.slug))
    return g
