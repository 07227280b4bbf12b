"""A whole visit without a connection, in Chromium: the service worker (static/sw.js), the
outbox (static/outbox.js, IndexedDB) and the pages (static/app.js).

The browser is offline from the start of each page load and the server is down meanwhile
(Playwright's offline mode does not always reach a service worker that is just starting),
and the browser is closed and opened again on the same profile, as a visitor's phone would be.
"""

from __future__ import annotations

import io
import threading
import time

import pytest
from PIL import Image
from werkzeug.serving import make_server

from tests.browser.conftest import device_keys
from tests.browser.conftest import CHROMIUM
from tests.browser.conftest import CHROMIUM_ARGS
from tests.browser.conftest import outbox_ready
from tests.browser.conftest import sign_in
from tests.conftest import connect
from tests.conftest import query
from tests.conftest import stored

pytestmark = pytest.mark.browser

READY_NL = "Op dit apparaat sinds"
PHONE = {"width": 390, "height": 844}


class Server:
    """The app on a fixed port that can be taken down and brought back, as a lost
    connection looks to the browser."""

    def __init__(self, app):
        self.app = app
        self._start(0)
        self.url = f"http://127.0.0.1:{self.port}"

    def _start(self, port):
        self.server = make_server("127.0.0.1", port, self.app, threaded=True)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def down(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def up(self):
        self._start(self.port)


@pytest.fixture
def server(live_app):
    running = Server(live_app)
    yield running
    running.down()


def lose_connection(context, server):
    context.set_offline(True)
    server.down()


def connection_back(context, server):
    server.up()
    context.set_offline(False)


def open_profile(browser, profile, offline=False):
    """The visitor's browser: a persistent profile (the service worker, IndexedDB and the
    stored pages survive closing it)."""
    context = browser.browser_type.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, viewport=PHONE, offline=offline
    )
    context.set_default_timeout(10_000)
    return context


def first_page(context):
    return context.pages[0] if context.pages else context.new_page()


def three_domain_visit(app) -> int:
    """A draft visit at small-scale housing for unaccompanied minors: play, safety and amv apply."""
    from tests.conftest import create_location
    from tests.conftest import create_visit
    from tests.conftest import login

    app.config["WTF_CSRF_ENABLED"] = False
    try:
        client = login(app.test_client())
        return create_visit(client, create_location(client, type="amv_kleinschalig"))
    finally:
        app.config["WTF_CSRF_ENABLED"] = True


def gps_photo(tmp_path):
    path = tmp_path / "speelkamer.jpg"
    image = Image.new("RGB", (1200, 900), (40, 140, 90))
    exif = Image.Exif()
    exif.get_ifd(0x8825)[2] = (52.0, 5.0, 1.0)
    image.save(path, "JPEG", exif=exif.tobytes())
    return path


def colleague_saves(app, visit_id, domain, data):
    from tests.conftest import login
    from tests.conftest import save

    app.config["WTF_CSRF_ENABLED"] = False
    try:
        assert save(login(app.test_client(), "coordinator@a.test"), visit_id, domain, data).status_code == 303
    finally:
        app.config["WTF_CSRF_ENABLED"] = True


def take_offline(page, base_url, visit_id):
    page.goto(f"{base_url}/visits/{visit_id}")
    page.locator("#offline-panel .take-offline").click()
    page.locator("#offline-panel .offline-state", has_text=READY_NL).wait_for(timeout=20_000)


def offline_at(browser, server, tmp_path, visit_id, path):
    """A visitor's browser that took the visit offline and then lost the connection, at
    `path` of the visit (a page from the device)."""
    context = open_profile(browser, tmp_path / "profile")
    page = first_page(context)
    sign_in(page, server.url)
    take_offline(page, server.url, visit_id)
    lose_connection(context, server)
    go(page, f"{server.url}/visits/{visit_id}{path}")
    return context, page


def wait_until(check, timeout=10.0, page=None):
    """Poll `check`; with a page, wait on it, so Playwright delivers its events meanwhile."""
    deadline = time.monotonic() + timeout
    while not (found := check()) and time.monotonic() < deadline:
        if page is not None:
            page.wait_for_timeout(100)
        else:
            time.sleep(0.1)
    return found


def go(page, url):
    page.goto(url)
    outbox_ready(page)


def visit_caches(page):
    """The pages of visits kept on the device (encrypted, per user)."""
    return device_keys(page, "page:")


def outbox_keys(page):
    return device_keys(page, "rec:")


