"""The password as ASVS 6.2.5-6.2.9 asks: masked, open to paste and password managers, any
composition and length up to 1,024 characters, verified exactly as typed."""

from __future__ import annotations

import re

from checklist import store
from checklist.store.connection import connect
from checklist.views.common import hash_password

LONG = "  Een Zin van Zeventig Tekens, met Spaties Vooraan en Achteraan én ü ✓ 12  " * 2


def test_the_password_field_is_masked_and_left_to_password_managers(anon):
    page = anon.get("/login").get_data(as_text=True)
    [field] = re.findall(r"<input[^>]*name=\"password\"[^>]*>", page)
    assert 'type="password"' in field and 'autocomplete="current-password"' in field
    assert "onpaste" not in page
    assert int(re.search(r'maxlength="(\d+)"', field).group(1)) >= 64


def test_a_long_password_of_any_composition_is_verified_exactly_as_typed(app):
    assert len(LONG) > 64
    with app.app_context():
        db = connect(app.config["DATABASE"])
        store.create_user(db, "lang@a.test", "Lang Wachtwoord", 1, "visitor", hash_password(LONG))
        db.conn.close()
    for changed in (LONG.strip(), LONG.lower(), LONG[:64]):
        assert app.test_client().post("/login", data={"email": "lang@a.test", "password": changed}).status_code == 401
    assert app.test_client().post("/login", data={"email": "lang@a.test", "password": LONG}).status_code == 302
