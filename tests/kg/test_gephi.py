"""Gephi exports: valid against the GEXF 1.3 grammars, read back alike by networkx and graphology.

Every export of the seed graph (both views, both formats) is checked for schema validity, unique
ids, no dangling edges, counts that match independent SPARQL counts, attributes that survive a
round trip through networkx (GEXF and GraphML) and graphology-gexf (the parser of Gephi Lite and
sigma.js, run with node), time data, and identical bytes for identical stores.
"""

from __future__ import annotations

import copy
import io
import itertools
import json
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import polars as pl
import pyoxigraph as ox
import pytest
from lxml import etree
from typer.testing import CliRunner, Result

from kg import contradictions, gephi, gephi_read, gephi_render, gephi_views
from kg.cli import app
from kg.errors import ExportFailed, InvalidParameter
from kg.gephi_read import summary_quads
from kg.namespaces import BC, DOC_GRAPH_PREFIX, GRAPH_CONTRADICTIONS
from kg.store import GraphStore
from tests.conftest import ROOT, without_summaries

CONFORMANCE = ROOT / ".." / "shared" / "conformance" / "gexf-1.3"
FIXTURES = ROOT / "tests" / "fixtures" / "gephi"
JS = ROOT / "tests" / "js"
G = "{http://gexf.net/1.3}"
VIZ = "{http://gexf.net/1.3/viz}"
GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"
# Keys the readers add on their own (from XML attributes and viz elements), not columns.
NX_NODE_EXTRA = {"label", "start", "end", "viz"}
NX_EDGE_EXTRA = {"label", "start", "end", "id", "weight"}
GRAPHOLOGY_NODE_EXTRA = {"label", "color", "size"}
GRAPHOLOGY_EDGE_EXTRA = {"label", "weight", "color"}
GRAPHML_NODE_EXTRA = {"label", "start", "r", "g", "b", "size"}
GRAPHML_EDGE_EXTRA = {"label", "start", "weight", "id"}

runner = CliRunner()


# --- helpers (also used by tests/api/test_export.py) ---------------------------------------------


def schemas() -> tuple[etree.RelaxNG, etree.XMLSchema]:
    """The GEXF 1.3 RELAX NG grammar (normative) and XSD, from the conformance copies."""
    rng, xsd = CONFORMANCE / "gexf.rng", CONFORMANCE / "gexf.xsd"
    assert rng.is_file() and xsd.is_file(), f"GEXF 1.3 schemas missing under {CONFORMANCE.resolve()}"
    return etree.RelaxNG(etree.parse(str(rng))), etree.XMLSchema(etree.parse(str(xsd)))


def assert_valid_gexf(data: bytes) -> None:
    """Valid against the RELAX NG grammar as is, and against the XSD once viz elements are removed.

    The published 1.3 viz.xsd has no targetNamespace, so the XSD rejects every viz:* element
    (see shared/conformance/README.md); the RELAX NG grammar checks those.
    """
    rng, xsd = schemas()
    doc = etree.fromstring(data).getroottree()
    assert rng.validate(doc), f"RELAX NG: {rng.error_log}"
    stripped = copy.deepcopy(doc)
    for el in list(stripped.iter(f"{VIZ}*")):
        el.getparent().remove(el)
    assert xsd.validate(stripped), f"XSD: {xsd.error_log}"


def _typed(value: str, type_: str) -> Any:
    if type_ == "integer":
        return int(value)
    if type_ == "double":
        return float(value)
    if type_ == "boolean":
        return value == "true"
    return value


def gexf_facts(data: bytes) -> dict[str, Any]:
    """What the file says, read with lxml: typed attvalues per node and edge, starts, labels."""
    root = etree.fromstring(data)
    graph = root.find(f"{G}graph")
    types = {
        cls: {
            a.get("id"): a.get("type") for a in graph.findall(f"{G}attributes[@class='{cls}']/{G}attribute")
        }
        for cls in ("node", "edge")
    }
    nodes: dict[str, dict[str, Any]] = {}
    for n in graph.iter(f"{G}node"):
        assert n.get("id") not in nodes, f"duplicate node id {n.get('id')}"
        nodes[n.get("id")] = {
            "label": n.get("label"),
            "start": n.get("start"),
            "values": {
                v.get("for"): _typed(v.get("value"), types["node"][v.get("for")])
                for v in n.iter(f"{G}attvalue")
            },
        }
    edges: dict[str, dict[str, Any]] = {}
    for e in graph.iter(f"{G}edge"):
        assert e.get("id") not in edges, f"duplicate edge id {e.get('id')}"
        edges[e.get("id")] = {
            "source": e.get("source"),
            "target": e.get("target"),
            "label": e.get("label"),
            "weight": float(e.get("weight")),
            "start": e.get("start"),
            "values": {
                v.get("for"): _typed(v.get("value"), types["edge"][v.get("for")])
                for v in e.iter(f"{G}attvalue")
            },
        }
    dangling = [
        (i, e["source"], e["target"]) for i, e in edges.items() if {e["source"], e["target"]} - nodes.keys()
    ]
    assert not dangling, f"edges to missing nodes: {dangling[:5]}"
    return {"graph": dict(graph.attrib), "types": types, "nodes": nodes, "edges": edges}


