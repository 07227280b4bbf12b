"""Fixtures: an app per test on a fresh SQLite file in tmp_path with the small test criteria."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from checklist import create_app
from checklist.core.criteria import load_criteria
from checklist.core.scoring import AnswerValue
from checklist.core.scoring import score_visit
from checklist.reports import PreviousVisit
from checklist.reports import VisitReport
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
    "admin@b.test": ("Bram Admin", 2, "admin"),
    "system@s.test": ("Sam System", 1, "admin"),
}
# Operator accounts (tests/test_access.py, tests/test_replies.py) are invited by a coordinator
# through the page, as in real life: `invite_operator`.
SYSTEM_ADMINS = {"system@s.test"}  # made with `create-user --system-admin` in real life


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
        "TOTP_REQUIRED_ROLES": [],  # as `make run` writes it; tests of the second factor switch it on
        # Tests build many files per user, and the test client leaves a streamed response open
        # (a server closes it after the last byte); tests/test_limits.py sets its own limits.
        "HEAVY_RATE": "1000 per minute",
        "HEAVY_CONCURRENT": 1000,
        "PHOTO_RATE": "1000 per minute",  # tests/test_photos.py sets its own rate
        "MAIL_FOLDER": str(tmp_path / "mail"),  # no SMTP host: mails become files here (tests/test_mail.py sends to a real SMTP server)
        "MAIL_SEND_AFTER_REQUEST": False,  # tests send the outbox themselves, when they mean to
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
                store.create_user(db, email, name, organisation_id, role, hashed, system_admin=email in SYSTEM_ADMINS)
        db.conn.close()


def login(client, email="visitor@a.test", password=PASSWORD, lang: str | None = None):
    """Sign in through the login form; with `lang`, the language cookie the switch sets."""
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    if lang:
        client.set_cookie("lang", lang)
    return client


def real_app(tmp_path):
    """The app with the shipped criteria.yaml, as `make run` starts it."""
    return create_app(make_config(tmp_path, CRITERIA_PATH=str(ROOT / "criteria.yaml")))


# -- CSRF on: the tokens as a browser gets them from the pages -------------------------------


def csrf_app(tmp_path):
    """An app that checks CSRF tokens, with the test users."""
    app = create_app(make_config(tmp_path, WTF_CSRF_ENABLED=True))
    add_users(app)
    return app


def csrf_login(client, email="visitor@a.test"):
    """Sign in with the token the login page hands out."""
    import re

    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token}).status_code == 302
    return client


def fresh_token(client):
    """A valid token from a page a signed-in user opens."""
    import re

    page = client.get("/locations/").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


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
def report_fonts():
    """The report fonts registered, as building any PDF does first.

    create_app does not register them, so a chart route answers 500 in a process that has
    built no PDF yet (test_visits.py::test_chart_routes_answer_in_a_fresh_process). Tests of
    what a chart shows ask for this, so they do not depend on an earlier test's PDF.
    """
    from checklist.reports.styles import setup_reportlab

    setup_reportlab()


@pytest.fixture
def english(client):
    client.set_cookie("lang", "en")
    return client


def coordinator_of(client, email="coordinator@a.test"):
    """A client of the same app signed in as a coordinator (who changes the shared register of
    locations), kept per app and email."""
    app = client.application
    clients = app.extensions.setdefault("tests.coordinators", {})
    if email not in clients:
        clients[email] = login(app.test_client(), email)
    return clients[email]


def create_location(client, **fields) -> int:
    """A new location in the register, made by a coordinator of organisation 1 whoever `client` is
    (only coordinators change the register; test_access checks who may)."""
    client = coordinator_of(client)
    data = {"name": "Azc Testveld", "type": "azc", "municipality": "Testdorp", "province": "Utrecht", "operator": "COA", "capacity": "300", "children": "80"}
    data["different_location"] = "y"  # tests make many "Azc Testveld"s; test_locations checks the question
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


def answer(client, visit_id: int, domain: str, **fields) -> None:
    """Post a checklist page without versions (as a first save does): answers are added."""
    response = client.post(f"/visits/{visit_id}/domains/{domain}", data=fields)
    assert response.status_code == 303, response.get_data(as_text=True)[:300]


def submit(client, visit_id: int) -> None:
    assert client.post(f"/visits/{visit_id}/submit").status_code == 303


def pdftotext(pdf: bytes, tmp_path: Path, first: int | None = None, last: int | None = None, layout: bool = False) -> str:
    """The text poppler reads from a PDF, the way a monitor's tools would.

    `layout=True` keeps the columns of a table on one line (`pdftotext -layout`).
    """
    assert shutil.which("pdftotext"), "pdftotext (poppler-utils) is needed; `make test` installs it"
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    args = ["pdftotext"]
    if layout:
        args.append("-layout")
    if first:
        args += ["-f", str(first)]
    if last:
        args += ["-l", str(last)]
    return subprocess.run([*args, str(path), "-"], check=True, capture_output=True, text=True).stdout


def flat(text: str) -> str:
    """Whitespace collapsed, so table cells that wrap still compare with the typed text."""
    return " ".join(text.split())


def page_count(pdf: bytes) -> int:
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


# -- SVG charts, read as a browser draws them ------------------------------------------------

SVG = "{http://www.w3.org/2000/svg}"


def svg_root(svg: str):
    """The parsed SVG document (its DOCTYPE is fetched by nothing: ElementTree ignores it)."""
    import xml.etree.ElementTree as ET

    root = ET.fromstring(svg.encode("utf-8"))
    assert root.tag == f"{SVG}svg", root.tag
    return root


def svg_texts(svg: str) -> list[str]:
    """Every text label drawn, in document order."""
    return [t.text or "" for t in svg_root(svg).iter(f"{SVG}text")]


def svg_axis_ticks(svg: str) -> dict[str, float]:
    """Axis tick labels (placed by a `matrix(1,0,0,1,x,y)` group) and the x of their tick."""
    import re

    ticks = {}
    for group in svg_root(svg).iter(f"{SVG}g"):
        match = re.match(r"\s*matrix\(1,0,0,1,([-0-9.]+),([-0-9.]+)\)", group.get("transform", ""))
        label = group.find(f"{SVG}text")
        if match and label is not None:
            ticks.setdefault(label.text, float(match.group(1)))
    return ticks


def svg_bar_values(svg: str) -> list[tuple[str, float]]:
    """Each bar of a horizontal 0-100 bar chart as (fill, value read off the axis), topmost first."""
    ticks = svg_axis_ticks(svg)
    zero, hundred = ticks["0"], ticks["100"]
    return [
        (bar["fill"], 100 * bar["width"] / (hundred - zero))
        for bar in svg_bars(svg)
        if bar["width"] != bar["height"] and abs(bar["x"] - zero) < 0.01  # not a legend swatch
    ]


def svg_bars(svg: str) -> list[dict]:
    """The filled rectangles (bars, legend swatches), topmost first: x, y, width, height, fill.

    The drawing is flipped (y up), so a larger y is higher on the page.
    """
    import re

    bars = []
    for rect in svg_root(svg).iter(f"{SVG}rect"):
        fill = re.search(r"fill: ([^;]+);", rect.get("style", ""))
        if fill:
            bars.append({k: float(rect.get(k)) for k in ("x", "y", "width", "height")} | {"fill": fill.group(1)})
    return sorted(bars, key=lambda b: -b["y"])


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


def answers_in_db(app, visit_id: int) -> dict[str, dict]:
    """The stored answer rows of a visit, by criterion id."""
    return {r["criterion_id"]: r for r in query(app, "select * from answers where visit_id = ?", [visit_id])}


def stored(app, visit_id: int) -> dict[str, tuple]:
    """What is stored for each answered criterion of a visit: (value, note)."""
    return {cid: (row["value"], row["note"]) for cid, row in answers_in_db(app, visit_id).items()}


def note_of(app, visit_id: int, criterion_id: str) -> str | None:
    row = answers_in_db(app, visit_id).get(criterion_id)
    return row["note"] if row else None


def live_counts(app) -> dict[str, int]:
    """Rows per table that a backup reports (locations, visits, answers, child_voices)."""
    from checklist.store import counts

    db = connect(app.config["DATABASE"])
    try:
        return counts(db)
    finally:
        db.conn.close()


def snapshot(app):
    """Every row of visits, answers, children's words and photos: equal before and after = nothing changed."""
    return [query(app, f"select * from {table} order by 1") for table in ("visits", "answers", "child_voices", "photos")]


