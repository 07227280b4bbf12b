"""`python -m bench.slow`: the visitor's phone on a slow line (issue 17 §7), in Chromium.

The profile the issue was measured with: 400 ms of round trip, 400 kbit/s each way (a proxy
on 127.0.0.1, `bench/throttle.py`: Chromium's network emulation would not slow the service
worker, which fetches every request of this app's pages) and a CPU four times slower
(Chromium's own `Emulation.setCPUThrottlingRate`). The app runs under gunicorn as
`gunicorn.conf.py` serves it, on a small data set. For each step a visitor takes, the bytes
that crossed the line (compressed, as sent, both ways) and the seconds until the page's `load`
event, in three rounds, each in a new browser profile; the spread between the rounds is
printed. Every time is also divided by a baseline measured in the same run on the same line:
a bare route that answers "ok" (`/bench/bare`), which is what the line itself costs.

- the sign-in page, first visit (an empty cache: the page, its style sheet and scripts);
- a domain page of a draft, the static files cached as after the first page;
- the visit page;
- "take this visit offline", from the click to "on this device", the static files cached.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

ROUNDS = 3
LATENCY_MS = 400
KBIT = 400
CPU_SLOWDOWN = 4
EMAIL, PASSWORD = "slow@bench.invalid", "benchmark wachtwoord lang genoeg"
# The targets: bytes over the wire, seconds.
TARGETS = {
    "sign-in page, first visit": (40_000, None),
    "domain page": (20_000, 1.2),
    "visit page": (None, None),
    "take this visit offline": (250_000, 8.0),
}


def build(path: Path) -> tuple[int, int]:
    """A small data set and a draft with answers on its first domain: (draft id, location id)."""
    from checklist import create_app
    from checklist import store
    from checklist.core.save_protocol import Answer
    from checklist.store.connection import connect
    from checklist.views.common import hash_password

    from bench.data import generate

    app = create_app({"DATABASE": str(path), "SECRET_KEY": "bench-secret-key-0123456789", "TOTP_REQUIRED_ROLES": [], "WTF_CSRF_ENABLED": False})
    criteria = app.extensions["criteria"]
    db = connect(path)
    generate(db, criteria, 5, 3)
    with app.app_context():
        store.create_user(db, EMAIL, "Bench", 1, "visitor", hash_password(PASSWORD))
    location = db["locations"].get(1)
    draft = store.create_visit(db, 1, {"visit_date": "2026-11-01", "organisation_id": 1, "visitors": "B.", "announced": 1}, criteria.hash)
    first = criteria.domains_for(location["type"])[0]
    store.save_answers(db, draft, {c.id: store.Edit(Answer(value="meets" if c.kind == "rating" else None, note="Gezien.")) for c in first.criteria_for(location["type"]) if c.kind != "count"})
    db.conn.close()
    return draft, [d.id for d in criteria.domains_for(location["type"])]


def slow_page(browser, proxy):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(120_000)
    cdp = context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    return context, page, proxy


def timed(wire, action) -> tuple[int, float]:
    time.sleep(1.0)  # what the page before still loads (a module imported late) is not counted
    wire.take()
    start = time.perf_counter()
    action()
    seconds = time.perf_counter() - start
    time.sleep(1.0)  # what this page still loads after `load` counts with it
    return wire.take(), seconds


def one_round(browser, proxy, base: str, draft: int, domains: list[str], turn: int) -> dict[str, tuple[int, float]]:
    out = {}
    context, page, wire = slow_page(browser, proxy)
    try:
        out["bare route (baseline)"] = timed(wire, lambda: page.goto(f"{base}/bench/bare", wait_until="load"))
        out["sign-in page, first visit"] = timed(wire, lambda: page.goto(f"{base}/login", wait_until="load"))
        page.locator("#email").fill(EMAIL)
        page.locator("#password").fill(PASSWORD)
        with page.expect_navigation():
            page.locator("form.stacked button[type=submit]").click()
        page.goto(f"{base}/visits/{draft}/domains/{domains[0]}", wait_until="load")  # the static files are cached now
        out["domain page"] = timed(wire, lambda: page.goto(f"{base}/visits/{draft}/domains/{domains[1 + turn % (len(domains) - 1)]}", wait_until="load"))
        out["visit page"] = timed(wire, lambda: page.goto(f"{base}/visits/{draft}", wait_until="load"))

        def take_offline():
            page.locator("#offline-panel .take-offline").click()
            page.locator("#offline-panel .offline-state", has_text="Op dit apparaat sinds").wait_for()

        out["take this visit offline"] = timed(wire, take_offline)
    finally:
        context.close()
    return out


def main() -> None:
    from playwright.sync_api import sync_playwright

    from bench.serve import gunicorn
    from bench.throttle import SlowProxy

    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "slow.sqlite"
        draft, domains = build(db_path)
        with gunicorn(db_path) as (port, _server), SlowProxy(port, LATENCY_MS, KBIT) as proxy, sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
            base = f"http://127.0.0.1:{proxy.port}"
            rounds = [one_round(browser, proxy, base, draft, domains, turn) for turn in range(ROUNDS)]
            browser.close()
    print(f"\nthe slow profile (Chromium: {LATENCY_MS} ms latency, {KBIT} kbit/s, CPU {CPU_SLOWDOWN}x slower; 390 x 844; {ROUNDS} rounds)")
    print(f"  {'':28} {'KB on the line':>16} {'seconds':>8} {'rounds s':>14} {'spread':>7} {'x bare':>7}   target")
    bare = statistics.median(r["bare route (baseline)"][1] for r in rounds)
    for name in rounds[0]:
        sizes = [r[name][0] for r in rounds]
        times = [r[name][1] for r in rounds]
        median = statistics.median(times)
        spread = (max(times) - min(times)) / median if median else 0
        kb = statistics.median(sizes) / 1000
        target = TARGETS.get(name)
        verdict = ""
        if target:
            limit_bytes, limit_seconds = target
            parts = []
            if limit_bytes:
                parts.append(f"<= {limit_bytes // 1000} KB: {'met' if kb * 1000 <= limit_bytes else 'missed'}")
            if limit_seconds:
                parts.append(f"<= {limit_seconds:g} s: {'met' if median <= limit_seconds else 'missed'}")
            verdict = "; ".join(parts)
        print(f"  {name:28} {kb:>16.1f} {median:>8.2f} {min(times):>6.2f}-{max(times):<6.2f} {spread:>6.0%} {median / bare:>7.1f}   {verdict}")


if __name__ == "__main__":
    main()
