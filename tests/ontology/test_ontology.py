"""Tests of the hand-written OWL ontology and its reference individuals (ontology/).

The compiler emits instance data with exactly the term names listed in TERMS below, so a
rename or a dropped term must fail here before it fails in a build.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import tomllib
from collections import defaultdict
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SKOS

ROOT = Path(__file__).resolve().parents[2]
ONTOLOGY_DIR = ROOT / "ontology"
CORPUS_DIR = ROOT / "corpus" / "documents"

BC = Namespace("https://w3id.org/backchannel-kg/ontology#")
ID = "https://w3id.org/backchannel-kg/id/"
ACTOR = Namespace(ID + "actor/")
OFFICE = Namespace(ID + "office/")
TERM = Namespace(ID + "term/")
CHANNEL = Namespace(ID + "channel/")
TOPIC = Namespace(ID + "topic/")
PROV = Namespace("http://www.w3.org/ns/prov#")
SCHEMA = Namespace("https://schema.org/")
OA = Namespace("http://www.w3.org/ns/oa#")
TIME = Namespace("http://www.w3.org/2006/time#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
ONTOLOGY_IRI = URIRef("https://w3id.org/backchannel-kg/ontology")

EXPECTED_FILES = {
    "core.ttl",
    "claims.ttl",
    "provenance.ttl",
    "credibility.ttl",
    "external.ttl",
    "individuals/actors.ttl",
    "individuals/offices.ttl",
    "individuals/channels.ttl",
    "individuals/topics.ttl",
}


def ontology_files() -> list[Path]:
    return sorted(ONTOLOGY_DIR.rglob("*.ttl"))


@pytest.fixture(scope="module")
def graph() -> Graph:
    files = ontology_files()
    assert files, f"no .ttl files under {ONTOLOGY_DIR}"
    g = Graph()
    for path in files:
        g.parse(path, format="turtle")
    return g


# --------------------------------------------------------------------------- parsing


def test_ontology_files_are_present() -> None:
    found = {p.relative_to(ONTOLOGY_DIR).as_posix() for p in ontology_files()}
    assert found, "no ontology files found"
    assert found >= EXPECTED_FILES, f"missing: {sorted(EXPECTED_FILES - found)}"


@pytest.mark.parametrize("path", ontology_files(), ids=lambda p: p.relative_to(ONTOLOGY_DIR).as_posix())
def test_every_file_parses(path: Path) -> None:
    g = Graph().parse(path, format="turtle")
    assert len(g) > 0, f"{path} parsed to an empty graph"


def test_file_list_is_not_empty() -> None:
    # Guards the parametrised test above against passing vacuously.
    assert len(ontology_files()) >= len(EXPECTED_FILES)


def test_ontology_header(graph: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in graph
    assert graph.value(ONTOLOGY_IRI, DCTERMS.title) is not None
    assert graph.value(ONTOLOGY_IRI, DCTERMS.description) is not None
    ontologies = set(graph.subjects(RDF.type, OWL.Ontology))
    assert ontologies == {ONTOLOGY_IRI}, "exactly one owl:Ontology header, in core.ttl"


def test_ontology_version_matches_pyproject(graph: Graph) -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]
    assert str(graph.value(ONTOLOGY_IRI, OWL.versionInfo)) == version
    assert graph.value(ONTOLOGY_IRI, OWL.versionIRI) == URIRef(f"{ONTOLOGY_IRI}/{version}")


# --------------------------------------------------------------------------- the term contract

C, OP, DP = OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty
OBJECT_PROPERTIES: dict[str, tuple[str | None, str]] = {
    # name: (domain or None, range)
    "claimant": ("Claim", "Actor"),
    "madeClaim": ("Actor", "Claim"),
    "stance": ("Claim", "Stance"),
    "attribution": ("Claim", "AttributionType"),
    "proposition": ("Claim", "Proposition"),
    "statedAt": ("Claim", "DateValue"),
    "sourceDocument": ("Claim", "Document"),
    "evidence": ("Claim", "Evidence"),
    "confidence": ("Claim", "CredibilityGrade"),
    "annotationMethod": ("Claim", "AnnotationMethod"),
    "involves": ("Communication", "Actor"),
    "sender": (None, "Actor"),
    "recipient": (None, "Actor"),
    "party": (None, "Actor"),
    "initiator": ("Communication", "Actor"),
    "viaChannel": ("Communication", "Channel"),
    "timeSpan": ("Proposition", "TimeSpan"),
    "topic": ("Proposition", "Topic"),
    "concerns": ("PositionStatement", "Actor"),
    "channelType": ("Channel", "ChannelType"),
    "intermediary": ("Channel", "Actor"),
    "officeOf": ("Office", "Actor"),
    "holder": ("OfficeTerm", "Person"),
    "office": ("OfficeTerm", "Office"),
    "holdsTerm": ("Person", "OfficeTerm"),
    "affiliation": ("Actor", "Actor"),
    "member": ("CollectiveActor", "Actor"),
    "representsState": ("DiplomaticMission", "State"),
    "hostedBy": ("DiplomaticMission", "Actor"),
    "outlet": ("Document", "Actor"),
    "author": ("Document", "Person"),
    "cites": ("Document", "Actor"),
    "reprintOf": ("Document", "Document"),
    "publicationDate": ("Document", "DateValue"),
    "reliability": (None, "ReliabilityGrade"),
    "dateStatus": (None, "DateStatus"),
    "start": ("TimeSpan", "DateValue"),
    "end": ("TimeSpan", "DateValue"),
    "firstClaim": ("Contradiction", "Claim"),
    "secondClaim": ("Contradiction", "Claim"),
    "point": ("Contradiction", "DisagreementPoint"),
    "contradicts": ("Claim", "Claim"),
    "retractedDocument": ("Retraction", "Document"),
}
REIFICATION_PREDICATES = [
    "communicatedWith",
    "sentMessageTo",
    "sentRequestTo",
    "sentWarningTo",
    "exchangedMessagesWith",
    "heldTalksWith",
    "negotiatedWith",
]
DATATYPE_PROPERTIES: dict[str, URIRef] = {
    "date": XSD.date,
    "notBefore": XSD.date,
    "notAfter": XSD.date,
    "expression": XSD.string,
    "dateEvidence": XSD.string,
    "summary": XSD.string,
    "isDirect": XSD.boolean,
    "annotationId": XSD.string,
    "startDate": XSD.date,
    "endDate": XSD.date,
    "acting": XSD.boolean,
    "machineGenerated": XSD.boolean,
    "machineGeneratedEvidence": XSD.string,
    "outletEvidence": XSD.string,
    "sha256": XSD.string,
    "sourceFile": XSD.string,
    "dateline": XSD.string,
    "reason": XSD.string,
    "retractedAt": XSD.dateTime,
    "retractedBy": XSD.string,
    "retractedGraph": XSD.anyURI,
    "rank": XSD.integer,
    "reviewed": XSD.boolean,
}
SUBCLASSES: dict[str, URIRef] = {
    "Actor": PROV.Agent,
    "State": BC.Actor,
    "NonStateArmedGroup": BC.Actor,
    "Person": PROV.Person,
    "Organisation": PROV.Organization,
    "Outlet": BC.Organisation,
    "DiplomaticMission": BC.Actor,
    "CollectiveActor": BC.Actor,
    "UnnamedSource": BC.Actor,
    "Communication": BC.Proposition,
    "MutualCommunication": BC.Communication,
    "Message": BC.Communication,
    "Request": BC.Message,
    "Warning": BC.Message,
    "MessageExchange": BC.MutualCommunication,
    "Talks": BC.MutualCommunication,
    "Negotiation": BC.Talks,
    "PositionStatement": BC.Proposition,
    "Claim": PROV.Entity,
    "Topic": SKOS.Concept,
    "Evidence": OA.SpecificResource,
    "Document": PROV.Entity,
    "TimeSpan": TIME.Interval,
    "Retraction": PROV.Activity,
    "ReliabilityGrade": SKOS.Concept,
    "CredibilityGrade": SKOS.Concept,
}
OTHER_CLASSES = [
    "Office",
    "OfficeTerm",
    "Channel",
    "ChannelType",
    "Proposition",
    "Stance",
    "AttributionType",
    "DisagreementPoint",
    "AnnotationMethod",
    "DateValue",
    "Contradiction",
    "DateStatus",
]
INDIVIDUALS: dict[str, str] = {
    "Affirms": "Stance",
    "Denies": "Stance",
    "DirectQuote": "AttributionType",
    "PartialQuote": "AttributionType",
    "IndirectSpeech": "AttributionType",
    "AnonymousSourcing": "AttributionType",
    "OutletFraming": "AttributionType",
    "DirectChannel": "ChannelType",
    "ProtectingPowerChannel": "ChannelType",
    "MediatorChannel": "ChannelType",
    "UnspecifiedIndirectChannel": "ChannelType",
    "Stated": "DateStatus",
    "Inferred": "DateStatus",
    "OccurrencePoint": "DisagreementPoint",
    "DirectnessPoint": "DisagreementPoint",
    "InitiatorPoint": "DisagreementPoint",
    "CuratedAnnotation": "AnnotationMethod",
    "AutomaticExtraction": "AnnotationMethod",
    **{f"Reliability{g}": "ReliabilityGrade" for g in "ABCDEF"},
    **{f"Credibility{n}": "CredibilityGrade" for n in range(1, 7)},
}


def test_classes_of_the_contract_exist_with_their_parents(graph: Graph) -> None:
    for name, parent in SUBCLASSES.items():
        assert (BC[name], RDF.type, C) in graph, name
        assert (BC[name], RDFS.subClassOf, parent) in graph, f"{name} ⊑ {parent}"
    for name in OTHER_CLASSES:
        assert (BC[name], RDF.type, C) in graph, name


def test_object_properties_of_the_contract(graph: Graph) -> None:
    for name, (domain, range_) in OBJECT_PROPERTIES.items():
        prop = BC[name]
        assert (prop, RDF.type, OP) in graph, name
        if domain is not None:
            assert (prop, RDFS.domain, BC[domain]) in graph, f"{name} domain {domain}"
        assert (prop, RDFS.range, BC[range_]) in graph, f"{name} range {range_}"
    assert graph.value(BC.reliability, RDFS.domain) is None, "reliability has no domain"


def test_property_characteristics(graph: Graph) -> None:
    functional = [
        "claimant",
        "stance",
        "attribution",
        "proposition",
        "sourceDocument",
        "holder",
        "office",
    ]
    for name in functional:
        assert (BC[name], RDF.type, OWL.FunctionalProperty) in graph, name
    assert (BC.madeClaim, OWL.inverseOf, BC.claimant) in graph
    assert (BC.holdsTerm, OWL.inverseOf, BC.holder) in graph
    assert (BC.contradicts, RDF.type, OWL.SymmetricProperty) in graph
    assert (BC.sourceDocument, RDFS.subPropertyOf, PROV.wasDerivedFrom) in graph
    assert (BC.outlet, RDFS.subPropertyOf, SCHEMA.publisher) in graph
    for name in ["sender", "recipient", "party", "initiator"]:
        assert (BC[name], RDFS.subPropertyOf, BC.involves) in graph, name


def test_reification_predicates_are_declared_and_never_asserted(graph: Graph) -> None:
    for name in REIFICATION_PREDICATES:
        prop = BC[name]
        assert (prop, RDF.type, OP) in graph, name
        assert (prop, RDFS.domain, BC.Actor) in graph, name
        assert (prop, RDFS.range, BC.Actor) in graph, name
        definition = str(graph.value(prop, SKOS.definition))
        assert "rdf:predicate" in definition and "never" in definition, name
        assert not list(graph.triples((None, prop, None))), f"{name} asserted as a plain triple"


def test_datatype_properties_of_the_contract(graph: Graph) -> None:
    for name, range_ in DATATYPE_PROPERTIES.items():
        assert (BC[name], RDF.type, DP) in graph, name
        assert (BC[name], RDFS.range, range_) in graph, f"{name} range {range_}"


def test_named_individuals_of_the_contract(graph: Graph) -> None:
    for name, cls in INDIVIDUALS.items():
        assert (BC[name], RDF.type, BC[cls]) in graph, f"{name} a {cls}"


def test_disjointness_axioms(graph: Graph) -> None:
    six = [
        BC.State,
        BC.NonStateArmedGroup,
        BC.Person,
        BC.Organisation,
        BC.DiplomaticMission,
        BC.CollectiveActor,
    ]
    member_lists = [
        set(graph.items(graph.value(node, OWL.members)))
        for node in graph.subjects(RDF.type, OWL.AllDisjointClasses)
    ]
    assert set(six) in member_lists
    assert (BC.UnnamedSource, OWL.disjointWith, BC.State) in graph
    assert (BC.Communication, OWL.disjointWith, BC.PositionStatement) in graph
    assert (BC.ReliabilityGrade, OWL.disjointWith, BC.CredibilityGrade) in graph


# --------------------------------------------------------------------------- documentation


def declared_bc_terms(graph: Graph) -> set[URIRef]:
    return {s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef) and s.startswith(BC)}


def test_every_bc_term_has_label_and_definition(graph: Graph) -> None:
    terms = declared_bc_terms(graph)
    assert len(terms) > 100, "expected the whole bc: vocabulary"
    missing = [
        (str(t), what)
        for t in sorted(terms)
        for what, prop in (
            ("rdfs:label", RDFS.label),
            ("skos:definition", SKOS.definition),
            ("rdfs:isDefinedBy", RDFS.isDefinedBy),
        )
        if graph.value(t, prop) is None
    ]
    assert not missing, missing
    wrong = [str(t) for t in terms if graph.value(t, RDFS.isDefinedBy) != ONTOLOGY_IRI]
    assert not wrong, wrong


def test_every_bc_term_used_is_declared(graph: Graph) -> None:
    declared = declared_bc_terms(graph)
    used = {n for triple in graph for n in triple if isinstance(n, URIRef) and n.startswith(BC)}
    assert used
    assert used <= declared, sorted(str(t) for t in used - declared)


def test_every_named_individual_has_type_label_and_definition(graph: Graph) -> None:
    individuals = set(graph.subjects(RDF.type, OWL.NamedIndividual))
    assert len(individuals) > 100
    problems = []
    for ind in sorted(individuals):
        types = set(graph.objects(ind, RDF.type)) - {OWL.NamedIndividual}
        if not types:
            problems.append((str(ind), "type"))
        if graph.value(ind, RDFS.label) is None:
            problems.append((str(ind), "rdfs:label"))
        if graph.value(ind, SKOS.definition) is None:
            problems.append((str(ind), "skos:definition"))
    assert not problems, problems


def test_every_external_term_used_is_declared(graph: Graph) -> None:
    external = (str(PROV), str(SKOS), str(SCHEMA), str(OA), str(TIME), str(DCTERMS))
    kinds = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty}
    used = {n for triple in graph for n in triple if isinstance(n, URIRef) and str(n).startswith(external)}
    assert used
    undeclared = [str(t) for t in used if not kinds & set(graph.objects(t, RDF.type))]
    assert not undeclared, sorted(undeclared)
    for term in (RDF.subject, RDF.predicate, RDF.object):
        assert (term, RDF.type, OWL.AnnotationProperty) in graph, term


# --------------------------------------------------------------------------- actors


def subclasses_of(graph: Graph, root: URIRef) -> set[URIRef]:
    found = {root}
    frontier = [root]
    while frontier:
        cls = frontier.pop()
        for sub in graph.subjects(RDFS.subClassOf, cls):
            if isinstance(sub, URIRef) and sub not in found:
                found.add(sub)
                frontier.append(sub)
    return found


def actors(graph: Graph) -> set[URIRef]:
    classes = subclasses_of(graph, BC.Actor)
    return {s for c in classes for s in graph.subjects(RDF.type, c) if isinstance(s, URIRef)}


def test_actor_iris_use_the_actor_namespace(graph: Graph) -> None:
    found = actors(graph)
    assert len(found) >= 55
    assert all(a.startswith(ACTOR) for a in found), sorted(a for a in found if not a.startswith(ACTOR))


def test_every_actor_has_exactly_one_pref_label(graph: Graph) -> None:
    found = actors(graph)
    assert found
    wrong = {str(a): len(list(graph.objects(a, SKOS.prefLabel))) for a in found}
    assert all(n == 1 for n in wrong.values()), {a: n for a, n in wrong.items() if n != 1}


def test_no_surface_form_belongs_to_two_actors(graph: Graph) -> None:
    owners: dict[str, set[URIRef]] = defaultdict(set)
    for actor in actors(graph):
        for prop in (SKOS.prefLabel, SKOS.altLabel):
            for label in graph.objects(actor, prop):
                owners[str(label).casefold()].add(actor)
    assert owners
    clashes = {form: sorted(map(str, who)) for form, who in owners.items() if len(who) > 1}
    assert not clashes, clashes


# Surface forms read in the seed texts, with the actor they must resolve to.
SEED_SURFACE_FORMS: dict[str, str] = {
    "Hezbollah": "hezbollah",
    "Hizbullah": "hezbollah",
    "Hizbollah": "hezbollah",
    "Lebanon’s Hezbollah": "hezbollah",
    "Lebanon's Hizbollah": "hezbollah",
    "Hossein Amir-Abdollahian": "amir-abdollahian",
    "Amir-Abdollahian": "amir-abdollahian",
    "Hossein Amirabdollahian": "amir-abdollahian",
    "Amirabdollahian": "amir-abdollahian",
    "Tehran": "iran",
    "Islamic Republic": "iran",
    "Islamic republic": "iran",
    "Washington": "us",
    "America": "us",
    "the United States": "us",
    "the U.S.": "us",
    "US": "us",
    "U.S.": "us",
    "Yemeni army": "houthis",
    "Houthi movement": "houthis",
    "pro-Iran militias in Iraq and Syria": "iraqi-militias",
    "Iran-affiliated militias": "iraqi-militias",
    "Iranian-backed militant groups": "iraqi-militias",
    "western states": "western-states",
    "Western countries": "western-states",
    "western capitals": "western-states",
    "Our military officials": "iranian-military-officials",
    "Iran’s Islamic Revolutionary Guard Corps": "irgc",
    "the US interests section at the Swiss embassy in Tehran": "us-interests-section-tehran",
    "Ali Bagheri": "bagheri",
    "Ayatollah Ali Khamenei": "khamenei",
    "Khamenei": "khamenei",
    "the Pentagon": "pentagon",
    "IRNA": "irna",
    "Nishadil": "nishadil",
    "The Media Line": "the-media-line",
    "The Financial Times Limited": "financial-times",
    "Organization of Islamic Co-operation": "oic",
    "IAEA Board of Governors": "iaea-board-of-governors",
}


def test_seed_surface_forms_resolve_to_their_actor(graph: Graph) -> None:
    corpus = "\n".join(p.read_text("utf-8") for p in sorted(CORPUS_DIR.glob("*.txt")))
    assert corpus, f"no seed texts under {CORPUS_DIR}"
    index: dict[str, set[URIRef]] = defaultdict(set)
    for actor in actors(graph):
        for prop in (SKOS.prefLabel, SKOS.altLabel):
            for label in graph.objects(actor, prop):
                index[str(label)].add(actor)
    for form, slug in SEED_SURFACE_FORMS.items():
        assert form in corpus, f"{form!r} is not in the seed texts"
        assert index.get(form) == {ACTOR[slug]}, f"{form!r} should be a label of actor/{slug}"


def test_outlets_have_a_reliability_grade(graph: Graph) -> None:
    outlets = set(graph.subjects(RDF.type, BC.Outlet))
    assert len(outlets) == 6
    expected = {
        "the-media-line": "C",
        "financial-times": "B",
        "irna": "D",
        "nishadil": "E",
        "reuters": "B",
        "wana": "C",
    }
    for slug, grade in expected.items():
        assert graph.value(ACTOR[slug], BC.reliability) == BC[f"Reliability{grade}"], slug


def test_interests_section_represents_us_hosted_by_swiss_embassy(graph: Graph) -> None:
    section = ACTOR["us-interests-section-tehran"]
    assert graph.value(section, BC.representsState) == ACTOR.us
    assert graph.value(section, BC.hostedBy) == ACTOR["swiss-embassy-tehran"]
    assert graph.value(ACTOR["swiss-embassy-tehran"], BC.representsState) == ACTOR.switzerland


# --------------------------------------------------------------------------- offices


def as_date(value: object) -> dt.date:
    assert isinstance(value, Literal) and value.datatype == XSD.date, value
    result = value.toPython()
    assert isinstance(result, dt.date), value
    return result


def test_office_terms_are_complete(graph: Graph) -> None:
    terms = set(graph.subjects(RDF.type, BC.OfficeTerm))
    assert len(terms) >= 17
    for term in terms:
        assert term.startswith(TERM), term
        assert len(list(graph.objects(term, BC.holder))) == 1, term
        assert len(list(graph.objects(term, BC.office))) == 1, term
        assert (graph.value(term, BC.holder), RDF.type, BC.Person) in graph, term
        assert (graph.value(term, BC.office), RDF.type, BC.Office) in graph, term
        start = as_date(graph.value(term, BC.startDate))
        end = graph.value(term, BC.endDate)
        if end is not None:
            assert start <= as_date(end), term
    for office in graph.subjects(RDF.type, BC.Office):
        assert graph.value(office, BC.officeOf) is not None, office


def test_office_terms_of_one_person_in_one_office_do_not_overlap(graph: Graph) -> None:
    spans: dict[tuple[URIRef, URIRef], list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for term in graph.subjects(RDF.type, BC.OfficeTerm):
        key = (graph.value(term, BC.holder), graph.value(term, BC.office))
        start = as_date(graph.value(term, BC.startDate))
        end_value = graph.value(term, BC.endDate)
        end = as_date(end_value) if end_value is not None else dt.date.max
        spans[key].append((start, end))
    assert spans
    assert any(len(v) > 1 for v in spans.values()), "expected a repeated term (Netanyahu)"
    for key, periods in spans.items():
        periods.sort()
        for (_, end), (next_start, _) in itertools.pairwise(periods):
            assert end < next_start, f"overlapping terms for {key}"


def test_titles_resolve_by_date(graph: Graph) -> None:
    """'Iran's foreign minister' is Amir-Abdollahian in Nov 2023, Bagheri (acting) in June 2024."""
    fm = OFFICE["iran-foreign-minister"]
    assert "Iran’s foreign minister" in {str(x) for x in graph.objects(fm, SKOS.altLabel)}

    def holder_on(day: dt.date) -> set[URIRef]:
        found = set()
        for term in graph.subjects(BC.office, fm):
            start = as_date(graph.value(term, BC.startDate))
            end_value = graph.value(term, BC.endDate)
            end = as_date(end_value) if end_value is not None else dt.date.max
            if start <= day <= end:
                found.add(graph.value(term, BC.holder))
        return found

    assert holder_on(dt.date(2023, 11, 16)) == {ACTOR["amir-abdollahian"]}
    assert holder_on(dt.date(2024, 6, 10)) == {ACTOR.bagheri}
    assert graph.value(TERM["bagheri-iran-foreign-minister"], BC.acting) == Literal(True)


