"""Audit log and revisions: every change traced without note text; reopening keeps history."""

from __future__ import annotations

import sqlite3

import pytest

from checklist.store.connection import connect
from tests.conftest import create_location
from tests.conftest import flat
from tests.conftest import create_visit
from tests.conftest import login
from tests.conftest import pdftotext
from tests.conftest import query
from tests.conftest import save


@pytest.fixture
def submitted(app, client):
    visit_id = create_visit(client, create_location(client, name="Azc Historie"))
    client.post(f"/visits/{visit_id}/domains/play", data={"value_play__space": "fails", "note_play__space": "Geheime waarneming 123"})
    client.post(f"/visits/{visit_id}/submit")
    return visit_id


def test_changes_are_audited_with_field_names_and_never_note_text(app, submitted):
    log = query(app, "select action, entity, entity_id, fields, user_id from audit_log order by id")
    actions = [(r["action"], r["entity"]) for r in log]
    assert ("create", "location") in actions and ("create", "visit") in actions
    assert ("answer", "visit") in actions and ("submit", "visit") in actions
    answer = next(r for r in log if r["action"] == "answer")
    assert answer["fields"] == "play.space" and answer["entity_id"] == submitted and answer["user_id"] == 1
    dump = "\n".join(str(r) for r in query(app, "select * from audit_log"))
    assert "Geheime waarneming" not in dump


def test_audit_rows_cannot_be_changed_or_deleted(app, submitted):
    db = connect(app.config["DATABASE"])
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("update audit_log set action = 'x'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("delete from audit_log")
    db.conn.close()


def test_an_audit_row_is_written_in_the_same_transaction(app, client, monkeypatch):
    """If the audit insert fails, the change it describes is not stored either."""
    import checklist.store.visits as store

    location_id = create_location(client)
    visit_id = create_visit(client, location_id)
    monkeypatch.setattr(store, "audit", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("audit down")))
    with pytest.raises(RuntimeError):
        client.post(f"/visits/{visit_id}/domains/play", data={"value_play__space": "meets"})
    assert query(app, "select * from answers where visit_id = ?", [visit_id]) == []


def test_coordinator_reopens_with_reason_and_history_is_kept(app, submitted, tmp_path):
    coordinator = login(app.test_client(), "coordinator@a.test")
    coordinator.set_cookie("lang", "en")
    assert coordinator.post(f"/visits/{submitted}/reopen", data={"reason": ""}).status_code == 422
    assert query(app, "select status from visits where id = ?", [submitted])[0]["status"] == "submitted"  # a reason is required
    assert coordinator.post(f"/visits/{submitted}/reopen", data={"reason": "Datum klopt niet"}).status_code == 303
    assert query(app, "select status, revision from visits where id = ?", [submitted])[0] == {"status": "draft", "revision": 1}
    assert save(coordinator, submitted, "play", {"value_play__space": "partly", "note_play__space": "Gecorrigeerd"}).status_code == 303
    coordinator.post(f"/visits/{submitted}/submit")
    page = coordinator.get(f"/visits/{submitted}").get_data(as_text=True)
    assert "submitted as revision 1" in page and "reopened" in page and "Datum klopt niet" in page and "submitted as revision 2" in page
    revisions = query(app, "select revision, event, snapshot from visit_revisions where visit_id = ? order by id", [submitted])
    assert [(r["revision"], r["event"]) for r in revisions] == [(1, "submitted"), (1, "reopened"), (2, "submitted")]
    assert "Geheime waarneming 123" in revisions[0]["snapshot"] and "Gecorrigeerd" in revisions[2]["snapshot"]
    text = flat(pdftotext(coordinator.get(f"/visits/{submitted}/report.pdf").data, tmp_path))
    assert "Revision 2" in text


def test_only_coordinators_of_the_organisation_reopen(app, submitted):
    for email in ("visitor@a.test", "coordinator@b.test", "monitor@m.test", "admin@a.test"):
        client = login(app.test_client(), email)
        assert client.post(f"/visits/{submitted}/reopen", data={"reason": "x"}).status_code == 404, email
    assert query(app, "select status from visits where id = ?", [submitted])[0]["status"] == "submitted"


def test_admin_reads_the_audit_log_with_filters(app, submitted):
    admin = login(app.test_client(), "admin@a.test")
    admin.set_cookie("lang", "en")
    page = admin.get("/admin/audit/").get_data(as_text=True)
    assert "submit" in page and "play.space" in page and "Vera Visitor" in page
    only_locations = admin.get("/admin/audit/?entity=location").get_data(as_text=True)
    assert "play.space" not in only_locations and "location" in only_locations
    nobody = admin.get("/admin/audit/?user_id=999").get_data(as_text=True)
    assert "Nothing found." in nobody
