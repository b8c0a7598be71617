"""The synthetic benchmark corpus: layout, exact spans, known actors, determinism."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from bench.generate import (
    ACTOR_BASE,
    BC,
    REAL_ACTORS,
    REAL_CHANNELS,
    REAL_TOPICS,
    GenerationSummary,
    generate,
    main,
)

N_CLAIMS = 200
ACTOR_TYPES = {URIRef(BC + t) for t in ("State", "Person", "NonStateArmedGroup", "Organisation", "Outlet")}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GenerationSummary]:
    out = tmp_path_factory.mktemp("synthetic")
    summary = generate(N_CLAIMS, out, seed=42, n_actors=300)
    return out, summary


def _stems(out: Path) -> list[str]:
    return sorted(p.name[: -len(".txt")] for p in (out / "documents").glob("*.txt"))


def _load(out: Path, stem: str) -> tuple[str, dict[str, Any], dict[str, Any]]:
    text = (out / "documents" / f"{stem}.txt").read_bytes().decode("utf-8")
    meta = json.loads((out / "documents" / f"{stem}.meta.json").read_bytes())
    ann = json.loads((out / "annotations" / f"{stem}.json").read_bytes())
    return text, meta, ann


def _tree_hash(out: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(out.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(out).as_posix().encode())
            h.update(b"\0")
            h.update(p.read_bytes())
            h.update(b"\0")
    return h.hexdigest()


def _reference_actors(out: Path) -> set[str]:
    g = Graph()
    g.parse(out / "reference" / "actors.ttl", format="turtle")
    slugs = set()
    for s, _, o in g.triples((None, RDF.type, None)):
        assert o in ACTOR_TYPES, o
        assert str(s).startswith(ACTOR_BASE)
        slugs.add(str(s)[len(ACTOR_BASE) :])
    return slugs


def test_layout_and_summary(corpus: tuple[Path, GenerationSummary]) -> None:
    out, summary = corpus
    stems = _stems(out)
    assert stems, "no documents written"
    assert (out / "reference" / "actors.ttl").is_file()
    for stem in stems:
        assert stem.startswith("syn_")
        serial, digest = stem[4:].split("_")
        assert len(serial) == 6 and serial.isdigit()
        assert len(digest) == 8 and int(digest, 16) >= 0
        assert (out / "documents" / f"{stem}.meta.json").is_file()
        assert (out / "annotations" / f"{stem}.json").is_file()
    assert summary.documents == len(stems)
    assert len(list((out / "annotations").iterdir())) == len(stems)
    assert summary.claims == N_CLAIMS
    assert summary.actors == 300
    total_bytes = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    assert summary.bytes == total_bytes


def test_quotes_sit_at_their_offsets(corpus: tuple[Path, GenerationSummary]) -> None:
    out, _ = corpus
    n = 0
    for stem in _stems(out):
        text, _, ann = _load(out, stem)
        assert ann["document"] == stem
        for c in ann["claims"]:
            assert text[c["start"] : c["end"]] == c["quote"], (stem, c["id"])
            n += 1
    assert n == N_CLAIMS


def test_claim_ids_unique_per_document(corpus: tuple[Path, GenerationSummary]) -> None:
    out, _ = corpus
    for stem in _stems(out):
        _, _, ann = _load(out, stem)
        ids = [c["id"] for c in ann["claims"]]
        assert len(ids) == len(set(ids)), stem
        local = [a["id"] for a in ann["local_actors"]]
        assert len(local) == len(set(local)), stem


def test_about_ten_claims_per_document(corpus: tuple[Path, GenerationSummary]) -> None:
    out, summary = corpus
    counts = [len(_load(out, s)[2]["claims"]) for s in _stems(out)]
    assert all(1 <= c <= 20 for c in counts)
    assert 7 <= N_CLAIMS / summary.documents <= 13


def test_every_actor_and_id_is_known(corpus: tuple[Path, GenerationSummary]) -> None:
    out, _ = corpus
    reference = _reference_actors(out)
    assert len(reference) == 300
    stems = set(_stems(out))
    for stem in stems:
        text, meta, ann = _load(out, stem)
        local = {a["id"] for a in ann["local_actors"]}
        known = reference | set(REAL_ACTORS) | local

        def check(slug: str | None, where: str, stem: str = stem, known: set[str] = known) -> None:
            if slug is not None:
                assert slug in known, f"{stem} {where}: unknown actor {slug!r}"

        for a in ann["local_actors"]:
            check(a.get("affiliation"), f"local actor {a['id']}")
        check(meta["outlet"], "outlet")
        check(meta["author"], "author")
        for cited in meta["cites"]:
            check(cited, "cites")
        for phrase in (meta["outlet_evidence"], meta["machine_generated_evidence"]):
            assert phrase is None or phrase in text
        assert meta["reprint_of"] is None or meta["reprint_of"] in stems
        for c in ann["claims"]:
            check(c["claimant"], f"claim {c['id']} claimant")
            p = c["proposition"]
            for role in ("sender", "recipient", "initiator"):
                check(p.get(role), f"claim {c['id']} {role}")
            for slug in p.get("parties", []) + p.get("subjects", []):
                check(slug, f"claim {c['id']}")
            assert p.get("channel") in (None, *REAL_CHANNELS)
            assert set(p["topics"]) <= set(REAL_TOPICS)


def test_reference_actors_have_labels(corpus: tuple[Path, GenerationSummary]) -> None:
    out, _ = corpus
    g = Graph()
    g.parse(out / "reference" / "actors.ttl", format="turtle")
    subjects = set(g.subjects(RDF.type, None))
    outlets = set(g.subjects(RDF.type, URIRef(BC + "Outlet")))
    assert outlets
    for s in subjects:
        prefs = list(g.objects(s, SKOS.prefLabel))
        alts = list(g.objects(s, SKOS.altLabel))
        assert len(prefs) == 1 and isinstance(prefs[0], Literal)
        assert 1 <= len(alts) <= 2
        reliability = list(g.objects(s, URIRef(BC + "reliability")))
        if s in outlets:
            assert len(reliability) == 1
            assert str(reliability[0]) in {f"{BC}Reliability{x}" for x in "ABCDEF"}
        else:
            assert reliability == []


def test_mix_of_features(corpus: tuple[Path, GenerationSummary]) -> None:
    out, summary = corpus
    stances: dict[str, int] = {}
    attributions: set[str] = set()
    kinds: set[str] = set()
    for stem in _stems(out):
        _, _, ann = _load(out, stem)
        for c in ann["claims"]:
            stances[c["stance"]] = stances.get(c["stance"], 0) + 1
            attributions.add(c["attribution"])
            kinds.add(c["proposition"]["kind"])
            if c["attribution"] == "anonymous-source":
                local = {a["id"]: a for a in ann["local_actors"]}
                assert local[c["claimant"]]["kind"] == "unnamed-source"
    assert 0.6 <= stances["affirms"] / N_CLAIMS <= 0.9
    assert attributions == {
        "direct-quote",
        "partial-quote",
        "indirect-speech",
        "anonymous-source",
        "outlet-framing",
    }
    assert len(kinds) >= 7
    assert summary.contradicting_pairs >= 1
    truth = (out / "expected_contradictions.jsonl").read_text().splitlines()
    assert len(truth) == summary.contradicting_pairs


def test_same_seed_same_bytes(tmp_path: Path, corpus: tuple[Path, GenerationSummary]) -> None:
    out, _ = corpus
    again = tmp_path / "again"
    generate(N_CLAIMS, again, seed=42, n_actors=300)
    assert _tree_hash(again) == _tree_hash(out)
    other = tmp_path / "other"
    generate(N_CLAIMS, other, seed=7, n_actors=300)
    assert _tree_hash(other) != _tree_hash(out)


def test_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    generate(20, tmp_path, seed=1, n_actors=50)
    with pytest.raises(FileExistsError):
        generate(20, tmp_path, seed=1, n_actors=50)
    generate(30, tmp_path, seed=2, n_actors=50, force=True)
    total = sum(len(_load(tmp_path, s)[2]["claims"]) for s in _stems(tmp_path))
    assert total == 30


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["--claims", "50", "--out", str(tmp_path / "c"), "--seed", "3", "--actors", "40", "--quiet"])
    assert rc == 0
    assert "50 claims" in capsys.readouterr().err
    assert len(_reference_actors(tmp_path / "c")) == 40


def test_records_pass_the_project_models(corpus: tuple[Path, GenerationSummary]) -> None:
    """When the project's corpus checks are importable, the synthetic corpus passes them."""
    models = pytest.importorskip("kg.models")
    kg_corpus = pytest.importorskip("kg.corpus")
    kg_reference = pytest.importorskip("kg.reference")
    out, _ = corpus
    ref = kg_reference.Reference(
        actors=_reference_actors(out) | set(REAL_ACTORS),
        channels=set(REAL_CHANNELS),
        topics=set(REAL_TOPICS),
    )
    stems = set(_stems(out))
    for stem in sorted(stems):
        models.DocumentMeta.model_validate(_load(out, stem)[1])
        doc = kg_corpus.read_document(out, stem)
        assert kg_corpus.check_document(doc, ref, stems) == [], stem
