"""The request's database connection: opened on first use, closed when the request ends."""

from __future__ import annotations

from flask import current_app
from flask import g
from sqlite_utils import Database

from checklist.store.connection import connect


def get_db() -> Database:
    """The request's database, opened on first use."""
    if "db" not in g:
        g.db = connect(current_app.config["DATABASE"])
    return g.db


def close_db(exc=None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.conn.close()


def init_app(app) -> None:
    app.teardown_appcontext(close_db)
