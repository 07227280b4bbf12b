"""Access control: the login wall over every route, and a role x organisation matrix."""

from __future__ import annotations

import pytest

from checklist.views.auth import PUBLIC_ENDPOINTS
from tests.conftest import create_location
from tests.conftest import create_visit
from tests.conftest import login
from tests.conftest import query
from tests.conftest import snapshot


@pytest.fixture
def world(app):
    """Organisation A (1) and B (2) each with a draft and a submitted visit at one shared location."""
    a = login(app.test_client(), "visitor@a.test")
    b = login(app.test_client(), "visitor@b.test")
    location = create_location(a, name="Azc Gedeeld")
    ids = {"location": location}
    for name, client in (("a", a), ("b", b)):
        submitted = create_visit(client, location, visit_date="2025-05-01")
        client.post(f"/visits/{submitted}/domains/play", data={"value_play__space": "meets", "note_play__space": f"note {name}"})
        client.post(f"/visits/{submitted}/children", data={"age_band": "8-12", "text": f"voice {name}"})
        assert client.post(f"/visits/{submitted}/criteria/play.space/photos", data=photo_form()).status_code == 303
        client.post(f"/visits/{submitted}/submit")
        draft = create_visit(client, location, visit_date="2026-01-01")
        client.post(f"/visits/{draft}/domains/play", data={"value_play__space": "partly"})
        client.post(f"/visits/{draft}/children", data={"age_band": "8-12", "text": f"draft voice {name}"})
        assert client.post(f"/visits/{draft}/criteria/play.space/photos", data=photo_form()).status_code == 303
        ids[f"submitted_{name}"], ids[f"draft_{name}"] = submitted, draft
    return ids


