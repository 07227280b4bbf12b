"""A calibration pair as one observation (`core.observations`), pure, with the small test criteria."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from checklist.core.history import location_history
from checklist.core.observations import group_pairs
from checklist.core.observations import observations
from checklist.core.observations import pair_score
from checklist.core.scoring import AnswerValue
from checklist.core.scoring import score_visit
from tests.conftest import CRITERIA


@dataclass
class Visit:
    visit: dict
    score: object


def scored(answers: dict):
    values = {k: AnswerValue(number=v) if isinstance(v, (int, float)) else AnswerValue(v) for k, v in answers.items()}
    return score_visit(CRITERIA, "azc", values)


def visit(visit_id: int, day: str, answers: dict) -> Visit:
    return Visit({"id": visit_id, "visit_date": day}, scored(answers))


RATINGS = st.sampled_from(["meets", "partly", "fails"])
YESNO = st.sampled_from(["yes", "no"])
ANSWERS = st.fixed_dictionaries({"play.space": RATINGS, "play.outdoor": YESNO, "safety.fire": YESNO, "safety.moves": st.integers(0, 6)})


@settings(max_examples=60, derandomize=True)
@given(ANSWERS, ANSWERS)
def test_where_both_scored_every_criterion_each_score_is_the_mean_of_the_two(a, b):
    first, second = scored(a), scored(b)
    pair = pair_score(first, second, CRITERIA)
    assert pair.score == pytest.approx((first.score + second.score) / 2)
    for d in pair.domains:
        assert d.score == pytest.approx((first.domain(d.domain_id).score + second.domain(d.domain_id).score) / 2)


@settings(max_examples=60, derandomize=True)
@given(ANSWERS, ANSWERS)
def test_a_red_flag_one_visitor_saw_is_the_pairs(a, b):
    pair = pair_score(scored(a), scored(b), CRITERIA)
    flagged = "no" in (a["safety.fire"], b["safety.fire"])
    assert bool(pair.red_flags) == flagged
    assert pair.domain("safety").status == "red" or not flagged


def test_the_lower_result_counts_and_could_not_assess_only_when_neither_assessed():
    both = pair_score(scored({"play.space": "meets", "safety.fire": "unknown"}), scored({"play.space": "fails", "safety.fire": "yes"}), CRITERIA)
    space = next(line for line in both.domain("play").lines if line.criterion_id == "play.space")
    fire = next(line for line in both.domain("safety").lines if line.criterion_id == "safety.fire")
    assert (space.result, space.points) == ("fails", 0.5)
    assert (fire.result, fire.points) == ("meets", 1.0) and not both.unassessed_flags
    neither = pair_score(scored({"safety.fire": "unknown"}), scored({"safety.fire": "na"}), CRITERIA)
    assert [f.criterion_id for f in neither.unassessed_flags] == ["safety.fire"]


def test_a_pair_is_one_group_only_when_both_its_visits_are_there():
    items = [1, 2, 3, 4]
    assert group_pairs(items, [(2, 3)], int) == [(1,), (2, 3), (4,)]
    assert group_pairs(items, [(3, 9)], int) == [(1,), (2,), (3,), (4,)]  # the other visit is out of scope or period
    assert group_pairs(items, [(1, 4)], int) == [(2,), (3,), (1, 4)]  # at the place of its later visit


def test_a_calibration_pair_days_apart_is_no_trend():
    """Two visitors two days apart read one domain differently: that is no change over time,
    and a failure both found once is not "failing again and again"."""
    before = visit(1, "2026-06-01", {"play.space": "meets", "play.outdoor": "yes", "safety.fire": "yes", "safety.moves": 1})
    first = visit(2, "2026-10-12", {"play.space": "meets", "play.outdoor": "no", "safety.fire": "yes", "safety.moves": 1})
    second = visit(3, "2026-10-14", {"play.space": "fails", "play.outdoor": "no", "safety.fire": "yes", "safety.moves": 1})
    as_visits = location_history([before, first, second])
    assert next(c for c in as_visits.changes if c.domain_id == "play").direction == "worsened"  # what the page said
    assert [r.criterion_id for r in as_visits.recurring] == ["play.outdoor"]

    observed = observations([before, first, second], [(2, 3)], lambda _b: CRITERIA)
    assert [o.is_pair for o in observed] == [False, True]
    history = location_history(observed)
    play = next(c for c in history.changes if c.domain_id == "play")
    assert (play.before, play.after) == (100.0, pytest.approx(100 * (2 * 0.5 + 0) / 3))  # the pair against the visit before it
    assert history.recurring == ()  # play.outdoor failed at one observation only
