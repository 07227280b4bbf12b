"""The database at start-up and from the command line: migrations, criteria version, stored scores."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from checklist import store
from checklist.reports.visit_data import recompute_scores
from checklist.store.connection import connect
from checklist.store.connection import immediate
from checklist.store.connection import migrate
from checklist.store.migrations import migrations


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create the database or bring it up to date (safe to run again)."""
    db = connect(current_app.config["DATABASE"])
    try:
        migrate(db)
        names = [m.name for m in migrations.applied(db)]
    finally:
        db.conn.close()
    click.echo(f"Database {current_app.config['DATABASE']} is up to date ({len(names)} migrations).")


def prepare(app) -> None:
    """Migrate at start-up and keep the text of the criteria version in use."""
    app.cli.add_command(init_db_command)
    db = connect(app.config["DATABASE"])
    try:
        migrate(db)
        if app.extensions.get("criteria") is not None:
            with immediate(db):
                store.record_criteria_version(db, app.extensions["criteria"])
        recompute_scores(db)  # submitted visits from before stored scores, or from bulk loads
        store.prune_login_failures(db, _forget_failures_before(app.config))  # even if no one signs in again
    finally:
        db.conn.close()


def _forget_failures_before(config) -> str:
    from datetime import datetime
    from datetime import timedelta
    from datetime import timezone

    longest = max(timedelta(minutes=config["LOGIN_WINDOW_MINUTES"]), timedelta(seconds=config["LOGIN_ADDRESS_WINDOW_SECONDS"]))
    return (datetime.now(timezone.utc) - longest).isoformat(timespec="seconds")
