"""The words the extractor knows, kept apart from the code that uses them.

Everything here is general English and general-knowledge geography: reporting verbs, negators,
the words for kinds of communication, titles, demonyms and capitals. Nothing is taken from the
wording of any particular document; names of actors come from the reference data instead
(``kg.extract.gazetteer``), so a new actor is added there, not here.
"""

from __future__ import annotations

import re


def words(text: str) -> list[str]:
    """A list written as one string of space-separated words (easier to read than a list literal)."""
    return text.split()


# --- geography: country name -> (demonyms, capital). Used to link "Omani mediators" or "Doha"
# to a state, and to name a new state actor when the reference data lacks one.
COUNTRIES: dict[str, tuple[tuple[str, ...], str]] = {
    "Afghanistan": (("Afghan",), "Kabul"),
    "Algeria": (("Algerian",), "Algiers"),
    "Armenia": (("Armenian",), "Yerevan"),
    "Australia": (("Australian",), "Canberra"),
    "Austria": (("Austrian",), "Vienna"),
    "Azerbaijan": (("Azerbaijani", "Azeri"), "Baku"),
    "Bahrain": (("Bahraini",), "Manama"),
    "Belgium": (("Belgian",), "Brussels"),
    "Brazil": (("Brazilian",), "Brasilia"),
    "Canada": (("Canadian",), "Ottawa"),
    "China": (("Chinese",), "Beijing"),
    "Cyprus": (("Cypriot",), "Nicosia"),
    "Denmark": (("Danish",), "Copenhagen"),
    "Egypt": (("Egyptian",), "Cairo"),
    "Finland": (("Finnish",), "Helsinki"),
    "France": (("French",), "Paris"),
    "Germany": (("German",), "Berlin"),
    "Greece": (("Greek",), "Athens"),
    "India": (("Indian",), "New Delhi"),
    "Indonesia": (("Indonesian",), "Jakarta"),
    "Iran": (("Iranian", "Persian"), "Tehran"),
    "Iraq": (("Iraqi",), "Baghdad"),
    "Ireland": (("Irish",), "Dublin"),
    "Israel": (("Israeli",), "Jerusalem"),
    "Italy": (("Italian",), "Rome"),
    "Japan": (("Japanese",), "Tokyo"),
    "Jordan": (("Jordanian",), "Amman"),
    "Kazakhstan": (("Kazakh",), "Astana"),
    "Kuwait": (("Kuwaiti",), "Kuwait City"),
    "Lebanon": (("Lebanese",), "Beirut"),
    "Libya": (("Libyan",), "Tripoli"),
    "Malaysia": (("Malaysian",), "Kuala Lumpur"),
    "Mexico": (("Mexican",), "Mexico City"),
    "Morocco": (("Moroccan",), "Rabat"),
    "Netherlands": (("Dutch",), "The Hague"),
    "Norway": (("Norwegian",), "Oslo"),
    "Oman": (("Omani",), "Muscat"),
    "Pakistan": (("Pakistani",), "Islamabad"),
    "Palestine": (("Palestinian",), "Ramallah"),
    "Poland": (("Polish",), "Warsaw"),
    "Qatar": (("Qatari",), "Doha"),
    "Russia": (("Russian",), "Moscow"),
    "Saudi Arabia": (("Saudi",), "Riyadh"),
    "South Africa": (("South African",), "Pretoria"),
    "South Korea": (("South Korean",), "Seoul"),
    "Spain": (("Spanish",), "Madrid"),
    "Sweden": (("Swedish",), "Stockholm"),
    "Switzerland": (("Swiss",), "Bern"),
    "Syria": (("Syrian",), "Damascus"),
    "Tunisia": (("Tunisian",), "Tunis"),
    "Turkey": (("Turkish",), "Ankara"),
    "Ukraine": (("Ukrainian",), "Kyiv"),
    "United Arab Emirates": (("Emirati",), "Abu Dhabi"),
    "United Kingdom": (("British",), "London"),
    "United States": (("American", "US", "U.S."), "Washington"),
    "Venezuela": (("Venezuelan",), "Caracas"),
    "Yemen": (("Yemeni",), "Sanaa"),
}
DEMONYMS: dict[str, str] = {d: country for country, (ds, _) in COUNTRIES.items() for d in ds}
CAPITALS: dict[str, str] = {capital: country for country, (_, capital) in COUNTRIES.items()}

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# --- reporting: verb forms -> (lemma). Denial lemmas deny what they report.
REPORTING_FORMS: dict[str, str] = {}
for _lemma, _forms in {
    "say": "say says said saying",
    "tell": "tell tells told telling",
    "add": "added adds adding",
    "confirm": "confirm confirms confirmed confirming",
    "reveal": "reveal reveals revealed revealing",
    "disclose": "disclose discloses disclosed disclosing",
    "deny": "deny denies denied denying",
    "dismiss": "dismiss dismisses dismissed dismissing",
    "reject": "reject rejects rejected rejecting",
    "refute": "refute refutes refuted refuting",
    "rule out": "rule out|rules out|ruled out|ruling out",
    "warn": "warn warns warned warning",
    "note": "noted notes noting",
    "argue": "argue argues argued arguing",
    "insist": "insist insists insisted insisting",
    "claim": "claims claimed claiming",
    "explain": "explain explains explained explaining",
    "emphasise": "emphasised emphasized emphasises emphasizes emphasising emphasizing",
    "stress": "stressed stresses stressing",
    "reiterate": "reiterate reiterates reiterated reiterating",
    "mention": "mentioned mentions",
    "announce": "announce announces announced announcing",
    "acknowledge": "acknowledge acknowledges acknowledged acknowledging",
    "admit": "admit admits admitted admitting",
    "maintain": "maintained maintains maintaining",
    "assert": "asserted asserts asserting",
    "allege": "alleged alleges",
    "accuse": "accused accuses accusing",
    "report": "reported reports",
    "write": "wrote writes",
    "tweet": "tweeted tweets",
    "believe": "believes believed",
    "vow": "vowed vows",
    "predict": "predicted predicts",
    "advise": "advised advises advising",
    "call for": "call for|calls for|called for|calling for",
    "state": "stated",
}.items():
    for _form in _forms.split("|") if "|" in _forms else _forms.split():
        REPORTING_FORMS[_form] = _lemma

