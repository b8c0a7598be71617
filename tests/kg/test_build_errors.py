"""Bad input to ``kg build``: every rejection names the file, the entry and the problem,
and the store is left exactly as it was before the command.

Each test copies the real corpus into ``tmp_path`` beside a good store built from it (built once
per module and copied; one test does the whole procedure with a fresh build), breaks one file
minimally, builds again and checks the rejection and that the store did not change (same
canonical N-Quads, no ``store.building`` or ``store.old`` left beside it).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from kg.build import build
from kg.cli import app
from kg.config import Settings
from kg.errors import CorpusRejected, Problem
from kg.store import GraphStore

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"

S0 = "000_9ccd7f39ddaf9104"  # The Media Line; bare YAML dates
S1 = "001_98d2358e564cccca"  # Financial Times; quoted YAML dates
S2 = "002_c471b481292c7122"  # names the Oman channel

ANN0 = f"annotations/{S0}.yaml"
META0 = f"documents/{S0}.meta.yaml"
TXT0 = f"documents/{S0}.txt"
ANN2 = f"annotations/{S2}.yaml"
META1 = f"documents/{S1}.meta.yaml"

# The first claim of 000, quoted from its annotation file, so edits can anchor on it.
C0 = "headline-ongoing-dialogue"  # quote at [0, 49)
C0_HEAD = f"- id: {C0}\n  claimant: the-media-line\n"
C1 = "lead-direct-communication"  # quote at [100, 222)


# --- the corpus and the store ---------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_kg_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings read KG_* variables; none of the caller's may leak into these tests."""
    for name in list(os.environ):
        if name.upper().startswith("KG_"):
            monkeypatch.delenv(name)


@dataclass
class Built:
    corpus: Path
    store: Path
    nquads: list[str]
    siblings: list[str]

    def settings(self, **overrides: object) -> Settings:
        return Settings(home=ROOT, corpus=self.corpus, store=str(self.store), **overrides)  # type: ignore[arg-type]

    def assert_untouched(self) -> None:
        assert not self.store.with_name(self.store.name + ".building").exists()
        assert not self.store.with_name(self.store.name + ".old").exists()
        assert sorted(p.name for p in self.store.parent.iterdir()) == self.siblings
        after = GraphStore.open(self.store)
        try:
            assert after.canonical_nquads() == self.nquads
        finally:
            after.close()


