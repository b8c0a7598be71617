"""Fixtures for the extraction tests."""

from __future__ import annotations

import pytest

from kg.reference import Reference, load_reference
from tests.conftest import ROOT


@pytest.fixture(scope="session")
def reference() -> Reference:
    """The ontology and reference individuals, as ``kg build`` loads them."""
    return load_reference(ROOT / "ontology", ROOT / "corpus")
