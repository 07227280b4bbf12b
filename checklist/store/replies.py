"""Operators, the findings sent to them, their replies, re-checks and escalations.

An operator account runs some locations (`operator_locations`) and reads, of all the data,
only what these functions give it: the findings sent for its locations (while their visit
is submitted; a reopened visit is a draft again and hidden), and the escalations of its
locations. What was sent is a copy (`findings`), so neither a reply nor a later correction
of the visit changes what the operator answered to. Every write is audited with ids and
field names, never the text.
"""

from __future__ import annotations

from typing import Iterable
from typing import Mapping

from sqlite_utils import Database

from checklist.core.access import Scope
from checklist.core.replies import FINDING_RESULTS
from checklist.store.base import Actor
from checklist.store.base import audit
from checklist.store.base import now
from checklist.store.connection import immediate


class NothingToSend(Exception):
    """The visit found no criterion not or partly met, or is not submitted."""


class AlreadySent(Exception):
    """The visit's findings were sent before (once per visit)."""


# -- operator organisations and accounts ------------------------------------------------


def operator_organisations(db: Database) -> list[dict]:
    return list(db.query("select * from organisations where kind = 'operator' order by name"))


def operator_organisation(db: Database, name: str, actor: Actor | None = None) -> int | None:
    """The operator organisation of this name, made if it does not exist; None when the name
    is a visiting organisation's (an operator account never joins one)."""
    name = " ".join(name.split())
    with immediate(db):
        rows = list(db.query("select id, kind from organisations where lower(name) = lower(?)", [name]))
        if rows:
            return rows[0]["id"] if rows[0]["kind"] == "operator" else None
        org_id = db["organisations"].insert({"name": name, "created_at": now(), "kind": "operator"}).last_pk
        audit(db, actor, "create", "organisation", org_id, ["name", "kind"])
    return org_id


def create_operator(
    db: Database, email: str, display_name: str, organisation_id: int, password_hash: str, location_ids: Iterable[int], invited_by: int, actor: Actor | None = None
) -> int:
    """An operator account that must set up a second factor at its first sign-in."""
    stamp = now()
    with immediate(db):
        user_id = db["users"].insert(
            {
                "email": email.strip().lower(),
                "display_name": display_name.strip(),
                "organisation_id": organisation_id,
                "role": "operator",
                "active": 1,
                "password_hash": password_hash,
                "totp_must_enrol": 1,
                "invited_by": invited_by,
                "created_at": stamp,
                "updated_at": stamp,
            }
        ).last_pk
        _write_locations(db, user_id, location_ids)
        audit(db, actor, "invite", "user", user_id, ["email", "display_name", "organisation_id", "role", "password", "locations"])
    return user_id


def _write_locations(db: Database, user_id: int, location_ids: Iterable[int]) -> None:
    db.execute("delete from operator_locations where user_id = ?", [user_id])
    db["operator_locations"].insert_all({"user_id": user_id, "location_id": i, "created_at": now()} for i in sorted(set(location_ids)))


def update_operator(db: Database, user_id: int, location_ids: Iterable[int], active: bool, actor: Actor | None = None) -> None:
    """Change the locations an operator account runs, or (de)activate it; deactivating or
    taking a location away ends its sessions."""
    with immediate(db):
        before = set(operator_location_ids(db, user_id))
        after = set(location_ids)
        user = db["users"].get(user_id)
        _write_locations(db, user_id, after)
        db["users"].update(user_id, {"active": int(active), "updated_at": now()})
        if not active or before - after:
            db.execute("delete from sessions where user_id = ?", [user_id])
        changed = (["locations"] if before != after else []) + (["active"] if bool(user["active"]) != active else [])
        audit(db, actor, "update", "user", user_id, changed)


def operator_location_ids(db: Database, user_id: int) -> list[int]:
    return [r["location_id"] for r in db.query("select location_id from operator_locations where user_id = ? order by location_id", [user_id])]


def operator_accounts(db: Database) -> list[dict]:
    """Every operator account with its organisation, who invited it and its locations."""
    users = list(
        db.query(
            """select u.id, u.email, u.display_name, u.active, u.invited_by, u.totp_secret is not null as enrolled,
                      o.name as organisation, i.name as invited_by_name
               from users u join organisations o on o.id = u.organisation_id left join organisations i on i.id = u.invited_by
               where u.role = 'operator' order by o.name, u.email"""
        )
    )
    places: dict[int, list[dict]] = {}
    for row in db.query("select ol.user_id, l.id, l.name from operator_locations ol join locations l on l.id = ol.location_id order by l.name"):
        places.setdefault(row["user_id"], []).append({"id": row["id"], "name": row["name"]})
    return [dict(u, locations=places.get(u["id"], [])) for u in users]


