"""Visits through the HTTP client: draft, checklist pages, bad input, review, submit, read-only."""

from __future__ import annotations

import re

import pytest

from checklist import create_app
from tests.conftest import coordinator_of
from tests.conftest import SMALL_CRITERIA
from tests.conftest import add_users
from tests.conftest import answers_in_db
from tests.conftest import create_location
from tests.conftest import flat
from tests.conftest import create_visit
from tests.conftest import login
from tests.conftest import make_config
from tests.conftest import query
from tests.conftest import save
from tests.conftest import textarea
from tests.conftest import versions

XSS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "javascript:alert(1)", "{{7*7}}", "<font size=40>BIG</font>"]


def test_new_visit_with_bad_values_keeps_them(english):
    location_id = create_location(english)
    response = english.post(
        f"/locations/{location_id}/visits/new",
        data={"visit_date": "2999-01-01", "visitors": "K.L.", "announced": "0", "children_present": "4", "amv_present": "9", "impression": "Druk"},
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "A visit cannot take place in the future." in text
    assert "Cannot be more than the number of children present." in text
    assert 'aria-invalid="true" id="visit_date" name="visit_date" required type="date" value="2999-01-01"' in text
    assert 'value="K.L."' in text and textarea(text, "impression") == "Druk"
    assert 'aria-invalid="true" id="amv_present" max="5000" min="0" name="amv_present" type="number" value="9"' in text
    assert 'checked id="announced-1" name="announced" type="radio" value="0"' in text


def test_checklist_shows_only_criteria_for_the_location_type(english):
    azc = create_visit(english, create_location(english, type="azc"))
    amv = create_visit(english, create_location(english, type="amv_kleinschalig", name="Woongroep Test"))
    assert english.get(f"/visits/{azc}/domains/amv").status_code == 404
    assert "Every young person has a mentor." not in english.get(f"/visits/{azc}").get_data(as_text=True)
    page = english.get(f"/visits/{amv}/domains/amv")
    assert page.status_code == 200 and "Every young person has a mentor." in page.get_data(as_text=True)


def test_domain_page_shows_text_guidance_anchors_and_progress(english):
    visit_id = create_visit(english, create_location(english))
    text = english.get(f"/visits/{visit_id}/domains/play").get_data(as_text=True)
    assert "There is an indoor play space." in text
    assert "<details class=\"guidance\">" in text and "Check that the room is open." in text
    assert "CRC: art. 31" in text and "CRC: UN Convention on the Rights of the Child." in text  # as the PDFs say it
    assert "Domain 1 of 2" in text
    assert "Never write children's names" in text


def test_answers_saved_on_page_change_and_continued_after_restart(app, english, tmp_path):
    visit_id = create_visit(english, create_location(english))
    response = english.post(
        f"/visits/{visit_id}/domains/play",
        data={"value_play__space": "partly", "note_play__space": "Open op woensdag", "value_play__outdoor": "yes", "go": "domain:safety"},
    )
    assert response.status_code == 303 and response.location.endswith(f"/visits/{visit_id}/domains/safety")
    english.post(f"/visits/{visit_id}/domains/safety", data={"number_safety__moves": "2", "go": "save"})
    # A new app on the same database file: a server restart, or another device.
    restarted = login(create_app(make_config(tmp_path)).test_client())
    restarted.set_cookie("lang", "en")
    overview = restarted.get(f"/visits/{visit_id}").get_data(as_text=True)
    assert f'href="/visits/{visit_id}/domains/safety">Continue the checklist' in overview
    assert "2 of 2 answered" in overview and "1 of 2 answered" in overview
    play = restarted.get(f"/visits/{visit_id}/domains/play").get_data(as_text=True)
    assert 'name="value_play__space" value="partly" checked>' in play
    assert textarea(play, "note_play__space") == "Open op woensdag"
    safety = restarted.get(f"/visits/{visit_id}/domains/safety").get_data(as_text=True)
    assert 'name="number_safety__moves" value="2"' in safety


def test_bad_count_and_long_note_keep_input_and_save_the_rest(app, english):
    visit_id = create_visit(english, create_location(english))
    long_note = "x" * 2001
    response = english.post(
        f"/visits/{visit_id}/domains/safety",
        data={"number_safety__moves": "99", "note_safety__moves": "veel", "value_safety__fire": "yes", "note_safety__fire": long_note, "go": "review"},
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Enter a number from 0 to 20." in text
    assert 'value="99"' in text and textarea(text, "note_safety__moves") == "veel" and textarea(text, "note_safety__fire") == long_note
    assert text.count('class="criterion has-error"') == 2
    assert answers_in_db(app, visit_id) == {}
    english.post(f"/visits/{visit_id}/domains/safety", data={"number_safety__moves": "1", "value_safety__fire": "yes", "note_safety__fire": "kort", "go": "save"})
    stored = answers_in_db(app, visit_id)
    assert stored["safety.moves"]["number"] == 1 and stored["safety.fire"]["note"] == "kort"


def test_valid_answers_are_saved_next_to_a_bad_one(app, client):
    visit_id = create_visit(client, create_location(client))
    response = client.post(f"/visits/{visit_id}/domains/safety", data={"number_safety__moves": "-1", "value_safety__fire": "no"})
    assert response.status_code == 422
    assert answers_in_db(app, visit_id)["safety.fire"]["value"] == "no"


def test_clearing_an_answer_removes_it(app, client):
    visit_id = create_visit(client, create_location(client))
    client.post(f"/visits/{visit_id}/domains/play", data={"value_play__space": "meets"})
    assert save(client, visit_id, "play", {"value_play__space": ""}).status_code == 303
    assert answers_in_db(app, visit_id) == {}


def test_previous_submitted_answer_shown_next_to_criterion(english):
    location_id = create_location(english)
    first = create_visit(english, location_id, visit_date="2025-06-01")
    english.post(f"/visits/{first}/domains/play", data={"value_play__space": "fails", "note_play__space": "Speelkamer op slot"})
    english.post(f"/visits/{first}/submit")
    second = create_visit(english, location_id, visit_date="2026-01-10")
    text = english.get(f"/visits/{second}/domains/play").get_data(as_text=True)
    assert "Previous visit (2025-06-01)" in text
    assert "<strong>Does not meet</strong>" in text and "Speelkamer op slot" in text


def test_review_shows_scores_red_flags_coverage_and_unanswered(english):
    visit_id = create_visit(english, create_location(english))
    english.post(f"/visits/{visit_id}/domains/play", data={"value_play__space": "meets", "value_play__outdoor": "yes"})
    english.post(f"/visits/{visit_id}/domains/safety", data={"value_safety__fire": "no", "note_safety__fire": "Nooduitgang geblokkeerd"})
    text = english.get(f"/visits/{visit_id}/review").get_data(as_text=True)
    assert "Red flags" in text and "Escape routes are clear." in text and "Nooduitgang geblokkeerd" in text
    assert "3/4 (75%)" in text
    assert "Unanswered criteria (1)" in re.sub(r"<[^>]+>", "", text) and "Number of moves per child." in text
    assert "Score = 100 × 3 / 3 = 100" in text  # how the play score was computed
    assert "A critical criterion fails, so this domain is red." in text


def test_submitted_visit_is_read_only(app, english):
    visit_id = create_visit(english, create_location(english))
    english.post(f"/visits/{visit_id}/domains/play", data={"value_play__space": "meets"})
    english.post(f"/visits/{visit_id}/children", data={"age_band": "8-12", "domain_id": "play", "text": "Leuk"})
    assert english.post(f"/visits/{visit_id}/submit").status_code == 303
    before = answers_in_db(app, visit_id)
    # Typed text is never thrown away: the page comes back read-only with it (409).
    typed = [
        (f"/visits/{visit_id}/domains/play", {"value_play__space": "fails", "note_play__space": "Te laat getypt"}, "Te laat getypt"),
        (f"/visits/{visit_id}/details", {"visit_date": "2026-01-01", "organisation_id": "1", "visitors": "X. Laat"}, "X. Laat"),
        (f"/visits/{visit_id}/children", {"age_band": "4-7", "text": "Nieuw verhaal"}, "Nieuw verhaal"),
    ]
    for url, data, shown in typed:
        response = english.post(url, data=data)
        assert response.status_code == 409, url
        assert shown in response.get_data(as_text=True) and "has just been submitted" in response.get_data(as_text=True)
    for url in (f"/visits/{visit_id}/children/1/delete", f"/visits/{visit_id}/submit"):
        response = english.post(url)
        assert response.status_code == 303, url
        assert response.location.endswith(f"/visits/{visit_id}")
    assert answers_in_db(app, visit_id) == before
    page = english.get(f"/visits/{visit_id}").get_data(as_text=True)
    assert "can no longer be changed" in page
    assert "Leuk" in page and "Nieuw verhaal" not in page and 'name="value_play__space"' not in page
    assert english.get(f"/visits/{visit_id}/domains/play").status_code == 302


def test_unknown_visit_is_a_404_page(english):
    for url in ("/visits/404", "/visits/404/domains/play", "/visits/404/review", "/visits/404/report.pdf", "/visits/404/children"):
        response = english.get(url)
        assert response.status_code == 404, url
        assert "Not found" in response.get_data(as_text=True)
    assert english.post("/visits/404/submit").status_code == 404
    assert english.post("/visits/404/domains/play", data={"value_play__space": "meets"}).status_code == 404


def test_children_said_entries_and_no_names_warning(english):
    visit_id = create_visit(english, create_location(english))
    page = english.get(f"/visits/{visit_id}/children").get_data(as_text=True)
    assert "Never write a name" in page
    bad = english.post(f"/visits/{visit_id}/children", data={"age_band": "8-12", "domain_id": "play", "text": "y" * 1001})
    assert bad.status_code == 422 and "y" * 1001 in bad.get_data(as_text=True)
    english.post(f"/visits/{visit_id}/children", data={"age_band": "13-17", "domain_id": "safety", "text": "'s Nachts is het lawaaierig"})
    english.post(f"/visits/{visit_id}/children", data={"age_band": "0-3", "domain_id": "", "text": "Huilt veel volgens moeder"})
    page = english.get(f"/visits/{visit_id}/children").get_data(as_text=True)
    assert "&#39;s Nachts is het lawaaierig" in page and "13-17 years" in page and "Huilt veel" in page


def test_html_in_every_text_field_is_shown_as_text(english):
    payload = " | ".join(XSS)
    location_id = create_location(english, name=f"Azc {payload}", municipality=payload, operator=payload)
    visit_id = create_visit(english, location_id, visitors=payload, impression=payload)
    english.post(f"/visits/{visit_id}/domains/play", data={"value_play__space": "fails", "note_play__space": payload})
    english.post(f"/visits/{visit_id}/domains/safety", data={"value_safety__fire": "no", "note_safety__fire": payload})
    english.post(f"/visits/{visit_id}/children", data={"age_band": "8-12", "text": payload})
    pages = ["/locations/", f"/locations/{location_id}", f"/visits/{visit_id}", f"/visits/{visit_id}/domains/play", f"/visits/{visit_id}/review", f"/visits/{visit_id}/children"]
    texts = [(url, english.get(url).get_data(as_text=True)) for url in pages]
    english.post(f"/visits/{visit_id}/submit")
    texts.append(("submitted", english.get(f"/visits/{visit_id}").get_data(as_text=True)))
    for url, text in texts:
        assert "<script>alert(1)" not in text and "<img src=x" not in text and "<font size=40>" not in text, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text, url
        assert "{{7*7}}" in text, url  # shown as typed, never evaluated (a bare "49" can be a clock time)
    later = create_visit(english, location_id, visit_date="2026-02-01")
    text = english.get(f"/visits/{later}/domains/play").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "<script>alert(1)" not in text


def test_visit_keeps_its_own_criteria_version_after_the_file_changes(tmp_path):
    old_app = create_app(make_config(tmp_path))
    add_users(old_app)
    client = login(old_app.test_client())
    client.set_cookie("lang", "en")
    visit_id = create_visit(client, create_location(client))
    client.post(f"/visits/{visit_id}/domains/play", data={"value_play__space": "meets"})
    client.post(f"/visits/{visit_id}/submit")
    changed = tmp_path / "criteria_v2.yaml"
    changed.write_text(
        SMALL_CRITERIA.read_text(encoding="utf-8")
        .replace('version: "test.1"', 'version: "test.2"')
        .replace("There is an indoor play space.", "There is a bright indoor play room."),
        encoding="utf-8",
    )
    new_app = create_app(make_config(tmp_path, CRITERIA_PATH=str(changed)))
    client = login(new_app.test_client())
    client.set_cookie("lang", "en")
    old_visit = client.get(f"/visits/{visit_id}").get_data(as_text=True)
    assert "There is an indoor play space." in old_visit and "bright indoor play room" not in old_visit
    assert "test.1" in old_visit
    new_visit = create_visit(client, 1, visit_date="2026-02-01")
    page = client.get(f"/visits/{new_visit}/domains/play").get_data(as_text=True)
    assert "There is a bright indoor play room." in page


def test_pdf_report_through_the_browser_route(client, tmp_path):
    from tests.conftest import pdftotext

    visit_id = create_visit(client, create_location(client, name="Azc A&B <b>x</b> <font size=40>BIG</font>"))
    client.post(f"/visits/{visit_id}/domains/play", data={"value_play__space": "fails", "note_play__space": '<img src="/etc/hostname"/> & <script>alert(1)</script>'})
    response = client.get(f"/visits/{visit_id}/report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    draft = flat(pdftotext(response.data, tmp_path))
    assert "CONCEPT" in draft  # Dutch by default, marked as a draft
    assert "Azc A&B <b>x</b> <font size=40>BIG</font>" in draft
    assert '<img src="/etc/hostname"/> & <script>alert(1)</script>' in draft
    client.post(f"/visits/{visit_id}/submit")
    client.set_cookie("lang", "en")
    final = flat(pdftotext(client.get(f"/visits/{visit_id}/report.pdf").data, tmp_path))
    assert "Visit report" in final and "DRAFT" not in final and "CONCEPT" not in final


def test_chart_svg_shows_each_domains_score(english, report_fonts):
    from tests.conftest import svg_bar_values
    from tests.conftest import svg_texts

    visit_id = create_visit(english, create_location(english))
    english.post(f"/visits/{visit_id}/domains/play", data={"value_play__space": "meets", "value_play__outdoor": "yes"})
    response = english.get(f"/visits/{visit_id}/chart.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    texts = svg_texts(svg)
    assert {"Play", "Safety", "55", "80"} <= set(texts)
    assert "100" in texts and texts.count("no score") == 1  # play scored, safety not answered
    assert [round(value) for _fill, value in svg_bar_values(svg)] == [100]
    assert f'src="/visits/{visit_id}/chart.svg"' in english.get(f"/visits/{visit_id}/review").get_data(as_text=True)


def test_chart_routes_answer_in_a_fresh_process(tmp_path):
    """A new server process (gunicorn worker) whose first request is a chart, not a PDF."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    script = f"""
import sys
from pathlib import Path
sys.path.insert(0, {str(ROOT)!r})
from checklist import create_app
from tests.conftest import add_users, create_location, create_visit, login, make_config
app = create_app(make_config(Path({str(tmp_path)!r}), PROPAGATE_EXCEPTIONS=False))
add_users(app)
client = login(app.test_client(), "coordinator@a.test")
visit = create_visit(client, create_location(client))
print([client.get(url).status_code for url in (f"/visits/{{visit}}/chart.svg", "/compare/legend.svg", "/compare/types.svg")])
"""
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.stdout.strip().splitlines()[-1:] == ["[200, 200, 200]"], result.stdout + result.stderr[-2000:]


def test_submitted_visit_page_follows_location_and_language_changes(client):
    location_id = create_location(client, name="Azc Eerste Naam")
    visit_id = create_visit(client, location_id)
    client.post(f"/visits/{visit_id}/domains/play", data={"value_play__space": "meets"})
    client.post(f"/visits/{visit_id}/submit")
    assert "Voldoet" in client.get(f"/visits/{visit_id}").get_data(as_text=True)
    client.set_cookie("lang", "en")
    page = client.get(f"/visits/{visit_id}").get_data(as_text=True)
    assert "Meets" in page and "Voldoet" not in page
    coordinator_of(client).post(f"/locations/{location_id}/edit", data={"name": "Azc Tweede Naam", "type": "azc"})
    assert "Azc Tweede Naam" in client.get(f"/visits/{visit_id}").get_data(as_text=True)


def test_two_people_editing_the_same_criterion_get_a_conflict_view(app, english):
    visit_id = create_visit(english, create_location(english))
    colleague = login(app.test_client(), "coordinator@a.test", lang="en")
    mine, theirs = versions(english, visit_id, "play"), versions(colleague, visit_id, "play")
    saved = colleague.post(f"/visits/{visit_id}/domains/play", data={**theirs, "value_play__space": "fails", "note_play__space": "Hun notitie"})
    assert saved.status_code == 303
    response = english.post(f"/visits/{visit_id}/domains/play", data={**mine, "value_play__space": "meets", "note_play__space": "Mijn notitie"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Someone else saved this criterion" in page
    assert "Hun notitie" in page and textarea(page, "note_play__space") == "Mijn notitie"
    assert answers_in_db(app, visit_id)["play.space"]["note"] == "Hun notitie"  # theirs kept
    import re

    again = dict(re.findall(r'name="(rev_[a-z_]+)" value="([0-9]+:[0-9a-f]+)"', page))
    assert english.post(f"/visits/{visit_id}/domains/play", data={**again, "value_play__space": "meets", "note_play__space": "Mijn notitie"}).status_code == 303
    assert answers_in_db(app, visit_id)["play.space"]["note"] == "Mijn notitie"  # a deliberate second save wins


def test_edits_of_different_criteria_merge_without_conflict(app, english):
    visit_id = create_visit(english, create_location(english))
    colleague = login(app.test_client(), "coordinator@a.test")
    mine, theirs = versions(english, visit_id, "play"), versions(colleague, visit_id, "play")
    assert colleague.post(f"/visits/{visit_id}/domains/play", data={**theirs, "value_play__outdoor": "no", "note_play__outdoor": "Hek kapot"}).status_code == 303
    # My page still shows play.outdoor empty; I only answer play.space.
    assert english.post(f"/visits/{visit_id}/domains/play", data={**mine, "value_play__space": "meets"}).status_code == 303
    stored = answers_in_db(app, visit_id)
    assert stored["play.space"]["value"] == "meets"
    assert stored["play.outdoor"]["value"] == "no" and stored["play.outdoor"]["note"] == "Hek kapot"


def test_no_new_visit_at_a_closed_location_not_even_by_a_direct_post(app, english):
    location_id = create_location(english, name="Azc Gesloten")
    assert coordinator_of(english).post(f"/locations/{location_id}/close").status_code == 302
    data = {"visit_date": "2026-01-15", "visitors": "A.B.", "announced": "1"}
    for method in ("GET", "POST"):
        response = english.open(f"/locations/{location_id}/visits/new", method=method, data=data if method == "POST" else None)
        assert response.status_code == 303 and response.location.endswith(f"/locations/{location_id}")
        page = english.get(response.location).get_data(as_text=True)
        assert "This location is closed, so no new visit can be recorded." in page
    assert query(app, "select count(*) as n from visits") == [{"n": 0}]
    coordinator_of(english).post(f"/locations/{location_id}/close", data={"reopen": "1"})
    assert english.post(f"/locations/{location_id}/visits/new", data=data).status_code == 302  # open again: visits as before
