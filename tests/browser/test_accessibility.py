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
    """Two locations with submitted visits (the first two, one with failed criteria and an action), a later
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
    later = create_visit(visitor, location, visit_date="2026-02-20")  # a trend on the location page
    visitor.post(f"/visits/{later}/domains/{domain.id}", data={k: ("partly" if v == "fails" else "yes") for k, v in failed.items()})
    assert visitor.post(f"/visits/{later}/submit").status_code in (302, 303)
    second = create_visit(visitor, other, visit_date="2026-02-01")
    visitor.post(f"/visits/{second}/domains/{domain.id}", data={k: ("meets" if v == "fails" else "yes") for k, v in failed.items()})
    assert visitor.post(f"/visits/{second}/submit").status_code in (302, 303)
    draft = create_visit(visitor, location, visit_date="2026-03-10")
    draft_b = create_visit(visitor2, location, visit_date="2026-03-09")
    visitor.post(f"/visits/{draft}/domains/{domain.id}", data={f"value_{rated.replace('.', '__')}": "partly"})
    response = coordinator.post(f"/visits/{draft}/calibration", data={"other": str(draft_b)})
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    pair = int(response.location.rstrip("/").split("/")[-1])
    # The right of reply: the first visit's findings sent to the operator of its location.
    from tests.conftest import invite_operator
    from tests.conftest import operator_login

    response = coordinator.post(f"/visits/{submitted}/send", data={"reply_due": "2099-01-01"})
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    send = int(response.location.rstrip("/").split("/")[-1])
    OPERATOR_PASSWORD[:] = [invite_operator(app, [location])]
    operator = operator_login(app, password=OPERATOR_PASSWORD[0])
    app.config["WTF_CSRF_ENABLED"] = True
    return {"location": location, "other": other, "submitted": submitted, "draft": draft, "domain": domain.id, "pair": pair, "send": send, "recovery": operator.recovery_codes}


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
        (None, ["/login", "login-error", "/offline/shell"]),  # the start page a device shows offline
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
                "/account/password",
                "/visits/999999",
                "/account/second-factor",
                "/offline/shell",
            ],
        ),
        (
            "coordinator@a.test",
            [
                "/locations/new",
                f"/locations/{loc}/edit",
                f"/visits/{sub}",
                "/compare/",
                f"/compare/side?location={loc}&location={ids['other']}",
                "/reports/",
                "/calibration/",
                f"/calibration/{ids['pair']}",
                f"/visits/{sub}/calibration",
                "/kobo/",
                "/follow-up/",
                "/operators/",
                "/planning/",
                f"/sent/{ids['send']}",
            ],
        ),
        ("olga@coa.example", ["/operator/", f"/sent/{ids['send']}"]),  # an operator: its own pages only
        ("monitor@m.test", ["/compare/", "/reports/", f"/visits/{sub}"]),  # actions under their criteria, read-only
        ("admin@a.test", ["/admin/users/", "/admin/users/new", "/admin/users/1", "/admin/audit/"]),
        ("system@s.test", ["/admin/users/", "/admin/organisations/"]),
    ]


def operator_sign_in(page, base: str, recovery_code: str) -> None:
    """The operator's password, then one of its recovery codes in place of an app's code."""
    page.goto(f"{base}/login")
    page.locator("#email").fill("olga@coa.example")
    page.locator("#password").fill(OPERATOR_PASSWORD[0])
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_url(f"{base}/login/code")
    page.locator("#code").fill(recovery_code)
    page.locator("form.stacked button[type=submit]").click()
    try:
        page.wait_for_url(f"{base}/operator/")
    except Exception as error:  # say where the sign-in stopped, for a run that cannot be repeated
        raise AssertionError(f"the operator was not signed in: {page.url}: {page.locator('main').inner_text()[:600]}") from error


OPERATOR_PASSWORD: list[str] = []


def sign_in_as(page, site, role: str | None) -> None:
    """Through the login page as `role` (None: stay signed out); the operator with a recovery code."""
    if role == "olga@coa.example":
        operator_sign_in(page, site.base, site.ids["recovery"].pop())
    elif role:
        sign_in(page, site.base, role)


def new_context(browser, base: str, size: str, lang: str, width: int | None = None):
    viewport = dict(SIZES[size]) if width is None else {"width": width, "height": 800}
    context = browser.new_context(viewport=viewport, bypass_csp=True)  # bypass_csp: to inject axe
    context.add_cookies([{"name": "lang", "value": lang, "url": base}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def open_page(page, base: str, path: str, ids: dict) -> str:
    """Go to `path`; "action-form-errors" is the action form sent back with its errors,
    "login-error" the login page after a wrong password."""
    if path == "login-error":
        page.goto(f"{base}/login")
        page.locator("#email").fill("visitor@a.test")
        page.locator("#password").fill("niet het wachtwoord")
        with page.expect_navigation():
            page.locator("form.stacked button[type=submit]").click()
        return "/login (wrong password)"
    if path == "action-form-errors":
        page.goto(f"{base}/visits/{ids['submitted']}")
        with page.expect_navigation():
            page.evaluate("() => { const f = document.querySelector('details.record-action form'); f.noValidate = true; f.requestSubmit(); }")
        return f"/visits/{ids['submitted']}/actions (errors)"
    response = page.goto(f"{base}{path}")
    assert response.status == (404 if path == "/visits/999999" else 200), (path, response.status)  # the page itself, not an error
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
        sign_in_as(page, site, role)
        for path in paths:
            shown = open_page(page, site.base, path, site.ids)
            checked += 1
            for v in axe_violations(page):
                found.append(f"{role or 'anonymous'} {shown}: {v['id']} ({v['impact']}) {v['help']}\n    " + "\n    ".join(v["targets"][:5]))
        context.close()
    assert checked >= 30
    assert not found, f"{len(found)} axe violations at {size}, {lang}:\n" + "\n".join(found)


# -- beyond axe ---------------------------------------------------------------------------


def luminance(rgb) -> float:
    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def rgb(css: str) -> tuple[int, ...]:
    """'rgb(1, 2, 3)' or 'rgba(1, 2, 3, 0.5)' as numbers (alpha left out: callers skip transparent)."""
    return tuple(int(float(x)) for x in re.findall(r"[\d.]+", css)[:3])


# The colour an element's outline is drawn on: the first opaque background of its parent chain
# (the outline sits outside the element, offset by outline-offset).
BACKDROP_JS = """(el) => {
    let node = el.parentElement;
    while (node) {
        const bg = getComputedStyle(node).backgroundColor;
        if (bg && bg !== 'transparent' && !/rgba\\(.*,\\s*0\\)$/.test(bg)) return bg;
        node = node.parentElement;
    }
    return 'rgb(255, 255, 255)';
}"""

FOCUS_JS = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const s = getComputedStyle(el), r = el.getBoundingClientRect();
    const bars = [...document.querySelectorAll('.actions.sticky')].filter(b => !b.contains(el)).map(b => b.getBoundingClientRect());
    return {tag: el.tagName, name: (el.id || el.name || el.textContent || '').trim().slice(0, 40),
            outlineStyle: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth), outlineColor: s.outlineColor,
            offset: parseFloat(s.outlineOffset), own: s.backgroundColor,
            top: r.top, bottom: r.bottom, height: r.height, viewport: innerHeight,
            bars: bars.map(b => ({top: b.top, bottom: b.bottom}))};
}"""


