"""The save protocol through its two doors: the page's form and the browser's JSON save.

Also the two races with a submit: a save landing between loading the visit and the submit's
transaction, and a save arriving just after the visit was submitted. Each race is made
deterministic by running the other person's request inside the first one, at the moment
the first has loaded the visit.
"""

from __future__ import annotations

import pytest

from checklist.views import visits as visits_view
from tests.conftest import create_location
from tests.conftest import create_visit
from tests.conftest import login
from tests.conftest import query
from tests.conftest import save
from tests.conftest import stored
from tests.conftest import textarea
from tests.conftest import versions


@pytest.fixture
def visit(english):
    return create_visit(english, create_location(english))


@pytest.fixture
def colleague(app):
    return login(app.test_client(), "coordinator@a.test", lang="en")


def save_json(client, visit_id, data, domain="play", **headers):
    return client.post(f"/visits/{visit_id}/domains/{domain}/answers", data=data, headers={"Accept": "application/json", **headers})


def test_json_save_answers_per_criterion_and_gives_the_new_version(app, english, visit):
    start = versions(english, visit, "play")
    response = save_json(english, visit, {**start, "value_play__space": "partly", "note_play__space": "Klein"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["outcome"] == "saved" and "next" not in body  # a background save leads nowhere
    assert body["criteria"]["play.space"]["status"] == "saved"
    assert body["criteria"]["play.outdoor"]["status"] == "unchanged"
    assert body["criteria"]["play.space"]["version"] != start["rev_play__space"]
    assert stored(app, visit) == {"play.space": ("partly", "Klein")}
    # The new version is what the next save starts from: no conflict with itself.
    again = save_json(english, visit, {**start, "rev_play__space": body["criteria"]["play.space"]["version"], "value_play__space": "meets", "note_play__space": "Klein"})
    assert again.get_json()["criteria"]["play.space"]["status"] == "saved"
    assert stored(app, visit) == {"play.space": ("meets", "Klein")}


def test_json_save_with_a_button_says_where_to_go(english, visit):
    body = save_json(english, visit, {**versions(english, visit, "play"), "value_play__space": "meets", "go": "domain:safety"}).get_json()
    assert body["next"].endswith(f"/visits/{visit}/domains/safety")
    assert "Saved." in english.get(body["next"]).get_data(as_text=True)  # the next page confirms it


def test_json_conflict_names_the_other_version_and_writes_nothing(app, english, colleague, visit):
    mine = versions(english, visit, "play")
    assert save(colleague, visit, "play", {"value_play__space": "fails", "note_play__space": "Hun notitie"}).status_code == 303
    response = save_json(english, visit, {**mine, "value_play__space": "meets"})
    assert response.status_code == 409
    entry = response.get_json()["criteria"]["play.space"]
    assert entry["status"] == "conflict" and entry["theirs"] == {"answer": "Does not meet", "note": "Hun notitie"}
    assert stored(app, visit) == {"play.space": ("fails", "Hun notitie")}
    # Having seen theirs (the version in the answer), a second save is a deliberate choice.
    again = save_json(english, visit, {**mine, "rev_play__space": entry["version"], "value_play__space": "meets"})
    assert again.status_code == 200 and stored(app, visit) == {"play.space": ("meets", None)}


def test_json_errors_per_criterion_and_the_valid_ones_are_saved(app, english, visit):
    body = save_json(english, visit, {**versions(english, visit, "safety"), "number_safety__moves": "200", "value_safety__fire": "yes"}, domain="safety")
    assert body.status_code == 422
    result = body.get_json()["criteria"]
    assert result["safety.moves"]["status"] == "error" and any("from 0 to" in e for e in result["safety.moves"]["errors"])
    assert result["safety.fire"]["status"] == "saved"
    assert stored(app, visit) == {"safety.fire": ("yes", None)}


def test_json_expired_token_gives_a_new_one_and_saves_nothing(app, visit, tmp_path):
    from tests.conftest import csrf_app
    from tests.conftest import csrf_login

    guarded = csrf_app(tmp_path)  # the same database, tokens checked
    client = csrf_login(guarded.test_client())
    response = save_json(client, visit, {"csrf_token": "expired", "value_play__space": "meets"})
    assert response.status_code == 400
    body = response.get_json()
    assert body["outcome"] == "expired" and body["csrf_token"] and body["criteria"]["play.space"]["status"] == "not_saved"
    assert stored(guarded, visit) == {}
    assert save_json(client, visit, {"csrf_token": body["csrf_token"], "value_play__space": "meets"}).status_code == 200
    assert stored(guarded, visit) == {"play.space": ("meets", None)}
    # An expired token in the background leaves no message for the next page.
    assert "security token" not in client.get(f"/visits/{visit}").get_data(as_text=True)


def test_json_save_when_signed_out_says_so_instead_of_a_login_page(app, visit):
    anonymous = app.test_client()
    response = save_json(anonymous, visit, {"value_play__space": "meets"})
    assert response.status_code == 401 and response.get_json() == {"outcome": "signed_out"}


def test_json_save_on_a_submitted_visit_is_locked_and_writes_nothing(app, english, visit):
    english.post(f"/visits/{visit}/submit")
    response = save_json(english, visit, {"value_play__space": "meets"})
    assert response.status_code == 409 and response.get_json()["outcome"] == "locked"
    assert stored(app, visit) == {}


def test_a_post_without_versions_adds_answers_but_never_changes_or_clears_one(app, english, colleague, visit):
    """A page that carries no versions (an old tab, a script) counts as "started from no answer"."""
    assert save(colleague, visit, "play", {"value_play__space": "fails", "note_play__space": "Hun notitie"}).status_code == 303
    response = english.post(f"/visits/{visit}/domains/play", data={"value_play__space": "", "note_play__space": "", "value_play__outdoor": "yes"})
    assert response.status_code == 303  # an empty field is not a change: nothing to conflict with
    assert stored(app, visit) == {"play.space": ("fails", "Hun notitie"), "play.outdoor": ("yes", None)}
    response = english.post(f"/visits/{visit}/domains/play", data={"value_play__space": "meets"})
    assert response.status_code == 409 and stored(app, visit)["play.space"] == ("fails", "Hun notitie")


def test_cleared_then_retyped_answer_is_a_new_version(app, english, colleague, visit):
    """Revisions are never reused: an answer cleared and typed again by others conflicts."""
    save(english, visit, "play", {"value_play__space": "meets"})
    mine = versions(english, visit, "play")
    save(colleague, visit, "play", {"value_play__space": ""})
    save(colleague, visit, "play", {"value_play__space": "meets", "note_play__space": "Opnieuw"})
    response = english.post(f"/visits/{visit}/domains/play", data={**mine, "value_play__space": "partly"})
    assert response.status_code == 409
    assert stored(app, visit)["play.space"] == ("meets", "Opnieuw")


def test_error_page_shows_the_stored_answers_it_did_not_touch(app, english, colleague, visit):
    """The 422 page of the issue: my stale page saved again after correcting a number."""
    mine = versions(english, visit, "safety")
    assert save(colleague, visit, "safety", {"value_safety__fire": "no", "note_safety__fire": "Geen blusser"}).status_code == 303
    bad = english.post(f"/visits/{visit}/domains/safety", data={**mine, "number_safety__moves": "200"})
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    assert textarea(page, "note_safety__fire") == "Geen blusser"  # what is stored now, not my stale empty field
    import re

    form = dict(re.findall(r'name="(rev_[a-z0-9_]+)" value="([^"]+)"', page))
    assert form["rev_safety__moves"] == mine["rev_safety__moves"]  # still what I started from
    fixed = english.post(
        f"/visits/{visit}/domains/safety",
        data={**form, "number_safety__moves": "2", "value_safety__fire": "no", "note_safety__fire": "Geen blusser"},
    )
    assert fixed.status_code == 303
    assert stored(app, visit)["safety.fire"] == ("no", "Geen blusser")


def _during_load(monkeypatch, action):
    """Run `action` once, right after the next request loaded its visit (a race, made exact)."""
    load = visits_view.get_bundle_or_404
    done = []

    def racing(visit_id):
        bundle = load(visit_id)
        if not done:
            done.append(True)
            action()
        return bundle

    monkeypatch.setattr(visits_view, "get_bundle_or_404", racing)


def test_a_save_landing_before_the_submit_is_in_the_stored_score(app, english, colleague, visit, monkeypatch):
    save(english, visit, "play", {"value_play__space": "meets", "value_play__outdoor": "yes"})
    _during_load(monkeypatch, lambda: save(colleague, visit, "play", {"value_play__space": "fails", "value_play__outdoor": "no"}))
    assert english.post(f"/visits/{visit}/submit").status_code == 303
    monkeypatch.undo()
    from checklist.core.access import EVERYTHING
    from checklist.store.connection import connect
    from checklist.reports.visit_data import load_visit

    db = connect(app.config["DATABASE"])
    try:
        fresh = load_visit(db, visit, EVERYTHING).score  # scored from the answers as stored
        kept = dict(db.execute("select domain_id, score from visit_domain_scores where visit_id = ?", [visit]).fetchall())
    finally:
        db.conn.close()
    assert stored(app, visit)["play.space"] == ("fails", None)
    assert kept == {d.domain_id: d.score for d in fresh.domains}
    assert kept["play"] == 0


@pytest.mark.parametrize("door", ["page", "json"])
def test_a_save_arriving_after_the_submit_keeps_what_was_typed(app, english, colleague, visit, monkeypatch, door):
    start = versions(english, visit, "play")
    _during_load(monkeypatch, lambda: colleague.post(f"/visits/{visit}/submit"))
    data = {**start, "value_play__space": "partly", "note_play__space": "Net te laat getypt"}
    if door == "page":
        response = english.post(f"/visits/{visit}/domains/play", data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 409
        assert textarea(page, "note_play__space") == "Net te laat getypt" and "has just been submitted" in page
        assert "<fieldset disabled" in page
    else:
        response = save_json(english, visit, data)
        assert response.status_code == 409 and response.get_json()["outcome"] == "locked"
    assert stored(app, visit) == {}


def test_only_a_domain_of_the_visit_is_remembered_as_where_to_continue(app, english, visit):
    response = english.post(f"/visits/{visit}/domains/play", data={"value_play__outdoor": "yes", "go": "domain:" + "x" * 500_000})
    assert response.status_code == 303 and response.location.endswith(f"/visits/{visit}/domains/play")
    assert query(app, "select current_domain from visits where id = ?", [visit])[0]["current_domain"] == "play"
    english.post(f"/visits/{visit}/domains/play", data={"go": "domain:safety"})
    assert query(app, "select current_domain from visits where id = ?", [visit])[0]["current_domain"] == "safety"


def test_answers_loaded_in_bulk_still_conflict(app, english, colleague, visit):
    """Demo data and other bulk loads write answers (rev 1) without counting them in the
    visit; a later save must not hand out revision 1 again (found clicking through the demo)."""
    from checklist.store.connection import connect

    db = connect(app.config["DATABASE"])
    try:
        db["answers"].insert({"visit_id": visit, "criterion_id": "play.space", "value": "meets", "note": "Uit de demo", "rev": 1, "updated_at": "2026-01-01"})
    finally:
        db.conn.close()
    mine = versions(english, visit, "play")
    assert save(colleague, visit, "play", {"value_play__space": "fails", "note_play__space": "Collega eerst"}).status_code == 303
    response = english.post(f"/visits/{visit}/domains/play", data={**mine, "value_play__space": "partly", "note_play__space": "Ik daarna"})
    assert response.status_code == 409
    assert stored(app, visit)["play.space"] == ("fails", "Collega eerst")


def test_a_save_that_leaves_a_criterion_out_does_not_clear_it(app, english, colleague, visit):
    """The browser's background save sends only the criteria typed on this device."""
    assert save(colleague, visit, "play", {"value_play__outdoor": "no", "note_play__outdoor": "Hek kapot"}).status_code == 303
    page = versions(english, visit, "play")  # the versions only: no fields of play.outdoor
    body = save_json(english, visit, {**page, "value_play__space": "meets"}).get_json()
    assert body["outcome"] == "saved" and body["criteria"]["play.outdoor"]["status"] == "unchanged"
    assert stored(app, visit) == {"play.space": ("meets", None), "play.outdoor": ("no", "Hek kapot")}