DENIAL_LEMMAS = frozenset({"deny", "dismiss", "reject", "refute", "rule out"})
# Verbs that take the person spoken to as object ("told reporters", "warned Washington").
OBJECT_LEMMAS = frozenset({"tell", "warn", "accuse", "advise"})
# Objects of "told" that are an audience, not a party to a communication.
AUDIENCE_WORDS = (
    "reporters",
    "journalists",
    "the press",
    "press",
    "a press conference",
    "a news conference",
    "state media",
    "state television",
    "state TV",
    "the media",
    "an interview",
    "a briefing",
    "lawmakers",
    "parliament",
    "the audience",
    "supporters",
    "a crowd",
)

# --- negation
# Negative words that do not negate: "nothing more than", "never stopped" (it goes on), and
# litotes ("not indifferent").
NOT_NEGATION_RE = re.compile(
    r"\b(?:nothing (?:more|less|short) than|nothing but|no doubt|not only|no less than|"
    r"(?:never|not|n't) (?:\w+ )?"
    r"(?:stopped|ceased|ended|halted|paused|interrupted|broken off|been interrupted))\b|"
    r"\b(?:not|never) (?:\w+ )?(?:indifferent|unaware|unlikely|impossible|uncommon|unusual|unimportant|"
    r"insignificant|unwilling|unconcerned|unprepared)\b",
    re.IGNORECASE,
)
NEGATOR_RE = re.compile(
    r"\b(?:not|never|no|nor|neither|none|nothing|nobody|no longer|hasn't|haven't|hadn't|didn't|"
    r"doesn't|don't|isn't|aren't|wasn't|weren't|won't|wouldn't|cannot|can't)\b|n't\b",
    re.IGNORECASE,
)

