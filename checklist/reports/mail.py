"""Mail: the texts of what the app tells people by e-mail, and their delivery from the outbox.

Every mail is bilingual, Dutch first then English (an account has no language of its own),
and names no person and no note: the location, the visit's date and organisation, the
criterion, the deadline and the page to open. Messages are built with the standard
library's `email.message.EmailMessage` and sent with `smtplib` (STARTTLS, implicit TLS or
plain, with credentials when configured); with no SMTP host configured they are written as
`.eml` files to a folder instead, so `make run` shows what would have been sent.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from email.utils import make_msgid
from pathlib import Path
from typing import Mapping

from sqlite_utils import Database

from checklist import store
from checklist.core.i18n import locale_for
from checklist.core.i18n import translations_for
from checklist.reports.context import ReportContext

log = logging.getLogger("checklist.mail")
SEPARATOR = "\n\n— English —\n\n"


@dataclass(frozen=True)
class Text:
    subject: str
    body: str


class Words(ReportContext):
    """gettext and dates in one language, as the reports write them, without a report."""

    def __init__(self, lang: str):
        self.lang = lang if lang in ("nl", "en") else "nl"
        self.locale = locale_for(self.lang)
        self.gettext = translations_for(self.lang).gettext


def _bilingual(make) -> Text:
    nl, en = make(Words("nl")), make(Words("en"))
    return Text(subject=f"{nl.subject} / {en.subject}", body=nl.body + SEPARATOR + en.body)


def escalation_text(facts: Mapping, criterion_text: Mapping[str, str], link: str) -> Text:
    """A life-safety criterion failed: to the operator and the coordinators."""

    def make(t: Words) -> Text:
        _ = t._
        return Text(
            _("Life safety: act within the deadline at %(location)s", location=facts["location_name"]),
            "\n".join(
                [
                    _("At the visit of %(date)s by %(organisation)s, a life-safety criterion was not met at %(location)s:", date=t.date(facts["visit_date"]), organisation=facts["organisation"], location=facts["location_name"]),
                    "",
                    f"  {criterion_text.get(t.lang) or facts['criterion_id']}",
                    "",
                    _("The operator is asked to say what was done before %(due)s (UTC).", due=t.timestamp(facts["due_at"])),
                    _("Open: %(link)s", link=link),
                ]
            ),
        )

    return _bilingual(make)


def findings_sent_text(send: Mapping, link: str) -> Text:
    """A visit's findings were sent for reply: to the location's operator accounts."""

    def make(t: Words) -> Text:
        _ = t._
        return Text(
            _("Findings for your reply: %(location)s", location=send["location_name"]),
            "\n".join(
                [
                    _("%(organisation)s sends you the findings of its visit of %(date)s to %(location)s for your reply.", organisation=send["organisation"], date=t.date(send["visit_date"]), location=send["location_name"]),
                    _("Please reply per finding before the end of %(due)s. After that date the report is final, and states where no reply was received.", due=t.date(send["reply_due"])),
                    _("Open: %(link)s", link=link),
                ]
            ),
        )

    return _bilingual(make)


def asked_again_text(send: Mapping, due: str, link: str) -> Text:
    def make(t: Words) -> Text:
        _ = t._
        return Text(
            _("A question about your reply: %(location)s", location=send["location_name"]),
            "\n".join(
                [
                    _("%(organisation)s asks once more about your reply to a finding of the visit of %(date)s to %(location)s.", organisation=send["organisation"], date=t.date(send["visit_date"]), location=send["location_name"]),
                    _("Please reply before the end of %(due)s.", due=t.date(due)),
                    _("Open: %(link)s", link=link),
                ]
            ),
        )

    return _bilingual(make)


def escalation_answered_text(escalation: Mapping, link: str) -> Text:
    def make(t: Words) -> Text:
        _ = t._
        return Text(
            _("The operator answered a life-safety escalation at %(location)s", location=escalation["location_name"]),
            "\n".join(
                [
                    _("%(operator)s said what was done after the visit of %(date)s.", operator=escalation["answered_organisation"], date=t.date(escalation["visit_date"])),
                    _("Open: %(link)s", link=link),
                ]
            ),
        )

    return _bilingual(make)


def queue(db: Database, recipients, text: Text, kind: str) -> int:
    """The same mail to each recipient, in the caller's transaction."""
    n = 0
    subject = " ".join(text.subject.split())  # one line: a name typed with a line break never becomes a header
    for recipient in dict.fromkeys(recipients):
        store.queue_mail(db, recipient, subject, text.body, kind)
        n += 1
    return n


# -- delivery ------------------------------------------------------------------------------


def message(row: Mapping, sender: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = row["recipient"]
    mail["Subject"] = row["subject"]
    mail["Date"] = formatdate(localtime=False, usegmt=True)
    mail["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1] or "localhost")
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(row["body"])
    return mail


def retry_seconds(attempts: int) -> int:
    """1, 2, 4, ... minutes after each failure, at most an hour."""
    return min(3600, 60 * 2 ** max(0, attempts))


def deliver_due(db: Database, config: Mapping, limit: int = 50) -> dict:
    """Send (or, with no SMTP host, write) the mails that are due; returns counts. One SMTP
    connection for the batch; a failure leaves the mail queued for a later attempt."""
    rows = store.claim_due(db, config["MAIL_MAX_ATTEMPTS"], limit)
    counts = {"sent": 0, "failed": 0}
    if not rows:
        return counts
    sender = config["MAIL_FROM"]
    if not config.get("MAIL_SMTP_HOST"):
        folder = Path(config["MAIL_FOLDER"])
        folder.mkdir(parents=True, exist_ok=True)
        for row in rows:
            path = folder / f"{row['id']:06d}-{row['kind']}.eml"
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(bytes(message(row, sender)))
            os.replace(tmp, path)
            store.mark_sent(db, row["id"])
            counts["sent"] += 1
        return counts
    try:
        connection = _connect(config)
    except (OSError, smtplib.SMTPException) as error:
        log.warning("mail: cannot reach %s:%s (%s); %d mails wait", config["MAIL_SMTP_HOST"], config["MAIL_SMTP_PORT"], error, len(rows))
        for row in rows:
            store.mark_failed(db, row["id"], f"connect: {error}", retry_seconds(row["attempts"]))
        counts["failed"] = len(rows)
        return counts
    try:
        for row in rows:
            try:
                connection.send_message(message(row, sender))
            except (OSError, smtplib.SMTPException) as error:
                log.warning("mail %s to outbox row failed: %s", row["id"], error)
                store.mark_failed(db, row["id"], str(error), retry_seconds(row["attempts"]))
                counts["failed"] += 1
            else:
                store.mark_sent(db, row["id"])
                counts["sent"] += 1
    finally:
        try:
            connection.quit()
        except (OSError, smtplib.SMTPException):
            pass
    return counts


def _connect(config: Mapping) -> smtplib.SMTP:
    host, port, timeout = config["MAIL_SMTP_HOST"], int(config["MAIL_SMTP_PORT"]), config["MAIL_SMTP_TIMEOUT"]
    mode = config["MAIL_SMTP_TLS"]
    if mode == "ssl":
        connection = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        connection = smtplib.SMTP(host, port, timeout=timeout)
        if mode == "starttls":
            connection.starttls(context=ssl.create_default_context())
    if config.get("MAIL_SMTP_USER"):
        connection.login(config["MAIL_SMTP_USER"], config.get("MAIL_SMTP_PASSWORD") or "")
    return connection
