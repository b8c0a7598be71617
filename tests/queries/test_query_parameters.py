"""Parameters: strings read as typed terms, ids resolved, and every bad value named precisely."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest

from kg.config import Settings
from kg.errors import InvalidParameter, NotFound
from kg.namespaces import BC, ID, XSD
from kg.queries import (
    DocumentFile,
    NamedQuery,
    Parameter,
    answer,
    bind,
    compact,
    get,
    json_value,
    load_catalogue,
    normalise_name,
    parse_value,
    run,
    to_csv,
)
from kg.store import GraphStore
from tests.conftest import ROOT

KHAMENEI_DENIAL = f"{ID}claim/4de668e1403d28a9/khamenei-denies-message-to-us"
DOC_000 = f"{ID}doc/9bdecb3cd4d131be"


def catalogue() -> dict[str, NamedQuery]:
    return load_catalogue(Settings(home=ROOT).queries_dir)


def param(type_: str, name: str = "p") -> Parameter:
    return Parameter(name=name, type=type_, description="a test parameter", example="x")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("type_", "raw", "term"),
    [
        ("date", "2024-02-10", ox.Literal("2024-02-10", datatype=ox.NamedNode(XSD + "date"))),
        ("integer", "+0042", ox.Literal("42", datatype=ox.NamedNode(XSD + "integer"))),
        ("boolean", "TRUE", ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean"))),
        ("string", " as typed ", ox.Literal(" as typed ")),
        ("name", "  Lebanon’s  Hizbullah ", ox.Literal("lebanonshizbullah")),
        ("name", "Amir-Abdollahian", ox.Literal("amirabdollahian")),
        ("stance", "Denies", ox.NamedNode(BC + "Denies")),
        ("stance", BC + "Affirms", ox.NamedNode(BC + "Affirms")),
        ("attribution", "anonymous-source", ox.NamedNode(BC + "AnonymousSourcing")),
        ("point", "directness", ox.NamedNode(BC + "DirectnessPoint")),
        ("actor", "iran", ox.NamedNode(f"{ID}actor/iran")),
        ("actor", "actor/iran", ox.NamedNode(f"{ID}actor/iran")),
        ("actor", f"{ID}actor/iran", ox.NamedNode(f"{ID}actor/iran")),
        ("actor", "c4077f91fe77e5a6/informed-iranian-source", ox.NamedNode(f"{ID}actor/c4077f91fe77e5a6/informed-iranian-source")),
        ("channel", "oman", ox.NamedNode(f"{ID}channel/oman")),
        ("claim", "4de668e1403d28a9/khamenei-denies-message-to-us", ox.NamedNode(KHAMENEI_DENIAL)),
        ("claim", "claim/4de668e1403d28a9/khamenei-denies-message-to-us", ox.NamedNode(KHAMENEI_DENIAL)),
        ("document", "9bdecb3cd4d131be", ox.NamedNode(DOC_000)),
        ("document", "doc/9bdecb3cd4d131be", ox.NamedNode(DOC_000)),
        ("document", "000_9ccd7f39ddaf9104", DocumentFile("000_9ccd7f39ddaf9104.txt")),
        ("iri", "proposition/abc/def", ox.NamedNode(f"{ID}proposition/abc/def")),
        ("iri", "urn:example:x", ox.NamedNode("urn:example:x")),
    ],
)  # fmt: skip
def test_values_are_read_as_typed_terms(type_: str, raw: str, term: object) -> None:
    assert parse_value(param(type_), raw) == term


@pytest.mark.parametrize(
    ("type_", "raw", "message"),
    [
        ("date", "2024-02-30", "parameter 'p': '2024-02-30' is not a calendar date (day is out of range for month); expected a date as YYYY-MM-DD"),
        ("date", "10/02/2024", "parameter 'p': '10/02/2024' is not a date; expected a date as YYYY-MM-DD"),
        ("date", "20240210", "parameter 'p': '20240210' is not a date"),
        ("integer", "2024.0", "parameter 'p': '2024.0' is not a whole number; expected a whole number"),
        ("boolean", "yes", "parameter 'p': 'yes' is not a boolean; expected true or false"),
        ("stance", "neutral", "parameter 'p': 'neutral' is not one of the choices; expected affirms or denies"),
        ("point", "tone", "'tone' is not one of the choices; expected occurrence, directness or initiator"),
        ("actor", "Iran's foreign minister", "parameter 'p': \"Iran's foreign minister\" is neither an id nor an IRI; expected an actor id such as iran"),
        ("actor", "Iran", "'Iran' is neither an id nor an IRI"),
        ("claim", "khamenei-denies-message-to-us", "is neither an id nor an IRI; expected a claim id such as claim/<document key>/<annotation id>"),
        ("iri", "not an iri", "is neither an id nor an IRI"),
        ("name", "—?!", "parameter 'p': '—?!' has no letters or digits"),
        ("actor", "  ", "parameter 'p': empty value; expected an actor id"),
    ],
)  # fmt: skip
def test_bad_values_name_the_parameter_and_what_is_expected(type_: str, raw: str, message: str) -> None:
    with pytest.raises(InvalidParameter) as caught:
        parse_value(param(type_), raw)
    assert message in str(caught.value)


def test_names_normalise_as_the_queries_do() -> None:
    assert (
        normalise_name("Lebanon's Hizbullah") == normalise_name("LEBANON’S HIZBULLAH") == "lebanonshizbullah"
    )
    assert normalise_name("U.S.") == "us" and normalise_name("Türkiye") == "türkiye"


def test_missing_unknown_and_defaulted_parameters(seed_store: GraphStore) -> None:
    cat = catalogue()
    with pytest.raises(InvalidParameter) as caught:
        run(seed_store, cat["claims_of_actor"], {})
    assert str(caught.value).startswith("parameter 'name' is required for query 'claims_of_actor': ")
    with pytest.raises(InvalidParameter) as caught:
        run(seed_store, cat["timeline"], {"year": "2024"})
    assert str(caught.value) == "unknown parameter 'year' for query 'timeline'; it takes: from, to, document"
    with pytest.raises(
        InvalidParameter, match="unknown parameter 'x' for query 'contradictions'; it takes: point"
    ):
        run(seed_store, cat["contradictions"], {"x": "1"})
    with pytest.raises(InvalidParameter, match="it takes: none"):
        run(seed_store, NamedQuery(**{**cat["contradictions"].model_dump(), "parameters": ()}), {"x": "1"})
    assert bind(seed_store, cat["messages_between"], {}) == {
        "actor": ox.NamedNode(f"{ID}actor/iran"),
        "other": ox.NamedNode(f"{ID}actor/us"),
    }
    assert bind(seed_store, cat["timeline"], {}) == {}


def test_references_must_exist_in_the_store(seed_store: GraphStore) -> None:
    """A typo or an IRI of the wrong kind fails loudly instead of answering nothing."""
    cat = catalogue()
    with pytest.raises(InvalidParameter, match=r"^parameter 'actor': no actor actor:irn in the store$"):
        run(seed_store, cat["messages_between"], {"actor": "irn"})
    with pytest.raises(InvalidParameter, match="parameter 'other': no actor channel:oman in the store"):
        run(seed_store, cat["messages_between"], {"other": f"{ID}channel/oman"})
    # All of a run's references are checked together; the first wrong one, in parameter order, is named.
    with pytest.raises(InvalidParameter, match=r"^parameter 'other': no actor actor:uss in the store$"):
        run(seed_store, cat["messages_between"], {"actor": "iran", "other": "uss"})
    with pytest.raises(InvalidParameter, match=r"^parameter 'actor': no actor actor:irn in the store$"):
        run(seed_store, cat["messages_between"], {"actor": "irn", "other": "uss"})
    assert run(seed_store, cat["messages_between"], {"actor": "iran", "other": "us"})
    with pytest.raises(InvalidParameter, match="parameter 'claim': no claim claim/4de668e1403d28a9/nothing"):
        run(seed_store, cat["opposing_claims"], {"claim": "4de668e1403d28a9/nothing"})
    with pytest.raises(InvalidParameter, match="parameter 'channel': no channel channel:swiss in the store"):
        run(seed_store, cat["channels_between_actors"], {"channel": "swiss"})
    with pytest.raises(
        InvalidParameter,
        match=re.escape("parameter 'document': no document with source file '999_nothing.txt'"),
    ):
        run(seed_store, cat["timeline"], {"document": "999_nothing"})
    with pytest.raises(InvalidParameter, match="parameter 'document': no document doc/0000000000000000"):
        run(seed_store, cat["timeline"], {"document": "0000000000000000"})


def test_a_document_by_any_of_its_names(seed_store: GraphStore) -> None:
    timeline = catalogue()["timeline"]
    for ref in (
        "000_9ccd7f39ddaf9104",
        "000_9ccd7f39ddaf9104.txt",
        "9bdecb3cd4d131be",
        "doc/9bdecb3cd4d131be",
        DOC_000,
    ):
        assert bind(seed_store, timeline, {"document": ref}) == {"document": ox.NamedNode(DOC_000)}, ref
        assert len(run(seed_store, timeline, {"document": ref})) == 10


def test_unknown_query_lists_the_queries() -> None:
    cat = catalogue()
    assert get(cat, "timeline") is cat["timeline"]
    with pytest.raises(NotFound) as caught:
        get(cat, "timelines")
    assert str(caught.value).startswith("no named query 'timelines'; the queries are: actors_by_name, ")
    assert "timeline" in str(caught.value)


def test_terms_as_json_csv_and_short_forms() -> None:
    def xsd(local: str) -> ox.NamedNode:
        return ox.NamedNode(XSD + local)

    assert json_value(ox.Literal("3", datatype=xsd("integer"))) == 3
    assert json_value(ox.Literal("2.5", datatype=xsd("decimal"))) == 2.5
    assert json_value(ox.Literal("NaN", datatype=xsd("double"))) == "NaN"
    assert json_value(ox.Literal("false", datatype=xsd("boolean"))) is False
    assert json_value(ox.Literal("2024-02-10", datatype=xsd("date"))) == "2024-02-10"
    assert json_value(ox.Literal("Iran", language="en")) == "Iran"
    assert json_value(ox.NamedNode(f"{ID}actor/iran")) == f"{ID}actor/iran"
    assert json_value(None) is None
    assert compact(ox.NamedNode(f"{ID}actor/iran")) == "actor:iran"
    assert compact(ox.NamedNode(BC + "Affirms")) == "bc:Affirms"
    assert compact(ox.NamedNode(KHAMENEI_DENIAL)) == "claim/4de668e1403d28a9/khamenei-denies-message-to-us"
    assert compact(ox.NamedNode("http://example.org/x")) == "http://example.org/x"


def test_answer_and_csv_hold_every_column(seed_store: GraphStore) -> None:
    query = catalogue()["channels_between_actors"]
    rows = run(seed_store, query, {"channel": "back-channels"})
    body = answer(query, rows)
    assert body["query"] == "channels_between_actors" and body["count"] == 1
    assert body["columns"] == [c.name for c in query.columns]
    (row,) = body["rows"]
    assert row["intermediary"] is None and row["claims"] == 3 and row["actor_a"] == f"{ID}actor/iran"
    lines = to_csv(query, rows).split("\r\n")
    assert lines[0] == ",".join(body["columns"])
    assert lines[1].startswith(
        f"{ID}channel/back-channels,unspecified back channels,{BC}UnspecifiedIndirectChannel,,,"
    )
    assert lines[1].endswith(",3,3,0,1") and lines[2:] == [""]
