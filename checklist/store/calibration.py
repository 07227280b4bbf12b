"""Calibration pairs: who worked on a visit, pairing two visits, the pairs a reader may see,
and the visits a visitor must not see while a pair they work on is open."""

from __future__ import annotations

from typing import Iterable

from sqlite_utils import Database

from checklist.core.access import Scope
from checklist.core.calibration import Workers
from checklist.core.calibration import blind_visits
from checklist.store.base import Actor
from checklist.store.base import audit
from checklist.store.base import now
from checklist.store.connection import immediate

# Audit actions on a visit that mean someone worked on it (a coordinator's reopening does not).
_WORK = "l.entity = 'visit' and l.action != 'reopen' and l.user_id is not null"


class AlreadyPaired(ValueError):
    """One of the visits was paired meanwhile."""


def visit_workers(db: Database, visit_ids: Iterable[int]) -> dict[int, Workers]:
    """Per visit: the account that made it and every account that changed it (audit log)."""
    ids = sorted(set(visit_ids))
    if not ids:
        return {}
    creators: dict[int, int] = {}
    everyone: dict[int, set] = {i: set() for i in ids}
    marks = ", ".join("?" for _ in ids)
    for row in db.query(f"select l.entity_id, l.user_id, l.action from audit_log l where {_WORK} and l.entity_id in ({marks}) order by l.id", ids):
        everyone[row["entity_id"]].add(row["user_id"])
        if row["action"] == "create":
            creators.setdefault(row["entity_id"], row["user_id"])
    return {i: Workers(creator=creators.get(i), all=frozenset(everyone[i])) for i in ids}


def paired_visit_ids(db: Database, visit_ids: Iterable[int] | None = None) -> set[int]:
    """Which of these visits (default: all) are already in a pair."""
    rows = db.query("select visit_a, visit_b from calibration_pairs")
    out = {v for r in rows for v in (r["visit_a"], r["visit_b"])}
    return out if visit_ids is None else out & set(visit_ids)


def pairs_among(db: Database, visit_ids: Iterable[int]) -> list[tuple[int, int]]:
    """The calibration pairs both of whose visits are among `visit_ids` (visit_a, visit_b):
    among submitted visits, the complete pairs that count as one observation
    (`core.observations`)."""
    ids = sorted(set(visit_ids))
    if len(ids) < 2:
        return []
    marks = ", ".join("?" for _ in ids)
    rows = db.query(f"select visit_a, visit_b from calibration_pairs where visit_a in ({marks}) and visit_b in ({marks})", ids + ids)
    return [(r["visit_a"], r["visit_b"]) for r in rows]


def complete_partners(db: Database, visit_ids: Iterable[int], scope: Scope) -> dict[int, dict]:
    """For each of these visits that is in a complete pair (both submitted) whose other
    visit the scope may read: that other visit (id, visit_date, score, status), by visit id.
    What a page shows to label a visit as one of a pair."""
    ids = sorted(set(visit_ids))
    if not ids:
        return {}
    visible, params = scope.where("w")
    marks = ", ".join("?" for _ in ids)
    rows = db.query(
        f"""select p.id as pair_id, x.id as visit_id, w.id, w.visit_date, s.score, s.status
            from calibration_pairs p
            join visits x on x.id in (p.visit_a, p.visit_b)
            join visits w on w.id = case when p.visit_a = x.id then p.visit_b else p.visit_a end
            left join visit_scores s on s.visit_id = w.id
            where x.id in ({marks}) and x.status = 'submitted' and w.status = 'submitted' and {visible}""",
        ids + params,
    )
    return {r.pop("visit_id"): r for r in rows}


def create_pair(db: Database, visit_a: int, visit_b: int, location_id: int, organisation_id: int, actor: Actor | None = None) -> int:
    """Write a pair (the caller checked `core.calibration.pair_problems`); raises AlreadyPaired
    when either visit was paired meanwhile."""
    a, b = sorted((visit_a, visit_b))
    with immediate(db):
        if paired_visit_ids(db, (a, b)):
            raise AlreadyPaired(a, b)
        pair_id = db["calibration_pairs"].insert(
            {
                "visit_a": a,
                "visit_b": b,
                "location_id": location_id,
                "organisation_id": organisation_id,
                "created_by": actor.user_id if actor else None,
                "created_at": now(),
            }
        ).last_pk
        audit(db, actor, "create", "calibration_pair", pair_id, ["visit_a", "visit_b"])
    return pair_id


_PAIR_SELECT = """
    select p.*, l.name as location_name, l.type as location_type, u.display_name as paired_by,
           va.visit_date as date_a, va.status as status_a, va.visitors as visitors_a, va.criteria_hash,
           vb.visit_date as date_b, vb.status as status_b, vb.visitors as visitors_b,
           (va.status = 'submitted' and vb.status = 'submitted') as complete
    from calibration_pairs p
    join visits va on va.id = p.visit_a
    join visits vb on vb.id = p.visit_b
    join locations l on l.id = p.location_id
    left join users u on u.id = p.created_by
"""


def list_pairs(db: Database, scope: Scope, location_id: int | None = None) -> list[dict]:
    """Pairs both of whose visits the reader may see, newest first (optionally of one location)."""
    visible_a, params_a = scope.where("va")
    visible_b, params_b = scope.where("vb")
    where, params = [visible_a, visible_b], [*params_a, *params_b]
    if location_id is not None:
        where.append("p.location_id = ?")
        params.append(location_id)
    return list(db.query(_PAIR_SELECT + f" where {' and '.join(where)} order by max(va.visit_date, vb.visit_date) desc, p.id desc", params))


def get_pair(db: Database, pair_id: int, scope: Scope) -> dict | None:
    """A pair both of whose visits the reader may see, else None (callers answer 404)."""
    visible_a, params_a = scope.where("va")
    visible_b, params_b = scope.where("vb")
    rows = list(db.query(_PAIR_SELECT + f" where p.id = ? and {visible_a} and {visible_b}", [pair_id, *params_a, *params_b]))
    return rows[0] if rows else None


def visit_pair(db: Database, visit_id: int) -> dict | None:
    """The pair this visit is in, if any (whoever reads: the caller decides what to show)."""
    rows = list(db.query(_PAIR_SELECT + " where p.visit_a = ? or p.visit_b = ?", [visit_id, visit_id]))
    return rows[0] if rows else None


def blind_visit_ids(db: Database, user_id: int) -> frozenset:
    """The visits this user must not see now: the other half of each open pair they worked on.

    Runs for every request of a visitor that reads visits: one query over the (few) pairs
    whose visits are not both submitted, with the audit log read by its (entity, id) index.
    """
    rows = list(
        db.query(
            f"""select p.visit_a, p.visit_b,
                       exists(select 1 from audit_log l where {_WORK} and l.entity_id = p.visit_a and l.user_id = ?) as on_a,
                       exists(select 1 from audit_log l where {_WORK} and l.entity_id = p.visit_b and l.user_id = ?) as on_b
                from calibration_pairs p
                join visits va on va.id = p.visit_a
                join visits vb on vb.id = p.visit_b
                where va.status != 'submitted' or vb.status != 'submitted'""",
            [user_id, user_id],
        )
    )
    worked = {r["visit_a"] for r in rows if r["on_a"]} | {r["visit_b"] for r in rows if r["on_b"]}
    return blind_visits([(r["visit_a"], r["visit_b"]) for r in rows], worked)
