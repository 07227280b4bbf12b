"""The browser counts what waits on the device with its own copy of two server rules (the
coverage in words and the low-coverage mark, js/coverage.js): both are run here in Node on
generated cases and must give what core.labels and core.scoring give."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from checklist.core.labels import format_coverage
from checklist.core.scoring import low_coverage
from tests.conftest import ROOT
from tests.test_bands import COUNTS

NODE = shutil.which("node")
SCRIPT = """
import { formatCoverage, lowCoverage } from "./checklist/static/js/coverage.js";
const cases = JSON.parse(process.argv[1]);
console.log(JSON.stringify(cases.map(([s, a, t]) => [formatCoverage(s, a), lowCoverage(s, a, t)])));
"""

case = st.integers(min_value=0, max_value=400).flatmap(
    lambda assessable: st.tuples(
        st.integers(min_value=0, max_value=assessable), st.just(assessable), st.sampled_from([0, 0.25, 0.5, 0.6, 0.75, 1.0])
    )
)


@pytest.mark.skipif(NODE is None, reason="Node.js is installed by make test")
@settings(max_examples=25, deadline=None)
@given(st.lists(case, min_size=1, max_size=40))
def test_the_browsers_coverage_rules_are_the_servers(cases):
    out = subprocess.run([NODE, "--input-type=module", "-e", SCRIPT, json.dumps(cases)], cwd=ROOT, capture_output=True, text=True, check=True)
    for (scored, assessable, threshold), (words, low) in zip(cases, json.loads(out.stdout)):
        assert words == format_coverage(scored, assessable), (scored, assessable)
        assert low == low_coverage(scored, assessable, threshold), (scored, assessable, threshold)


@pytest.mark.skipif(NODE is None, reason="Node.js is installed by make test")
def test_halves_round_to_even_in_both():
    cases = [[1, 8, 0.5], [3, 8, 0.5], [5, 8, 0.5], [1, 200, 0.5]]  # 12.5, 37.5, 62.5, 0.5
    out = subprocess.run([NODE, "--input-type=module", "-e", SCRIPT, json.dumps(cases)], cwd=ROOT, capture_output=True, text=True, check=True)
    assert [w for w, _ in json.loads(out.stdout)] == [format_coverage(s, a) for s, a, _ in cases]


BANDS_SCRIPT = """
import { bandFor } from "./checklist/static/js/bands.js";
const [bands, numbers] = JSON.parse(process.argv[1]);
console.log(JSON.stringify(numbers.map((n) => { const b = bandFor(bands, n); return b ? b.answer : null; })));
"""


@pytest.mark.skipif(NODE is None, reason="Node.js is installed by make test")
@settings(max_examples=20, deadline=None)
@given(st.sampled_from(COUNTS), st.lists(st.floats(min_value=-5, max_value=500, allow_nan=False, allow_infinity=False), min_size=1, max_size=30))
def test_the_browsers_live_band_is_the_servers(criterion, numbers):
    """What the page shows as the number is typed (js/bands.js) is what the server scores."""
    numbers += [b.from_ for b in criterion.bands] + [b.to for b in criterion.bands if b.to is not None]
    bands = [{"from": b.from_, "to": b.to, "answer": b.answer} for b in criterion.bands]
    out = subprocess.run([NODE, "--input-type=module", "-e", BANDS_SCRIPT, json.dumps([bands, numbers])], cwd=ROOT, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == [criterion.band_for(n) for n in numbers]
