"""`python -m bench.crash [--seconds 60]`: the kill -9 harness (reliability.md §3.3), run for longer.

A writer subprocess (bench/crash_writer.py) saves notes through `checklist.store.save_answers`
and prints each counter only after the save returned. We SIGKILL it at random moments; after
each kill the database must pass `PRAGMA integrity_check` and hold every printed save. This
checks that "saved" means committed. Power loss is not simulated (that needs LazyFS).
tests/test_backup.py runs the same harness for a few iterations.
"""

from __future__ import annotations

import argparse
import itertools
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from contextlib import closing
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Iterable
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
WRITER = ROOT / "bench" / "crash_writer.py"
SMALL_CRITERIA = ROOT / "tests" / "criteria_small.yaml"
STARTUP_TIMEOUT_SECONDS = 30


@dataclass
class Run:
    """What one kill left behind, compared with what the writer acknowledged."""

    acked: int
    integrity: list[str]
    stored: dict[str, int]
    lost: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)

    @property
    def integrity_ok(self) -> bool:
        return self.integrity == ["ok"]

    @property
    def ok(self) -> bool:
        return self.integrity_ok and not self.lost and not self.unexpected


class Writer:
    """One writer subprocess: started ahead and held at "ready", then let go and SIGKILLed."""

    def __init__(self, db_path: Path, visit_id: int):
        args = [sys.executable, str(WRITER), str(db_path), str(visit_id), "--wait"]
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        self.ready = threading.Event()
        self.reader = threading.Thread(target=_read_lines, args=(self.proc.stdout, self.lines, self.ready), daemon=True)
        self.reader.start()

    def go(self) -> None:
        if not self.ready.wait(STARTUP_TIMEOUT_SECONDS) or self.proc.poll() is not None:
            raise RuntimeError(f"the crash writer did not start (exit code {self.proc.poll()})")
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()

    def kill(self) -> list[tuple[int, str]]:
        """SIGKILL, then the saves it acknowledged (complete lines only)."""
        if self.proc.poll() is not None:
            raise RuntimeError(f"the crash writer stopped by itself (exit code {self.proc.returncode})")
        self.proc.send_signal(signal.SIGKILL)
        self.close()
        return _parse(self.lines)

    def close(self) -> None:
        """Make sure the process is gone and its pipes are closed (safe to call twice)."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.reader.join()
        self.proc.stdin.close()
        self.proc.stdout.close()


def kill_runs(db_path: Path, visit_id: int, delays: Iterable[float], ahead: int = 3) -> Iterator[Run]:
    """For each delay: let a writer save for that long, SIGKILL it, check the database.

    `ahead` writers are started in advance so their start-up does not count in the run time.
    Use it under `contextlib.closing` so spare writers are ended when the caller stops early.
    """
    spares: deque[Writer] = deque()
    baseline: dict[str, int] = {}
    try:
        for delay in delays:
            while len(spares) < max(ahead, 1):
                spares.append(Writer(db_path, visit_id))
            writer = spares.popleft()
            try:
                writer.go()
                time.sleep(delay)
                printed = writer.kill()
            finally:
                writer.close()
            run = check(db_path, visit_id, baseline, printed)
            yield run
            baseline = run.stored
    finally:
        for writer in spares:
            writer.close()


def _read_lines(stream, lines: list[str], ready: threading.Event) -> None:
    """Drain the writer's stdout so it never blocks on a full pipe; keep complete lines only."""
    for line in stream:
        if line == "ready\n":
            ready.set()
        elif line.endswith("\n"):
            lines.append(line)
    ready.set()  # end of output: wake the waiter, which then sees the exit


def _parse(lines: list[str]) -> list[tuple[int, str]]:
    printed = []
    for line in lines:
        counter, cid = line.split()
        printed.append((int(counter), cid))
    return printed


def check(db_path: Path, visit_id: int, baseline: dict[str, int], printed: list[tuple[int, str]]) -> Run:
    """Every printed save must be stored; a newer value is allowed only for the one save in flight."""
    from bench.crash_writer import criterion_for

    acked = dict(baseline)
    for counter, cid in printed:
        acked[cid] = counter
    in_flight = (printed[-1][0] if printed else max(baseline.values(), default=0)) + 1
    integrity, stored = read_state(db_path, visit_id)
    run = Run(acked=len(printed), integrity=integrity, stored=stored)
    run.lost = sorted(cid for cid, n in acked.items() if stored.get(cid, 0) < n)
    allowed_new = (in_flight, criterion_for(in_flight))
    run.unexpected = sorted(cid for cid, n in stored.items() if n != acked.get(cid) and (n, cid) != allowed_new)
    return run


def read_state(db_path: Path, visit_id: int) -> tuple[list[str], dict[str, int]]:
    """Open the database as the app does after a crash: integrity check, then the stored counters."""
    from checklist.store.connection import connect

    db = connect(db_path)
    try:
        integrity = [row[0] for row in db.execute("PRAGMA integrity_check").fetchall()]
        rows = db.query("select criterion_id, note from answers where visit_id = ?", [visit_id])
        return integrity, {r["criterion_id"]: int(r["note"]) for r in rows}
    except sqlite3.DatabaseError as err:
        return [str(err)], {}
    finally:
        db.conn.close()


def make_database(db_path: Path) -> int:
    """A fresh database with the schema, one location and one draft visit; returns the visit id."""
    from checklist import store
    from checklist.core.criteria import load_criteria
    from checklist.store.connection import connect
    from checklist.store.connection import immediate
    from checklist.store.connection import migrate

    criteria = load_criteria(SMALL_CRITERIA)
    db = connect(db_path)
    try:
        migrate(db)
        with immediate(db):
            store.record_criteria_version(db, criteria)
        location_id = store.create_location(db, {"name": "Crash test", "type": "azc"})
        return store.create_visit(db, location_id, {"visit_date": "2026-01-15", "organisation_id": 1}, criteria.hash)
    finally:
        db.conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.crash", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60, help="Time budget (default 60).")
    parser.add_argument("--seed", type=int, default=2026, help="Random seed for the kill moments (default 2026).")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    delays = (rng.uniform(0.05, 0.4) for _ in itertools.count())
    iterations = acked = lost = unexpected = integrity_failures = 0
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="checklist-crash-") as tmp:
        db_path = Path(tmp) / "crash.sqlite"
        visit_id = make_database(db_path)
        with closing(kill_runs(db_path, visit_id, delays)) as runs:
            for run in runs:
                iterations += 1
                acked += run.acked
                lost += len(run.lost)
                unexpected += len(run.unexpected)
                if not run.integrity_ok:
                    integrity_failures += 1
                    print(f"integrity check failed after iteration {iterations}: {run.integrity[:3]}")
                    break
                if time.monotonic() - start >= args.seconds:
                    break
    print(f"kill -9 harness, {time.monotonic() - start:.1f} s, writer = checklist.store.save_answers (WAL, synchronous=FULL)")
    print(f"  seed:                {args.seed}")
    print(f"  iterations:          {iterations}")
    print(f"  acknowledged saves:  {acked}")
    print(f"  integrity failures:  {integrity_failures}")
    print(f"  lost saves:          {lost}")
    print(f"  unexpected values:   {unexpected}")
    return 0 if iterations and not (integrity_failures or lost or unexpected) else 1


if __name__ == "__main__":
    sys.exit(main())
