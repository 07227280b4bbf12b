"""The whole journey in a real browser: location, visit across domains, reload, submit, PDF."""

from __future__ import annotations

import pytest

from tests.browser.conftest import prepared_visit
from tests.browser.conftest import sign_in
from tests.conftest import flat
from tests.conftest import pdftotext

pytestmark = pytest.mark.browser


def test_full_visit_journey(page, live_server, tmp_path):
    page.goto(f"{live_server}/locations/")
    assert "/login" in page.url  # every page needs a signed-in user
    assert page.locator("html").get_attribute("lang") == "nl"  # Dutch by default
    sign_in(page, live_server, "coordinator@a.test")  # coordinators add to the shared register of locations
    page.get_by_role("button", name="English").click()
    page.get_by_role("link", name="New location").click()

    page.get_by_label("Name").fill("Azc Łódź-Zuid")
    page.get_by_label("Type of location").select_option("azc")
    page.get_by_label("Municipality").fill("Testdorp")
    page.get_by_label("Province").select_option("Utrecht")
    page.get_by_label("Capacity (places)").fill("-3")
    page.get_by_role("button", name="Save").click()
    # A bad value comes back marked, with everything typed kept.
    assert page.get_by_label("Name").input_value() == "Azc Łódź-Zuid"
    assert page.get_by_label("Capacity (places)").get_attribute("aria-invalid") == "true"
    page.get_by_label("Capacity (places)").fill("300")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="Azc Łódź-Zuid").wait_for()

    page.get_by_role("link", name="New visit").click()
    page.get_by_label("Visitors").fill("A.B., K.L.")
    page.get_by_label("Children present during the visit").fill("14")
    page.get_by_role("button", name="Start the checklist").click()
    page.get_by_role("link", name="Continue the checklist").click()

    # Domain 1: play.
    assert page.get_by_text("Domain 1 of 2").is_visible()
    page.locator("#c-play__space").get_by_label("Partly").check()
    page.get_by_label("Note: what you saw or heard").first.fill("Speelkamer alleen 's middags open <b>")
    page.locator("#c-play__outdoor").get_by_label("Yes").check()
    page.get_by_role("button", name="Safety →").click()  # a page change saves
    page.wait_for_url("**/domains/safety")

    # Domain 2: reload halfway, the saved page is intact; then continue from the overview.
    assert page.get_by_text("Domain 2 of 2").is_visible()
    page.reload()
    page.goto(page.url.split("/domains/")[0])
    page.get_by_role("link", name="Continue the checklist: Safety").click()
    page.get_by_role("button", name="← Play").click()
    page.wait_for_url("**/domains/play")
    assert page.locator("#c-play__space").get_by_label("Partly").is_checked()
    assert page.get_by_label("Note: what you saw or heard").first.input_value() == "Speelkamer alleen 's middags open <b>"
    page.get_by_role("button", name="Safety →").click()
    page.wait_for_url("**/domains/safety")
    page.locator("#c-safety__fire").get_by_label("No", exact=True).check()
    page.get_by_label("Number (moves)").fill("2")
    page.get_by_role("button", name="What children said").click()
    page.wait_for_url("**/children")

    page.get_by_label("Age band").select_option("8-12")
    page.get_by_label("What a child said").fill("De douche kan niet op slot.")
    page.get_by_role("button", name="Add").click()
    page.locator("li", has_text="De douche kan niet op slot.").wait_for()
    page.get_by_role("link", name="Review and submit →").click()

    # Review: scores, red flag, coverage; then submit.
    assert page.get_by_role("alert").filter(has_text="Escape routes are clear.").is_visible()
    assert page.get_by_text("Unanswered criteria (0)").is_visible()
    page.get_by_role("button", name="Submit the visit").click()  # sends what waits on the device first
    page.get_by_text("The visit has been submitted").wait_for()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF report").click()
    pdf_path = tmp_path / "report.pdf"
    download_info.value.save_as(pdf_path)
    text = flat(pdftotext(pdf_path.read_bytes(), tmp_path))  # table cells wrap lines
    assert "Azc Łódź-Zuid" in text
    assert "Speelkamer alleen 's middags open <b>" in text
    assert "De douche kan niet op slot." in text


def test_checklist_by_keyboard_alone(page, live_server, live_app):
    visit_id = prepared_visit(live_app)
    sign_in(page, live_server)
    page.goto(f"{live_server}/visits/{visit_id}/domains/play")
    radio = page.locator("#c-play__space input[type=radio]").first
    radio.focus()  # no answer yet: the group is entered at its first answer, "Voldoet" (meets)
    page.keyboard.press("Space")  # selects it
    page.keyboard.press("ArrowRight")  # "Deels" (partly)
    assert page.locator("#c-play__space input[value=partly]").is_checked()
    page.locator("#c-play__space textarea").focus()
    page.keyboard.type("Met toetsenbord ingevuld")
    page.get_by_role("button", name="Opslaan").focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert page.locator("#c-play__space input[value=partly]").is_checked()
    assert page.locator("#c-play__space textarea").input_value() == "Met toetsenbord ingevuld"


def test_phone_layout_has_large_touch_targets(browser, live_server, live_app):
    visit_id = prepared_visit(live_app)
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    sign_in(page, live_server)
    page.goto(f"{live_server}/visits/{visit_id}/domains/play")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # no sideways scrolling
    for box in [page.locator("label.choice").nth(i).bounding_box() for i in range(4)]:
        assert box["height"] >= 44
    context.close()