# -- a visit report built without the app: hostile text, four scripts, every section --------

CRITERIA = load_criteria(SMALL_CRITERIA)
HOSTILE = 'A&B <b>x</b> <font size=40>BIG</font> <img src="/etc/hostname"/>'
SCRIPT = "<script>alert(1)</script>"
LINK = '<a href="javascript:alert(1)">click</a>'
ARABIC = "مرحبا بالأطفال"
ARABIC_LIGATURES = "بسم الله الرحمن الرحيم"  # lam-alef and the lam-lam-heh ligature
TIGRINYA = "ትግርኛ ሰላም"
POLISH = "Łódź-Zuid"


def answers_full() -> dict:
    return {
        "play.space": {"value": "partly", "number": None, "note": HOSTILE},
        "play.outdoor": {"value": "yes", "number": None, "note": SCRIPT},
        "safety.fire": {"value": "no", "number": None, "note": "Nooduitgang geblokkeerd door matrassen."},
        "safety.moves": {"value": None, "number": 3, "note": ARABIC},
        "amv.mentor": {"value": "meets", "number": None, "note": TIGRINYA},
    }


def score_for(answers: dict, location_type: str = "amv_kleinschalig"):
    values = {cid: AnswerValue(a.get("value"), a.get("number")) for cid, a in answers.items()}
    return score_visit(CRITERIA, location_type, values)


