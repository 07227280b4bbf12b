"""The SQLite connection: one per request, opened with the pragmas that make saves durable.

A visitor who saw "saved" must find the answer again after a crash or a power cut, so
every connection runs WAL with synchronous=FULL and foreign keys on, and every write
that reads first runs under BEGIN IMMEDIATE (a deferred BEGIN fails at once with
"database is locked" when another writer got in between).
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask import current_app
from flask import g
from sqlite_utils import Database

from checklist.migrations import migrations

BUSY_TIMEOUT_SECONDS = 10


def connect(path: str | Path) -> Database:
    """Open a database with the app's pragmas; the caller closes it."""
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")
    return Database(conn, execute_plugins=False)


@contextmanager
def immediate(db: Database):
    """A write transaction that takes the write lock up front (BEGIN IMMEDIATE)."""
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    else:
        db.conn.execute("COMMIT")


def migrate(db: Database) -> None:
    """Apply pending migrations; WAL is persistent, so setting it once per start is enough."""
    db.conn.execute("PRAGMA journal_mode = WAL")
    migrations.apply(db)


def get_db() -> Database:
    """The request's database, opened on first use."""
    if "db" not in g:
        g.db = connect(current_app.config["DATABASE"])
    return g.db


def close_db(exc=None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.conn.close()


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


def init_app(app) -> None:
    """Migrate at start-up and keep the text of the criteria version in use."""
    from checklist.store import record_criteria_version

    app.teardown_appcontext(close_db)
    app.cli.add_command(init_db_command)
    db = connect(app.config["DATABASE"])
    try:
        migrate(db)
        if app.extensions.get("criteria") is not None:
            with immediate(db):
                record_criteria_version(db, app.extensions["criteria"])
        from checklist.visit_data import recompute_scores

        recompute_scores(db)  # submitted visits from before stored scores, or from bulk loads
    finally:
        db.conn.close()