def tab_through(page, count: int):
    """Press Tab `count` times; yield what has the focus after each press."""
    for _ in range(count):
        page.keyboard.press("Tab")
        info = page.evaluate(FOCUS_JS)
        if info is not None:
            info["backdrop"] = page.evaluate(BACKDROP_JS, page.evaluate_handle("document.activeElement"))
            yield info


@pytest.fixture(scope="module")
def visitor_pages(browser, site):
    """A signed-in visitor on a phone, in English (one context for the checks below)."""
    context, page = new_context(browser, site.base, "phone", "en")
    sign_in(page, site.base, "visitor@a.test")
    yield page
    context.close()


def test_focus_is_never_hidden_under_the_sticky_bar(visitor_pages, site):
    page = visitor_pages
    page.goto(f"{site.base}/visits/{site.ids['draft']}/domains/{site.ids['domain']}")
    hidden = []
    seen = 0
    for info in tab_through(page, 80):
        seen += 1
        for bar in info["bars"]:
            # SC 2.4.11: the focused control may not be entirely covered; we ask more: not at all.
            if info["bottom"] > bar["top"] + 1 and info["top"] < bar["bottom"]:
                hidden.append(f"{info['tag']} {info['name']!r}: {info['top']:.0f}-{info['bottom']:.0f}, bar from {bar['top']:.0f}")
    assert seen > 40
    assert not hidden, "focus under the sticky bar:\n" + "\n".join(hidden)


