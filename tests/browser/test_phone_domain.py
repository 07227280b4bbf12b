"""A domain page held in one hand (390 x 844): the first question is on the first screen of
every domain, the save bar takes at most a tenth of the screen, and the domain list is one
control that saves and goes, with the real criteria file."""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from checklist import create_app
from tests.browser.conftest import sign_in
from tests.conftest import ROOT
from tests.conftest import add_users
from tests.conftest import answers_in_db
from tests.conftest import create_location
from tests.conftest import create_visit
from tests.conftest import login
from tests.conftest import make_config

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def real_server(tmp_path):
    app = create_app(make_config(tmp_path, CRITERIA_PATH=str(ROOT / "criteria.yaml")))
    add_users(app)
    client = login(app.test_client())
    visit_id = create_visit(client, create_location(client, type="noodopvang"), amv_resident="3")
    app.config["WTF_CSRF_ENABLED"] = True
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}", visit_id
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def phone(browser, real_server):
    """A visitor signed in on a 390 x 844 phone: (app, base URL, visit id, context, page)."""
    app, base, visit_id = real_server
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        sign_in(page, base)
        yield app, base, visit_id, context, page
    finally:
        context.close()


def test_every_domain_shows_its_first_question_without_scrolling(phone):
    app, base, visit_id, context, page = phone
    domains = [d.id for d in app.extensions["criteria"].domains_for("noodopvang")]
    assert len(domains) >= 12
    for domain_id in domains:
        page.goto(f"{base}/visits/{visit_id}/domains/{domain_id}")
        page.locator(".actions.sticky .sync-line:not(:empty)").wait_for(state="attached")
        assert page.locator(".actions.sticky .sync-line").bounding_box()["width"] > 60, domain_id  # where the visitor stands stays in view  # the bar as it stays, its line filled in
        bar = page.locator(".actions.sticky").bounding_box()
        header = page.locator("header.site-header").bounding_box()
        assert header["height"] + bar["height"] <= 0.12 * PHONE["height"], (domain_id, header["height"], bar["height"])
        # The first answer can be given without scrolling, above the save bar (the first
        # domain of a new visit, with its privacy notice, included).
        criterion = page.locator("fieldset.criterion").first
        choice = criterion.locator("input[type=number], .choices label").first.bounding_box()  # a count is answered by its number
        assert choice["y"] + choice["height"] <= PHONE["height"] - bar["height"], (domain_id, choice["y"])
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], domain_id


def test_the_domain_control_saves_and_goes_where_chosen(phone):
    app, base, visit_id, context, page = phone
    page.goto(f"{base}/visits/{visit_id}/domains/play")
    assert not page.locator("nav.steps ol").is_visible()  # the long list is folded away
    page.locator("#c-play__indoor_space input[value=partly]").check()
    page.get_by_label("Naar domein").select_option("health")
    page.get_by_role("button", name="Ga", exact=True).click()
    page.wait_for_url(f"{base}/visits/{visit_id}/domains/health")
    assert answers_in_db(app, visit_id)["play.indoor_space"]["value"] == "partly"
    assert page.get_by_label("Naar domein").input_value() == "health"


def test_the_review_leads_with_what_needs_attention_and_the_submit_button(phone):
    """A nearly empty visit: its gaps are listed first, the submit button is on the first
    screen, and the answers fold per domain (a tap opens one)."""
    app, base, visit_id, context, page = phone
    page.goto(f"{base}/visits/{visit_id}/domains/play")
    page.locator("#c-play__indoor_space input[value=unknown]").check()  # critical, not assessed
    page.get_by_role("button", name="Opslaan").click()
    page.locator(".flash-success").wait_for()
    page.goto(f"{base}/visits/{visit_id}/review")
    attention = page.get_by_role("list", name="Aandacht nodig")
    text = attention.inner_text()
    assert "Niet beoordeeld (kritiek): 1" in text and "Onbeantwoorde criteria" in text
    assert "laag" in text  # coverage 0 of what could be assessed is low
    submit = page.get_by_role("button", name="Bezoek indienen").first.bounding_box()
    assert submit["y"] + submit["height"] <= PHONE["height"]
    folded = page.locator("details.domain-answers")
    assert folded.count() >= 12 and folded.first.get_attribute("open") is None
    height = page.evaluate("document.body.scrollHeight")
    folded.first.locator("> summary").tap()
    assert folded.first.get_attribute("open") is not None
    assert height < 12_000  # was some 25,000 px with every answer open


