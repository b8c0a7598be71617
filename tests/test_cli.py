"""The command line, run as a user runs it (through typer's runner, on real stores)."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from typer.testing import CliRunner

from kg.cli import app
from tests.conftest import ROOT

runner = CliRunner()


@pytest.fixture
def built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KG_HOME", str(ROOT))
    store = tmp_path / "store"
    result = runner.invoke(app, ["build", "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert "built 5 documents" in result.output
    return store


def test_build_prints_a_summary(built: Path) -> None:
    result = runner.invoke(app, ["stats", "--store", str(built)])
    assert result.exit_code == 0
    for word in ("documents", "Claim", "Contradiction", "OccurrencePoint"):
        assert word in result.output
    assert "(inferred)" in result.output and "(stated)" in result.output
    assert "Iran told US" in result.output


@pytest.mark.parametrize(
    ("fmt", "rdflib_format", "dataset"),
    [
        ("trig", "trig", True),
        ("nquads", "nquads", True),
        ("turtle", "turtle", False),
        ("ntriples", "nt", False),
    ],
)
def test_export_formats_parse(
    built: Path, tmp_path: Path, fmt: str, rdflib_format: str, dataset: bool
) -> None:
    out = tmp_path / f"dump.{fmt}"
    result = runner.invoke(app, ["export", "--format", fmt, "-o", str(out), "--store", str(built)])
    assert result.exit_code == 0, result.output
    if dataset:
        ds = rdflib.Dataset()
        ds.parse(out, format=rdflib_format)
        assert len([g for g in ds.graphs() if "graph/doc/" in str(g.identifier)]) == 5
    else:
        g = rdflib.Graph()
        g.parse(out, format=rdflib_format)
        assert len(g) > 1000


def test_export_to_stdout(built: Path) -> None:
    result = runner.invoke(app, ["export", "--format", "nquads", "--store", str(built)])
    assert result.exit_code == 0
    assert result.stdout.count("\n") > 1000


def test_export_errors_leave_no_file(built: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["export", "--format", "xml", "--store", str(built)])
    assert result.exit_code == 1 and "unknown export format 'xml'" in result.output
    missing = tmp_path / "no" / "such" / "dir" / "dump.trig"
    result = runner.invoke(app, ["export", "-o", str(missing), "--store", str(built)])
    assert result.exit_code == 1 and "does not exist" in result.output
    assert not missing.parent.exists()
    assert not list(tmp_path.glob("*.part"))


def test_commands_on_a_missing_store(tmp_path: Path) -> None:
    result = runner.invoke(app, ["stats", "--store", str(tmp_path / "nothing")])
    assert result.exit_code == 1 and "run 'kg build' first" in result.output


@pytest.mark.slow
def test_reason_command(built: Path) -> None:
    result = runner.invoke(app, ["reason", "--store", str(built)])
    assert result.exit_code == 0, result.output
    assert "consistent (HermiT" in result.output and "inferred triples" in result.output


def test_retract_command(built: Path) -> None:
    result = runner.invoke(
        app, ["retract", "004_8ca7b8115da28cd5", "--reason", "test", "--by", "me", "--store", str(built)]
    )
    assert result.exit_code == 0, result.output
    assert "retracted https://w3id.org/backchannel-kg/id/doc/" in result.output
    result = runner.invoke(
        app, ["retract", "004_8ca7b8115da28cd5", "--reason", "again", "--store", str(built)]
    )
    assert result.exit_code == 1 and "no document" in result.output


def test_anchor_finds_offsets(tmp_path: Path, corpus_copy: Path) -> None:
    ann = corpus_copy / "annotations" / "000_9ccd7f39ddaf9104.yaml"
    text = ann.read_text(encoding="utf-8")
    import yaml

    data = yaml.safe_load(text)
    for c in data["claims"]:
        c.pop("start"), c.pop("end")
    ann.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(app, ["anchor", str(ann), "--write"])
    assert result.exit_code == 0, result.output
    assert "found [" in result.output
    again = yaml.safe_load(ann.read_text(encoding="utf-8"))
    doc_text = (corpus_copy / "documents" / "000_9ccd7f39ddaf9104.txt").read_text(encoding="utf-8")
    anchored = [c for c in again["claims"] if "start" in c]
    assert anchored
    assert all(doc_text[c["start"] : c["end"]] == c["quote"] for c in anchored)
