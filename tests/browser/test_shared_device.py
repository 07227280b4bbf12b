"""One tablet, several people: each person's work on the device is theirs alone.

Every test runs on one persistent Chromium profile (the service worker, IndexedDB and the
cookies the browser keeps survive closing it), as an organisation's shared tablet does.
Visitor A (De Vrolijkheid) takes a visit offline and types a note without a connection;
then the session ends in one of three ways (the browser is closed, the session expires on
the server, A signs out offline) and another person uses the tablet: a visitor of War Child
(another organisation) or a coordinator of A's own organisation. B never sees A's work, in
a page or in the device's storage; nothing of A's is sent under B's account; and A finds it
sent, as A, after signing in again.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import device_dump
from tests.browser.conftest import outbox_ready
from tests.browser.conftest import sign_in
from tests.browser.test_offline import connection_back
from tests.browser.test_offline import first_page
from tests.browser.test_offline import go
from tests.browser.test_offline import lose_connection
from tests.browser.test_offline import open_profile
from tests.browser.test_offline import server  # noqa: F401 (a fixture)
from tests.browser.test_offline import take_offline
from tests.browser.test_offline import three_domain_visit
from tests.browser.test_offline import wait_until
from tests.conftest import PASSWORD
from tests.conftest import connect
from tests.conftest import query
from tests.conftest import stored

pytestmark = pytest.mark.browser

A = "visitor@a.test"
A_NOTE = "Speelkamer op slot, notitie van A"
SHELL_NL = "Op dit apparaat"
OTHERS = {"another organisation": "visitor@b.test", "the same organisation": "coordinator@a.test"}


def user_id(app, email):
    return query(app, "select id from users where email = ?", [email])[0]["id"]


def a_types_offline(browser, server, app, profile):
    """A signs in, takes the visit offline, loses the connection and types a note."""
    visit_id = three_domain_visit(app)
    context = open_profile(browser, profile)
    page = first_page(context)
    sign_in(page, server.url, A)
    take_offline(page, server.url, visit_id)
    lose_connection(context, server)
    go(page, f"{server.url}/visits/{visit_id}/domains/play")
    page.locator("#c-play__space input[value=partly]").check()
    page.locator("#c-play__space textarea").fill(A_NOTE)
    page.locator(".actions.sticky .sync-line", has_text="1 nog te versturen").wait_for()
    return visit_id, context, page


def end_sessions_on_the_server(app, email):
    """The server forgets the session (it expired), as after two idle hours."""
    db = connect(app.config["DATABASE"])
    try:
        db.execute("delete from sessions where user_id = ?", [user_id(app, email)])
        db.conn.commit()
    finally:
        db.conn.close()


def assert_b_sees_nothing_of_a(page, server, visit_id):
    """Offline, B's navigation to A's visit gets the app shell, and nothing of A's note is
    readable anywhere on the device, from B's page."""
    page.goto(f"{server.url}/visits/{visit_id}/domains/play")
    outbox_ready(page)
    assert page.locator("h1").inner_text() == SHELL_NL
    content = page.content()
    assert A_NOTE not in content and "Vera Visitor" not in content
    assert A_NOTE not in device_dump(page)  # IndexedDB as any page of the origin reads it
    assert page.locator("#shell-visits li").count() == 0  # B took nothing offline


def assert_a_finds_it_sent_as_a(browser, server, app, profile, visit_id):
    context = open_profile(browser, profile)
    page = first_page(context)
    sign_in(page, server.url, A)
    assert wait_until(lambda: stored(app, visit_id).get("play.space") == ("partly", A_NOTE), page=page)
    writers = {r["user_id"] for r in query(app, "select user_id from audit_log where action = 'answer' and entity_id = ?", [visit_id])}
    assert writers == {user_id(app, A)}
    context.close()


