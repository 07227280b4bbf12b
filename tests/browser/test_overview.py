"""Coordinators and monitors in a real browser: overview filters, a score to its visit, reports."""

from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in
from tests.conftest import flat
from tests.conftest import pdftotext

pytestmark = pytest.mark.browser


def seed(app):
    """Two locations of different types with a submitted visit each (CSRF off just for this)."""
    from tests.conftest import create_location
    from tests.conftest import create_visit
    from tests.conftest import login

    app.config["WTF_CSRF_ENABLED"] = False
    client = login(app.test_client())
    ids = {}
    for name, type_, answer in (("Azc Bloemhof", "azc", "meets"), ("Noodopvang Hal 7", "noodopvang", "fails")):
        visit_id = create_visit(client, create_location(client, name=name, type=type_))
        client.post(f"/visits/{visit_id}/domains/play", data={"value_play__space": answer, "value_play__outdoor": "yes"})
        client.post(f"/visits/{visit_id}/submit")
        ids[name] = visit_id
    app.config["WTF_CSRF_ENABLED"] = True
    return ids


def test_monitor_filters_the_overview_and_downloads_the_report(page, live_server, live_app, tmp_path):
    ids = seed(live_app)
    sign_in(page, live_server, "monitor@m.test")
    page.get_by_role("button", name="English").click()
    page.get_by_role("link", name="Overview").click()
    table = page.locator("table.heatmap").first
    assert table.get_by_role("link", name="Azc Bloemhof").is_visible()
    assert table.get_by_role("link", name="Noodopvang Hal 7").is_visible()
    page.get_by_role("group", name="Type of location").get_by_label("Emergency reception").check()
    page.get_by_role("button", name="Filter").click()
    assert "type=noodopvang" in page.url  # a bookmarkable view
    assert table.get_by_role("link", name="Azc Bloemhof").count() == 0
    # A score leads to the visit behind it.
    page.locator("table.heatmap td.cell a").first.click()
    page.wait_for_url(f"**/visits/{ids['Noodopvang Hal 7']}*")
    page.go_back()
    with page.expect_download() as download:
        page.get_by_role("link", name="Aggregate report (PDF)").click()
    path = tmp_path / "monitor.pdf"
    download.value.save_as(path)
    text = flat(pdftotext(path.read_bytes(), tmp_path))
    assert "Noodopvang Hal 7" in text and "Azc Bloemhof" not in text


def test_visitor_overview_shows_only_their_organisation(page, live_server, live_app):
    seed(live_app)
    sign_in(page, live_server, "visitor@b.test")
    page.goto(f"{live_server}/compare/")
    assert page.locator("table.heatmap").first.get_by_role("link", name="Azc Bloemhof").count() == 0


def test_the_location_column_stays_while_the_domains_scroll_on_a_phone(page, live_server, live_app):
    seed(live_app)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, "monitor@m.test")
    page.goto(f"{live_server}/compare/")
    box = page.locator(".table-scroll").first
    name = page.locator("table.heatmap").first.get_by_role("link", name="Azc Bloemhof")
    head = page.locator("table.heatmap thead th").first
    name.scroll_into_view_if_needed()
    domain = page.locator("table.heatmap thead th.domain-head").last
    before, head_before, domain_before = name.bounding_box(), head.bounding_box(), domain.bounding_box()
    assert box.evaluate("el => el.scrollWidth > el.clientWidth")  # there is something to scroll
    box.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    assert box.evaluate("el => el.scrollLeft") > 100
    after, head_after = name.bounding_box(), head.bounding_box()
    assert abs(after["x"] - before["x"]) < 1 and abs(head_after["x"] - head_before["x"]) < 1
    # and it is on top: the point at the name is the name, not a domain cell scrolled under it
    x, y = after["x"] + 5, after["y"] + after["height"] / 2
    assert page.evaluate("([x, y]) => document.elementFromPoint(x, y).closest('th') !== null", [x, y])
    # while the domains moved left by as much as the box scrolled
    scrolled = box.evaluate("el => el.scrollLeft")
    assert abs(domain.bounding_box()["x"] - (domain_before["x"] - scrolled)) < 1
