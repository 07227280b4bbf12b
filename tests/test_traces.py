"""Traces and leftovers (issue 11 §5): the audit log records sign-ins, failed sign-ins, exports and
report downloads (who, when, which filters) and never the typed text; failed logins are kept only
for the throttle window and never as typed; the language cookie is Secure and SameSite."""

from __future__ import annotations

import logging
from datetime import datetime
from datetime import timedelta
from datetime import timezone

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from checklist import create_app
from tests.conftest import PASSWORD
from tests.conftest import add_users
from tests.conftest import create_location
from tests.conftest import create_visit
from tests.conftest import login
from tests.conftest import make_config
from tests.conftest import query

TYPED_PASSWORD = "mijn geheime zin voor de tablet 77"


def audit_rows(app, action):
    return query(app, "select * from audit_log where action = ? order by id", [action])


def every_text_in_the_database(app) -> str:
    """All text in every table, as someone with a copy of the file would read it."""
    texts = []
    for table in [r["name"] for r in query(app, "select name from sqlite_master where type = 'table'")]:
        for row in query(app, f'select * from "{table}"'):
            texts += [str(v) for v in row.values() if isinstance(v, str)]
    return "\n".join(texts)


def test_a_sign_in_and_a_sign_out_are_in_the_audit_log(app):
    client = login(app.test_client(), "coordinator@a.test")
    user_id = query(app, "select id from users where email = 'coordinator@a.test'")[0]["id"]
    client.post("/logout")
    [sign_in] = audit_rows(app, "sign_in")
    assert (sign_in["user_id"], sign_in["entity"], sign_in["entity_id"], sign_in["detail"]) == (user_id, "user", user_id, "address=127.0.0.1")
    assert datetime.fromisoformat(sign_in["at"]) > datetime.now(timezone.utc) - timedelta(minutes=1)
    [sign_out] = audit_rows(app, "sign_out")
    assert sign_out["user_id"] == user_id


def test_failed_sign_ins_are_in_the_audit_log_without_what_was_typed(app, caplog):
    caplog.set_level(logging.INFO)
    client = app.test_client()
    # A known account with a wrong password, and a password typed into the email field.
    assert client.post("/login", data={"email": "visitor@a.test", "password": TYPED_PASSWORD}).status_code == 401
    assert client.post("/login", data={"email": TYPED_PASSWORD, "password": "x" * 12}).status_code == 401
    assert client.post("/login", data={"email": "nobody@x.test", "password": TYPED_PASSWORD}).status_code == 401
    visitor_id = query(app, "select id from users where email = 'visitor@a.test'")[0]["id"]
    failed = audit_rows(app, "sign_in_failed")
    assert [(r["user_id"], r["entity_id"]) for r in failed][0] == (None, visitor_id)
    assert [r["entity_id"] for r in failed][-1] is None  # an address that is no account: no one named
    assert all(r["detail"].startswith("address=127.0.0.1") for r in failed)
    stored = every_text_in_the_database(app)
    assert TYPED_PASSWORD not in stored
    assert "nobody@x.test" not in stored  # what was typed as the email is kept only as a digest
    assert TYPED_PASSWORD not in caplog.text and "nobody@x.test" not in caplog.text


def test_a_password_typed_into_the_email_field_is_not_kept(app):
    """The login form takes any text as the email (so a slip gets the usual answer), and the
    throttle still counts it, but only as a keyed digest."""
    client = app.test_client()
    for _ in range(5):
        assert client.post("/login", data={"email": "geheimwachtwoord2026", "password": "x" * 12}).status_code == 401
    assert client.post("/login", data={"email": "geheimwachtwoord2026", "password": "x" * 12}).status_code == 429  # still counted
    assert "geheimwachtwoord" not in every_text_in_the_database(app)


@pytest.fixture
def clock(monkeypatch):
    import checklist.views.auth as auth

    state = {"now": auth.utcnow()}
    monkeypatch.setattr(auth, "utcnow", lambda: state["now"])

    def advance(**delta):
        state["now"] += timedelta(**delta)

    return advance


def test_failed_logins_go_after_the_window_even_without_another_failure(app, clock):
    client = app.test_client()
    client.post("/login", data={"email": "visitor@a.test", "password": "wrong password 1"})
    assert query(app, "select count(*) as n from login_failures")[0]["n"] == 1
    clock(minutes=16)
    login(app.test_client(), "coordinator@a.test")  # a successful sign-in of someone else
    assert query(app, "select count(*) as n from login_failures")[0]["n"] == 0


