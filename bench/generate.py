"""Synthetic benchmark corpus: documents, metadata, annotations and reference actors.

``python -m bench.generate --claims N --out DIR [--seed 42] [--actors 1000]`` writes a corpus in
the layout of ``corpus/`` (see ``corpus/README.md``)::

    DIR/documents/<stem>.txt            the text (UTF-8: ASCII plus a few curly quotes)
    DIR/documents/<stem>.meta.json      the document metadata
    DIR/annotations/<stem>.json         the claims, with exact character offsets
    DIR/reference/actors.ttl            the synthetic reference actors (``syn-0042`` ...)
    DIR/expected_contradictions.jsonl   the contradicting pairs planted on purpose (ground truth)

Every document is built from templates; each claim's quote is inserted while the text is
assembled, so ``text[start:end] == quote`` holds by construction. About 10 claims go into each
document (5-15). A share of claims deliberately contradicts a claim of an earlier document (the
same communication, same parties, same time span, denied or with ``direct`` flipped); a few
documents are reprints of earlier ones. Output is a pure function of ``(n_claims, seed, n_actors)``
and is streamed: only a bounded window of recent documents and claims is kept in memory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BC = "https://w3id.org/backchannel-kg/ontology#"
ACTOR_BASE = "https://w3id.org/backchannel-kg/id/actor/"

# Real reference ids the synthetic corpus mixes in (defined by the project's own reference data).
REAL_ACTORS: dict[str, tuple[str, tuple[str, ...]]] = {
    # slug: (type, labels usable in text; the first is the usual one)
    "iran": ("State", ("Iran", "Tehran", "the Islamic Republic")),
    "us": ("State", ("the United States", "Washington", "the US")),
    "hezbollah": ("NonStateArmedGroup", ("Hezbollah", "Hizbullah", "Hizbollah")),
    "oman": ("State", ("Oman", "Muscat", "the Sultanate of Oman")),
}
REAL_CHANNELS: tuple[str, ...] = (
    "direct",
    "swiss-interests-section",
    "oman",
    "back-channels",
    "qatar",
)
REAL_TOPICS: tuple[str, ...] = (
    "escalation",
    "restraint",
    "regional-war",
    "gaza-war",
    "proxies",
    "threats",
)
ACTOR_TYPES: tuple[str, ...] = ("State", "Person", "NonStateArmedGroup", "Organisation", "Outlet")
GRADES = "ABCDEF"

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

FIRST_DATE = dt.date(2019, 1, 1)
PUB_FIRST = dt.date(2019, 4, 1)
PUB_LAST = dt.date(2025, 12, 31)

# --------------------------------------------------------------------------------------------
# Phrase tables
# --------------------------------------------------------------------------------------------

CHANNEL_PHRASES: dict[str, tuple[str, ...]] = {
    "direct": ("directly", "in direct contacts"),
    "swiss-interests-section": (
        "through the Swiss embassy in Tehran",
        "via the US interests section of the Swiss embassy",
    ),
    "oman": ("through Omani mediators", "via Muscat"),
    "qatar": ("through Qatari mediators", "via Doha"),
    "back-channels": ("through back channels", "via back-channel contacts"),
}
INTERMEDIARY_CHANNELS: tuple[str, ...] = (
    "swiss-interests-section",
    "oman",
    "qatar",
    "back-channels",
)

TOPIC_PHRASES: dict[str, str] = {
    "escalation": "about the risk of escalation",
    "restraint": "about restraint",
    "regional-war": "about the danger of a regional war",
    "gaza-war": "about the war in Gaza",
    "proxies": "about armed proxies",
    "threats": "about threats to shipping",
}
REQUESTS: tuple[tuple[str, str], ...] = (
    ("exercise restraint", "restraint"),
    ("halt attacks on shipping", "threats"),
    ("rein in its allies", "proxies"),
    ("help avoid a wider war", "regional-war"),
    ("help end the war in Gaza", "gaza-war"),
    ("de-escalate", "escalation"),
)
WARNINGS: tuple[tuple[str, str], ...] = (
    ("the conflict could spread across the region", "regional-war"),
    ("it would respond to any attack", "threats"),
    ("further strikes would trigger a response", "escalation"),
    ("its allies would not stay idle", "proxies"),
    ("the war in Gaza could not go on without consequences", "gaza-war"),
)
# (affirming verb phrase, denying verb phrase, topic): a denial states the same proposition.
POSITIONS: tuple[tuple[str, str, str], ...] = (
    ("is seeking a wider war", "is not seeking a wider war", "regional-war"),
    ("was involved in the attacks", "had no role in the attacks", "threats"),
    (
        "controls the armed groups in the region",
        "does not control the armed groups in the region",
        "proxies",
    ),
    (
        "is preparing a military escalation",
        "is not preparing any military escalation",
        "escalation",
    ),
    ("is exercising restraint", "is not exercising restraint", "restraint"),
    ("is backing the war in Gaza", "is not backing the war in Gaza", "gaza-war"),
    ("is committed to de-escalation", "is not committed to de-escalation", "escalation"),
)
# kind: (affirm templates, deny templates); {A}/{B} are parties or sender/recipient labels.
# Each template is (subject, verb phrase).
COMM_TEMPLATES: dict[str, tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]] = {
    "message": (
        (
            ("{A}", "sent a message to {B}"),
            ("{A}", "conveyed a message to {B}"),
            ("{A}", "passed a message to {B}"),
        ),
        (("{A}", "did not send any message to {B}"), ("{A}", "sent no message to {B}")),
    ),
    "message-exchange": (
        (("{A} and {B}", "exchanged messages"), ("{A}", "exchanged messages with {B}")),
        (
            ("{A} and {B}", "did not exchange any messages"),
            ("{A}", "exchanged no messages with {B}"),
        ),
    ),
    "talks": (
        (("{A} and {B}", "held talks"), ("{A}", "held talks with {B}")),
        (("{A} and {B}", "did not hold any talks"), ("{A}", "held no talks with {B}")),
    ),
    "negotiation": (
        (("{A} and {B}", "conducted negotiations"), ("{A}", "negotiated with {B}")),
        (("{A} and {B}", "did not negotiate"), ("{A}", "did not negotiate with {B}")),
    ),
    "communication": (
        (("{A} and {B}", "were in contact"), ("{A}", "was in contact with {B}")),
        (("{A} and {B}", "had no contact"), ("{A}", "had no contact with {B}")),
    ),
}
SUMMARY_VERBS: dict[str, str] = {
    "message": "sent a message to",
    "request": "asked",
    "warning": "warned",
    "message-exchange": "exchanged messages with",
    "talks": "held talks with",
    "negotiation": "negotiated with",
    "communication": "was in contact with",
}

KIND_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("message", 14),
    ("request", 8),
    ("warning", 10),
    ("message-exchange", 16),
    ("talks", 12),
    ("negotiation", 8),
    ("communication", 12),
    ("position", 20),
)
ATTRIBUTION_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("direct-quote", 30),
    ("partial-quote", 12),
    ("indirect-speech", 28),
    ("anonymous-source", 18),
    ("outlet-framing", 12),
)
SAY_VERBS = ("said", "told reporters", "said in a statement", "told a news conference")
ANON_LABELS = (
    "an informed source",
    "a senior official familiar with the talks",
    "a diplomat in the region",
    "people briefed on the contacts",
    "a source close to the negotiations",
)
ANON_AFFILIATED = (
    "a senior official from {X}",
    "a source close to the government of {X}",
    "an adviser to {X}",
)
FILLERS = (
    "Tensions between {A} and {B} have risen sharply in recent weeks.",
    "Officials close to {A} declined to comment.",
    "{A} did not respond to a request for comment.",
    "Analysts said the remarks were aimed at a domestic audience.",
    "The region has been on edge since the start of the conflict.",
    "Diplomats close to {A} said the contacts were at an early stage.",
    "The ministry’s spokesman declined to give details.",
    "Neither side has published a record of the exchanges.",
    "{A} has long accused {B} of destabilising the region.",
    "Markets reacted calmly to the news.",
)
HEADLINES = (
    "Back-channel contacts between {A} and {B} in focus",
    "New claims over contacts between {A} and {B}",
    "{A} and {B}: what was said, and through whom",
    "{C} speaks on ties between {A} and {B}",
    "Mediators report movement between {A} and {B}",
    "Questions over secret contacts between {A} and {B}",
)
DATELINES = (
    "Geneva",
    "Muscat",
    "Doha",
    "Beirut",
    "Tehran",
    "Washington",
    "Vienna",
    "New York",
    "Dubai",
)
MG_DECLARATIONS = (
    "This article was generated by an automated system and has not been reviewed by an editor.",
    "Parts of this report were written with the help of AI tools.",
    "This summary was produced automatically from wire reports.",
)

# Name material for synthetic actors.
SYLLABLES = (
    "ka",
    "lo",
    "ra",
    "mi",
    "ven",
    "dor",
    "sa",
    "tel",
    "bar",
    "nu",
    "zan",
    "qa",
    "rif",
    "hal",
    "mor",
    "ta",
    "shi",
    "val",
    "ke",
    "dan",
    "ur",
    "bel",
    "an",
    "is",
    "om",
    "ar",
    "el",
    "fa",
    "gar",
    "jin",
    "ko",
    "lu",
    "ner",
    "pa",
    "sor",
    "vi",
    "ya",
    "zu",
    "ham",
    "kir",
)
FIRST_NAMES = (
    "Amir",
    "Layla",
    "Hossein",
    "Sara",
    "Karim",
    "Nadia",
    "Omar",
    "Farah",
    "Yusuf",
    "Mina",
    "Daniel",
    "Elena",
    "Victor",
    "Ana",
    "Jonas",
    "Ines",
    "Tariq",
    "Rania",
    "Samir",
    "Leila",
    "Malik",
    "Hana",
    "Reza",
    "Zainab",
    "Pavel",
    "Marta",
    "Idris",
    "Salma",
    "Kamal",
    "Noor",
)
STATE_FORMS = ("{N}ia", "{N}stan", "Republic of {N}", "{N}land", "{N}")
GROUP_FORMS = ("{N} Brigades", "{N} Front", "Movement of {N}", "{N} Resistance", "{N} Guard")
ORG_FORMS = ("{N} Foundation", "{N} Council", "{N} Institute", "{N} Relief Agency", "{N} Forum")
OUTLET_FORMS = ("The {N} Herald", "{N} News Agency", "{N} Times", "Radio {N}", "{N} Daily")
SPELLING_SWAPS = (
    ("k", "q"),
    ("q", "k"),
    ("i", "y"),
    ("u", "ou"),
    ("sh", "ch"),
    ("e", "a"),
    ("o", "u"),
    ("a", "ah"),
)


def _weighted(pairs: Sequence[tuple[str, int]]) -> tuple[list[str], list[int]]:
    names = [p[0] for p in pairs]
    cum, total = [], 0
    for _, w in pairs:
        total += w
        cum.append(total)
    return names, cum


KIND_TABLE = _weighted(KIND_WEIGHTS)
DIRECTIONAL = frozenset({"message", "request", "warning"})
ATTRIBUTION_TABLE = _weighted(ATTRIBUTION_WEIGHTS)


# --------------------------------------------------------------------------------------------
# Data holders
# --------------------------------------------------------------------------------------------


@dataclass
class GenerationSummary:
    """What a run produced."""

    documents: int = 0
    claims: int = 0
    contradicting_pairs: int = 0
    actors: int = 0
    bytes: int = 0
    reprints: int = 0
    seconds: float = 0.0


@dataclass
class Actor:
    slug: str
    type: str
    pref: str
    alts: tuple[str, ...]
    reliability: str | None = None


@dataclass
class Comm:
    """The content of a communication claim, kept to plant contradictions later."""

    stem: str
    claim_id: str
    kind: str
    a: str
    b: str
    channel: str | None
    direct: bool | None
    lo: dt.date
    hi: dt.date
    stance: str
    topics: list[str]
    detail: int = -1  # which request / warning, so a contradiction repeats it


@dataclass
class DraftClaim:
    rel_start: int
    quote: str
    record: dict[str, Any]  # every field except start/end (and quote, added at the end)


# (stem, text, meta, annotations, planted contradictions, number of claims)
DocumentOut = tuple[str, str, dict[str, Any], dict[str, Any], list[dict[str, str]], int]


@dataclass
class PastDocument:
    """A recent document kept for reprints: its body and its claims at body offsets."""

    stem: str
    title: str
    outlet: str
    outlet_label: str
    published: dt.date
    body: str
    claims: list[DraftClaim]
    local_actors: list[dict[str, Any]]


@dataclass
class DocState:
    """What is being assembled for one document."""

    pub: dt.date
    outlet: str | None
    outlet_label: str | None
    claims: list[DraftClaim] = field(default_factory=list)
    local_actors: list[dict[str, Any]] = field(default_factory=list)
    comms: list[Comm] = field(default_factory=list)
    truth: list[dict[str, str]] = field(default_factory=list)
    mentioned: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _fmt(d: dt.date) -> str:
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def _stated(d: dt.date, expression: str | None = None) -> dict[str, Any]:
    v: dict[str, Any] = {"status": "stated", "date": d.isoformat()}
    if expression:
        v["expression"] = expression
    return v


def _inferred(
    d: dt.date | None,
    lo: dt.date | None,
    hi: dt.date | None,
    evidence: str,
    expression: str | None = None,
) -> dict[str, Any]:
    v: dict[str, Any] = {"status": "inferred"}
    if d is not None:
        v["date"] = d.isoformat()
    if lo is not None:
        v["not_before"] = lo.isoformat()
    if hi is not None:
        v["not_after"] = hi.isoformat()
    if expression:
        v["expression"] = expression
    v["evidence"] = [evidence]
    return v


def _month_end(year: int, month: int) -> dt.date:
    if month == 12:
        return dt.date(year, 12, 31)
    return dt.date(year, month + 1, 1) - dt.timedelta(days=1)


def _ttl_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"@en'


# --------------------------------------------------------------------------------------------
# Reference actors
# --------------------------------------------------------------------------------------------


def _variant(rng: random.Random, label: str, taken: set[str]) -> str | None:
    """A plausible alternative spelling of a label (transliteration swap or hyphenation)."""
    for _ in range(6):
        if rng.random() < 0.3 and " " not in label and len(label) > 5:
            cut = rng.randint(2, len(label) - 3)
            cand = label[:cut] + "-" + label[cut:].lower()
        else:
            a, b = SPELLING_SWAPS[rng.randrange(len(SPELLING_SWAPS))]
            pos = label.lower().find(a)
            if pos < 0:
                continue
            repl = b.upper() if label[pos].isupper() else b
            if label[pos].isupper():
                repl = b[:1].upper() + b[1:]
            cand = label[:pos] + repl + label[pos + len(a) :]
        if cand != label and cand not in taken:
            return cand
    return None


def _name(rng: random.Random, lo: int = 2, hi: int = 3) -> str:
    return "".join(SYLLABLES[rng.randrange(len(SYLLABLES))] for _ in range(rng.randint(lo, hi))).capitalize()


def make_actors(n_actors: int, rng: random.Random) -> list[Actor]:
    """``n_actors`` synthetic reference actors: unique preferred labels, spelling variants."""
    n = max(n_actors, 10)
    counts = {
        "Outlet": max(2, round(n * 0.05)),
        "State": max(2, round(n * 0.12)),
        "NonStateArmedGroup": max(1, round(n * 0.10)),
        "Organisation": max(1, round(n * 0.23)),
    }
    counts["Person"] = n - sum(counts.values())
    types = [t for t in ACTOR_TYPES for _ in range(counts[t])]
    rng.shuffle(types)
    width = max(4, len(str(n - 1)))
    taken: set[str] = set()
    actors: list[Actor] = []
    for i, typ in enumerate(types):
        pref = ""
        for attempt in range(50):
            if typ == "Person":
                pref = f"{FIRST_NAMES[rng.randrange(len(FIRST_NAMES))]} {_name(rng)}"
            else:
                forms = {
                    "State": STATE_FORMS,
                    "NonStateArmedGroup": GROUP_FORMS,
                    "Organisation": ORG_FORMS,
                    "Outlet": OUTLET_FORMS,
                }[typ]
                pref = forms[rng.randrange(len(forms))].format(N=_name(rng))
            if attempt > 20:
                pref = f"{pref} {_name(rng, 1, 1)}"
            if pref not in taken:
                break
        if pref in taken:  # pathological: make it unique by construction
            pref = f"{pref} {i}"
        taken.add(pref)
        alts: list[str] = []
        if typ == "Person":
            first, last = pref.split(" ", 1)
            v = _variant(rng, last, taken)
            alts.append(f"{first} {v}" if v else f"{first[0]}. {last}")
            if rng.random() < 0.5:
                alts.append(f"{first[0]}. {last}")
        elif typ == "Organisation" and rng.random() < 0.5:
            alts.append("".join(w[0] for w in pref.split() if w[0].isupper()) + f"-{i}")
            v = _variant(rng, pref, taken)
            if v:
                alts.append(v)
        else:
            v = _variant(rng, pref, taken)
            alts.append(v if v else f"the {pref}")
            if rng.random() < 0.4:
                v2 = _variant(rng, pref, taken | set(alts))
                if v2:
                    alts.append(v2)
        alts = [a for a in dict.fromkeys(alts) if a != pref][:2] or [f"the {pref}"]
        taken.update(alts)
        reliability = GRADES[rng.randrange(6)] if typ == "Outlet" else None
        actors.append(Actor(f"syn-{i:0{width}d}", typ, pref, tuple(alts), reliability))
    return actors


def actors_turtle(actors: Sequence[Actor]) -> str:
    """The actors as Turtle, one block each."""
    out = [
        f"@prefix bc: <{BC}> .",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        "",
        "# Synthetic reference actors for the benchmark corpus (bench/generate.py).",
        "",
    ]
    for a in actors:
        lines = [
            f"<{ACTOR_BASE}{a.slug}> a bc:{a.type} ;",
            f"    skos:prefLabel {_ttl_string(a.pref)} ;",
            "    bc:reviewed true ;",
        ]
        alt = " , ".join(_ttl_string(x) for x in a.alts)
        if a.reliability:
            lines.append(f"    skos:altLabel {alt} ;")
            lines.append(f"    bc:reliability bc:Reliability{a.reliability} .")
        else:
            lines.append(f"    skos:altLabel {alt} .")
        out.append("\n".join(lines))
        out.append("")
    return "\n".join(out)


# --------------------------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------------------------


class CorpusGenerator:
    """Builds documents one at a time from a single seeded random stream."""

    POOL_DOCS = 32  # recent documents kept for reprints
    POOL_COMMS = 2048  # recent communication claims kept for planted contradictions
    P_CONTRADICT = 0.05  # chance a claim slot is used for a contradiction of an earlier claim
    P_REPRINT = 0.02

    def __init__(self, n_claims: int, seed: int, n_actors: int) -> None:
        self.n_claims = n_claims
        self.rng = random.Random(seed)
        self.actors = make_actors(n_actors, self.rng)
        self.labels: dict[str, tuple[str, ...]] = {s: labels for s, (_, labels) in REAL_ACTORS.items()}
        for a in self.actors:
            self.labels[a.slug] = (a.pref, *a.alts)
        by_type: dict[str, list[str]] = {t: [] for t in ACTOR_TYPES}
        for a in self.actors:
            by_type[a.type].append(a.slug)
        self.persons = by_type["Person"]
        self.states = by_type["State"]
        self.groups = by_type["NonStateArmedGroup"] + by_type["Organisation"]
        self.outlets = by_type["Outlet"]
        self.outlet_grade = {a.slug: a.reliability or "F" for a in self.actors if a.type == "Outlet"}
        # parties and subjects: states, armed groups and organisations, some persons
        self.party_pool = self.states + by_type["NonStateArmedGroup"] + by_type["Organisation"]
        self.party_pool += self.persons[: max(1, len(self.persons) // 5)]
        self.comm_pool: list[Comm] = []
        self.doc_pool: list[PastDocument] = []
        self.span_days = (PUB_LAST - PUB_FIRST).days

    # -- picking actors ------------------------------------------------------------------------

    def _skewed(self, items: Sequence[str]) -> str:
        # a few actors appear often, most rarely (as in the news)
        r = self.rng.random()
        return items[int(r * r * len(items))]

    def party(self) -> str:
        r = self.rng.random()
        if r < 0.12:
            return "iran"
        if r < 0.20:
            return "us"
        if r < 0.24:
            return "hezbollah"
        if r < 0.26:
            return "oman"
        return self._skewed(self.party_pool)

    def two_parties(self) -> tuple[str, str]:
        a = self.party()
        b = self.party()
        while b == a:
            b = self.party()
        return a, b

    def label(self, slug: str) -> str:
        labels = self.labels[slug]
        if len(labels) == 1 or self.rng.random() < 0.75:
            return labels[0]
        return labels[1 + self.rng.randrange(len(labels) - 1)]

    def named_claimant(self) -> str:
        r = self.rng.random()
        if r < 0.62:
            return self._skewed(self.persons)
        if r < 0.72:
            return ("iran", "us", "oman")[self.rng.randrange(3)]
        if r < 0.85:
            return self._skewed(self.states)
        if r < 0.88:
            return "hezbollah"
        return self._skewed(self.groups)

    # -- dates -----------------------------------------------------------------------------------

    def pub_date(self, claims_done: int) -> dt.date:
        frac = claims_done / max(self.n_claims, 1)
        d = PUB_FIRST + dt.timedelta(days=int(frac * self.span_days) + self.rng.randint(-3, 3))
        return min(max(d, PUB_FIRST), PUB_LAST)

    def published_value(self, pub: dt.date) -> tuple[str | None, dict[str, Any]]:
        """The line the text shows (if any) and the published date value."""
        r = self.rng.random()
        if r < 0.6:
            expr = _fmt(pub)
            return f"Published {expr}", _stated(pub, expr)
        if r < 0.85:
            hours = self.rng.randint(1, 23)
            expr = f"{hours} HOURS AGO"
            ev = f"Relative timestamp '{expr}' read against the capture time {pub}T23:00Z."
            return expr, _inferred(pub, pub - dt.timedelta(days=1), pub, ev, expr)
        archived = pub + dt.timedelta(days=1)
        ev = f"No date in the text; archived on {archived}, latest event mentioned shortly before."
        return None, _inferred(pub, pub - dt.timedelta(days=7), pub + dt.timedelta(days=1), ev)

    def statement_date(self, pub: dt.date) -> tuple[str, dict[str, Any], dt.date] | None:
        """An optional ' on ...' phrase, its date value and the best date."""
        r = self.rng.random()
        if r < 0.45:
            return None
        if r < 0.72:
            d = pub - dt.timedelta(days=self.rng.randint(0, 14))
            expr = f"on {_fmt(d)}"
            return expr, _stated(d, expr), d
        if r < 0.92:
            back = self.rng.randint(1, 6)
            d = pub - dt.timedelta(days=back)
            expr = f"on {WEEKDAYS[d.weekday()]}"
            ev = f"'{expr}' read as the {WEEKDAYS[d.weekday()]} before publication on {pub}."
            return expr, _inferred(d, d, d, ev, expr), d
        lo = pub.replace(day=1)
        expr = "earlier this month"
        ev = f"'{expr}' read against publication on {pub.isoformat()}."
        return expr, _inferred(None, lo, pub, ev, expr), pub

    def time_span(self, ref: dt.date) -> tuple[str, dict[str, Any], dt.date, dt.date] | None:
        """An optional time phrase for a communication, ending on or before ``ref``."""
        rng = self.rng
        r = rng.random()
        if r < 0.4:
            return None
        if r < 0.55:  # in <Month> <Year>
            y, m = ref.year, ref.month - rng.randint(1, 8)
            while m < 1:
                m += 12
                y -= 1
            lo, hi = dt.date(y, m, 1), _month_end(y, m)
            if lo < FIRST_DATE:
                return None
            expr = f"in {MONTHS[m - 1]} {y}"
            v = {
                "status": "stated",
                "date": lo.isoformat(),
                "not_before": lo.isoformat(),
                "not_after": hi.isoformat(),
            }
            return (
                expr,
                {"start": v, "end": dict(v, date=hi.isoformat()), "expression": expr},
                lo,
                hi,
            )
        if r < 0.68:  # on <date>
            d = ref - dt.timedelta(days=rng.randint(1, 120))
            if d < FIRST_DATE:
                return None
            expr = f"on {_fmt(d)}"
            return expr, {"start": _stated(d), "end": _stated(d), "expression": expr}, d, d
        if r < 0.78:  # between <d1> and <d2>
            lo = ref - dt.timedelta(days=rng.randint(20, 200))
            hi = min(lo + dt.timedelta(days=rng.randint(1, 30)), ref)
            if lo < FIRST_DATE:
                return None
            return self._between(lo, hi)
        if r < 0.90:  # over the past N days
            days = (10, 20, 30, 40, 60, 90)[rng.randrange(6)]
            lo = ref - dt.timedelta(days=days)
            if lo < FIRST_DATE:
                return None
            expr = f"over the past {days} days"
            ev = f"'{expr}' counted back from {ref.isoformat()}."
            return (
                expr,
                {
                    "start": _inferred(lo, None, None, ev),
                    "end": _inferred(ref, None, None, ev),
                    "expression": expr,
                },
                lo,
                ref,
            )
        # last week
        monday = ref - dt.timedelta(days=ref.weekday() + 7)
        sunday = monday + dt.timedelta(days=6)
        if monday < FIRST_DATE:
            return None
        expr = "last week"
        ev = f"'{expr}' read against {ref.isoformat()}."
        return (
            expr,
            {
                "start": _inferred(None, monday, sunday, ev),
                "end": _inferred(None, monday, sunday, ev),
                "expression": expr,
            },
            monday,
            sunday,
        )

    @staticmethod
    def _between(lo: dt.date, hi: dt.date) -> tuple[str, dict[str, Any], dt.date, dt.date]:
        expr = f"on {_fmt(lo)}" if lo == hi else f"between {_fmt(lo)} and {_fmt(hi)}"
        return expr, {"start": _stated(lo), "end": _stated(hi), "expression": expr}, lo, hi

    # -- claims ----------------------------------------------------------------------------------

    def channel_direct(self, kind: str) -> tuple[str | None, bool | None, str]:
        """Channel id, direct flag and the phrase (with leading space, or empty)."""
        rng = self.rng
        if kind == "position":
            return None, None, ""
        if rng.random() < 0.5:
            if rng.random() < 0.2:
                ch = "direct"
                direct: bool | None = True
            else:
                ch = INTERMEDIARY_CHANNELS[rng.randrange(4)]
                direct = False if rng.random() < 0.7 else None
            phrases = CHANNEL_PHRASES[ch]
            return ch, direct, " " + phrases[rng.randrange(len(phrases))]
        r = rng.random()
        if r < 0.15:
            return None, True, " without intermediaries"
        if r < 0.30:
            return None, False, " indirectly"
        return None, None, ""

    @staticmethod
    def channel_phrase(rng: random.Random, channel: str | None, direct: bool | None) -> str:
        if channel:
            phrases = CHANNEL_PHRASES[channel]
            return " " + phrases[rng.randrange(len(phrases))]
        if direct is True:
            return " without intermediaries"
        if direct is False:
            return " indirectly"
        return ""

    def proposition(
        self,
        st: DocState,
        ref: dt.date,
        stance: str,
        planted: Comm | None = None,
        flip_direct: bool = False,
    ) -> tuple[str, str, dict[str, Any], Comm | None]:
        """Subject, verb phrase (with modifiers), the proposition record, and a Comm if any."""
        rng = self.rng
        deny = stance == "denies"
        if planted is not None:
            kind = planted.kind
        else:
            names, cum = KIND_TABLE
            kind = rng.choices(names, cum_weights=cum)[0]
        prop: dict[str, Any] = {"kind": kind}

        if kind == "position":
            subj_id = self.party()
            aff, den, topic = POSITIONS[rng.randrange(len(POSITIONS))]
            subject = self.label(subj_id)
            prop["subjects"] = [subj_id]
            prop["topics"] = [topic]
            prop["summary"] = f"{_cap(self.labels[subj_id][0])} {aff}."
            st.mentioned.append(subj_id)
            return subject, den if deny else aff, prop, None

        if planted is not None:
            a, b = planted.a, planted.b
            if flip_direct:
                if planted.direct:
                    channel: str | None = INTERMEDIARY_CHANNELS[rng.randrange(4)]
                    direct: bool | None = False
                else:
                    channel, direct = ("direct", True) if rng.random() < 0.5 else (None, True)
            else:
                channel, direct = planted.channel, planted.direct
            chan_phrase = self.channel_phrase(rng, channel, direct)
            span: tuple[str, dict[str, Any], dt.date, dt.date] | None = self._between(planted.lo, planted.hi)
        else:
            a, b = self.two_parties()
            channel, direct, chan_phrase = self.channel_direct(kind)
            span = self.time_span(ref)
        la, lb = self.label(a), self.label(b)
        st.mentioned += (a, b)
        topics: list[str] = []
        topic_phrase = ""
        detail = -1
        if kind == "request":
            detail = planted.detail if planted is not None else rng.randrange(len(REQUESTS))
            act, topic = REQUESTS[detail]
            subject = la
            vp = f"did not ask {lb} to {act}" if deny else f"asked {lb} to {act}"
            topics.append(topic)
            summary_tail = f"asked {self.labels[b][0]} to {act}"
        elif kind == "warning":
            detail = planted.detail if planted is not None else rng.randrange(len(WARNINGS))
            threat, topic = WARNINGS[detail]
            subject = la
            vp = f"did not warn {lb} that {threat}" if deny else f"warned {lb} that {threat}"
            topics.append(topic)
            summary_tail = f"warned {self.labels[b][0]} that {threat}"
        else:
            affs, dens = COMM_TEMPLATES[kind]
            pool = dens if deny else affs
            subj_t, vp_t = pool[rng.randrange(len(pool))]
            subject = subj_t.format(A=la, B=lb)
            vp = vp_t.format(A=la, B=lb)
            if planted is not None:
                topics = list(planted.topics)
            elif rng.random() < 0.4:
                topics.append(REAL_TOPICS[rng.randrange(len(REAL_TOPICS))])
            if topics:
                topic_phrase = " " + TOPIC_PHRASES[topics[0]]
            summary_tail = f"{SUMMARY_VERBS[kind]} {self.labels[b][0]}"
        initiator = None
        init_phrase = ""
        if (
            kind in ("message-exchange", "talks", "negotiation", "communication")
            and not deny
            and planted is None
            and rng.random() < 0.15
        ):
            initiator = a if rng.random() < 0.5 else b
            init_phrase = f" at the request of {self.label(initiator)}"
        time_phrase = f" {span[0]}" if span else ""
        vp = f"{vp}{topic_phrase}{chan_phrase}{init_phrase}{time_phrase}"

        if kind in DIRECTIONAL:
            prop["sender"], prop["recipient"] = a, b
        else:
            prop["parties"] = [a, b]
        if channel:
            prop["channel"] = channel
        if direct is not None:
            prop["direct"] = direct
        if initiator:
            prop["initiator"] = initiator
        if span:
            prop["time"] = span[1]
        prop["topics"] = topics
        via = f" ({channel} channel)" if channel else ""
        when = f", {span[0]}" if span else ""
        prop["summary"] = f"{_cap(self.labels[a][0])} {summary_tail}{via}{when}."
        comm = None
        if span:
            comm = Comm("", "", kind, a, b, channel, direct, span[2], span[3], stance, topics, detail)
        return subject, vp, prop, comm

    def claim(self, st: DocState, idx: int, offset: int) -> tuple[str, DraftClaim]:
        """One claim sentence (the text) and its draft record, quote starting in the sentence."""
        rng = self.rng
        claim_id = f"c{idx + 1:02d}"
        planted: Comm | None = None
        flip_direct = False
        if self.comm_pool and rng.random() < self.P_CONTRADICT:
            j = rng.randrange(len(self.comm_pool))
            cand = self.comm_pool[j]
            if cand.hi <= st.pub:
                planted = cand
                self.comm_pool[j] = self.comm_pool[-1]
                self.comm_pool.pop()
        if planted is not None:
            if planted.stance == "affirms" and planted.direct is not None and rng.random() < 0.4:
                stance, flip_direct = "affirms", True
            else:
                stance = "denies" if planted.stance == "affirms" else "affirms"
        else:
            stance = "affirms" if rng.random() < 0.75 else "denies"

        names, cum = ATTRIBUTION_TABLE
        attribution = rng.choices(names, cum_weights=cum)[0]
        if attribution == "outlet-framing" and st.outlet is None:
            attribution = "indirect-speech"

        stated = None
        if attribution in ("direct-quote", "partial-quote", "indirect-speech") and planted is None:
            stated = self.statement_date(st.pub)
        ref = stated[2] if stated else st.pub
        subject, vp, prop, comm = self.proposition(st, ref, stance, planted, flip_direct)
        clause = f"{subject} {vp}"
        on = f" {stated[0]}" if stated else ""

        if attribution == "anonymous-source":
            local_id = f"anon-{len(st.local_actors) + 1}"
            if rng.random() < 0.5:
                affiliated = self.party()
                affil: str | None = affiliated
                form = ANON_AFFILIATED[rng.randrange(len(ANON_AFFILIATED))]
                anon_label = form.format(X=self.label(affiliated))
            else:
                affil = None
                anon_label = ANON_LABELS[rng.randrange(len(ANON_LABELS))]
            local: dict[str, Any] = {"id": local_id, "kind": "unnamed-source", "label": anon_label}
            if affil:
                local["affiliation"] = affil
                st.mentioned.append(affil)
            if rng.random() < 0.5:
                local["reliability"] = "F"
            st.local_actors.append(local)
            claimant = local_id
            if rng.random() < 0.5:
                prefix, quote, suffix = f"According to {anon_label}, ", clause, "."
            else:
                who = st.outlet_label or "reporters"
                prefix, quote, suffix = "“", _cap(clause), f",” {anon_label} told {who}."
        elif attribution == "outlet-framing":
            claimant = st.outlet or ""
            prefix, quote, suffix = "", _cap(clause), "."
        else:
            claimant = self.named_claimant()
            st.mentioned.append(claimant)
            who = self.label(claimant)
            say = SAY_VERBS[rng.randrange(len(SAY_VERBS))] if not stated else "said"
            if attribution == "direct-quote":
                prefix, quote, suffix = "“", _cap(clause), f",” {who} {say}{on}."
            elif attribution == "partial-quote":
                prefix, quote, suffix = f"{_cap(who)} said{on} that {subject} “", vp, "”."
            else:
                prefix, quote, suffix = f"{_cap(who)} said{on} that ", clause, "."

        record: dict[str, Any] = {
            "id": claim_id,
            "claimant": claimant,
            "stance": stance,
            "attribution": attribution,
        }
        if rng.random() < 0.3:
            record["confidence"] = rng.randint(1, 6)
        if stated:
            record["stated"] = stated[1]
        record["proposition"] = prop
        if planted is not None:
            reason = "direct" if flip_direct else "stance"
            record["note"] = f"synthetic contradiction ({reason}) of {planted.stem}#{planted.claim_id}"
            st.truth.append(
                {"a": f"{planted.stem}#{planted.claim_id}", "b": f"#{claim_id}", "reason": reason}
            )
        elif comm is not None:
            comm.claim_id = claim_id
            st.comms.append(comm)
        sentence = f"{prefix}{quote}{suffix}"
        return sentence, DraftClaim(offset + len(prefix), quote, record)

    def filler(self, st: DocState) -> str:
        t = FILLERS[self.rng.randrange(len(FILLERS))]
        if "{A}" not in t:
            return t
        ids = st.mentioned[-4:] or ["iran", "us"]
        a = ids[self.rng.randrange(len(ids))]
        b = self.party()
        while b == a:
            b = self.party()
        return t.format(A=_cap(self.label(a)), B=self.label(b))

    # -- documents -------------------------------------------------------------------------------

    def document(self, serial: int, n: int, claims_done: int) -> DocumentOut:
        """One document of ``n`` claims (or a reprint of an earlier one that fits the budget)."""
        rng = self.rng
        if self.doc_pool and rng.random() < self.P_REPRINT:
            past = self.doc_pool[rng.randrange(len(self.doc_pool))]
            remaining = self.n_claims - claims_done
            if len(past.claims) == remaining or len(past.claims) <= remaining - 5:
                return self.reprint(serial, past, claims_done)

        pub = self.pub_date(claims_done)
        outlet = self._skewed(self.outlets) if rng.random() < 0.97 else None
        st = DocState(pub, outlet, self.label(outlet) if outlet else None)

        body_parts: list[str] = []
        offset = 0
        per_par = 0
        for i in range(n):
            if body_parts:
                sep = "\n\n" if per_par >= rng.randint(1, 3) else " "
                if sep == "\n\n":
                    per_par = 0
                body_parts.append(sep)
                offset += len(sep)
            sentence, draft = self.claim(st, i, offset)
            body_parts.append(sentence)
            offset += len(sentence)
            st.claims.append(draft)
            per_par += 1
            if rng.random() < 0.6:
                f = " " + self.filler(st)
                body_parts.append(f)
                offset += len(f)
        body = "".join(body_parts)

        parties = [m for m in st.mentioned if m != outlet]
        a = parties[0] if parties else "iran"
        b = next((p for p in parties if p != a), "us" if a != "us" else "iran")
        c = parties[2] if len(parties) > 2 else a
        title = _cap(
            HEADLINES[rng.randrange(len(HEADLINES))].format(A=self.label(a), B=self.label(b), C=self.label(c))
        )
        author = self._skewed(self.persons) if rng.random() < 0.6 else None
        dateline = DATELINES[rng.randrange(len(DATELINES))] if rng.random() < 0.4 else None
        pub_line, published = self.published_value(pub)

        header = [title, "\n\n"]
        byline = []
        if author:
            byline.append(f"By {self.label(author)}")
        if st.outlet_label:
            byline.append(st.outlet_label)
        if byline:
            header += [" | ".join(byline), "\n"]
        place_date = " | ".join(x for x in (dateline, pub_line) if x)
        if place_date:
            header += [place_date, "\n"]
        header.append("\n")
        footer = ["\n\n"]
        mg_evidence = None
        if rng.random() < 0.03:
            mg_evidence = MG_DECLARATIONS[rng.randrange(len(MG_DECLARATIONS))]
            footer += [mg_evidence, "\n"]
        outlet_evidence = st.outlet_label
        if st.outlet_label and rng.random() < 0.5:
            outlet_evidence = f"© {st.outlet_label} {pub.year}"
            footer += [outlet_evidence, "\n"]
        meta: dict[str, Any] = {
            "title": title,
            "outlet": outlet,
            "outlet_evidence": outlet_evidence,
            "author": author,
            "language": "en",
            "url": None,
            "dateline": dateline,
            "published": published,
            "machine_generated": mg_evidence is not None,
            "machine_generated_evidence": mg_evidence,
            "reliability": "F" if mg_evidence else (self.outlet_grade[outlet] if outlet else "F"),
            "cites": [],
            "reprint_of": None,
        }
        return self._finish(
            serial,
            "".join(header),
            body,
            "".join(footer),
            meta,
            st.claims,
            st.local_actors,
            st,
            pub,
            outlet,
            st.outlet_label,
        )

    def reprint(self, serial: int, past: PastDocument, claims_done: int) -> DocumentOut:
        rng = self.rng
        pub = max(self.pub_date(claims_done), past.published) + dt.timedelta(days=rng.randint(0, 2))
        pub = min(pub, PUB_LAST)  # never before the original: past.published <= PUB_LAST
        candidates = [o for o in self.outlets if o != past.outlet]
        outlet = self._skewed(candidates) if candidates else past.outlet
        outlet_label = self.label(outlet)
        pub_line, published = self.published_value(pub)
        header = f"{past.title}\n\n{outlet_label}, reprinted from {past.outlet_label}\n"
        if pub_line:
            header += pub_line + "\n"
        header += "\n"
        footer = f"\n\n© {outlet_label} {pub.year}\n"
        meta: dict[str, Any] = {
            "title": past.title,
            "outlet": outlet,
            "outlet_evidence": outlet_label,
            "author": None,
            "language": "en",
            "url": None,
            "dateline": None,
            "published": published,
            "machine_generated": False,
            "machine_generated_evidence": None,
            "reliability": self.outlet_grade[outlet],
            "cites": [past.outlet],
            "reprint_of": past.stem,
        }
        return self._finish(
            serial,
            header,
            past.body,
            footer,
            meta,
            past.claims,
            past.local_actors,
            None,
            pub,
            outlet,
            outlet_label,
        )

    def _finish(
        self,
        serial: int,
        header: str,
        body: str,
        footer: str,
        meta: dict[str, Any],
        drafts: list[DraftClaim],
        local_actors: list[dict[str, Any]],
        st: DocState | None,
        pub: dt.date,
        outlet: str | None,
        outlet_label: str | None,
    ) -> DocumentOut:
        text = header + body + footer
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
        stem = f"syn_{serial:06d}_{digest}"
        shift = len(header)
        claims = []
        for d in drafts:
            rec = dict(d.record)
            start = shift + d.rel_start
            # the README's field order: id, claimant, stance, attribution, quote, start, end, ...
            out = {k: rec.pop(k) for k in ("id", "claimant", "stance", "attribution")}
            out["quote"] = d.quote
            out["start"] = start
            out["end"] = start + len(d.quote)
            out.update(rec)
            claims.append(out)
        ann = {"document": stem, "local_actors": local_actors, "claims": claims}
        truth: list[dict[str, str]] = []
        if st is not None:
            for comm in st.comms:
                comm.stem = stem
                if len(self.comm_pool) < self.POOL_COMMS:
                    self.comm_pool.append(comm)
                else:
                    self.comm_pool[self.rng.randrange(self.POOL_COMMS)] = comm
            for t in st.truth:
                truth.append({"a": t["a"], "b": stem + t["b"], "reason": t["reason"]})
            if outlet and outlet_label:
                past = PastDocument(
                    stem, meta["title"], outlet, outlet_label, pub, body, drafts, local_actors
                )
                if len(self.doc_pool) < self.POOL_DOCS:
                    self.doc_pool.append(past)
                else:
                    self.doc_pool[self.rng.randrange(self.POOL_DOCS)] = past
        return stem, text, meta, ann, truth, len(drafts)


# --------------------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------------------


def _claims_in_next_doc(rng: random.Random, remaining: int) -> int:
    k = min(rng.randint(5, 15), remaining)
    left = remaining - k
    if 0 < left < 5:
        k = remaining if remaining <= 15 else remaining - 5
    return k


def _prepare(out: Path, force: bool) -> None:
    docs, anns = out / "documents", out / "annotations"
    existing = any(docs.iterdir()) if docs.is_dir() else False
    existing = existing or (any(anns.iterdir()) if anns.is_dir() else False)
    if existing:
        if not force:
            raise FileExistsError(f"{out} already holds a corpus; pass force=True (--force) to replace it")
        for d in (docs, anns):
            shutil.rmtree(d, ignore_errors=True)
    for d in (docs, anns, out / "reference"):
        d.mkdir(parents=True, exist_ok=True)


def generate(
    n_claims: int,
    out: Path,
    *,
    seed: int = 42,
    n_actors: int = 1000,
    progress: bool = False,
    force: bool = False,
) -> GenerationSummary:
    """Write a synthetic corpus of ``n_claims`` claims to ``out``; deterministic for a seed."""
    if n_claims < 1:
        raise ValueError("n_claims must be at least 1")
    t0 = time.perf_counter()
    out = Path(out)
    _prepare(out, force)
    gen = CorpusGenerator(n_claims, seed, n_actors)
    summary = GenerationSummary(actors=len(gen.actors))

    ttl = actors_turtle(gen.actors).encode("utf-8")
    (out / "reference" / "actors.ttl").write_bytes(ttl)
    summary.bytes += len(ttl)

    docs_dir = str(out / "documents")
    anns_dir = str(out / "annotations")
    dumps = json.JSONEncoder(ensure_ascii=False).encode  # no indent: keeps the C encoder
    join = os.path.join

    bar = None
    task = None
    if progress:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        bar = Progress(
            TextColumn("generating claims"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
        )
        bar.start()
        task = bar.add_task("claims", total=n_claims)

    def tick(n: int) -> None:
        if bar is not None and task is not None:
            bar.advance(task, n)

    done = 0
    pending_tick = 0
    try:
        with open(out / "expected_contradictions.jsonl", "wb") as truth_file:
            serial = 0
            while done < n_claims:
                k = _claims_in_next_doc(gen.rng, n_claims - done)
                stem, text, meta, ann, truth, produced = gen.document(serial, k, done)
                data = text.encode("utf-8")
                meta_b = dumps(meta).encode("utf-8")
                ann_b = dumps(ann).encode("utf-8")
                with open(join(docs_dir, stem + ".txt"), "wb") as f:
                    f.write(data)
                with open(join(docs_dir, stem + ".meta.json"), "wb") as f:
                    f.write(meta_b)
                with open(join(anns_dir, stem + ".json"), "wb") as f:
                    f.write(ann_b)
                for t in truth:
                    line = (json.dumps(t) + "\n").encode("utf-8")
                    truth_file.write(line)
                    summary.bytes += len(line)
                summary.bytes += len(data) + len(meta_b) + len(ann_b)
                summary.documents += 1
                summary.contradicting_pairs += len(truth)
                if meta["reprint_of"]:
                    summary.reprints += 1
                done += produced
                serial += 1
                pending_tick += produced
                if pending_tick >= 2000:
                    tick(pending_tick)
                    pending_tick = 0
            tick(pending_tick)
    finally:
        if bar is not None:
            bar.stop()
    summary.claims = done
    summary.seconds = time.perf_counter() - t0
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n")[0])
    parser.add_argument("--claims", type=int, required=True, help="number of claims to generate")
    parser.add_argument("--out", type=Path, required=True, help="output corpus directory")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--actors", type=int, default=1000, help="number of synthetic reference actors")
    parser.add_argument("--force", action="store_true", help="replace an existing corpus in --out")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    try:
        s = generate(
            args.claims,
            args.out,
            seed=args.seed,
            n_actors=args.actors,
            progress=not args.quiet,
            force=args.force,
        )
    except FileExistsError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(
        f"{s.claims} claims in {s.documents} documents ({s.reprints} reprints), "
        f"{s.contradicting_pairs} planted contradicting pairs, {s.actors} actors, "
        f"{s.bytes / 1e6:.1f} MB in {s.seconds:.1f} s -> {args.out}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
