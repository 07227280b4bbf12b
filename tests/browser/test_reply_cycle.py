"""The whole right-of-reply cycle in a real browser, with mail through a real SMTP server:
a visitor submits a visit where a life-safety criterion fails -> the escalation mail reaches
the SMTP server and the escalation tops the operator's start page -> the coordinator sends
the findings for reply -> the operator signs in with a second factor (the code computed here,
as a phone's app would), disputes one finding and gives a plan for another -> the visit PDF
shows both replies beside their findings -> a re-check visit closes the planned one."""

from __future__ import annotations

import re
import threading
import time

import pyotp
import pytest
from werkzeug.serving import make_server

from checklist import create_app
from tests.browser.conftest import sign_in
from tests.conftest import TESTS
from tests.conftest import add_users
from tests.conftest import flat
from tests.conftest import make_config
from tests.conftest import pdftotext
from tests.conftest import query
from tests.test_mail import Inbox
from tests.test_mail import free_port

pytestmark = pytest.mark.browser


@pytest.fixture
def cycle_server(tmp_path):
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    config = make_config(
        tmp_path, WTF_CSRF_ENABLED=True, CRITERIA_PATH=str(TESTS / "criteria_red.yaml"), MAIL_SMTP_HOST="127.0.0.1", MAIL_SMTP_PORT=smtp.port,
        MAIL_SMTP_TLS="none", MAIL_SEND_AFTER_REQUEST=True,
    )
    app = create_app(config)
    add_users(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}", inbox
    server.shutdown()
    thread.join(timeout=5)
    smtp.stop()


def english_page(browser):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1100, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def switch_to_english(page, base):
    page.goto(f"{base}/login")
    page.get_by_role("button", name="English").click()


def visit_through_the_checklist(page, base, location_name, space, outdoor, fire):
    """A visitor records and submits a visit, as in tests/browser/test_journey.py."""
    page.goto(f"{base}/locations/")
    page.get_by_role("link", name=location_name).click()
    page.get_by_role("link", name="New visit").click()
    page.get_by_label("Visitors").fill("A.B.")
    page.get_by_label("Children present during the visit").fill("9")
    page.get_by_role("button", name="Start the checklist").click()
    page.get_by_role("link", name="Continue the checklist").click()
    page.locator("#c-play__space").get_by_label(space, exact=True).check()
    page.get_by_label("Note: what you saw or heard").first.fill("Speelkamer alleen op woensdag open")
    page.locator("#c-play__outdoor").get_by_label(outdoor, exact=True).check()
    page.get_by_role("button", name="Safety →").click()
    page.wait_for_url("**/domains/safety")
    page.locator("#c-safety__fire").get_by_label(fire, exact=True).check()
    page.get_by_label("Number (moves)").fill("1")
    page.get_by_role("button", name="Review").first.click()
    page.wait_for_url("**/review")
    page.get_by_role("button", name="Submit the visit").click()
    page.get_by_text("The visit has been submitted").wait_for()
    return int(re.search(r"/visits/(\d+)", page.url).group(1))


def wait_for(predicate, seconds=10):
    deadline = time.monotonic() + seconds
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.1)
    return predicate()