def test_a_whole_visit_offline(browser, server, live_app, tmp_path):
    visit_id = three_domain_visit(live_app)
    base = f"{server.url}/visits/{visit_id}"
    profile = tmp_path / "profile"
    context = open_profile(browser, profile)
    page = first_page(context)
    sign_in(page, server.url)
    take_offline(page, server.url, visit_id)
    assert "(6 pagina's)" in page.locator("#offline-panel .offline-state").inner_text()  # visit, 3 domains, children, review

    # Offline from the start of the page load: the checklist comes from the device, with its guidance.
    lose_connection(context, server)
    go(page, f"{base}/domains/play")
    assert page.locator("h1").inner_text() == "Spelen"
    assert "Kijk of de ruimte open is." in page.locator("#c-play__space").text_content()  # folded: in the page, not shown
    page.locator("#c-play__space input[value=partly]").check()
    page.locator("#c-play__space textarea").fill("Speelkamer op slot, offline")
    # A photo taken offline (with a GPS position in it) waits on the device too.
    box = page.locator("#photos-play__space")
    box.locator("summary").click()
    box.locator("input[type=file]").set_input_files(str(gps_photo(tmp_path)))
    box.get_by_label("Er is geen persoon herkenbaar op deze foto").check()
    box.get_by_role("button", name="Foto uploaden").click()
    box.locator(".photo-list.waiting li", has_text="Wacht op verzenden").wait_for()
    page.get_by_role("button", name="Volgende").click()
    page.wait_for_url(f"{base}/domains/safety")
    outbox_ready(page)
    page.locator("#c-safety__fire input[value=no]").check()
    page.get_by_role("button", name="Volgende").click()
    page.wait_for_url(f"{base}/domains/amv")
    outbox_ready(page)
    page.locator("#c-amv__mentor input[value=meets]").check()
    page.locator("#c-amv__mentor textarea").fill("Mentor bekend bij alle jongeren")

    page.reload()
    outbox_ready(page)
    assert page.locator("#c-amv__mentor input[value=meets]").is_checked()
    assert page.locator("#c-amv__mentor textarea").input_value() == "Mentor bekend bij alle jongeren"
    line = page.locator(".actions.sticky .sync-line")
    assert wait_until(lambda: "4 nog te versturen" in line.inner_text()), line.inner_text()
    assert line.inner_text().startswith("Offline")

    # The review says submitting needs the server, and keeps the visit ready. On a phone the
    # last domain leads on to what children said, and that page to the review.
    page.get_by_role("button", name="Kinderen").click()
    page.wait_for_url(f"{base}/children")
    page.get_by_role("link", name="Controleren en indienen").click()
    page.wait_for_url(f"{base}/review")
    outbox_ready(page)
    page.locator("#submit-top button[type=submit]").click()
    note = page.locator("#submit-top .offline-note")
    note.wait_for()
    assert "indienen kan alleen via de server" in note.inner_text()
    assert "4 antwoorden, uitspraken of foto's" in note.inner_text()
    assert page.url == f"{base}/review"
    context.close()

    # The phone is closed and opened again, still without a connection.
    context = open_profile(browser, profile, offline=True)
    page = first_page(context)
    go(page, f"{base}/children")
    page.locator("#age_band").select_option(index=1)
    page.locator("#text").fill("De speelkamer is altijd dicht na vijf uur")
    page.get_by_role("button", name="Toevoegen").click()
    page.locator("#voices-waiting li").wait_for()
    assert "altijd dicht na vijf uur" in page.locator("#voices-waiting").inner_text()
    assert stored(live_app, visit_id) == {}
    assert query(live_app, "select count(*) as n from child_voices where visit_id = ?", [visit_id])[0]["n"] == 0

    # Meanwhile a colleague answers one of the same criteria.
    colleague_saves(live_app, visit_id, "safety", {"value_safety__fire": "yes", "note_safety__fire": "Collega: vrij"})

    # Back online. Closing the browser ended the session (a shared tablet keeps none), so the
    # visitor signs in again; the first page after it sends everything that waited.
    connection_back(context, server)
    sign_in(page, server.url)
    assert wait_until(lambda: stored(live_app, visit_id).get("play.space") == ("partly", "Speelkamer op slot, offline"))
    assert wait_until(lambda: stored(live_app, visit_id).get("amv.mentor") == ("meets", "Mentor bekend bij alle jongeren"))
    assert wait_until(lambda: query(live_app, "select text from child_voices where visit_id = ?", [visit_id]))
    assert [r["text"] for r in query(live_app, "select text from child_voices where visit_id = ?", [visit_id])] == [
        "De speelkamer is altijd dicht na vijf uur"
    ]
    assert stored(live_app, visit_id)["safety.fire"] == ("yes", "Collega: vrij")  # nothing overwritten
    assert wait_until(lambda: query(live_app, "select criterion_id from photos where visit_id = ?", [visit_id]))
    [photo] = query(live_app, "select criterion_id, jpeg from photos where visit_id = ?", [visit_id])
    assert photo["criterion_id"] == "play.space"
    assert not Image.open(io.BytesIO(photo["jpeg"])).getexif()  # no GPS position left

    # The conflict is named next to the buttons; opening it shows both versions.
    go(page, f"{base}/review")
    attention = page.locator(".sync-line a", has_text="een antwoord vraagt je aandacht")
    attention.first.wait_for()
    attention.first.click()
    page.locator(".conflict").wait_for()
    assert "Collega: vrij" in page.locator(".conflict").inner_text()
    assert page.locator("#c-safety__fire input[value=no]").is_checked()  # mine, kept on the page
    assert stored(live_app, visit_id)["safety.fire"] == ("yes", "Collega: vrij")
    page.get_by_role("button", name="Opslaan", exact=True).click()  # having seen both, keep mine
    page.locator(".flash-success").wait_for()
    assert stored(live_app, visit_id)["safety.fire"][0] == "no"
    assert wait_until(lambda: outbox_keys(page) == [])

    # Submitted: the visit's pages leave the device.
    go(page, f"{base}/review")
    page.locator("#submit-top button[type=submit]").click()
    page.locator("[data-submitted-visit]").wait_for()
    assert wait_until(lambda: visit_caches(page) == [])
    context.close()


