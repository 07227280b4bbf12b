"""Offline-safe autosave on the checklist (checklist/static/app.js) in a real Chromium.

Answers typed but not yet saved survive a reload and a closed tab (the outbox in IndexedDB), the copy
goes once the server confirmed the save, and a save pressed without a connection is sent
when the connection is back.
"""

from __future__ import annotations

import json
import time

import pytest

from tests.browser.conftest import device_dump
from tests.browser.conftest import device_record
from tests.browser.conftest import outbox_ready
from tests.browser.conftest import sign_in
from tests.browser.conftest import prepared_visit
from tests.conftest import stored

pytestmark = pytest.mark.browser

RESTORED_NL = "Niet-opgeslagen antwoorden van dit apparaat zijn teruggezet."
RESTORED_EN = "Unsaved answers from this device were restored."
OFFLINE_NL = "Geen verbinding: je antwoorden staan veilig op dit apparaat"


PUT_OLD_COPY = """([key, value]) => new Promise((resolve, reject) => {
  const open = indexedDB.open("keyval-store");
  open.onupgradeneeded = () => open.result.createObjectStore("keyval");
  open.onsuccess = () => {
    const tx = open.result.transaction("keyval", "readwrite");
    tx.objectStore("keyval").put(value, key);
    tx.oncomplete = () => { open.result.close(); resolve(); };
    tx.onerror = () => reject(tx.error);
  };
})"""


def stored_copy(page, visit_id, domain="play"):
    """The device's copy of one checklist page, as JSON text (None when there is none)."""
    return device_record(page, f"visit:{visit_id}:domain:{domain}")


def wait_for_no_copy(page, visit_id, domain="play", timeout=5.0):
    deadline = time.monotonic() + timeout
    while stored_copy(page, visit_id, domain) is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    return stored_copy(page, visit_id, domain)


def stored_answer(app, visit_id, criterion_id):
    return stored(app, visit_id).get(criterion_id)


def wait_for_answer(app, visit_id, criterion_id, expected, timeout=5.0):
    deadline = time.monotonic() + timeout
    while True:
        found = stored_answer(app, visit_id, criterion_id)
        if found == expected or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def open_play(page, base_url, visit_id):
    page.goto(f"{base_url}/visits/{visit_id}/domains/play")
    outbox_ready(page)


def reload(page):
    page.reload()
    outbox_ready(page)


def copy_kept(page, visit_id, domain="play", timeout=5.0):
    """The device's copy, once the outbox (written asynchronously) has it."""
    deadline = time.monotonic() + timeout
    while (copy := stored_copy(page, visit_id, domain)) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    return copy


def type_answers(page, note="Speelkamer dicht"):
    page.locator("#c-play__space input[value=partly]").check()
    page.locator("#c-play__space textarea").fill(note)


def assert_typed_answers_back(page, note="Speelkamer dicht"):
    assert page.locator("#c-play__space input[value=partly]").is_checked()
    assert page.locator("#c-play__space textarea").input_value() == note


def test_unsaved_answers_survive_a_reload(page, live_server, live_app):
    visit_id = prepared_visit(live_app)
    sign_in(page, live_server)
    open_play(page, live_server, visit_id)
    assert not page.locator("#autosave-status").is_visible()  # empty: takes no room
    type_answers(page)
    assert copy_kept(page, visit_id) is not None

    reload(page)
    assert_typed_answers_back(page)
    assert RESTORED_NL in page.locator("#autosave-status").inner_text()
    assert stored_answer(live_app, visit_id, "play.space") is None  # restored, not saved

    # The notice follows the page language.
    page.get_by_role("button", name="English").click()
    page.locator("html[lang=en] #autosave-status.autosave-restored").wait_for()
    assert_typed_answers_back(page)
    assert RESTORED_EN in page.locator("#autosave-status").inner_text()


def test_unsaved_answers_survive_a_closed_tab(page, live_server, live_app):
    visit_id = prepared_visit(live_app)
    sign_in(page, live_server)
    open_play(page, live_server, visit_id)
    type_answers(page, note="Geen speelgoed voor peuters")
    context = page.context
    page.close()

    again = context.new_page()
    open_play(again, live_server, visit_id)
    assert_typed_answers_back(again, note="Geen speelgoed voor peuters")
    assert RESTORED_NL in again.locator("#autosave-status").inner_text()


def test_saved_answers_leave_no_copy_behind(page, live_server, live_app):
    visit_id = prepared_visit(live_app)
    sign_in(page, live_server)
    open_play(page, live_server, visit_id)
    type_answers(page)
    page.get_by_role("button", name="Opslaan", exact=True).click()
    page.locator(".flash-success").wait_for()

    assert stored_copy(page, visit_id) is None
    assert stored_answer(live_app, visit_id, "play.space") == ("partly", "Speelkamer dicht")
    reload(page)
    assert_typed_answers_back(page)  # now from the server
    assert page.locator("#autosave-status").inner_text() == ""
    assert stored_copy(page, visit_id) is None


