"""The request's database connection: one per worker thread and database file, reused.

Opening a connection and setting its pragmas cost about as much as a small page's whole
query work (profiled: 0.3-0.5 ms of a 1 ms signed-in request), so each thread keeps its
connection and every request on that thread borrows it. The rules that keep this safe:

- opened lazily, on a request's first use, never at import or start-up, so a connection
  never crosses a fork (gunicorn forks its workers; a process also checks its pid, and what
  a forked child inherited is left alone, never used or closed there);
- one per thread (`threading.local`), keyed by the database path, so tests with many apps
  and files work; at most `PER_THREAD` files per thread, the least recently used is closed;
- the same pragmas as ever (`store.connection.connect`); autocommit between transactions,
  so every request reads the latest committed data; a transaction a request left open is
  rolled back when it ends (closing the connection did that before);
- closed at interpreter exit.
"""

from __future__ import annotations

import atexit
import os
import threading
import weakref
from collections import OrderedDict

from flask import current_app
from flask import g
from sqlite_utils import Database

from checklist.store.connection import connect

PER_THREAD = 4  # database files one thread keeps open (the app has one; tests make many)

_local = threading.local()
_lock = threading.Lock()
# Every pooled connection by (pid that opened it, id), to close at exit; weak, so a finished
# thread's connections go (and close) with its pool.
_open: weakref.WeakValueDictionary = weakref.WeakValueDictionary()
_inherited: list = []  # connections a forked child got from its parent: kept, never touched


def get_db() -> Database:
    """The request's database: this thread's connection to the app's database file."""
    if "db" not in g:
        g.db = thread_connection(current_app.config["DATABASE"])
    return g.db


def thread_connection(path: str) -> Database:
    pool = _thread_pool()
    db = pool.get(path)
    if db is None:
        db = connect(path)
        pool[path] = db
        with _lock:
            _open[(os.getpid(), id(db))] = db
        while len(pool) > PER_THREAD:
            _close(pool.popitem(last=False)[1])
    else:
        pool.move_to_end(path)
    return db


def _thread_pool() -> OrderedDict:
    pid = os.getpid()
    if getattr(_local, "pid", None) != pid:
        # A new thread, or the first use after a fork: whatever the parent had open stays
        # referenced (closing it here could disturb the parent's locks) and unused.
        if getattr(_local, "pool", None):
            _inherited.append(_local.pool)
        _local.pool = OrderedDict()
        _local.pid = pid
    return _local.pool


def close_db(exc=None) -> None:
    """The request is over: its connection goes back to the thread, outside any transaction."""
    db = g.pop("db", None)
    if db is None:
        return
    try:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
    except Exception:
        current_app.logger.exception("a connection could not roll back; it is closed and replaced")
        discard(db)


def discard(db: Database) -> None:
    """Close a connection and forget it, so the thread opens a new one next time."""
    pool = _thread_pool()
    for path, pooled in list(pool.items()):
        if pooled is db:
            del pool[path]
    _close(db)


def _close(db: Database) -> None:
    with _lock:
        _open.pop((os.getpid(), id(db)), None)
    try:
        db.conn.close()
    except Exception:
        pass


@atexit.register
def close_all() -> None:
    """At exit, close this process's connections (a clean close also checkpoints the WAL)."""
    pid = os.getpid()
    with _lock:
        dbs = [db for (opener, _id), db in _open.items() if opener == pid]
        _open.clear()
    for db in dbs:
        try:
            db.conn.close()
        except Exception:
            pass


def init_app(app) -> None:
    app.teardown_appcontext(close_db)