def read_graphology(path: Path) -> dict[str, Any]:
    """Parse a GEXF file with graphology-gexf under node; fails (never skips) if node is missing."""
    node = shutil.which("node")
    assert node, "node is not installed: .ci/run installs it with npm (tests/js)"
    assert (JS / "node_modules" / "graphology-gexf").is_dir(), (
        f"graphology-gexf is not installed: run 'npm ci --prefix {JS}' (.ci/run does)"
    )
    done = subprocess.run(
        [node, str(JS / "read_gexf.js"), str(path)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, f"graphology-gexf failed: {done.stderr}"
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def nx_edges_by_id(graph: nx.Graph) -> dict[str, tuple[str, str, dict[str, Any]]]:
    return {d["id"]: (u, v, d) for u, v, d in graph.edges(data=True)}


def assert_reads_back_everywhere(data: bytes, path: Path) -> dict[str, Any]:
    """networkx and graphology-gexf read the same nodes, edges and attributes as the file holds."""
    facts = gexf_facts(data)
    nodes, edges = facts["nodes"], facts["edges"]
    path.write_bytes(data)

    g = nx.read_gexf(path, version="1.3")
    assert g.is_directed()
    assert g.number_of_nodes() == len(nodes) and g.number_of_edges() == len(edges)
    for nid, n in nodes.items():
        attrs = g.nodes[nid]
        assert {k: v for k, v in attrs.items() if k not in NX_NODE_EXTRA} == n["values"], nid
        assert attrs["label"] == n["label"] and attrs.get("start") == n["start"]
        assert "color" in attrs["viz"] and attrs["viz"]["size"] > 0
    for eid, (u, v, attrs) in nx_edges_by_id(g).items():
        e = edges[eid]
        assert (u, v) == (e["source"], e["target"])
        assert {k: x for k, x in attrs.items() if k not in NX_EDGE_EXTRA} == e["values"], eid
        assert attrs.get("start") == e["start"] and attrs["weight"] == e["weight"]

    js = read_graphology(path)
    assert js["order"] == len(nodes) and js["size"] == len(edges)
    assert js["type"] == "directed"
    for nid, n in nodes.items():
        attrs = js["nodes"][nid]
        assert {k: v for k, v in attrs.items() if k not in GRAPHOLOGY_NODE_EXTRA} == n["values"], nid
        assert attrs["label"] == n["label"] and attrs["color"].startswith("rgb(") and attrs["size"] > 0
    for eid, e in edges.items():
        got = js["edges"][eid]
        assert (got["source"], got["target"], got["undirected"]) == (e["source"], e["target"], False)
        attrs = got["attributes"]
        assert {k: v for k, v in attrs.items() if k not in GRAPHOLOGY_EDGE_EXTRA} == e["values"], eid
        assert attrs["weight"] == e["weight"] and attrs["label"] == e["label"]
    return facts


def assert_graphml_matches(graphml: bytes, facts: dict[str, Any], path: Path) -> None:
    """The GraphML export is well formed and networkx reads the GEXF export's columns from it."""
    root = etree.fromstring(graphml)
    assert root.tag == f"{GRAPHML}graphml"
    ids = [n.get("id") for n in root.iter(f"{GRAPHML}node")]
    assert len(ids) == len(set(ids))
    path.write_bytes(graphml)
    g = nx.read_graphml(path)
    assert g.number_of_nodes() == len(facts["nodes"]) and g.number_of_edges() == len(facts["edges"])
    for nid, n in facts["nodes"].items():
        attrs = g.nodes[nid]
        assert {k: v for k, v in attrs.items() if k not in GRAPHML_NODE_EXTRA} == n["values"], nid
        assert attrs["label"].split() == n["label"].split() and attrs.get("start") == n["start"]
    seen = 0
    for u, v, key, attrs in (
        g.edges(keys=True, data=True)
        if g.is_multigraph()
        else ((u, v, d["id"], d) for u, v, d in g.edges(data=True))
    ):
        e = facts["edges"][key]
        assert (u, v) == (e["source"], e["target"])
        assert {k: x for k, x in attrs.items() if k not in GRAPHML_EDGE_EXTRA} == e["values"], key
        assert attrs.get("start") == e["start"] and attrs["weight"] == e["weight"]
        seen += 1
    assert seen == len(facts["edges"])


def count(store: GraphStore, sparql: str) -> int:
    return int(store.select(sparql)[0]["n"].value)


# --- the seed graph, both views, both formats ----------------------------------------------------


@pytest.fixture(scope="module")
def exports(seed_store: GraphStore) -> dict[tuple[str, str], bytes]:
    return {
        (view, fmt): gephi.export_bytes(seed_store, gephi.parse_options(view, fmt))
        for view in gephi.VIEWS
        for fmt in gephi.GRAPH_FORMATS
    }


@pytest.mark.parametrize("view", gephi.VIEWS)
def test_gexf_is_valid_and_reads_back_alike_everywhere(
    view: str, exports: dict[tuple[str, str], bytes], tmp_path: Path
) -> None:
    data = exports[(view, "gexf")]
    assert_valid_gexf(data)
    facts = assert_reads_back_everywhere(data, tmp_path / f"{view}.gexf")
    assert facts["nodes"] and facts["edges"]
    assert_graphml_matches(exports[(view, "graphml")], facts, tmp_path / f"{view}.graphml")


def test_the_validators_are_not_vacuous(exports: dict[tuple[str, str], bytes]) -> None:
    rng, xsd = schemas()
    good = etree.fromstring(exports[("actors", "gexf")])
    bad_colour = copy.deepcopy(good)
    next(bad_colour.iter(f"{VIZ}color")).set("r", "300")
    assert not rng.validate(bad_colour.getroottree())
    bad_time = copy.deepcopy(good)
    next(bad_time.iter(f"{G}node")).set("start", "16 November 2023")
    assert not rng.validate(bad_time.getroottree()) and not xsd.validate(bad_time.getroottree())


def test_actors_view_counts_match_the_store(
    seed_store: GraphStore, exports: dict[tuple[str, str], bytes]
) -> None:
    facts = gexf_facts(exports[("actors", "gexf")])
    edges = list(facts["edges"].values())
    relation = Counter(e["values"]["relation"] for e in edges)
    directional = count(
        seed_store,
        "SELECT (COUNT(*) AS ?n) WHERE { ?c a bc:Claim ; bc:proposition ?p . ?p bc:sender ?s ; bc:recipient ?r }",
    )
    mutual = count(
        seed_store,
        "SELECT (COUNT(*) AS ?n) WHERE { ?c a bc:Claim ; bc:proposition ?p . "
        "?p bc:party ?a , ?b FILTER(?a != ?b) }",
    )
    assert relation["communication"] == directional + mutual
    assert sum(1 for e in edges if e["values"].get("mutual")) == mutual
    contradictions = count(seed_store, "SELECT (COUNT(*) AS ?n) WHERE { ?x a bc:Contradiction }")
    disputes = [e for e in edges if e["values"]["relation"] == "contradiction"]
    assert sum(e["weight"] for e in disputes) == contradictions == 26
    assert all(e["values"]["disagreements"] == e["weight"] for e in disputes)
    # Claims made, per actor, as the store counts them.
    made = {
        row["a"].value: int(row["n"].value)
        for row in seed_store.select(
            "SELECT ?a (COUNT(?c) AS ?n) WHERE { ?c a bc:Claim ; bc:claimant ?a } GROUP BY ?a"
        )
    }
    for iri, n in made.items():
        assert facts["nodes"][gephi.node_id(iri)]["values"]["claims"] == n
    assert sum(n["values"]["claims"] for n in facts["nodes"].values()) == 86
    khamenei = facts["nodes"]["actor/khamenei"]
    assert khamenei["label"] == "Ali Khamenei" and khamenei["values"]["kind"] == "Person"
    # Every communication edge carries what the issue lists.
    for e in edges:
        if e["values"]["relation"] == "communication":
            v = e["values"]
            assert {"channel", "directness", "stance", "claimant", "stated", "document"} - {
                "channel"
            } <= v.keys()
            assert v["stance"] in ("affirms", "denies") and v["directness"] in (
                "direct",
                "indirect",
                "unstated",
            )
    assert any(e["values"].get("channel") == "Swiss protecting-power channel" for e in edges)


def test_claims_view_counts_match_the_store(
    seed_store: GraphStore, exports: dict[tuple[str, str], bytes]
) -> None:
    facts = gexf_facts(exports[("claims", "gexf")])
    category = Counter(n["values"]["category"] for n in facts["nodes"].values())
    assert category["claim"] == count(seed_store, "SELECT (COUNT(*) AS ?n) WHERE { ?c a bc:Claim }") == 86
    assert category["document"] == 5
    props = count(seed_store, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?c a bc:Claim ; bc:proposition ?p }")
    assert category["communication"] + category["position"] == props
    relation = Counter(e["values"]["relation"] for e in facts["edges"].values())
    assert relation["makes"] == relation["claims"] == relation["source"] == 86
    assert relation["contradicts"] == 26
    for role in ("sender", "recipient", "party", "concerns"):
        n = count(
            seed_store,
            f"SELECT (COUNT(*) AS ?n) WHERE {{ {{ SELECT DISTINCT ?p WHERE {{ ?c bc:proposition ?p }} }} ?p bc:{role} ?a }}",
        )
        assert relation[role] == n, role
    # claimant -> claim -> proposition, claim -> document, sender -> communication -> recipient
    for e in facts["edges"].values():
        src, dst = e["source"].split("/")[0], e["target"].split("/")[0]
        expected = {
            "makes": ("actor", "claim"),
            "claims": ("claim", "proposition"),
            "source": ("claim", "doc"),
            "sender": ("actor", "proposition"),
            "recipient": ("proposition", "actor"),
            "party": ("proposition", "actor"),
            "concerns": ("proposition", "actor"),
            "contradicts": ("claim", "claim"),
        }[e["values"]["relation"]]
        assert (src, dst) == expected


def test_dates_are_gexf_time_and_the_story_plays_in_order(
    seed_store: GraphStore, exports: dict[tuple[str, str], bytes]
) -> None:
    stated = {
        gephi.node_id(row["c"].value): row["d"].value
        for row in seed_store.select("SELECT ?c ?d WHERE { ?c a bc:Claim ; bc:statedAt/bc:date ?d }")
    }
    assert len(stated) >= 79
    for view in gephi.VIEWS:
        facts = gexf_facts(exports[(view, "gexf")])
        assert facts["graph"]["mode"] == "dynamic" and facts["graph"]["timeformat"] == "date"
        starts = [x["start"] for x in (*facts["nodes"].values(), *facts["edges"].values()) if x["start"]]
        assert len(starts) > 0.9 * (len(facts["nodes"]) + len(facts["edges"]))
        assert all(len(s) == 10 and s[4] == "-" and s[7] == "-" for s in starts)
    claims = gexf_facts(exports[("claims", "gexf")])
    for cid, d in stated.items():
        assert claims["nodes"][cid]["start"] == d
    docs = {
        n["values"]["file"]: n["start"]
        for n in claims["nodes"].values()
        if n["values"]["category"] == "document"
    }
    assert docs["004_8ca7b8115da28cd5.txt"] > docs["000_9ccd7f39ddaf9104.txt"]
    # The foreign minister's "exchange of messages" comes before Khamenei's denial of any message.
    actors = gexf_facts(exports[("actors", "gexf")])
    by_claim = {e["values"].get("claim"): e["start"] for e in actors["edges"].values()}
    assert (
        by_claim["claim/9bdecb3cd4d131be/fm-exchange-of-messages"]
        < by_claim["claim/4de668e1403d28a9/khamenei-denies-message-to-us"]
    )
    # An actor's node starts no later than anything that involves it.
    for e in actors["edges"].values():
        for end in (e["source"], e["target"]):
            start = actors["nodes"][end]["start"]
            assert start is None or (e["start"] is not None and start <= e["start"])


def test_the_same_store_gives_the_same_bytes(
    exports: dict[tuple[str, str], bytes], seed_store: GraphStore, fresh_store: GraphStore
) -> None:
    for (view, fmt), data in exports.items():
        options = gephi.parse_options(view, fmt)
        assert gephi.export_bytes(seed_store, options) == data
        assert gephi.export_bytes(fresh_store, options) == data  # a rebuild of the same corpus


def test_a_date_range_keeps_the_claims_stated_in_it(seed_store: GraphStore, tmp_path: Path) -> None:
    data = gephi.export_bytes(seed_store, gephi.parse_options("claims", "gexf", "2024-01-01", "2024-12-31"))
    assert_valid_gexf(data)
    facts = assert_reads_back_everywhere(data, tmp_path / "range.gexf")
    assert facts["graph"]["start"] == "2024-01-01" and facts["graph"]["end"] == "2024-12-31"
    claims = [n for n in facts["nodes"].values() if n["values"]["category"] == "claim"]
    assert 0 < len(claims) < 86
    assert all("2024-01-01" <= n["start"] <= "2024-12-31" for n in claims)
    for e in facts["edges"].values():
        if e["values"]["relation"] == "contradicts":
            assert facts["nodes"][e["source"]]["start"] and facts["nodes"][e["target"]]["start"]
    empty = gephi.export_bytes(seed_store, gephi.parse_options("actors", "gexf", "1990-01-01", "1990-01-02"))
    assert_valid_gexf(empty)
    assert gexf_facts(empty)["nodes"] == {}


# --- edge cases: escaping, undated items, mutual communications ---------------------------------


@pytest.fixture(scope="module")
def edge_store() -> GraphStore:
    store = GraphStore.open(None)
    store.raw.load(path=str(FIXTURES / "edge-cases.trig"), format=ox.RdfFormat.TRIG)
    return store


def test_the_renderer_escapes_every_text_as_the_reference_does() -> None:
    # The renderer escapes whole columns in polars; Python's own str.split and a plain escape of
    # each text say what each must become. Every short text over tricky characters (every kind of space Python's
    # str.split knows among them) checks the two agree.
    spaces = [c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace()]
    alphabet = ["a", " ", "&", "<", ">", '"', "\x00", "\x1e", "\x1f", "\ufffe", "\uffff", "\u00e9", *spaces]
    texts = ["".join(chars) for size in range(0, 3) for chars in itertools.product(alphabet, repeat=size)]
    texts += ["  two  spaces\t", "\u3000lead", "trail\u2029", "a\x85b\x1cc", "x" * 70 + " \u00a0"]
    frame = pl.DataFrame({"t": texts})
    got = frame.select(
        gephi_render.escape_attr(pl.col("t")).alias("attr"),
        gephi_render.escape_token(pl.col("t")).alias("token"),
    )
    table = str.maketrans(
        {
            **{"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"},
            **{"\t": "&#9;", "\n": "&#10;", "\r": "&#13;"},
            **{chr(i): None for i in range(32) if i not in (9, 10, 13)},  # not allowed in XML 1.0
            **{"\ufffe": None, "\uffff": None},
        }
    )

    def attr(text: str) -> str:
        return text.translate(table)

    def token(text: str) -> str:
        return attr(" ".join(text.split()))

    assert got.get_column("attr").to_list() == [attr(t) for t in texts]
    assert got.get_column("token").to_list() == [token(t) for t in texts]
    assert [gephi_render.xml_attr(t) for t in texts] == [attr(t) for t in texts]  # for the head
    assert len(texts) > 1500 and sum(attr(t) != t for t in texts) > 500  # not vacuous
    assert sum(token(t) != t for t in texts) > 1000


def test_edge_cases_are_escaped_dated_and_drawn(edge_store: GraphStore, tmp_path: Path) -> None:
    actors = gephi.export_bytes(edge_store, gephi.parse_options("actors", "gexf"))
    assert_valid_gexf(actors)
    facts = assert_reads_back_everywhere(actors, tmp_path / "actors.gexf")
    assert_graphml_matches(
        gephi.export_bytes(edge_store, gephi.parse_options("actors", "graphml")),
        facts,
        tmp_path / "a.graphml",
    )
    alpha = facts["nodes"]["actor/alpha"]
    # The label is an xsd:token: whitespace collapsed; the control character is not XML and goes.
    assert alpha["label"] == 'Alpha "the <first>" & only state with a bell'
    assert facts["nodes"]["actor/beta"]["label"] == "Beta"  # English label preferred
    assert facts["nodes"]["actor/someone"]["values"]["kind"] == "Actor"
    comm = [e for e in facts["edges"].values() if e["values"]["relation"] == "communication"]
    talks = [e for e in comm if e["values"]["communication"] == "Talks"]
    assert sorted((e["source"], e["target"]) for e in talks) == sorted(
        (a, b)
        for a in ("actor/alpha", "actor/beta", "actor/gamma")
        for b in ("actor/alpha", "actor/beta", "actor/gamma")
        if a != b
    )
    assert all(e["values"]["mutual"] and e["start"] is None for e in talks)  # undated: always visible
    assert all(facts["nodes"][a]["start"] is None for a in ("actor/alpha", "actor/beta", "actor/gamma"))
    message = [e for e in comm if e["values"]["communication"] == "Message"]
    assert {(e["values"]["stance"], e["start"]) for e in message} == {
        ("affirms", "2024-03-01"),
        ("denies", "2024-03-05"),
    }
    assert message[0]["values"]["summary"] == 'Alpha sent Beta a message <urgent> & "secret".'
    assert message[0]["values"]["document"] == "edge&cases.txt"
    (dispute,) = [e for e in facts["edges"].values() if e["values"]["relation"] == "contradiction"]
    assert (dispute["source"], dispute["target"], dispute["weight"]) == ("actor/alpha", "actor/beta", 1.0)
    assert dispute["start"] == "2024-03-05" and dispute["values"]["points"] == "occurrence"

    claims = gephi.export_bytes(edge_store, gephi.parse_options("claims", "gexf"))
    assert_valid_gexf(claims)
    cfacts = assert_reads_back_everywhere(claims, tmp_path / "claims.gexf")
    assert_graphml_matches(
        gephi.export_bytes(edge_store, gephi.parse_options("claims", "graphml")),
        cfacts,
        tmp_path / "c.graphml",
    )
    assert cfacts["nodes"]["claim/edgecases/c3"]["start"] is None
    assert cfacts["nodes"]["doc/edgecases"]["label"] == 'Quotes "and" <tags> & more'
    assert cfacts["nodes"]["doc/edgecases"]["values"]["outlet"] == "The Wire"
    (contra,) = [e for e in cfacts["edges"].values() if e["values"]["relation"] == "contradicts"]
    assert contra["values"]["point"] == "occurrence" and (contra["source"], contra["target"]) == (
        "claim/edgecases/c2",
        "claim/edgecases/c1",
    )
    # A date range leaves the undated claim out, and what only it involved.
    ranged = gexf_facts(gephi.export_bytes(edge_store, gephi.parse_options("claims", "gexf", "2024-03-01")))
    assert "claim/edgecases/c3" not in ranged["nodes"] and "actor/someone" not in ranged["nodes"]


# --- export summaries: the same bytes, read from one literal per document graph ------------------


def summarised(store: GraphStore) -> GraphStore:
    """An in-memory copy of ``store`` whose document graphs carry their export summaries."""
    copy = GraphStore.open(None)
    quads = list(store.quads())
    copy.bulk_add(quads)
    docs = {g for g in store.graphs() if g.startswith(DOC_GRAPH_PREFIX)}
    copy.bulk_add(
        summary_quads(
            q for q in quads if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value in docs
        )
    )
    return copy


def claims_in(store: GraphStore, graph: str) -> int:
    return count(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?c a bc:Claim }} }}")


