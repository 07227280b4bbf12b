"""The request's SQLite connection: reused per thread, never shared across threads or a fork,
never left in a transaction, and not opened at all for a public page with a session cookie."""

from __future__ import annotations

import os
import threading

from flask import g

from checklist.views import database
from tests.conftest import login
from tests.conftest import query


def _request_connection(app):
    with app.test_request_context("/"):
        return database.get_db()


def test_requests_on_one_thread_reuse_its_connection(app):
    first = _request_connection(app)
    assert _request_connection(app) is first
    assert first.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert first.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_threads_have_their_own_connections(app):
    mine = _request_connection(app)
    theirs = []
    thread = threading.Thread(target=lambda: theirs.append(_request_connection(app)))
    thread.start()
    thread.join()
    assert theirs[0] is not mine


def test_each_database_file_has_its_own_connection(app, tmp_path):
    from checklist import create_app
    from tests.conftest import make_config

    other = create_app(make_config(tmp_path / "other", DATABASE=str(tmp_path / "other.sqlite")))
    assert _request_connection(other) is not _request_connection(app)
    assert _request_connection(other).execute("select count(*) from users").fetchone()[0] == 0


def test_a_transaction_left_open_is_rolled_back_when_the_request_ends(app):
    with app.test_request_context("/"):
        db = database.get_db()
        db.conn.execute("BEGIN IMMEDIATE")
        db.execute("insert into organisations (name, created_at) values ('Half-way', '2026-01-01')")
    assert not db.conn.in_transaction
    assert query(app, "select count(*) as n from organisations where name = 'Half-way'")[0]["n"] == 0
    # and the write lock is free again for everyone else
    from checklist.store.connection import connect

    other = connect(app.config["DATABASE"])
    other.conn.execute("BEGIN IMMEDIATE")
    other.conn.execute("ROLLBACK")
    other.conn.close()


def test_a_request_sees_what_another_connection_committed(client, app):
    _request_connection(app)  # this thread's connection exists and stays open
    from checklist.store.connection import connect

    other = connect(app.config["DATABASE"])
    other.execute("insert into organisations (name, created_at) values ('Elders opgericht', '2026-01-01')")
    other.conn.close()
    with app.test_request_context("/"):
        names = [r["name"] for r in database.get_db().query("select name from organisations")]
    assert "Elders opgericht" in names


def test_a_forked_child_opens_its_own_connection(app):
    parent = _request_connection(app)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never use or close the parent's connection
        try:
            child = _request_connection(app)
            ok = child is not parent and child.execute("select count(*) from users").fetchone()[0] > 0
            os.write(write, b"1" if ok else b"0")
        finally:
            os._exit(0)
    os.close(write)
    answer = os.read(read, 1)
    os.waitpid(pid, 0)
    os.close(read)
    assert answer == b"1"
    assert parent.execute("select count(*) from users").fetchone()[0] > 0  # the parent's still works


def test_public_pages_with_a_session_cookie_do_not_load_the_user(app, monkeypatch):
    client = login(app.test_client())
    loads = []
    from checklist.views import auth

    real = auth.store.session_with_user
    monkeypatch.setattr(auth.store, "session_with_user", lambda *a: loads.append(1) or real(*a))
    response = client.get("/health")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert loads == []
    assert client.get("/locations/").status_code == 200
    assert loads == [1]


def test_the_request_connection_is_gone_from_g_after_the_request(app):
    with app.test_request_context("/"):
        database.get_db()
        assert "db" in g
    with app.test_request_context("/"):
        assert "db" not in g
