"""A photo added on a phone (390 × 844): choose a file, tick, upload, see the thumbnail,
and what was typed on another criterion is still there after the page came back."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.browser.conftest import prepared_visit
from tests.browser.conftest import sign_in
from tests.conftest import query

pytestmark = pytest.mark.browser


def test_a_photo_on_a_phone_keeps_what_was_typed(browser, live_app, live_server, tmp_path):
    visit_id = prepared_visit(live_app)
    photo = tmp_path / "speelkamer.jpg"
    image = Image.new("RGB", (2400, 1800), (40, 140, 90))
    exif = Image.Exif()
    exif.get_ifd(0x8825)[2] = (52.0, 5.0, 1.0)
    image.save(photo, "JPEG", exif=exif.tobytes())
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, live_server)
        page.goto(f"{live_server}/visits/{visit_id}/domains/play")
        page.locator("#checklist-form").wait_for()
        # Typed on another criterion, not saved.
        page.locator("#c-play__outdoor input[value=no]").check()
        page.locator("#c-play__outdoor textarea").fill("Hek is kapot")
        box = page.locator("#photos-play__space")
        box.locator("summary").click()
        file_input = box.locator("input[type=file]")
        assert file_input.get_attribute("accept") == "image/*" and file_input.get_attribute("capture") == "environment"
        file_input.set_input_files(str(photo))
        # Not ticked: refused with the reason, nothing stored, the form open again.
        box.get_by_role("button", name="Foto uploaden").click()
        page.wait_for_url(f"**/visits/{visit_id}/domains/play#photos-play__space")
        assert "vink aan dat er geen persoon herkenbaar is" in page.locator("#photos-play__space [role=alert]").inner_text()
        assert query(live_app, "select count(*) as n from photos")[0]["n"] == 0
        box = page.locator("#photos-play__space")
        box.locator("input[type=file]").set_input_files(str(photo))
        box.get_by_label("Er is geen persoon herkenbaar op deze foto").check()
        box.get_by_role("button", name="Foto uploaden").click()
        page.wait_for_url(f"**/visits/{visit_id}/domains/play#photos-play__space")
        thumbnail = page.locator("#photos-play__space img")
        thumbnail.wait_for()
        assert thumbnail.get_attribute("alt") == "Foto 1 van 1: Er is een speelruimte binnen."
        assert page.evaluate("img => img.complete && img.naturalWidth", thumbnail.element_handle()) == 1600
        box_size = thumbnail.bounding_box()
        assert box_size["width"] <= 390
        assert "Foto toegevoegd." in page.locator("#photos-play__space").inner_text()
        # What was typed on the other criterion is back (the device copy), ready to save.
        assert page.locator("#c-play__outdoor input[value=no]").is_checked()
        assert page.locator("#c-play__outdoor textarea").input_value() == "Hek is kapot"
        # The stored photo has no metadata.
        [row] = query(live_app, "select jpeg from photos")
        stored = Image.open(io.BytesIO(row["jpeg"]))
        assert stored.size == (1600, 1200) and not stored.getexif()
    finally:
        context.close()
