"""How well extraction agrees with the curated annotations of the corpus (``kg eval``).

The curated files hold claims, not mentions, so actor linking is scored on what extraction is
for: the set of actors that take part in a document's claims (claimants and every actor of the
propositions). A claim counts as found when an extracted claim has the same claimant, the same
stance and a quote span that overlaps the curated one; claims are paired one to one, the larger
overlap first. On the pairs, the claimed communication is scored role by role: sender,
recipient, parties (as sets), channel, and the kind of proposition.

An actor the reference data defines is compared by its id. Actors local to one document (an
anonymous source, an unnamed outlet, a new person) have ids each side makes up, so they are
compared by their kind only ("local:unnamed-source"). All figures are micro-averaged: the
overall line sums the counts of every document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kg.corpus import SourceDocument, document_stems, read_document
from kg.extract import extract
from kg.models import AnnotationFile, ClaimAnnotation
from kg.reference import Reference, load_reference

CATEGORIES = ("actors", "claims", "kind", "sender", "recipient", "parties", "channel")


@dataclass
class Score:
    """True positives, false positives and false negatives, with the usual ratios."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def precision(self) -> float:
        if self.tp + self.fp == 0:
            return 1.0 if self.fn == 0 else 0.0
        return self.tp / (self.tp + self.fp)

    @property
    def recall(self) -> float:
        if self.tp + self.fn == 0:
            return 1.0 if self.fp == 0 else 0.0
        return self.tp / (self.tp + self.fn)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)

    def as_dict(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


@dataclass
class DocumentEval:
    stem: str
    curated: int
    extracted: int
    scores: dict[str, Score]
    pairs: list[tuple[str, str]] = field(default_factory=list)  # (curated id, extracted id)


@dataclass
class EvalReport:
    documents: list[DocumentEval]

    @property
    def overall(self) -> dict[str, Score]:
        total = {c: Score() for c in CATEGORIES}
        for d in self.documents:
            for c in CATEGORIES:
                total[c].add(d.scores[c])
        return total

    def as_dict(self) -> dict[str, object]:
        return {
            "overall": {c: s.as_dict() for c, s in self.overall.items()},
            "documents": [
                {
                    "document": d.stem,
                    "curated_claims": d.curated,
                    "extracted_claims": d.extracted,
                    "scores": {c: s.as_dict() for c, s in d.scores.items()},
                    "pairs": [{"curated": g, "extracted": p} for g, p in d.pairs],
                }
                for d in self.documents
            ],
        }


class _Canon:
    """Actor ids of one annotation file, made comparable with the other side's."""

    def __init__(self, ann: AnnotationFile, ref: Reference) -> None:
        self.local = {a.id: a.kind for a in ann.local_actors}
        self.ref = ref

    def __call__(self, slug: str | None) -> str | None:
        if slug is None:
            return None
        if slug in self.local and slug not in self.ref.actors:
            return f"local:{self.local[slug]}"
        if slug in self.ref.actors:
            return slug
        return "local:outlet"  # an outlet named only in the metadata


def _actors(ann: AnnotationFile, canon: _Canon) -> set[str]:
    found: set[str] = set()
    for c in ann.claims:
        for slug in (c.claimant, *c.proposition.actors):
            key = canon(slug)
            if key:
                found.add(key)
    return found


def _set_score(gold: set[str], pred: set[str]) -> Score:
    return Score(len(gold & pred), len(pred - gold), len(gold - pred))


def _value_score(gold: str | None, pred: str | None) -> Score:
    s = Score()
    if pred is not None and pred == gold:
        s.tp += 1
    else:
        if pred is not None:
            s.fp += 1
        if gold is not None:
            s.fn += 1
    return s


def _overlap(a: ClaimAnnotation, b: ClaimAnnotation) -> int:
    a0, a1 = a.start or 0, a.end if a.end is not None else (a.start or 0) + len(a.quote)
    b0, b1 = b.start or 0, b.end if b.end is not None else (b.start or 0) + len(b.quote)
    return max(0, min(a1, b1) - max(a0, b0))


def compare(gold: AnnotationFile, pred: AnnotationFile, ref: Reference, stem: str) -> DocumentEval:
    """Score one document's extracted annotations against its curated ones."""
    cg, cp = _Canon(gold, ref), _Canon(pred, ref)
    scores = {c: Score() for c in CATEGORIES}
    scores["actors"] = _set_score(_actors(gold, cg), _actors(pred, cp))
    candidates: list[tuple[int, int, int]] = []
    for i, g in enumerate(gold.claims):
        for j, p in enumerate(pred.claims):
            if cg(g.claimant) != cp(p.claimant) or g.stance != p.stance:
                continue
            overlap = _overlap(g, p)
            if overlap > 0:
                candidates.append((overlap, i, j))
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for _, i, j in sorted(candidates, key=lambda t: (-t[0], t[1], t[2])):
        if i in used_g or j in used_p:
            continue
        used_g.add(i)
        used_p.add(j)
        pairs.append((i, j))
    scores["claims"] = Score(len(pairs), len(pred.claims) - len(pairs), len(gold.claims) - len(pairs))
    for i, j in sorted(pairs):
        gp, pp = gold.claims[i].proposition, pred.claims[j].proposition
        scores["kind"].add(_value_score(gp.kind, pp.kind))
        scores["sender"].add(_value_score(cg(gp.sender), cp(pp.sender)))
        scores["recipient"].add(_value_score(cg(gp.recipient), cp(pp.recipient)))
        scores["parties"].add(
            _set_score({x for x in map(cg, gp.parties) if x}, {x for x in map(cp, pp.parties) if x})
        )
        scores["channel"].add(_value_score(gp.channel, pp.channel))
    return DocumentEval(
        stem,
        len(gold.claims),
        len(pred.claims),
        scores,
        [(gold.claims[i].id, pred.claims[j].id) for i, j in sorted(pairs)],
    )


def evaluate_document(doc: SourceDocument, ref: Reference) -> DocumentEval:
    extracted = extract(doc.text, doc.meta, ref, doc.stem)
    return compare(doc.annotations, extracted, ref, doc.stem)


def evaluate(corpus_dir: Path, ontology_dir: Path, max_bytes: int | None = None) -> EvalReport:
    """Run the extractor on every curated document of the corpus and score it."""
    ref = load_reference(ontology_dir, corpus_dir)
    docs = [read_document(corpus_dir, stem, max_bytes) for stem in document_stems(corpus_dir)]
    return EvalReport([evaluate_document(d, ref) for d in docs if d.annotation_path is not None])
