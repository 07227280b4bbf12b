"""Fixtures: an app per test on a fresh SQLite file in tmp_path with the small test criteria."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from checklist import create_app
from checklist.store.connection import connect

TESTS = Path(__file__).parent
ROOT = TESTS.parent
SMALL_CRITERIA = TESTS / "criteria_small.yaml"


def pytest_sessionstart(session):
    """Compile the translation catalogs so a plain `pytest` run sees Dutch too."""
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "compile", "--use-fuzzy", "-d", str(ROOT / "checklist" / "translations")],
        check=False,
        capture_output=True,
    )


PASSWORD = "lange zin als wachtwoord 42"
# email: (display name, organisation id, role); organisation 1 is De Vrolijkheid, 2 War Child, 4 UNICEF.
USERS = {
    "visitor@a.test": ("Vera Visitor", 1, "visitor"),
    "coordinator@a.test": ("Cor Coordinator", 1, "coordinator"),
    "visitor@b.test": ("Bas Visitor", 2, "visitor"),
    "coordinator@b.test": ("Bo Coordinator", 2, "coordinator"),
    "monitor@m.test": ("Mona Monitor", 4, "monitor"),
    "admin@a.test": ("Ada Admin", 1, "admin"),
}


def make_config(tmp_path, **overrides):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-0123456789",
        "DATABASE": str(tmp_path / "test.sqlite"),
        "CRITERIA_PATH": str(SMALL_CRITERIA),
        "WTF_CSRF_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_KIB": 8,
    }
    config.update(overrides)
    return config


def add_users(app):
    from checklist import store
    from checklist.views.common import hash_password

    with app.app_context():
        db = connect(app.config["DATABASE"])
        hashed = hash_password(PASSWORD)
        for email, (name, organisation_id, role) in USERS.items():
            if not store.get_user_by_email(db, email):
                store.create_user(db, email, name, organisation_id, role, hashed)
        db.conn.close()


def login(client, email="visitor@a.test", password=PASSWORD):
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


@pytest.fixture
def app(tmp_path):
    app = create_app(make_config(tmp_path))
    add_users(app)
    return app


@pytest.fixture
def anon(app):
    """A client that has not signed in."""
    return app.test_client()


@pytest.fixture
def client(app):
    """Signed in as a visitor of organisation 1 (De Vrolijkheid)."""
    return login(app.test_client())


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    database = connect(app.config["DATABASE"])
    yield database
    database.conn.close()


@pytest.fixture
def english(client):
    client.set_cookie("lang", "en")
    return client


def create_location(client, **fields) -> int:
    data = {"name": "Azc Testveld", "type": "azc", "municipality": "Testdorp", "province": "Utrecht", "operator": "COA", "capacity": "300", "children": "80"}
    data.update(fields)
    response = client.post("/locations/new", data=data)
    assert response.status_code == 302, response.data
    return int(response.location.rstrip("/").split("/")[-1])


def create_visit(client, location_id: int, **fields) -> int:
    data = {"visit_date": "2026-01-15", "organisation_id": "1", "visitors": "A.B.", "announced": "1", "children_present": "12", "amv_present": "0"}
    data.update(fields)
    response = client.post(f"/locations/{location_id}/visits/new", data=data)
    assert response.status_code == 302, response.data
    return int(response.location.rstrip("/").split("/")[-1])


def versions(client, visit_id: int, domain: str) -> dict[str, str]:
    """The versions (`rev_*`) a checklist page starts from, as a browser sends them back."""
    import re

    page = client.get(f"/visits/{visit_id}/domains/{domain}").get_data(as_text=True)
    return dict(re.findall(r'name="(rev_[a-z0-9_]+)" value="([0-9]+:[0-9a-f]+)"', page))


def save(client, visit_id: int, domain: str, data: dict):
    """Save answers as a visitor does: open the page, change the fields, post it."""
    return client.post(f"/visits/{visit_id}/domains/{domain}", data={**versions(client, visit_id, domain), **data})


def pdftotext(pdf: bytes, tmp_path: Path, first: int | None = None, last: int | None = None) -> str:
    """The text poppler reads from a PDF, the way a monitor's tools would."""
    assert shutil.which("pdftotext"), "pdftotext (poppler-utils) is needed; `make test` installs it"
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    args = ["pdftotext"]
    if first:
        args += ["-f", str(first)]
    if last:
        args += ["-l", str(last)]
    return subprocess.run([*args, str(path), "-"], check=True, capture_output=True, text=True).stdout


def textarea(html: str, name: str) -> str:
    """The text inside a rendered <textarea name=...>, unescaped as the browser shows it."""
    import html as html_lib
    import re

    match = re.search(rf'<textarea[^>]*name="{re.escape(name)}"[^>]*>\r?\n?(.*?)</textarea>', html, re.S)
    assert match, f"no textarea {name}"
    return html_lib.unescape(match.group(1))


def query(app, sql, params=()):
    """Rows straight from the app's database, for checking what a request stored."""
    db = connect(app.config["DATABASE"])
    try:
        return list(db.query(sql, list(params)))
    finally:
        db.conn.close()
