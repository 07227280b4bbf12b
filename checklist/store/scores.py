"""Stored scores of submitted visits: written at submission, removed at reopening.

`answer_results` holds each answered criterion's result and points from the same
`VisitScore` (its lines), so the aggregates count what the visit page shows.
"""

from __future__ import annotations

from sqlite_utils import Database

from checklist.core.evidence import tally
from checklist.core.scoring import VisitScore



def write_scores(db: Database, visit_id: int, score: VisitScore, answers: dict[str, dict]) -> None:
    """Replace a visit's stored scores and evidence tally; call inside the transaction that
    submits it. `answers`: the visit's answer rows by criterion id; the tally counts those
    with a result, as `answer_results` does."""
    delete_scores(db, visit_id)
    with_result = {line.criterion_id for d in score.domains for line in d.lines if line.result is not None}
    db["visit_evidence"].insert({"visit_id": visit_id, **tally(a for cid, a in answers.items() if cid in with_result)})
    db["visit_scores"].insert(
        {
            "visit_id": visit_id,
            "score": score.score,
            "status": score.status,
            "scored": score.scored,
            "assessable": score.assessable,
            "red_flags": len(score.red_flags),
            "unassessed_flags": len(score.unassessed_flags),
        }
    )
    db["visit_domain_scores"].insert_all(
        {
            "visit_id": visit_id,
            "domain_id": d.domain_id,
            "score": d.score,
            "status": d.status,
            "scored": d.scored,
            "assessable": d.assessable,
            "red_flags": len(d.red_flags),
            "unassessed_flags": len(d.unassessed_flags),
        }
        for d in score.domains
    )
    db["answer_results"].insert_all(
        {
            "visit_id": visit_id,
            "criterion_id": line.criterion_id,
            "domain_id": d.domain_id,
            "result": line.result,
            "points": line.points,
            "weight": line.weight,
            "critical": int(line.critical),
        }
        for d in score.domains
        for line in d.lines
        if line.result is not None  # unanswered: no answer, no result
    )


def delete_scores(db: Database, visit_id: int) -> None:
    db.execute("delete from visit_evidence where visit_id = ?", [visit_id])
    db.execute("delete from answer_results where visit_id = ?", [visit_id])
    db.execute("delete from visit_domain_scores where visit_id = ?", [visit_id])
    db.execute("delete from visit_scores where visit_id = ?", [visit_id])


def visits_without_scores(db: Database) -> list[int]:
    return [
        r["id"]
        for r in db.query(
            "select v.id from visits v left join visit_scores s on s.visit_id = v.id where v.status = 'submitted' and s.visit_id is null order by v.id"
        )
    ]


def answer_results(db: Database, visit_id: int) -> dict[str, dict]:
    """A visit's stored results by criterion id: domain_id, result, points, weight, critical."""
    return {
        r.pop("criterion_id"): r
        for r in db.query(
            "select criterion_id, domain_id, result, points, weight, critical from answer_results where visit_id = ?", [visit_id]
        )
    }
