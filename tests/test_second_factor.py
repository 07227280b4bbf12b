"""The second factor (TOTP, RFC 6238) through the pages a user sees: who must have one, the
enrolment that confirms a code first, the code step after the password, codes that work once,
recovery codes, the throttle, an admin's reset, and a half-signed-in browser that opens nothing.

Codes are computed here with pyotp from the secret the enrolment page shows as text, the way a
phone's app computes them from the QR code; the server's clock (`core.totp.clock`) is moved
instead of waiting 30 seconds.
"""

from __future__ import annotations

import html
import re
import subprocess
from datetime import timedelta

import pyotp
import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from checklist import create_app
from tests.conftest import PASSWORD
from tests.conftest import ROOT
from tests.conftest import add_users
from tests.conftest import make_config
from tests.conftest import query
from tests.test_access import ROUTES

REQUIRED = ["coordinator", "monitor", "admin"]
START = 1_900_000_000.0  # a fixed moment, so no test depends on where in a 30-second step it runs


@pytest.fixture
def clock(monkeypatch):
    """The server's TOTP clock, moved by the test: `clock(steps=1)` is 30 seconds later."""
    from checklist.core import totp

    state = {"now": START}
    monkeypatch.setattr(totp, "clock", lambda: state["now"])

    def advance(steps=0, seconds=0):
        state["now"] += steps * 30 + seconds
        return state["now"]

    advance.now = lambda: state["now"]
    return advance


@pytest.fixture
def strict(tmp_path, clock):
    """The production default: coordinators, monitors and admins must have a second factor."""
    app = create_app(make_config(tmp_path, TOTP_REQUIRED_ROLES=REQUIRED))
    add_users(app)
    return app


def password_step(client, email, password=PASSWORD, **kwargs):
    return client.post("/login", data={"email": email, "password": password}, **kwargs)


def code_for(secret: str, clock, steps: int = 0) -> str:
    """The code the app shows now (or `steps` steps from now)."""
    return pyotp.TOTP(secret).at(clock.now() + steps * 30)


def shown_secret(page: str) -> str:
    match = re.search(r'<code class="totp-secret" id="totp-secret">([A-Z2-7 ]+)</code>', page)
    assert match, "no secret shown as text"
    return match.group(1).replace(" ", "")


def shown_recovery_codes(page: str) -> list[str]:
    return re.findall(r"<li><code>([a-z0-9-]+)</code></li>", page)


def enrol_at_sign_in(client, email, clock) -> tuple[str, list[str]]:
    """Password, then the enrolment page: scan (read the key), confirm a code; signed in after."""
    response = password_step(client, email)
    assert response.status_code == 302 and response.location.endswith("/login/enrol"), response.location
    page = client.get("/login/enrol").get_data(as_text=True)
    secret = shown_secret(page)
    done = client.post("/login/enrol", data={"code": code_for(secret, clock)})
    assert done.status_code == 200, done.get_data(as_text=True)[:400]
    codes = shown_recovery_codes(done.get_data(as_text=True))
    return secret, codes


def enrol_in_settings(client, clock) -> tuple[str, list[str]]:
    """A signed-in user switches the factor on from its own page."""
    secret = shown_secret(client.get("/account/second-factor").get_data(as_text=True))
    done = client.post("/account/second-factor", data={"password": PASSWORD, "code": code_for(secret, clock), "action": "enable"})
    assert done.status_code == 200
    return secret, shown_recovery_codes(done.get_data(as_text=True))


def signed_in(client) -> bool:
    return client.get("/locations/").status_code == 200


def user_row(app, email):
    return query(app, "select * from users where email = ?", [email])[0]


# -- who must have one ---------------------------------------------------------------------


@pytest.mark.parametrize("email", ["coordinator@a.test", "monitor@m.test", "admin@a.test"])
def test_by_default_coordinators_monitors_and_admins_must_enrol(tmp_path, email):
    config = make_config(tmp_path)
    del config["TOTP_REQUIRED_ROLES"]  # the app's own default, as in production
    app = create_app(config)
    add_users(app)
    client = app.test_client()
    response = password_step(client, email)
    assert response.location.endswith("/login/enrol")
    assert not signed_in(client)