@pytest.fixture(scope="module")
def doc_graphs(seed_store: GraphStore) -> list[str]:
    graphs = [g for g in seed_store.graphs() if g.startswith(DOC_GRAPH_PREFIX)]
    assert len(graphs) == 5
    return graphs


def test_the_build_writes_summaries_and_they_give_the_same_bytes(
    seed_store: GraphStore, exports: dict[tuple[str, str], bytes], doc_graphs: list[str]
) -> None:
    # The build leaves one current summary in each document graph and in the contradictions
    # graph, about the graph itself.
    summarised = sorted([*doc_graphs, GRAPH_CONTRADICTIONS.value])
    assert gephi_read.summary_coverage(seed_store) == (6, len(seed_store.graphs()) - 6)
    rows = seed_store.select(
        "SELECT ?g ?s (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s bc:exportSummary ?x } } GROUP BY ?g ?s"
    )
    assert sorted((r["g"].value, r["s"].value, int(r["n"].value)) for r in rows) == [
        (g, g, 1) for g in summarised
    ]
    plain = without_summaries(seed_store)
    assert gephi_read.summary_coverage(plain) == (0, len(seed_store.graphs()))
    for (view, fmt), data in exports.items():
        assert gephi.export_bytes(plain, gephi.parse_options(view, fmt)) == data, (view, fmt)
    ranged = gephi.parse_options("claims", "gexf", "2024-01-01", "2024-12-31")
    assert gephi.export_bytes(plain, ranged) == gephi.export_bytes(seed_store, ranged)