# --- communication cues: regex -> kind. Order matters: the first matching kind at a position
# wins, so the specific ones (exchange, request, warning) come before the general ones.
COMMUNICATION_CUES: list[tuple[str, str]] = [
    (
        "message-exchange",
        r"(?:carri(?:ed|es)|carrying|passe[sd]|passing|relay(?:ed|s|ing)|deliver(?:ed|s|ing)|"
        r"ferr(?:ied|ies|ying)|shuttl(?:ed|es|ing))\s+(?:\w+\s+){0,2}?(?:messages|letters|notes)"
        r"(?=\s+between)",
    ),
    ("message-exchange", r"exchange[sd]? of (?:messages|letters|notes)"),
    ("message-exchange", r"(?:messages|letters|notes) (?:have |had |were |are |being )?(?:been )?exchanged"),
    ("message-exchange", r"exchang(?:ed|ing|e) (?:messages|letters|notes)"),
    ("message-exchange", r"trad(?:ed|ing|e) messages"),
    ("negotiation", r"negotiat(?:ions?|ed|ing|es?)"),
    ("talks", r"talks|discussions|consultations|(?:a |the )?meeting(?:s)?|met(?= with| [A-Z]| his| her)"),
    (
        "talks",
        r"(?:spoke|speaks|speaking|talked) (?:with|to)(?= [A-Z])|(?:are|were|is|was|been) (?:\w+ )?talking",
    ),
    ("request", r"petition(?:ed|s)?|request(?:ed|s)?|urg(?:ed|es|ing)|ask(?:ed|s|ing)|call(?:ed|s|ing) on"),
    ("request", r"press(?:ed|ing) (?=[A-Z])|appeal(?:ed|s)? to|invit(?:ed|es|ing)(?= \S+ \S?to\b)"),
    ("message", r"(?:we|I) (?:said|told|replied|responded|answered|conveyed|informed|stressed)"),
    ("request", r"(?:was |were |is )?looking for (?=\S+ to )"),
    ("warning", r"warn(?:ed|s|ing)?|threat(?:s|en|ened|ening)?"),
    ("message", r"messages?|letters?|(?:a |the )?notes? (?=to|from)|proposals?|offers?|answers?"),
    ("message", r"convey(?:ed|s|ing)?|relay(?:ed|s|ing)?|pass(?:ed|es|ing) on|deliver(?:ed|s|ing)?"),
    ("message", r"inform(?:ed|s|ing)?(?= [A-Z]| the)|assur(?:ed|es|ing)(?= [A-Z]| the)|notif(?:ied|y|ies)"),
    ("message", r"(?:told|tells|telling)(?= (?:the )?[A-Z])"),
    ("communication", r"communicat(?:ion|ions|ed|ing|e)|contacts?|in touch|dialogue|back[- ]?channels?"),
]
COMMUNICATION_RE = [(kind, re.compile(rf"\b(?:{rx})\b", re.IGNORECASE)) for kind, rx in COMMUNICATION_CUES]

DIRECT_RE = re.compile(r"\b(?:direct(?:ly)?|face-to-face|in person)\b", re.IGNORECASE)
INDIRECT_RE = re.compile(
    r"\b(?:indirect(?:ly)?|through (?:intermediaries|mediators)|back[- ]?channels?)\b", re.IGNORECASE
)
INITIATE_RE = re.compile(r"\binitiat(?:ed|es|ing|e)\b", re.IGNORECASE)

