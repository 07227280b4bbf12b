"""Backups and restores of the SQLite database: `flask --app checklist backup DIR` and `restore FILE`.

Never `cp` a live WAL database: the main file and its -wal can be copied at different
moments and the copy is then corrupt. Both directions go through SQLite's online backup
API, every copy is checked with `PRAGMA integrity_check`, and N generations are kept.

A restore changes nothing until the file is known to be a checklist database this app
can run on: it must pass the integrity check and have the migrations table; its tables
and columns, indexes, triggers and views must be exactly those of a database migrated to
the level it records (an older level is brought up to date; one made by a newer app is
refused), so a backup can carry no code of its own into the live database; and no row may
point to a row that is not there (`PRAGMA foreign_key_check`). The live
database is first copied aside (`before-restore/` next to it), the backup is restored
into a temporary file and migrated there, and only then copied into the live database
in one step by the backup API, so open connections see the restored data.
A backup holds sensitive observations about children: store it encrypted (age or gpg),
never as a plain file on a shared disk or in a mailbox.
"""

from __future__ import annotations

import os
import re
import sqlite3
import sys
import tempfile
from datetime import datetime
from datetime import timezone
from functools import lru_cache
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlite_utils import Database

BUSY_TIMEOUT_SECONDS = 10
BACKUP_NAME = re.compile(r"^checklist-(\d{8}-\d{6})(?:-(\d+))?\.sqlite$")
CHECKLIST_TABLES = ("locations", "visits", "answers", "child_voices")
ENCRYPT_HINT = "Backups hold sensitive observations: encrypt them (e.g. `age -r KEY` or `gpg -c`) before they leave this machine."


class BackupError(Exception):
    """A backup could not be made, or a file is not a sound checklist database."""


# -- pure functions ---------------------------------------------------------------


def backup_database(db_path: str | Path, backup_dir: str | Path, keep: int = 7) -> Path:
    """Write a checked copy of the live database into backup_dir and keep the newest `keep` copies."""
    db_path, backup_dir = Path(db_path), Path(backup_dir)
    if keep < 1:
        raise BackupError("keep must be at least 1")
    if not db_path.is_file():
        raise BackupError(f"there is no database at {db_path}")
    try:
        backup_dir.mkdir(parents=True, exist_ok=True)
        target = _reserve_name(backup_dir)
    except OSError as err:
        raise BackupError(f"cannot write to {backup_dir}: {err}") from None
    try:
        _copy_online(db_path, target)
        check_database(target)
    except (BackupError, sqlite3.Error) as err:
        target.unlink(missing_ok=True)
        raise BackupError(f"the backup failed and was deleted: {err}") from None
    prune_backups(backup_dir, keep)
    return target


def _reserve_name(backup_dir: Path) -> Path:
    """Create an empty file with a new UTC-stamped name; O_EXCL means an existing backup is never overwritten.

    Within one second the suffix goes above every existing one, so a name freed by pruning
    is not reused (it would sort as the oldest and be pruned at once).
    """
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    same_second = [_backup_order(p)[1] for p in backup_dir.glob(f"checklist-{stamp}*.sqlite") if BACKUP_NAME.match(p.name)]
    n = max(same_second) + 1 if same_second else 0
    while True:
        path = backup_dir / (f"checklist-{stamp}.sqlite" if n == 0 else f"checklist-{stamp}-{n}.sqlite")
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            return path
        except FileExistsError:
            n += 1


def _copy_online(db_path: Path, target: Path) -> None:
    """Copy with the backup API, then make the copy one self-contained file (no -wal/-shm)."""
    src = sqlite3.connect(db_path, timeout=BUSY_TIMEOUT_SECONDS)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = DELETE")
    finally:
        dst.close()
        src.close()


def prune_backups(backup_dir: str | Path, keep: int) -> list[Path]:
    """Delete the oldest backups beyond `keep`; only files named like our own backups are touched."""
    ours = sorted((p for p in Path(backup_dir).iterdir() if BACKUP_NAME.match(p.name)), key=_backup_order)
    old = ours[:-keep] if keep else ours
    for path in old:
        path.unlink(missing_ok=True)
    return old


