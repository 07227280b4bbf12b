"""Storage: migrations, pragmas, one answer row per criterion, no personal-data columns."""

from __future__ import annotations

from sqlite_utils import Database

from checklist.store.connection import connect
from checklist.store.connection import immediate
from checklist.store.connection import migrate
from checklist.store.migrations import migrations

PERSONAL = ("child_name", "first_name", "last_name", "surname", "dob", "birth", "bsn", "v_number", "vnummer", "address", "phone")


def test_migrations_create_the_schema():
    db = Database(memory=True)
    migrations.apply(db)
    assert {"criteria_versions", "organisations", "locations", "visits", "answers", "child_voices", "meta"} <= set(db.table_names())
    assert db["answers"].pks == ["visit_id", "criterion_id"]
    assert {fk.other_table for fk in db["visits"].foreign_keys} == {"locations", "organisations", "criteria_versions"}
    assert [fk.other_table for fk in db["answers"].foreign_keys] == ["visits"]
    assert db["organisations"].count >= 6
    migrations.apply(db)  # applying again changes nothing
    assert len(migrations.applied(db)) == len(migrations.pending(Database(memory=True)))


def test_no_table_has_a_column_for_personal_data():
    db = Database(memory=True)
    migrations.apply(db)
    for table in db.tables:
        for column in table.columns_dict:
            assert not any(word in column.lower() for word in PERSONAL), f"{table.name}.{column}"


def test_connection_pragmas(app):
    db = connect(app.config["DATABASE"])
    try:
        assert db.execute("pragma journal_mode").fetchone()[0] == "wal"
        assert db.execute("pragma foreign_keys").fetchone()[0] == 1
        assert db.execute("pragma synchronous").fetchone()[0] == 2  # FULL
    finally:
        db.conn.close()


def test_foreign_keys_are_enforced(db):
    import sqlite3

    import pytest

    with pytest.raises(sqlite3.IntegrityError):
        db.execute("insert into answers (visit_id, criterion_id, rev, updated_at) values (12345, 'play.space', 1, 'now')")


def test_immediate_rolls_back_on_error(db):
    before = db["locations"].count
    try:
        with immediate(db):
            db["locations"].insert({"name": "X", "type": "azc", "created_at": "t", "updated_at": "t"})
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert db["locations"].count == before
    assert not db.conn.in_transaction


def test_criteria_text_is_kept_per_version(app, db):
    rows = list(db.query("select hash, version, source_text from criteria_versions"))
    assert len(rows) == 1
    assert rows[0]["version"] == "test.1" and rows[0]["hash"] == app.extensions["criteria"].hash
    assert "play.space" in rows[0]["source_text"]


def test_migrate_is_idempotent_on_a_file(tmp_path):
    path = tmp_path / "x.sqlite"
    for _ in range(2):
        db = connect(path)
        migrate(db)
        db.conn.close()
    db = connect(path)
    assert db["organisations"].count == len({r["name"] for r in db.query("select name from organisations")})
    db.conn.close()