# --- people and titles
ROLE_WORDS = (
    "foreign minister",
    "deputy foreign minister",
    "prime minister",
    "president",
    "vice president",
    "supreme leader",
    "defence minister",
    "defense minister",
    "interior minister",
    "foreign ministry spokesman",
    "foreign ministry spokeswoman",
    "foreign ministry spokesperson",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "ambassador",
    "special envoy",
    "envoy",
    "king",
    "emir",
    "sultan",
    "crown prince",
    "minister",
    "secretary of state",
    "national security adviser",
    "chief negotiator",
    "nuclear negotiator",
    "negotiator",
    "top diplomat",
    "diplomat",
    "official",
    "director",
    "adviser",
    "representative",
    "speaker of parliament",
    "parliament speaker",
    "army chief",
    "commander",
    "leader",
    "chief",
)
ROLE_MODIFIERS = (
    "newly appointed",
    "interim",
    "acting",
    "former",
    "then",
    "deputy",
    "top",
    "chief",
    "senior",
)
PERSON_HONORIFICS = (
    "Mr",
    "Mr.",
    "Mrs",
    "Mrs.",
    "Ms",
    "Ms.",
    "Dr",
    "Dr.",
    "Sheikh",
    "Ayatollah",
    "General",
    "Gen.",
    "Sayyed",
    "Sultan",
    "King",
    "Emir",
    "Prince",
    "Senator",
    "Sen.",
    "Rep.",
)
NAME_PARTICLES = ("al-", "el-", "bin", "bint", "ibn", "Al", "bou", "Bou", "de", "van", "von", "abu", "Abu")
ORG_WORDS = (
    "Ministry",
    "Agency",
    "Council",
    "Union",
    "League",
    "Organisation",
    "Organization",
    "Committee",
    "Corps",
    "Party",
    "Movement",
    "Front",
    "Institute",
    "Centre",
    "Center",
    "Bank",
    "Fund",
    "Office",
    "Service",
    "Services",
    "Association",
    "Authority",
    "Commission",
    "Foundation",
    "University",
    "Department",
    "Brigades",
    "Forces",
    "Guard",
    "Army",
    "Group",
)
OUTLET_WORDS = (
    "News",
    "Agency",
    "Times",
    "Post",
    "Press",
    "TV",
    "Television",
    "Radio",
    "Journal",
    "Gazette",
    "Herald",
    "Tribune",
    "Monitor",
    "Channel",
    "Broadcasting",
)
ARMED_WORDS = ("Brigades", "militia", "Militia", "Front", "Army", "Guard", "Forces", "Jihad")

# Anonymous sources: determiner, modifiers, head noun.
SOURCE_HEADS = (
    "source",
    "sources",
    "official",
    "officials",
    "diplomat",
    "diplomats",
    "analyst",
    "analysts",
    "insider",
    "insiders",
    "aide",
    "aides",
    "adviser",
    "advisers",
    "person",
    "people",
    "observer",
    "observers",
    "expert",
    "experts",
)
SOURCE_DETERMINERS = ("a", "an", "one", "two", "three", "four", "several", "some", "other", "many", "senior")
SOURCE_MODIFIERS = (
    "informed",
    "senior",
    "high-ranking",
    "high-level",
    "well-placed",
    "well-informed",
    "knowledgeable",
    "unnamed",
    "anonymous",
    "government",
    "security",
    "military",
    "diplomatic",
    "political",
    "intelligence",
    "regional",
    "western",
    "Western",
    "European",
    "Arab",
    "Gulf",
    "foreign",
    "local",
    "independent",
    "former",
    "reliable",
)
PLURAL_HEADS = frozenset(h for h in SOURCE_HEADS if h.endswith("s") or h == "people")

# Lines after which a web page is navigation, not article (common boilerplate headings).
BOILERPLATE_LINES = frozenset(
    {
        "related",
        "related articles",
        "related stories",
        "read more",
        "more stories",
        "more on this story",
        "tags",
        "your comment",
        "comments",
        "share this article",
        "subscribe to our newsletter",
        "recommended",
        "most read",
    }
)

# Topic cues: word stem -> topic label (resolved to a topic id through the reference labels).
TOPIC_CUES: list[tuple[str, str]] = [
    (r"escalat|spread|expand|wider (?:war|conflict)|regional (?:war|conflict)", "escalation"),
    (
        r"regional (?:war|conflict)|wider (?:war|conflict)|across (?:the )?region|full-scale war",
        "regional war",
    ),
    (r"restrain|restraint|calm|de-?escalat", "restraint"),
    (r"ceasefire|cease-fire|truce", "ceasefire"),
    (r"nuclear", "nuclear programme"),
    (r"Gaza|Hamas", "Gaza war"),
    (r"Lebanon|Lebanese", "Lebanon front"),
    (r"Hezbollah|Hizbullah|Hizbollah", "Hezbollah involvement"),
    (r"prox(?:y|ies)", "proxies"),
    (r"threat|retaliat|response would", "threats"),
    (r"diplomatic relations|ties", "diplomatic relations"),
    (r"aircraft carrier|carrier strike|deploy", "US military deployment"),
    (r"attacks? on (?:US|U\.S\.|American)", "attacks on US forces"),
    (r"weapons|missiles|drones|military (?:support|aid|equipment)", "military support"),
]