def _backup_order(path: Path) -> tuple[str, int]:
    """Sort by stamp, then by the -n suffix as a number (plain name first)."""
    stamp, n = BACKUP_NAME.match(path.name).groups()
    return stamp, int(n or 0)


def check_database(path: str | Path) -> dict[str, int]:
    """Refuse a file that fails `PRAGMA integrity_check` or lacks the checklist tables; return its counts."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"there is no file {path}")
    try:
        conn = _open_read_only(path)
    except sqlite3.Error as err:
        raise BackupError(f"{path} cannot be opened: {err}") from None
    try:
        result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        if result != ["ok"]:
            raise BackupError(f"{path} fails the integrity check: {'; '.join(result[:5])}")
        missing = [t for t in CHECKLIST_TABLES if not _has_table(conn, t)]
        if missing:
            raise BackupError(f"{path} is not a checklist database (no table {', '.join(missing)})")
        _check_schema(conn, path)
        return _counts(conn)
    except sqlite3.Error as err:
        raise BackupError(f"{path} is not a sound SQLite database: {err}") from None
    finally:
        conn.close()


def _open_read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=BUSY_TIMEOUT_SECONDS)


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("select 1 from sqlite_master where type = 'table' and name = ?", [name]).fetchone() is not None


def _columns(conn: sqlite3.Connection) -> dict[str, set[str]]:
    """Table name -> column names, SQLite's own tables left out."""
    tables = [row[0] for row in conn.execute("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")]
    return {t: {row[1] for row in conn.execute("select * from pragma_table_info(?)", [t])} for t in tables}


def _objects(conn: sqlite3.Connection) -> dict[tuple[str, str], object]:
    """Everything in `sqlite_master` but SQLite's own objects, by (type, name): an index as
    its table, columns and uniqueness; a trigger or view as its SQL, spaces normalised. A
    trigger or view is code that runs inside the database, so one that this app did not
    make, or one of its own that is missing (the audit log's append-only guards), must
    never reach the live database."""
    out: dict[tuple[str, str], object] = {}
    rows = conn.execute("select type, name, tbl_name, sql from sqlite_master where name not like 'sqlite_%' and type in ('index', 'trigger', 'view')")
    for kind, name, table, sql in rows.fetchall():
        if kind == "index":
            columns = tuple(row[2] for row in conn.execute("select * from pragma_index_info(?)", [name]))
            unique = next((row[2] for row in conn.execute("select * from pragma_index_list(?)", [table]) if row[1] == name), None)
            out[(kind, name)] = (table, columns, unique, " ".join((sql or "").split()).partition(" WHERE ")[2])
        else:
            out[(kind, name)] = (table, " ".join((sql or "").split()))
    return out


@lru_cache(maxsize=1)
def expected_schemas() -> tuple[tuple[str, dict[str, frozenset[str]], dict[tuple[str, str], object]], ...]:
    """(migration name, tables and columns, other objects right after it) for each migration,
    in order: what a database that records those migrations must hold, built in an empty
    in-memory database by the migrations themselves."""
    from checklist.store.migrations import migrations

    db = Database(memory=True, execute_plugins=False)
    try:
        levels = []
        for migration in migrations.pending(db):
            rest = [m.name for m in migrations.pending(db)]
            migrations.apply(db, stop_before=rest[1:])
            levels.append((migration.name, {t: frozenset(c) for t, c in _columns(db.conn).items()}, _objects(db.conn)))
        return tuple(levels)
    finally:
        db.conn.close()


