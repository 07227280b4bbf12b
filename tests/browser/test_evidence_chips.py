"""The evidence chips on a phone: tapped with a thumb, saved through the page's JavaScript
(the JSON save), and shown again after a reload."""

from __future__ import annotations

import json

import pytest

from tests.browser.conftest import device_record
from tests.browser.conftest import prepared_visit
from tests.browser.conftest import sign_in
from tests.conftest import answers_in_db

pytestmark = pytest.mark.browser


def test_evidence_chips_are_tapped_saved_and_back_after_a_reload(browser, live_server, live_app):
    visit_id = prepared_visit(live_app)
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, live_server)
        page.goto(f"{live_server}/visits/{visit_id}/domains/play")
        criterion = page.locator("#c-play__space")
        criterion.locator("input[value=partly]").check()
        count = page.locator("#children_n_play__space")
        assert not count.is_visible()  # how many is asked once "children said" is ticked
        seen = criterion.locator("label.chip", has=page.locator("#evidence_play__space-seen"))
        children = criterion.locator("label.chip", has=page.locator("#evidence_play__space-children"))
        box = children.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44  # big enough for a thumb
        seen.tap()
        children.tap()
        count.fill("4")
        assert page.locator("#evidence_play__space-children").is_checked()
        # A chip is a checkbox: its accessible name is its label, and the keyboard toggles it.
        staff = criterion.get_by_role("checkbox", name="Medewerkers zeiden")
        staff.focus()
        page.keyboard.press("Space")
        page.keyboard.press("Space")
        assert not staff.is_checked()

        page.get_by_role("button", name="Opslaan").click()
        page.locator(".flash-success").wait_for()
        row = answers_in_db(live_app, visit_id)["play.space"]
        assert (row["value"], row["evidence"], row["children_n"]) == ("partly", "seen,children", 4)

        page.reload()
        assert page.locator("#evidence_play__space-seen").is_checked()
        assert page.locator("#evidence_play__space-children").is_checked()
        assert not page.locator("#evidence_play__space-document").is_checked()
        assert page.locator("#children_n_play__space").input_value() == "4"
        assert page.locator("#children_n_play__space").is_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390  # no sideways scrolling with the chips
    finally:
        context.close()


def test_ticked_chips_wait_on_the_device_and_come_back_after_a_reload(page, live_server, live_app):
    """Not saved yet: the device's copy holds the chips and the count, and puts them back."""
    visit_id = prepared_visit(live_app)
    sign_in(page, live_server)
    page.goto(f"{live_server}/visits/{visit_id}/domains/play")
    page.locator("#evidence_play__outdoor-parents").check()
    page.locator("#parents_n_play__outdoor").fill("3")
    page.locator("#evidence_play__outdoor-document").check()
    page.wait_for_timeout(300)  # the outbox is written asynchronously
    copy = json.loads(device_record(page, f"visit:{visit_id}:domain:play"))
    assert copy["criteria"]["play__outdoor"]["fields"]["evidence_play__outdoor"] == "document,parents"

    page.reload()
    page.locator("html[data-outbox=ready]").wait_for(state="attached")
    assert page.locator("#evidence_play__outdoor-parents").is_checked()
    assert page.locator("#evidence_play__outdoor-document").is_checked()
    assert not page.locator("#evidence_play__outdoor-seen").is_checked()
    assert page.locator("#parents_n_play__outdoor").input_value() == "3"
    assert answers_in_db(live_app, visit_id) == {}  # restored, not saved