def test_the_summaries_are_what_is_read_and_a_stale_one_is_not(
    seed_store: GraphStore, exports: dict[tuple[str, str], bytes], doc_graphs: list[str]
) -> None:
    # Drop every claimant from the documents but keep their summaries: the export does not notice,
    # so it read the summaries, not the patterns.
    store = summarised(seed_store)
    store.update("DELETE { GRAPH ?g { ?c bc:claimant ?a } } WHERE { GRAPH ?g { ?c bc:claimant ?a } }")
    assert count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?c bc:claimant ?a }") == 0
    options = gephi.parse_options("claims", "gexf")
    assert gephi.export_bytes(store, options) == exports[("claims", "gexf")]

    # A graph without its summary is read pattern by pattern: its claims are gone, the others stay.
    first = doc_graphs[0]
    store.update(f"DELETE WHERE {{ GRAPH <{first}> {{ <{first}> bc:exportSummary ?x }} }}")
    assert gephi_read.summary_coverage(store) == (5, len(seed_store.graphs()) - 5)
    facts = gexf_facts(gephi.export_bytes(store, options))
    claims = [n for n in facts["nodes"].values() if n["values"]["category"] == "claim"]
    lost = claims_in(seed_store, first)
    assert lost > 0 and len(claims) == 86 - lost

    # A summary made by other patterns (another version of the export) is not trusted either.
    second = doc_graphs[1]
    store.update(
        f"DELETE {{ GRAPH <{second}> {{ <{second}> bc:exportSummary ?x }} }}"
        f' INSERT {{ GRAPH <{second}> {{ <{second}> bc:exportSummary "{{\\"version\\": \\"0\\"}}" }} }}'
        f" WHERE {{ GRAPH <{second}> {{ <{second}> bc:exportSummary ?x }} }}"
    )
    assert gephi_read.summary_coverage(store) == (4, len(seed_store.graphs()) - 4)
    facts = gexf_facts(gephi.export_bytes(store, options))
    claims = [n for n in facts["nodes"].values() if n["values"]["category"] == "claim"]
    lost += claims_in(seed_store, second)
    assert claims_in(seed_store, second) > 0 and len(claims) == 86 - lost

    # A current summary that cannot be read makes the whole store read pattern by pattern: no
    # claim has a claimant any more.
    third = doc_graphs[2]
    broken = ox.Literal(f"{gephi_read.SUMMARY_HEADER}\x1e\x1fa term\x1e,0 but too few sections")
    store.update(f"DELETE WHERE {{ GRAPH <{third}> {{ <{third}> bc:exportSummary ?x }} }}")
    store.add([ox.Quad(ox.NamedNode(third), ox.NamedNode(BC + "exportSummary"), broken, ox.NamedNode(third))])
    assert gephi_read.summary_coverage(store) == (4, len(seed_store.graphs()) - 4)
    assert gexf_facts(gephi.export_bytes(store, options))["nodes"] == {}