@pytest.mark.parametrize("other", list(OTHERS))
def test_a_closed_browser_then_another_user(browser, server, live_app, tmp_path, other):
    profile = tmp_path / "tablet"
    visit_id, context, page = a_types_offline(browser, server, live_app, profile)
    context.close()  # the session cookie goes with the browser

    context = open_profile(browser, profile)
    page = first_page(context)
    connection_back(context, server)
    sign_in(page, server.url, OTHERS[other])
    # Online, nothing of A's was sent with B's cookie; A's visit is not B's (404 for another
    # organisation; for a coordinator of A's it opens, from the server, without A's note).
    page.goto(f"{server.url}/locations/")
    outbox_ready(page)
    page.wait_for_timeout(500)
    assert stored(live_app, visit_id) == {}
    assert page.locator(".sync-line").count() == 0 or "nog te versturen" not in page.locator("body").inner_text()
    lose_connection(context, server)
    assert_b_sees_nothing_of_a(page, server, visit_id)
    # B signs out online: A's waiting work stays on the device (it is not B's to delete).
    connection_back(context, server)
    go(page, f"{server.url}/locations/")
    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_url(f"{server.url}/login")
    outbox_ready(page)
    assert page.locator("#device-waiting").inner_text().startswith("1 antwoord, uitspraak of foto wacht op dit apparaat")
    context.close()
    assert stored(live_app, visit_id) == {}
    assert_a_finds_it_sent_as_a(browser, server, live_app, profile, visit_id)


@pytest.mark.parametrize("other", list(OTHERS))
def test_an_expired_session_then_another_user(browser, server, live_app, tmp_path, other):
    profile = tmp_path / "tablet"
    visit_id, context, page = a_types_offline(browser, server, live_app, profile)
    end_sessions_on_the_server(live_app, A)
    connection_back(context, server)
    # Back online with A's session gone: the sync line says so and offers a sign-in.
    go(page, f"{server.url}/visits/{visit_id}/domains/play")
    assert page.url.startswith(f"{server.url}/login")
    outbox_ready(page)
    assert "wacht op dit apparaat" in page.locator("#device-waiting").inner_text()

    # Someone else signs in on the login page that is open.
    sign_in(page, server.url, OTHERS[other])
    page.wait_for_timeout(500)
    assert stored(live_app, visit_id) == {}  # never sent under B's account
    lose_connection(context, server)
    assert_b_sees_nothing_of_a(page, server, visit_id)
    connection_back(context, server)
    context.close()
    assert_a_finds_it_sent_as_a(browser, server, live_app, profile, visit_id)


@pytest.mark.parametrize("other", list(OTHERS))
def test_signing_out_offline_signs_out_and_keeps_the_work(browser, server, live_app, tmp_path, other):
    profile = tmp_path / "tablet"
    visit_id, context, page = a_types_offline(browser, server, live_app, profile)
    sessions = lambda: query(live_app, "select count(*) as n from sessions where user_id = ?", [user_id(live_app, A)])[0]["n"]  # noqa: E731
    before = sessions()  # the tablet's, and the test client's that made the visit
    page.get_by_role("button", name="Uitloggen").click()
    dialog = page.locator("#sign-out-dialog")
    dialog.wait_for()
    text = dialog.locator(".sign-out-text").inner_text()
    assert "je bent nu op dit apparaat uitgelogd" in text and "1 niet-verstuurde antwoord" in text
    dialog.get_by_role("button", name="Uitloggen, bewaren").click()
    # The device is locked at once: the start page offline names nobody and opens nothing.
    page.wait_for_url(f"{server.url}/")
    outbox_ready(page)
    assert page.locator("h1").inner_text() == SHELL_NL
    assert page.locator("#shell-unlock").is_visible()
    assert A_NOTE not in page.content()

    # A, still offline, opens their own work again with their password.
    page.locator("#shell-email").fill(A)
    page.locator("#shell-password").fill(PASSWORD)
    page.locator("#shell-unlock button[type=submit]").click()
    page.locator("#shell-visits li a").first.wait_for()
    go(page, f"{server.url}/visits/{visit_id}/domains/play")
    assert page.locator("#c-play__space textarea").input_value() == A_NOTE
    # ... and signs out offline again, leaving the tablet to the next person.
    page.get_by_role("button", name="Uitloggen").click()
    page.locator("#sign-out-dialog").get_by_role("button", name="Uitloggen, bewaren").click()
    page.wait_for_url(f"{server.url}/")

    # The connection returns: the pending sign-out reaches the server before anything else.
    connection_back(context, server)
    go(page, f"{server.url}/locations/")
    assert page.url.startswith(f"{server.url}/login")  # A is signed out on the server too
    assert sessions() == before - 1
    assert stored(live_app, visit_id) == {}
    sign_in(page, server.url, OTHERS[other])
    page.wait_for_timeout(500)
    assert stored(live_app, visit_id) == {}
    lose_connection(context, server)
    assert_b_sees_nothing_of_a(page, server, visit_id)
    connection_back(context, server)
    context.close()
    assert_a_finds_it_sent_as_a(browser, server, live_app, profile, visit_id)
