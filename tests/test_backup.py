"""Backups, restores and crash safety: a copy that restores, generations, refusals, kill -9."""

from __future__ import annotations

import random
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from sqlite_utils import Database

from bench.crash import check
from bench.crash import kill_runs
from checklist.commands.backup import BackupError
from checklist.commands.backup import backup_database
from checklist.store.connection import connect
from checklist.store import counts
from tests.conftest import create_location
from tests.conftest import create_visit
from tests.conftest import live_counts
from tests.conftest import note_of
from tests.conftest import save


def fill(client) -> int:
    """Two locations, a draft visit with three answers; returns the visit id."""
    location_id = create_location(client)
    create_location(client, name="Noodopvang Zuid", type="noodopvang")
    visit_id = create_visit(client, location_id)
    play = {"value_play__space": "partly", "note_play__space": "Open op woensdag", "value_play__outdoor": "yes"}
    client.post(f"/visits/{visit_id}/domains/play", data=play)
    safety = {"value_safety__fire": "no", "note_safety__fire": "Nooduitgang geblokkeerd"}
    client.post(f"/visits/{visit_id}/domains/safety", data=safety)
    return visit_id


def make_backup(runner, directory: Path, *options: str) -> Path:
    result = runner.invoke(args=["backup", str(directory), *options])
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]
    assert first.startswith("Backup written: ")
    return Path(first.removeprefix("Backup written: "))


def test_backup_then_restore_gives_back_the_same_data(app, client, runner, db, tmp_path):
    visit_id = fill(client)
    before = live_counts(app)
    assert before["answers"] == 3
    path = make_backup(runner, tmp_path / "backups")
    assert path.parent == tmp_path / "backups" and path.name.startswith("checklist-")
    assert not Path(f"{path}-wal").exists()  # one self-contained file

    client.post(f"/visits/{visit_id}/domains/play", data={"value_play__space": "fails", "note_play__space": "Later veranderd"})
    create_location(client, name="Azc Nieuw")
    db.execute("delete from answers where criterion_id = 'safety.fire'")
    assert live_counts(app) != before

    result = runner.invoke(args=["restore", str(path), "--yes"])
    assert result.exit_code == 0, result.output
    assert "Restored." in result.output
    assert live_counts(app) == before
    assert note_of(app, visit_id, "play.space") == "Open op woensdag"
    assert counts(db) == before  # a connection opened before the restore sees the restored data
    assert db.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert db["sessions"].count == 0  # everyone signs in again
    assert client.get("/").status_code == 302


def test_backup_output_and_help_mention_encryption(app, client, runner, tmp_path):
    fill(client)
    result = runner.invoke(args=["backup", str(tmp_path / "b")])
    assert "locations 2, visits 1, answers 3, child_voices 0" in result.output
    assert "encrypt" in result.output
    assert "encrypt" in runner.invoke(args=["backup", "--help"]).output


def test_keep_2_after_4_backups_leaves_the_newest_2(client, runner, tmp_path):
    fill(client)
    directory = tmp_path / "backups"
    directory.mkdir()
    (directory / "notes.txt").write_text("not ours")
    (directory / "checklist-manual.sqlite").write_bytes(b"not ours either")
    paths = [make_backup(runner, directory, "--keep", "2") for _ in range(4)]
    assert len(set(paths)) == 4  # same second: a -n suffix, never an overwrite
    left = sorted(p.name for p in directory.iterdir())
    assert left == sorted([paths[2].name, paths[3].name, "notes.txt", "checklist-manual.sqlite"])