def test_signing_out_online_sends_what_waits_first_and_leaves_nothing_of_the_user(browser, server, live_app, tmp_path):
    visit_id = three_domain_visit(live_app)
    context, page = offline_at(browser, server, tmp_path, visit_id, "/domains/play")
    page.locator("#c-play__space input[value=meets]").check()
    page.locator(".actions.sticky .sync-line", has_text="1 nog te versturen").wait_for()
    assert visit_caches(page) != []

    # Online, the answer is sent first, then nothing of this visitor stays on the device:
    # no question asked, since nothing would be left behind.
    connection_back(context, server)
    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_url(f"{server.url}/login")
    assert stored(live_app, visit_id)["play.space"][0] == "meets"
    outbox_ready(page)
    assert outbox_keys(page) == []
    assert visit_caches(page) == []
    assert page.locator("#device-waiting").is_hidden()
    context.close()


def test_answers_wait_through_an_expired_session_and_are_sent_after_signing_in(page, live_server, live_app):
    visit_id = three_domain_visit(live_app)
    sign_in(page, live_server)
    go(page, f"{live_server}/visits/{visit_id}/domains/play")
    page.locator("#c-play__space input[value=fails]").check()
    page.locator("#c-play__space textarea").fill("Na het verlopen van de sessie")
    page.context.clear_cookies()  # the session ended on the server's side (expired)
    page.get_by_role("button", name="Opslaan", exact=True).click()
    page.wait_for_url(f"{live_server}/login*")
    assert stored(live_app, visit_id) == {}

    page.locator("#email").fill("visitor@a.test")
    from tests.conftest import PASSWORD

    page.locator("#password").fill(PASSWORD)
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_load_state()
    # No second press of Save: the page after signing in sends what waited.
    assert wait_until(lambda: stored(live_app, visit_id).get("play.space") == ("fails", "Na het verlopen van de sessie"))


def test_background_sync_sends_what_waits_with_no_page_of_the_app_open(browser, server, live_app, tmp_path):
    """The service worker's `sync` event (Chromium fires it when the connection is back; the
    test fires it through the DevTools protocol) sends the outbox through the save protocol."""
    visit_id = three_domain_visit(live_app)
    context, page = offline_at(browser, server, tmp_path, visit_id, "/domains/safety")
    page.locator("#c-safety__fire input[value=yes]").check()
    page.locator(".actions.sticky .sync-line", has_text="1 nog te versturen").wait_for()

    blank = context.new_page()  # no page of the app stays open to send it
    page.close()
    connection_back(context, server)
    assert stored(live_app, visit_id) == {}
    cdp = context.new_cdp_session(blank)
    registrations = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda e: registrations.extend(e["registrations"]))
    cdp.send("ServiceWorker.enable")
    assert wait_until(lambda: [r for r in registrations if not r["isDeleted"]], page=blank)
    registration = next(r for r in registrations if not r["isDeleted"])
    cdp.send("ServiceWorker.dispatchSyncEvent", {"origin": server.url, "registrationId": registration["registrationId"], "tag": "checklist-outbox", "lastChance": False})
    assert wait_until(lambda: stored(live_app, visit_id).get("safety.fire", (None,))[0] == "yes")
    context.close()