def test_the_whole_cycle_of_reply_and_recheck(browser, cycle_server, tmp_path):
    app, base, inbox = cycle_server

    # A coordinator adds a location and invites its operator (a password to hand over).
    coordinator_context, coordinator = english_page(browser)
    switch_to_english(coordinator, base)
    sign_in(coordinator, base, "coordinator@a.test")
    coordinator.get_by_role("link", name="New location").click()
    coordinator.get_by_label("Name").fill("Azc De Weerklank")
    coordinator.get_by_label("Type of location").select_option("azc")
    coordinator.get_by_label("Number of children living there").fill("40")
    coordinator.get_by_role("button", name="Save").click()
    coordinator.get_by_role("heading", name="Azc De Weerklank").wait_for()
    coordinator.get_by_role("link", name="Follow-up").click()
    coordinator.get_by_role("link", name="Operators").click()
    coordinator.get_by_label("Email address").fill("olga@coa.example")
    coordinator.get_by_label("Name").fill("Olga Operator")
    coordinator.get_by_label("Operator organisation").fill("COA")
    coordinator.get_by_label("Locations this person runs").select_option(label="Azc De Weerklank")
    coordinator.get_by_role("button", name="Make the account").click()
    password = coordinator.locator("#handover-password").inner_text()

    # A visitor submits a visit where fire safety (cap: red) fails.
    visitor_context, visitor = english_page(browser)
    switch_to_english(visitor, base)
    sign_in(visitor, base, "visitor@a.test")
    visit_id = visit_through_the_checklist(visitor, base, "Azc De Weerklank", space="Partly", outdoor="No", fire="No")

    # The escalation mail reaches the SMTP server, for the operator and the coordinator.
    assert wait_for(lambda: len(inbox.messages) >= 2), inbox.messages
    recipients = sorted(r for rcpts, message in inbox.messages if "Life safety" in message["Subject"] for r in rcpts)
    assert recipients == ["coordinator@a.test", "olga@coa.example"]

    # The operator signs in: the password, then a second factor it must set up.
    operator_context, operator = english_page(browser)
    switch_to_english(operator, base)
    operator.goto(f"{base}/login")
    operator.locator("#email").fill("olga@coa.example")
    operator.locator("#password").fill(password)
    operator.locator("form.stacked button[type=submit]").click()
    operator.wait_for_url(f"{base}/login/enrol")
    phone = pyotp.TOTP(operator.locator("#totp-secret").inner_text().replace(" ", ""))
    operator.get_by_label("Code", exact=True).fill(phone.now())
    operator.get_by_role("button", name="Confirm and sign in").click()
    operator.get_by_role("link", name="I have kept them, continue").click()
    operator.wait_for_url(f"{base}/operator/")
    escalation = operator.locator("section.escalations")
    assert "Escape routes are clear." in escalation.inner_text() and "Azc De Weerklank" in escalation.inner_text()
    assert operator.goto(f"{base}/visits/{visit_id}").status == 404  # the visit itself: never

    # The coordinator sends the findings for reply (the escalation tops their start page too).
    coordinator.goto(f"{base}/locations/")
    assert "Escape routes are clear." in coordinator.locator("section.escalations").inner_text()
    coordinator.goto(f"{base}/visits/{visit_id}")
    coordinator.get_by_role("button", name="Send the findings for reply").click()
    coordinator.get_by_role("heading", name="Findings for reply: Azc De Weerklank").wait_for()
    assert wait_for(lambda: any("Findings for your reply" in m["Subject"] for _, m in inbox.messages))

    # The operator disputes one finding and gives a plan for another.
    operator.goto(f"{base}/operator/")
    operator.get_by_role("link", name="Azc De Weerklank").click()
    space = operator.locator("article.finding", has_text="There is an indoor play space.")
    space.get_by_label("I agree").check()
    space.get_by_label("Reply", exact=True).fill("Klopt: de speelkamer gaat elke middag open.")
    space.get_by_label("What will change (where you agree)").fill("Een tweede medewerker voor de middagen")
    space.get_by_label("Changed by (plan date)").fill("2098-05-01")
    outdoor = operator.locator("article.finding", has_text="There is a safe outdoor play area.")
    outdoor.get_by_label("I disagree").check()
    outdoor.get_by_label("Reply", exact=True).fill("Er is een omheinde speelplek achter de sporthal.")
    operator.get_by_role("button", name="Send my replies").click()
    operator.get_by_text("Your replies are recorded: 2.").wait_for()

    # The visit PDF shows both replies, each beside its own finding.
    coordinator.goto(f"{base}/visits/{visit_id}")
    with coordinator.expect_download() as download:
        coordinator.get_by_role("link", name="Download PDF report").click()
    pdf = tmp_path / "visit.pdf"
    download.value.save_as(pdf)
    text = flat(pdftotext(pdf.read_bytes(), tmp_path))
    space_at, outdoor_at = text.index("There is an indoor play space."), text.index("There is a safe outdoor play area.")
    agreed = text.index("Agrees. Klopt: de speelkamer gaat elke middag open.")
    disputed = text.index("Disagrees. Er is een omheinde speelplek achter de sporthal.")
    assert space_at < agreed < outdoor_at < disputed < text.index("Escape routes are clear.", outdoor_at)  # the next criterion
    assert "Reply of COA" in text and "Plan date: 1 May 2098" in text

    # A re-check visit finds the play space met: the planned finding is closed, the other stays open.
    visit_through_the_checklist(visitor, base, "Azc De Weerklank", space="Meets", outdoor="No", fire="Yes")
    coordinator.goto(f"{base}/follow-up/")
    cycles = coordinator.locator("table.cycles").inner_text()
    assert "There is a safe outdoor play area." in cycles and "Not fixed at re-check on" in cycles
    assert "There is an indoor play space." not in cycles  # closed
    closed = query(app, "select f.criterion_id from findings f join finding_rechecks c on c.finding_id = f.id where c.result = 'meets' order by 1")
    assert closed == [{"criterion_id": "play.space"}, {"criterion_id": "safety.fire"}]  # fire safety was a finding too, met now
    for context in (coordinator_context, visitor_context, operator_context):
        context.close()
