"""`flask send-mail`: send the queued mail, once or as a worker beside the web app."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("send-mail")
@click.option("--watch", type=int, default=0, help="Keep running: try the outbox every this many seconds (a worker beside gunicorn).")
@click.option("--rounds", type=int, default=0, help="With --watch: stop after this many rounds (0: never).")
@with_appcontext
def send_mail_command(watch: int, rounds: int):
    """Send the mail that is due (escalations, findings sent for reply, ...). With no
    MAIL_SMTP_HOST the mails are written as .eml files to MAIL_FOLDER. A mail that fails is
    tried again later (1, 2, 4, ... minutes, at most an hour apart, MAIL_MAX_ATTEMPTS times)."""
    from checklist import store
    from checklist.reports.mail import deliver_due
    from checklist.store.connection import connect

    config = current_app.config
    done = 0
    while True:
        db = connect(config["DATABASE"])
        try:
            counts = deliver_due(db, config, limit=500)
            waiting = store.outbox_counts(db, config["MAIL_MAX_ATTEMPTS"])
        finally:
            db.conn.close()
        where = config["MAIL_SMTP_HOST"] or config["MAIL_FOLDER"]
        if counts["sent"] or counts["failed"] or not watch:
            click.echo(f"{counts['sent']} sent to {where}, {counts['failed']} failed; {waiting['waiting']} waiting, {waiting['given_up']} given up.")
        done += 1
        if not watch or (rounds and done >= rounds):
            return
        time.sleep(watch)