def make_report(
    lang="en",
    answers=None,
    voices=None,
    previous=None,
    status="submitted",
    name=POLISH,
    impression="Vriendelijk personeel.",
    criteria=CRITERIA,
):
    answers = answers_full() if answers is None else answers
    if voices is None:
        voices = [
            {"age_band": "8-12", "domain_id": "play", "text": "We mogen nooit naar buiten na vijf uur."},
            {"age_band": "13-17", "domain_id": "safety", "text": ARABIC_LIGATURES},
            {"age_band": "4-7", "domain_id": None, "text": LINK},
        ]
    values = {cid: AnswerValue(a.get("value"), a.get("number")) for cid, a in answers.items()}
    return VisitReport(
        criteria=criteria,
        lang=lang,
        location={
            "name": name,
            "type": "amv_kleinschalig",
            "municipality": "Ter Apel",
            "province": "Groningen",
            "operator": "COA",
            "capacity": 40,
            "children": 12,
        },
        visit={
            "id": 7,
            "visit_date": "2025-03-12",
            "organisation": "Kinderrechtencoalitie",
            "visitors": "Anna de Vries, Yusuf Öztürk",
            "announced": False,
            "children_present": 11,
            "amv_present": 4,
            "impression": impression,
            "status": status,
            "submitted_at": None if status == "draft" else "2025-03-13T09:00:00",
            "criteria_version": criteria.version,
        },
        score=score_visit(criteria, "amv_kleinschalig", values),
        answers=answers,
        voices=voices,
        previous=previous,
        generated_at="2025-03-14T10:22:00",
    )


def previous_visit() -> PreviousVisit:
    earlier = {
        "play.space": {"value": "fails"},
        "play.outdoor": {"value": "yes"},
        "safety.fire": {"value": "yes"},
        "safety.moves": {"number": 1},
    }
    return PreviousVisit(visit={"visit_date": "2024-09-01", "status": "submitted"}, score=score_for(earlier))


def invite_operator(app, location_ids, email="olga@coa.example", organisation="COA", coordinator="coordinator@a.test") -> str:
    """An operator account for these locations, invited through the page by a coordinator (CSRF
    off for it); returns the password shown for hand-over. It must enrol a second factor at its
    first sign-in, so tests sign it in with `operator_login`."""
    import re

    csrf = app.config["WTF_CSRF_ENABLED"]
    app.config["WTF_CSRF_ENABLED"] = False
    client = login(app.test_client(), coordinator)
    data = {"email": email, "display_name": "Olga Operator", "organisation": organisation, "location": [str(i) for i in location_ids]}
    page = client.post("/operators/", data=data).get_data(as_text=True)
    app.config["WTF_CSRF_ENABLED"] = csrf
    match = re.search(r'id="handover-password">([^<]+)<', page)
    assert match, page[:2000]
    return match.group(1)


def operator_login(app, email="olga@coa.example", password=None):
    """A client signed in as an operator: password, then enrolment with a TOTP code computed here."""
    import re

    import pyotp

    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302 and response.location.endswith("/login/enrol"), response.location
    page = client.get("/login/enrol").get_data(as_text=True)
    secret = re.search(r'id="totp-secret"[^>]*>([^<]+)<', page).group(1).replace(" ", "")
    response = client.post("/login/enrol", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    client.totp_secret = secret
    client.recovery_codes = re.findall(r"<li><code>([^<]+)</code></li>", response.get_data(as_text=True))
    return client
