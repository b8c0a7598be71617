"""Reading the corpus: texts, metadata and annotations, checked against each other.

A document is only compiled when everything about it holds: the text is UTF-8, the metadata and
annotations have the documented shape, every quote sits at its offsets, every id it points at is
defined. The checks collect every problem of a document (not just the first), each naming the
file and the entry, because an annotator fixes them all in one sitting.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from kg.errors import CorpusRejected, Problem
from kg.models import AnnotationFile, DocumentMeta
from kg.reference import Reference

try:  # the C loader is ten times faster on big corpora; fall back when libyaml is absent
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


class _Loader(_BaseLoader):
    """Safe YAML without YAML's own timestamp conversion.

    PyYAML turns ``2024-02-30`` into a crash (``ValueError``) before validation can name the
    entry; dates stay strings here and pydantic reports an impossible one where it is.
    """


_Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}

META_SUFFIXES = (".meta.yaml", ".meta.yml", ".meta.json")
ANNOTATION_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class SourceDocument:
    """A document ready to compile: its text, its metadata and its claims."""

    stem: str
    text_path: Path
    text: str
    sha256: str
    meta: DocumentMeta
    annotations: AnnotationFile
    meta_path: Path
    annotation_path: Path | None

    @property
    def key(self) -> str:
        """The content-derived key of the document: IRIs hang off it, so rebuilding is idempotent."""
        return self.sha256[:16]


def document_stems(corpus_dir: Path) -> list[str]:
    """The documents of a corpus, in a stable order (the file names)."""
    return sorted(p.name[: -len(".txt")] for p in (corpus_dir / "documents").glob("*.txt"))


def _find(base: Path, stem: str, suffixes: tuple[str, ...]) -> Path | None:
    for suffix in suffixes:
        candidate = base / f"{stem}{suffix}"
        if candidate.is_file():
            return candidate
    return None


class _NotUtf8(ValueError):
    pass


def _read_structured(path: Path) -> Any:
    """Parse a YAML or JSON record; the bytes must be UTF-8 (the parsers would guess UTF-16)."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8", errors="strict")
    except UnicodeDecodeError as e:
        raise _NotUtf8(f"not UTF-8: byte 0x{raw[e.start]:02x} at offset {e.start}") from e
    if path.suffix == ".json":
        return json.loads(text)
    return yaml.load(text, Loader=_Loader)  # a SafeLoader subclass


def _pydantic_problems(path: Path, err: ValidationError, prefix: str = "") -> list[Problem]:
    problems = []
    for e in err.errors():
        loc = ".".join(str(x) for x in e["loc"])
        problems.append(Problem(str(path), f"{prefix}{loc}" if loc else prefix.rstrip("."), e["msg"]))
    return problems


def _entry_name(data: Any, loc_index: int) -> str:
    """Name a claim by its id when it has one, so messages say 'claim fm-denial', not 'claims.7'."""
    try:
        claim_id = data["claims"][loc_index]["id"]
    except (KeyError, IndexError, TypeError):
        return f"claims[{loc_index}]"
    return f"claim {claim_id}"


def read_document(corpus_dir: Path, stem: str, max_bytes: int | None = None) -> SourceDocument:
    """Read one document and its records; raise ``CorpusRejected`` listing every problem."""
    text_path = corpus_dir / "documents" / f"{stem}.txt"
    problems: list[Problem] = []
    raw = text_path.read_bytes()
    if max_bytes is not None and len(raw) > max_bytes:
        raise CorpusRejected(
            [Problem(str(text_path), "", f"text is {len(raw)} bytes, over the limit of {max_bytes}")]
        )
    try:
        text = raw.decode("utf-8", errors="strict")
    except UnicodeDecodeError as e:
        raise CorpusRejected(
            [Problem(str(text_path), "", f"not UTF-8: byte 0x{raw[e.start]:02x} at offset {e.start}")]
        ) from e
    if not text.strip():
        raise CorpusRejected([Problem(str(text_path), "", "the text is empty")])

    meta_path = _find(corpus_dir / "documents", stem, META_SUFFIXES)
    meta: DocumentMeta | None = None
    if meta_path is None:
        problems.append(Problem(str(text_path), "", f"no metadata file {stem}.meta.yaml beside it"))
    else:
        try:
            meta = DocumentMeta.model_validate(_read_structured(meta_path))
        except ValidationError as e:
            problems += _pydantic_problems(meta_path, e)
        except _NotUtf8 as e:
            problems.append(Problem(str(meta_path), "", str(e)))
        except (yaml.YAMLError, json.JSONDecodeError) as e:
            problems.append(Problem(str(meta_path), "", f"does not parse: {e}"))

    ann_path = _find(corpus_dir / "annotations", stem, ANNOTATION_SUFFIXES)
    annotations = AnnotationFile(document=stem)
    if ann_path is not None:
        try:
            data = _read_structured(ann_path)
        except _NotUtf8 as e:
            problems.append(Problem(str(ann_path), "", str(e)))
        except (yaml.YAMLError, json.JSONDecodeError) as e:
            problems.append(Problem(str(ann_path), "", f"does not parse: {e}"))
        else:
            try:
                annotations = AnnotationFile.model_validate(data)
            except ValidationError as e:
                for err in e.errors():
                    loc = list(err["loc"])
                    entry = ".".join(str(x) for x in loc)
                    if len(loc) >= 2 and loc[0] == "claims" and isinstance(loc[1], int):
                        rest = ".".join(str(x) for x in loc[2:])
                        entry = _entry_name(data, loc[1]) + (f" {rest}" if rest else "")
                    problems.append(Problem(str(ann_path), entry, err["msg"]))

    if problems or meta is None or meta_path is None:
        raise CorpusRejected(problems)
    return SourceDocument(
        stem=stem,
        text_path=text_path,
        text=text,
        sha256=hashlib.sha256(raw).hexdigest(),
        meta=meta,
        annotations=annotations,
        meta_path=meta_path,
        annotation_path=ann_path,
    )