def photo_form() -> dict:
    """A small photo upload with the confirmation ticked (a new file each time: a post reads it)."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 90, 160)).save(out, "JPEG")
    out.seek(0)
    return {"photo": (out, "photo.jpg"), "no_person": "1"}


# Every endpoint, with how to call it: (method, url template, form data). A route added to
# the app without a line here fails `test_every_route_is_classified`.
ROUTES = {
    "pages.index": ("GET", "/", None),
    "pages.criteria_book": ("GET", "/criteria/handbook.pdf", None),
    "overview.index": ("GET", "/compare/", None),
    "overview.types_svg": ("GET", "/compare/types.svg", None),
    "overview.legend_svg": ("GET", "/compare/legend.svg", None),
    "monitor.index": ("GET", "/reports/", None),
    "monitor.monitor_pdf": ("GET", "/reports/monitor.pdf", None),
    "exports.visits_csv": ("GET", "/exports/visits.csv", None),
    "exports.visits_xlsx": ("GET", "/exports/visits.xlsx", None),
    "exports.answers_csv": ("GET", "/exports/answers.csv", None),
    "exports.answers_xlsx": ("GET", "/exports/answers.xlsx", None),
    "exports.visits_csv_semicolon": ("GET", "/exports/visits-semicolon.csv", None),
    "exports.answers_csv_semicolon": ("GET", "/exports/answers-semicolon.csv", None),
    "overview.side_by_side": ("GET", "/compare/side?location=1&location=2", None),
    "locations.index": ("GET", "/locations/", None),
    "locations.new": ("POST", "/locations/new", {"name": "Nieuw", "type": "azc"}),
    "locations.detail": ("GET", "/locations/{location}", None),
    "locations.trend_svg": ("GET", "/locations/{location}/trend.svg", None),
    "locations.edit": ("POST", "/locations/{location}/edit", {"name": "Hernoemd", "type": "azc"}),
    "locations.close": ("POST", "/locations/{location}/close", {}),
    "visits.new": ("POST", "/locations/{location}/visits/new", {"visit_date": "2026-02-01", "visitors": "X"}),
    "visits.detail": ("GET", "/visits/{visit}", None),
    "visits.details": ("POST", "/visits/{visit}/details", {"visit_date": "2026-02-02", "visitors": "Y"}),
    "visits.domain": ("POST", "/visits/{visit}/domains/play", {"value_play__outdoor": "no"}),
    "visits.save_answers_json": ("POST", "/visits/{visit}/domains/play/answers", {"value_play__outdoor": "yes"}),
    "visits.children": ("POST", "/visits/{visit}/children", {"age_band": "4-7", "text": "nieuw"}),
    "visits.delete_voice": ("POST", "/visits/{visit}/children/{voice}/delete", {}),
    "visits.review": ("GET", "/visits/{visit}/review", None),
    "visits.submit": ("POST", "/visits/{visit}/submit", {}),
    "visits.reopen": ("POST", "/visits/{visit}/reopen", {"reason": "Correctie nodig"}),
    "actions.create": ("POST", "/visits/{visit}/actions", {"criterion_id": "play.space", "what": "Speelkamer openen", "owner": "COA-locatiemanager", "due_on": "2026-06-01"}),
    "actions.status": ("POST", "/actions/1/status", {"status": "done"}),
    "photos.upload": ("POST", "/visits/{visit}/criteria/play.space/photos", {"no_person": "1"}),
    "photos.show": ("GET", "/visits/{visit}/photos/{photo}.jpg", None),
    "photos.delete": ("POST", "/visits/{visit}/photos/{photo}/delete", {}),
    "visits.report": ("GET", "/visits/{visit}/report.pdf", None),
    "visits.report_short": ("GET", "/visits/{visit}/report-short.pdf", None),
    "visits.chart": ("GET", "/visits/{visit}/chart.svg", None),
    "offline.visit_pages": ("GET", "/visits/{visit}/offline", None),
    "visits.state": ("GET", "/visits/{visit}/state", None),
    "offline.device_key": ("GET", "/device/key?vault=abcdefghijkl", None),
    "calibration.pair": ("POST", "/visits/{visit}/calibration", {"other": "1"}),
    "calibration.detail": ("GET", "/calibration/1", None),
    "calibration.report": ("GET", "/calibration/1/report.pdf", None),
    "calibration.index": ("GET", "/calibration/", None),
    "kobo.index": ("GET", "/kobo/", None),
    "kobo.form_xlsx": ("GET", "/kobo/form.xlsx", None),
    "kobo.upload": ("POST", "/kobo/import", {}),
    "auth.logout": ("POST", "/logout", {}),
    "auth.change_password": ("POST", "/account/password", {"current_password": "x", "new_password": "y", "confirm": "y"}),
    "admin.users": ("GET", "/admin/users/", None),
    "admin.audit": ("GET", "/admin/audit/", None),
    "admin.new_user": ("POST", "/admin/users/new", {"email": "n@x.test", "display_name": "N", "organisation_id": "1", "role": "visitor", "password": "een lang genoeg wachtwoord"}),
    "admin.edit_user": ("POST", "/admin/users/1", {"display_name": "V", "organisation_id": "1", "role": "visitor", "active": "y"}),
    "admin.organisations": ("POST", "/admin/organisations/", {"name": "Nieuwe organisatie"}),
    "admin.reset_second_factor": ("POST", "/admin/users/1/second-factor/reset", {}),
    "auth.second_factor": ("GET", "/login/code", None),
    "auth.enrol_at_sign_in": ("GET", "/login/enrol", None),
    "auth.second_factor_settings": ("GET", "/account/second-factor", None),
    "replies.send": ("POST", "/visits/{visit}/send", {"reply_due": "2099-01-01"}),
    "replies.sent": ("GET", "/sent/{send}", None),
    "replies.review": ("POST", "/findings/{finding}/review", {"review": "asked_again", "review_text": "Wanneer precies?"}),
    "replies.follow_up": ("GET", "/follow-up/", None),
    "replies.operator_home": ("GET", "/operator/", None),
    "replies.answer_escalation": ("POST", "/escalations/{escalation}/answer", {"answer": "Nooduitgang vrijgemaakt"}),
    "operators.index": ("GET", "/operators/", None),
    "operators.edit": ("POST", "/operators/{operator}", {"location": "1", "active": "1"}),
    "planning.index": ("GET", "/planning/", None),
    "planning.csv": ("GET", "/planning/planning.csv", None),
}
PUBLIC = {
    "auth.login": ("GET", "/login", None),
    "static": ("GET", "/static/style.css", None),
    "pages.health": ("GET", "/health", None),
    "pages.set_language": ("POST", "/language", {"lang": "en", "next": "/"}),
    "pages.favicon": ("GET", "/favicon.ico", None),
    "offline.service_worker": ("GET", "/sw.js", None),
    "offline.manifest": ("GET", "/manifest.webmanifest", None),
    "offline.shell": ("GET", "/offline/shell", None),
    "assets.versioned": ("GET", "/static/v/0/style.css", None),
}


def test_every_route_is_classified(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(ROUTES) | set(PUBLIC)
    assert set(PUBLIC) == PUBLIC_ENDPOINTS


def test_anonymous_client_is_sent_to_login_everywhere(anon, world):
    for endpoint, (method, url, data) in ROUTES.items():
        url = url.format(location=world["location"], visit=world["draft_a"], voice=1, photo=2, send=1, finding=1, escalation=1, operator=1)
        response = anon.open(url, method=method, data=data)
        assert response.status_code == 302, endpoint
        assert response.location.startswith("/login"), endpoint
    for endpoint, (method, url, data) in PUBLIC.items():
        assert anon.open(url, method=method, data=data).status_code in (200, 302), endpoint


# Visit routes x who asks x which visit -> expected status. "a" is the asker's organisation
# for visitor and coordinator of A; the monitor and admin belong to neither.
VISIT_READS = ["visits.detail", "visits.review", "visits.report", "visits.chart", "visits.state"]
READ_EXPECTED = {
    # user: {target: status}
    "visitor@a.test": {"draft_a": 200, "submitted_a": 200, "draft_b": 404, "submitted_b": 404},
    "coordinator@a.test": {"draft_a": 200, "submitted_a": 200, "draft_b": 404, "submitted_b": 404},
    "visitor@b.test": {"draft_a": 404, "submitted_a": 404, "draft_b": 200, "submitted_b": 200},
    "monitor@m.test": {"draft_a": 404, "submitted_a": 200, "draft_b": 404, "submitted_b": 200},
    "admin@a.test": {"draft_a": 404, "submitted_a": 404, "draft_b": 404, "submitted_b": 404},
}


@pytest.mark.parametrize("email", list(READ_EXPECTED))
@pytest.mark.parametrize("endpoint", VISIT_READS)
def test_reading_visits_matrix(app, world, email, endpoint):
    client = login(app.test_client(), email)
    _, url, _ = ROUTES[endpoint]
    for target, status in READ_EXPECTED[email].items():
        response = client.get(url.format(visit=world[target]))
        assert response.status_code == status, (email, endpoint, target)


PHOTO_OF = {"submitted_a": 1, "draft_a": 2, "submitted_b": 3, "draft_b": 4}  # in the order `world` adds them


@pytest.mark.parametrize("email", list(READ_EXPECTED))
def test_photos_are_read_exactly_like_their_visit(app, world, email):
    client = login(app.test_client(), email)
    for target, status in READ_EXPECTED[email].items():
        response = client.get(f"/visits/{world[target]}/photos/{PHOTO_OF[target]}.jpg")
        assert response.status_code == status, (email, target)
        if status == 200:
            assert response.mimetype == "image/jpeg" and response.headers["Cache-Control"] == "no-store"
        # Another visit's photo under this visit's address: never.
        other = next(t for t in PHOTO_OF if t != target)
        assert client.get(f"/visits/{world[target]}/photos/{PHOTO_OF[other]}.jpg").status_code == 404, (email, target)


VISIT_WRITES = ["visits.details", "visits.domain", "visits.save_answers_json", "visits.children", "visits.delete_voice", "visits.submit"]
WRITE_EXPECTED = {
    # Only visitors and coordinators of the visit's organisation change a draft; a submitted
    # visit of their own is refused ("locked"); everything else looks absent (404).
    "visitor@a.test": {"draft_a": "changed", "submitted_a": "locked", "draft_b": 404, "submitted_b": 404},
    "coordinator@a.test": {"draft_a": "changed", "submitted_a": "locked", "draft_b": 404, "submitted_b": 404},
    "monitor@m.test": {"draft_a": 404, "submitted_a": 404, "draft_b": 404, "submitted_b": 404},
    "admin@a.test": {"draft_a": 404, "submitted_a": 404, "draft_b": 404, "submitted_b": 404},
}


LOCKED_STATUS = {"visits.details": 409, "visits.domain": 409, "visits.save_answers_json": 409, "visits.children": 409, "visits.delete_voice": 303, "visits.submit": 303}


@pytest.mark.parametrize("email", list(WRITE_EXPECTED))
@pytest.mark.parametrize("endpoint", VISIT_WRITES)
def test_changing_visits_matrix(app, world, email, endpoint):
    client = login(app.test_client(), email)
    _, url, data = ROUTES[endpoint]
    for target, expected in WRITE_EXPECTED[email].items():
        voice = {"draft_a": 2, "submitted_a": 1, "draft_b": 4, "submitted_b": 3}[target]
        before = snapshot(app)
        response = client.post(url.format(visit=world[target], voice=voice), data=data)
        if expected == "changed":
            assert response.status_code in (200, 302, 303), (email, endpoint, target)
            assert snapshot(app) != before, (email, endpoint, target)
        elif expected == "locked":
            # What was typed comes back on a read-only page (409); a button without typed text redirects.
            assert response.status_code == LOCKED_STATUS[endpoint], (email, endpoint, target, response.status_code)
            assert snapshot(app) == before, (email, endpoint, target)
        else:
            assert response.status_code == expected, (email, endpoint, target, response.status_code)
            assert snapshot(app) == before, (email, endpoint, target)


def test_lists_show_only_what_the_role_may_see(app, world):
    visitor_a = login(app.test_client(), "visitor@a.test")
    page = visitor_a.get(f"/locations/{world['location']}").get_data(as_text=True)
    assert f"/visits/{world['draft_a']}\"" in page and f"/visits/{world['draft_b']}\"" not in page and f"/visits/{world['submitted_b']}\"" not in page
    monitor = login(app.test_client(), "monitor@m.test")
    page = monitor.get(f"/locations/{world['location']}").get_data(as_text=True)
    assert f"/visits/{world['submitted_a']}\"" in page and f"/visits/{world['submitted_b']}\"" in page
    assert f"/visits/{world['draft_a']}\"" not in page and f"/visits/{world['draft_b']}\"" not in page
    assert "New visit" not in monitor.get(f"/locations/{world['location']}", headers={"Cookie": "lang=en"}).get_data(as_text=True)


def test_previous_visit_of_another_organisation_is_not_shown(app, world):
    visitor_a = login(app.test_client(), "visitor@a.test")
    visitor_a.set_cookie("lang", "en")
    page = visitor_a.get(f"/visits/{world['draft_a']}/domains/play").get_data(as_text=True)
    assert "note a" in page and "note b" not in page


def test_posted_fields_a_role_may_not_set_change_nothing(app, world):
    from checklist.store.connection import connect

    client = login(app.test_client(), "visitor@a.test")
    response = client.post(
        f"/locations/{world['location']}/visits/new",
        data={"visit_date": "2026-03-01", "visitors": "Z", "organisation_id": "2", "status": "submitted", "version": "99", "criteria_hash": "x"},
    )
    new_id = int(response.location.rsplit("/", 1)[-1])
    client.post(f"/visits/{world['draft_a']}/details", data={"visit_date": "2026-01-01", "visitors": "Q", "organisation_id": "2", "status": "submitted"})
    client.post("/admin/users/1", data={"display_name": "V", "organisation_id": "1", "role": "admin", "active": "y"})
    db = connect(app.config["DATABASE"])
    visit = db["visits"].get(new_id)
    assert (visit["organisation_id"], visit["status"], visit["version"]) == (1, "draft", 1)
    draft = db["visits"].get(world["draft_a"])
    assert (draft["organisation_id"], draft["status"]) == (1, "draft")
    assert db["users"].get(1)["role"] == "visitor"
    db.conn.close()


def test_admin_pages_only_for_admins(app):
    for email in ("visitor@a.test", "coordinator@a.test", "monitor@m.test"):
        client = login(app.test_client(), email)
        assert client.get("/admin/users/").status_code == 404
    assert login(app.test_client(), "admin@a.test").get("/admin/users/").status_code == 200


def test_monitor_cannot_start_visits(app, world):
    monitor = login(app.test_client(), "monitor@m.test")
    assert monitor.post(f"/locations/{world['location']}/visits/new", data={"visit_date": "2026-01-01", "visitors": "X"}).status_code == 404


# -- the shared register of locations: coordinators of any organisation change it ------------

LOCATION_WRITES = ["locations.new", "locations.edit", "locations.close"]
LOCATION_EDITORS = {
    "visitor@a.test": False,
    "visitor@b.test": False,
    "coordinator@a.test": True,
    "coordinator@b.test": True,  # the location was made by organisation A: the register is shared
    "monitor@m.test": False,
    "admin@a.test": False,
    "system@s.test": False,
}


def locations_snapshot(app):
    return query(app, "select * from locations order by id"), query(app, "select * from location_changes order by id")


@pytest.mark.parametrize("email", list(LOCATION_EDITORS))
@pytest.mark.parametrize("endpoint", LOCATION_WRITES)
def test_changing_locations_matrix(app, email, endpoint):
    location = create_location(app.test_client(), name="Azc Gedeeld")
    client = login(app.test_client(), email)
    _, url, data = ROUTES[endpoint]
    before = locations_snapshot(app)
    response = client.post(url.format(location=location), data=data)
    if LOCATION_EDITORS[email]:
        assert response.status_code in (302, 303), (email, endpoint, response.status_code)
        after = locations_snapshot(app)
        assert after[0] != before[0] and len(after[1]) > len(before[1]), (email, endpoint)
    else:
        assert response.status_code == 404, (email, endpoint, response.status_code)
        assert locations_snapshot(app) == before, (email, endpoint)
    page = client.get(f"/locations/{location}").get_data(as_text=True)
    assert (f"/locations/{location}/edit" in page) == LOCATION_EDITORS[email]
    assert ('href="/locations/new"' in client.get("/locations/").get_data(as_text=True)) == LOCATION_EDITORS[email]


# -- who administers whom ---------------------------------------------------------------------

ACCOUNT_TARGETS = ["visitor@a.test", "admin@a.test", "visitor@b.test", "admin@b.test", "monitor@m.test", "system@s.test"]
MANAGES = {
    # admin: the accounts they may open and change (everything else answers 404 and changes nothing)
    "admin@a.test": {"visitor@a.test", "admin@a.test"},
    "admin@b.test": {"visitor@b.test", "admin@b.test"},
    "system@s.test": set(ACCOUNT_TARGETS),
    "coordinator@a.test": set(),
    "monitor@m.test": set(),
}


def user_id(app, email: str) -> int:
    return query(app, "select id from users where email = ?", [email])[0]["id"]


def account(app, email: str) -> dict:
    return query(app, "select display_name, organisation_id, role, active, password_hash, system_admin from users where email = ?", [email])[0]


@pytest.mark.parametrize("actor", list(MANAGES))
def test_managing_accounts_matrix(app, actor):
    client = login(app.test_client(), actor)
    for target in ACCOUNT_TARGETS:
        target_id, before = user_id(app, target), account(app, target)
        may = target in MANAGES[actor]
        assert client.get(f"/admin/users/{target_id}").status_code == (200 if may else 404), (actor, target)
        data = {"display_name": "Nieuwe naam", "organisation_id": str(before["organisation_id"]), "role": before["role"], "active": "y", "password": "een ander lang wachtwoord 7"}
        response = client.post(f"/admin/users/{target_id}", data=data)
        after = account(app, target)
        if may:
            assert response.status_code == 302, (actor, target, response.get_data(as_text=True)[:300])
            assert after["display_name"] == "Nieuwe naam" and after["password_hash"] != before["password_hash"], (actor, target)
        else:
            assert response.status_code == 404, (actor, target)
            assert after == before, (actor, target)


@pytest.mark.parametrize("actor", ["admin@a.test", "system@s.test"])
def test_list_of_accounts_is_the_organisations_for_its_admins(app, actor):
    page = login(app.test_client(), actor).get("/admin/users/").get_data(as_text=True)
    assert "visitor@a.test" in page
    assert ("visitor@b.test" in page) == (actor == "system@s.test")
    assert ("monitor@m.test" in page) == (actor == "system@s.test")
    # The own organisation's system admin is listed (org 1) but not linked for an organisation's admin.
    assert (f'href="/admin/users/{user_id(app, "system@s.test")}"' in page) == (actor == "system@s.test")


def test_an_organisations_admin_gives_no_other_organisation_nor_monitor_rights(app):
    admin = login(app.test_client(), "admin@a.test")
    visitor = user_id(app, "visitor@a.test")
    before = account(app, "visitor@a.test")
    for change in ({"organisation_id": "2", "role": "visitor"}, {"organisation_id": "1", "role": "monitor"}):
        response = admin.post(f"/admin/users/{visitor}", data={"display_name": "V", "active": "y", **change})
        assert response.status_code == 422, change
        assert account(app, "visitor@a.test") == before, change
    for fields in ({"organisation_id": "2", "role": "visitor"}, {"organisation_id": "1", "role": "monitor"}):
        new = {"email": "nieuw@vrolijkheid.nl", "display_name": "Nieuw", "password": "een lang genoeg wachtwoord", **fields}
        assert admin.post("/admin/users/new", data=new).status_code == 422, fields
        assert not query(app, "select id from users where email = 'nieuw@vrolijkheid.nl'")
    # Their own organisation's coordinator and admin: yes.
    for role in ("coordinator", "admin"):
        new = {"email": f"{role}@vrolijkheid.nl", "display_name": "Nieuw", "password": "een lang genoeg wachtwoord", "organisation_id": "1", "role": role}
        assert admin.post("/admin/users/new", data=new).status_code == 302, role
    # A system admin gives both.
    system = login(app.test_client(), "system@s.test")
    new = {"email": "monitor@warchild.nl", "display_name": "M", "password": "een lang genoeg wachtwoord", "organisation_id": "2", "role": "monitor"}
    assert system.post("/admin/users/new", data=new).status_code == 302
    assert query(app, "select organisation_id, role from users where email = 'monitor@warchild.nl'") == [{"organisation_id": 2, "role": "monitor"}]


def test_a_system_admin_keeps_the_role_and_cannot_be_demoted_on_a_page(app):
    system = login(app.test_client(), "system@s.test")
    before = account(app, "system@s.test")
    data = {"display_name": "S", "organisation_id": "1", "role": "visitor", "active": "y"}
    assert system.post(f"/admin/users/{user_id(app, 'system@s.test')}", data=data).status_code == 422
    assert account(app, "system@s.test") == before


@pytest.mark.parametrize("actor, status", [("admin@a.test", 404), ("admin@b.test", 404), ("system@s.test", 302), ("coordinator@a.test", 404)])
def test_only_system_admins_manage_organisations(app, actor, status):
    client = login(app.test_client(), actor)
    count = len(query(app, "select id from organisations"))
    assert client.post("/admin/organisations/", data={"name": "Nieuwe organisatie"}).status_code == status
    assert len(query(app, "select id from organisations")) == count + (status == 302)
    assert ('href="/admin/organisations/"' in client.get("/admin/users/").get_data(as_text=True)) == (status == 302)


def test_an_organisations_admin_reads_the_audit_rows_of_their_organisation(app):
    login(app.test_client(), "admin@b.test").post(f"/admin/users/{user_id(app, 'visitor@b.test')}", data={"display_name": "Bas B", "organisation_id": "2", "role": "visitor", "active": "y"})
    login(app.test_client(), "admin@a.test").post(f"/admin/users/{user_id(app, 'visitor@a.test')}", data={"display_name": "Vera V", "organisation_id": "1", "role": "visitor", "active": "y"})
    for actor, own, other in (("admin@a.test", "Ada Admin", "Bram Admin"), ("admin@b.test", "Bram Admin", "Ada Admin")):
        page = login(app.test_client(), actor).get("/admin/audit/?entity=user").get_data(as_text=True)
        assert own in page and other not in page, actor
    page = login(app.test_client(), "system@s.test").get("/admin/audit/?entity=user").get_data(as_text=True)
    assert "Ada Admin" in page and "Bram Admin" in page


@pytest.mark.parametrize("email", list(WRITE_EXPECTED))
@pytest.mark.parametrize("endpoint", ["photos.upload", "photos.delete"])
def test_changing_photos_matrix(app, world, email, endpoint):
    client = login(app.test_client(), email)
    _, url, _ = ROUTES[endpoint]
    for target, expected in WRITE_EXPECTED[email].items():
        before = snapshot(app)
        data = photo_form() if endpoint == "photos.upload" else {}
        response = client.post(url.format(visit=world[target], photo=PHOTO_OF[target]), data=data)
        if expected == "changed":
            assert response.status_code == 303, (email, endpoint, target)
            assert snapshot(app) != before, (email, endpoint, target)
            if endpoint == "photos.delete":  # put one back for the next asker
                assert client.post(f"/visits/{world[target]}/criteria/play.space/photos", data=photo_form()).status_code == 303
        elif expected == "locked":
            assert response.status_code == 303, (email, endpoint, target, response.status_code)
            assert response.location.endswith(f"/visits/{world[target]}"), response.location
            assert snapshot(app) == before, (email, endpoint, target)
        else:
            assert response.status_code == expected, (email, endpoint, target, response.status_code)
            assert snapshot(app) == before, (email, endpoint, target)


# -- the rules themselves, over every combination ----------------------------------------------

from hypothesis import given  # noqa: E402
from hypothesis import settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from checklist.core.access import ROLES  # noqa: E402
from checklist.core.access import Account  # noqa: E402
from checklist.core.access import account_change_refused  # noqa: E402

ACCOUNTS = st.builds(Account, id=st.integers(1, 4), organisation_id=st.integers(1, 3), role=st.sampled_from(ROLES), system_admin=st.booleans())


@settings(max_examples=400, derandomize=True, deadline=None)
@given(actor=ACCOUNTS, target=st.none() | ACCOUNTS, role=st.sampled_from(ROLES), organisation=st.integers(1, 3), active=st.booleans())
def test_only_a_system_admin_reaches_outside_their_organisation(actor, target, role, organisation, active):
    if account_change_refused(actor, target, role, organisation, active) is not None or actor.is_system_admin:
        return
    assert actor.role == "admin"
    assert organisation == actor.organisation_id
    assert target is None or (target.organisation_id == actor.organisation_id and not target.is_system_admin)
    assert role != "monitor" or (target is not None and target.role == "monitor")  # no new monitor
    assert target is None or target.id != actor.id or (active and role == "admin")  # never locks themselves out


# -- operators: only what was sent to them, for their own locations ------------------------------

from checklist.core.access import OPERATOR_PAGES  # noqa: E402
from tests.conftest import add_users  # noqa: E402
from tests.conftest import answer  # noqa: E402
from tests.conftest import invite_operator  # noqa: E402
from tests.conftest import make_config  # noqa: E402
from tests.conftest import operator_login  # noqa: E402
from tests.conftest import submit  # noqa: E402
from tests.conftest import TESTS  # noqa: E402


@pytest.fixture
def operated(tmp_path):
    """Two locations with a life-safety criterion (cap: red). At "own" (run by the operator):
    a submitted visit of A with findings, a child's words and a photo, sent for reply, and an
    escalation; a draft with its own note. At "other" (not the operator's): the same, sent too."""
    from checklist import create_app

    app = create_app(make_config(tmp_path, CRITERIA_PATH=str(TESTS / "criteria_red.yaml")))
    add_users(app)
    visitor = login(app.test_client(), "visitor@a.test")
    coordinator = login(app.test_client(), "coordinator@a.test")
    ids = {}
    for name in ("own", "other"):
        location = create_location(visitor, name=f"Azc {name}")
        visit = create_visit(visitor, location, visit_date="2026-03-01")
        answer(visitor, visit, "play", value_play__space="partly", note_play__space=f"finding note {name}", value_play__outdoor="yes")
        answer(visitor, visit, "safety", value_safety__fire="no", note_safety__fire=f"fire note {name}")
        visitor.post(f"/visits/{visit}/children", data={"age_band": "8-12", "text": f"child words {name}"})
        assert visitor.post(f"/visits/{visit}/criteria/play.space/photos", data=photo_form()).status_code == 303
        submit(visitor, visit)
        response = coordinator.post(f"/visits/{visit}/send", data={"reply_due": "2099-01-01"})
        assert response.status_code == 303, response.get_data(as_text=True)[:300]
        draft = create_visit(visitor, location, visit_date="2026-04-01")
        answer(visitor, draft, "play", value_play__space="fails", note_play__space=f"draft note {name}")
        ids[name] = {"location": location, "visit": visit, "draft": draft, "send": int(response.location.rsplit("/", 1)[-1])}
    ids["finding"] = query(app, "select id from findings where send_id = ? order by id", [ids["own"]["send"]])[0]["id"]
    ids["escalation_own"] = query(app, "select id from escalations where visit_id = ?", [ids["own"]["visit"]])[0]["id"]
    ids["escalation_other"] = query(app, "select id from escalations where visit_id = ?", [ids["other"]["visit"]])[0]["id"]
    password = invite_operator(app, [ids["own"]["location"]])
    ids["operator_id"] = query(app, "select id from users where role = 'operator'")[0]["id"]
    return app, ids, operator_login(app, password=password)


def everything(app):
    return snapshot(app) + [query(app, f"select * from {t} order by 1") for t in ("finding_replies", "findings", "escalations", "operator_locations", "users", "finding_sends")]


def test_an_operator_gets_404_everywhere_but_its_own_pages(operated):
    app, ids, operator = operated
    own, other = ids["own"], ids["other"]
    for endpoint, (method, url, data) in ROUTES.items():
        if endpoint in OPERATOR_PAGES or endpoint == "auth.logout":
            continue
        for target in (own, other):
            before = everything(app)
            address = url.format(
                location=target["location"], visit=target["visit"], voice=1, photo=1, send=target["send"], finding=ids["finding"],
                escalation=ids["escalation_own"], operator=ids["operator_id"],
            )
            response = operator.open(address, method=method, data=data)
            assert response.status_code == 404, (endpoint, address, response.status_code)
            assert everything(app) == before, endpoint
    # Its own pages answer; the second-step pages send a signed-in user on.
    for endpoint in sorted(OPERATOR_PAGES - {"auth.logout", "replies.answer_escalation"}):
        _, url, _ = ROUTES.get(endpoint) or PUBLIC[endpoint]
        response = operator.get(url.format(send=own["send"]))
        assert response.status_code in (200, 302), (endpoint, response.status_code)


def test_an_operator_sees_only_the_findings_sent_for_its_own_locations(operated):
    app, ids, operator = operated
    own, other = ids["own"], ids["other"]
    home = operator.get("/operator/").get_data(as_text=True)
    sent = operator.get(f"/sent/{own['send']}").get_data(as_text=True)
    assert "Azc own" in home and "Azc other" not in home
    assert "finding note own" in sent and "fire note own" in sent  # the findings, with the visitor's notes
    for page in (home, sent):
        for never in ("child words", "draft note", "other", "/photos/", "A.B."):  # children, drafts, other locations, photos, visitors
            assert never not in page, never
    assert operator.get(f"/sent/{other['send']}").status_code == 404
    # The escalation of its own location, not the other's.
    assert f"escalation-{ids['escalation_own']}" in home and f"escalation-{ids['escalation_other']}" not in home
    before = everything(app)
    assert operator.post(f"/escalations/{ids['escalation_other']}/answer", data={"answer": "x"}).status_code == 404
    assert everything(app) == before


def test_a_reopened_visit_is_a_draft_again_and_hidden_from_the_operator(operated):
    app, ids, operator = operated
    coordinator = login(app.test_client(), "coordinator@a.test")
    assert operator.get(f"/sent/{ids['own']['send']}").status_code == 200
    coordinator.post(f"/visits/{ids['own']['visit']}/reopen", data={"reason": "Correctie"})
    assert operator.get(f"/sent/{ids['own']['send']}").status_code == 404
    assert f"/sent/{ids['own']['send']}" not in operator.get("/operator/").get_data(as_text=True)


FOLLOW_UP_ROUTES = ["replies.follow_up", "operators.index", "planning.index", "planning.csv"]


@pytest.mark.parametrize("email, status", [("coordinator@a.test", 200), ("visitor@a.test", 404), ("monitor@m.test", 404), ("admin@a.test", 404), ("system@s.test", 404)])
def test_follow_up_operators_and_planning_only_for_coordinators(app, email, status):
    client = login(app.test_client(), email)
    for endpoint in FOLLOW_UP_ROUTES:
        assert client.get(ROUTES[endpoint][1]).status_code == status, (email, endpoint)


def test_sends_and_reviews_only_by_the_visits_own_coordinators(operated):
    app, ids, operator = operated
    send = ids["own"]["send"]
    assert login(app.test_client(), "coordinator@a.test").get(f"/sent/{send}").status_code == 200
    for email in ("coordinator@b.test", "visitor@a.test", "monitor@m.test", "admin@a.test"):
        client = login(app.test_client(), email)
        before = everything(app)
        assert client.get(f"/sent/{send}").status_code == 404, email
        assert client.post(f"/findings/{ids['finding']}/review", data={"review": "accepted"}).status_code == 404, email
        assert client.post(f"/visits/{ids['own']['visit']}/send", data={"reply_due": "2099-01-01"}).status_code == 404, email
        assert client.post(f"/operators/{ids['operator_id']}", data={"location": "1", "active": "1"}).status_code == 404, email
        assert everything(app) == before, email
    # A coordinator of another organisation sees the operator account but may not change it.
    other = login(app.test_client(), "coordinator@b.test")
    before = everything(app)
    assert other.post(f"/operators/{ids['operator_id']}", data={"location": str(ids["other"]["location"]), "active": "1"}).status_code == 404
    assert everything(app) == before
    # Only an operator posts replies; a coordinator's post to the page changes nothing.
    coordinator = login(app.test_client(), "coordinator@a.test")
    before = everything(app)
    assert coordinator.post(f"/sent/{send}", data={f"stance_{ids['finding']}": "disagree", f"text_{ids['finding']}": "x"}).status_code == 404
    assert everything(app) == before
