"""A location's history, table-driven over scored visits (pure, no app)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from checklist.core.history import location_history
from checklist.core.scoring import AnswerValue
from checklist.core.scoring import score_visit
from tests.conftest import CRITERIA


@dataclass
class Visit:
    visit: dict
    score: object


def visits(*answer_sets):
    return [Visit({"visit_date": f"2026-0{i + 1}-01"}, score_visit(CRITERIA, "azc", {k: AnswerValue(v) for k, v in a.items()})) for i, a in enumerate(answer_sets)]


GOOD = {"play.space": "meets", "play.outdoor": "yes", "safety.fire": "yes"}
BAD = {"play.space": "fails", "play.outdoor": "no", "safety.fire": "no"}


@pytest.mark.parametrize(
    "sets, recurring, new_flags, play_direction",
    [
        ([], [], [], None),
        ([GOOD], [], [], None),
        ([GOOD, BAD], [], ["safety.fire"], "worsened"),
        ([BAD, BAD], [("play.outdoor", 2), ("play.space", 2), ("safety.fire", 2)], [], "same"),
        ([BAD, BAD, BAD], [("play.outdoor", 3), ("play.space", 3), ("safety.fire", 3)], [], "same"),
        ([BAD, GOOD, BAD], [], ["safety.fire"], "worsened"),
        ([BAD, {**BAD, "play.space": "partly"}], [("play.outdoor", 2), ("safety.fire", 2)], [], "improved"),
    ],
)
def test_location_history(sets, recurring, new_flags, play_direction):
    history = location_history(visits(*sets))
    assert [(r.criterion_id, r.visits_in_a_row) for r in history.recurring] == recurring
    assert list(history.new_red_flags) == new_flags
    play = next((c for c in history.changes if c.domain_id == "play"), None)
    assert (play.direction if play else None) == play_direction