def test_failed_logins_older_than_the_window_are_removed_at_start_up(tmp_path):
    app = create_app(make_config(tmp_path))
    add_users(app)
    app.test_client().post("/login", data={"email": "visitor@a.test", "password": "wrong password 1"})
    from checklist.store.connection import connect

    db = connect(app.config["DATABASE"])
    db.execute("update login_failures set at = '2026-01-01T00:00:00+00:00'")  # as if the app was stopped since
    db.conn.close()
    restarted = create_app(make_config(tmp_path))
    assert query(restarted, "select count(*) as n from login_failures")[0]["n"] == 0


def test_exports_and_report_downloads_are_in_the_audit_log_with_their_filters(app):
    visitor = login(app.test_client())
    visit_id = create_visit(visitor, create_location(visitor))
    assert visitor.get(f"/visits/{visit_id}/report.pdf").status_code == 200
    assert visitor.get(f"/visits/{visit_id}/report-short.pdf").status_code == 200
    monitor = login(app.test_client(), "monitor@m.test")
    monitor_id = query(app, "select id from users where email = 'monitor@m.test'")[0]["id"]
    assert monitor.get("/exports/answers.xlsx?type=azc&from=2026-01-01&to=2026-06-30").status_code == 200
    assert monitor.get("/exports/visits-semicolon.csv?organisation=2&closed=all").status_code == 200
    assert monitor.get("/reports/monitor.pdf?from=2026-01-01&to=2026-12-31&anonymise=1").status_code == 200
    rows = audit_rows(app, "download")
    described = [(r["entity"], r["entity_id"], r["detail"]) for r in rows]
    assert described[:2] == [("visit_report", visit_id, None), ("visit_report_short", visit_id, None)]
    assert described[2:] == [
        ("export", None, "answers.xlsx type=azc&from=2026-01-01&to=2026-06-30"),
        ("export", None, "visits-semicolon.csv organisation=2&closed=all"),
        ("monitor_report", None, "from=2026-01-01&to=2026-12-31&anonymise=1"),
    ]
    assert {r["user_id"] for r in rows[2:]} == {monitor_id}


def test_the_admin_reads_downloads_and_sign_ins_in_the_audit_log(app):
    monitor = login(app.test_client(), "monitor@m.test")
    monitor.get("/exports/visits.csv?type=azc")
    admin = login(app.test_client(), "system@s.test", lang="en")  # a system admin reads every organisation's rows
    page = admin.get("/admin/audit/?action=download").get_data(as_text=True)
    assert "visits.csv type=azc" in page and "Mona Monitor" in page
    assert "address=127.0.0.1" in admin.get("/admin/audit/?action=sign_in").get_data(as_text=True)


@pytest.mark.parametrize("secure", [True, False])
def test_the_language_cookie_is_like_the_session_cookie(tmp_path, secure):
    app = create_app(make_config(tmp_path, SESSION_COOKIE_SECURE=secure))
    response = app.test_client().post("/language", data={"lang": "en", "next": "/login"})
    name = "__Host-lang" if secure else "lang"  # the prefix makes the browser insist on Secure, path /, no domain
    [cookie] = [v for k, v in response.headers.items() if k == "Set-Cookie" and v.startswith(f"{name}=")]
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert "samesite=lax" in cookie.lower().replace(" ", "")
    assert "httponly" in attributes and "path=/" in cookie.lower().replace(" ", "") and "domain" not in attributes
    assert ("secure" in attributes) is secure
    # The page follows the cookie the switch set.
    client = app.test_client()
    client.set_cookie(name, "en")
    assert 'lang="en"' in client.get("/login").get_data(as_text=True)


def test_a_request_the_role_may_not_make_is_logged(client, caplog):
    caplog.set_level(logging.WARNING, logger="checklist")
    assert client.get("/exports/visits.csv").status_code == 404  # a visitor has no exports
    assert "refused export to user=1 role=visitor on /exports/visits.csv" in caplog.text


# What someone may type into the email field: any text without surrogates (a browser cannot send
# them), at least 8 characters so that "not found in the database" means something.
TYPED = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=8, max_size=60).filter(lambda t: len(t.strip()) >= 8)


def test_whatever_is_typed_as_the_email_is_never_stored_or_logged(app, caplog):
    caplog.set_level(logging.INFO)
    seen = []

    @settings(max_examples=60, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(TYPED)
    def check(typed):
        n = len(seen)
        seen.append(typed)
        client = app.test_client()
        # Each example from its own address, so the per-address rate never stops recording.
        response = client.post("/login", data={"email": typed, "password": "x" * 12}, environ_base={"REMOTE_ADDR": f"10.1.{n // 250}.{n % 250}"})
        assert response.status_code in (400, 401)
        stored = every_text_in_the_database(app)
        kept = typed.strip().lower()
        assert kept not in stored and typed.strip() not in stored
        assert kept not in caplog.text.lower()

    check()
    assert query(app, "select count(*) as n from login_failures")[0]["n"] > 0  # the throttle did count them
