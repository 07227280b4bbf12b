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