# --------------------------------------------------------------------------- channels, topics


def test_channels(graph: Graph) -> None:
    expected = {
        "direct": ("DirectChannel", True, None),
        "swiss-interests-section": ("ProtectingPowerChannel", False, "us-interests-section-tehran"),
        "oman": ("MediatorChannel", False, "oman"),
        "back-channels": ("UnspecifiedIndirectChannel", False, None),
        "qatar": ("MediatorChannel", False, "qatar"),
    }
    assert set(graph.subjects(RDF.type, BC.Channel)) == {CHANNEL[s] for s in expected}
    for slug, (ctype, direct, via) in expected.items():
        channel = CHANNEL[slug]
        assert graph.value(channel, BC.channelType) == BC[ctype], slug
        assert graph.value(channel, BC.isDirect) == Literal(direct), slug
        assert graph.value(channel, BC.intermediary) == (ACTOR[via] if via else None), slug


def test_topics_are_in_the_topic_scheme(graph: Graph) -> None:
    topics = set(graph.subjects(RDF.type, BC.Topic))
    assert len(topics) == 16
    for topic in topics:
        assert topic.startswith(TOPIC), topic
        assert (topic, RDF.type, SKOS.Concept) in graph, topic
        assert graph.value(topic, SKOS.inScheme) == TOPIC.scheme, topic
        assert len(list(graph.objects(topic, SKOS.prefLabel))) == 1, topic
    assert (TOPIC.scheme, RDF.type, SKOS.ConceptScheme) in graph