def location_operator_emails(db: Database, location_id: int) -> list[str]:
    """Active operator accounts that run this location."""
    sql = """select u.email from operator_locations ol join users u on u.id = ol.user_id
             where ol.location_id = ? and u.active = 1 and u.role = 'operator' order by u.email"""
    return [r["email"] for r in db.query(sql, [location_id])]


def coordinator_emails(db: Database, organisation_id: int) -> list[str]:
    sql = "select email from users where organisation_id = ? and role = 'coordinator' and active = 1 order by email"
    return [r["email"] for r in db.query(sql, [organisation_id])]


# -- sending findings ----------------------------------------------------------------------


def send_findings(db: Database, visit_id: int, reply_due: str, actor: Actor | None = None) -> int:
    """Put a submitted visit's findings (criteria not or partly met, with their notes as they
    are now) to the location's operator, to answer by `reply_due` (an ISO date)."""
    with immediate(db):
        visit = db["visits"].get(visit_id)
        if visit["status"] != "submitted":
            raise NothingToSend(visit_id)
        if list(db.query("select id from finding_sends where visit_id = ?", [visit_id])):
            raise AlreadySent(visit_id)
        marks = ", ".join("?" for _ in FINDING_RESULTS)
        rows = list(
            db.query(
                f"""select r.criterion_id, r.domain_id, r.result, a.note from answer_results r
                    left join answers a on a.visit_id = r.visit_id and a.criterion_id = r.criterion_id
                    where r.visit_id = ? and r.result in ({marks})""",
                [visit_id, *FINDING_RESULTS],
            )
        )
        if not rows:
            raise NothingToSend(visit_id)
        stamp = now()
        send_id = db["finding_sends"].insert(
            {
                "visit_id": visit_id,
                "location_id": visit["location_id"],
                "organisation_id": visit["organisation_id"],
                "sent_at": stamp,
                "sent_by": actor.user_id if actor else None,
                "reply_due": reply_due,
            }
        ).last_pk
        db["findings"].insert_all(
            {"send_id": send_id, "visit_id": visit_id, "location_id": visit["location_id"], "reply_due": reply_due, **row} for row in rows
        )
        audit(db, actor, "send_findings", "visit", visit_id, ["reply_due"])
    return send_id


_SEND_SELECT = """
    select s.*, v.visit_date, v.status as visit_status, v.criteria_hash, l.name as location_name, l.type as location_type,
           o.name as organisation,
           (select count(*) from findings f where f.send_id = s.id) as findings,
           (select count(distinct r.finding_id) from finding_replies r join findings f on f.id = r.finding_id where f.send_id = s.id) as replied
    from finding_sends s
    join visits v on v.id = s.visit_id
    join locations l on l.id = s.location_id
    join organisations o on o.id = s.organisation_id
"""


def get_send(db: Database, send_id: int) -> dict | None:
    rows = list(db.query(_SEND_SELECT + " where s.id = ?", [send_id]))
    return rows[0] if rows else None


def visit_send(db: Database, visit_id: int) -> dict | None:
    rows = list(db.query(_SEND_SELECT + " where s.visit_id = ?", [visit_id]))
    return rows[0] if rows else None


def operator_sends(db: Database, user_id: int) -> list[dict]:
    """The sends an operator reads: for its locations, while the visit is submitted."""
    sql = _SEND_SELECT + """ where v.status = 'submitted'
        and s.location_id in (select location_id from operator_locations where user_id = ?) order by s.sent_at desc"""
    return list(db.query(sql, [user_id]))


def organisation_sends(db: Database, organisation_id: int) -> list[dict]:
    return list(db.query(_SEND_SELECT + " where s.organisation_id = ? order by s.sent_at desc", [organisation_id]))


def may_read_send(db: Database, send: Mapping, user: Mapping) -> bool:
    """An operator: a send for one of its locations whose visit is submitted. A coordinator: a
    send of their organisation. Nobody else."""
    if user["role"] == "operator":
        return send["visit_status"] == "submitted" and send["location_id"] in operator_location_ids(db, user["id"])
    return user["role"] == "coordinator" and send["organisation_id"] == user["organisation_id"]