def test_by_default_a_visitor_signs_in_with_the_password_only(tmp_path):
    config = make_config(tmp_path)
    del config["TOTP_REQUIRED_ROLES"]
    app = create_app(config)
    add_users(app)
    client = app.test_client()
    assert password_step(client, "visitor@a.test").location == "/"
    assert signed_in(client)


def test_the_required_roles_are_a_setting(tmp_path):
    app = create_app(make_config(tmp_path, TOTP_REQUIRED_ROLES=["visitor"]))
    add_users(app)
    assert password_step(app.test_client(), "visitor@a.test").location.endswith("/login/enrol")
    client = app.test_client()
    password_step(client, "admin@a.test")
    assert signed_in(client)


def test_a_role_that_does_not_exist_stops_the_app(tmp_path):
    from checklist import ConfigError

    with pytest.raises(ConfigError, match="TOTP_REQUIRED_ROLES"):
        create_app(make_config(tmp_path, TOTP_REQUIRED_ROLES=["coordinatr"]))
    with pytest.raises(ConfigError, match="TOTP_REQUIRED_ROLES"):
        create_app(make_config(tmp_path, TOTP_REQUIRED_ROLES="admin"))


def test_the_configuration_make_run_writes_leaves_it_optional(tmp_path):
    """A newcomer's `make run`: every demo role signs in with its printed password alone."""
    (tmp_path / "Makefile").write_bytes((ROOT / "Makefile").read_bytes())
    subprocess.run(["make", "-s", "-C", str(tmp_path), "instance/config.py"], check=True, capture_output=True)
    settings: dict = {}
    exec((tmp_path / "instance" / "config.py").read_text(), settings)
    config = make_config(tmp_path)
    del config["TOTP_REQUIRED_ROLES"]
    config["TOTP_REQUIRED_ROLES"] = settings["TOTP_REQUIRED_ROLES"]
    app = create_app(config)
    add_users(app)
    for email in ("visitor@a.test", "coordinator@a.test", "monitor@m.test", "admin@a.test"):
        client = app.test_client()
        assert password_step(client, email).location == "/", email
        assert signed_in(client), email


# -- enrolment -----------------------------------------------------------------------------


def test_enrolment_shows_a_qr_code_drawn_by_the_app_and_the_key_as_text(strict):
    client = strict.test_client()
    password_step(client, "coordinator@a.test")
    response = client.get("/login/enrol")
    page = response.get_data(as_text=True)
    qr = re.search(r'<figure class="totp-qr"[^>]*>(<svg.*?</svg>)</figure>', page, re.S)
    assert qr, "no inline SVG QR code"
    assert "<path" in qr.group(1) and "style=" not in qr.group(1)  # drawn here; nothing the CSP refuses
    assert not re.search(r'<(img|script|iframe)[^>]+src="(https?:)?//', page)  # no outside service
    assert response.headers["Cache-Control"] == "no-store"  # the secret stays out of every cache
    assert len(shown_secret(page)) == 32  # 160 bits in base32
    # The same key until it is confirmed, however often the page is opened.
    assert shown_secret(client.get("/login/enrol").get_data(as_text=True)) == shown_secret(page)


def test_enrolment_switches_on_only_after_a_right_code(strict, clock):
    client = strict.test_client()
    password_step(client, "coordinator@a.test")
    secret = shown_secret(client.get("/login/enrol").get_data(as_text=True))
    wrong = client.post("/login/enrol", data={"code": code_for(secret, clock, steps=5)})
    assert wrong.status_code == 401
    assert "Deze code klopt niet" in wrong.get_data(as_text=True)
    assert user_row(strict, "coordinator@a.test")["totp_secret"] is None
    assert not signed_in(client)
    right = client.post("/login/enrol", data={"code": code_for(secret, clock)})
    assert right.status_code == 200
    codes = shown_recovery_codes(right.get_data(as_text=True))
    assert len(codes) == len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", c) for c in codes)  # 12 of 31 characters: 59 bits
    assert user_row(strict, "coordinator@a.test")["totp_secret"] == secret
    assert signed_in(client)


