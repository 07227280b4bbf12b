"""The login throttle behind a shared address: an account locks, an address only slows down,
a browser where the account signed in before is never refused for others' failures, and the
address is the client's when PROXY_FIX_X_FOR says how many proxies to trust."""

from __future__ import annotations

from datetime import timedelta

import pytest

from checklist import ConfigError
from checklist import create_app
from tests.conftest import PASSWORD
from tests.conftest import add_users
from tests.conftest import login
from tests.conftest import make_config
from tests.conftest import query

WRONG = "wrong password 123"


def attempt(client, email="visitor@a.test", password=PASSWORD, **kwargs):
    return client.post("/login", data={"email": email, "password": password}, **kwargs)


def flood(app, n=25, **kwargs):
    """n wrong logins with made-up emails, from a browser of their own."""
    attacker = app.test_client()
    for i in range(n):
        attempt(attacker, f"made-up{i}@x.test", WRONG, **kwargs)
    return attacker


@pytest.fixture
def clock(monkeypatch):
    """Moves the auth module's clock forward."""
    import checklist.views.auth as auth

    start = auth.utcnow()
    state = {"now": start}
    monkeypatch.setattr(auth, "utcnow", lambda: state["now"])

    def advance(**delta):
        state["now"] += timedelta(**delta)

    return advance


def test_failures_from_a_shared_address_do_not_refuse_a_browser_that_signed_in_before(app):
    tablet = login(app.test_client())
    tablet.post("/logout")
    flood(app)
    assert attempt(app.test_client()).status_code == 429  # a new browser on the same address waits
    assert attempt(tablet).status_code == 302  # right away
    # The cookie vouches only for the accounts that signed in with it.
    tablet.post("/logout")
    assert attempt(tablet, "coordinator@a.test").status_code == 429


def test_a_shared_address_is_slowed_down_not_locked_out(app, clock):
    flood(app)
    newcomer = app.test_client()
    refused = attempt(newcomer)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 61
    assert "Vanaf je netwerk zijn zojuist veel aanmeldingen mislukt" in refused.get_data(as_text=True)
    newcomer.set_cookie("lang", "en")
    assert "Many sign-ins failed from your network just now" in attempt(newcomer).get_data(as_text=True)
    clock(seconds=30)
    for _ in range(10):  # refused attempts do not count, so waiting is enough
        assert attempt(app.test_client(), "someone@x.test", WRONG).status_code == 429
    clock(seconds=31)
    assert attempt(newcomer).status_code == 302  # a minute, not fifteen


def test_the_address_limit_still_caps_the_hashing_rate(app, monkeypatch):
    import checklist.views.auth as auth

    hashes = []
    real_verify = auth.verify_password
    monkeypatch.setattr(auth, "verify_password", lambda h, p: hashes.append(1) or real_verify(h, p))
    flood(app, n=100)
    assert len(hashes) == app.config["LOGIN_MAX_PER_ADDRESS"]


def test_failures_elsewhere_lock_strangers_out_but_never_the_owners_own_browser(app, clock):
    """Issue 23 §5: anyone who knows the address could keep an account locked with wrong
    passwords. The browser where it signed in before has a lock of its own."""
    tablet = login(app.test_client())
    tablet.post("/logout")
    for _ in range(5):
        assert attempt(app.test_client(), password=WRONG).status_code == 401
    refused = attempt(app.test_client())
    assert refused.status_code == 429
    assert 14 * 60 < int(refused.headers["Retry-After"]) <= 15 * 60 + 1
    assert attempt(app.test_client(), "coordinator@a.test").status_code == 302  # other accounts are not locked
    assert attempt(tablet).status_code == 302  # the owner's own tablet signs in
    tablet.post("/logout")
    # Wrong passwords typed in the known browser lock it in turn, until the window has passed.
    for _ in range(5):
        assert attempt(tablet, password=WRONG).status_code == 401
    assert attempt(tablet).status_code == 429
    clock(minutes=15, seconds=1)
    assert attempt(tablet).status_code == 302


def test_a_forged_or_foreign_device_cookie_vouches_for_nothing(tmp_path, app):
    (tmp_path / "other").mkdir()
    other_app = create_app(make_config(tmp_path / "other", SECRET_KEY="another-secret-key-0123456789"))
    add_users(other_app)
    elsewhere = login(other_app.test_client())
    foreign = elsewhere.get_cookie("login-device").value
    flood(app)
    for value in (foreign, "WzFd.forged.signature", "garbage"):
        client = app.test_client()
        client.set_cookie("login-device", value)
        assert attempt(client).status_code == 429, value


@pytest.mark.parametrize("hops, forwarded, recorded", [(0, "203.0.113.7", "127.0.0.1"), (1, "203.0.113.7", "203.0.113.7"), (1, "198.51.100.1, 203.0.113.7", "203.0.113.7")])
def test_proxy_fix_decides_which_address_counts(tmp_path, hops, forwarded, recorded):
    app = create_app(make_config(tmp_path, PROXY_FIX_X_FOR=hops))
    add_users(app)
    attempt(app.test_client(), password=WRONG, headers={"X-Forwarded-For": forwarded})
    assert [row["remote_ip"] for row in query(app, "select remote_ip from login_failures")] == [recorded]


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(tmp_path):
    app = create_app(make_config(tmp_path, PROXY_FIX_X_FOR=1))
    add_users(app)
    flood(app, headers={"X-Forwarded-For": "198.51.100.66"})
    assert attempt(app.test_client(), headers={"X-Forwarded-For": "198.51.100.66"}).status_code == 429
    assert attempt(app.test_client(), headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 302
    # The client cannot choose its address: the proxy appends the one it saw, and only that counts.
    spoofed = {"X-Forwarded-For": "203.0.113.99, 198.51.100.66"}
    assert attempt(app.test_client(), headers=spoofed).status_code == 429


@pytest.mark.parametrize("value", [-1, "1", 1.5, True])
def test_a_wrong_proxy_hop_count_stops_start_up(tmp_path, value):
    with pytest.raises(ConfigError, match="PROXY_FIX_X_FOR"):
        create_app(make_config(tmp_path, PROXY_FIX_X_FOR=value))


def test_failed_logins_are_kept_only_for_the_throttle_window(app, clock):
    client = app.test_client()
    attempt(client, "old@x.test", WRONG)
    clock(minutes=10)
    attempt(client, "newer@x.test", WRONG)
    clock(minutes=5, seconds=30)  # "old" is now past the 15-minute window, "newer" is not
    attempt(client, "newest@x.test", WRONG)
    # "old" is gone; the two newer failures are kept (as digests, see tests/test_traces.py).
    assert [row["n"] for row in query(app, "select count(*) as n from login_failures")] == [2]
    for _ in range(4):  # "newer" still counts: four more lock it, "old" has a fresh count
        attempt(client, "newer@x.test", WRONG)
    assert attempt(client, "newer@x.test", WRONG).status_code == 429
    assert attempt(client, "old@x.test", WRONG).status_code == 401
