"""Every constraint in shapes/ fails on a case of its own, for the reason the case states.

Each case (tests/shapes/cases/<stem>.yaml, one file per shapes/<stem>.ttl) patches the valid
base and lists the exact results pySHACL must give: the SET of (focus node, result path, source
shape, source constraint component) is compared, not only ``conforms``.
"""

from __future__ import annotations

import pytest

from tests.shapes.helpers import (
    ShapeCase,
    base_graph,
    case_files,
    constraints,
    load_cases,
    results,
    shape_files,
    shapes_graph,
    validate,
)

CASES = load_cases()


def test_case_lists_are_not_empty() -> None:
    assert case_files(), "no case files under tests/shapes/cases/"
    assert len(CASES) >= len(case_files())


def test_case_files_mirror_the_shapes_files() -> None:
    shapes = {p.stem for p in shape_files()}
    cases = {p.stem for p in case_files()}
    assert shapes, "no shapes/*.ttl"
    assert cases == shapes, (
        f"case files without shapes: {sorted(cases - shapes)}; shapes without cases: {sorted(shapes - cases)}"
    )


def test_every_case_file_has_cases() -> None:
    per_file = {p.name: [c for c in CASES if c.file == p] for p in case_files()}
    assert all(per_file.values()), [name for name, cs in per_file.items() if not cs]


def test_the_base_conforms() -> None:
    conforms, report, text = validate(base_graph())
    assert conforms, text
    assert results(report) == set()


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_case_gives_exactly_its_results(case: ShapeCase) -> None:
    conforms, report, _ = validate(case.data)
    got = results(report)
    assert not conforms
    assert got == case.expected, (
        f"{case.file.name}: {case.name} ({case.about})\n"
        f"unexpected: {sorted(got - case.expected, key=str)}\n"
        f"missing: {sorted(case.expected - got, key=str)}"
    )


def test_every_constraint_has_a_failing_case() -> None:
    declared = constraints(shapes_graph())
    assert declared, "no constraint found in shapes/"
    exercised = {(shape, component) for c in CASES for _, _, shape, component in c.expected}
    missing = sorted(declared - exercised)
    assert not missing, "constraints no case exercises:\n" + "\n".join(f"  {s} {k}" for s, k in missing)


def test_cases_only_expect_declared_constraints() -> None:
    declared = constraints(shapes_graph())
    stray = sorted({(s, k) for c in CASES for _, _, s, k in c.expected} - declared)
    assert not stray, f"cases expect results from constraints that do not exist: {stray}"
