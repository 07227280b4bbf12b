"""The mail outbox: mail is queued in the transaction that causes it (a submit, a send) and
sent later by `checklist.reports.mail.deliver_due`, so a mail server that is down loses
nothing and never holds up the request.

A sender first claims a mail for a short lease (in BEGIN IMMEDIATE), so two workers never
send the same one; a failure puts it back with a later `next_attempt_at` (backing off), and
after the configured number of attempts it stays in the table, unsent, with its last error.
"""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from datetime import timezone

from sqlite_utils import Database

from checklist.store.base import now
from checklist.store.connection import immediate

LEASE_SECONDS = 120  # a sender killed mid-send frees its claim after this


def queue_mail(db: Database, recipient: str, subject: str, body: str, kind: str) -> int:
    """Queue one mail (call inside the transaction of what causes it)."""
    stamp = now()
    return db["mail_outbox"].insert(
        {"created_at": stamp, "recipient": recipient, "subject": subject, "body": body, "kind": kind, "attempts": 0, "next_attempt_at": stamp}
    ).last_pk


def claim_due(db: Database, max_attempts: int, limit: int = 50) -> list[dict]:
    """Mails due for a (next) attempt, claimed for this sender for LEASE_SECONDS."""
    moment = datetime.now(timezone.utc)
    stamp = moment.isoformat(timespec="seconds")
    with immediate(db):
        rows = list(
            db.query(
                """select * from mail_outbox where sent_at is null and attempts < ? and next_attempt_at <= ?
                   and (claimed_until is null or claimed_until < ?) order by id limit ?""",
                [max_attempts, stamp, stamp, limit],
            )
        )
        lease = (moment + timedelta(seconds=LEASE_SECONDS)).isoformat(timespec="seconds")
        for row in rows:
            db.execute("update mail_outbox set claimed_until = ? where id = ?", [lease, row["id"]])
    return rows


def mark_sent(db: Database, mail_id: int) -> None:
    db.execute("update mail_outbox set sent_at = ?, attempts = attempts + 1, claimed_until = null, last_error = null where id = ?", [now(), mail_id])


def mark_failed(db: Database, mail_id: int, error: str, retry_in_seconds: int) -> None:
    later = (datetime.now(timezone.utc) + timedelta(seconds=retry_in_seconds)).isoformat(timespec="seconds")
    db.execute(
        "update mail_outbox set attempts = attempts + 1, next_attempt_at = ?, claimed_until = null, last_error = ? where id = ?",
        [later, error[:500], mail_id],
    )


def outbox_counts(db: Database, max_attempts: int) -> dict:
    """How many mails are sent, waiting, and given up."""
    row = list(
        db.query(
            """select sum(sent_at is not null) as sent, sum(sent_at is null and attempts < ?) as waiting,
                      sum(sent_at is null and attempts >= ?) as given_up from mail_outbox""",
            [max_attempts, max_attempts],
        )
    )[0]
    return {k: v or 0 for k, v in row.items()}