def _check_schema(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse a database whose migrations or tables and columns are not those this app made."""
    from checklist.store.migrations import migrations

    levels = expected_schemas()
    known = [name for name, _tables, _objects in levels]
    if not _has_table(conn, migrations.migrations_table):
        raise BackupError(f"{path} is not a checklist database (no table {migrations.migrations_table}: not made by this app)")
    applied = [row[0] for row in conn.execute(f"select name from [{migrations.migrations_table}] where migration_set = ?", [migrations.name])]
    unknown = [name for name in applied if name not in known]
    if unknown:
        raise BackupError(f"{path} was made by a newer version of the app (migration {', '.join(unknown)}); update the app first")
    if not applied or set(applied) != set(known[: len(set(applied))]):
        raise BackupError(f"{path} is not a checklist database (its migrations {', '.join(applied) or 'none'} are not this app's in order)")
    _name, expected, expected_objects = levels[len(set(applied)) - 1]
    actual = _columns(conn)
    problems = []
    for table, columns in sorted(expected.items()):
        if table not in actual:
            problems.append(f"no table {table}")
        elif missing := sorted(columns - actual[table]):
            problems.append(f"table {table} lacks {', '.join(missing)}")
        elif extra := sorted(actual[table] - columns):
            problems.append(f"table {table} has columns this app does not make: {', '.join(extra)}")
    problems += [f"a table this app does not make: {t}" for t in sorted(set(actual) - set(expected))]
    if problems:
        raise BackupError(f"{path} is not a checklist database ({'; '.join(problems[:5])})")
    objects = _objects(conn)
    for kind, name in sorted(set(expected_objects) | set(objects)):
        key = (kind, name)
        if key not in objects:
            problems.append(f"the {kind} {name} is missing")
        elif key not in expected_objects:
            problems.append(f"a {kind} this app does not make: {name} on {objects[key][0]}")
        elif objects[key] != expected_objects[key]:
            problems.append(f"the {kind} {name} is not as this app makes it")
    if problems:
        raise BackupError(f"{path} is not as this app left it, so it is not restored: {'; '.join(problems[:5])}")
    violations = conn.execute("select [table], count(*) from pragma_foreign_key_check group by [table] order by [table]").fetchall()
    if violations:
        listed = "; ".join(f"{n} in {table}" for table, n in violations[:5])
        raise BackupError(f"{path} has rows that point to rows it does not hold (foreign keys: {listed})")


def _counts(conn: sqlite3.Connection) -> dict[str, int]:
    from checklist.store import counts

    return counts(Database(conn, execute_plugins=False), CHECKLIST_TABLES)


def database_counts(path: str | Path) -> dict[str, int]:
    """Row counts of a checklist database, read without writing."""
    conn = _open_read_only(Path(path))
    try:
        return _counts(conn)
    finally:
        conn.close()


def restore_database(backup_file: str | Path, db_path: str | Path, prepare=None) -> tuple[dict[str, int], Path | None]:
    """Replace the live database's content with a checked backup; returns the counts after
    and the safety copy of the database as it was.

    Nothing is overwritten before the backup passed `check_database`. Then the live
    database is copied aside, the backup is copied into a temporary file next to it and
    `prepare(db)` (migrations, sessions) runs there; only if all that succeeded is the
    result written into the live database, by the backup API in one transaction, so the
    WAL stays consistent and connections that are open see the restored data.
    """
    backup_file, db_path = Path(backup_file), Path(db_path)
    if backup_file.resolve() == db_path.resolve():
        raise BackupError("the backup file is the live database itself")
    check_database(backup_file)
    safety = _safety_copy(db_path) if db_path.is_file() else None
    fd, name = tempfile.mkstemp(prefix=f".{db_path.name}.restore-", suffix=".sqlite", dir=db_path.parent)
    os.close(fd)
    staged = Path(name)
    try:
        _stage(backup_file, staged, prepare)
        src = _open_read_only(staged)
        dst = sqlite3.connect(db_path, timeout=BUSY_TIMEOUT_SECONDS)
        try:
            src.backup(dst)
        except sqlite3.Error as err:
            raise BackupError(f"the restore failed, the database is as it was: {err}") from None
        finally:
            dst.close()
            src.close()
    finally:
        for leftover in (staged, *(Path(f"{staged}{suffix}") for suffix in ("-wal", "-shm", "-journal"))):
            leftover.unlink(missing_ok=True)
    return database_counts(db_path), safety


def _safety_copy(db_path: Path) -> Path:
    """The live database as it is, into `before-restore/` next to it (never overwritten, never pruned)."""
    directory = db_path.parent / "before-restore"
    try:
        directory.mkdir(mode=0o700, exist_ok=True)
        target = _reserve_name(directory)
    except OSError as err:
        raise BackupError(f"nothing restored: cannot keep a copy of the database as it is in {directory}: {err}") from None
    try:
        _copy_online(db_path, target)
    except sqlite3.Error as err:
        target.unlink(missing_ok=True)
        raise BackupError(f"nothing restored: the database as it is could not be copied aside: {err}") from None
    return target


def _stage(backup_file: Path, staged: Path, prepare) -> None:
    """The backup in a temporary file, brought up to date by `prepare` and checked again."""
    from checklist.store.connection import connect

    src = _open_read_only(backup_file)
    dst = sqlite3.connect(staged)
    try:
        src.backup(dst)
    except sqlite3.Error as err:
        raise BackupError(f"nothing restored: the backup could not be read: {err}") from None
    finally:
        dst.close()
        src.close()
    db = connect(staged)
    try:
        if prepare is not None:
            prepare(db)
        db.conn.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, like a backup
    except Exception as err:  # a migration that fails on this backup: the live database is untouched
        raise BackupError(f"nothing restored: bringing the backup up to date failed: {err}") from None
    finally:
        db.conn.close()
    check_database(staged)


def format_counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{table} {n}" for table, n in counts.items())


# -- commands -------------------------------------------------------------------


@click.command("backup")
@with_appcontext
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--keep", default=7, show_default=True, type=click.IntRange(min=1), help="How many backups to keep in DIRECTORY.")
def backup_command(directory: Path, keep: int):
    """Write a checked copy of the database into DIRECTORY; older copies beyond --keep are deleted.

    Uses SQLite's online backup API (never cp a live database). The copy holds sensitive
    observations: encrypt it (e.g. age or gpg) before it leaves this machine.
    """
    try:
        path = backup_database(current_app.config["DATABASE"], directory, keep=keep)
    except BackupError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"Backup written: {path}")
    click.echo(f"Rows: {format_counts(database_counts(path))}")
    click.echo(ENCRYPT_HINT)


@click.command("restore")
@with_appcontext
@click.argument("backup_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(backup_file: Path, yes: bool):
    """Replace ALL data in the database with a backup (checked first; asks before replacing).

    The file must be a checklist database this app can run on; nothing is changed
    otherwise. The database as it was is kept in before-restore/ next to it.
    Decrypt the backup to a private place first and delete that plain copy afterwards.
    Everyone is signed out (sessions are not restored). Restart the app after a restore.
    """
    db_path = current_app.config["DATABASE"]
    try:
        incoming = check_database(backup_file)
    except BackupError as err:
        raise click.ClickException(f"nothing restored: {err}") from None
    click.echo(f"Database {db_path}")
    click.echo(f"  now:         {format_counts(database_counts(db_path))}")
    click.echo(f"  backup file: {format_counts(incoming)}")
    if not yes and not click.confirm("Replace all data in the database with the backup?", default=False):
        click.echo("Nothing restored.", err=True)
        sys.exit(1)
    try:
        counts, safety = restore_database(backup_file, db_path, prepare=_bring_up_to_date)
    except BackupError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"Restored. Rows now: {format_counts(counts)}")
    if safety is not None:
        click.echo(f"The database as it was before: {safety} (delete it once the restore is confirmed; it holds the same sensitive data)")


def _bring_up_to_date(db) -> None:
    """Bring an older backup up to date as start-up does (migrations, the criteria version in use),
    and end all sessions: sessions signed out after the backup was made must not come back."""
    from checklist.store.connection import immediate
    from checklist.store.connection import migrate
    from checklist.store import record_criteria_version

    migrate(db)
    criteria = current_app.extensions.get("criteria")
    with immediate(db):
        if criteria is not None:
            record_criteria_version(db, criteria)
        if db["sessions"].exists():
            db.execute("delete from sessions")


def init_app(app) -> None:
    for command in (backup_command, restore_command):
        app.cli.add_command(command)