def check_document(doc: SourceDocument, ref: Reference, known_stems: set[str]) -> list[Problem]:
    """Cross-checks that need the text and the reference data; returns every problem found."""
    problems: list[Problem] = []
    ann_file = str(doc.annotation_path or doc.text_path.parent.parent / "annotations" / f"{doc.stem}.yaml")
    meta_file = str(doc.meta_path)
    text = doc.text
    ann = doc.annotations
    if ann.document != doc.stem:
        problems.append(Problem(ann_file, "document", f"names {ann.document!r}, not {doc.stem!r}"))

    local_ids = {a.id for a in ann.local_actors}
    for a in ann.local_actors:
        if a.id in ref.actors:
            problems.append(Problem(ann_file, f"local actor {a.id}", "id is already a reference actor"))
    seen_local: set[str] = set()
    for a in ann.local_actors:
        if a.id in seen_local:
            problems.append(Problem(ann_file, f"local actor {a.id}", "duplicate local actor id"))
        seen_local.add(a.id)
        if a.affiliation and a.affiliation not in ref.actors and a.affiliation not in local_ids:
            problems.append(Problem(ann_file, f"local actor {a.id}", f"unknown actor id {a.affiliation!r}"))

    def actor_ok(slug: str) -> bool:
        return slug in ref.actors or slug in local_ids

    local_channels = {ch.id for ch in ann.local_channels}
    for ch in ann.local_channels:
        if ch.id in ref.channels:
            problems.append(Problem(ann_file, f"local channel {ch.id}", "id is already a reference channel"))
        if ch.intermediary and not actor_ok(ch.intermediary):
            problems.append(
                Problem(ann_file, f"local channel {ch.id}", f"unknown actor id {ch.intermediary!r}")
            )
    if len(local_channels) != len(ann.local_channels):
        problems.append(Problem(ann_file, "local_channels", "duplicate local channel id"))

    m = doc.meta
    for field_name, value in (("outlet", m.outlet), ("author", m.author)):
        if value and not actor_ok(value):
            problems.append(Problem(meta_file, field_name, f"unknown actor id {value!r}"))
    for cited in m.cites:
        if not actor_ok(cited):
            problems.append(Problem(meta_file, "cites", f"unknown actor id {cited!r}"))
    for field_name, phrase in (
        ("outlet_evidence", m.outlet_evidence),
        ("machine_generated_evidence", m.machine_generated_evidence),
    ):
        if phrase and phrase not in text:
            problems.append(Problem(meta_file, field_name, f"{phrase!r} does not occur in the text"))
    if m.reprint_of and m.reprint_of not in known_stems:
        problems.append(Problem(meta_file, "reprint_of", f"no document {m.reprint_of!r} in the corpus"))

    seen: set[str] = set()
    for c in ann.claims:
        entry = f"claim {c.id}"
        if c.id in seen:
            problems.append(Problem(ann_file, entry, "duplicate claim id"))
        seen.add(c.id)
        problems += _check_span(ann_file, entry, text, c.quote, c.start, c.end)
        if not actor_ok(c.claimant):
            problems.append(Problem(ann_file, entry, f"unknown actor id {c.claimant!r} (claimant)"))
        p = c.proposition
        for slug in p.actors:
            if not actor_ok(slug):
                problems.append(Problem(ann_file, entry, f"unknown actor id {slug!r}"))
        if p.channel and p.channel not in ref.channels and p.channel not in local_channels:
            problems.append(Problem(ann_file, entry, f"unknown channel id {p.channel!r}"))
        for t in p.topics:
            if t not in ref.topics:
                problems.append(Problem(ann_file, entry, f"unknown topic id {t!r}"))
        if p.initiator and p.initiator not in {*p.parties, p.sender, p.recipient}:
            problems.append(Problem(ann_file, entry, f"initiator {p.initiator!r} is not one of the parties"))
    return problems


def _check_span(
    file: str, entry: str, text: str, quote: str, start: int | None, end: int | None
) -> list[Problem]:
    if start is None:
        hint = _offset_hint(text, quote)
        return [Problem(file, entry, f"quote has no start offset{hint}")]
    stop = end if end is not None else start + len(quote)
    if end is not None and end - start != len(quote):
        return [
            Problem(
                file,
                entry,
                f"span [{start}, {end}) is {end - start} characters but the quote is {len(quote)}",
            )
        ]
    found = text[start:stop]
    if found == quote:
        return []
    hint = _offset_hint(text, quote)
    return [
        Problem(
            file, entry, f"quote is not the text at [{start}, {stop}): the text there reads {found!r}{hint}"
        )
    ]


def _offset_hint(text: str, quote: str) -> str:
    at = text.find(quote)
    if at < 0:
        return "; the quote does not occur anywhere in the text"
    again = text.find(quote, at + 1)
    if again >= 0:
        return f"; the quote occurs at {at} and {again} (and maybe more)"
    return f"; the quote occurs at [{at}, {at + len(quote)})"


def iter_corpus(
    corpus_dir: Path, max_bytes: int | None = None
) -> Iterator[tuple[str, SourceDocument | CorpusRejected]]:
    """Yield each document or the rejection explaining why it cannot be read."""
    for stem in document_stems(corpus_dir):
        try:
            yield stem, read_document(corpus_dir, stem, max_bytes)
        except CorpusRejected as e:
            yield stem, e