def test_save_keeps_the_focus_and_an_error_takes_it_to_the_field_at_fault(phone):
    app, base, visit_id, context, page = phone
    page.goto(f"{base}/visits/{visit_id}/domains/play")
    note = page.locator("#note_play__outdoor_space")
    note.fill("Hek rond het veld.")
    page.get_by_role("button", name="Opslaan").click()
    page.locator(".flash-success").wait_for()
    assert page.evaluate("document.activeElement.id") == "note_play__outdoor_space"
    # A count out of its range: the page says which criterion, links it, and the focus is there.
    page.goto(f"{base}/visits/{visit_id}/domains/housing")
    count = page.locator("fieldset.criterion input[type=number]").first
    count.fill("999999")
    page.get_by_role("button", name="Opslaan").click()
    summary = page.locator("#error-summary")
    summary.wait_for()
    link = summary.locator("a").first
    target = link.get_attribute("href")
    assert page.locator(target).locator("input[type=number]").get_attribute("aria-invalid") == "true"
    assert page.evaluate("document.activeElement.type") == "number"
    assert page.evaluate("document.activeElement.closest('fieldset.criterion').id") == target[1:]


def test_a_criterion_takes_less_height_and_an_answer_can_still_be_cleared(phone):
    app, base, visit_id, context, page = phone
    page.goto(f"{base}/visits/{visit_id}/domains/play")
    criterion = page.locator("#c-play__indoor_space")
    clear = criterion.get_by_text("Antwoord wissen")
    assert not clear.is_visible()  # no "no answer yet" choice while there is no answer
    note = criterion.locator("textarea")
    assert note.bounding_box()["height"] < 50  # one line until tapped
    note.tap()
    assert note.bounding_box()["height"] >= 50
    criterion.get_by_text("Deels", exact=True).tap()
    assert clear.is_visible()
    page.get_by_role("button", name="Opslaan").click()
    page.locator(".flash-success").wait_for()
    assert answers_in_db(app, visit_id)["play.indoor_space"]["value"] == "partly"
    page.locator("#c-play__indoor_space").get_by_text("Antwoord wissen").tap()
    with page.expect_navigation():  # the page of the first save already says "saved"
        page.get_by_role("button", name="Opslaan").click()
    page.locator(".flash-success").wait_for()
    assert "play.indoor_space" not in answers_in_db(app, visit_id)


def test_a_count_says_what_it_scores_as_while_it_is_typed_offline_too(phone):
    """Issue 17 §8: the school weeks' bands in words that do not overlap, and beside the number,
    as it is typed, what it scores as: the same rule as the server's, with no server needed."""
    app, base, visit_id, context, page = phone
    page.goto(f"{base}/visits/{visit_id}/domains/education")
    weeks = page.locator("#number_education__weeks_to_first_school_day")
    result = page.locator("#number_education__weeks_to_first_school_day-scores")
    assert "minder dan 9 = Voldoet; 9 of meer, minder dan 13 = Deels; 13 of meer = Voldoet niet" in page.locator("#number_education__weeks_to_first_school_day-bands").inner_text()
    assert result.inner_text() == ""
    context.set_offline(True)
    for typed, shown in (("13", "Dit getal telt als: Voldoet niet"), ("12.5", "Dit getal telt als: Deels"), ("9", "Dit getal telt als: Deels"), ("3", "Dit getal telt als: Voldoet"), ("", "")):
        weeks.fill(typed)
        assert result.inner_text() == shown, typed
    weeks.fill("500")
    assert "buiten het bereik" in result.inner_text()


def test_the_first_tab_stop_goes_to_the_first_unanswered_criterion(phone):
    app, base, visit_id, context, page = phone
    page.goto(f"{base}/visits/{visit_id}/domains/play")
    first, second = [page.locator("fieldset.criterion").nth(i).get_attribute("id") for i in (0, 1)]
    page.locator(f"#{first} input[value=meets]").check()
    page.get_by_role("button", name="Opslaan").click()
    page.locator(".flash-success").wait_for()
    page.goto(f"{base}/visits/{visit_id}/domains/play")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.inner_text() == "Naar het eerste onbeantwoorde criterium"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == f"#{second}"
    page.keyboard.press("Tab")  # the next stop is inside that criterion
    assert page.evaluate(f"document.activeElement.closest('fieldset.criterion').id") == second
