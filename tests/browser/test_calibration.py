"""A blind calibration pair end to end in a real browser: a coordinator pairs two drafts by
two visitors, visitor B answers and submits, visitor A cannot see B's visit or answers
anywhere while answering, A submits, and the calibration page shows the agreement."""

from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD
from tests.conftest import flat
from tests.conftest import pdftotext

pytestmark = pytest.mark.browser

SECRET_B = "Speelkamer op slot volgens bezoeker B"


def seed(app) -> dict:
    """A second visitor of organisation 1; one location; a draft by each visitor, B's a day earlier."""
    from checklist import store
    from checklist.store.connection import connect
    from checklist.views.common import hash_password
    from tests.conftest import create_location
    from tests.conftest import create_visit
    from tests.conftest import login

    with app.app_context():
        db = connect(app.config["DATABASE"])
        store.create_user(db, "visitor2@a.test", "Wim Tweede", 1, "visitor", hash_password(PASSWORD))
        db.conn.close()
    app.config["WTF_CSRF_ENABLED"] = False
    a = login(app.test_client(), "visitor@a.test")
    b = login(app.test_client(), "visitor2@a.test")
    location = create_location(a, name="Azc Tweespraak")
    visit_b = create_visit(b, location, visit_date="2026-03-09", visitors="W.T.")
    visit_a = create_visit(a, location, visit_date="2026-03-10", visitors="V.V.")
    app.config["WTF_CSRF_ENABLED"] = True
    return {"location": location, "a": visit_a, "b": visit_b}


def new_page(browser):
    context = browser.new_context(accept_downloads=True, viewport={"width": 820, "height": 1180})
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def answer_and_submit(page, base, visit_id, space: str, note: str):
    page.goto(f"{base}/visits/{visit_id}/domains/play")
    page.locator("#c-play__space").get_by_label(space).check()
    page.get_by_label("Note: what you saw or heard").first.fill(note)
    page.locator("#c-play__outdoor").get_by_label("Yes").check()
    page.get_by_role("button", name="Safety →").click()
    page.wait_for_url("**/domains/safety")
    page.locator("#c-safety__fire").get_by_label("Yes").check()
    page.get_by_role("button", name="Review and submit →").click()
    page.get_by_role("button", name="Submit the visit").click()
    page.wait_for_url(f"**/visits/{visit_id}")


def test_blind_calibration_pair(browser, page, live_server, live_app, tmp_path):
    ids = seed(live_app)
    # The coordinator pairs the two drafts from visit A's page.
    sign_in(page, live_server, "coordinator@a.test")
    page.get_by_role("button", name="English").click()
    page.goto(f"{live_server}/visits/{ids['a']}")
    page.get_by_role("link", name="Pair for calibration").click()
    page.get_by_role("radio", name="2026-03-09").check()
    page.get_by_role("button", name="Make the calibration pair").click()
    page.get_by_text("Not complete").first.wait_for()

    # Visitor B answers and submits.
    page_b = new_page(browser)
    sign_in(page_b, live_server, "visitor2@a.test")
    page_b.get_by_role("button", name="English").click()
    answer_and_submit(page_b, live_server, ids["b"], "Does not meet", SECRET_B)

    # Visitor A sees nothing of B: not on the location page, not as the previous visit, not by its address.
    page_a = new_page(browser)
    sign_in(page_a, live_server, "visitor@a.test")
    page_a.get_by_role("button", name="English").click()
    page_a.goto(f"{live_server}/locations/{ids['location']}")
    assert page_a.locator(f"a[href='/visits/{ids['b']}']").count() == 0
    assert page_a.locator(f"a[href='/visits/{ids['a']}']").count() == 1
    page_a.goto(f"{live_server}/visits/{ids['a']}")
    assert page_a.get_by_text("part of a blind calibration pair").is_visible()
    page_a.goto(f"{live_server}/visits/{ids['a']}/domains/play")
    assert SECRET_B not in page_a.content()
    assert page_a.goto(f"{live_server}/visits/{ids['b']}").status == 404
    assert page_a.goto(f"{live_server}/visits/{ids['b']}/report.pdf").status == 404

    # A answers (partly instead of B's does not meet) and submits: the pair is complete.
    answer_and_submit(page_a, live_server, ids["a"], "Partly", "Speelkamer open tot vier uur")
    page_a.get_by_role("link", name="Agreement between the two visits").click()
    page_a.locator("#agreement").wait_for()
    overall = page_a.locator("#agreement tr.overall").inner_text()
    assert "67% (2)" in overall  # play.space differs; play.outdoor and safety.fire agree
    differences = page_a.locator("table.differences").inner_text()
    assert SECRET_B in differences and "Speelkamer open tot vier uur" in differences
    assert "Does not meet" in differences and "Partly" in differences
    with page_a.expect_download() as download:
        page_a.get_by_role("link", name="Download PDF report").click()
    path = tmp_path / "calibration.pdf"
    download.value.save_as(path)
    assert SECRET_B in flat(pdftotext(path.read_bytes(), tmp_path))

    # The coordinator finds the criteria ranked by agreement from the navigation.
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Calibration").click()
    ranking = page.locator("#ranking")
    assert "play.space" in ranking.locator("tbody tr").first.inner_text()
    page_a.context.close()
    page_b.context.close()
