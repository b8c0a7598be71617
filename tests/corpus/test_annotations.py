"""The curated seed annotations: anchored, thorough, complete in what each record carries."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import yaml

from kg.corpus import check_document, document_stems, read_document
from kg.reference import load_reference
from tests.conftest import CORPUS, ROOT

SEEDS = Path(ROOT).parent / "shared" / "seeds"
STEMS = document_stems(CORPUS)


def test_the_corpus_lists_the_five_seeds() -> None:
    assert sorted(p.stem for p in SEEDS.glob("*.txt")) == STEMS or len(STEMS) == 5
    assert len(STEMS) == 5


@pytest.mark.skipif(not SEEDS.is_dir(), reason="shared/seeds is beside the checkout only")
@pytest.mark.parametrize("stem", STEMS)
def test_texts_are_the_seeds_byte_for_byte(stem: str) -> None:
    ours = (CORPUS / "documents" / f"{stem}.txt").read_bytes()
    theirs = (SEEDS / f"{stem}.txt").read_bytes()
    assert hashlib.sha256(ours).hexdigest() == hashlib.sha256(theirs).hexdigest()


@pytest.mark.parametrize("stem", STEMS)
def test_every_quote_is_the_text_at_its_offsets(stem: str) -> None:
    """Checked on the raw YAML, independently of the loader the build uses."""
    text = (CORPUS / "documents" / f"{stem}.txt").read_text(encoding="utf-8")
    data = yaml.safe_load((CORPUS / "annotations" / f"{stem}.yaml").read_text(encoding="utf-8"))
    claims = data["claims"]
    assert claims, f"{stem} has no claims"
    for c in claims:
        assert isinstance(c["start"], int) and isinstance(c["end"], int), c["id"]
        assert text[c["start"] : c["end"]] == c["quote"], c["id"]


@pytest.mark.parametrize("stem", STEMS)
def test_every_document_passes_the_build_checks(stem: str) -> None:
    ref = load_reference(ROOT / "ontology", CORPUS)
    doc = read_document(CORPUS, stem)
    assert check_document(doc, ref, set(STEMS)) == []


def test_annotations_are_thorough() -> None:
    counts = {s: len(read_document(CORPUS, s).annotations.claims) for s in STEMS}
    assert counts["001_98d2358e564cccca"] > 10  # "well over ten" in the FT interview
    assert sum(counts.values()) >= 36  # "several dozen" over the five seeds
    assert all(n >= 5 for n in counts.values()), counts


def test_both_stances_and_every_attribution_type_occur() -> None:
    claims = [c for s in STEMS for c in read_document(CORPUS, s).annotations.claims]
    assert {c.stance for c in claims} == {"affirms", "denies"}
    assert {c.attribution for c in claims} == {
        "direct-quote",
        "partial-quote",
        "indirect-speech",
        "anonymous-source",
        "outlet-framing",
    }


def test_metadata_says_what_the_texts_say() -> None:
    metas = {s: read_document(CORPUS, s).meta for s in STEMS}
    assert metas["000_9ccd7f39ddaf9104"].outlet == "the-media-line"
    assert metas["001_98d2358e564cccca"].outlet == "financial-times"
    assert metas["001_98d2358e564cccca"].author == "najmeh-bozorgmehr"
    assert metas["002_c471b481292c7122"].outlet is None  # not named in the text
    assert metas["003_28ca8b3639213b9e"].outlet is None
    assert metas["004_8ca7b8115da28cd5"].outlet == "nishadil"
    # stated where the text states it, inferred (with evidence) where it does not
    stated = {s for s, m in metas.items() if m.published and m.published.status == "stated"}
    assert stated == {"003_28ca8b3639213b9e", "004_8ca7b8115da28cd5"}
    for m in metas.values():
        assert m.published is not None
        if m.published.status == "inferred":
            assert m.published.evidence
    assert [s for s, m in metas.items() if m.machine_generated] == ["004_8ca7b8115da28cd5"]
    assert all(m.language == "en" for m in metas.values())


def test_statement_dates_differ_from_publication_where_the_text_says_so() -> None:
    """Khamenei spoke 'recently' before a 2025 article about the 2023 war: not on the day."""
    doc = read_document(CORPUS, "004_8ca7b8115da28cd5")
    denial = next(c for c in doc.annotations.claims if c.id == "khamenei-denies-message-to-us")
    assert denial.stated is not None and denial.stated.status == "inferred"
    assert denial.stated.date is None and denial.stated.evidence
