"""Fair limits on heavy work, kept in the app's SQLite file so every gunicorn worker shares them.

Two things, both per user:

- how many PDF, report and export requests a user starts per minute: Flask-Limiter counts, and
  `SQLiteStorage` below is the `limits` storage it counts in (registered under the scheme
  `checklist-sqlite`; `limits` itself has Redis, Memcached, MongoDB and memory storages, and a
  memory storage is one count per worker, so a user would get the limit once per worker);
- how many of them run at once: Flask-Limiter does not do this, so `acquire_slot` and
  `release_slot` keep a small table of running requests, each with an expiry, so a slot that a
  killed worker never released frees itself.

Why SQLite and not Redis: the app runs on one machine with one SQLite file and no other
service; a counter row written once per heavy request (which takes 50 ms to seconds to build)
costs about a millisecond. The limiter's connection commits with synchronous=NORMAL: in WAL mode
that cannot corrupt the file, and at worst a power cut forgets the last counts, which is harmless.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from urllib.parse import unquote
from urllib.parse import urlsplit

from limits.storage import Storage
from sqlite_utils import Database

from checklist.store.connection import BUSY_TIMEOUT_SECONDS
from checklist.store.connection import immediate

STORAGE_SCHEME = "checklist-sqlite"


def storage_uri(database_path: str) -> str:
    """The `RATELIMIT_STORAGE_URI` for a database file."""
    return f"{STORAGE_SCHEME}:///{os.path.abspath(database_path).lstrip('/')}"


class SQLiteStorage(Storage):
    """A fixed-window `limits` storage over the `rate_limits` table (m018).

    One connection per thread and process (opened on first use, so never across a fork).
    Each count is one statement (an upsert that starts a new window when the old one expired),
    so two workers counting at once cannot lose a hit.
    """

    STORAGE_SCHEME = [STORAGE_SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.path = "/" + unquote(urlsplit(uri or "").path).lstrip("/")
        self._local = threading.local()

    @property
    def base_exceptions(self):
        return sqlite3.Error

    def _conn(self) -> sqlite3.Connection:
        pid = os.getpid()
        if getattr(self._local, "pid", None) != pid:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA synchronous = NORMAL")
            self._local.conn, self._local.pid = conn, pid
        return self._local.conn

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        row = self._conn().execute(
            """insert into rate_limits (key, count, expires_at) values (?1, ?2, ?3)
               on conflict (key) do update set
                 count = case when expires_at <= ?4 then excluded.count else count + excluded.count end,
                 expires_at = case when expires_at <= ?4 then excluded.expires_at else expires_at end
               returning count""",
            [key, amount, now + expiry, now],
        ).fetchone()
        return row[0]

    def get(self, key: str) -> int:
        row = self._conn().execute("select count from rate_limits where key = ? and expires_at > ?", [key, time.time()]).fetchone()
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._conn().execute("select expires_at from rate_limits where key = ? and expires_at > ?", [key, time.time()]).fetchone()
        return row[0] if row else time.time()

    def check(self) -> bool:
        try:
            self._conn().execute("select 1 from rate_limits limit 1")
            return True
        except sqlite3.Error:
            return False

    def reset(self) -> int | None:
        return self._conn().execute("delete from rate_limits").rowcount

    def clear(self, key: str) -> None:
        self._conn().execute("delete from rate_limits where key = ?", [key])

    def prune(self) -> int:
        """Forget the windows that are over (they count for nothing)."""
        return self._conn().execute("delete from rate_limits where expires_at <= ?", [time.time()]).rowcount


# -- concurrent heavy requests ---------------------------------------------------------------


def acquire_slot(db: Database, user_id: int, endpoint: str, most: int, seconds: int) -> int | None:
    """A slot for one heavy request of this user, or None when `most` of theirs run already.

    Expired slots (a worker killed mid-request) are removed first; the count and the insert share
    one BEGIN IMMEDIATE, so two requests at once cannot both take the last slot."""
    now = time.time()
    with immediate(db):
        db.execute("delete from heavy_slots where expires_at <= ?", [now])
        if db.execute("select count(*) from heavy_slots where user_id = ?", [user_id]).fetchone()[0] >= most:
            return None
        return db["heavy_slots"].insert({"user_id": user_id, "endpoint": endpoint, "expires_at": now + seconds}).last_pk


def release_slot(db: Database, slot_id: int) -> None:
    db.execute("delete from heavy_slots where id = ?", [slot_id])
