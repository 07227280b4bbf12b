"""Follow-up actions: recorded from a criterion a visit found not or partly met, checked later.

An action belongs to the visit it came from, and through it to a location and an
organisation; who may read it follows who may read that visit (`Scope` on the visit).
Its status is 'open' until someone marks it done, not done or cancelled, optionally at a
later visit (`closed_in_visit_id`); setting it back to 'open' undoes that. Every write
is audited with ids and field names only, never the text of the action.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from typing import Mapping

from sqlite_utils import Database

from checklist.core.access import Scope
from checklist.store.connection import immediate
from checklist.store.base import Actor
from checklist.store.base import audit
from checklist.store.base import now
from checklist.store.selection import location_conditions


ACTION_STATUSES = ("open", "done", "not_done", "cancelled")
ACTION_CLOSED_STATUSES = ("done", "not_done", "cancelled")
ACTIONABLE_RESULTS = ("partly", "fails")  # a rating partly/fails, a "no", a count in those bands
# Who usually has to act, outside the app; the field is free text, these are suggestions.
ACTION_OWNER_SUGGESTIONS = ("COA-locatiemanager", "Gemeente", "School", "GGD", "Nidos", "Jeugdzorg")


class NotActionable(ValueError):
    """The criterion is met (or not answered) in that visit: there is nothing to follow up."""


def _select(scope: Scope) -> tuple[str, list]:
    """Actions with their location, origin visit and organisation; the checking visit's date
    only where the reader may see that visit (a monitor never learns a draft's date)."""
    visible, params = scope.where("cv")
    sql = f"""
        select a.*, l.name as location_name, l.type as location_type, l.municipality, l.province,
               v.visit_date, v.criteria_hash, o.name as organisation, cv.visit_date as closed_in_visit_date
        from actions a
        join visits v on v.id = a.visit_id
        join locations l on l.id = a.location_id
        join organisations o on o.id = a.organisation_id
        left join visits cv on cv.id = a.closed_in_visit_id and {visible}
    """
    return sql, params


# The action came from a visit before this one (by date, then id): parameters date, date, id.
_EARLIER = "(v.visit_date < ? or (v.visit_date = ? and v.id < ?))"


def _open(scope: Scope) -> tuple[str, list]:
    """The SQL condition "this action is open to this reader", and its parameters. An action
    checked at a visit hidden from the reader (the other half of their open blind calibration
    pair) is still open to them, so neither visitor learns the other's judgement before both
    have submitted (issue 23 §3)."""
    hidden = sorted(scope.hidden)
    if not hidden:
        return "a.status = 'open'", []
    return f"(a.status = 'open' or a.closed_in_visit_id in ({', '.join('?' for _ in hidden)}))", hidden


def _query(
    db: Database, scope: Scope, where: list[str], params: list, order: str = "a.due_on, a.id", reader: Scope | None = None
) -> list[dict]:
    """Actions of visits `scope` allows; the checking visit's date as `reader` (default: scope)
    may see it. A condition on the status is `_open`'s, and an action checked at a visit
    hidden from the reader comes back as open, with no trace of that check."""
    hidden = (reader or scope).hidden
    select, select_params = _select(reader or scope)
    visible, visible_params = scope.where("v")
    sql = f"{select} where {' and '.join([*where, visible])} order by {order}"
    rows = list(db.query(sql, [*select_params, *params, *visible_params]))
    for row in rows:
        if row["closed_in_visit_id"] in hidden:
            row.update(status="open", closed_at=None, closed_in_visit_id=None, closed_in_visit_date=None)
    return rows


# -- writes ---------------------------------------------------------------------------


def create_action(
    db: Database,
    visit_id: int,
    criterion_id: str,
    result: str | None,
    what: str,
    owner: str,
    due_on: str,
    actor: Actor | None = None,
) -> int:
    """Record an action from a criterion whose result in that visit is `result`.

    `result` is the scoring module's resolved result (meets/partly/fails/...): only a
    criterion that is partly met or not met gets an action."""
    if result not in ACTIONABLE_RESULTS:
        raise NotActionable(criterion_id)
    stamp = now()
    with immediate(db):
        visit = db["visits"].get(visit_id)
        action_id = db["actions"].insert(
            {
                "location_id": visit["location_id"],
                "visit_id": visit_id,
                "criterion_id": criterion_id,
                "what": what.strip(),
                "owner": owner.strip(),
                "due_on": due_on,
                "status": "open",
                "organisation_id": visit["organisation_id"],
                "created_by": actor.user_id if actor else None,
                "created_at": stamp,
                "updated_at": stamp,
            }
        ).last_pk
        audit(db, actor, "create", "action", action_id, ["visit_id", "criterion_id", "what", "owner", "due_on", "status"])
    return action_id


def set_action_status(
    db: Database, action_id: int, status: str, checked_in_visit_id: int | None = None, actor: Actor | None = None
) -> bool:
    """Mark an action done / not done / cancelled (at a visit, or not), or open again.

    Returns False when nothing changed (the same button pressed twice)."""
    if status not in ACTION_STATUSES:
        raise ValueError(status)
    closed_in = checked_in_visit_id if status in ACTION_CLOSED_STATUSES else None
    with immediate(db):
        before = db["actions"].get(action_id)
        if before["status"] == status and before["closed_in_visit_id"] == closed_in:
            return False
        stamp = now()
        closed_at = (before["closed_at"] if before["status"] == status else stamp) if status in ACTION_CLOSED_STATUSES else None
        row = {"status": status, "closed_at": closed_at, "closed_in_visit_id": closed_in}
        db.execute(
            "update actions set status = ?, closed_at = ?, closed_in_visit_id = ?, updated_at = ? where id = ?",
            [status, closed_at, closed_in, stamp, action_id],
        )
        audit(db, actor, "status", "action", action_id, [k for k, v in row.items() if before[k] != v])
    return True


# -- reads ----------------------------------------------------------------------------


def get_action(db: Database, action_id: int, scope: Scope) -> dict | None:
    """An action whose visit the scope allows, else None (callers answer 404)."""
    rows = _query(db, scope, ["a.id = ?"], [action_id])
    return rows[0] if rows else None


def location_open_actions(db: Database, location_id: int, scope: Scope) -> list[dict]:
    """A location's open actions that the reader may see, soonest due first."""
    is_open, open_params = _open(scope)
    return _query(db, scope, ["a.location_id = ?", is_open], [location_id, *open_params])


def visit_actions(db: Database, visit_id: int, scope: Scope) -> list[dict]:
    """Actions recorded at a visit, in the order they were recorded."""
    return _query(db, scope, ["a.visit_id = ?"], [visit_id], order="a.id")


def checklist_actions(db: Database, visit: Mapping[str, Any], scope: Scope) -> dict[str, list[dict]]:
    """Per criterion id, what a visit's checklist shows beside the criterion: the location's
    open actions from earlier visits, and the ones already checked at this visit."""
    is_open, open_params = _open(scope)
    rows = _query(
        db,
        scope,
        ["a.location_id = ?", _EARLIER, f"({is_open} or a.closed_in_visit_id = ?)"],
        [visit["location_id"], visit["visit_date"], visit["visit_date"], visit["id"], *open_params, visit["id"]],
    )
    out: dict[str, list[dict]] = {}
    for row in rows:
        out.setdefault(row["criterion_id"], []).append(row)
    return out


def report_actions(db: Database, visit: Mapping[str, Any], reader: Scope) -> tuple[list[dict], list[dict]]:
    """For a visit's report: the actions recorded at it, and the earlier actions of its
    organisation at this location that were checked at it or are still open.

    Only the visit's own organisation's actions, whoever reads the report; the date of a
    later visit where one was checked only if the reader may see that visit."""
    own = Scope(organisation_id=visit["organisation_id"], hidden=reader.hidden)  # nor from a blind calibration pair's other half
    recorded = _query(db, own, ["a.visit_id = ?"], [visit["id"]], order="a.id", reader=reader)
    is_open, open_params = _open(reader)
    earlier = _query(
        db,
        own,
        ["a.location_id = ?", _EARLIER, f"({is_open} or a.closed_in_visit_id = ?)"],
        [visit["location_id"], visit["visit_date"], visit["visit_date"], visit["id"], *open_params, visit["id"]],
        reader=reader,
    )
    return recorded, earlier


def overdue_actions(db: Database, scope: Scope, today: date | str, filters=None) -> list[dict]:
    """Open actions due before `today` that the reader may see, most overdue first.

    `filters` is an optional `checklist.core.filters.Filters` (organisation, location types,
    province, operator, open/closed locations); its period (since/until) is about visits
    and is not applied here. Each row has: id, location_id, location_name, location_type,
    municipality, province, criterion_id, criteria_hash (of the visit it came from), what,
    owner, due_on, days_overdue, status, visit_id, visit_date, organisation_id, organisation.
    """
    today = today.isoformat() if isinstance(today, date) else str(today)
    is_open, open_params = _open(scope)
    where, params = [is_open, "a.due_on < ?"], [*open_params, today]
    if scope.organisation_id is not None:  # the same as the visit scope says, but over the (organisation, status, due) index
        where.append("a.organisation_id = ?")
        params.append(scope.organisation_id)
    if filters is not None:
        if filters.organisation_ids:
            where.append(f"a.organisation_id in ({', '.join('?' for _ in filters.organisation_ids)})")
            params += list(filters.organisation_ids)
        location_where, location_params = location_conditions(filters)
        where += location_where
        params += location_params
    rows = _query(db, scope, where, params, order="a.due_on, l.name, a.id")
    start = date.fromisoformat(today[:10])
    for row in rows:
        try:
            row["days_overdue"] = (start - date.fromisoformat(row["due_on"])).days
        except ValueError:
            row["days_overdue"] = None
    return rows