def test_a_summary_read_back_from_the_store_equals_one_made_from_the_quads(
    seed_store: GraphStore, doc_graphs: list[str]
) -> None:
    # The contradictions graph's summary is read back from the store after the bulk load, the
    # documents' are made from their compiled quads: each way gives the literal the build wrote.
    summary = ox.NamedNode(gephi_read.SUMMARY_PREDICATE)
    for g in [*doc_graphs, GRAPH_CONTRADICTIONS.value]:
        graph = ox.NamedNode(g)
        content = [q for q in seed_store.quads(graph) if q.predicate != summary]
        (written,) = [q for q in seed_store.quads(graph) if q.predicate == summary]
        (made,) = summary_quads(content)
        assert made == written, g
        assert gephi_read.stored_summary_quad(seed_store, graph) == written, g


def test_a_contradictions_graph_past_the_bound_has_no_summary_and_exports_alike(
    seed_store: GraphStore, exports: dict[tuple[str, str], bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    store = GraphStore.open(None)
    store.bulk_add(q for q in seed_store.quads() if q.graph_name != GRAPH_CONTRADICTIONS)
    monkeypatch.setattr(contradictions, "MAX_SUMMARISED", 6)
    found = contradictions.derive(store)
    assert len(found) > 6
    assert count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?g bc:exportSummary ?x }") == 5
    assert len(store) == len(seed_store) - 1
    for (view, fmt), data in exports.items():
        assert gephi.export_bytes(store, gephi.parse_options(view, fmt)) == data, (view, fmt)


def test_summaries_keep_the_stores_lexical_forms_and_every_character(
    edge_store: GraphStore, tmp_path: Path
) -> None:
    store = summarised(edge_store)
    assert gephi_read.summary_coverage(store) == (1, 1)
    for view in gephi.VIEWS:
        for fmt in gephi.GRAPH_FORMATS:
            options = gephi.parse_options(view, fmt)
            assert gephi.export_bytes(store, options) == gephi.export_bytes(edge_store, options), (view, fmt)
    # Oxigraph gives "1"^^xsd:boolean back as "true": so does the summary.
    g, s = ox.NamedNode("http://example.org/g"), ox.NamedNode("http://example.org/p")
    one = ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))
    (quad,) = summary_quads([ox.Quad(s, ox.NamedNode(BC + "isDirect"), one, g)])
    assert (quad.subject, quad.graph_name) == (g, g)
    assert isinstance(quad.object, ox.Literal)
    tables = gephi_read.summary_tables(quad.object.value)
    assert tables["direct"].rows() == [("http://example.org/p", "true")]
    assert tables[gephi_read.PROP_RECORDS].is_empty() and tables[gephi_read.CLAIM_RECORDS].is_empty()
    # A value holding one of the summary's separators: no summary, that graph is read by pattern.
    odd = ox.Literal("a\x1fb")
    assert summary_quads([ox.Quad(s, ox.NamedNode(BC + "summary"), odd, g)]) == []