def _findings(db: Database, where: str, params: list) -> list[dict]:
    """Findings with their replies (oldest round first) and re-checks, as dicts."""
    rows = list(
        db.query(
            f"""select f.*, s.sent_at, s.organisation_id as sent_by_organisation_id, v.visit_date, v.criteria_hash, l.name as location_name
                from findings f join finding_sends s on s.id = f.send_id join visits v on v.id = f.visit_id join locations l on l.id = f.location_id
                where {where} order by f.id""",
            params,
        )
    )
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    marks = ", ".join("?" for _ in ids)
    replies: dict[int, list] = {}
    for r in db.query(
        f"""select r.*, o.name as organisation from finding_replies r join organisations o on o.id = r.organisation_id
            where r.finding_id in ({marks}) order by r.round""",
        ids,
    ):
        replies.setdefault(r["finding_id"], []).append(r)
    rechecks: dict[int, list] = {}
    for r in db.query(f"select * from finding_rechecks where finding_id in ({marks}) order by visit_date, visit_id", ids):
        rechecks.setdefault(r["finding_id"], []).append(r)
    return [dict(r, replies=replies.get(r["id"], []), rechecks=rechecks.get(r["id"], [])) for r in rows]


def send_findings_rows(db: Database, send_id: int) -> list[dict]:
    return _findings(db, "f.send_id = ?", [send_id])


def visit_findings(db: Database, visit_id: int) -> dict[str, dict]:
    """criterion id -> the finding sent for it from this visit (with replies), if any."""
    return {f["criterion_id"]: f for f in _findings(db, "f.visit_id = ?", [visit_id])}


def location_findings(db: Database, location_id: int, scope: Scope) -> list[dict]:
    """Every finding sent from the location's visits that `scope` may read."""
    visible, params = scope.where("v")
    return _findings(db, f"f.location_id = ? and {visible}", [location_id, *params])


def organisation_findings(db: Database, organisation_id: int) -> list[dict]:
    return _findings(db, "s.organisation_id = ?", [organisation_id])


def operator_findings(db: Database, user_id: int) -> list[dict]:
    return _findings(db, "v.status = 'submitted' and f.location_id in (select location_id from operator_locations where user_id = ?)", [user_id])


def add_replies(db: Database, send_id: int, replies: Mapping[int, Mapping], allowed_round, user: Mapping) -> int:
    """Store the operator's replies (finding id -> stance, text, change, plan_date). Each is
    stored only if `allowed_round(finding)` (the rule in `core.replies.may_reply`, judged inside
    this transaction) gives the round it answers. Returns how many were stored."""
    stored = 0
    with immediate(db):
        findings = {f["id"]: f for f in send_findings_rows(db, send_id)}
        for finding_id, reply in replies.items():
            finding = findings.get(finding_id)
            round_ = allowed_round(finding) if finding else None
            if round_ is None:
                continue
            db["finding_replies"].insert(
                {
                    "finding_id": finding_id,
                    "round": round_,
                    "stance": reply["stance"],
                    "text": reply["text"].strip(),
                    "change": ((reply.get("change") or "").strip() or None) if reply["stance"] == "agree" else None,
                    "plan_date": reply.get("plan_date") if reply["stance"] == "agree" else None,
                    "replied_at": now(),
                    "user_id": user["id"],
                    "organisation_id": user["organisation_id"],
                }
            )
            stored += 1
        if stored:
            audit(db, Actor(user["id"], user["organisation_id"]), "reply", "finding_send", send_id, ["stance", "text", "change", "plan_date"])
    return stored


def review_finding(db: Database, finding_id: int, review: str, text: str, reply_due: str | None, actor: Actor | None = None) -> None:
    """A coordinator accepts the plan, or asks once more (with what to answer, by `reply_due`)."""
    with immediate(db):
        row = {"review": review, "review_text": text.strip() or None, "reviewed_at": now(), "reviewed_by": actor.user_id if actor else None}
        if review == "asked_again" and reply_due:
            row["reply_due"] = reply_due
        db["findings"].update(finding_id, row)
        audit(db, actor, "review", "finding", finding_id, list(row))


def get_finding(db: Database, finding_id: int) -> dict | None:
    rows = _findings(db, "f.id = ?", [finding_id])
    return rows[0] if rows else None


# -- re-checks --------------------------------------------------------------------------------