@pytest.mark.parametrize(
    ("cls", "scheme", "notations"),
    [
        (BC.ReliabilityGrade, BC.ReliabilityScale, list("ABCDEF")),
        (BC.CredibilityGrade, BC.CredibilityScale, [str(n) for n in range(1, 7)]),
    ],
)
def test_grade_scales_are_separate_and_ranked(
    graph: Graph, cls: URIRef, scheme: URIRef, notations: list[str]
) -> None:
    grades = set(graph.subjects(RDF.type, cls))
    assert len(grades) == 6
    by_rank = {}
    for grade in grades:
        assert set(graph.objects(grade, SKOS.inScheme)) == {scheme}, grade
        rank = graph.value(grade, BC.rank)
        assert isinstance(rank, Literal) and rank.datatype == XSD.integer, grade
        by_rank[rank.toPython()] = str(graph.value(grade, SKOS.notation))
    assert [by_rank[r] for r in range(1, 7)] == notations


def test_iris_have_no_spaces_or_uppercase_slugs(graph: Graph) -> None:
    slug = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
    for node in {s for s in graph.subjects() if isinstance(s, URIRef) and s.startswith(ID)}:
        kind, _, rest = node.removeprefix(ID).partition("/")
        assert kind in {"actor", "office", "term", "channel", "topic"}, node
        assert slug.match(rest), node