def _rows(tables: dict[str, pl.DataFrame]) -> dict[str, Counter[tuple[str, ...]]]:
    return {name: Counter(frame.rows()) for name, frame in tables.items() if frame.height}


def test_claim_records_hold_each_seed_claim_and_give_back_its_rows(
    seed_store: GraphStore, doc_graphs: list[str]
) -> None:
    # Every seed claim is described by its own document alone: each is a record, none is left
    # in the claim tables, and the pseudo-table is what the export reads.
    names = list(gephi_read.PATTERNS)
    with_records = gephi_read.read_tables(seed_store, names, records=True)
    claims = with_records[gephi_read.CLAIM_RECORDS].get_column("claim").to_list()
    assert len(claims) == len(set(claims)) == 86
    assert with_records["claimant"].is_empty() and with_records["stated_at"].is_empty()
    props = with_records[gephi_read.PROP_RECORDS].get_column("prop").to_list()
    assert len(props) == len(set(props)) > 50
    assert with_records["prop_type"].is_empty() and with_records["summary"].is_empty()
    # Put back into the tables, the records are exactly the rows the triples give.
    expanded = gephi_read.read_tables(seed_store, names)
    assert gephi_read.CLAIM_RECORDS not in expanded and gephi_read.PROP_RECORDS not in expanded
    plain = gephi_read.read_tables(without_summaries(seed_store), names)
    assert _rows(expanded) == _rows(plain)