def test_recovery_codes_are_stored_hashed(strict, clock):
    _secret, codes = enrol_at_sign_in(strict.test_client(), "coordinator@a.test", clock)
    stored = [r["code_hash"] for r in query(strict, "select code_hash from recovery_codes")]
    assert len(stored) == 10
    assert all(h.startswith("$argon2id$") for h in stored)
    dump = "\n".join(stored)
    assert not any(code in dump or code.replace("-", "") in dump for code in codes)


def test_an_optional_user_switches_it_on_and_then_needs_a_code(app, clock):
    client = app.test_client()
    password_step(client, "visitor@a.test")
    secret, _codes = enrol_in_settings(client, clock)
    client.post("/logout")
    assert password_step(client, "visitor@a.test").location.endswith("/login/code")
    assert not signed_in(client)
    clock(steps=1)
    assert client.post("/login/code", data={"code": code_for(secret, clock)}).location == "/"
    assert signed_in(client)


# -- the code step -------------------------------------------------------------------------


@pytest.fixture
def enrolled(strict, clock):
    """The coordinator with a second factor, signed out again; (secret, recovery codes)."""
    client = strict.test_client()
    secret, codes = enrol_at_sign_in(client, "coordinator@a.test", clock)
    client.post("/logout")
    clock(steps=1)
    return secret, codes


def test_the_password_alone_leaves_a_browser_that_opens_nothing(strict, enrolled):
    client = strict.test_client()
    assert password_step(client, "coordinator@a.test").location.endswith("/login/code")
    allowed = {"auth.logout", "auth.second_factor", "auth.enrol_at_sign_in"}
    for endpoint, (method, url, data) in ROUTES.items():
        if endpoint in allowed:
            continue
        url = url.format(location=1, visit=1, voice=1, photo=1, send=1, finding=1, escalation=1, operator=1)
        response = client.open(url, method=method, data=data)
        assert response.status_code == 302 and response.location.endswith("/login/code"), endpoint
    assert client.post("/visits/1/domains/play/answers", headers={"Accept": "application/json"}).status_code == 401
    assert query(strict, "select count(*) as n from sessions")[0]["n"] == 0


def test_a_right_code_signs_in_and_goes_where_the_user_was_going(strict, enrolled, clock):
    secret, _codes = enrolled
    client = strict.test_client()
    assert password_step(client, "coordinator@a.test", query_string={"next": "/compare/"}).location.endswith("/login/code")
    response = client.post("/login/code", data={"code": code_for(secret, clock)})
    assert response.status_code == 302 and response.location == "/compare/"
    assert signed_in(client)


def test_a_wrong_code_is_refused(strict, enrolled, clock):
    secret, _codes = enrolled
    client = strict.test_client()
    client.set_cookie("lang", "en")
    password_step(client, "coordinator@a.test")
    wrong = client.post("/login/code", data={"code": code_for(secret, clock, steps=3)})  # not yet valid
    assert wrong.status_code == 401
    assert "This code is not right" in wrong.get_data(as_text=True)
    assert client.post("/login/code", data={"code": "12345"}).status_code == 401
    assert not signed_in(client)
    assert query(strict, "select count(*) as n from login_failures")[0]["n"] == 2


def test_a_code_works_once(strict, enrolled, clock):
    secret, _codes = enrolled
    code = code_for(secret, clock)
    first = strict.test_client()
    password_step(first, "coordinator@a.test")
    assert first.post("/login/code", data={"code": code}).status_code == 302
    # Someone who saw it over the shoulder, in the same 30 seconds, with the password too.
    second = strict.test_client()
    password_step(second, "coordinator@a.test")
    assert second.post("/login/code", data={"code": code}).status_code == 401
    # An earlier code still within the drift is refused as well, once a later one was used.
    assert second.post("/login/code", data={"code": code_for(secret, clock, steps=-1)}).status_code == 401
    assert not signed_in(second)
    clock(steps=1)
    assert second.post("/login/code", data={"code": code_for(secret, clock)}).status_code == 302


def test_a_code_of_the_step_before_or_after_is_accepted_for_clock_drift(strict, enrolled, clock):
    secret, _codes = enrolled
    client = strict.test_client()
    password_step(client, "coordinator@a.test")
    assert client.post("/login/code", data={"code": code_for(secret, clock, steps=-2)}).status_code == 401
    assert client.post("/login/code", data={"code": code_for(secret, clock, steps=1)}).status_code == 302


