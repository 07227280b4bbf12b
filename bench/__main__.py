"""`make bench`: generate a data set, serve it with gunicorn on 127.0.0.1, print ratios.

Measured in one run, on one machine, so the ratios hold when absolute speeds vary:
- the checklist page and the visit page (also first views) against two bare Flask routes:
  a public one asked without a cookie, and one behind the login (the session lookup only);
- the PDF visit report against a bare ReportLab document of the same text (ms per page);
- the peak resident memory of each gunicorn worker.
Every figure is measured in three interleaved rounds; the spread between the rounds' medians
is printed, so a reader sees whether another run would agree (within 15% when it is <= 7.5%).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
LOCATIONS = int(os.environ.get("BENCH_LOCATIONS", 300))
VISITS = int(os.environ.get("BENCH_VISITS", 20))
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
    app = create_app({"DATABASE": str(path), "SECRET_KEY": "bench-secret-key-0123456789", "TOTP_REQUIRED_ROLES": [], "WTF_CSRF_ENABLED": False})
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


ROUNDS = 3  # every figure is measured in this many rounds of one run; their spread is printed
TURNS = int(os.environ.get("BENCH_TURNS", 8))  # turns per round, each path `PER_TURN` times per turn
PER_TURN = 25
FIRST_VIEWS = 240  # distinct submitted visits viewed once each (split over the rounds)
BARE, SIGNED_IN = "bare route (public, no cookie)", "bare route, signed in"


def bench_pages(db_path: Path, draft_id: int, domain_id: str, submitted_id: int) -> dict:
    from bench.measure import Client
    from bench.measure import Figure
    from bench.measure import children_of
    from bench.measure import in_rounds
    from bench.measure import interleaved
    from bench.measure import peak_rss_mb

    from bench.serve import gunicorn

    visible_ids = [i for i in visible_visit_ids(db_path) if i != submitted_id][:FIRST_VIEWS]
    with gunicorn(db_path) as (port, server):
        client = Client("127.0.0.1", port)
        client.login(BENCH_EMAIL, BENCH_PASSWORD)
        paths = {
            BARE: "/bench/bare",
            SIGNED_IN: "/bench/signed-in",
            "checklist page": f"/visits/{draft_id}/domains/{domain_id}",
            "visit page": f"/visits/{submitted_id}",
        }
        clients = {name: client for name in paths}
        clients[BARE] = Client("127.0.0.1", port)  # no session cookie: nothing to look up
        interleaved(clients, paths, rounds=2, per_round=10, deadline=time.monotonic() + 30)  # warm-up
        figures = in_rounds(clients, paths, rounds=ROUNDS, turns=TURNS, per_turn=PER_TURN)
        # Submitted visits are rendered once and then cached; also time first views (distinct
        # visits, in as many rounds), against the same baselines.
        first = [[] for _ in range(ROUNDS)]
        for n, visit_id in enumerate(visible_ids):
            status, seconds, _size = client.get(f"/visits/{visit_id}")
            if status != 200:
                raise RuntimeError(f"/visits/{visit_id} answered {status}")
            first[n * ROUNDS // len(visible_ids)].append(seconds)
        clients[BARE].close()
        client.close()
        workers = children_of(server.pid)
        memory = max(peak_rss_mb(pid) for pid in workers)
    figures["visit page, first view"] = Figure(first)
    return {"figures": figures, "memory": memory}


def bench_pdf(app, db_path: Path, submitted_id: int) -> dict:
    from bench.measure import Figure
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
    real, bare = [[] for _ in range(ROUNDS)], [[] for _ in range(ROUNDS)]
    for r in range(ROUNDS):
        for _ in range(5):  # interleaved, so both see the same machine
            start = time.perf_counter()
            build_visit_report(report)
            real[r].append((time.perf_counter() - start) / pages)
            start = time.perf_counter()
            bare_reportlab_pdf(lines)
            bare[r].append((time.perf_counter() - start) / base_pages)
    return {"pages": pages, "base_pages": base_pages, "real": Figure(real), "bare": Figure(bare)}


def print_pages(result: dict) -> None:
    figures = result["figures"]
    n = len(figures[BARE].values)
    print(f"\npages (gunicorn as gunicorn.conf.py serves it, one client on 127.0.0.1, a new TCP connection per")
    print(f"request): median of {n} requests per page in {ROUNDS} interleaved rounds")
    print(f"  {'':32} {'median ms':>9} {'rounds ms':>13} {'spread':>7} {'p95 ms':>7} {'x bare (rounds)':>18} {'x signed-in (rounds)':>21} {'n':>5}")
    for name, figure in figures.items():
        bare, signed_in = figures[BARE], figures[SIGNED_IN]
        medians = [1000 * m for m in figure.round_medians]
        ratios = []
        for base in (bare, signed_in):
            ratio, low, high = figure.ratio_range(base)
            ratios.append(f"{ratio:5.1f} ({low:4.1f}-{high:4.1f})")
        p95 = 1000 * sorted(figure.values)[int(0.95 * (len(figure.values) - 1))]
        print(f"  {name:32} {1000 * figure.median:9.2f} {min(medians):6.2f}-{max(medians):<6.2f} {'±' + format(figure.spread, '.0f') + '%':>7} "
              f"{p95:7.2f} {ratios[0]:>18} {ratios[1]:>21} {len(figure.values):5d}")
    print("  (rounds ms: the lowest and highest of the rounds' medians; spread: half their distance, as a share")
    print("   of the median, so two runs agree within 15% when it is at most ±7.5%; x bare: the median's ratio,")
    print("   and in brackets the lowest and highest of the rounds' ratios. First views: each of")
    print(f"   {FIRST_VIEWS} visits once, after the rounds above, against the same baselines)")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    db_path = OUT / "bench.sqlite"
    app, draft_id, domain_id, submitted_id = build_database(db_path)
    result = bench_pages(db_path, draft_id, domain_id, submitted_id)
    print_pages(result)
    figures, memory = result["figures"], result["memory"]
    pdf = bench_pdf(app, db_path, submitted_id)
    ratio, low, high = pdf["real"].ratio_range(pdf["bare"])
    print(f"\nPDF visit report (in-process, median of {len(pdf['real'].values)} builds in {ROUNDS} interleaved rounds)")
    print(f"  visit report:              {pdf['pages']} pages, {1000 * pdf['real'].median:.1f} ms per page (spread ±{pdf['real'].spread:.0f}%)")
    print(f"  bare ReportLab, same text: {pdf['base_pages']} pages, {1000 * pdf['bare'].median:.1f} ms per page (spread ±{pdf['bare'].spread:.0f}%)")
    print(f"  ratio per page:            {ratio:.2f}x (rounds {low:.2f}-{high:.2f})")
    print(f"\npeak resident memory per gunicorn worker: {memory:.0f} MB")

    def ratio_to(name, base):
        return figures[name].ratio_range(figures[base])[0]

    spreads = {name: f.spread for name, f in figures.items()} | {"PDF": pdf["real"].spread, "bare PDF": pdf["bare"].spread}
    widest = max(spreads, key=spreads.get)
    checks = [
        ("checklist page within 5x the bare route", ratio_to("checklist page", BARE) <= 5),
        ("checklist page within 2x the signed-in bare route", ratio_to("checklist page", SIGNED_IN) <= 2),
        ("visit page within 5x the bare route", ratio_to("visit page", BARE) <= 5),
        ("visit page within 2x the signed-in bare route", ratio_to("visit page", SIGNED_IN) <= 2),
        ("visit page, first view, within 8x the bare route", ratio_to("visit page, first view", BARE) <= 8),
        ("PDF within 1.3x bare ReportLab per page", ratio <= 1.3),
        ("under 100 MB per worker", memory < 100),
        (f"every figure's rounds within 15% of each other (widest: {widest}, ±{spreads[widest]:.1f}%)", spreads[widest] <= 7.5),
    ]
    from bench.load import run_load_benchmarks

    checks += run_load_benchmarks(db_path)
    print("\ntargets")
    for label, ok in checks:
        print(f"  [{'met' if ok else 'MISSED'}] {label}")


if __name__ == "__main__":
    main()
