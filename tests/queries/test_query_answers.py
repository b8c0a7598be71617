"""Every named query answers its competency question on the seed corpus, on every backend.

The expected answers live in ``tests/queries/expected/<query>.yaml``, one file per query, each a
list of cases: the parameters, the number of rows and (for most cases) the exact rows, in order,
over a chosen set of columns. They were checked against ``corpus/annotations/`` by hand and by an
independent reading of the YAML, not copied from what the query returned.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import yaml

from kg.config import Settings
from kg.queries import NamedQuery, compact, json_value, load_catalogue, run
from kg.store import GraphStore, Term
from tests.conftest import ROOT

EXPECTED = Path(__file__).resolve().parent / "expected"


def catalogue() -> dict[str, NamedQuery]:
    return load_catalogue(Settings(home=ROOT).queries_dir)


def expected_files() -> list[Path]:
    return sorted(EXPECTED.glob("*.yaml"))


def load_expected(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def cases() -> list[Any]:
    out = []
    for path in expected_files():
        data = load_expected(path)
        for i, case in enumerate(data["cases"]):
            out.append(pytest.param(data["query"], case, id=f"{data['query']}-{i}"))
    return out


def value(term: Term | None) -> Any:
    """What an expected file holds for a term: IRIs compacted, literals as their JSON value."""
    if term is None:
        return None
    return compact(term) if isinstance(term, ox.NamedNode) else json_value(term)


def test_every_query_has_an_expected_answer_and_every_answer_a_query() -> None:
    names = set(catalogue())
    assert len(names) >= 7, "the seven competency questions at least"
    files = {p.stem for p in expected_files()}
    assert not names - files, f"queries without an expected answer in {EXPECTED}: {sorted(names - files)}"
    assert not files - names, f"expected answers for no query: {sorted(files - names)}"
    for path in expected_files():
        data = load_expected(path)
        assert data["query"] == path.stem
        assert data["cases"], f"{path.name} has no case"
        assert any(c.get("rows") for c in data["cases"]), f"{path.name}: no case gives exact rows"
        for case in data["cases"]:
            assert set(case) <= {"params", "why", "count", "columns", "rows"}, case
            if "rows" in case:
                assert len(case["rows"]) == case["count"]


def test_every_parameter_is_exercised_by_an_expected_answer() -> None:
    for name, query in catalogue().items():
        used = {p for case in load_expected(EXPECTED / f"{name}.yaml")["cases"] for p in case["params"]}
        missing = {p.name for p in query.parameters} - used
        assert not missing, f"{name}: parameters no expected answer uses: {sorted(missing)}"


def test_the_cases_are_not_vacuous() -> None:
    assert len(cases()) >= 20


@pytest.mark.parametrize(("name", "case"), cases())
def test_answer_on_the_seed_corpus(backend_store: GraphStore, name: str, case: dict[str, Any]) -> None:
    query = catalogue()[name]
    rows = run(backend_store, query, {k: str(v) for k, v in case["params"].items()})
    assert len(rows) == case["count"], [value(r.get(query.columns[0].name)) for r in rows]
    if "rows" in case:
        got = [[value(row.get(c)) for c in case["columns"]] for row in rows]
        assert got == case["rows"]


def test_q1_shows_the_foreign_ministers_swiss_channel_account_and_khameneis_denial(
    seed_store: GraphStore,
) -> None:
    """The DESIGN's must-have, spelt out: who says Iran and the US exchanged messages, and who denies it."""
    rows = run(seed_store, catalogue()["messages_between"], {})
    swiss = [r for r in rows if value(r.get("channel")) == "channel:swiss-interests-section"]
    assert len(swiss) == 1
    (row,) = swiss
    assert value(row["claimant"]) == "actor:amir-abdollahian"
    assert value(row["stance"]) == "bc:Affirms"
    assert value(row["intermediary"]) == "actor:us-interests-section-tehran"
    assert value(row["title"]) == "Iran told US it did not want Israel-Hamas war to escalate"
    assert str(value(row["quote"])).startswith(
        "Over the past 40 days, messages have been exchanged between Iran"
    )
    deniers = {value(r["claimant"]) for r in rows if value(r["stance"]) == "bc:Denies"}
    assert deniers == {"actor:khamenei", "actor:nishadil", "actor:amir-abdollahian"}