def test_a_recovery_code_signs_in_once(strict, enrolled, clock):
    _secret, codes = enrolled
    client = strict.test_client()
    client.set_cookie("lang", "en")
    password_step(client, "coordinator@a.test")
    response = client.post("/login/code", data={"code": codes[0].upper().replace("-", " ")}, follow_redirects=True)
    assert response.status_code == 200
    assert "You used a recovery code; 9 are left" in response.get_data(as_text=True)
    client.post("/logout")
    password_step(client, "coordinator@a.test")
    assert client.post("/login/code", data={"code": codes[0]}).status_code == 401
    assert client.post("/login/code", data={"code": codes[1]}).status_code == 302
    assert query(strict, "select count(*) as n from recovery_codes where used_at is null")[0]["n"] == 8
    coordinator_id = user_row(strict, "coordinator@a.test")["id"]
    used = query(strict, "select user_id, entity_id from audit_log where action = 'use_recovery_code'")
    assert used == [{"user_id": coordinator_id, "entity_id": coordinator_id}] * 2


def test_the_half_signed_in_state_expires(strict, enrolled, clock, monkeypatch):
    import checklist.views.auth as auth

    secret, _codes = enrolled
    client = strict.test_client()
    password_step(client, "coordinator@a.test")
    later = auth.utcnow() + timedelta(minutes=auth.SECOND_STEP_MINUTES, seconds=1)
    monkeypatch.setattr(auth, "utcnow", lambda: later)
    response = client.post("/login/code", data={"code": code_for(secret, clock)})
    assert response.status_code == 302 and response.location.startswith("/login")
    assert not response.location.startswith("/login/code")
    assert not signed_in(client)


def test_signing_out_in_the_second_step_ends_it(strict, enrolled, clock):
    secret, _codes = enrolled
    client = strict.test_client()
    password_step(client, "coordinator@a.test")
    client.post("/logout")
    response = client.post("/login/code", data={"code": code_for(secret, clock)})
    assert response.status_code == 302 and not signed_in(client)


def test_a_deactivated_account_cannot_finish_the_second_step(strict, enrolled, clock):
    secret, _codes = enrolled
    client = strict.test_client()
    password_step(client, "coordinator@a.test")
    from checklist.store.connection import connect

    db = connect(strict.config["DATABASE"])
    db.execute("update users set active = 0 where email = 'coordinator@a.test'")
    db.conn.close()
    client.post("/login/code", data={"code": code_for(secret, clock)})
    assert not signed_in(client)


# -- throttling ----------------------------------------------------------------------------


def test_wrong_codes_lock_the_account_like_wrong_passwords(strict, enrolled, clock):
    secret, _codes = enrolled
    client = strict.test_client()
    password_step(client, "coordinator@a.test")
    for _ in range(strict.config["LOGIN_MAX_PER_ACCOUNT"]):
        assert client.post("/login/code", data={"code": "000000"}).status_code == 401
    locked = client.post("/login/code", data={"code": code_for(secret, clock)})  # even the right code waits
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 60
    assert password_step(strict.test_client(), "coordinator@a.test").status_code == 429  # the password step too


def test_the_password_step_does_not_reset_the_count_of_wrong_codes(strict, enrolled, clock):
    """Whoever knows the password cannot buy new guesses by typing it again."""
    secret, _codes = enrolled
    client = strict.test_client()
    for _ in range(strict.config["LOGIN_MAX_PER_ACCOUNT"]):
        assert password_step(client, "coordinator@a.test").status_code == 302
        assert client.post("/login/code", data={"code": "000000"}).status_code == 401
    assert password_step(client, "coordinator@a.test").status_code == 429