@pytest.mark.parametrize("kind", ["garbage", "truncated", "not a checklist database"])
def test_restore_refuses_a_bad_file_and_changes_nothing(app, client, runner, tmp_path, kind):
    visit_id = fill(client)
    bad = tmp_path / "bad.sqlite"
    if kind == "garbage":
        bad.write_bytes(random.Random(1).randbytes(64 * 1024))
    elif kind == "truncated":
        good = make_backup(runner, tmp_path / "backups").read_bytes()
        bad.write_bytes(good[: len(good) // 2])
    else:
        other = sqlite3.connect(bad)
        other.execute("create table notes (id integer primary key, text)")
        other.close()
    before = live_counts(app)
    result = runner.invoke(args=["restore", str(bad), "--yes"])
    assert result.exit_code == 1
    assert "nothing restored" in result.output
    assert live_counts(app) == before
    assert note_of(app, visit_id, "play.space") == "Open op woensdag"


def test_restore_asks_first_and_no_changes_nothing(app, client, runner, tmp_path):
    visit_id = fill(client)
    path = make_backup(runner, tmp_path / "backups")
    assert save(client, visit_id, "play", {"value_play__space": "fails", "note_play__space": "Na de backup"}).status_code == 303
    before = live_counts(app)
    result = runner.invoke(args=["restore", str(path)], input="n\n")
    assert result.exit_code == 1
    assert "now:" in result.output and "backup file:" in result.output and "[y/N]" in result.output
    assert live_counts(app) == before
    assert note_of(app, visit_id, "play.space") == "Na de backup"


def test_a_copy_that_fails_the_integrity_check_is_deleted(app, client, tmp_path, monkeypatch):
    import checklist.commands.backup

    fill(client)

    def failing_check(path):
        raise BackupError(f"{path} fails the integrity check: page 3 is never used")

    monkeypatch.setattr(checklist.commands.backup, "check_database", failing_check)
    with pytest.raises(BackupError, match="deleted"):
        backup_database(app.config["DATABASE"], tmp_path / "backups")
    assert list((tmp_path / "backups").iterdir()) == []


def test_backup_failure_exits_1_with_a_message(runner, tmp_path):
    a_file = tmp_path / "file"
    a_file.write_text("x")
    result = runner.invoke(args=["backup", str(a_file / "backups")])
    assert result.exit_code == 1
    assert "Error: cannot write to" in result.output


def test_harness_notices_a_lost_save(app, client):
    """The checker is not vacuous: a printed counter that is not stored counts as lost."""
    visit_id = create_visit(client, create_location(client))
    run = check(Path(app.config["DATABASE"]), visit_id, {}, [(1, "play.outdoor")])
    assert run.integrity_ok and run.lost == ["play.outdoor"]


def test_kill_9_during_saves_loses_nothing_acknowledged(app, client):
    """reliability.md §3.3: SIGKILL the writer at random moments; every printed save must be stored."""
    visit_id = create_visit(client, create_location(client))
    rng = random.Random(20260115)  # the same kill moments every run (the writer's speed still varies)
    delays = [rng.uniform(0.1, 0.4) for _ in range(5)]
    previous: dict[str, int] = {}
    acked = 0
    with closing(kill_runs(Path(app.config["DATABASE"]), visit_id, delays, ahead=5)) as runs:
        for run in runs:
            assert run.integrity_ok, run.integrity
            assert not run.lost, f"acknowledged saves missing for {run.lost}: stored {run.stored}"
            assert not run.unexpected, f"unexplained stored values for {run.unexpected}: stored {run.stored}"
            assert all(run.stored[cid] >= n for cid, n in previous.items())
            acked += run.acked
            previous = run.stored
    assert acked > 0


# -- a restore checks the file's schema first, keeps the database as it was, swaps last --------


def lookalike(kind: str, good: Path, path: Path) -> Path:
    """Files a restore must refuse: SQLite databases that are not this app's, or not as this app left them."""
    if kind == "empty file":
        path.write_bytes(b"")
        return path
    if kind == "same table names, other columns":
        with closing(sqlite3.connect(path)) as other:
            for table in ("locations", "answers", "child_voices"):
                other.execute(f"create table {table} (id integer primary key, text)")
            other.execute("create table visits (id integer primary key, title text, body text)")
            other.commit()
        return path
    path.write_bytes(good.read_bytes())
    with closing(sqlite3.connect(path)) as other:
        if kind == "no migrations table":
            other.execute("drop table _sqlite_migrations")
        elif kind == "a column missing":
            other.execute("alter table visits drop column impression")
        elif kind == "made by a newer app":
            other.execute("insert into _sqlite_migrations (migration_set, name, applied_at) values ('checklist', 'm999_future', '2030-01-01')")
        elif kind == "an extra trigger":  # issue 23: the next sign-in makes a visitor a system admin
            other.execute(
                "create trigger audit_log_promote after insert on audit_log begin "
                "update users set system_admin = 1, role = 'admin' where email = 'visitor@a.test'; "
                "update child_voices set text = (select group_concat(password_hash) from users); end"
            )
        elif kind == "a dropped trigger":  # and audit rows could be rewritten
            other.execute("drop trigger audit_log_no_update")
        elif kind == "a changed trigger":
            other.execute("drop trigger audit_log_no_delete")
            other.execute("create trigger audit_log_no_delete before delete on audit_log when 0 begin select raise(abort, 'audit_log is append-only'); end")
        elif kind == "an extra view":
            other.execute("create view locations_all as select * from users")
        elif kind == "an extra table":
            other.execute("create table exfiltrate (text)")
        elif kind == "a dropped index":
            name = other.execute("select name from sqlite_master where type = 'index' and name not like 'sqlite_%' order by name").fetchone()[0]
            other.execute(f"drop index [{name}]")
        elif kind == "a foreign-key violation":  # a location page then answered 500
            other.execute("pragma foreign_keys = off")
            other.execute("update visits set location_id = 9999")
        other.commit()
    return path


def leftovers(app) -> list[str]:
    """Temporary restore files next to the live database."""
    database = Path(app.config["DATABASE"])
    return sorted(p.name for p in database.parent.iterdir() if ".restore-" in p.name)


@pytest.mark.parametrize(
    "kind, message",
    [
        ("empty file", "is not a checklist database (no table locations"),
        ("same table names, other columns", "no table _sqlite_migrations"),
        ("no migrations table", "no table _sqlite_migrations"),
        ("a column missing", "table visits lacks impression"),
        ("made by a newer app", "made by a newer version of the app (migration m999_future)"),
        ("an extra trigger", "not as this app left it, so it is not restored: a trigger this app does not make: audit_log_promote on audit_log"),
        ("a dropped trigger", "not as this app left it, so it is not restored: the trigger audit_log_no_update is missing"),
        ("a changed trigger", "the trigger audit_log_no_delete is not as this app makes it"),
        ("an extra view", "a view this app does not make: locations_all on locations_all"),
        ("an extra table", "a table this app does not make: exfiltrate"),
        ("a dropped index", "is missing"),
        ("a foreign-key violation", "has rows that point to rows it does not hold (foreign keys: 1 in visits)"),
    ],
)
def test_restore_refuses_a_lookalike_database_touches_nothing_and_the_app_still_starts(app, client, runner, tmp_path, kind, message):
    from checklist import create_app
    from tests.conftest import make_config

    visit_id = fill(client)
    bad = lookalike(kind, make_backup(runner, tmp_path / "backups"), tmp_path / "lookalike.sqlite")
    before = live_counts(app)
    result = runner.invoke(args=["restore", str(bad), "--yes"])
    assert result.exit_code == 1, result.output
    assert "nothing restored" in result.output and message in result.output
    assert live_counts(app) == before
    assert note_of(app, visit_id, "play.space") == "Open op woensdag"
    assert not (tmp_path / "before-restore").exists() and leftovers(app) == []
    restarted = create_app(make_config(tmp_path))
    assert restarted.test_client().get("/health").status_code == 200


def test_restore_keeps_the_database_as_it_was_before(app, client, runner, tmp_path):
    visit_id = fill(client)
    path = make_backup(runner, tmp_path / "backups")
    assert save(client, visit_id, "play", {"value_play__space": "fails", "note_play__space": "Na de backup"}).status_code == 303
    create_location(client, name="Azc Na de backup")
    changed = live_counts(app)
    result = runner.invoke(args=["restore", str(path), "--yes"])
    assert result.exit_code == 0, result.output
    (safety,) = (tmp_path / "before-restore").iterdir()
    assert f"The database as it was before: {safety}" in result.output
    with closing(connect(safety)) as kept:
        assert counts(kept) == changed
        assert kept.execute("select note from answers where criterion_id = 'play.space'").fetchone()[0] == "Na de backup"
    assert note_of(app, visit_id, "play.space") == "Open op woensdag"
    assert leftovers(app) == []


def test_an_older_backup_is_brought_up_to_date_by_the_restore(app, client, runner, tmp_path):
    from checklist.store.migrations import migrations

    fill(client)
    older = tmp_path / "older.sqlite"
    with closing(sqlite3.connect(older)) as conn:
        db = Database(conn, execute_plugins=False)
        migrations.apply(db, stop_before="m006_actions")  # before follow-up actions existed
        db["locations"].insert({"name": "Azc Van Vroeger", "type": "azc", "created_at": "2025-01-01", "updated_at": "2025-01-01"})
        conn.commit()
    result = runner.invoke(args=["restore", str(older), "--yes"])
    assert result.exit_code == 0, result.output
    with closing(connect(app.config["DATABASE"])) as db:
        assert [row["name"] for row in db.query("select name from locations")] == ["Azc Van Vroeger"]
        assert db["actions"].exists()
        assert [m.name for m in migrations.pending(db)] == []
    assert client.get("/locations/").status_code == 302  # signed out, the app runs


def test_a_restore_whose_migration_fails_leaves_the_database_as_it_was(app, client, runner, tmp_path, monkeypatch):
    import checklist.store.connection

    visit_id = fill(client)
    path = make_backup(runner, tmp_path / "backups")
    assert save(client, visit_id, "play", {"value_play__space": "fails", "note_play__space": "Na de backup"}).status_code == 303
    before = live_counts(app)

    def failing_migrate(db):
        db.execute("delete from answers")  # half done, in the temporary copy
        raise RuntimeError("disk full")

    monkeypatch.setattr(checklist.store.connection, "migrate", failing_migrate)
    result = runner.invoke(args=["restore", str(path), "--yes"])
    assert result.exit_code == 1, result.output
    assert "nothing restored: bringing the backup up to date failed: disk full" in result.output
    assert live_counts(app) == before
    assert note_of(app, visit_id, "play.space") == "Na de backup"
    assert leftovers(app) == []