@pytest.mark.parametrize("where", ["login", "checklist", "header", "overview", "visit"])
def test_the_focus_ring_has_3_to_1_contrast_against_what_surrounds_it(browser, site, visitor_pages, where):
    if where == "login":
        context, page = new_context(browser, site.base, "desktop", "nl")
        page.goto(f"{site.base}/login")
        presses = 12
    elif where in ("overview", "visit"):  # links on the status colours of the heatmap and the score table
        context, page = None, visitor_pages
        page.goto(f"{site.base}/compare/" if where == "overview" else f"{site.base}/visits/{site.ids['submitted']}")
        presses = 70
    else:
        context, page = None, visitor_pages
        page.goto(f"{site.base}/visits/{site.ids['draft']}/domains/{site.ids['domain']}")
        presses = 40 if where == "checklist" else 8  # the first presses are in the blue header
    weak = []
    seen = 0
    for info in tab_through(page, presses):
        seen += 1
        if info["outlineStyle"] == "none" or info["outlineWidth"] < 2:
            weak.append(f"{info['tag']} {info['name']!r}: no visible outline ({info['outlineStyle']} {info['outlineWidth']}px)")
            continue
        backdrop = info["backdrop"] if info["offset"] >= 0 else info["own"]
        ratio = contrast(rgb(info["outlineColor"]), rgb(backdrop))
        if ratio < 3:
            weak.append(f"{info['tag']} {info['name']!r}: outline {info['outlineColor']} on {backdrop} is {ratio:.2f}:1")
    if context:
        context.close()
    assert seen >= min(presses, 5)
    assert not weak, "focus ring below 3:1:\n" + "\n".join(weak)


def test_pages_reflow_at_320_px(browser, site):
    """SC 1.4.10: no sideways page scroll at 320 px on any page (a wide table scrolls in its own box)."""
    wide = {}
    checked = set()
    for role, paths in pages(site.ids):
        context, page = new_context(browser, site.base, "phone", "nl", width=320)
        sign_in_as(page, site, role)
        for path in paths:
            shown = open_page(page, site.base, path, site.ids)
            checked.add(shown)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 320:
                wide[f"{role} {shown}"] = width
        context.close()
    for named in ("/locations/%d" % site.ids["location"], "/visits/%d" % site.ids["submitted"], "/visits/%d/review" % site.ids["draft"]):
        assert named in checked
    assert f"/visits/{site.ids['draft']}/domains/{site.ids['domain']}" in checked
    assert not wide, f"wider than the 320 px screen: {wide}"


def test_the_amber_status_badge_meets_text_contrast(visitor_pages, site):
    page = visitor_pages
    page.goto(f"{site.base}/compare/")
    badge = page.locator(".badge.status-amber").first
    colours = badge.evaluate("el => [getComputedStyle(el).color, getComputedStyle(el).backgroundColor]")
    assert contrast(rgb(colours[0]), rgb(colours[1])) >= 4.5, colours
    # Every amber text on its amber background across the visit page too.
    page.goto(f"{site.base}/visits/{site.ids['submitted']}")
    pairs = page.evaluate(
        """() => [...document.querySelectorAll('.status-amber, .tag.draft')].map(el => [getComputedStyle(el).color, getComputedStyle(el).backgroundColor])"""
    )
    for colour, background in pairs:
        assert contrast(rgb(colour), rgb(background)) >= 4.5, (colour, background)


def test_every_text_area_reads_in_its_own_direction(visitor_pages, site):
    page = visitor_pages
    directions = {}
    for path in (
        f"/visits/{site.ids['draft']}/domains/{site.ids['domain']}",
        f"/visits/{site.ids['draft']}/children",
        f"/visits/{site.ids['draft']}/details",
        f"/visits/{site.ids['submitted']}",
    ):
        page.goto(f"{site.base}{path}")
        for name, direction in page.evaluate("() => [...document.querySelectorAll('textarea')].map(t => [t.name, t.getAttribute('dir')])"):
            directions[f"{path} {name}"] = direction
    assert len(directions) >= 5
    assert all(d == "auto" for d in directions.values()), directions
    # And Arabic typed into a note is laid out right to left.
    page.goto(f"{site.base}/visits/{site.ids['draft']}/domains/{site.ids['domain']}")
    note = page.locator("textarea").first
    note.fill("الأطفال يلعبون في الخارج")
    assert note.evaluate("t => t.matches(':dir(rtl)')")


