"""`make bench`: generate a data set, serve it with gunicorn on 127.0.0.1, print ratios.

Measured in one run, on one machine, so the ratios hold when absolute speeds vary:
- the checklist page and the visit page against a bare Flask route (median latency);
- the PDF visit report against a bare ReportLab document of the same text (ms per page);
- the peak resident memory of each gunicorn worker.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
LOCATIONS = int(os.environ.get("BENCH_LOCATIONS", 300))
VISITS = int(os.environ.get("BENCH_VISITS", 20))
TIME_BUDGET = float(os.environ.get("BENCH_SECONDS", 60))
BENCH_EMAIL = "bench@bench.invalid"
BENCH_PASSWORD = "benchmark wachtwoord lang genoeg"


def build_database(path: Path):
    from checklist import create_app
    from checklist import store
    from checklist.core.save_protocol import Answer
    from checklist.store.connection import connect

    from bench.data import generate

    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    app = create_app({"DATABASE": str(path), "SECRET_KEY": "bench-secret-key-0123456789", "WTF_CSRF_ENABLED": False})
    criteria = app.extensions["criteria"]
    db = connect(path)
    start = time.perf_counter()
    counts = generate(db, criteria, LOCATIONS, VISITS)
    print(f"data set: {counts['locations']} locations, {counts['visits']} submitted visits, {counts['answers']:,} answers "
          f"({time.perf_counter() - start:.1f} s to generate)")
    from checklist.views.common import hash_password

    with app.app_context():
        store.create_user(db, BENCH_EMAIL, "Bench", 1, "visitor", hash_password(BENCH_PASSWORD))
    # A draft on the first location, with some answers: the page a visitor fills in.
    location = db["locations"].get(1)
    draft_id = store.create_visit(db, 1, {"visit_date": "2026-11-01", "organisation_id": 1, "visitors": "B.", "announced": 1}, criteria.hash)
    first_domain = criteria.domains_for(location["type"])[0]
    store.save_answers(db, draft_id, {c.id: store.Edit(Answer(value="meets" if c.kind == "rating" else None, note="Gezien."))
                                      for c in first_domain.criteria_for(location["type"]) if c.kind != "count"})
    submitted_id = list(db.query("select max(id) as id from visits where status = 'submitted' and organisation_id = 1"))[0]["id"]
    db.conn.close()
    return app, draft_id, first_domain.id, submitted_id


def visible_visit_ids(db_path: Path) -> list[int]:
    from checklist.store.connection import connect

    db = connect(db_path)
    try:
        return [r["id"] for r in db.query("select id from visits where organisation_id = 1 and status = 'submitted' order by id")]
    finally:
        db.conn.close()


def bench_pages(db_path: Path, draft_id: int, domain_id: str, submitted_id: int) -> dict:
    from bench.measure import Client
    from bench.measure import children_of
    from bench.measure import interleaved
    from bench.measure import median_ms
    from bench.measure import p95_ms
    from bench.measure import peak_rss_mb

    from bench.serve import gunicorn

    visible_ids = visible_visit_ids(db_path)
    with gunicorn(db_path) as (port, server):
        client = Client("127.0.0.1", port)
        client.login(BENCH_EMAIL, BENCH_PASSWORD)
        paths = {
            "bare Flask route": "/bench/bare",
            "checklist page": f"/visits/{draft_id}/domains/{domain_id}",
            "visit page": f"/visits/{submitted_id}",
        }
        clients = {name: client for name in paths}
        clients["bare Flask route"] = Client("127.0.0.1", port)  # no session cookie: nothing to look up
        interleaved(clients, paths, rounds=1, per_round=10, deadline=time.monotonic() + 30)  # warm-up
        times = interleaved(clients, paths, rounds=10, per_round=20, deadline=time.monotonic() + TIME_BUDGET)
        clients["bare Flask route"].close()
        # Submitted visits are rendered once and then cached; also time first views.
        first_views = [client.get(f"/visits/{visit_id}") for visit_id in visible_ids[:200]]
        times["visit page, first view"] = [seconds for status, seconds, _size in first_views if status == 200]
        client.close()
        workers = children_of(server.pid)
        memory = max(peak_rss_mb(pid) for pid in workers)
    base = median_ms(times["bare Flask route"])
    return {name: (median_ms(v), p95_ms(v), median_ms(v) / base, len(v)) for name, v in times.items()} | {"_memory": memory}


def bench_pdf(app, db_path: Path, submitted_id: int) -> tuple:
    from bench.pdf_baseline import bare_reportlab_pdf
    from bench.pdf_baseline import count_pages
    from bench.pdf_baseline import extract_lines
    from checklist.core.access import EVERYTHING
    from checklist.store.connection import connect
    from checklist.reports.visit_report import build_visit_report
    from checklist.reports.visit_data import load_visit
    from checklist.reports.visit_data import visit_report

    db = connect(db_path)
    with app.app_context():
        report = visit_report(db, load_visit(db, submitted_id, EVERYTHING), "nl", EVERYTHING)
    db.conn.close()
    pdf = build_visit_report(report)
    lines = extract_lines(pdf)
    pages, base_pages = count_pages(pdf), count_pages(bare_reportlab_pdf(lines))
    real, bare = [], []
    for _ in range(7):
        start = time.perf_counter()
        build_visit_report(report)
        real.append(time.perf_counter() - start)
        start = time.perf_counter()
        bare_reportlab_pdf(lines)
        bare.append(time.perf_counter() - start)
    real_ms = 1000 * sorted(real)[3] / pages
    bare_ms = 1000 * sorted(bare)[3] / base_pages
    return pages, real_ms, base_pages, bare_ms


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    db_path = OUT / "bench.sqlite"
    app, draft_id, domain_id, submitted_id = build_database(db_path)
    pages = bench_pages(db_path, draft_id, domain_id, submitted_id)
    memory = pages.pop("_memory")
    print("\npages (gunicorn, 2 workers, one keep-alive client on 127.0.0.1)")
    print(f"  {'':24} {'median ms':>10} {'p95 ms':>8} {'x bare':>8} {'n':>5}")
    for name, (median, p95, ratio, n) in pages.items():
        print(f"  {name:24} {median:10.2f} {p95:8.2f} {ratio:8.1f} {n:5d}")
    pdf_pages, real_ms, base_pages, bare_ms = bench_pdf(app, db_path, submitted_id)
    ratio = real_ms / bare_ms
    print("\nPDF visit report (in-process, median of 7)")
    print(f"  visit report:          {pdf_pages} pages, {real_ms:.1f} ms per page")
    print(f"  bare ReportLab, same text: {base_pages} pages, {bare_ms:.1f} ms per page")
    print(f"  ratio per page:        {ratio:.2f}x")
    print(f"\npeak resident memory per gunicorn worker: {memory:.0f} MB")
    checks = [
        ("checklist page within 10x a bare route", pages["checklist page"][2] <= 10),
        ("visit page within 10x a bare route", pages["visit page"][2] <= 10),
        ("visit page, first view, within 10x a bare route", pages["visit page, first view"][2] <= 10),
        ("PDF within 2x bare ReportLab per page", ratio <= 2),
        ("under 200 MB per worker", memory < 200),
    ]
    from bench.load import run_load_benchmarks

    checks += run_load_benchmarks(db_path)
    print("\ntargets")
    for label, ok in checks:
        print(f"  [{'met' if ok else 'MISSED'}] {label}")


if __name__ == "__main__":
    main()
