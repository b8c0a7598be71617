"""``kg query``, run as a user runs it (typer's runner, on a real built store)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.build import build
from kg.cli import app
from kg.namespaces import ID
from tests.conftest import ROOT, settings_for

runner = CliRunner()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("cli-queries") / "store"
    _, built = build(settings_for(path))
    built.close()
    return str(path)


@pytest.fixture(autouse=True)
def home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_HOME", str(ROOT))


def test_list(store: str) -> None:
    result = runner.invoke(app, ["query", "--list"])
    assert result.exit_code == 0, result.output
    for name in ("messages_between", "claims_of_actor", "contradictions", "timeline", "actors_in_documents"):
        assert name in result.output
    assert "name*: name" in result.output
    one = runner.invoke(app, ["query", "--list", "timeline"])
    assert one.exit_code == 0, one.output
    assert "happened_until" in one.output and "2024-01-01" in one.output


def test_json(store: str) -> None:
    result = runner.invoke(
        app, ["query", "claims_of_actor", "-p", "name=Khamenei", "-f", "json", "--store", store]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["count"] == 6 and {r["claimant"] for r in body["rows"]} == {f"{ID}actor/khamenei"}


def test_csv(store: str) -> None:
    result = runner.invoke(
        app,
        [
            "query",
            "timeline",
            "--param",
            "from=2024-01-01",
            "--param",
            "to=2024-12-31",
            "-f",
            "csv",
            "--store",
            store,
        ],
    )
    assert result.exit_code == 0, result.output
    table = list(csv.reader(io.StringIO(result.stdout)))
    assert table[0][:3] == ["stated", "date_status", "claim"] and len(table) == 1 + 19
    assert {row[0][:4] for row in table[1:]} == {"2024"}


def test_table(store: str) -> None:
    result = runner.invoke(app, ["query", "actors_by_name", "-p", "name=Hizbollah", "--store", store])
    assert result.exit_code == 0, result.output
    assert "actor:hezbollah" in result.output and "Hezbollah" in result.output and "1 row" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["query", "claims_of_actor"], "parameter 'name' is required for query 'claims_of_actor'"),
        (["query", "timeline", "-p", "from=yesterday"], "parameter 'from': 'yesterday' is not a date"),
        (["query", "timeline", "-p", "from"], "--param 'from': write NAME=VALUE"),
        (["query", "timeline", "-p", "year=2024"], "unknown parameter 'year' for query 'timeline'"),
        (["query", "timeline", "-p", "from=2024-01-01", "-p", "from=2025-01-01"], "parameter 'from' is given more than once"),
        (["query", "who_said_what"], "no named query 'who_said_what'; the queries are: "),
        (["query", "timeline", "-f", "xml"], "unknown output format 'xml'; use table, json or csv"),
        (["query"], "name a query to run, or use --list"),
    ],
)  # fmt: skip
def test_errors(store: str, args: list[str], message: str) -> None:
    result = runner.invoke(app, [*args, "--store", store])
    assert result.exit_code == 1
    assert message in " ".join(result.output.split())


def test_a_missing_store(tmp_path: Path) -> None:
    result = runner.invoke(app, ["query", "timeline", "--store", str(tmp_path / "nothing")])
    assert result.exit_code == 1 and "run 'kg build' first" in result.output
