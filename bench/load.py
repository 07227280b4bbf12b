"""Two load benchmarks on 127.0.0.1, bounded in time:

- concurrent saves: 16 signed-in clients against 2 gunicorn workers save answers as fast
  as they can for a few seconds; afterwards no save may have failed with "database is
  locked" and every save the server acknowledged (200 from the save endpoint) must be in the database;
- a login flood beside normal reading: one client sends wrong passwords as fast as it can
  while another reads a page; the reading page's median must stay within 2x of idle;
- a PDF flood by one user beside another user's pages (`bench/heavy.py`).
"""

from __future__ import annotations

import json
import re
import statistics
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from bench.measure import Client
from bench.serve import gunicorn

CLIENTS = 16
STATUSES: dict = {}
SAVE_SECONDS = 8
FLOOD_SECONDS = 8
PASSWORD = "benchmark wachtwoord lang genoeg"


def _prepare(db_path: Path) -> list[tuple[str, int, str, str]]:
    """16 visitors, two drafts, and for each visitor a criterion in a domain of its own."""
    from checklist import create_app
    from checklist import store
    from checklist.views.common import hash_password
    from checklist.store.connection import connect

    app = create_app({"DATABASE": str(db_path), "SECRET_KEY": "bench-secret-key-0123456789", "TOTP_REQUIRED_ROLES": []})
    criteria = app.extensions["criteria"]
    db = connect(db_path)
    with app.app_context():
        hashed = hash_password(PASSWORD)
        for n in range(CLIENTS):
            if not store.get_user_by_email(db, f"load{n}@bench.invalid"):
                store.create_user(db, f"load{n}@bench.invalid", f"Load {n}", 1, "visitor", hashed)
    location = db["locations"].get(1)
    domains = criteria.domains_for(location["type"])
    drafts = [store.create_visit(db, 1, {"visit_date": "2026-11-01", "organisation_id": 1, "visitors": "L"}, criteria.hash) for _ in range(2)]
    plan = []
    for n in range(CLIENTS):
        domain = domains[n % 8]
        criterion = next(c for c in domain.criteria_for(location["type"]) if c.kind == "rating")
        plan.append((f"load{n}@bench.invalid", drafts[n // 8], domain.id, criterion.id))
    db.conn.close()
    return plan


def _saver(port, email, visit_id, domain_id, criterion_id, deadline, out):
    client = Client("127.0.0.1", port)
    client.login(email, PASSWORD)
    _s, _t, page, _h = client.request("GET", f"/visits/{visit_id}/domains/{domain_id}")
    # The whole form, as a browser sends it, with this client's criterion changed each time.
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1).decode()
    fields = {name.decode(): value.decode() for name, value in re.findall(rb'name="(rev_[a-z0-9_]+)" value="([0-9]+:[0-9a-f]+)"', page)}
    key = criterion_id.replace(".", "__")
    acknowledged, errors, counter = [], 0, 0
    statuses = STATUSES
    while time.monotonic() < deadline:
        counter += 1
        # The browser's background save: the page's versions, this client's criterion changed;
        # each save starts from the version the previous one stored.
        body = dict(fields, csrf_token=token, **{f"value_{key}": "partly", f"note_{key}": f"save {counter}"})
        status, _t, data, _h = client.request("POST", f"/visits/{visit_id}/domains/{domain_id}/answers", urlencode(body))
        if status == 200:
            acknowledged.append(counter)
            fields[f"rev_{key}"] = json.loads(data)["criteria"][criterion_id]["version"]
        else:
            errors += 1
            statuses[status] = statuses.get(status, 0) + 1
    out.append((visit_id, criterion_id, acknowledged, errors))


def concurrent_saves(db_path: Path, log_path: Path) -> dict:
    from checklist.store.connection import connect

    plan = _prepare(db_path)
    results: list = []
    with gunicorn(db_path, log_path=log_path) as (port, _server):
        deadline = time.monotonic() + SAVE_SECONDS + 3  # login takes a moment
        threads = [threading.Thread(target=_saver, args=(port, *p, deadline, results)) for p in plan]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    db = connect(db_path)
    lost = 0
    for visit_id, criterion_id, acknowledged, _errors in results:
        stored = list(db.query("select note from answers where visit_id = ? and criterion_id = ?", [visit_id, criterion_id]))
        if acknowledged and (not stored or stored[0]["note"] != f"save {acknowledged[-1]}"):
            lost += 1
    db.conn.close()
    log = log_path.read_text(errors="replace")
    return {
        "clients": len(results),
        "saves": sum(len(r[2]) for r in results),
        "errors": sum(r[3] for r in results),
        "locked": log.count("database is locked"),
        "lost": lost,
        "seconds": SAVE_SECONDS,
    }


def _median_reading(port, path, seconds) -> list[float]:
    reader = Client("127.0.0.1", port)
    reader.login("load0@bench.invalid", PASSWORD)
    times, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        status, took, _size = reader.get(path)
        if status == 200:
            times.append(took)
    return times


def _flood(port, deadline, counts):
    client = Client("127.0.0.1", port)
    _s, _t, page, headers = client.request("GET", "/login")
    client._take_cookie(headers)
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1).decode()
    while time.monotonic() < deadline:
        status, _t, _d, _h = client.request("POST", "/login", urlencode({"email": "load1@bench.invalid", "password": "wrong password guess", "csrf_token": token}))
        counts[status] = counts.get(status, 0) + 1


def login_flood(db_path: Path, log_path: Path) -> dict:
    with gunicorn(db_path, log_path=log_path) as (port, _server):
        path = "/locations/"
        _median_reading(port, path, 1)  # warm-up
        idle = _median_reading(port, path, FLOOD_SECONDS / 2)
        counts: dict = {}
        flooder = threading.Thread(target=_flood, args=(port, time.monotonic() + FLOOD_SECONDS, counts))
        flooder.start()
        busy = _median_reading(port, path, FLOOD_SECONDS)
        flooder.join(timeout=30)
    return {"idle": 1000 * statistics.median(idle), "busy": 1000 * statistics.median(busy), "counts": counts}


def run_load_benchmarks(db_path: Path) -> list[tuple[str, bool]]:
    saves = concurrent_saves(db_path, db_path.parent / "gunicorn-saves.log")
    print(f"\nconcurrent saves ({saves['clients']} clients, 2 gunicorn workers, {saves['seconds']} s)")
    print(f"  acknowledged saves: {saves['saves']}, refused: {saves['errors']} {STATUSES or ''}, 'database is locked': {saves['locked']}, lost: {saves['lost']}")
    flood = login_flood(db_path, db_path.parent / "gunicorn-flood.log")
    ratio = flood["busy"] / flood["idle"]
    print(f"\nlogin flood ({FLOOD_SECONDS} s of wrong passwords from one address) beside a reader of /locations/")
    print(f"  reading median idle {flood['idle']:.1f} ms, during the flood {flood['busy']:.1f} ms ({ratio:.2f}x); login answers: {flood['counts']}")
    from bench.heavy import run_heavy_benchmark

    return [
        ("no 'database is locked' and no lost save under 16 concurrent clients", saves["locked"] == 0 and saves["lost"] == 0 and saves["errors"] == 0),
        ("reading median during a login flood within 2x of idle", ratio <= 2),
        *run_heavy_benchmark(db_path),
    ]


if __name__ == "__main__":
    import sys

    from bench.__main__ import OUT
    from bench.__main__ import build_database

    OUT.mkdir(parents=True, exist_ok=True)
    build_database(OUT / "bench.sqlite")
    for label, ok in run_load_benchmarks(OUT / "bench.sqlite"):
        print(f"  [{'met' if ok else 'MISSED'}] {label}")
    sys.exit(0)
