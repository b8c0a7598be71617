"""The actors of one extraction: reference actors by slug, and the new ones the text introduces.

A new actor (a person, organisation, anonymous source or state the reference data lacks) gets a
slug made from its label, never one a reference actor has, and remembers the exact words that
introduced it. Only new actors that end up in a claim are written out, marked unreviewed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from kg.extract.gazetteer import Gazetteer
from kg.models import ActorKind, Grade, LocalActor

NEW = "new:"


@dataclass
class NewActor:
    slug: str
    kind: ActorKind
    label: str
    surface_form: str
    affiliation: str | None = None  # an actor key (reference slug or new:<slug>)
    reliability: Grade | None = None
    head: str | None = None  # for anonymous sources: "source", "analyst" … (to resolve "the source")


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:60].strip("-") or "actor"


class ActorRegistry:
    """Actor keys (``iran`` or ``new:qatari-official``) and the new actors behind them."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.g = gazetteer
        self.new: dict[str, NewActor] = {}
        self._by_label: dict[tuple[str, str], str] = {}

    def add(
        self,
        kind: ActorKind,
        label: str,
        surface_form: str,
        *,
        affiliation: str | None = None,
        reliability: Grade | None = None,
        head: str | None = None,
        distinct: bool = False,
    ) -> str:
        """The key of a new actor; the same kind and label give the same actor unless ``distinct``."""
        ident = (kind, label.lower())
        if not distinct and ident in self._by_label:
            return self._by_label[ident]
        base = slugify(label)
        if base in self.g.actors:
            base = f"{base}-new"
        slug, n = base, 2
        while slug in self.new or slug in self.g.actors:
            slug, n = f"{base}-{n}", n + 1
        self.new[slug] = NewActor(slug, kind, label, surface_form, affiliation, reliability, head)
        key = NEW + slug
        self._by_label.setdefault(ident, key)
        return key

    def kind(self, key: str) -> ActorKind:
        if key.startswith(NEW):
            return self.new[key[len(NEW) :]].kind
        return self.g.actors[key].kind

    def label(self, key: str) -> str:
        if key.startswith(NEW):
            return self.new[key[len(NEW) :]].label
        return self.g.actors[key].label

    def affiliation(self, key: str) -> str | None:
        if key.startswith(NEW):
            return self.new[key[len(NEW) :]].affiliation
        return self.g.actors[key].affiliation

    def state_of(self, key: str) -> str | None:
        """The state an actor acts for: itself if a state, else its affiliation chain's state."""
        seen: set[str] = set()
        current: str | None = key
        while current is not None and current not in seen:
            seen.add(current)
            if self.kind(current) == "state":
                return current
            current = self.affiliation(current)
        return None

    def slug(self, key: str) -> str:
        """The id an annotation file uses for the actor."""
        return key[len(NEW) :] if key.startswith(NEW) else key

    def local_actors(self, used: set[str]) -> list[LocalActor]:
        """The new actors among ``used`` keys, with the new actors they are affiliated with."""
        wanted: set[str] = set()
        stack = [k for k in used if k.startswith(NEW)]
        while stack:
            key = stack.pop()
            if key in wanted:
                continue
            wanted.add(key)
            aff = self.affiliation(key)
            if aff and aff.startswith(NEW):
                stack.append(aff)
        out = []
        for key in sorted(wanted, key=lambda k: list(self.new).index(k[len(NEW) :])):
            a = self.new[key[len(NEW) :]]
            reliability = a.reliability
            if a.kind in ("outlet", "unnamed-source") and reliability is None:
                reliability = "F"
            out.append(
                LocalActor(
                    id=a.slug,
                    kind=a.kind,
                    label=a.label,
                    affiliation=self.slug(a.affiliation) if a.affiliation else None,
                    reliability=reliability,
                    reviewed=False,
                    surface_form=a.surface_form,
                )
            )
        return out