@pytest.mark.parametrize(
    "extra",
    [
        # a second claimant for a recorded claim, in a graph without a summary
        "<{claim}> bc:claimant <http://a.example/first-in-order>",
        # a second statement date for its statement node
        '<{claim}/stated> bc:date "1999-01-01"^^xsd:date',
        # another claim pointing at the same statement node
        "<http://a.example/other-claim> bc:claimant bc:x ; bc:statedAt <{claim}/stated> ;"
        " bc:proposition <{prop}> ; bc:sourceDocument <{doc}>",
        # its document said to be published on it
        "<{doc}> bc:publicationDate <{claim}/stated>",
        # a more specific kind for its proposition (as an inferred graph might add a broader one)
        "<{prop}> a bc:Request",
        # a second summary for its proposition
        '<{prop}> bc:summary "Another summary, first in order"',
    ],
    ids=["claimant", "date", "shared-statement", "publication", "prop-kind", "prop-summary"],
)
def test_records_touched_from_another_graph_are_read_as_rows(
    seed_store: GraphStore, exports: dict[tuple[str, str], bytes], extra: str
) -> None:
    store = summarised(seed_store)
    ((claim, prop, doc),) = [
        (r["c"].value, r["p"].value, r["d"].value)
        for r in store.select(
            "SELECT ?c ?p ?d WHERE { ?c bc:annotationId 'khamenei-denies-message-to-us' ;"
            " bc:proposition ?p ; bc:sourceDocument ?d }"
        )
    ]
    triples = extra.format(claim=claim, prop=prop, doc=doc)
    store.update(f"INSERT DATA {{ GRAPH <http://a.example/hand-edits> {{ {triples} }} }}")
    tables = gephi_read.read_tables(store, list(gephi_read.PATTERNS), records=True)
    # the union changes the join: those records are read as rows, the others stay records
    touched = gephi_read.PROP_RECORDS if "prop" in extra.split(">")[0] else gephi_read.CLAIM_RECORDS
    assert touched not in tables and len(tables) == len(gephi_read.PATTERNS) + 1
    plain = without_summaries(store)
    for view in gephi.VIEWS:
        options = gephi.parse_options(view, "gexf")
        assert gephi.export_bytes(store, options) == gephi.export_bytes(plain, options), view


def test_an_irregular_claim_stays_in_the_tables(tmp_path: Path) -> None:
    # Two claimants within one graph: no record for that claim, the others are records.
    g, ex = ox.NamedNode("http://a.example/g"), "http://a.example/"
    n = ox.NamedNode

    def claim(name: str, *claimants: str) -> list[ox.Quad]:
        c = n(ex + name)
        quads = [ox.Quad(c, n(BC + "claimant"), n(ex + who), g) for who in claimants]
        quads += [
            ox.Quad(c, n(BC + "proposition"), n(ex + "p"), g),
            ox.Quad(c, n(BC + "sourceDocument"), n(ex + "d"), g),
            ox.Quad(c, n(BC + "stance"), n(BC + "Denies"), g),
        ]
        return quads

    quads = claim("one", "iran") + claim("two", "iran", "us")
    (summary,) = summary_quads(quads)
    tables = gephi_read.summary_tables(summary.object.value)
    records = tables[gephi_read.CLAIM_RECORDS]
    assert records.get_column("claim").to_list() == [ex + "one"]  # one record
    assert records.get_column("stance").to_list() == ["denies"]
    claimant = tables["claimant"]
    assert sorted(claimant.rows()) == [(ex + "two", ex + "iran"), (ex + "two", ex + "us")]


def test_the_same_bytes_on_every_backend(
    backend_store: GraphStore, exports: dict[tuple[str, str], bytes]
) -> None:
    for (view, fmt), data in exports.items():
        assert gephi.export_bytes(backend_store, gephi.parse_options(view, fmt)) == data, (view, fmt)