def open_findings_before(db: Database, visit: Mapping) -> list[dict]:
    """The location's findings not yet closed, sent from visits before this one (by date, id)."""
    return list(
        db.query(
            """select f.id, f.criterion_id from findings f join visits v on v.id = f.visit_id
               where f.location_id = ? and f.visit_id != ? and (v.visit_date < ? or (v.visit_date = ? and v.id < ?))
               and not exists (select 1 from finding_rechecks c where c.finding_id = f.id and c.result = 'meets')""",
            [visit["location_id"], visit["id"], visit["visit_date"], visit["visit_date"], visit["id"]],
        )
    )


def record_rechecks(db: Database, visit: Mapping, results: Mapping[int, str]) -> None:
    """What this visit answered for earlier findings (call inside the submit's transaction)."""
    db["finding_rechecks"].upsert_all(
        ({"finding_id": fid, "visit_id": visit["id"], "visit_date": visit["visit_date"], "result": result} for fid, result in results.items()),
        pk=("finding_id", "visit_id"),
    )


def undo_rechecks(db: Database, visit_id: int) -> None:
    """A reopened visit is a draft again: what it found at re-check no longer counts."""
    db.execute("delete from finding_rechecks where visit_id = ?", [visit_id])


# -- escalations ------------------------------------------------------------------------------


def start_escalations(db: Database, visit: Mapping, criterion_ids: Iterable[str], due_at: str) -> list[int]:
    """An escalation per life-safety criterion failed at this visit (call inside the submit's
    transaction); one already started for the visit and criterion (a resubmission) stays."""
    started = []
    for cid in criterion_ids:
        if list(db.query("select id from escalations where visit_id = ? and criterion_id = ?", [visit["id"], cid])):
            continue
        started.append(
            db["escalations"].insert(
                {
                    "visit_id": visit["id"],
                    "location_id": visit["location_id"],
                    "organisation_id": visit["organisation_id"],
                    "criterion_id": cid,
                    "started_at": now(),
                    "due_at": due_at,
                }
            ).last_pk
        )
    return started


_ESCALATION_SELECT = """
    select e.*, v.visit_date, v.criteria_hash, l.name as location_name, o.name as organisation, a.note,
           ao.name as answered_organisation
    from escalations e
    join visits v on v.id = e.visit_id
    join locations l on l.id = e.location_id
    join organisations o on o.id = e.organisation_id
    left join answers a on a.visit_id = e.visit_id and a.criterion_id = e.criterion_id
    left join organisations ao on ao.id = e.answered_organisation_id
"""


def operator_escalations(db: Database, user_id: int, open_only: bool = True) -> list[dict]:
    sql = _ESCALATION_SELECT + " where e.location_id in (select location_id from operator_locations where user_id = ?)"
    return list(db.query(sql + (" and e.answered_at is null" if open_only else "") + " order by e.due_at", [user_id]))


def organisation_escalations(db: Database, organisation_id: int, open_only: bool = True) -> list[dict]:
    sql = _ESCALATION_SELECT + " where e.organisation_id = ?"
    return list(db.query(sql + (" and e.answered_at is null" if open_only else "") + " order by e.answered_at is not null, e.due_at", [organisation_id]))


def get_escalation(db: Database, escalation_id: int) -> dict | None:
    rows = list(db.query(_ESCALATION_SELECT + " where e.id = ?", [escalation_id]))
    return rows[0] if rows else None


def answer_escalation(db: Database, escalation_id: int, text: str, user: Mapping) -> bool:
    """The operator says what was done; False when it was answered already."""
    with immediate(db):
        changed = db.execute(
            "update escalations set answer = ?, answered_at = ?, answered_by = ?, answered_organisation_id = ? where id = ? and answered_at is null",
            [text.strip(), now(), user["id"], user["organisation_id"], escalation_id],
        ).rowcount
        if changed:
            audit(db, Actor(user["id"], user["organisation_id"]), "answer", "escalation", escalation_id, ["answer"])
    return bool(changed)


def report_findings(db: Database, scope: Scope, filters) -> list[dict]:
    """The findings sent from the submitted visits a monitor report covers (`filters`, a
    `core.filters.Filters`), with their replies and re-checks."""
    from checklist.store.selection import location_conditions
    from checklist.store.selection import visit_conditions

    visit_where, visit_params = visit_conditions(scope, filters)
    location_where, location_params = location_conditions(filters)
    return _findings(db, " and ".join(visit_where + location_where), visit_params + location_params)
