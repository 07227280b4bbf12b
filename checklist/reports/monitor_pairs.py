"""Calibration pairs in the monitor report: each pair added to the report's sums as one observation.

The aggregates of `store.reports` leave out the visits of every calibration pair whose two
visits are in the period (`paired`); here each such pair is scored by the one pair rule
(`core.observations.pair_score`, from both visits scored as their pages score them) and
added once: to the means per type (own scores, and on the shared criteria when versions
are mixed), the trends per type and per domain, and the results per criterion. A visit of
low coverage is left out of the means and trends as any other, so a pair of which one
visit is low counts there as its other visit alone; the results per criterion count both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable
from typing import Mapping

from sqlite_utils import Database

from checklist import store
from checklist.core.access import Scope
from checklist.core.comparable import rescore
from checklist.core.criteria import Criteria
from checklist.core.filters import Filters
from checklist.core.observations import pair_score
from checklist.core.scoring import VisitScore
from checklist.core.scoring import low_coverage
from checklist.reports.visit_data import load_visit


@dataclass(frozen=True)
class PairObservation:
    type: str
    visit_date: str  # the later visit's: the quarter the pair counts in
    criteria: Criteria
    score: VisitScore  # both visits by the pair rule: what the results per criterion count
    scored_score: VisitScore | None  # without a visit of low coverage: what the means count; None if both are low


def period_pair_observations(db: Database, scope: Scope, filters: Filters, min_coverage: float) -> list[PairObservation]:
    """Every calibration pair of the period as one observation."""
    out = []
    for pair in store.period_pairs(db, scope, filters):
        first, second = (load_visit(db, pair[key], scope) for key in ("visit_a", "visit_b"))
        both = pair_score(first.score, second.score, first.criteria)
        kept = [b for b in (first, second) if not low_coverage(b.score.scored, b.score.assessable, min_coverage)]
        scored = both if len(kept) == 2 else (kept[0].score if kept else None)
        date = max(first.visit["visit_date"], second.visit["visit_date"])
        out.append(PairObservation(first.location["type"], date, first.criteria, both, scored))
    return out


def quarter(iso_date: str) -> tuple[int, int]:
    return int(iso_date[:4]), (int(iso_date[5:7]) + 2) // 3


def _add(acc: dict, score: float | None, scored: int | None = None, assessable: int | None = None) -> None:
    """One observation into a row of sums (score_sum, scored_visits, and coverage when given)."""
    if score is not None:
        acc["score_sum"] = (acc.get("score_sum") or 0.0) + score
        acc["scored_visits"] = acc.get("scored_visits", 0) + 1
    if scored is not None:
        acc["scored"] = (acc.get("scored") or 0) + scored
        acc["assessable"] = (acc.get("assessable") or 0) + assessable
    acc["score"] = acc["score_sum"] / acc["scored_visits"] if acc.get("scored_visits") else None


def add_to_means(rows: list[dict], pairs: list[PairObservation], shared: Callable[[PairObservation], VisitScore] | None = None, coverage: bool = True) -> None:
    """Each pair into the means per type (`store.type_domain_means`, or with `shared`, the
    means on the shared criteria of `type_domain_means_on`)."""
    by_type = {row["type"]: row for row in rows}
    for pair in pairs:
        if pair.scored_score is None:
            continue
        score = shared(pair) if shared else pair.scored_score
        row = by_type.get(pair.type)
        if row is None:
            row = by_type[pair.type] = {"type": pair.type, "locations": 1, "visits": 0, "left_out": 0, "score_sum": 0.0, "scored_visits": 0, "domains": {}}
            rows.append(row)
        row["visits"] = row.get("visits", 0) + 1
        own = pair.scored_score
        _add(row, score.score, own.scored if coverage else None, own.assessable if coverage else None)
        for d in score.domains:
            counts = own.domain(d.domain_id) if coverage else None
            acc = row["domains"].setdefault(d.domain_id, {"score_sum": 0.0, "scored_visits": 0, "scored": 0, "assessable": 0})
            _add(acc, d.score, counts.scored if counts else None, counts.assessable if counts else None)


def shared_rescorer(keep: Callable[[str], bool]) -> Callable[[PairObservation], VisitScore]:
    return lambda pair: rescore(pair.scored_score, keep, pair.criteria)


def add_to_type_trends(rows: list[dict], pairs: list[PairObservation]) -> list[dict]:
    """Each pair into the mean overall score per type and quarter (`store.type_trends`)."""
    cells = {(r["type"], r["year"], r["quarter"]): r for r in rows}
    for pair in pairs:
        if pair.scored_score is None or pair.scored_score.score is None:
            continue
        key = (pair.type, *quarter(pair.visit_date))
        row = cells.get(key)
        if row is None:
            row = cells[key] = {"type": pair.type, "year": key[1], "quarter": key[2], "score_sum": 0.0, "visits": 0, "left_out": 0, "scored": 0, "assessable": 0}
        row["score_sum"] += pair.scored_score.score
        row["visits"] += 1
        row["scored"] = (row["scored"] or 0) + pair.scored_score.scored
        row["assessable"] = (row["assessable"] or 0) + pair.scored_score.assessable
    for row in cells.values():
        row["score"] = row["score_sum"] / row["visits"] if row["visits"] else None
    return sorted(cells.values(), key=lambda r: (r["year"], r["quarter"], r["type"]))


def add_to_domain_trends(rows: list[dict], pairs: list[PairObservation]) -> list[dict]:
    """Each pair into the mean score per domain and quarter (`store.domain_trends`)."""
    cells = {(r["domain_id"], r["year"], r["quarter"]): dict(r) for r in rows}
    for pair in pairs:
        if pair.scored_score is None:
            continue
        for d in pair.scored_score.domains:
            if d.score is None:
                continue
            key = (d.domain_id, *quarter(pair.visit_date))
            row = cells.setdefault(key, {"domain_id": key[0], "year": key[1], "quarter": key[2], "score_sum": 0.0, "visits": 0})
            row["score_sum"] += d.score
            row["visits"] += 1
    for row in cells.values():
        row["score"] = row["score_sum"] / row["visits"] if row["visits"] else None
    return sorted(cells.values(), key=lambda r: (r["year"], r["quarter"], r["domain_id"]))


def add_to_tallies(tallies: list[dict], pairs: list[PairObservation], rename: Mapping[str, str]) -> None:
    """Each pair's results into the counts per criterion (`store.criterion_tallies`): one
    result per criterion, the lower of the two visitors' (`pair_score`)."""
    by_id = {row["criterion_id"]: row for row in tallies}
    for pair in pairs:
        for line in (line for d in pair.score.domains for line in d.lines):
            if line.result not in ("meets", "partly", "fails"):
                continue
            criterion_id = rename.get(line.criterion_id, line.criterion_id)
            row = by_id.get(criterion_id)
            if row is None:  # every pair's visit is in the SQL's location counts; kept safe
                failed = int(line.result == "fails")
                row = by_id[criterion_id] = {"criterion_id": criterion_id, "meets": 0, "partly": 0, "fails": 0, "failed": 0, "assessed": 0, "red_flags": 0, "failed_locations": failed, "assessed_locations": 1}
                tallies.append(row)
            row[line.result] = (row[line.result] or 0) + 1
            row["assessed"] = (row["assessed"] or 0) + 1
            if line.result == "fails":
                row["failed"] = (row["failed"] or 0) + 1
                row["red_flags"] = (row["red_flags"] or 0) + int(line.critical)
    tallies.sort(key=lambda r: r["criterion_id"])
