"""A new article as a submitter hands it in: its bytes and what they say about it.

Everything here runs before extraction and never touches the store, so bad input is refused
before any work is done and with a message naming the field: text that is not UTF-8 (with the
offending byte and its offset), over the size limit, or empty; a publication date that does not
parse; a machine-generated flag the text itself does not back up. The submitter names the outlet
and the author in words ("Reuters", "Laura Rozen"); they are linked to reference actors through
all their labels, and a name the reference data does not know becomes an actor of the document
marked unreviewed, as extraction does for the people it finds.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kg.errors import InvalidParameter
from kg.models import ActorKind, DateValue, DocumentMeta, Grade, LocalActor
from kg.namespaces import BC, ID, RDF, RDFS, SKOS
from kg.rdfize import ACTOR_CLASS
from kg.reference import Reference, individual_files, load_reference, ontology_files

MAX_TITLE = 300
_KIND_OF_CLASS: dict[str, ActorKind] = {BC + cls: kind for kind, cls in ACTOR_CLASS.items()}  # type: ignore[misc]
_LABELS = (RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel")


class TextTooLarge(InvalidParameter):
    """The text is over ``Settings.max_document_bytes``."""


class TextNotUtf8(InvalidParameter):
    """The bytes are not UTF-8 (the only encoding the service reads)."""


class ArticleMeta(BaseModel):
    """What the submitter says about an article, in words; every field is optional but the text.

    Without a title the first line of the text is the title. ``published`` is a date
    (YYYY-MM-DD); ``outlet`` and ``author`` are names or actor ids.
    """

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, description="title; default: the first line of the text")
    outlet: str | None = Field(default=None, description="the outlet's name or actor id, e.g. Reuters")
    author: str | None = Field(default=None, description="the author's name or actor id")
    published: str | None = Field(default=None, description="publication date, YYYY-MM-DD")
    url: str | None = Field(default=None, description="where the article was found")
    language: str = Field(default="en", description="BCP 47 language tag of the text")
    machine_generated: bool = Field(
        default=False, description="the text declares itself (partly) machine-generated"
    )


def decode_text(text: bytes | str, max_bytes: int) -> tuple[str, bytes]:
    """The text and its exact bytes (the document key is their hash), or a precise refusal."""
    if isinstance(text, str):
        try:
            raw = text.encode("utf-8")
        except UnicodeEncodeError as e:
            raise TextNotUtf8(
                f"the text cannot be encoded as UTF-8: a lone surrogate at character {e.start}"
            ) from e
    else:
        raw = bytes(text)
    if len(raw) > max_bytes:
        raise TextTooLarge(
            f"the text is {len(raw):,} bytes, over the limit of {max_bytes:,} bytes (KG_MAX_DOCUMENT_BYTES)"
        )
    try:
        decoded = raw.decode("utf-8", errors="strict")
    except UnicodeDecodeError as e:
        raise TextNotUtf8(
            f"the text is not UTF-8: byte 0x{raw[e.start]:02x} at offset {e.start} ({e.reason})"
        ) from e
    if not decoded.strip():
        raise InvalidParameter("the text is empty" if not decoded else "the text is only white space")
    return decoded, raw


def parse_date(value: str, name: str = "published") -> dt.date:
    """An ISO date (a date-time is cut to its date); anything else is refused, naming the field."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        pass
    try:
        return dt.datetime.fromisoformat(value).date()
    except ValueError:
        raise InvalidParameter(
            f"{name}: {value!r} is not a date; give it as YYYY-MM-DD, e.g. 2024-06-03"
        ) from None


def normalise(name: str) -> str:
    """A name as compared with labels: case, accents, hyphens, apostrophes and spacing ignored."""
    folded = unicodedata.normalize("NFKD", name.replace("’", "'")).casefold()
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[-‐‑–—_.]", " ", folded).split())


