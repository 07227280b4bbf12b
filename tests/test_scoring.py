"""Scoring is pure: criteria + answers in, one VisitScore out. Table-driven edge cases."""

from __future__ import annotations

import pytest

from checklist.core.criteria import parse_criteria
from checklist.core.scoring import AnswerValue as A
from checklist.core.scoring import domain_changes
from checklist.core.scoring import score_visit
from tests.conftest import SMALL_CRITERIA

TEXT = SMALL_CRITERIA.read_text(encoding="utf-8")
CRITERIA = parse_criteria(TEXT)
# The same file, but the count criterion weighs 9: a critical failure then sits in a domain
# whose weighted average alone would be green.
HEAVY = parse_criteria(TEXT.replace("kind: count\n        weight: 1", "kind: count\n        weight: 9"))
ALL_GOOD = {"play.space": A("meets"), "play.outdoor": A("yes"), "safety.fire": A("yes"), "safety.moves": A(number=0)}


CASES = [
    # id, criteria, location type, answers, overall score, overall status, {domain: (score, status)}, scored/assessable
    ("nothing answered", CRITERIA, "azc", {}, None, "none", {"play": (None, "none"), "safety": (None, "none")}, (0, 4)),
    (
        "everything not applicable",
        CRITERIA,
        "azc",
        {k: A("na") for k in ALL_GOOD},
        None,
        "none",
        {"play": (None, "none"), "safety": (None, "none")},
        (0, 0),
    ),
    ("all good", CRITERIA, "azc", ALL_GOOD, 100.0, "green", {"play": (100.0, "green"), "safety": (100.0, "green")}, (4, 4)),
    (
        "weights and partly",
        CRITERIA,
        "azc",
        {**ALL_GOOD, "play.space": A("partly")},
        (200 / 3 + 100) / 2,
        "green",
        {"play": (200 / 3, "amber"), "safety": (100.0, "green")},
        (4, 4),
    ),
    (
        "single critical failure in an otherwise perfect visit",
        HEAVY,
        "azc",
        {**ALL_GOOD, "safety.fire": A("no")},
        95.0,
        "amber",
        {"play": (100.0, "green"), "safety": (90.0, "red")},
        (4, 4),
    ),
    (
        "could not assess is left out and lowers coverage",
        CRITERIA,
        "azc",
        {**ALL_GOOD, "play.space": A("unknown")},
        100.0,
        "green",
        {"play": (100.0, "green"), "safety": (100.0, "green")},
        (3, 4),
    ),
    (
        "unanswered criterion is left out",
        CRITERIA,
        "azc",
        {k: v for k, v in ALL_GOOD.items() if k != "play.outdoor"},
        100.0,
        "green",
        {"play": (100.0, "green"), "safety": (100.0, "green")},
        (3, 4),
    ),
    (
        "amv domain counts only at amv locations",
        CRITERIA,
        "amv_kleinschalig",
        {**ALL_GOOD, "amv.mentor": A("fails")},
        200 / 3,
        "amber",
        {"play": (100.0, "green"), "safety": (100.0, "green"), "amv": (0.0, "red")},
        (5, 5),
    ),
]


@pytest.mark.parametrize("name, criteria, type_, answers, overall, status, domains, coverage", CASES, ids=[c[0] for c in CASES])
def test_score_visit(name, criteria, type_, answers, overall, status, domains, coverage):
    score = score_visit(criteria, type_, answers)
    assert score.score == pytest.approx(overall) if overall is not None else score.score is None
    assert score.status == status
    assert {d.domain_id: (d.score, d.status) for d in score.domains} == {
        k: (pytest.approx(v[0]) if v[0] is not None else None, v[1]) for k, v in domains.items()
    }
    assert (score.scored, score.assessable) == coverage


def test_red_flag_is_listed_and_explained():
    score = score_visit(HEAVY, "azc", {**ALL_GOOD, "safety.fire": A("no")})
    assert [f.criterion_id for f in score.red_flags] == ["safety.fire"]
    safety = score.domain("safety")
    assert (safety.weighted_points, safety.weight_total) == (9.0, 10.0)
    assert [line.points for line in safety.lines] == [0.0, 1.0]


def test_red_flag_cap_can_be_red():
    strict = parse_criteria(TEXT.replace("red_flag_cap: amber", "red_flag_cap: red").replace("kind: count\n        weight: 1", "kind: count\n        weight: 9"))
    assert score_visit(strict, "azc", {**ALL_GOOD, "safety.fire": A("no")}).status == "red"


@pytest.mark.parametrize(
    "number, result",
    [(0, "meets"), (1.99, "meets"), (2, "partly"), (2.99, "partly"), (3, "fails"), (20, "fails")],
)
def test_count_criterion_on_each_band_edge(number, result):
    score = score_visit(CRITERIA, "azc", {"safety.moves": A(number=number)})
    assert score.domain("safety").lines[1].result == result


def test_not_applicable_beats_a_stale_number():
    score = score_visit(CRITERIA, "azc", {"safety.moves": A("na", number=5)})
    assert score.domain("safety").lines[1].result == "na"


def test_domain_changes_since_previous_visit():
    before = score_visit(CRITERIA, "azc", {**ALL_GOOD, "play.space": A("fails")})
    after = score_visit(CRITERIA, "azc", ALL_GOOD)
    changes = domain_changes(after, before)
    assert changes["play"] == pytest.approx(100 - 100 / 3)
    assert changes["safety"] == 0
    assert domain_changes(after, None) == {}
