"""Backups, restores and crash safety: a copy that restores, generations, refusals, kill -9."""

from __future__ import annotations

import random
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bench.crash import check
from bench.crash import kill_runs
from checklist.backup import BackupError
from checklist.backup import backup_database
from checklist.db import connect
from checklist.store import counts
from tests.conftest import save
from tests.conftest import create_location
from tests.conftest import create_visit


def live_counts(app) -> dict[str, int]:
    db = connect(app.config["DATABASE"])
    try:
        return counts(db)
    finally:
        db.conn.close()


def note_of(app, visit_id: int, criterion_id: str) -> str | None:
    db = connect(app.config["DATABASE"])
    try:
        rows = list(db.query("select note from answers where visit_id = ? and criterion_id = ?", [visit_id, criterion_id]))
        return rows[0]["note"] if rows else None
    finally:
        db.conn.close()


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
    import checklist.backup

    fill(client)

    def failing_check(path):
        raise BackupError(f"{path} fails the integrity check: page 3 is never used")

    monkeypatch.setattr(checklist.backup, "check_database", failing_check)
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
    rng = random.Random()
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
