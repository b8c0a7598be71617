"""Named queries turned into self-contained examples for the browser's SPARQL editor."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.examples import Example, digest, example, examples
from kg.namespaces import ID
from kg.queries import Column, NamedQuery, Parameter, load_catalogue, run
from kg.store import GraphStore
from tests.conftest import ROOT

CATALOGUE = load_catalogue(ROOT / "queries")


def _query(text: str, *parameters: Parameter) -> NamedQuery:
    return NamedQuery(
        name="q",
        summary="What it answers",
        description="Longer.",
        parameters=parameters,
        columns=(Column(name="s", description="a subject"),),
        text=text,
    )


def test_binds_what_the_route_binds_and_names_every_parameter() -> None:
    text = "#+ summary: What it answers\n#+ columns: []\n\nSELECT ?s ?who ?stance WHERE { ?s ?p ?who }\n"
    query = _query(
        text,
        Parameter(name="who", type="actor", default="iran", description="The actor.", example="us"),
        Parameter(name="stance", type="stance", description="Affirms\n  or denies.", example="denies"),
    )
    assert example(query) == Example(
        name="q",
        summary="What it answers",
        query=(
            "# What it answers\n"
            "# The answer of GET /queries/q without values. Its parameters:\n"
            "#   ?who (actor, bound by VALUES): The actor.\n"
            "#   ?stance (stance, unbound; for instance 'denies'): Affirms or denies.\n"
            f"SELECT ?s ?who ?stance WHERE {{ VALUES (?who) {{ (<{ID}actor/iran>) }}  ?s ?p ?who }}\n"
        ),
    )


def test_a_required_parameter_is_bound_to_its_documented_example() -> None:
    query = _query(
        "SELECT ?s ?name WHERE { ?s ?p ?name }",
        Parameter(name="name", type="name", required=True, description="A name.", example="Hizb-ullah"),
    )
    assert 'VALUES (?name) { ("hizbullah") }' in example(query).query
    assert "(name, bound by VALUES to the documented example)" in example(query).query


def test_a_query_without_parameters_is_its_text_under_its_summary() -> None:
    assert example(_query("#+ x: y\nASK {}")).query == "# What it answers\nASK {}\n"


def test_examples_come_in_name_order_and_the_digest_follows_their_content() -> None:
    items = examples(reversed(list(CATALOGUE.values())))
    assert [e.name for e in items] == sorted(CATALOGUE)
    assert all("#+" not in e.query for e in items)
    assert len(digest(items)) == 16
    assert digest(items) == digest(examples(CATALOGUE.values()))
    changed = [*items[:-1], Example(items[-1].name, items[-1].summary, items[-1].query + " ")]
    assert digest(changed) != digest(items)


def test_the_headline_example_asks_about_iran_and_the_us() -> None:
    text = example(CATALOGUE["messages_between"]).query
    assert f"VALUES (?actor ?other) {{ (<{ID}actor/iran> <{ID}actor/us>) }}" in text


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_every_example_answers_exactly_what_its_route_answers(backend_store: GraphStore, name: str) -> None:
    query = CATALOGUE[name]
    required = {p.name: p.example for p in query.parameters if p.required}
    expected = run(backend_store, query, required)
    assert expected, f"{name} answers nothing on the seeds with its defaults"
    # prefixes=False: the very text a person sees in the editor, as any SPARQL client sends it
    result = backend_store.query(example(query).query, prefixes=False)
    assert isinstance(result, ox.QuerySolutions)
    columns = [c.name for c in query.columns]
    shown = [{c: s[c] for c in columns if s[c] is not None} for s in result]
    assert shown == expected
