"""A location's visits as observations (`core.observations`), gathered through the store.

The location page's trend table and chart, its "since the previous visit" and "failing
again and again" read a location's history here (the visit page's and PDF's previous
visit: `visit_data.previous_observation`), so a calibration pair is one observation on
each of them.
"""

from __future__ import annotations

from sqlite_utils import Database

from checklist import store
from checklist.core.access import Scope
from checklist.core.observations import Observation
from checklist.core.observations import group_pairs
from checklist.core.observations import observations
from checklist.core.observations import pair_score
from checklist.core.scoring import VisitScore
from checklist.reports.visit_data import VisitBundle
from checklist.reports.visit_data import load_visit


def score_row(score: VisitScore) -> dict:
    """A score in the shape of a stored trend row (`store.location_trend`)."""
    return {
        "score": score.score,
        "status": score.status,
        "red_flags": len(score.red_flags),
        "unassessed_flags": len(score.unassessed_flags),
        "scored": score.scored,
        "assessable": score.assessable,
        "domains": {
            d.domain_id: {
                "domain_id": d.domain_id,
                "score": d.score,
                "status": d.status,
                "scored": d.scored,
                "assessable": d.assessable,
                "red_flags": len(d.red_flags),
                "unassessed_flags": len(d.unassessed_flags),
            }
            for d in score.domains
        },
    }


def location_observations(db: Database, location_id: int, scope: Scope) -> list[dict]:
    """The location's submitted visits the scope may read, oldest first, as observations:
    each a trend row (score, status, flags, coverage, domains) with `visits`, the visits
    behind it ({visit_id, visit_date, score}), and `pair`, True for a calibration pair (its
    scores by the pair rule; each visit's own overall score stays in `visits`)."""
    trend = store.location_trend(db, location_id, scope)
    pairs = store.pairs_among(db, (v["visit_id"] for v in trend))
    out = []
    for group in group_pairs(trend, pairs, lambda v: v["visit_id"]):
        row = dict(group[-1])
        if len(group) == 2:
            first, second = (load_visit(db, v["visit_id"], scope) for v in group)
            row.update(score_row(pair_score(first.score, second.score, first.criteria)))
        row["pair"] = len(group) == 2
        row["visits"] = [{"visit_id": v["visit_id"], "visit_date": v["visit_date"], "score": v["score"], "domains": v["domains"]} for v in group]
        out.append(row)
    return out


def bundle_observations(db: Database, bundles: list[VisitBundle]) -> list[Observation]:
    """Scored visits (oldest first, as the location page reads them) as observations."""
    pairs = store.pairs_among(db, (b.visit["id"] for b in bundles if not b.is_draft))
    return observations(bundles, pairs, lambda b: b.criteria)
