"""Signing in with a second factor in a real browser: a coordinator enrols (the QR code drawn by
the app shows, the key is read off the page), keeps the recovery codes, signs out, and signs in
again with a TOTP code computed here with pyotp, as a phone's authenticator app would."""

from __future__ import annotations

import threading
import time

import pyotp
import pytest
from werkzeug.serving import make_server

from checklist import create_app
from tests.conftest import PASSWORD
from tests.conftest import add_users
from tests.conftest import make_config

pytestmark = pytest.mark.browser


@pytest.fixture
def strict_server(tmp_path):
    """The live app with the production default: coordinators must have a second factor."""
    app = create_app(make_config(tmp_path, WTF_CSRF_ENABLED=True, TOTP_REQUIRED_ROLES=["coordinator", "monitor", "admin"]))
    add_users(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def password_step(page, base_url, email):
    page.goto(f"{base_url}/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form.stacked button[type=submit]").click()


def test_sign_in_with_a_totp_code(page, strict_server):
    refused = []
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None)
    page.goto(f"{strict_server}/login")
    page.get_by_role("button", name="English").click()

    password_step(page, strict_server, "coordinator@a.test")
    page.wait_for_url(f"{strict_server}/login/enrol")
    qr = page.locator("figure.totp-qr svg")
    box = qr.bounding_box()
    assert box and box["width"] > 150 and box["height"] > 150  # drawn, large enough to scan
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    app = pyotp.TOTP(secret)

    page.get_by_label("Code", exact=True).fill(app.now())
    page.get_by_role("button", name="Confirm and sign in").click()
    page.get_by_role("heading", name="Your recovery codes").wait_for()
    assert page.locator("ol.recovery-codes li").count() == 10
    page.get_by_role("link", name="I have kept them, continue").click()
    page.wait_for_url(f"{strict_server}/locations/")
    page.get_by_role("button", name="Sign out").click()  # the page first empties the device, then signs out
    page.wait_for_url(f"{strict_server}/login")

    # Signed out: the password alone opens nothing.
    password_step(page, strict_server, "coordinator@a.test")
    page.wait_for_url(f"{strict_server}/login/code")
    page.goto(f"{strict_server}/locations/")
    assert page.url == f"{strict_server}/login/code"
    # The code of the next 30 seconds: the one used to enrol cannot be used again.
    page.get_by_label("Code", exact=True).fill(app.at(time.time() + 30))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{strict_server}/locations/")
    page.get_by_role("link", name="Second factor").click()
    assert "Recovery codes left: 10." in page.locator(".totp-status").inner_text()
    assert refused == []


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_second_step_pages_pass_axe_and_reflow(browser, strict_server, lang):
    """The enrolment, recovery codes and code pages, only reachable half signed in, at 320 px."""
    from tests.browser.test_accessibility import axe_violations

    context = browser.new_context(viewport={"width": 320, "height": 800}, bypass_csp=True)  # bypass_csp: to inject axe
    context.add_cookies([{"name": "lang", "value": lang, "url": strict_server}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    found = {}
    password_step(page, strict_server, "monitor@m.test")
    page.wait_for_url(f"{strict_server}/login/enrol")
    found["enrol"] = axe_violations(page), page.evaluate("document.documentElement.scrollWidth")
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.locator("#code").fill("000000")
    page.locator("form.stacked button[type=submit]").click()
    page.locator("#code-error").wait_for()
    page.wait_for_load_state("load")  # the stylesheet too, before axe measures targets
    found["enrol, wrong code"] = axe_violations(page), page.evaluate("document.documentElement.scrollWidth")
    page.locator("#code").fill(pyotp.TOTP(secret).now())
    page.locator("form.stacked button[type=submit]").click()
    page.locator("ol.recovery-codes").wait_for()
    page.wait_for_load_state("load")
    found["recovery codes"] = axe_violations(page), page.evaluate("document.documentElement.scrollWidth")
    page.locator("form.account button[type=submit]").click()
    page.wait_for_url(f"{strict_server}/login")  # signed out from the page that shows the recovery codes
    password_step(page, strict_server, "monitor@m.test")
    page.wait_for_url(f"{strict_server}/login/code")
    found["code"] = axe_violations(page), page.evaluate("document.documentElement.scrollWidth")
    context.close()
    problems = {name: (violations, width) for name, (violations, width) in found.items() if violations or width > 320}
    assert not problems, problems
