"""A PDF flood by one user beside another user's pages (issue 11 §4), measured in one run.

One coordinator asks for a visit's PDF report from six clients at once, as fast as the server
answers (six tabs or a script); meanwhile a visitor of the same organisation reads
`/locations/` and opens a visit page. The reader's median is measured idle and during the flood
in alternating rounds (idle, flood, idle, flood, ...), so a slow moment of the machine hits both,
on two servers of 2 sync workers each:

- with the app's limits as configured (20 heavy requests a minute and 2 at once per user);
- with the limits set out of reach, the situation before issue 11 (for comparison).

The figure is the reader's median during the flood divided by its median idle, on the same
server; the target is at most 2x with the limits on. It is a benchmark, not a test: the tests
(tests/test_limits.py) check the 429s and that another user is not refused.
"""

from __future__ import annotations

import multiprocessing
import statistics
import threading
import time
from pathlib import Path

from bench.measure import Client
from bench.serve import gunicorn

PASSWORD = "benchmark wachtwoord lang genoeg"
FLOODER = "flood@bench.invalid"
READER = "reader@bench.invalid"
FLOOD_CLIENTS = 6
ROUNDS = 3
PHASE_SECONDS = 3.0
OFF = {"HEAVY_RATE": "1000000 per minute", "HEAVY_CONCURRENT": 1000}


def _prepare(db_path: Path) -> int:
    """The two users, and a submitted visit of their organisation (the PDF the flood asks for)."""
    from checklist import create_app
    from checklist import store
    from checklist.store.connection import connect
    from checklist.views.common import hash_password

    app = create_app({"DATABASE": str(db_path), "SECRET_KEY": "bench-secret-key-0123456789"})
    db = connect(db_path)
    with app.app_context():
        hashed = hash_password(PASSWORD)
        for email, role in ((FLOODER, "coordinator"), (READER, "visitor")):
            if not store.get_user_by_email(db, email):
                store.create_user(db, email, email.split("@")[0], 1, role, hashed)
    visit_id = list(db.query("select max(id) as id from visits where status = 'submitted' and organisation_id = 1"))[0]["id"]
    db.conn.close()
    return visit_id


def _read(client: Client, paths: list[str], seconds: float, times: list[float]) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for path in paths:
            status, took, _size = client.get(path)
            if status != 200:
                raise RuntimeError(f"{path} answered {status} to the reader")
            times.append(took)


def _flood(port: int, path: str, stop, counts: dict, lock: threading.Lock) -> None:
    client = Client("127.0.0.1", port)
    client.login(FLOODER, PASSWORD)
    while not stop.is_set():
        status, _took, _size = client.get(path)
        with lock:
            counts[status] = counts.get(status, 0) + 1


def _flood_process(port: int, path: str, stop, results) -> None:
    """The flooding clients, in a process of their own: in the reader's process their threads
    would hold the GIL while the reader's clock runs, and the figure would measure the bench."""
    counts: dict = {}
    lock = threading.Lock()
    threads = [threading.Thread(target=_flood, args=(port, path, stop, counts, lock)) for _ in range(FLOOD_CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    results.put(counts)


def measure(db_path: Path, visit_id: int, log_path: Path, **settings) -> dict:
    pdf = f"/visits/{visit_id}/report.pdf"
    pages = ["/locations/", f"/visits/{visit_id}"]
    idle: list[float] = []
    busy: list[float] = []
    rounds: list[tuple[float, float]] = []
    counts: dict = {}
    context = multiprocessing.get_context("fork")
    with gunicorn(db_path, log_path=log_path, **settings) as (port, _server):
        reader = Client("127.0.0.1", port)
        reader.login(READER, PASSWORD)
        _read(reader, pages, 1.0, [])  # warm-up: the visit page's body cache, the connections
        for _ in range(ROUNDS):
            quiet: list[float] = []
            _read(reader, pages, PHASE_SECONDS, quiet)
            stop, results = context.Event(), context.Queue()
            flooder = context.Process(target=_flood_process, args=(port, pdf, stop, results))
            flooder.start()
            time.sleep(0.5)  # the flood is under way
            loaded: list[float] = []
            _read(reader, pages, PHASE_SECONDS, loaded)
            stop.set()
            for status, n in results.get(timeout=120).items():
                counts[status] = counts.get(status, 0) + n
            flooder.join(timeout=60)
            idle += quiet
            busy += loaded
            rounds.append((statistics.median(quiet), statistics.median(loaded)))
    ratios = [b / i for i, b in rounds]
    return {
        "idle": 1000 * statistics.median(idle),
        "busy": 1000 * statistics.median(busy),
        "ratio": statistics.median(busy) / statistics.median(idle),
        "ratios": (min(ratios), max(ratios)),
        "counts": dict(sorted(counts.items())),
    }


def run_heavy_benchmark(db_path: Path) -> list[tuple[str, bool]]:
    visit_id = _prepare(db_path)
    on = measure(db_path, visit_id, db_path.parent / "gunicorn-heavy-on.log")
    off = measure(db_path, visit_id, db_path.parent / "gunicorn-heavy-off.log", **OFF)
    print(f"\nPDF flood ({FLOOD_CLIENTS} clients of one coordinator asking for a visit PDF) beside another user's pages "
          f"(/locations/ and a visit page, {ROUNDS} rounds of {PHASE_SECONDS:.0f} s idle, then {PHASE_SECONDS:.0f} s flooded)")
    for label, r in (("limits on (as configured)", on), ("limits out of reach", off)):
        print(f"  {label}: reader median idle {r['idle']:.2f} ms, flooded {r['busy']:.2f} ms = {r['ratio']:.2f}x "
              f"[rounds {r['ratios'][0]:.2f}-{r['ratios'][1]:.2f}x]; flood answers {r['counts']}")
    low, high = on["ratios"]
    spread = (high - low) / 2 / on["ratio"]
    print(f"  rounds of the limited run agree within ±{100 * spread:.1f}% of the median ratio "
          f"({'quotable' if spread <= 0.075 else 'the machine was busy: do not quote this run'})")
    return [("another user's pages during one user's PDF flood within 2x of idle (limits on)", on["ratio"] <= 2)]


if __name__ == "__main__":
    import sys

    from bench.__main__ import OUT
    from bench.__main__ import build_database

    OUT.mkdir(parents=True, exist_ok=True)
    build_database(OUT / "heavy.sqlite")
    for label, ok in run_heavy_benchmark(OUT / "heavy.sqlite"):
        print(f"  [{'met' if ok else 'MISSED'}] {label}")
    sys.exit(0)
