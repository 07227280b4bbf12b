"""The SQLite connection, opened with the pragmas that make saves durable (the web app keeps
one per worker thread, see `checklist.views.database`).

A visitor who saw "saved" must find the answer again after a crash or a power cut, so
every connection runs WAL with synchronous=FULL and foreign keys on, and every write
that reads first runs under BEGIN IMMEDIATE (a deferred BEGIN fails at once with
"database is locked" when another writer got in between).
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database

from checklist.store.migrations import migrations

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