def test_wrong_codes_slow_down_their_address(tmp_path, clock):
    app = create_app(make_config(tmp_path, TOTP_REQUIRED_ROLES=REQUIRED, LOGIN_MAX_PER_ADDRESS=3))
    add_users(app)
    secret, _codes = enrol_at_sign_in(app.test_client(), "admin@a.test", clock)
    clock(steps=1)
    attacker = app.test_client()
    for _ in range(3):
        password_step(attacker, "admin@a.test", environ_base={"REMOTE_ADDR": "10.0.0.9"})
        attacker.post("/login/code", data={"code": "000000"}, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    # Another account's right password and code from that address, in a new browser, waits.
    newcomer = app.test_client()
    assert password_step(newcomer, "visitor@a.test", environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 429
    # From another address nothing changed.
    assert password_step(app.test_client(), "visitor@a.test", environ_base={"REMOTE_ADDR": "10.0.0.10"}).status_code == 302


def test_a_right_code_forgets_the_failures(strict, enrolled, clock):
    secret, _codes = enrolled
    client = strict.test_client()
    password_step(client, "coordinator@a.test")
    client.post("/login/code", data={"code": "000000"})
    assert client.post("/login/code", data={"code": code_for(secret, clock)}).status_code == 302
    assert query(strict, "select count(*) as n from login_failures")[0]["n"] == 0


# -- an admin's reset ----------------------------------------------------------------------


def sign_in_with_code(app, email, secret, clock):
    client = app.test_client()
    password_step(client, email)
    clock(steps=1)
    assert client.post("/login/code", data={"code": code_for(secret, clock)}).status_code == 302
    return client


def test_an_admin_resets_a_lost_factor_and_the_user_enrols_again(strict, enrolled, clock):
    secret, codes = enrolled
    coordinator = sign_in_with_code(strict, "coordinator@a.test", secret, clock)
    admin_secret, _ = enrol_at_sign_in(strict.test_client(), "admin@a.test", clock)
    admin = sign_in_with_code(strict, "admin@a.test", admin_secret, clock)
    coordinator_id = user_row(strict, "coordinator@a.test")["id"]
    page = admin.get(f"/admin/users/{coordinator_id}").get_data(as_text=True)
    assert f"/admin/users/{coordinator_id}/second-factor/reset" in page
    response = admin.post(f"/admin/users/{coordinator_id}/second-factor/reset", follow_redirects=True)
    assert response.status_code == 200
    assert not signed_in(coordinator)  # every session of theirs ended
    row = user_row(strict, "coordinator@a.test")
    assert row["totp_secret"] is None and row["totp_must_enrol"] == 1
    assert query(strict, "select count(*) as n from recovery_codes where user_id = ?", [coordinator_id])[0]["n"] == 0
    # Audited: who reset whose factor.
    audit = query(strict, "select * from audit_log where action = 'reset_second_factor'")
    assert [(a["entity"], a["entity_id"], a["user_id"]) for a in audit] == [("user", coordinator_id, user_row(strict, "admin@a.test")["id"])]
    assert "<td>reset_second_factor</td>" in admin.get("/admin/audit/").get_data(as_text=True)
    # The old app and the old recovery codes open nothing: the next sign-in is an enrolment.
    client = strict.test_client()
    assert password_step(client, "coordinator@a.test").location.endswith("/login/enrol")
    assert client.post("/login/code", data={"code": codes[1]}).location.endswith("/login/enrol")
    new_secret = shown_secret(client.get("/login/enrol").get_data(as_text=True))
    assert new_secret != secret
    clock(steps=1)
    assert client.post("/login/enrol", data={"code": code_for(secret, clock)}).status_code == 401
    assert client.post("/login/enrol", data={"code": code_for(new_secret, clock)}).status_code == 200
    assert signed_in(client)


def test_after_a_reset_an_optional_user_enrols_again_too(app, clock):
    client = app.test_client()
    password_step(client, "visitor@a.test")
    enrol_in_settings(client, clock)
    client.post("/logout")
    admin = app.test_client()
    password_step(admin, "admin@a.test")
    visitor_id = user_row(app, "visitor@a.test")["id"]
    assert admin.post(f"/admin/users/{visitor_id}/second-factor/reset").status_code == 302
    assert password_step(app.test_client(), "visitor@a.test").location.endswith("/login/enrol")


def test_a_password_reset_by_an_admin_does_not_bypass_the_factor(strict, enrolled, clock):
    secret, _codes = enrolled
    admin_secret, _ = enrol_at_sign_in(strict.test_client(), "admin@a.test", clock)
    admin = sign_in_with_code(strict, "admin@a.test", admin_secret, clock)
    coordinator_id = user_row(strict, "coordinator@a.test")["id"]
    new_password = "een heel ander wachtwoord 77"
    response = admin.post(f"/admin/users/{coordinator_id}", data={"display_name": "Cor", "organisation_id": "1", "role": "coordinator", "active": "y", "password": new_password})
    assert response.status_code == 302
    client = strict.test_client()
    assert password_step(client, "coordinator@a.test", new_password).location.endswith("/login/code")
    assert not signed_in(client)
    clock(steps=1)
    assert client.post("/login/code", data={"code": code_for(secret, clock)}).status_code == 302


@pytest.mark.parametrize("email", ["visitor@a.test", "coordinator@a.test", "monitor@m.test"])
def test_only_admins_reset_a_factor(app, clock, email):
    owner = app.test_client()
    password_step(owner, "visitor@b.test")
    enrol_in_settings(owner, clock)
    target = user_row(app, "visitor@b.test")["id"]
    client = app.test_client()
    password_step(client, email)
    assert client.post(f"/admin/users/{target}/second-factor/reset").status_code == 404
    assert user_row(app, "visitor@b.test")["totp_secret"] is not None


# -- the user's own page -------------------------------------------------------------------


def test_new_recovery_codes_replace_the_old_ones(app, clock):
    client = app.test_client()
    password_step(client, "visitor@a.test")
    secret, old = enrol_in_settings(client, clock)
    clock(steps=1)
    response = client.post("/account/second-factor", data={"password": PASSWORD, "code": code_for(secret, clock), "action": "recovery"})
    new = shown_recovery_codes(response.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    client.post("/logout")
    password_step(client, "visitor@a.test")
    assert client.post("/login/code", data={"code": old[0]}).status_code == 401
    assert client.post("/login/code", data={"code": new[0]}).status_code == 302


def test_an_optional_user_turns_it_off_with_a_code(app, clock):
    client = app.test_client()
    password_step(client, "visitor@a.test")
    secret, _codes = enrol_in_settings(client, clock)
    clock(steps=1)
    assert client.post("/account/second-factor", data={"password": PASSWORD, "code": "000000", "action": "disable"}).status_code == 401
    assert user_row(app, "visitor@a.test")["totp_secret"] is not None
    assert client.post("/account/second-factor", data={"password": PASSWORD, "code": code_for(secret, clock), "action": "disable"}).status_code == 302
    client.post("/logout")
    assert password_step(client, "visitor@a.test").location == "/"
    assert [a["action"] for a in query(app, "select action from audit_log where entity = 'user' and action like '%second_factor'")] == ["enable_second_factor", "disable_second_factor"]


def test_a_required_role_cannot_turn_it_off(strict, enrolled, clock):
    secret, _codes = enrolled
    client = sign_in_with_code(strict, "coordinator@a.test", secret, clock)
    page = client.get("/account/second-factor").get_data(as_text=True)
    assert 'value="disable"' not in page
    clock(steps=1)
    assert client.post("/account/second-factor", data={"password": PASSWORD, "code": code_for(secret, clock), "action": "disable"}).status_code == 403
    assert user_row(strict, "coordinator@a.test")["totp_secret"] == secret


def test_pages_in_dutch_and_english(strict, enrolled, clock):
    client = strict.test_client()
    password_step(client, "coordinator@a.test")
    assert "Tweede stap van het aanmelden" in client.get("/login/code").get_data(as_text=True)
    client.set_cookie("lang", "en")
    assert "Second step of signing in" in client.get("/login/code").get_data(as_text=True)
    newcomer = strict.test_client()
    password_step(newcomer, "monitor@m.test")
    page = html.unescape(newcomer.get("/login/enrol").get_data(as_text=True))
    assert "Stel je tweede factor in" in page and "authenticator-app" in page


def test_the_command_line_resets_a_factor_when_no_admin_can(strict, enrolled, clock):
    secret, _codes = enrolled
    coordinator = sign_in_with_code(strict, "coordinator@a.test", secret, clock)
    result = strict.test_cli_runner().invoke(args=["reset-second-factor", "Coordinator@A.test"])
    assert result.exit_code == 0, result.output
    assert not signed_in(coordinator)
    assert password_step(strict.test_client(), "coordinator@a.test").location.endswith("/login/enrol")
    assert query(strict, "select user_id from audit_log where action = 'reset_second_factor'") == [{"user_id": None}]
    missing = strict.test_cli_runner().invoke(args=["reset-second-factor", "nobody@a.test"])
    assert missing.exit_code != 0 and "no account for nobody@a.test" in missing.output


def test_changing_the_factor_ends_the_users_other_sessions(app, clock):
    phone = app.test_client()
    password_step(phone, "visitor@a.test")
    tablet = app.test_client()
    password_step(tablet, "visitor@a.test")
    secret, _codes = enrol_in_settings(tablet, clock)
    assert signed_in(tablet) and not signed_in(phone)
    password_step(phone, "visitor@a.test")
    clock(steps=1)
    assert phone.post("/login/code", data={"code": code_for(secret, clock)}).status_code == 302
    clock(steps=1)
    assert phone.post("/account/second-factor", data={"password": PASSWORD, "code": code_for(secret, clock), "action": "disable"}).status_code == 302
    assert signed_in(phone) and not signed_in(tablet)


def test_changing_the_factor_asks_for_the_password_again(app, clock):
    """A session left open on a shared tablet is not enough to change or remove the factor."""
    client = app.test_client()
    password_step(client, "visitor@a.test")
    secret = shown_secret(client.get("/account/second-factor").get_data(as_text=True))
    refused = client.post("/account/second-factor", data={"password": "not the password 1", "code": code_for(secret, clock), "action": "enable"})
    assert refused.status_code == 401
    assert "Typ je huidige wachtwoord" in refused.get_data(as_text=True)
    assert user_row(app, "visitor@a.test")["totp_secret"] is None
    secret, _codes = enrol_in_settings(client, clock)
    clock(steps=1)
    for action in ("recovery", "disable"):
        response = client.post("/account/second-factor", data={"code": code_for(secret, clock), "action": action})
        assert response.status_code == 422, action
        response = client.post("/account/second-factor", data={"password": "not the password 1", "code": code_for(secret, clock), "action": action})
        assert response.status_code == 401, action
    assert user_row(app, "visitor@a.test")["totp_secret"] == secret
    assert query(app, "select count(*) as n from recovery_codes where used_at is null")[0]["n"] == 10


# -- the rule behind every code: a step within the drift, later than the last one used ----------


@settings(max_examples=60, deadline=None)
@given(
    at=st.floats(min_value=1e9, max_value=4e9),
    offset=st.integers(min_value=-4, max_value=4),
    last=st.one_of(st.none(), st.integers(min_value=-4, max_value=4)),
)
def test_a_code_is_accepted_exactly_within_the_drift_and_after_the_last_step(at, offset, last):
    from checklist.core import totp

    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # any base32 secret: the rule is about steps
    now = totp.time_step(at)
    step = now + offset
    last_step = None if last is None else now + last
    accepted = totp.matching_step(secret, totp.code_at_step(secret, step), last_step, at=at)
    should = abs(offset) <= totp.DRIFT_STEPS and (last_step is None or step > last_step)
    if should:
        assert accepted == step
    else:
        # Refused, unless the same six digits happen to be another step's code in the window.
        assert accepted is None or (accepted != step and totp.code_at_step(secret, accepted) == totp.code_at_step(secret, step))


def test_an_organisations_admin_resets_only_their_own_organisations_factors(app, clock):
    """Who administers whom holds for the second factor too: another organisation's account, or a
    system admin's, is 404 to an organisation's admin; a system admin resets any."""
    owner = app.test_client()
    password_step(owner, "visitor@b.test")
    enrol_in_settings(owner, clock)
    target = user_row(app, "visitor@b.test")["id"]
    other_admin = app.test_client()
    password_step(other_admin, "admin@a.test")  # organisation 1; the visitor is of organisation 2
    assert other_admin.post(f"/admin/users/{target}/second-factor/reset").status_code == 404
    system = user_row(app, "system@s.test")["id"]
    assert other_admin.post(f"/admin/users/{system}/second-factor/reset").status_code == 404
    assert user_row(app, "visitor@b.test")["totp_secret"] is not None
    own_admin = app.test_client()
    password_step(own_admin, "admin@b.test")
    assert own_admin.post(f"/admin/users/{target}/second-factor/reset").status_code == 302
    assert user_row(app, "visitor@b.test")["totp_secret"] is None
