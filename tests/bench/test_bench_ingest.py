"""The ingest benchmark end to end on a small corpus (300 claims, three articles)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import ingest as bench_ingest


def test_the_ingest_benchmark_runs_and_reports_every_stage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = bench_ingest.main(["--articles", "3", "--base-claims", "300", "--workdir", str(tmp_path)])
    assert code == 0
    results = json.loads((tmp_path / "results.json").read_text())
    assert [r["store"] for r in results] == ["empty", "base"]
    empty, base = results
    assert empty["stored_claims_before"] == 0 and base["stored_claims_before"] == 300
    for r in results:
        assert r["articles"] == 3 and r["claims"] > 0 and r["articles_per_second"] > 0
        assert set(r["median"]) == {"extract", "compile", "validation", "contradictions", "write", "total"}
        assert 0 < r["median"]["total"] <= r["p90"]["total"]
    out = capsys.readouterr().out
    assert out.startswith("| store | claims stored | articles | articles/s |")
    assert "| base | 300 | 3 |" in out
    assert not (tmp_path / "store-base").exists()  # the copy is removed; a given base store is never written
