"""WCAG 2.2 AA in a real browser: axe-core on every page type, at phone and desktop size, in
Dutch and English, signed in as the role that sees the page; and what axe does not check
(focus under the sticky bar, the focus ring's contrast, reflow at 320 px, the amber badge,
`dir="auto"` on text areas, the password field).

axe-core is vendored in tests/browser/vendor/ (see README there). One server with the shipped
criteria and one set of seeded visits per module; one browser context per role, size and language."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from checklist import create_app
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD
from tests.conftest import ROOT
from tests.conftest import add_users
from tests.conftest import make_config

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


@dataclass
class Site:
    base: str
    ids: dict


def _seed(app) -> dict:
    """Two locations with a submitted visit each (one with failed criteria and an action), a later
    draft at the first location in a blind calibration pair, and a child's voice."""
    from checklist import store
    from checklist.core.criteria import load_criteria
    from checklist.store.connection import connect
    from checklist.views.common import hash_password
    from tests.conftest import create_location
    from tests.conftest import create_visit
    from tests.conftest import login

    with app.app_context():
        db = connect(app.config["DATABASE"])
        store.create_user(db, "visitor2@a.test", "Wim Tweede", 1, "visitor", hash_password(PASSWORD))
        db.conn.close()
    criteria = load_criteria(app.config["CRITERIA_PATH"])
    domain = criteria.domains[0]
    failed = {}
    for c in domain.criteria:
        key = c.id.replace(".", "__")
        if c.kind == "rating":
            failed[f"value_{key}"] = "fails"
        elif c.kind == "yesno":
            failed[f"value_{key}"] = "no"
    rated = next(c.id for c in domain.criteria if c.kind == "rating")
    app.config["WTF_CSRF_ENABLED"] = False
    visitor = login(app.test_client())
    visitor2 = login(app.test_client(), "visitor2@a.test")
    coordinator = login(app.test_client(), "coordinator@a.test")
    location = create_location(visitor, name="Azc Bloemhof")
    other = create_location(visitor, name="Noodopvang Hal 7", type="noodopvang")
    submitted = create_visit(visitor, location, visit_date="2026-01-15")
    visitor.post(f"/visits/{submitted}/domains/{domain.id}", data={**failed, f"note_{rated.replace('.', '__')}": "Speelkamer dicht"})
    visitor.post(f"/visits/{submitted}/children", data={"age_band": "6-11", "domain_id": domain.id, "text": "Ik wil buiten spelen"})
    assert visitor.post(f"/visits/{submitted}/submit").status_code in (302, 303)
    response = visitor.post(
        f"/visits/{submitted}/actions",
        data={"criterion_id": rated, "what": "Speelkamer elke middag open", "owner": "COA locatiemanager", "due_on": "2026-06-01"},
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    second = create_visit(visitor, other, visit_date="2026-02-01")
    visitor.post(f"/visits/{second}/domains/{domain.id}", data={k: ("meets" if v == "fails" else "yes") for k, v in failed.items()})
    assert visitor.post(f"/visits/{second}/submit").status_code in (302, 303)
    draft = create_visit(visitor, location, visit_date="2026-03-10")
    draft_b = create_visit(visitor2, location, visit_date="2026-03-09")
    visitor.post(f"/visits/{draft}/domains/{domain.id}", data={f"value_{rated.replace('.', '__')}": "partly"})
    response = coordinator.post(f"/visits/{draft}/calibration", data={"other": str(draft_b)})
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    pair = int(response.location.rstrip("/").split("/")[-1])
    app.config["WTF_CSRF_ENABLED"] = True
    return {"location": location, "other": other, "submitted": submitted, "draft": draft, "domain": domain.id, "pair": pair}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("a11y")
    app = create_app(make_config(tmp, CRITERIA_PATH=str(ROOT / "criteria.yaml"), WTF_CSRF_ENABLED=True))
    add_users(app)
    ids = _seed(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Site(f"http://127.0.0.1:{server.server_port}", ids)
    server.shutdown()
    thread.join(timeout=5)


def pages(ids) -> list[tuple[str | None, list[str]]]:
    """Every page type, under the role that sees it (None: not signed in)."""
    loc, sub, draft, dom = ids["location"], ids["submitted"], ids["draft"], ids["domain"]
    return [
        (None, ["/login"]),
        (
            "visitor@a.test",
            [
                "/locations/",
                f"/locations/{loc}",
                f"/locations/{loc}/visits/new",
                f"/visits/{draft}/details",
                f"/visits/{draft}/domains/{dom}",
                f"/visits/{draft}/children",
                f"/visits/{draft}/review",
                f"/visits/{draft}",
                f"/visits/{sub}",
                "action-form-errors",
                "/compare/",
            ],
        ),
        (
            "coordinator@a.test",
            [
                f"/visits/{sub}",
                "/compare/",
                f"/compare/side?location={loc}&location={ids['other']}",
                "/reports/",
                "/calibration/",
                f"/calibration/{ids['pair']}",
            ],
        ),
        ("monitor@m.test", ["/compare/", "/reports/"]),
        ("admin@a.test", ["/admin/users/", "/admin/users/new", "/admin/audit/", "/admin/organisations/"]),
    ]


def new_context(browser, base: str, size: str, lang: str, width: int | None = None):
    viewport = dict(SIZES[size]) if width is None else {"width": width, "height": 800}
    context = browser.new_context(viewport=viewport, bypass_csp=True)  # bypass_csp: to inject axe
    context.add_cookies([{"name": "lang", "value": lang, "url": base}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def open_page(page, base: str, path: str, ids: dict) -> str:
    """Go to `path`; "action-form-errors" is the action form sent back with its errors."""
    if path == "action-form-errors":
        page.goto(f"{base}/visits/{ids['submitted']}")
        with page.expect_navigation():
            page.evaluate("() => { const f = document.querySelector('details.record-action form'); f.noValidate = true; f.requestSubmit(); }")
        return f"/visits/{ids['submitted']}/actions (errors)"
    page.goto(f"{base}{path}")
    return path


def axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(' ') + (n.failureSummary ? ' — ' + n.failureSummary.replace(/\\s+/g, ' ') : ''))}));
        }""",
        AXE_TAGS,
    )


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_every_page_passes_axe(browser, site, size, lang):
    found = []
    checked = 0
    for role, paths in pages(site.ids):
        context, page = new_context(browser, site.base, size, lang)
        if role:
            sign_in(page, site.base, role)
        for path in paths:
            shown = open_page(page, site.base, path, site.ids)
            checked += 1
            for v in axe_violations(page):
                found.append(f"{role or 'anonymous'} {shown}: {v['id']} ({v['impact']}) {v['help']}\n    " + "\n    ".join(v["targets"][:5]))
        context.close()
    assert checked >= 24
    assert not found, f"{len(found)} axe violations at {size}, {lang}:\n" + "\n".join(found)