def test_a_failed_save_keeps_the_copy(page, live_server, live_app):
    """A bad number comes back with 422: the valid answers are saved, the copy stays."""
    visit_id = prepared_visit(live_app)
    sign_in(page, live_server)
    page.goto(f"{live_server}/visits/{visit_id}/domains/safety")
    page.locator("#c-safety__moves input[type=number]").fill("-5")
    page.get_by_role("button", name="Opslaan", exact=True).click()
    page.locator(".flash-error").wait_for()
    assert copy_kept(page, visit_id, "safety") is not None

    page.goto(f"{live_server}/visits/{visit_id}/domains/safety")  # a plain reload, say after a crash
    outbox_ready(page)
    assert page.locator("#c-safety__moves input[type=number]").input_value() == "-5"
    assert RESTORED_NL in page.locator("#autosave-status").inner_text()


def test_a_copy_only_puts_back_what_this_device_changed(browser, page, live_server, live_app):
    """Someone else's newer answer to another criterion is neither hidden nor overwritten."""
    visit_id = prepared_visit(live_app)
    sign_in(page, live_server)
    open_play(page, live_server, visit_id)
    page.locator("#c-play__space textarea").fill("Van dit apparaat")

    other = browser.new_context()
    other_page = other.new_page()
    sign_in(other_page, live_server)
    open_play(other_page, live_server, visit_id)
    other_page.locator("#c-play__outdoor input[value=no]").check()
    other_page.get_by_role("button", name="Opslaan", exact=True).click()
    other_page.locator(".flash-success").wait_for()
    other.close()

    reload(page)
    assert page.locator("#c-play__space textarea").input_value() == "Van dit apparaat"
    assert page.locator("#c-play__outdoor input[value=no]").is_checked()  # the other device's answer
    page.get_by_role("button", name="Opslaan", exact=True).click()
    page.locator(".flash-success").wait_for()
    assert stored_answer(live_app, visit_id, "play.space") == (None, "Van dit apparaat")
    assert stored_answer(live_app, visit_id, "play.outdoor") == ("no", None)


def test_a_save_without_connection_is_sent_when_it_is_back(page, live_server, live_app):
    visit_id = prepared_visit(live_app)
    sign_in(page, live_server)
    open_play(page, live_server, visit_id)
    url = page.url

    page.context.set_offline(True)
    type_answers(page, note="Zonder wifi ingevuld")
    page.get_by_role("button", name="Opslaan", exact=True).click()
    page.locator("#autosave-status.autosave-offline").wait_for()
    assert OFFLINE_NL in page.locator("#autosave-status").inner_text()
    assert page.url == url  # the page stays, with everything typed
    assert_typed_answers_back(page, note="Zonder wifi ingevuld")
    assert stored_answer(live_app, visit_id, "play.space") is None

    page.context.set_offline(False)
    assert wait_for_answer(live_app, visit_id, "play.space", ("partly", "Zonder wifi ingevuld")) == ("partly", "Zonder wifi ingevuld")
    page.locator("#autosave-status.autosave-saved").wait_for()
    assert page.locator("#autosave-status").inner_text() == "Opgeslagen."
    assert stored_copy(page, visit_id) is None

    # The page took the new fingerprints: a further change saves without a conflict.
    page.locator("#c-play__space textarea").fill("Later aangevuld")
    page.get_by_role("button", name="Opslaan", exact=True).click()
    page.locator(".flash-success").wait_for()
    assert stored_answer(live_app, visit_id, "play.space") == ("partly", "Later aangevuld")


def test_a_queued_copy_is_sent_from_the_next_page_opened(page, live_server, live_app):
    """Offline save, tab closed; later, online, any page of the app sends the copy."""
    visit_id = prepared_visit(live_app)
    sign_in(page, live_server)
    open_play(page, live_server, visit_id)
    context = page.context
    context.set_offline(True)
    type_answers(page, note="In de wachtrij")
    page.get_by_role("button", name="Opslaan", exact=True).click()
    page.locator("#autosave-status.autosave-offline").wait_for()
    assert OFFLINE_NL in page.locator("#autosave-status").inner_text()
    page.close()
    context.set_offline(False)

    again = context.new_page()
    again.goto(f"{live_server}/visits/{visit_id}")  # the overview, not the checklist page
    assert wait_for_answer(live_app, visit_id, "play.space", ("partly", "In de wachtrij")) == ("partly", "In de wachtrij")
    assert wait_for_no_copy(again, visit_id) is None


