"""`python -m bench.scale`: ten years of data, and the comparisons over it, measured in one run.

300 locations x 100 submitted visits (about 30,000 visits, 2.3 million answers). Printed:
the overview page and the aggregate queries against a bare Flask route and against the
raw SQL alone (ratios), the page's own rendering, and the aggregate PDF for all locations.
Targets: overview <= 5 x raw SQL + its own rendering; the year's PDF in a few seconds; the
aggregate report's queries <= 3 x the overview's raw SQL; the ten-year report <= 1 s.
"""

from __future__ import annotations

import os
import statistics
import time
from datetime import date
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from pathlib import Path

from bench.measure import Client
from bench.serve import gunicorn

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
LOCATIONS = int(os.environ.get("SCALE_LOCATIONS", 300))
VISITS = int(os.environ.get("SCALE_VISITS", 100))
EMAIL, PASSWORD = "scale@bench.invalid", "schaalbenchmark lang genoeg"


def build(path: Path):
    from bench.data import generate
    from checklist import create_app
    from checklist import store
    from checklist.views.common import hash_password
    from checklist.store.connection import connect

    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    app = create_app({"DATABASE": str(path), "SECRET_KEY": "bench-secret-key-0123456789", "TOTP_REQUIRED_ROLES": []})
    db = connect(path)
    start = time.perf_counter()
    counts = generate(db, app.extensions["criteria"], LOCATIONS, VISITS, years=10)
    with app.app_context():
        store.create_user(db, EMAIL, "Scale monitor", 4, "monitor", hash_password(PASSWORD))
    db.execute("analyze")
    db.conn.close()
    print(f"data set: {counts['locations']} locations, {counts['visits']:,} visits, {counts['answers']:,} answers, 10 years "
          f"({time.perf_counter() - start:.0f} s to generate)")
    return app


def median_ms(fn, repeat: int = 15) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def in_process(app, path: Path) -> dict:
    """The raw SQL of the overview alone, the page's rendering alone, and the aggregate report."""
    from flask import render_template

    from checklist import store
    from checklist.core.access import Scope
    from checklist.views.overview import overview_page
    from checklist.store.connection import connect
    from checklist.core.filters import Filters
    from checklist.reports.monitor_data import monitor_report_data
    from checklist.reports.monitor_report import build_monitor_report

    db = connect(path)
    scope, filters = Scope(submitted_only=True), Filters()

    def overview_sql():
        return store.heatmap(db, scope, filters), store.type_averages(db, scope, filters), store.not_visited(db, scope, filters, "2026-01-01"), store.overdue_actions(db, scope, "2026-01-01", filters)

    rows, averages, not_visited, overdue = overview_sql()
    sql_ms = median_ms(overview_sql)
    with app.test_request_context("/compare/"):
        from flask_login import login_user

        from checklist.views.auth import User

        login_user(User(row=dict(store.get_user_by_email(db, EMAIL)), token="bench"))
        # What the page shows, gathered once as the view does; then its rendering alone.
        context = overview_page(db, scope, filters, app.extensions["criteria"], "nl", date(2026, 1, 1), 6, app.config["LOW_COVERAGE"])
        rows = context["rows"]

        def render():
            return render_template("overview/index.html", **context)

        render_ms = median_ms(render)
        criteria = app.extensions["criteria"]
        generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        aggregate_ms = median_ms(lambda: monitor_report_data(db, scope, filters, criteria, "nl", False, generated), repeat=3)
        data = monitor_report_data(db, scope, filters, criteria, "nl", False, generated)
        start = time.perf_counter()
        pdf = build_monitor_report(data)
        pdf_seconds = time.perf_counter() - start
    db.conn.close()
    return {"sql": sql_ms, "render": render_ms, "aggregate": aggregate_ms, "pdf": pdf_seconds, "pdf_bytes": len(pdf), "rows": len(rows)}


def over_http(path: Path) -> dict:
    with gunicorn(path) as (port, _server):
        bare, page = Client("127.0.0.1", port), Client("127.0.0.1", port)
        page.login(EMAIL, PASSWORD)
        times = {"bare": [], "overview": [], "report": [], "report_all": []}
        for _ in range(3):
            page.get("/compare/")
        for _ in range(12):
            times["bare"].append(bare.get("/bench/bare")[1])
            times["overview"].append(page.get("/compare/")[1])
        year_ago = (date.today() - timedelta(days=365)).isoformat()
        for _ in range(2):
            times["report"].append(page.get(f"/reports/monitor.pdf?closed=all&from={year_ago}")[1])
        for _ in range(3):
            times["report_all"].append(page.get("/reports/monitor.pdf?closed=all")[1])
    return {k: 1000 * statistics.median(v) for k, v in times.items()}


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "scale.sqlite"
    app = build(path)
    local = in_process(app, path)
    http = over_http(path)
    print(f"\noverview of {local['rows']} locations (a monitor: submitted visits of all organisations)")
    print(f"  raw SQL of the overview alone:   {local['sql']:8.1f} ms")
    print(f"  rendering the page alone:        {local['render']:8.1f} ms")
    print(f"  overview page through gunicorn:  {http['overview']:8.1f} ms = {http['overview'] / http['bare']:.0f}x a bare route ({http['bare']:.2f} ms), "
          f"{http['overview'] / local['sql']:.1f}x the raw SQL")
    print(f"  aggregate report queries:        {local['aggregate']:8.1f} ms = {local['aggregate'] / local['sql']:.1f}x the overview's SQL")
    print(f"  aggregate PDF, all {local['rows']} locations, ten years: {local['pdf']:.2f} s to build the PDF ({local['pdf_bytes'] / 1024:.0f} KB); "
          f"{http['report_all'] / 1000:.2f} s through gunicorn, queries included")
    print(f"  aggregate PDF, all {local['rows']} locations, the last 12 months: {http['report'] / 1000:.2f} s through gunicorn, queries included")
    target = 5 * local["sql"] + local["render"]
    print("\ntargets")
    print(f"  [{'met' if http['overview'] <= target else 'MISSED'}] overview <= 5 x raw SQL + rendering ({http['overview']:.0f} <= {target:.0f} ms)")
    print(f"  [{'met' if http['report'] <= 5_000 else 'MISSED'}] aggregate PDF for all locations over a year in a few seconds (<= 5 s)")
    ratio = local["aggregate"] / local["sql"]
    print(f"  [{'met' if ratio <= 3 else 'MISSED'}] aggregate report's queries <= 3 x the overview's raw SQL ({ratio:.1f}x)")
    print(f"  [{'met' if http['report_all'] <= 1_000 else 'MISSED'}] the whole ten-year report through gunicorn <= 1 s ({http['report_all'] / 1000:.2f} s)")


if __name__ == "__main__":
    main()
