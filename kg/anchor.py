"""Helping annotators: find where a quote sits in its text.

An annotator writes the quote; this finds its offsets when the quote occurs exactly once, and
says so when it occurs nowhere or several times (then the annotator must choose).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from kg.errors import InvalidParameter


def anchor_file(path: Path, *, write: bool = False) -> list[tuple[str, str]]:
    """Return ``(claim id, what happened)`` per claim; optionally write found offsets back."""
    if not path.is_file():
        raise InvalidParameter(f"no such annotation file: {path}")
    data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or "document" not in data:
        raise InvalidParameter(f"{path}: not an annotation file (no 'document' key)")
    text_path = path.parent.parent / "documents" / f"{data['document']}.txt"
    if not text_path.is_file():
        raise InvalidParameter(f"{path}: no text {text_path}")
    text = text_path.read_text(encoding="utf-8")
    results: list[tuple[str, str]] = []
    changed = False
    for claim in data.get("claims") or []:
        cid, quote = str(claim.get("id")), str(claim.get("quote", ""))
        start = claim.get("start")
        if isinstance(start, int) and text[start : start + len(quote)] == quote:
            results.append((cid, f"ok [{start}, {start + len(quote)})"))
            continue
        first = text.find(quote)
        if first < 0:
            results.append((cid, "quote not found in the text"))
        elif text.find(quote, first + 1) >= 0:
            results.append((cid, "quote occurs more than once; set start by hand"))
        else:
            claim["start"], claim["end"] = first, first + len(quote)
            changed = True
            results.append((cid, f"found [{first}, {first + len(quote)})"))
    if write and changed:
        path.write_text(
            yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8"
        )
    return results
