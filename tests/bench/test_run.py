"""The benchmark runner end to end on a small corpus: real child processes, a real store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import run as bench_run

N_CLAIMS = 300
KEYS = {
    "n_claims",
    "status",
    "documents",
    "claims",
    "quads",
    "contradictions",
    "build_seconds",
    "build_peak_rss_mb",
    "claims_per_second",
    "bulk_load_seconds",
    "bulk_load_peak_rss_mb",
    "build_over_bulk_load",
    "planted_pairs",
    "planted_found",
    "planted_recall",
    "contradiction_pairs_found",
}


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    workdir = tmp_path_factory.mktemp("bench")
    # a generous per-child limit: a pathological build fails the test instead of hanging it
    results = bench_run.run([N_CLAIMS], workdir, timeout=120)
    return workdir, results


def test_figures(measured: tuple[Path, list[dict]]) -> None:
    _, results = measured
    assert len(results) == 1
    r = results[0]
    assert r["status"] == "ok", r.get("error")
    assert r.keys() >= KEYS
    assert r["n_claims"] == N_CLAIMS
    assert r["claims"] == N_CLAIMS
    assert r["documents"] > 0
    assert r["quads"] > 0
    assert r["bulk_load_quads"] == r["quads"]
    assert r["build_seconds"] > 0
    assert r["bulk_load_seconds"] > 0
    assert r["build_peak_rss_mb"] > 0
    assert r["bulk_load_peak_rss_mb"] > 0
    assert r["planted_pairs"] > 0
    assert isinstance(r["planted_recall"], float)
    assert 0.0 <= r["planted_recall"] <= 1.0
    assert 0 < r["contradiction_pairs_found"] <= r["contradictions"]  # a pair may disagree on two points
    stages = [st["stage"] for st in r["build_stages"]]
    assert stages == ["compile and load", "contradictions", "compaction", "validation", "swap"]
    assert all(st["seconds"] >= 0 and 0 < st["peak_mb"] <= r["build_peak_rss_mb"] for st in r["build_stages"])


def test_results_json_and_cleanup(measured: tuple[Path, list[dict]]) -> None:
    workdir, results = measured
    data = json.loads((workdir / "results.json").read_text())
    assert data["results"] == json.loads(json.dumps(results))
    base = workdir / f"claims-{N_CLAIMS}"
    assert (base / "corpus" / bench_run.STAMP).is_file()  # kept for reuse
    assert not (base / "store").exists()  # stores and the dump are deleted without --keep
    assert not (base / "bulk-store").exists()
    assert not (base / "dump.nq").exists()


def test_corpus_is_reused(measured: tuple[Path, list[dict]]) -> None:
    workdir, _ = measured
    corpus = workdir / f"claims-{N_CLAIMS}" / "corpus"
    before = (corpus / bench_run.STAMP).stat().st_mtime_ns
    stamp = bench_run.ensure_corpus(N_CLAIMS, corpus)
    assert stamp["claims"] == N_CLAIMS
    assert (corpus / bench_run.STAMP).stat().st_mtime_ns == before


def test_parse_summary_survives_wrapping() -> None:
    out = (
        "built 3 documents, 30 claims, 2 contradictions, 900\nquads in 1.25s -> /x/store\n"
        "stages: compile and load 0.5 s (peak 99 MB); contradictions 0.1 s\n(peak 100 MB)\n"
    )
    assert bench_run.parse_summary(out) == {
        "documents": 3,
        "claims": 30,
        "contradictions": 2,
        "quads": 900,
        "seconds": 1.25,
        "stages": [
            {"stage": "compile and load", "seconds": 0.5, "peak_mb": 99},
            {"stage": "contradictions", "seconds": 0.1, "peak_mb": 100},
        ],
    }