# --- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("people", "gexf", None, None), "unknown export view 'people'; use one of actors, claims"),
        (("actors", "svg", None, None), "unknown graph export format 'svg'; use one of gexf, graphml"),
        (
            ("actors", "gexf", "2024-02-01", "2024-01-01"),
            "the date range is empty: from 2024-02-01 is after to 2024-01-01",
        ),
        (("actors", "gexf", "1 May 2024", None), "'from' must be a date as YYYY-MM-DD, not '1 May 2024'"),
        (("actors", "gexf", None, "2024-02-30"), "'to' is not a calendar date: '2024-02-30'"),
    ],
)
def test_bad_parameters_are_named(args: tuple[str, str, str | None, str | None], message: str) -> None:
    with pytest.raises(InvalidParameter) as e:
        gephi.parse_options(*args)
    assert str(e.value).startswith(message)


def _seed_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The seed corpus built by the CLI into a fresh store under ``tmp_path``."""
    monkeypatch.setenv("KG_HOME", str(ROOT))
    store = tmp_path / "store"
    assert runner.invoke(app, ["build", "--store", str(store), "--quiet"]).exit_code == 0
    return store


def _cli_export(store: Path, view: str, target: Path) -> Result:
    return runner.invoke(
        app, ["export", "--store", str(store), "-f", "gexf", "--view", view, "-o", str(target)]
    )


def test_cli_exports_atomically_and_refuses_bad_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _seed_build(tmp_path, monkeypatch)
    out = tmp_path / "actors.gexf"
    result = _cli_export(store, "actors", out)
    assert result.exit_code == 0, result.output
    assert_valid_gexf(out.read_bytes())
    graphml = tmp_path / "claims.graphml"
    result = runner.invoke(
        app,
        [
            "export",
            "--store",
            str(store),
            "-f",
            "graphml",
            "--view",
            "claims",
            "--from",
            "2024-01-01",
            "-o",
            str(graphml),
        ],
    )
    assert result.exit_code == 0, result.output
    assert nx.read_graphml(graphml).number_of_nodes() > 0

    cases = [
        (["-f", "gexf", "--view", "people"], "unknown export view 'people'"),
        (["-f", "gml", "--view", "actors"], "unknown export format 'gml'"),
        (["-f", "gexf"], "--format gexf needs --view"),
        (
            ["-f", "gexf", "--view", "actors", "--from", "2024-05-01", "--to", "2024-01-01"],
            "the date range is empty",
        ),
        (["-f", "trig", "--view", "actors"], "--view, --from and --to apply to the graph formats"),
    ]
    for args, message in cases:
        target = tmp_path / "bad.gexf"
        result = runner.invoke(app, ["export", "--store", str(store), *args, "-o", str(target)])
        assert result.exit_code == 1, (args, result.output)
        assert message in result.output, (args, result.output)
        assert not target.exists()
    for target, message in (
        (tmp_path / "missing" / "x.gexf", "directory"),
        (tmp_path, "cannot write"),  # a directory
    ):
        result = runner.invoke(
            app, ["export", "--store", str(store), "-f", "gexf", "--view", "actors", "-o", str(target)]
        )
        assert result.exit_code == 1 and message in result.output and str(target) in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "actors.gexf",
        "claims.graphml",
        "store",
    ]  # no .part left
    # The RDF formats work as before.
    result = runner.invoke(app, ["export", "--store", str(store), "-f", "nquads"])
    assert result.exit_code == 0 and result.stdout.count("\n") > 6000


@pytest.mark.parametrize("concurrent", [True, False], ids=["edges-in-a-thread", "one-thread"])
def test_writing_and_streaming_give_the_same_bytes_and_counts(
    seed_store: GraphStore,
    exports: dict[tuple[str, str], bytes],
    monkeypatch: pytest.MonkeyPatch,
    concurrent: bool,
) -> None:
    # From CONCURRENT_MIN_NODES on, a second thread renders the edges; here every view is "large".
    monkeypatch.setattr(gephi, "CONCURRENT_MIN_NODES", 0 if concurrent else 10**9)
    for (view, fmt), data in exports.items():
        graph = gephi.build(seed_store, view, lazy=True)
        assert graph._nodes is None  # made when first written
        out = io.BytesIO()
        stats = gephi.write(graph, fmt, out)
        assert out.getvalue() == data, (view, fmt)
        assert graph.nodes.height == graph.size == stats.nodes
        assert stats.bytes == len(data) and stats.edges == sum(part.height for part in graph.edges())
        alone = gephi.WriteStats()
        assert b"".join(gephi.iter_bytes(graph, fmt, alone)) == data
        assert stats == alone, (view, fmt)


def test_a_failure_while_writing_is_reported_and_leaves_no_file(
    tmp_path: Path, seed_store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = gephi_views.claims_view

    def broken_view(frames: Any) -> Any:
        nodes, edges, size = real(frames)

        def failing() -> Iterator[pl.DataFrame]:
            yield from itertools.islice(edges(), 1)
            raise ValueError("disk on fire")

        return nodes, failing, size

    monkeypatch.setattr(gephi_views, "claims_view", broken_view)
    for threshold in (0, 10**9):  # edges in a second thread, or not
        monkeypatch.setattr(gephi, "CONCURRENT_MIN_NODES", threshold)
        graph = gephi.build(seed_store, "claims")
        with pytest.raises(ExportFailed, match="claims view as gexf failed: ValueError: disk on fire"):
            gephi.write(graph, "gexf", io.BytesIO())
    # Through the CLI: exit 1 with the message, and no partial file.
    store = _seed_build(tmp_path, monkeypatch)
    target = tmp_path / "claims.gexf"
    result = _cli_export(store, "claims", target)
    assert result.exit_code == 1 and "disk on fire" in result.output, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]
