"""Actions and follow-up: recorded from a criterion that was not met, checked at the next visit."""

from __future__ import annotations

import re
from datetime import date

import pytest

from checklist import store
from checklist.core.access import Scope
from checklist.core.filters import Filters
from tests.conftest import create_location
from tests.conftest import create_visit
from tests.conftest import login
from tests.conftest import pdftotext
from tests.conftest import query

ACTION = {"criterion_id": "play.space", "what": "Speelkamer elke middag openen", "owner": "COA-locatiemanager", "due_on": "2026-02-15"}


def submitted_visit(client, location_id, visit_date="2026-01-15", **answers):
    visit_id = create_visit(client, location_id, visit_date=visit_date)
    client.post(f"/visits/{visit_id}/domains/play", data={k: v for k, v in answers.items() if k.startswith(("value_play", "note_play"))})
    client.post(f"/visits/{visit_id}/domains/safety", data={k: v for k, v in answers.items() if "safety" in k})
    assert client.post(f"/visits/{visit_id}/submit").status_code == 303
    return visit_id


@pytest.fixture
def world(client):
    """A location with a submitted visit of organisation 1: play.space fails, play.outdoor
    is met, safety.moves is a count in the 'partly' band, safety.fire has no answer."""
    location = create_location(client, name="Azc Opvolging")
    visit = submitted_visit(
        client, location, value_play__space="fails", value_play__outdoor="yes", value_safety__moves="", number_safety__moves="2.5"
    )
    return {"location": location, "visit": visit}


def record(client, visit_id, **changes):
    return client.post(f"/visits/{visit_id}/actions", data=dict(ACTION, **changes))


def test_record_from_failed_criterion_and_refuse_from_met_one(app, client, world):
    visit = world["visit"]
    page = client.get(f"/visits/{visit}", headers={"Cookie": "lang=en"}).get_data(as_text=True)
    # Forms only for the criterion that fails and the count in the partly band.
    assert 'id="record-play__space"' in page and 'id="record-safety__moves"' in page
    assert 'id="record-play__outdoor"' not in page and 'id="record-safety__fire"' not in page

    response = record(client, visit)
    first_id = query(app, "select max(id) as id from actions")[0]["id"]
    assert response.status_code == 303 and response.location.endswith(f"/visits/{visit}#action-{first_id}")
    assert record(client, visit, criterion_id="safety.moves", what="Minder verhuizingen").status_code == 303
    stored = query(app, "select * from actions order by id")
    assert [(a["criterion_id"], a["status"], a["visit_id"], a["location_id"], a["organisation_id"]) for a in stored] == [
        ("play.space", "open", visit, world["location"], 1),
        ("safety.moves", "open", visit, world["location"], 1),
    ]
    assert stored[0]["what"] == ACTION["what"] and stored[0]["owner"] == "COA-locatiemanager" and stored[0]["due_on"] == "2026-02-15"

    for criterion in ("play.outdoor", "safety.fire", "nope.nothing"):
        refused = record(client, visit, criterion_id=criterion, what="Niet nodig")
        assert refused.status_code == 422, criterion
        assert "Niet nodig" in refused.get_data(as_text=True)  # the typed text comes back
    assert len(query(app, "select * from actions")) == 2


def test_invalid_input_comes_back_with_errors(app, client, world):
    response = record(client, world["visit"], what="", owner="GGD", due_on="2025-01-01")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="GGD"' in page and 'aria-invalid="true"' in page
    assert query(app, "select * from actions") == []


