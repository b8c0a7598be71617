"""The rules' index finds every claim whose window can overlap, whatever the windows look like."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from kg.rules import Claim, Proposition, _Index, _overlap

KIND = "https://w3id.org/backchannel-kg/ontology#Message"
DAY0 = dt.date(2023, 1, 1)


def _claim(rng: random.Random, n: int) -> Claim:
    """A claim on Iran–US with a window that is closed and short, long, or open at either end."""
    prop = Proposition(kinds={KIND}, senders={"iran"}, recipients={"us"}, kind=KIND)
    start = DAY0 + dt.timedelta(days=rng.randint(0, 2000))
    length = rng.choice([0, 1, 30, 365, 399, 400, 401, 800, 3000])
    shape = rng.random()
    lo: dt.date | None = start
    hi: dt.date | None = start + dt.timedelta(days=length)
    if shape < 0.1:
        lo = None
    elif shape < 0.2:
        hi = None
    elif shape < 0.25:
        lo = hi = None
    return Claim(f"c{n:04d}", "affirms", prop, lo, hi)


@pytest.mark.parametrize("seed", range(5))
def test_candidates_cover_every_overlapping_claim(seed: int) -> None:
    rng = random.Random(seed)
    claims = [_claim(rng, n) for n in range(400)]
    index = _Index(claims)
    probes = [_claim(rng, 1000 + n) for n in range(200)]
    short = dt.timedelta(days=400)
    for probe in probes:
        found = list(index.candidates(("iran", "us"), [KIND], [None], probe))
        expected = {c.iri for c in claims if _overlap(c, probe)}
        assert expected <= {c.iri for c in found}
        assert len(found) == len({c.iri for c in found})  # no claim offered twice
        # and it is an index: a closed window of at most 400 days is offered only if it starts
        # late enough to reach the probe's window and early enough not to begin after it
        for c in found:
            if c.lo is None or c.hi is None or c.hi - c.lo > short:
                continue
            assert probe.lo is None or c.lo >= probe.lo - short
            assert probe.hi is None or c.lo <= probe.hi