# --------------------------------------------------------------------------- OWL reasoning


def _reason(graph: Graph, tmp_path: Path, name: str) -> object:
    import owlready2

    path = tmp_path / f"{name}.nt"
    graph.serialize(destination=path, format="nt", encoding="utf-8")
    world = owlready2.World()
    world.get_ontology(path.as_uri()).load()
    # HermiT implements only the OWL 2 datatype map, which has no xsd:date; the dates
    # (bc:date, bc:startDate …) are checked by SHACL, not by the reasoner.
    owlready2.sync_reasoner(world, infer_property_values=False, ignore_unsupported_datatypes=True, debug=0)
    return world


@pytest.mark.slow
def test_ontology_is_consistent_under_hermit(graph: Graph, tmp_path: Path) -> None:
    world = _reason(graph, tmp_path, "ontology")
    unsatisfiable = list(world.inconsistent_classes())  # type: ignore[attr-defined]
    assert not unsatisfiable, unsatisfiable


SAMPLE_CLAIM = """
@prefix bc: <https://w3id.org/backchannel-kg/ontology#> .
@prefix actor: <https://w3id.org/backchannel-kg/id/actor/> .
@prefix channel: <https://w3id.org/backchannel-kg/id/channel/> .
@prefix topic: <https://w3id.org/backchannel-kg/id/topic/> .
@prefix ex: <https://example.org/doc1/> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix schema: <https://schema.org/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

ex:doc a bc:Document , schema:NewsArticle ;
    bc:outlet actor:financial-times ; bc:author actor:najmeh-bozorgmehr ; bc:cites actor:irna ;
    bc:reliability bc:ReliabilityB ; bc:machineGenerated false ; bc:sha256 "00" ;
    bc:publicationDate ex:pub ; schema:headline "h" ; schema:inLanguage "en" .
ex:pub a bc:DateValue ; bc:dateStatus bc:Inferred ; bc:date "2023-11-16"^^xsd:date ;
    bc:notBefore "2023-11-15"^^xsd:date ; bc:notAfter "2023-11-17"^^xsd:date ;
    bc:expression "9 HOURS AGO" ; bc:dateEvidence "40 days after 7 October" .
ex:source a bc:UnnamedSource ; bc:affiliation actor:iran ; bc:reliability bc:ReliabilityF ;
    bc:reviewed false .
ex:claim a bc:Claim ; bc:claimant actor:amir-abdollahian ; bc:stance bc:Affirms ;
    bc:attribution bc:DirectQuote ; bc:proposition ex:prop ; bc:sourceDocument ex:doc ;
    bc:evidence ex:ev ; bc:confidence bc:Credibility2 ; bc:annotationMethod bc:CuratedAnnotation ;
    bc:annotationId "fm-messages-via-swiss-embassy" ; bc:contradicts ex:denial .
ex:denial a bc:Claim ; bc:claimant actor:khamenei ; bc:stance bc:Denies ;
    bc:attribution bc:IndirectSpeech ; bc:proposition ex:prop2 ; bc:sourceDocument ex:doc .
ex:prop a bc:MessageExchange ; bc:party actor:iran , actor:us ;
    bc:viaChannel channel:swiss-interests-section ; bc:isDirect false ; bc:initiator actor:us ;
    bc:topic topic:escalation ; bc:timeSpan ex:span ; bc:summary "s" ;
    rdf:subject actor:iran ; rdf:predicate bc:exchangedMessagesWith ; rdf:object actor:us .
ex:prop2 a bc:Message ; bc:sender actor:iran ; bc:recipient actor:us ;
    rdf:subject actor:iran ; rdf:predicate bc:sentMessageTo ; rdf:object actor:us .
ex:position a bc:PositionStatement ; bc:concerns actor:hezbollah ; bc:topic topic:restraint .
ex:span a bc:TimeSpan ; bc:start ex:pub ; bc:end ex:pub ; bc:dateStatus bc:Inferred ;
    bc:expression "Over the past 40 days" .
ex:ev a bc:Evidence ; oa:hasSource ex:doc ; oa:hasSelector ex:sel .
ex:sel a oa:TextPositionSelector ; oa:start 523 ; oa:end 650 .
ex:contra a bc:Contradiction ; bc:firstClaim ex:claim ; bc:secondClaim ex:denial ;
    bc:point bc:OccurrencePoint ; bc:reason "affirms vs denies" .
ex:retraction a bc:Retraction ; bc:retractedDocument ex:doc ; bc:reason "duplicate" ;
    bc:retractedAt "2024-01-01T00:00:00Z"^^xsd:dateTime ; bc:retractedBy "curator" ;
    bc:retractedGraph "https://example.org/graph/doc1"^^xsd:anyURI .
"""


@pytest.mark.slow
def test_sample_instance_data_is_consistent(graph: Graph, tmp_path: Path) -> None:
    data = Graph()
    data += graph
    data.parse(data=SAMPLE_CLAIM, format="turtle")
    _reason(data, tmp_path, "sample")


@pytest.mark.slow
@pytest.mark.parametrize(
    "bad",
    [
        "actor:iran a bc:Person .",  # a state is not a person
        "ex:c a bc:Claim ; bc:stance bc:Affirms , bc:Denies .",  # functional stance
        "ex:c a bc:Claim ; bc:confidence bc:ReliabilityA .",  # the two scales are kept apart
        "ex:m a bc:Message , bc:PositionStatement .",  # a communication is not a position
    ],
)
def test_inconsistent_instance_data_is_rejected(graph: Graph, tmp_path: Path, bad: str) -> None:
    import owlready2

    prefixes = (
        "@prefix bc: <https://w3id.org/backchannel-kg/ontology#> .\n"
        "@prefix actor: <https://w3id.org/backchannel-kg/id/actor/> .\n"
        "@prefix ex: <https://example.org/> .\n"
    )
    data = Graph()
    data += graph
    data.parse(data=prefixes + bad, format="turtle")
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        _reason(data, tmp_path, "bad")