@pytest.fixture(scope="module")
def good_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A good store built once from a copy of the real corpus, and its canonical N-Quads."""
    base = tmp_path_factory.mktemp("good")
    corpus = base / "corpus"
    shutil.copytree(CORPUS, corpus)
    store_path = base / "store"
    report, store = build(Settings(home=ROOT, corpus=corpus, store=str(store_path)))
    store.close()
    assert report.documents == 5 and report.claims > 0
    reopened = GraphStore.open(store_path)
    try:
        nquads = reopened.canonical_nquads()
    finally:
        reopened.close()
    assert nquads
    return store_path, nquads


@pytest.fixture
def built(tmp_path: Path, good_store: tuple[Path, list[str]]) -> Built:
    """A copy of the real corpus and of a good store built from it, with its N-Quads recorded.

    The closed store directory is copied rather than rebuilt for every test, which halves the
    time of the module; ``test_a_rejected_build_does_not_block_the_next_good_one`` builds into
    ``tmp_path`` and checks that a build from the copied corpus gives these same N-Quads.
    """
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    store_path = tmp_path / "store"
    shutil.copytree(good_store[0], store_path)
    return Built(corpus, store_path, good_store[1], sorted(p.name for p in tmp_path.iterdir()))


def rejected(b: Built, **overrides: object) -> list[Problem]:
    """Build again; it must be rejected and leave the store as it was."""
    with pytest.raises(CorpusRejected) as info:
        _, store = build(b.settings(**overrides))
        store.close()  # pragma: no cover - only reached when the build wrongly succeeds
    b.assert_untouched()
    problems = info.value.problems
    assert problems, "a rejection must say what is wrong"
    for p in problems:  # what the CLI prints is made of these
        assert str(p) in str(info.value)
    return problems


def the_problem(problems: list[Problem], file: str, entry: str, message: str | tuple[str, ...]) -> Problem:
    """The problem naming ``file`` (a suffix), ``entry`` (exactly) and ``message`` (substrings)."""
    wanted = (message,) if isinstance(message, str) else message
    for p in problems:
        if p.file.endswith(file) and p.entry == entry and all(w in p.message for w in wanted):
            return p
    listing = "\n".join(f"  file={p.file!r} entry={p.entry!r} message={p.message!r}" for p in problems)
    raise AssertionError(f"no problem ({file!r}, {entry!r}, ~{message!r}) among:\n{listing}")


# --- breaking one file ----------------------------------------------------------------------

Edit = Callable[[Path], None]


def replace(rel: str, old: str, new: str) -> Edit:
    """Replace the first occurrence of ``old`` (which must be there) in the file ``rel``."""

    def edit(corpus: Path) -> None:
        path = corpus / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {rel}; the corpus changed, update the test"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return edit


def insert_bytes(rel: str, at: int, data: bytes) -> Edit:
    def edit(corpus: Path) -> None:
        path = corpus / rel
        raw = path.read_bytes()
        path.write_bytes(raw[:at] + data + raw[at:])

    return edit


def delete(rel: str) -> Edit:
    def edit(corpus: Path) -> None:
        (corpus / rel).unlink()

    return edit


@dataclass(frozen=True)
class Case:
    edit: Edit
    file: str  # the file the problem must name (a suffix of Problem.file)
    entry: str  # exactly
    message: str | tuple[str, ...]  # substring(s) of Problem.message


CASES: dict[str, Case] = {
    # quotes and offsets
    "quote-not-in-text": Case(
        replace(ANN0, "quote: Iran Confirms Ongoing", "quote: Iran Confirmz Ongoing"),
        ANN0,
        f"claim {C0}",
        (
            "the text there reads 'Iran Confirms Ongoing Diplomatic Dialogue with US'",
            "the quote does not occur anywhere in the text",
        ),
    ),
    "quote-at-wrong-offsets": Case(
        replace(ANN0, "  start: 100\n  end: 222\n", "  start: 101\n  end: 223\n"),
        ANN0,
        f"claim {C1}",
        (
            "quote is not the text at [101, 223): the text there reads",
            "the quote occurs at [100, 222)",
        ),
    ),
    "start-shifted-end-mismatch": Case(
        replace(ANN0, "  start: 100\n", "  start: 101\n"),
        ANN0,
        f"claim {C1}",
        "span [101, 222) is 121 characters but the quote is 122",
    ),
    "end-shifted-end-mismatch": Case(
        replace(ANN0, "  end: 222\n", "  end: 221\n"),
        ANN0,
        f"claim {C1}",
        "span [100, 221) is 121 characters but the quote is 122",
    ),
    "end-missing-start-wrong": Case(
        replace(ANN0, "  start: 100\n  end: 222\n", "  start: 99\n"),
        ANN0,
        f"claim {C1}",
        "quote is not the text at [99, 221): the text there reads",
    ),
    "start-missing": Case(
        replace(ANN0, "  start: 100\n", ""),
        ANN0,
        f"claim {C1}",
        "quote has no start offset; the quote occurs at [100, 222)",
    ),
    "quote-changed-length": Case(
        replace(ANN0, "quote: Iran Confirms Ongoing", "quote: Iran Confirmed Ongoing"),
        ANN0,
        f"claim {C0}",
        "span [0, 49) is 49 characters but the quote is 50",
    ),
    # ids
    "unknown-claimant": Case(
        replace(ANN0, C0_HEAD, f"- id: {C0}\n  claimant: no-such-actor\n"),
        ANN0,
        f"claim {C0}",
        "unknown actor id 'no-such-actor' (claimant)",
    ),
    "unknown-party": Case(
        replace(ANN0, "    parties:\n    - iran\n", "    parties:\n    - no-such-actor\n"),
        ANN0,
        f"claim {C0}",
        "unknown actor id 'no-such-actor'",
    ),
    "unknown-outlet": Case(
        replace(META0, "outlet: the-media-line\n", "outlet: no-such-actor\n"),
        META0,
        "outlet",
        "unknown actor id 'no-such-actor'",
    ),
    "unknown-channel": Case(
        replace(ANN2, "    channel: oman\n", "    channel: no-such-channel\n"),
        ANN2,
        "claim bagheri-confirms-negotiations-oman",
        "unknown channel id 'no-such-channel'",
    ),
    "unknown-topic": Case(
        replace(ANN0, "    - diplomatic-relations\n", "    - no-such-topic\n"),
        ANN0,
        f"claim {C0}",
        "unknown topic id 'no-such-topic'",
    ),
    "duplicate-claim-id": Case(
        replace(ANN0, f"- id: {C1}\n", f"- id: {C0}\n"),
        ANN0,
        f"claim {C0}",
        "duplicate claim id",
    ),
    "annotation-names-another-document": Case(
        replace(ANN0, f"document: {S0}\n", "document: 000_other\n"),
        ANN0,
        "document",
        f"names '000_other', not '{S0}'",
    ),
    "reprint-of-missing-document": Case(
        replace(META0, "reprint_of: null\n", "reprint_of: 999_no_such_document\n"),
        META0,
        "reprint_of",
        "no document '999_no_such_document' in the corpus",
    ),
    # dates
    "impossible-date-quoted": Case(
        replace(META1, "  date: '2023-11-16'\n", "  date: '2023-11-31'\n"),
        META1,
        "published.date",
        "day value is outside expected range",
    ),
    "malformed-date-quoted": Case(
        replace(META1, "  date: '2023-11-16'\n", "  date: '16/11/2023'\n"),
        META1,
        "published.date",
        "Input should be a valid date",
    ),
    "impossible-claim-date-quoted": Case(
        replace(ANN0, "        date: 2024-02-10\n", "        date: '2024-02-30'\n"),
        ANN0,
        f"claim {C0} proposition.time.end.date",
        "day value is outside expected range",
    ),
    "inferred-date-without-evidence": Case(
        replace(
            ANN0,
            '        evidence:\n        - Ongoing up to the press conference "on Saturday", '
            "inferred as 10 February 2024.\n",
            "        evidence: []\n",
        ),
        ANN0,
        f"claim {C0} proposition.time.end",
        "an inferred date must carry its evidence",
    ),
    "bounds-reversed": Case(
        replace(META0, "  not_after: 2024-02-16\n", "  not_after: 2024-02-09\n"),
        META0,
        "published",
        "not_before 2024-02-10 is after not_after 2024-02-09",
    ),
    # shape of the files
    "unknown-key-in-claim": Case(
        replace(ANN0, "  confidence: 2\n", "  confidense: 2\n"),
        ANN0,
        f"claim {C0} confidense",
        "Extra inputs are not permitted",
    ),
    "unknown-key-in-meta": Case(
        replace(META0, "reliability: C\n", "reliabilty: C\n"),
        META0,
        "reliabilty",
        "Extra inputs are not permitted",
    ),
    "annotation-yaml-does-not-parse": Case(
        replace(ANN0, "  stance: affirms\n", "  stance: [affirms\n"),
        ANN0,
        "",
        "does not parse",
    ),
    "meta-yaml-does-not-parse": Case(
        replace(META0, "reliability: C\n", "reliability: C: D\n"),
        META0,
        "",
        "does not parse",
    ),
    "meta-missing": Case(delete(META0), TXT0, "", f"no metadata file {S0}.meta.yaml beside it"),
    # encodings
    "text-not-utf8": Case(insert_bytes(TXT0, 10, b"\xff\xfe"), TXT0, "", "not UTF-8: byte 0xff at offset 10"),
    "text-not-utf8-at-start": Case(insert_bytes(TXT0, 0, b"\xff\xfe"), TXT0, "", "not UTF-8"),
    "annotation-not-utf8": Case(insert_bytes(ANN0, 10, b"\xff\xfe"), ANN0, "", "UTF-8"),
    "meta-not-utf8": Case(insert_bytes(META0, 10, b"\xff"), META0, "", "UTF-8"),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_bad_input_is_rejected_and_the_store_is_untouched(built: Built, case: Case) -> None:
    case.edit(built.corpus)
    problems = rejected(built)
    the_problem(problems, case.file, case.entry, case.message)
    # Only the broken file is blamed: the other documents are fine.
    assert {Path(p.file).name for p in problems} == {Path(case.file).name}


def test_every_problem_of_a_document_is_reported_at_once(built: Built) -> None:
    replace(ANN0, C0_HEAD, f"- id: {C0}\n  claimant: no-such-actor\n")(built.corpus)
    replace(ANN0, "    - diplomatic-relations\n", "    - no-such-topic\n")(built.corpus)
    replace(ANN2, "    channel: oman\n", "    channel: no-such-channel\n")(built.corpus)
    problems = rejected(built)
    the_problem(problems, ANN0, f"claim {C0}", "unknown actor id 'no-such-actor' (claimant)")
    the_problem(problems, ANN0, f"claim {C0}", "unknown topic id 'no-such-topic'")
    the_problem(
        problems,
        ANN2,
        "claim bagheri-confirms-negotiations-oman",
        "unknown channel id 'no-such-channel'",
    )


# --- regressions: bugs found by these tests and fixed ------------------------------------------


def test_impossible_bare_yaml_date_is_rejected(built: Built) -> None:
    replace(ANN0, "        date: 2024-02-10\n", "        date: 2024-02-30\n")(built.corpus)
    try:
        problems = rejected(built)
    finally:
        built.assert_untouched()
    p = next(p for p in problems if p.file.endswith(ANN0))
    assert p.entry.startswith(f"claim {C0}")
    assert "day" in p.message and "range" in p.message


def test_impossible_bare_yaml_month_in_meta_is_rejected(built: Built) -> None:
    replace(META0, "  date: 2024-02-10\n", "  date: 2024-13-01\n")(built.corpus)
    try:
        problems = rejected(built)
    finally:
        built.assert_untouched()
    p = next(p for p in problems if p.file.endswith(META0))
    assert p.entry.startswith("published")
    assert "month" in p.message


def test_utf16_meta_file_is_rejected(built: Built) -> None:
    path = built.corpus / META0
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    problems = rejected(built)
    the_problem(problems, META0, "", "UTF-8")


def test_problem_in_json_annotation_names_the_json_file(built: Built) -> None:
    yaml_path = built.corpus / ANN0
    data = yaml.safe_load(yaml_path.read_text(encoding="utf-8"))
    data["claims"][0]["claimant"] = "no-such-actor"
    json_path = yaml_path.with_suffix(".json")
    json_path.write_text(json.dumps(data, default=str), encoding="utf-8")
    yaml_path.unlink()
    problems = rejected(built)
    the_problem(problems, f"annotations/{S0}.json", f"claim {C0}", "unknown actor id 'no-such-actor'")


# --- whole-corpus problems ------------------------------------------------------------------


def test_empty_documents_directory_is_rejected(built: Built) -> None:
    for p in (built.corpus / "documents").iterdir():
        p.unlink()
    problems = rejected(built)
    assert problems == [Problem(str(built.corpus / "documents"), "", "no *.txt documents")]


def test_missing_documents_directory_is_rejected(built: Built) -> None:
    shutil.rmtree(built.corpus / "documents")
    problems = rejected(built)
    the_problem(problems, "corpus", "", "no documents/ directory in the corpus")


def test_text_over_the_size_limit_is_rejected_naming_its_size(built: Built) -> None:
    size = (built.corpus / TXT0).stat().st_size
    assert size > 100
    problems = rejected(built, max_document_bytes=100)
    the_problem(problems, TXT0, "", f"text is {size} bytes, over the limit of 100")
    # every document of the real corpus is over 100 bytes; each is named
    assert len(problems) == 5


def test_rejected_build_without_a_previous_store_creates_none(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    replace(ANN0, f"- id: {C1}\n", f"- id: {C0}\n")(corpus)
    store = tmp_path / "store"
    with pytest.raises(CorpusRejected):
        build(Settings(home=ROOT, corpus=corpus, store=str(store)))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus"]


def test_rejection_after_a_fresh_build_leaves_that_store_as_built(tmp_path: Path) -> None:
    """The procedure of the other tests without the shared store: build, break, rebuild."""
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    store_path = tmp_path / "store"
    settings = Settings(home=ROOT, corpus=corpus, store=str(store_path))
    _, store = build(settings)
    store.close()
    reopened = GraphStore.open(store_path)
    try:
        before = reopened.canonical_nquads()
    finally:
        reopened.close()
    replace(ANN0, C0_HEAD, f"- id: {C0}\n  claimant: no-such-actor\n")(corpus)
    with pytest.raises(CorpusRejected) as info:
        build(settings)
    the_problem(info.value.problems, ANN0, f"claim {C0}", "unknown actor id 'no-such-actor' (claimant)")
    assert not (tmp_path / "store.building").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "store"]
    reopened = GraphStore.open(store_path)
    try:
        assert reopened.canonical_nquads() == before
    finally:
        reopened.close()


def test_a_rejected_build_does_not_block_the_next_good_one(built: Built) -> None:
    original = (built.corpus / ANN0).read_bytes()
    replace(ANN0, f"- id: {C1}\n", f"- id: {C0}\n")(built.corpus)
    rejected(built)
    (built.corpus / ANN0).write_bytes(original)
    _, store = build(built.settings())
    try:
        assert store.canonical_nquads() == built.nquads
    finally:
        store.close()


# --- through the command line ---------------------------------------------------------------

CLI_CASES = ["unknown-claimant", "duplicate-claim-id", "text-not-utf8"]


@pytest.mark.parametrize("name", CLI_CASES)
def test_cli_build_exits_1_naming_file_and_problem(
    built: Built, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = CASES[name]
    case.edit(built.corpus)
    monkeypatch.setenv("KG_HOME", str(ROOT))
    result = CliRunner().invoke(app, ["build", "--store", str(built.store), "--corpus", str(built.corpus)])
    assert result.exit_code == 1, result.output
    # exit 1 on purpose, not an uncaught exception (which CliRunner also reports as 1)
    assert isinstance(result.exception, SystemExit), result.exception
    assert Path(case.file).name in result.output
    for wanted in (case.message,) if isinstance(case.message, str) else case.message:
        assert wanted in result.output
    if case.entry:
        assert case.entry in result.output
    assert "the store was not changed" in result.output
    built.assert_untouched()


def test_cli_build_impossible_bare_yaml_date(built: Built, monkeypatch: pytest.MonkeyPatch) -> None:
    replace(ANN0, "        date: 2024-02-10\n", "        date: 2024-02-30\n")(built.corpus)
    monkeypatch.setenv("KG_HOME", str(ROOT))
    result = CliRunner().invoke(app, ["build", "--store", str(built.store), "--corpus", str(built.corpus)])
    built.assert_untouched()
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), result.exception
    assert Path(ANN0).name in result.output