def colleague_saves(app, visit_id, data):
    """A colleague saves the play page from another device (over HTTP, with the page's versions)."""
    from tests.conftest import login
    from tests.conftest import save

    app.config["WTF_CSRF_ENABLED"] = False
    try:
        assert save(login(app.test_client(), "coordinator@a.test"), visit_id, "play", data).status_code == 303
    finally:
        app.config["WTF_CSRF_ENABLED"] = True


def test_an_offline_answer_that_meets_a_colleagues_change_shows_both(page, live_server, live_app):
    """Sent when the connection is back, it conflicts: nothing is overwritten, the copy stays,
    and Save shows both versions."""
    visit_id = prepared_visit(live_app)
    sign_in(page, live_server)
    open_play(page, live_server, visit_id)
    page.context.set_offline(True)
    type_answers(page, note="Mijn versie, offline")
    page.get_by_role("button", name="Opslaan", exact=True).click()
    page.locator("#autosave-status.autosave-offline").wait_for()
    assert OFFLINE_NL in page.locator("#autosave-status").inner_text()

    colleague_saves(live_app, visit_id, {"value_play__space": "fails", "note_play__space": "Versie van collega"})
    page.context.set_offline(False)
    page.locator("#autosave-status.autosave-conflict").wait_for()
    assert stored_answer(live_app, visit_id, "play.space") == ("fails", "Versie van collega")
    assert stored_copy(page, visit_id) is not None

    page.get_by_role("button", name="Toon beide versies").click()
    page.locator(".conflict").wait_for()
    assert "Versie van collega" in page.locator(".conflict").inner_text()
    assert_typed_answers_back(page, note="Mijn versie, offline")
    assert stored_answer(live_app, visit_id, "play.space") == ("fails", "Versie van collega")
    # Having seen both, saving again keeps mine; the copy is then gone.
    page.get_by_role("button", name="Opslaan", exact=True).click()
    page.locator(".flash-success").wait_for()
    assert stored_answer(live_app, visit_id, "play.space") == ("partly", "Mijn versie, offline")
    assert stored_copy(page, visit_id) is None


def test_answers_sent_after_the_visit_was_submitted_stay_on_the_device(page, live_server, live_app):
    visit_id = prepared_visit(live_app)
    sign_in(page, live_server)
    open_play(page, live_server, visit_id)
    page.context.set_offline(True)
    type_answers(page, note="Na het indienen getypt")
    page.get_by_role("button", name="Opslaan", exact=True).click()

    from tests.conftest import login

    live_app.config["WTF_CSRF_ENABLED"] = False
    assert login(live_app.test_client(), "coordinator@a.test").post(f"/visits/{visit_id}/submit").status_code == 303
    live_app.config["WTF_CSRF_ENABLED"] = True
    page.context.set_offline(False)
    page.locator("#autosave-status.autosave-locked").wait_for()
    assert stored_answer(live_app, visit_id, "play.space") is None
    assert "Na het indienen getypt" in stored_copy(page, visit_id)

    page.get_by_role("button", name="Opslaan", exact=True).click()  # the server's read-only page, with what was typed
    page.locator("fieldset.locked").wait_for()
    assert_typed_answers_back(page, note="Na het indienen getypt")
    assert "Na het indienen getypt" in stored_copy(page, visit_id)


def test_a_copy_from_the_previous_version_of_the_script_is_still_restored(page, live_server, live_app):
    """The previous version kept copies in clear in IndexedDB, named by the header's text:
    the owner's first page with this version moves it into their encrypted outbox."""
    visit_id = prepared_visit(live_app)
    sign_in(page, live_server)
    open_play(page, live_server, visit_id)
    who = page.locator(".site-header .who").inner_text().split("·")
    old = {
        "v": 2, "visit": str(visit_id), "domain": "play", "url": page.url, "who": f"{who[0].strip()} · {who[1].strip()}",
        "criteria": {"play__space": {"fields": {"value_play__space": "partly", "note_play__space": "Uit de oude kopie"}, "rev": ""}},
        "queued": False, "savedAt": 0,
    }
    page.evaluate(PUT_OLD_COPY, [f"checklist:v2:visit:{visit_id}:domain:play", old])
    reload(page)
    assert_typed_answers_back(page, note="Uit de oude kopie")
    assert RESTORED_NL in page.locator("#autosave-status").inner_text()
    assert "Uit de oude kopie" not in device_dump(page)  # moved, and encrypted where it is now
    page.get_by_role("button", name="Opslaan", exact=True).click()
    page.locator(".flash-success").wait_for()
    assert stored_answer(live_app, visit_id, "play.space") == ("partly", "Uit de oude kopie")
