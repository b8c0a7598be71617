"""The command line, run as a user runs it (through typer's runner, on real stores)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib
from typer.testing import CliRunner

from kg import gephi
from kg.cli import app
from kg.store import OxigraphStore
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


def test_reading_commands_run_beside_a_process_that_holds_the_store(built: Path, tmp_path: Path) -> None:
    """stats, query and the exports open the store as readers: they need no lock, so they run
    while `kg serve` (here: a writable handle in this process) holds it."""
    holder = OxigraphStore.open(built)
    try:
        for args in (
            ["stats"],
            ["query", "claims_of_actor", "-p", "name=Tehran", "-f", "csv"],
            ["export", "-f", "nquads", "-o", str(tmp_path / "dump.nq")],
            ["export", "-f", "gexf", "--view", "actors", "-o", str(tmp_path / "actors.gexf")],
        ):
            result = runner.invoke(app, [*args, "--store", str(built)])
            assert result.exit_code == 0, (args, result.output)
        assert (tmp_path / "dump.nq").stat().st_size > 0 and (tmp_path / "actors.gexf").stat().st_size > 0
        # A command that writes still needs the lock, and says why it cannot have it.
        result = runner.invoke(
            app, ["retract", "004_8ca7b8115da28cd5", "--reason", "x", "--store", str(built)]
        )
        assert result.exit_code != 0
    finally:
        holder.close()


def _kg(*args: str) -> subprocess.CompletedProcess[bytes]:
    """The installed console script's code path (``api.cli:main``), in its own process, with
    standard output buffered as a user's is (this environment may set PYTHONUNBUFFERED)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args], env=env, capture_output=True, timeout=300, check=False
    )


def test_the_console_script_ends_with_the_commands_status_and_all_its_output(
    built: Path, tmp_path: Path
) -> None:
    """main() ends the process without the interpreter's teardown: the status must still be the
    command's, standard output complete, and the file renamed into place."""
    store = OxigraphStore.open_read_only(built)
    try:
        expected = gephi.export_bytes(store, gephi.ExportOptions("claims", "graphml"))
    finally:
        store.close()
    to_stdout = _kg("export", "-f", "graphml", "--view", "claims", "--store", str(built))
    assert to_stdout.returncode == 0, to_stdout.stderr
    assert to_stdout.stdout == expected
    target = tmp_path / "claims.graphml"
    to_file = _kg("export", "-f", "graphml", "--view", "claims", "-o", str(target), "--store", str(built))
    assert to_file.returncode == 0 and b"wrote" in to_file.stderr
    assert target.read_bytes() == expected and not list(tmp_path.glob("*.part"))
    args = ("query", "claims_of_actor", "-p", "name=Tehran", "-f", "csv", "--store", str(built))
    text = _kg(*args)  # written through sys.stdout's text buffer, flushed by main()
    in_process = runner.invoke(app, list(args)).stdout
    assert text.returncode == 0
    assert text.stdout.decode().splitlines() == in_process.splitlines()
    assert text.stdout.count(b"\n") > 3
    refused = _kg("export", "-f", "graphml", "--view", "people", "--store", str(built))
    assert refused.returncode == 1 and b"unknown export view 'people'" in refused.stderr
    assert _kg("no-such-command").returncode == 2  # click's usage error status
    assert _kg("--help").returncode == 0