def test_open_action_on_location_page_and_next_checklist_where_it_is_marked_done(app, client, world):
    assert record(client, world["visit"]).status_code == 303
    action_id = query(app, "select id from actions")[0]["id"]
    client.set_cookie("lang", "en")
    location_page = client.get(f"/locations/{world['location']}").get_data(as_text=True)
    assert "Open actions (1)" in location_page and ACTION["what"] in location_page

    later = create_visit(client, world["location"], visit_date="2026-03-01")
    page = client.get(f"/visits/{later}/domains/play").get_data(as_text=True)
    # Beside its own criterion, not beside the other one.
    space = re.search(r'<fieldset[^>]*id="c-play__space".*?</fieldset>', page, re.S).group(0)
    outdoor = re.search(r'<fieldset[^>]*id="c-play__outdoor".*?</fieldset>', page, re.S).group(0)
    assert ACTION["what"] in space and ACTION["what"] not in outdoor
    assert f'form="action-status" formaction="/actions/{action_id}/status" name="status" value="done"' in space
    # No nested forms: the buttons submit a separate form placed after the checklist form.
    checklist = re.search(r'<form[^>]*id="checklist-form".*?</form>', page, re.S).group(0)
    assert checklist.count("<form") == 1
    status_form = re.search(r'<form id="action-status"[^>]*>(.*?)</form>', page, re.S)
    assert status_form and page.index('id="action-status"') > page.index('id="checklist-form"')
    assert f'name="visit_id" value="{later}"' in status_form.group(1)
    assert f'action="/actions/{action_id}/status"' in status_form.group(0)

    response = client.post(f"/actions/{action_id}/status", data={"status": "done", "visit_id": str(later), "return_to": "checklist"})
    assert response.status_code == 303 and response.location.endswith(f"/visits/{later}/domains/play#c-play__space")
    action = query(app, "select * from actions")[0]
    assert (action["status"], action["closed_in_visit_id"]) == ("done", later) and action["closed_at"]

    page = client.get(f"/visits/{later}/domains/play").get_data(as_text=True)
    assert "Done – at the visit of 2026-03-01" in page and "Undo: open again" in page
    assert "Open actions (0)" in client.get(f"/locations/{world['location']}").get_data(as_text=True)
    # Undo, then "not done" from the later visit's own page.
    client.post(f"/actions/{action_id}/status", data={"status": "open", "visit_id": str(later), "return_to": "checklist"})
    assert query(app, "select status, closed_in_visit_id, closed_at from actions")[0] == {"status": "open", "closed_in_visit_id": None, "closed_at": None}
    assert client.post(f"/actions/{action_id}/status", data={"status": "not_done", "visit_id": str(later), "return_to": "visit"}).location.endswith(f"/visits/{later}#action-{action_id}")
    assert query(app, "select status from actions")[0]["status"] == "not_done"


def test_status_checks_the_visit_it_is_marked_at(app, client, world):
    record(client, world["visit"])
    action_id = query(app, "select id from actions")[0]["id"]
    elsewhere = create_visit(client, create_location(client, name="Azc Elders"))
    assert client.post(f"/actions/{action_id}/status", data={"status": "done", "visit_id": str(elsewhere)}).status_code == 400
    assert client.post(f"/actions/{action_id}/status", data={"status": "done", "visit_id": str(world["visit"])}).status_code == 400
    assert client.post(f"/actions/{action_id}/status", data={"status": "gone"}).status_code == 400
    assert client.post(f"/actions/{action_id}/status", data={"status": "done", "visit_id": "99999"}).status_code == 404
    assert client.post(f"/actions/{action_id}/status", data={"status": "done", "visit_id": "9" * 40}).status_code == 404
    assert query(app, "select status from actions")[0]["status"] == "open"
    # From the location page, without a visit.
    response = client.post(f"/actions/{action_id}/status", data={"status": "cancelled", "return_to": "location"})
    assert response.location.endswith(f"/locations/{world['location']}#actions")
    assert query(app, "select status, closed_in_visit_id from actions")[0] == {"status": "cancelled", "closed_in_visit_id": None}


def test_overdue_actions_store_function(app, client, world, db):
    record(client, world["visit"], due_on="2026-02-01")
    record(client, world["visit"], criterion_id="safety.moves", due_on="2026-05-01")
    overdue = store.overdue_actions(db, Scope(organisation_id=1), date(2026, 3, 1))
    assert [(r["location_id"], r["location_name"], r["criterion_id"], r["what"], r["owner"], r["due_on"], r["visit_id"]) for r in overdue] == [
        (world["location"], "Azc Opvolging", "play.space", ACTION["what"], "COA-locatiemanager", "2026-02-01", world["visit"])
    ]
    assert overdue[0]["days_overdue"] == 28 and overdue[0]["organisation"] and overdue[0]["criteria_hash"]
    assert store.overdue_actions(db, Scope(organisation_id=1), "2026-06-01")[1]["criterion_id"] == "safety.moves"
    assert store.overdue_actions(db, Scope(organisation_id=1), date(2026, 1, 20)) == []
    assert store.overdue_actions(db, Scope(organisation_id=2), date(2026, 3, 1)) == []  # another organisation
    assert len(store.overdue_actions(db, Scope(submitted_only=True), date(2026, 3, 1))) == 1  # a monitor
    assert store.overdue_actions(db, Scope(nothing=True), date(2026, 3, 1)) == []  # an admin
    assert len(store.overdue_actions(db, Scope(organisation_id=1), date(2026, 3, 1), Filters(provinces=("Utrecht",), types=("azc",)))) == 1
    assert store.overdue_actions(db, Scope(organisation_id=1), date(2026, 3, 1), Filters(provinces=("Zeeland",))) == []
    assert store.overdue_actions(db, Scope(organisation_id=1), date(2026, 3, 1), Filters(organisation_ids=(2,))) == []
    client.post(f"/actions/{overdue[0]['id']}/status", data={"status": "done"})
    assert store.overdue_actions(db, Scope(organisation_id=1), date(2026, 3, 1)) == []


