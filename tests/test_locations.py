"""Locations through the HTTP client: create, validate, list, search, filter, edit, close."""

from __future__ import annotations

import pytest

from tests.conftest import create_location
from tests.conftest import create_visit
from tests.conftest import login


@pytest.fixture
def client(app):
    """A coordinator of organisation 1: coordinators change the shared register (test_access
    has who else may not)."""
    return login(app.test_client(), "coordinator@a.test")


def test_create_and_show_location(english):
    location_id = create_location(english, name="Azc Łódź-Zuid")
    page = english.get(f"/locations/{location_id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Azc Łódź-Zuid" in text and "Testdorp" in text and "Reception centre" in text


def test_bad_values_keep_everything_typed_and_mark_the_field(english):
    response = english.post(
        "/locations/new",
        data={"name": "Noodopvang Zeezicht", "type": "noodopvang", "municipality": "Zeedorp", "province": "Zeeland", "operator": "COA", "capacity": "-5", "children": "abc"},
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert 'value="Noodopvang Zeezicht"' in text and 'value="Zeedorp"' in text and 'value="COA"' in text
    assert '<option selected value="noodopvang">' in text and '<option selected value="Zeeland">' in text
    assert 'id="capacity" aria-invalid="true"' in text or ('aria-invalid="true"' in text and 'id="capacity-error"' in text)
    assert 'id="children-error"' in text
    assert english.get("/locations/").get_data(as_text=True).count("Noodopvang Zeezicht") == 0


def test_name_is_required(english):
    response = english.post("/locations/new", data={"name": "  ", "type": "azc"})
    assert response.status_code == 422
    assert 'id="name-error"' in response.get_data(as_text=True)


def test_list_search_and_filters(client):
    create_location(client, name="Azc Noordhoek", type="azc", province="Groningen")
    create_location(client, name="Noodopvang Sporthal West", type="noodopvang", province="Utrecht", municipality="Westdorp")
    create_location(client, name="Azc Zuidrand", type="azc", province="Utrecht")
    names = lambda r: [n for n in ("Azc Noordhoek", "Noodopvang Sporthal West", "Azc Zuidrand") if n in r.get_data(as_text=True)]
    assert names(client.get("/locations/")) == ["Azc Noordhoek", "Noodopvang Sporthal West", "Azc Zuidrand"]
    assert names(client.get("/locations/?q=sporthal")) == ["Noodopvang Sporthal West"]
    assert names(client.get("/locations/?q=westdorp")) == ["Noodopvang Sporthal West"]
    assert names(client.get("/locations/?type=azc")) == ["Azc Noordhoek", "Azc Zuidrand"]
    assert names(client.get("/locations/?type=azc&province=Utrecht")) == ["Azc Zuidrand"]


def test_edit_location(client):
    location_id = create_location(client)
    response = client.post(f"/locations/{location_id}/edit", data={"name": "Azc Nieuwe Naam", "type": "noodopvang", "capacity": "10"})
    assert response.status_code == 302
    assert "Azc Nieuwe Naam" in client.get(f"/locations/{location_id}").get_data(as_text=True)


def test_closed_location_stays_in_history(client):
    location_id = create_location(client, name="Azc Gesloten")
    visit_id = create_visit(client, location_id)
    assert client.post(f"/locations/{location_id}/close").status_code == 302
    assert "Azc Gesloten" not in client.get("/locations/").get_data(as_text=True)
    assert "Azc Gesloten" in client.get("/locations/?closed=1").get_data(as_text=True)
    assert client.get(f"/visits/{visit_id}").status_code == 200
    assert f"/locations/{location_id}/visits/new" not in client.get(f"/locations/{location_id}").get_data(as_text=True)
    client.post(f"/locations/{location_id}/close", data={"reopen": "1"})
    assert "Azc Gesloten" in client.get("/locations/").get_data(as_text=True)


def test_unknown_location_is_a_404_page(english):
    for url in ("/locations/999", "/locations/999/edit", "/locations/999/visits/new"):
        response = english.get(url)
        assert response.status_code == 404
        assert "Not found" in response.get_data(as_text=True)
    assert english.post("/locations/999/close").status_code == 404


def test_a_second_location_with_the_same_name_is_named_and_must_be_confirmed(english):
    first = create_location(english, name="Azc Ter Apel", municipality="Vlagtwedde")
    typed = {"name": "  azc  TER apel ", "type": "noodopvang", "municipality": "Westerwolde", "province": "Groningen", "operator": "COA", "capacity": "120", "children": "30"}
    response = english.post("/locations/new", data=typed)
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "A location with this name already exists" in text
    assert f'<a href="/locations/{first}">Azc Ter Apel</a> – Vlagtwedde' in text
    assert 'name="different_location"' in text and "This is a different location" in text
    # nothing typed is lost
    assert 'value="  azc  TER apel "' in text or 'value="azc  TER apel"' in text
    assert 'value="Westerwolde"' in text and 'value="COA"' in text and 'value="120"' in text and 'value="30"' in text
    assert '<option selected value="noodopvang">' in text and '<option selected value="Groningen">' in text
    assert english.get("/locations/").get_data(as_text=True).count("TER apel") == 0  # nothing stored yet
    # confirmed: stored as typed
    response = english.post("/locations/new", data=typed | {"different_location": "y"})
    assert response.status_code == 302
    assert "Westerwolde" in english.get(response.location).get_data(as_text=True)


def test_a_different_name_is_not_questioned_and_dutch_says_it_too(client):
    create_location(client, name="Azc Ter Apel")
    assert client.post("/locations/new", data={"name": "Azc Ter Apel 2", "type": "azc"}).status_code == 302
    client.set_cookie("lang", "nl")
    text = client.post("/locations/new", data={"name": "AZC TER APEL", "type": "azc"}).get_data(as_text=True)
    assert "Er bestaat al een locatie met deze naam" in text and "Dit is een andere locatie" in text


def test_every_change_to_a_location_is_in_its_history_with_who_and_when(app):
    cor_a = login(app.test_client(), "coordinator@a.test", lang="en")
    bo_b = login(app.test_client(), "coordinator@b.test", lang="en")
    response = cor_a.post("/locations/new", data={"name": "Azc Oude Naam", "type": "azc", "municipality": "Testdorp", "capacity": "300"})
    location = int(response.location.rsplit("/", 1)[-1])
    assert bo_b.post(f"/locations/{location}/edit", data={"name": "Azc Nieuwe Naam", "type": "noodopvang", "municipality": "Testdorp", "capacity": "250"}).status_code == 302
    assert bo_b.post(f"/locations/{location}/close").status_code == 302
    assert cor_a.post(f"/locations/{location}/close", data={"reopen": "1"}).status_code == 302

    # Anyone who reads the location reads its history: a visitor of a third party too.
    page = login(app.test_client(), "monitor@m.test", lang="en").get(f"/locations/{location}").get_data(as_text=True)
    history = page[page.index("Changes to this location") :]
    rows = history.split("<tr>")[2:]  # after the head row; newest first
    assert [r.split("</td>")[2].split(":")[0].strip().removeprefix("<td>") for r in rows] == ["Reopened", "Closed", "Changed", "Created"]
    assert "Cor Coordinator (De Vrolijkheid)" in rows[0] and "Bo Coordinator (War Child)" in rows[1] and "Bo Coordinator (War Child)" in rows[2]
    assert "Cor Coordinator (De Vrolijkheid)" in rows[3]
    assert rows[2].index("Name: Azc Oude Naam → Azc Nieuwe Naam") < rows[2].index("Type of location:")  # in the form's order
    assert "Name: Azc Oude Naam → Azc Nieuwe Naam" in rows[2]
    assert "Type of location: Reception centre → Emergency reception" in rows[2]
    assert "Capacity (places): 300 → 250" in rows[2] and "Municipality" not in rows[2]  # only what changed
    assert "Name: Azc Oude Naam" in rows[3] and "Capacity (places): 300" in rows[3]
    assert "Closed on: – →" in rows[1] and "→ –" in rows[0]
    for row in rows:  # when, to the minute
        assert row.split("</td>")[0].removeprefix("\n          <td>")[:2] == "20"
    # Dutch too
    dutch = login(app.test_client(), "visitor@b.test", lang="nl").get(f"/locations/{location}").get_data(as_text=True)
    assert "Wijzigingen aan deze locatie" in dutch and "Heropend" in dutch and "Type locatie: Azc → Noodopvang" in dutch


def test_changes_before_the_history_existed_come_from_the_audit_log(tmp_path):
    """m017 fills the history from the audit log: who, when and which fields (the audit log
    never kept values); rows of other entities stay out."""
    from sqlite_utils import Database

    from checklist.store.migrations import migrations

    db = Database(tmp_path / "older.sqlite")
    steps = migrations._migrations
    m017 = next(m for m in steps if m.name.startswith("m017"))
    for step in steps[: steps.index(m017)]:
        step.fn(db)
    db["users"].insert({"id": 1, "email": "c@x.nl", "display_name": "Oude Coördinator", "organisation_id": 2, "role": "coordinator", "active": 1, "password_hash": "x", "created_at": "2025-01-01", "updated_at": "2025-01-01"})
    db["locations"].insert({"id": 1, "name": "Azc Oud", "type": "azc", "created_at": "2025-01-01T10:00:00+00:00", "updated_at": "2025-01-01T10:00:00+00:00"})
    db["audit_log"].insert_all(
        [
            {"at": "2025-01-01T10:00:00+00:00", "user_id": 1, "organisation_id": 2, "action": "create", "entity": "location", "entity_id": 1, "fields": "name,type"},
            {"at": "2025-02-01T10:00:00+00:00", "user_id": 1, "organisation_id": 2, "action": "update", "entity": "location", "entity_id": 1, "fields": "capacity,name"},
            {"at": "2025-03-01T10:00:00+00:00", "user_id": None, "organisation_id": None, "action": "close", "entity": "location", "entity_id": 1, "fields": "closed_on"},
            {"at": "2025-03-02T10:00:00+00:00", "user_id": 1, "organisation_id": 2, "action": "update", "entity": "visit", "entity_id": 1, "fields": "visitors"},
        ]
    )
    m017.fn(db)
    rows = list(db.query("select at, user_id, action, field, old_value, new_value from location_changes order by id"))
    assert [(r["action"], r["field"], r["user_id"]) for r in rows] == [
        ("create", "name", 1), ("create", "type", 1), ("update", "capacity", 1), ("update", "name", 1), ("close", "closed_on", None)
    ]  # fmt: skip
    assert {(r["old_value"], r["new_value"]) for r in rows} == {(None, None)}
    assert list(db.query("select system_admin from users")) == [{"system_admin": 0}]