def test_the_password_field_looks_like_the_other_fields(browser, site):
    """On the login page and on the administrator's new-account form."""
    context, page = new_context(browser, site.base, "desktop", "en")
    props = ["borderTopWidth", "borderTopColor", "borderRadius", "paddingLeft", "fontSize", "fontFamily", "backgroundColor", "width"]
    compare = """(props) => ['#email', '#password'].map(sel => { const el = document.querySelector(sel), s = getComputedStyle(el);
        return Object.fromEntries(props.map(p => [p, s[p]]).concat([['height', el.getBoundingClientRect().height]])); })"""
    page.goto(f"{site.base}/login")
    login_styles = page.evaluate(compare, props)
    sign_in(page, site.base, "admin@a.test")
    page.goto(f"{site.base}/admin/users/new")
    admin_styles = page.evaluate(compare, props)
    context.close()
    assert login_styles[0] == login_styles[1]
    assert admin_styles[0] == admin_styles[1]


# -- charts on a phone ----------------------------------------------------------------------

# Each chart image on the page, its SVG put into the page at its own size to measure: the
# smallest label as displayed (its font size times the SVG's scale times the image's), and the
# width of a label in its font beside the same label in the browser's serif and sans-serif.
CHARTS_JS = """async () => {
    const out = [];
    for (const img of document.querySelectorAll('img.chart, img.legend-chart')) {
        if (!img.complete || !img.naturalWidth) await img.decode();
        const shown = img.getBoundingClientRect().width / img.naturalWidth;
        const source = await (await fetch(img.currentSrc)).text();
        const holder = document.createElement('div');
        holder.style.cssText = 'position: absolute; left: 0; top: 0; visibility: hidden';
        holder.innerHTML = source.replace(/<\\?xml[^>]*>|<!DOCTYPE[^>]*>/g, '');
        document.body.appendChild(holder);
        const texts = [...holder.querySelectorAll('text')];
        let smallest = Infinity;
        for (const t of texts) {
            const m = t.getScreenCTM();
            smallest = Math.min(smallest, parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b) * shown);
        }
        const label = texts.find(t => t.textContent.trim().length > 4) || texts[0];
        const width = family => { const c = label.cloneNode(true); if (family) c.style.fontFamily = family;
            label.parentNode.appendChild(c); const w = c.getComputedTextLength(); c.remove(); return w; };
        out.push({src: img.currentSrc, texts: texts.length, smallest, family: getComputedStyle(label).fontFamily,
                  fills: [...new Set(texts.map(t => getComputedStyle(t).fill))],
                  own: width(null), serif: width('serif'), sans: width('sans-serif')});
        holder.remove();
    }
    return out;
}"""


def test_charts_are_readable_on_a_phone(browser, site):
    context, page = new_context(browser, site.base, "phone", "en")
    sign_in(page, site.base, "coordinator@a.test")
    charts = []
    for path in (f"/locations/{site.ids['location']}", f"/visits/{site.ids['submitted']}", "/compare/"):
        page.goto(f"{site.base}{path}")
        charts += page.evaluate(CHARTS_JS)
    context.close()
    assert len(charts) == 4, charts
    for chart in charts:
        assert chart["texts"] > 0, chart
        assert chart["smallest"] >= 12, chart
        # The font the SVG names is one the browser has: not the serif it falls back to.
        assert chart["family"].split(",")[-1].strip() in ("sans-serif", "serif", "monospace"), chart
        assert abs(chart["own"] - chart["serif"]) > 0.5, chart
        # Every label reads on the chart's white: the amber threshold number too.
        for fill in chart["fills"]:
            assert contrast(rgb(fill), (255, 255, 255)) >= 4.5, (chart["src"], fill)


def test_heatmap_cells_show_their_status_by_a_symbol_too(browser, site):
    """Colour is never the only cue: each status colour comes with its own visible symbol."""
    context, page = new_context(browser, site.base, "phone", "nl")
    sign_in(page, site.base, "coordinator@a.test")
    marks = {}
    for path in ("/compare/", f"/compare/side?location={site.ids['location']}&location={site.ids['other']}"):
        page.goto(f"{site.base}{path}")
        cells = page.evaluate(
            """() => [...document.querySelectorAll('td.cell[class*="status-"]')].map(td => {
                const status = [...td.classList].find(c => c.startsWith('status-'));
                const mark = td.querySelector('.status-mark');
                const box = mark && mark.getBoundingClientRect();
                return [status, mark && box.width > 0 && box.height > 0 ? mark.textContent.trim() : null, td.style.color];
            })"""
        )
        assert len(cells) >= 4, cells
        for status, mark, _colour in cells:
            assert mark, f"{path}: a {status} cell without a visible symbol"
            marks.setdefault(status, set()).add(mark)
    context.close()
    assert len(marks) >= 2, marks  # this seed gives at least two statuses
    assert all(len(m) == 1 for m in marks.values()), marks  # one symbol per status
    assert len({next(iter(m)) for m in marks.values()}) == len(marks), marks  # and no two alike