def test_a_statement_the_server_refuses_later_stays_with_the_reason(browser, server, live_app, tmp_path):
    """Written offline, refused when sent (the visit holds its maximum): the statement stays
    on the device with the server's reason, the ones after it are still sent, and it can be removed."""
    live_app.config["STATEMENTS_MAX_PER_VISIT"] = 1
    visit_id = three_domain_visit(live_app)
    context, page = offline_at(browser, server, tmp_path, visit_id, "/children")
    for text in ("Eerste uitspraak", "Tweede uitspraak"):
        page.locator("#age_band").select_option(index=1)
        page.locator("#text").fill(text)
        page.get_by_role("button", name="Toevoegen").click()
        page.locator("#voices-waiting li", has_text=text).wait_for()

    connection_back(context, server)
    refused = page.locator("#voices-waiting li", has_text="Tweede uitspraak")
    refused.locator(".error").wait_for()
    assert "heeft al 1 uitspraken" in refused.inner_text()
    assert [r["text"] for r in query(live_app, "select text from child_voices where visit_id = ?", [visit_id])] == ["Eerste uitspraak"]
    assert page.locator("#voices-waiting li", has_text="Eerste uitspraak").count() == 0
    refused.get_by_role("button", name="Verwijderen").click()
    assert wait_until(lambda: outbox_keys(page) == [], page=page)
    context.close()


def test_reopened_offline_at_the_start_page_the_counts_include_the_device(browser, server, live_app, tmp_path):
    """A whole visit on a phone, as a visitor trusts it: the browser closed and opened again
    offline at the start page, the session expired meanwhile, signed in again once back
    online; at every step the counts are what was answered, and no page is a dead end."""
    visit_id = three_domain_visit(live_app)  # play (2 criteria), safety (2), amv (1)
    base = f"{server.url}/visits/{visit_id}"
    profile = tmp_path / "phone"
    context = open_profile(browser, profile)
    page = first_page(context)
    sign_in(page, server.url)
    take_offline(page, server.url, visit_id)
    lose_connection(context, server)
    go(page, f"{base}/domains/play")
    page.locator("#c-play__space input[value=partly]").check()
    page.locator("#c-play__outdoor input[value=yes]").check()
    page.get_by_role("button", name="Volgende").click()
    page.wait_for_url(f"{base}/domains/safety")
    outbox_ready(page)
    page.locator("#c-safety__fire input[value=no]").check()
    page.locator(".actions.sticky .sync-line", has_text="3 nog te versturen").wait_for()
    # The domain picker counts what waits here.
    assert page.locator(".steps [data-count-domain=play]").inner_text().startswith("2/2")
    context.close()

    # Reopened offline, at the start page: the device's own start page, with the visit.
    context = open_profile(browser, profile, offline=True)
    page = first_page(context)
    go(page, f"{server.url}/")
    assert page.locator("h1").inner_text() == "Op dit apparaat"
    item = page.locator("#shell-visits li")
    assert item.count() == 1
    assert "3 van 5 beantwoord" in item.inner_text() and "3 items wachten op versturen" in item.inner_text()
    item.locator("a").first.click()
    page.wait_for_url(base)
    outbox_ready(page)
    page.locator("html[data-progress=ready]").wait_for(state="attached")
    assert page.locator("[data-progress-domain=play] .count").inner_text() == "2 van 2 beantwoord (waarvan 2 op dit apparaat, nog niet verstuurd)"
    assert page.locator("[data-progress-domain=safety] .count").inner_text().startswith("1 van 2 beantwoord")
    assert page.locator("[data-progress-domain=amv] .count").inner_text() == "0 van 1 beantwoord"
    assert page.locator("a[data-continue]").get_attribute("href").endswith("/domains/safety")  # where the visitor stopped
    assert "3 antwoorden, uitspraken of foto's wachten op dit apparaat" in page.locator(".device-waiting").inner_text()
    # The review counts the device's answers too: no red figure that only the sync explains.
    go(page, f"{base}/review")
    page.locator("html[data-progress=ready]").wait_for(state="attached")
    coverage = page.locator("[data-coverage]")
    assert coverage.inner_text() == "Dekking: 3/5 (60%) (inclusief 3 antwoorden die op dit apparaat wachten)"
    assert page.locator("[data-unanswered-count]").first.inner_text() == "2"
    assert page.locator("[data-unanswered-key=play__space]").is_hidden()

    # Meanwhile the session expired on the server; the connection comes back.
    db = connect(live_app.config["DATABASE"])
    db.execute("delete from sessions")
    db.conn.commit()
    db.conn.close()
    connection_back(context, server)
    go(page, base)
    assert page.url.startswith(f"{server.url}/login")
    assert page.locator("#device-waiting").inner_text().startswith("3 antwoorden, uitspraken of foto's wachten op dit apparaat")
    sign_in(page, server.url)
    assert wait_until(lambda: len(stored(live_app, visit_id)) == 3, page=page)
    assert stored(live_app, visit_id) == {"play.space": ("partly", None), "play.outdoor": ("yes", None), "safety.fire": ("no", None)}
    go(page, base)
    page.locator("html[data-progress=ready]").wait_for(state="attached")
    assert page.locator("[data-progress-domain=play] .count").inner_text() == "2 van 2 beantwoord"
    assert page.locator(".device-waiting").is_hidden()
    context.close()