def test_other_organisation_gets_404_and_sees_nothing(app, client, world):
    record(client, world["visit"])
    action_id = query(app, "select id from actions")[0]["id"]
    other = login(app.test_client(), "visitor@b.test")
    assert record(other, world["visit"], what="Van B").status_code == 404
    assert other.post(f"/actions/{action_id}/status", data={"status": "done"}).status_code == 404
    # Not even with a visit of their own at the same location.
    own = create_visit(other, world["location"], visit_date="2026-03-01")
    assert other.post(f"/actions/{action_id}/status", data={"status": "done", "visit_id": str(own)}).status_code == 404
    assert ACTION["what"] not in other.get(f"/locations/{world['location']}").get_data(as_text=True)
    assert ACTION["what"] not in other.get(f"/visits/{own}/domains/play").get_data(as_text=True)
    assert [(a["what"], a["status"]) for a in query(app, "select * from actions")] == [(ACTION["what"], "open")]


def test_monitor_reads_but_cannot_create_or_change(app, client, world):
    record(client, world["visit"])
    action_id = query(app, "select id from actions")[0]["id"]
    monitor = login(app.test_client(), "monitor@m.test")
    monitor.set_cookie("lang", "en")
    assert record(monitor, world["visit"], what="Van monitor").status_code == 404
    assert monitor.post(f"/actions/{action_id}/status", data={"status": "done"}).status_code == 404
    visit_page = monitor.get(f"/visits/{world['visit']}").get_data(as_text=True)
    assert ACTION["what"] in visit_page and "/actions\"" not in visit_page and "/status" not in visit_page
    location_page = monitor.get(f"/locations/{world['location']}").get_data(as_text=True)
    assert ACTION["what"] in location_page and "/status" not in location_page
    assert query(app, "select count(*) as n from actions")[0]["n"] == 1
    admin = login(app.test_client(), "admin@a.test")
    assert "id=\"actions\"" not in admin.get(f"/locations/{world['location']}").get_data(as_text=True)


def test_cached_visit_body_holds_no_action_forms(app, client, world):
    """The submitted visit's body is cached for every reader: forms stay outside it."""
    monitor = login(app.test_client(), "monitor@m.test")
    assert "record-play__space" not in monitor.get(f"/visits/{world['visit']}").get_data(as_text=True)
    assert 'id="record-play__space"' in client.get(f"/visits/{world['visit']}").get_data(as_text=True)
    assert "record-play__space" not in monitor.get(f"/visits/{world['visit']}").get_data(as_text=True)


def test_draft_visit_can_have_actions_too(app, client):
    location = create_location(client)
    draft = create_visit(client, location)
    client.post(f"/visits/{draft}/domains/play", data={"value_play__space": "partly"})
    assert record(client, draft).status_code == 303
    assert query(app, "select visit_id from actions")[0]["visit_id"] == draft


