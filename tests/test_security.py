"""Sessions, throttling, CSRF, headers, cookies and configuration: the hardening, tested."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from pathlib import Path

import pytest

from checklist import ConfigError
from checklist import create_app
from tests.conftest import PASSWORD
from tests.conftest import add_users
from tests.conftest import coordinator_of
from tests.conftest import create_location
from tests.conftest import flat
from tests.conftest import create_visit
from tests.conftest import csrf_app
from tests.conftest import csrf_login
from tests.conftest import fresh_token
from tests.conftest import invite_operator
from tests.conftest import operator_login
from tests.conftest import login
from tests.conftest import make_config
from tests.conftest import snapshot
from tests.test_access import ROUTES


def test_wrong_password_and_unknown_account_look_the_same(anon):
    wrong = anon.post("/login", data={"email": "visitor@a.test", "password": "not the password at all"})
    unknown = anon.post("/login", data={"email": "nobody@a.test", "password": "not the password at all"})
    assert wrong.status_code == unknown.status_code == 401
    # The form's CSRF token carries a timestamp in seconds: two requests a second apart differ there.
    token = re.compile(rb'(name="csrf_token" value=")[^"]+"')
    assert token.sub(rb"\1", wrong.data.replace(b"visitor@a.test", b"")) == token.sub(rb"\1", unknown.data.replace(b"nobody@a.test", b""))


def test_logout_ends_the_session_on_the_server(app):
    client = login(app.test_client())
    cookie = client.get_cookie("session").value
    assert client.get("/locations/").status_code == 200
    client.post("/logout")
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    response = thief.get("/locations/")
    assert response.status_code == 302 and response.location.startswith("/login")


def test_every_sign_in_gets_its_own_session_and_a_cookie_from_before_it_is_worthless(tmp_path):
    """Session fixation: a cookie someone planted before the sign-in does not become signed in,
    and two sign-ins of one account are two sessions (signing out one leaves the other)."""
    from tests.conftest import query

    app = csrf_app(tmp_path)
    attacker = app.test_client()
    attacker.get("/login")  # the login page hands out a session cookie (with the form's token)
    planted = attacker.get_cookie("session").value
    victim = app.test_client()
    victim.set_cookie("session", planted)
    csrf_login(victim)
    assert victim.get("/locations/").status_code == 200
    assert victim.get_cookie("session").value != planted
    response = attacker.get("/locations/")
    assert response.status_code == 302 and response.location.startswith("/login")

    tablet = csrf_login(app.test_client())
    sessions = query(app, "select token_hash from sessions")
    assert len(sessions) == 2  # one row (a hash of its token) per sign-in
    tablet.post("/logout", data={"csrf_token": fresh_token(tablet)})
    assert tablet.get("/locations/").status_code == 302
    assert victim.get("/locations/").status_code == 200  # the other sign-in is still alive


def test_deactivating_a_user_ends_their_sessions(app):
    visitor = login(app.test_client(), "visitor@a.test")
    admin = login(app.test_client(), "admin@a.test")
    response = admin.post("/admin/users/1", data={"display_name": "Vera", "organisation_id": "1", "role": "visitor"})  # active unticked
    assert response.status_code == 302
    assert visitor.get("/locations/").status_code == 302
    assert app.test_client().post("/login", data={"email": "visitor@a.test", "password": PASSWORD}).status_code == 401


def test_admin_resets_a_password(app):
    admin = login(app.test_client(), "admin@a.test")
    admin.set_cookie("lang", "en")
    data = {"display_name": "Vera", "organisation_id": "1", "role": "visitor", "active": "y"}
    weak = admin.post("/admin/users/1", data=dict(data, password="welkom123456"))
    assert weak.status_code == 422 and "common passwords" in weak.get_data(as_text=True)
    short = admin.post("/admin/users/1", data=dict(data, password="kort"))
    assert short.status_code == 422 and "12 characters" in short.get_data(as_text=True)
    assert admin.post("/admin/users/1", data=dict(data, password="een heel nieuw wachtwoord")).status_code == 302
    assert app.test_client().post("/login", data={"email": "visitor@a.test", "password": PASSWORD}).status_code == 401
    login(app.test_client(), "visitor@a.test", "een heel nieuw wachtwoord")


@pytest.mark.parametrize("minutes, hours, alive", [(119, 0, True), (121, 0, False), (0, 13, False)])
def test_idle_and_absolute_timeouts(app, monkeypatch, minutes, hours, alive):
    import checklist.views.auth as auth

    client = login(app.test_client())
    real_now = auth.utcnow()
    if hours:  # keep the session busy every hour until the absolute limit passes
        for hour in range(1, hours + 1):
            monkeypatch.setattr(auth, "utcnow", lambda hour=hour: real_now + timedelta(hours=hour))
            client.get("/locations/")
    else:
        monkeypatch.setattr(auth, "utcnow", lambda: real_now + timedelta(minutes=minutes))
    assert (client.get("/locations/").status_code == 200) is alive


@pytest.mark.parametrize("minutes, hours, why", [(121, 0, "nothing was done for 120 minutes"), (0, 13, "a session lasts at most 12 hours")])
def test_the_login_page_after_a_timeout_says_why_once(app, monkeypatch, minutes, hours, why):
    import checklist.views.auth as auth

    client = login(app.test_client(), lang="en")
    real_now = auth.utcnow()
    for hour in range(1, hours + 1):
        monkeypatch.setattr(auth, "utcnow", lambda hour=hour: real_now + timedelta(hours=hour))
        client.get("/locations/")
    monkeypatch.setattr(auth, "utcnow", lambda: real_now + timedelta(hours=hours, minutes=minutes))
    response = client.get("/locations/?q=Azc", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.request.path == "/login" and f"You were signed out because {why}. Sign in again to go on." in page
    assert why not in client.get("/login").get_data(as_text=True)  # said once
    # signing out yourself says nothing of the kind
    client = login(app.test_client(), lang="en")
    client.post("/logout")
    assert "You were signed out because" not in client.get("/login").get_data(as_text=True)


def test_the_timeout_is_said_in_dutch_too(app, monkeypatch):
    import checklist.views.auth as auth

    client = login(app.test_client())
    real_now = auth.utcnow()
    monkeypatch.setattr(auth, "utcnow", lambda: real_now + timedelta(minutes=121))
    page = client.get("/locations/", follow_redirects=True).get_data(as_text=True)
    assert "Je bent uitgelogd omdat er 120 minuten niets is gedaan." in page


def test_login_throttled_before_hashing_and_logged_without_password(app, monkeypatch, caplog):
    import checklist.views.auth as auth

    calls = []
    real_verify = auth.verify_password
    monkeypatch.setattr(auth, "verify_password", lambda h, p: calls.append(1) or real_verify(h, p))
    client = app.test_client()
    caplog.set_level(logging.INFO, logger="checklist.views.auth")
    for _ in range(5):
        assert client.post("/login", data={"email": "visitor@a.test", "password": "wrong password 123"}).status_code == 401
    assert len(calls) == 5
    response = client.post("/login", data={"email": "visitor@a.test", "password": PASSWORD})
    assert response.status_code == 429
    assert len(calls) == 5  # refused before the hasher ran
    assert "login failed" in caplog.text and "login throttled" in caplog.text
    assert "wrong password 123" not in caplog.text and PASSWORD not in caplog.text
    # Another account from another address is not affected.
    other = app.test_client()
    assert other.post("/login", data={"email": "coordinator@a.test", "password": PASSWORD}, environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code == 302


def test_login_throttled_per_address(app):
    client = app.test_client()
    for n in range(20):
        client.post("/login", data={"email": f"user{n}@x.test", "password": "wrong password 123"})
    assert client.post("/login", data={"email": "visitor@a.test", "password": PASSWORD}).status_code == 429


def test_security_headers_on_every_response(app, world_client):
    client, visit_id = world_client
    for url in ["/login", "/health", "/locations/", f"/visits/{visit_id}", f"/visits/{visit_id}/report.pdf", "/static/style.css", "/nope"]:
        response = client.get(url)
        csp = response.headers.get("Content-Security-Policy", "")
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp, url
        assert "unsafe-inline" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff", url
        assert response.headers["Referrer-Policy"], url
    for url in ["/locations/", f"/visits/{visit_id}", f"/visits/{visit_id}/report.pdf"]:
        assert client.get(url).headers["Cache-Control"] == "no-store", url


@pytest.fixture
def world_client(client):
    visit_id = create_visit(client, create_location(client))
    return client, visit_id


def test_templates_hold_no_inline_script_or_style():
    for path in Path("checklist/templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        # data blocks (type="application/json") are not run, so the CSP need not allow them
        assert not re.search(r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>", text), path
        assert "style=" not in text and "<style" not in text, path
        assert not re.search(r"\son[a-z]+=", text), path


def test_session_cookie_flags(tmp_path):
    app = create_app(make_config(tmp_path, SESSION_COOKIE_SECURE=True))
    add_users(app)
    client = app.test_client()
    response = client.post("/login", data={"email": "visitor@a.test", "password": PASSWORD}, base_url="https://localhost")
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    assert set(cookies) == {"__Host-session", "__Host-login-device"}
    for cookie in cookies.values():
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Strict-Transport-Security" in response.headers


def test_production_refuses_missing_secret_key_and_debug(tmp_path):
    base = make_config(tmp_path)
    del base["TESTING"]
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app(dict(base, SECRET_KEY=None))
    with pytest.raises(ConfigError, match="DEBUG"):
        create_app(dict(base, DEBUG=True))
    assert create_app(base).debug is False


def test_too_large_request_is_refused(client):
    response = coordinator_of(client).post("/locations/new", data={"name": "x" * (3 * 1024 * 1024), "type": "azc"})
    assert response.status_code == 413


OPERATOR_POSTS = {"replies.answer_escalation"}  # only an operator reaches these


def test_every_post_route_refuses_a_missing_or_foreign_csrf_token(tmp_path):
    app = csrf_app(tmp_path)
    owner = csrf_login(app.test_client(), "coordinator@a.test")  # may do every visit action, reopening included
    token = fresh_token(owner)
    location = owner.post("/locations/new", data={"name": "Azc Csrf", "type": "azc", "csrf_token": token}).location.rsplit("/", 1)[-1]
    visit = owner.post(f"/locations/{location}/visits/new", data={"visit_date": "2026-01-01", "visitors": "A", "csrf_token": token}).location.rsplit("/", 1)[-1]
    owner.post(f"/visits/{visit}/children", data={"age_band": "4-7", "text": "x", "csrf_token": token})
    submitted = owner.post(f"/locations/{location}/visits/new", data={"visit_date": "2026-01-02", "visitors": "B", "csrf_token": token}).location.rsplit("/", 1)[-1]
    owner.post(f"/visits/{submitted}/submit", data={"csrf_token": token})
    other = csrf_login(app.test_client(), "visitor@a.test")
    foreign = fresh_token(other)
    password = invite_operator(app, [int(location)])
    app.config["WTF_CSRF_ENABLED"] = False  # the operator enrols its second factor, as in test_replies
    operator = operator_login(app, password=password)
    app.config["WTF_CSRF_ENABLED"] = True
    posts = [(e, u, d) for e, (m, u, d) in ROUTES.items() if m == "POST" and not e.startswith("admin.")]
    for endpoint, url, data in posts:
        client = operator if endpoint in OPERATOR_POSTS else owner
        url = url.format(location=location, visit=submitted if endpoint == "visits.reopen" else visit, voice=1, photo=1, send=1, finding=1, escalation=1, operator=1)
        for label, extra in (("missing", {}), ("foreign", {"csrf_token": foreign})):
            before = snapshot(app)
            response = client.post(url, data=dict(data, **extra))
            assert response.status_code == 400, (endpoint, label, response.status_code)
            assert snapshot(app) == before, (endpoint, label)
    assert owner.get("/locations/").status_code == 200  # still signed in: logout was refused too


def test_expired_token_gives_the_form_back_with_everything_typed(tmp_path):
    from tests.conftest import textarea

    app = csrf_app(tmp_path)
    client = csrf_login(app.test_client(), "coordinator@a.test")
    token = fresh_token(client)
    location = client.post("/locations/new", data={"name": "Azc Verlopen", "type": "azc", "csrf_token": token}).location.rsplit("/", 1)[-1]
    visit = client.post(f"/locations/{location}/visits/new", data={"visit_date": "2026-01-01", "visitors": "A", "csrf_token": token}).location.rsplit("/", 1)[-1]
    client.set_cookie("lang", "en")
    typed = {"value_play__space": "partly", "note_play__space": "Lange waarneming die niet verloren mag gaan", "csrf_token": "expired-or-garbage"}
    response = client.post(f"/visits/{visit}/domains/play", data=typed)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert textarea(page, "note_play__space") == "Lange waarneming die niet verloren mag gaan"
    assert 'name="value_play__space" value="partly" checked>' in page
    assert "security token" in page
    new_token = re.search(r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    typed["csrf_token"] = new_token
    assert client.post(f"/visits/{visit}/domains/play", data=typed).status_code == 303


XSS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "javascript:alert(1)", "{{7*7}}"]


def test_payloads_in_every_free_text_field_are_text_on_every_page_and_in_the_pdf(app, tmp_path):
    """Location fields, visit fields, notes, children's words, reopen reason, names of users
    and organisations: stored as typed, shown escaped everywhere, literal in the PDF."""
    from tests.conftest import pdftotext

    payload = " ".join(XSS)
    admin = login(app.test_client(), "system@s.test")  # organisations are a system admin's
    admin.post("/admin/organisations/", data={"name": f"Org {payload}"})
    admin.post("/admin/users/1", data={"display_name": f"Vera {payload}", "organisation_id": "1", "role": "visitor", "active": "y"})
    visitor = login(app.test_client(), "visitor@a.test")
    location_id = create_location(visitor, name=f"Azc {payload}", municipality=payload, operator=payload)
    visit_id = create_visit(visitor, location_id, visitors=payload, impression=payload)
    visitor.post(f"/visits/{visit_id}/domains/play", data={"value_play__space": "fails", "note_play__space": payload})
    visitor.post(f"/visits/{visit_id}/domains/safety", data={"value_safety__fire": "no", "note_safety__fire": payload})
    visitor.post(f"/visits/{visit_id}/children", data={"age_band": "8-12", "text": payload})
    visitor.post(f"/visits/{visit_id}/submit")
    coordinator = login(app.test_client(), "coordinator@a.test")
    coordinator.post(f"/visits/{visit_id}/reopen", data={"reason": payload})
    pages = {
        visitor: ["/locations/", f"/locations/{location_id}", f"/visits/{visit_id}", f"/visits/{visit_id}/domains/play", f"/visits/{visit_id}/review", f"/visits/{visit_id}/children"],
        admin: ["/admin/users/", "/admin/organisations/", "/admin/audit/", "/admin/users/1"],
    }
    for client, urls in pages.items():
        for url in urls:
            text = client.get(url).get_data(as_text=True)
            assert "<script>alert(1)" not in text and "<img src=x" not in text, url
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text, url
            assert "{{7*7}}" in text, url  # shown as typed, never evaluated as a template
            assert 'href="javascript' not in text, url
    pdf = flat(pdftotext(visitor.get(f"/visits/{visit_id}/report.pdf").data, tmp_path))
    assert pdf.count(payload) >= 5  # location name, visitors, impression, notes, children's words


def test_the_favicon_is_served_publicly_with_a_long_cache_and_linked_from_every_page(anon):
    response = anon.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/vnd.microsoft.icon"
    assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert "no-store" not in response.headers["Cache-Control"]
    assert response.cache_control.max_age >= 7 * 24 * 3600 and response.cache_control.public
    assert '<link rel="icon" href="/favicon.ico"' in anon.get("/login").get_data(as_text=True)
