"""The articles written for the extraction tests, with what extraction must find in them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kg.corpus import SourceDocument
from kg.models import AnnotationFile, DocumentMeta

ARTICLES = Path(__file__).parent / "articles"


@dataclass
class Article:
    """A test article: its text, its metadata and what extraction must find in it."""

    name: str
    text: str
    meta: DocumentMeta
    spec: dict[str, Any]
    path: Path

    def source(self, annotations: AnnotationFile) -> SourceDocument:
        raw = self.path.read_bytes()
        return SourceDocument(
            stem=self.name,
            text_path=self.path,
            text=self.text,
            sha256=hashlib.sha256(raw).hexdigest(),
            meta=self.meta,
            annotations=annotations,
            meta_path=self.path.with_suffix(".yaml"),
            annotation_path=None,
        )


def article_names() -> list[str]:
    """The articles that have their expected claims beside them."""
    return sorted(p.stem for p in ARTICLES.glob("*.txt") if p.with_suffix(".yaml").is_file())


def load_article(name: str) -> Article:
    path = ARTICLES / f"{name}.txt"
    spec = yaml.safe_load(path.with_suffix(".yaml").read_text(encoding="utf-8"))
    return Article(
        name, path.read_text(encoding="utf-8"), DocumentMeta.model_validate(spec["meta"]), spec, path
    )


def meta_for(text: str, published: str | None = "2024-07-01", outlet: str | None = None) -> DocumentMeta:
    """Metadata for a small test text: its first line is the title."""
    data: dict[str, Any] = {"title": text.strip().splitlines()[0], "outlet": outlet}
    if published:
        data["published"] = {"status": "stated", "date": published}
    return DocumentMeta.model_validate(data)