def test_posts_without_csrf_token_are_refused(tmp_path):
    from tests.conftest import csrf_app
    from tests.conftest import csrf_login
    from tests.conftest import fresh_token

    app = csrf_app(tmp_path)
    client = csrf_login(app.test_client(), "coordinator@a.test")
    token = fresh_token(client)
    location = client.post("/locations/new", data={"name": "Azc Csrf", "type": "azc", "csrf_token": token}).location.rsplit("/", 1)[-1]
    visit = client.post(f"/locations/{location}/visits/new", data={"visit_date": "2026-01-01", "visitors": "A", "csrf_token": token}).location.rsplit("/", 1)[-1]
    client.post(f"/visits/{visit}/domains/play", data={"value_play__space": "fails", "csrf_token": token})
    client.post(f"/visits/{visit}/submit", data={"csrf_token": token})

    refused = client.post(f"/visits/{visit}/actions", data=ACTION)
    assert refused.status_code == 400 and ACTION["what"] in refused.get_data(as_text=True)  # typed text kept
    assert query(app, "select * from actions") == []
    page = client.get(f"/visits/{visit}").get_data(as_text=True)
    form_token = re.search(r'action="/visits/\d+/actions"[^>]*>\s*<input type="hidden" name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post(f"/visits/{visit}/actions", data=dict(ACTION, csrf_token=form_token)).status_code == 303
    action_id = query(app, "select id from actions")[0]["id"]

    assert client.post(f"/actions/{action_id}/status", data={"status": "done"}).status_code == 400
    assert client.post(f"/actions/{action_id}/status", data={"status": "done", "csrf_token": "forged"}).status_code == 400
    assert query(app, "select status from actions")[0]["status"] == "open"
    assert client.post(f"/actions/{action_id}/status", data={"status": "done", "csrf_token": form_token}).status_code == 303
    assert query(app, "select status from actions")[0]["status"] == "done"


def test_html_in_action_is_escaped_on_pages_and_literal_in_the_pdf(app, client, world, tmp_path):
    hostile = '<b>Fix</b> <img src=x onerror="alert(1)"> & co'
    record(client, world["visit"], what=hostile, owner="<i>GGD</i>")
    client.set_cookie("lang", "en")
    later = create_visit(client, world["location"], visit_date="2026-03-01")
    for url in (f"/visits/{world['visit']}", f"/locations/{world['location']}", f"/visits/{later}/domains/play"):
        page = client.get(url).get_data(as_text=True)
        assert "<b>Fix</b>" not in page and "<img src=x" not in page and "<i>GGD</i>" not in page, url
        assert "&lt;b&gt;Fix&lt;/b&gt;" in page and "&lt;i&gt;GGD&lt;/i&gt;" in page, url
    pdf = client.get(f"/visits/{world['visit']}/report.pdf")
    assert pdf.status_code == 200
    text = pdftotext(pdf.data, tmp_path)
    assert "Actions and follow-up" in text and "Actions recorded at this visit" in text
    assert "<b>Fix</b>" in text and "<i>GGD</i>" in text and "& co" in text


def test_pdf_of_the_later_visit_shows_the_earlier_action_checked_there(app, client, world, tmp_path):
    record(client, world["visit"], what="Buitenspeelplek omheinen")
    action_id = query(app, "select id from actions")[0]["id"]
    client.set_cookie("lang", "en")
    later = create_visit(client, world["location"], visit_date="2026-03-01")
    client.post(f"/actions/{action_id}/status", data={"status": "done", "visit_id": str(later), "return_to": "checklist"})
    text = pdftotext(client.get(f"/visits/{later}/report.pdf").data, tmp_path)
    assert "Actions from earlier visits" in text and "Buitenspeelplek omheinen" in text and "Done" in text
    assert "No actions were recorded at this visit." in text
    first = pdftotext(client.get(f"/visits/{world['visit']}/report.pdf").data, tmp_path)
    assert "Buitenspeelplek omheinen" in first and "Actions from earlier visits" not in first


def test_writes_are_audited_without_the_text(app, client, world):
    record(client, world["visit"], what="Geheime actietekst 42", owner="Geheime eigenaar")
    action_id = query(app, "select id from actions")[0]["id"]
    client.post(f"/actions/{action_id}/status", data={"status": "done"})
    client.post(f"/actions/{action_id}/status", data={"status": "done"})  # no change: no audit row
    log = query(app, "select action, entity, entity_id, fields, user_id, organisation_id from audit_log where entity = 'action' order by id")
    assert [(r["action"], r["entity_id"], r["user_id"], r["organisation_id"]) for r in log] == [("create", action_id, 1, 1), ("status", action_id, 1, 1)]
    assert log[0]["fields"] == "criterion_id,due_on,owner,status,visit_id,what"
    assert log[1]["fields"] == "closed_at,status"
    dump = "\n".join(str(r) for r in query(app, "select * from audit_log"))
    assert "Geheime" not in dump


def test_audit_row_in_the_same_transaction(app, client, world, monkeypatch):
    import checklist.store.actions as actions_store

    monkeypatch.setattr(actions_store, "audit", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("audit down")))
    with pytest.raises(RuntimeError):
        record(client, world["visit"])
    assert query(app, "select * from actions") == []
