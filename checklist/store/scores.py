"""Stored scores of submitted visits: written at submission, removed at reopening."""

from __future__ import annotations

from sqlite_utils import Database

from checklist.core.scoring import VisitScore

__all__ = ["write_scores", "delete_scores", "visits_without_scores"]


def write_scores(db: Database, visit_id: int, score: VisitScore) -> None:
    """Replace a visit's stored scores; call inside the transaction that submits it."""
    delete_scores(db, visit_id)
    db["visit_scores"].insert(
        {
            "visit_id": visit_id,
            "score": score.score,
            "status": score.status,
            "scored": score.scored,
            "assessable": score.assessable,
            "red_flags": len(score.red_flags),
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
        }
        for d in score.domains
    )


def delete_scores(db: Database, visit_id: int) -> None:
    db.execute("delete from visit_domain_scores where visit_id = ?", [visit_id])
    db.execute("delete from visit_scores where visit_id = ?", [visit_id])


def visits_without_scores(db: Database) -> list[int]:
    return [
        r["id"]
        for r in db.query(
            "select v.id from visits v left join visit_scores s on s.visit_id = v.id where v.status = 'submitted' and s.visit_id is null order by v.id"
        )
    ]