def slugify(name: str, fallback: str) -> str:
    """An id for a new actor from its name (lower-case ASCII letters, digits and hyphens)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60].strip("-")
    return slug or fallback


@dataclass
class ActorIndex:
    """The reference actors by id: labels, kind, reliability, and a lookup by any label."""

    labels: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    reliability: dict[str, Grade] = field(default_factory=dict)
    by_name: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    @classmethod
    def of(cls, ref: Reference) -> ActorIndex:
        index = cls()
        base = ID + "actor/"
        pref: dict[str, str] = {}
        plain: dict[str, str] = {}
        for q in ref.quads:
            if not isinstance(q.subject, ox.NamedNode) or isinstance(q.object, ox.Triple):
                continue
            s = q.subject.value
            if not s.startswith(base) or "/" in s[len(base) :]:
                continue
            slug, p, o = s[len(base) :], q.predicate.value, q.object.value
            if p in _LABELS:
                index.by_name[normalise(o)].add(slug)
                if p == SKOS + "prefLabel":
                    pref.setdefault(slug, o)
                elif p == RDFS + "label":
                    plain.setdefault(slug, o)
            elif p == RDF + "type" and o in _KIND_OF_CLASS:
                index.kinds[slug] = _KIND_OF_CLASS[o]
            elif p == BC + "reliability" and o.startswith(BC + "Reliability"):
                index.reliability[slug] = o[-1]  # type: ignore[assignment]
        for slug in ref.actors:
            index.labels[slug] = pref.get(slug) or plain.get(slug) or slug
        return index

    def find(self, name: str, kind: str | None = None) -> str | None:
        """The reference actor a name or id denotes (of this kind, if given), if exactly one."""
        if name in self.labels and (kind is None or self.kinds.get(name) == kind):
            return name
        found = sorted(
            s for s in self.by_name.get(normalise(name), set()) if kind is None or self.kinds.get(s) == kind
        )
        return found[0] if len(found) == 1 else None


@dataclass(frozen=True)
class Context:
    """The reference data extraction and the checks read, loaded once per content of its files."""

    reference: Reference
    actors: ActorIndex


@lru_cache(maxsize=4)
def _context(files: tuple[Path, ...], stamps: tuple[float, ...], ontology: Path, corpus: Path) -> Context:
    ref = load_reference(ontology, corpus)
    return Context(ref, ActorIndex.of(ref))


def reference_context(ontology_dir: Path, corpus_dir: Path) -> Context:
    """The reference data, re-read only when a file of it changed (parsing it takes a while)."""
    files = tuple(ontology_files(ontology_dir) + individual_files(ontology_dir, corpus_dir))
    stamps = tuple(p.stat().st_mtime for p in files)
    return _context(files, stamps, ontology_dir, corpus_dir)


_DECLARATION = re.compile(
    r"[^.!?\n]*\b(?:(?:generated|written|produced|created|composed)\b[^.!?\n]{0,80}?"
    r"\b(?:artificial intelligence|AI|machine|language model|automated|automatically)\b"
    r"|AI[- ](?:generated|written|assisted))[^.!?\n]*[.!?]?",
    re.IGNORECASE,
)


def machine_declaration(text: str) -> str | None:
    """The sentence in which a text declares itself machine-generated, if it has one."""
    m = _DECLARATION.search(text)
    return m.group(0).strip() if m else None


_URL = re.compile(r"^https?://[^\s/?#]+[^\s]*$", re.IGNORECASE)


@dataclass(frozen=True)
class ResolvedMeta:
    """The document metadata, and the actors of the document it needed (an unknown outlet)."""

    meta: DocumentMeta
    local_actors: list[LocalActor]


def _title(text: str) -> str:
    line = next(line.strip() for line in text.splitlines() if line.strip())
    return line if len(line) <= MAX_TITLE else line[: MAX_TITLE - 1].rstrip() + "…"


def _actor(name: str, kind: ActorKind, ctx: Context, taken: set[str]) -> tuple[str, LocalActor | None]:
    """A reference actor for the name, or a new unreviewed actor of the document."""
    known = ctx.actors.find(name, "person" if kind == "person" else None)
    if known is not None:
        return known, None
    slug = slugify(name, kind)
    while slug in ctx.reference.actors or slug in taken:
        slug = f"{slug}-{kind}"
    taken.add(slug)
    grade: Grade | None = "F" if kind == "outlet" else None  # an unknown outlet cannot be judged yet
    return slug, LocalActor(
        id=slug, kind=kind, label=name, reviewed=False, surface_form=name, reliability=grade
    )


def document_meta(article: ArticleMeta, text: str, ctx: Context) -> ResolvedMeta:
    """Check the submitter's metadata against the text and the reference data."""
    article = article.model_copy(
        update={k: v.strip() or None for k, v in article.model_dump().items() if isinstance(v, str)}
    )
    published: DateValue | None = None
    if article.published:
        day = parse_date(article.published)
        published = DateValue(status="stated", date=day, expression=article.published)
    if article.url and not _URL.match(article.url):
        raise InvalidParameter(f"url: {article.url!r} is not an absolute http(s) URL without spaces")
    evidence: str | None = None
    if article.machine_generated:
        evidence = machine_declaration(text)
        if evidence is None:
            raise InvalidParameter(
                "machine_generated: the text does not declare itself machine-generated (no sentence "
                "such as 'This article was generated using artificial intelligence'); the flag marks "
                "self-declared text and must quote the declaration"
            )
    taken: set[str] = set()
    local: list[LocalActor] = []
    outlet = author = None
    if article.outlet:
        outlet, new = _actor(article.outlet, "outlet", ctx, taken)
        local += [new] if new else []
    if article.author:
        author, new = _actor(article.author, "person", ctx, taken)
        local += [new] if new else []
    reliability: Grade = "F"
    if article.machine_generated:
        reliability = "E"
    elif outlet is not None and outlet in ctx.actors.reliability:
        reliability = ctx.actors.reliability[outlet]
    try:
        meta = DocumentMeta(
            title=article.title or _title(text),
            outlet=outlet,
            author=author,
            language=article.language or "en",
            url=article.url or None,
            published=published,
            machine_generated=article.machine_generated,
            machine_generated_evidence=evidence,
            reliability=reliability,
        )
    except ValidationError as e:  # e.g. a language tag that is not BCP 47
        detail = "; ".join(f"{'.'.join(str(x) for x in err['loc'])}: {err['msg']}" for err in e.errors())
        raise InvalidParameter(f"metadata: {detail}") from e
    return ResolvedMeta(meta, local)
