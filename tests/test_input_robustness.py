"""Input a browser would never send: a clear 400/404 or a form error, never a 500.

Ids beyond SQLite's 64-bit range or written with non-ASCII digits, random text in every
filter parameter, a file posted into a text field, and Unicode non-characters that would
make an XLSX export unreadable.
"""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from checklist import create_app
from tests.conftest import add_users
from tests.conftest import create_location
from tests.conftest import create_visit
from tests.conftest import login
from tests.conftest import make_config
from tests.conftest import query

TOO_LARGE = "9223372036854775808"  # 2**63: SQLite raises OverflowError
BAD_IDS = (TOO_LARGE, "99999999999999999999999", "²", "٣")  # ² is a digit int() refuses; ٣ one it accepts
ROLES = ("coordinator@a.test", "visitor@a.test", "monitor@m.test", "admin@a.test")
FILTER_URLS = (
    "/compare/",
    "/compare/types.svg",
    "/compare/side",
    "/reports/",
    "/reports/monitor.pdf",
    "/exports/visits.csv",
    "/exports/visits.xlsx",
    "/exports/answers.csv",
    "/exports/answers.xlsx",
    "/locations/",
    "/admin/audit/",
)
FILTER_PARAMS = (
    "organisation", "location", "type", "province", "operator", "from", "to", "closed", "sort", "desc",
    "anonymise", "q", "user_id", "since", "until", "entity", "action",
)  # fmt: skip


PARAMETER_VALUES = st.one_of(
    st.text(max_size=24),
    st.integers(min_value=-1, max_value=10**6).map(str),
    st.integers(min_value=2**63 - 3, max_value=2**64).map(str),  # ids around SQLite's largest integer
    st.text(st.characters(categories=["Nd", "No"]), min_size=1, max_size=3),  # digits that are not ASCII
    st.dates().map(str),  # years 1 to 9999
)


@pytest.fixture
def app(tmp_path):
    """An app that answers errors as it would in production (500), instead of raising them into the test."""
    app = create_app(make_config(tmp_path, PROPAGATE_EXCEPTIONS=False))
    add_users(app)
    return app


@pytest.fixture
def world(app):
    """A location with a submitted visit and one with a draft, so ids 1 exist."""
    client = login(app.test_client(), "visitor@a.test")
    location_id = create_location(client)
    visit_id = create_visit(client, location_id)
    client.post(f"/visits/{visit_id}/domains/play", data={"value_play__space": "partly", "note_play__space": "Klein"})
    assert client.post(f"/visits/{visit_id}/submit").status_code == 303
    draft_id = create_visit(client, create_location(client, name="Azc Tweede"))
    coordinator = login(app.test_client(), "coordinator@a.test")
    action = {"criterion_id": "play.space", "what": "Speelkamer openen", "owner": "COA", "due_on": "2026-02-15"}
    assert coordinator.post(f"/visits/{visit_id}/actions", data=action).status_code == 303
    (row,) = query(app, "select id from actions")
    return {"location_id": location_id, "visit_id": visit_id, "action_id": row["id"], "draft_id": draft_id}


def get(client, url, params) -> int:
    """The status of a GET, with the (maybe streamed) body read and the response closed."""
    with client.get(url, query_string=params) as response:
        response.get_data()
        return response.status_code


def int_rules(app):
    return [rule for rule in app.url_map.iter_rules() if "<int:" in rule.rule]


def test_every_route_with_an_id_answers_404_for_an_id_sqlite_cannot_hold_or_non_ascii_digits(app, world):
    assert len(int_rules(app)) >= 15
    wrong = []
    for email in ROLES:
        client = login(app.test_client(), email)
        for rule in int_rules(app):
            for bad in BAD_IDS:
                url = re.sub(r"<int:\w+>", bad, rule.rule).replace("<domain_id>", "play")
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                    status = client.open(url, method=method).status_code
                    if status not in (400, 404):
                        wrong.append(f"{email} {method} {url}: {status}")
    assert not wrong, "\n".join(wrong)


def test_an_id_in_ascii_digits_still_works(app, world):
    client = login(app.test_client(), "coordinator@a.test")
    location_id = world["location_id"]
    assert client.get(f"/locations/{location_id}").status_code == 200
    assert client.get(f"/locations/{location_id:03d}").status_code == 200  # leading zeros, as before
    arabic_indic = "".join(chr(0x0660 + int(d)) for d in str(location_id))
    assert client.get(f"/locations/{arabic_indic}").status_code == 404  # not a second URL for the same page
    assert client.get(f"/visits/{world['visit_id']}").status_code == 200


@pytest.mark.parametrize("url", FILTER_URLS)
@pytest.mark.parametrize("param", ("organisation", "location", "user_id"))
def test_an_id_parameter_that_is_no_id_never_answers_500(app, world, url, param):
    client = login(app.test_client(), "admin@a.test" if url.startswith("/admin") else "monitor@m.test")
    for bad in BAD_IDS:
        assert get(client, url, {param: bad}) in (200, 400), (url, param, bad)


@pytest.mark.parametrize("bad", BAD_IDS)
def test_an_organisation_filter_that_is_no_id_is_refused_where_filters_are_strict(app, world, bad):
    client = login(app.test_client(), "monitor@m.test")
    assert get(client, "/exports/visits.csv", {"organisation": bad}) == 400
    assert client.get("/reports/monitor.pdf", query_string={"organisation": bad}).status_code == 400
    response = client.get("/compare/", query_string={"organisation": bad})  # the overview shows and ignores it
    assert response.status_code == 200 and "Organisatie: Kies een organisatie uit de lijst." in response.get_data(as_text=True)  # Dutch page, Dutch message


def test_checking_an_action_at_a_visit_that_is_no_id_answers_404(app, world):
    client = login(app.test_client(), "coordinator@a.test")
    for bad in BAD_IDS:
        assert client.post(f"/actions/{world['action_id']}/status", data={"status": "done", "visit_id": bad}).status_code == 404


@settings(max_examples=40, derandomize=True, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=st.fixed_dictionaries({}, optional=dict.fromkeys(FILTER_PARAMS, PARAMETER_VALUES)))
def test_random_text_in_any_filter_parameter_never_answers_500(app, world, params):
    for email in ("monitor@m.test", "admin@a.test"):
        client = login(app.test_client(), email)
        for url in FILTER_URLS:
            assert get(client, url, params) < 500, (email, url, params)


# -- a file posted into a text field ------------------------------------------------------

FILE_MESSAGE = "a file cannot be sent in this field"


def text_forms(world):
    """(signed-in user, URL, valid form data) for every form with text fields."""
    location, visit = world["location_id"], world["visit_id"]
    draft = world["draft_id"]
    location_data = {"name": "Azc Nieuw", "type": "azc", "municipality": "Ergens", "province": "Utrecht", "operator": "COA", "capacity": "10", "children": "2"}
    visit_data = {"visit_date": "2026-01-15", "visitors": "A.B.", "announced": "1", "children_present": "3", "amv_present": "0", "impression": "Rustig"}
    action = {"criterion_id": "play.space", "what": "Speelkamer openen", "owner": "COA", "due_on": "2026-02-15"}
    return [
        ("coordinator@a.test", "/locations/new", location_data),
        ("coordinator@a.test", f"/locations/{location}/edit", location_data),
        ("visitor@a.test", f"/locations/{location}/visits/new", visit_data),
        ("visitor@a.test", f"/visits/{draft}/details", visit_data),
        ("visitor@a.test", f"/visits/{draft}/children", {"age_band": "4-7", "domain_id": "", "text": "Het is hier saai"}),
        ("visitor@a.test", f"/visits/{draft}/domains/play", {"value_play__space": "partly", "note_play__space": "Klein"}),
        ("coordinator@a.test", f"/visits/{visit}/reopen", {"reason": "Datum klopt niet"}),
        ("coordinator@a.test", f"/visits/{visit}/actions", action),
        ("system@s.test", "/admin/organisations/", {"name": "Nieuwe organisatie"}),
        ("admin@a.test", "/admin/users/new", {"email": "nieuw@a.test", "display_name": "Nieuw", "organisation_id": "1", "role": "visitor", "password": "een lange zin als wachtwoord"}),
        (None, "/login", {"email": "visitor@a.test", "password": "lange zin als wachtwoord 42"}),
    ]  # fmt: skip


def test_a_file_posted_into_any_text_field_is_refused_with_a_message_on_that_field(app, world):
    wrong = []
    for email, url, data in text_forms(world):
        for name in data:
            client = login(app.test_client(), email) if email else app.test_client()
            client.set_cookie("lang", "en")
            posted = dict(data, **{name: (io.BytesIO(b"not text"), "notes.txt")})
            response = client.post(url, data=posted, content_type="multipart/form-data")
            shown = FILE_MESSAGE in response.get_data(as_text=True) or name == "criterion_id"  # a hidden field: 422 without its own message
            if response.status_code not in (400, 422) or not shown:
                wrong.append(f"{url} {name}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_the_forms_still_take_multipart_text(app, world):
    """What the checklist's offline queue sends (FormData): a multipart body without files."""
    client = login(app.test_client(), "visitor@a.test")
    url = f"/visits/{world['draft_id']}/domains/play"
    response = client.post(url, data={"value_play__space": "meets", "note_play__space": "Ruim"}, content_type="multipart/form-data")
    assert response.status_code == 303
    assert query(app, "select note from answers where visit_id = ? and criterion_id = 'play.space'", [world["draft_id"]])[0]["note"] == "Ruim"


# -- Unicode non-characters ----------------------------------------------------------------

NON_CHARACTERS = "\ufffe\uffff\ufdd0\ufdef\U0001fffe\U0010ffff"


def xlsx_texts(client, url) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    workbook = load_workbook(io.BytesIO(response.data), read_only=True)  # fails on U+FFFE in the XML
    return [str(cell) for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None]


def test_non_characters_typed_into_a_name_or_note_are_not_stored_and_the_xlsx_export_opens(app):
    visitor = login(app.test_client(), "visitor@a.test")
    location_id = create_location(visitor, name=f"Azc{NON_CHARACTERS} Noord\ufffe", operator="COA\uffff")
    visit_id = create_visit(visitor, location_id, visitors="A.\ufffeB.", impression="Rustig\uffff")
    note = {"value_play__space": "partly", "note_play__space": "Te \ufdd0klein\ufffe"}
    assert visitor.post(f"/visits/{visit_id}/domains/play", data=note).status_code == 303
    assert visitor.post(f"/visits/{visit_id}/children", data={"age_band": "4-7", "domain_id": "", "text": "Saai\uffff"}).status_code == 303
    assert visitor.post(f"/visits/{visit_id}/submit").status_code == 303

    (location,) = query(app, "select name, operator from locations where id = ?", [location_id])
    assert location == {"name": "Azc Noord", "operator": "COA"}
    (visit,) = query(app, "select visitors, impression from visits where id = ?", [visit_id])
    assert visit == {"visitors": "A.B.", "impression": "Rustig"}
    assert query(app, "select note from answers where criterion_id = 'play.space'")[0]["note"] == "Te klein"
    assert query(app, "select text from child_voices")[0]["text"] == "Saai"

    monitor = login(app.test_client(), "monitor@m.test")
    assert "Azc Noord" in xlsx_texts(monitor, "/exports/visits.xlsx")
    assert "Te klein" in xlsx_texts(monitor, "/exports/answers.xlsx")


def test_the_xlsx_export_opens_with_non_characters_stored_before(app, db):
    visitor = login(app.test_client(), "visitor@a.test")
    location_id = create_location(visitor)
    visit_id = create_visit(visitor, location_id)
    assert visitor.post(f"/visits/{visit_id}/domains/play", data={"value_play__space": "fails", "note_play__space": "Dicht"}).status_code == 303
    assert visitor.post(f"/visits/{visit_id}/submit").status_code == 303
    db.execute("update locations set name = ?", [f"Azc{NON_CHARACTERS} Oud"])
    db.execute("update answers set note = ?", ["Dicht\ufffe"])

    monitor = login(app.test_client(), "monitor@m.test")
    assert "Azc Oud" in xlsx_texts(monitor, "/exports/visits.xlsx")
    assert "Dicht" in xlsx_texts(monitor, "/exports/answers.xlsx")
    assert "Azc Oud" in monitor.get("/exports/visits.csv").get_data(as_text=True)


def test_a_filter_with_non_characters_gives_a_readable_xlsx(app, world):
    monitor = login(app.test_client(), "monitor@m.test")
    response = monitor.get("/exports/visits.xlsx", query_string={"operator": "COA\ufffe"})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data), read_only=True)
    about = {row[0]: row[1] for row in workbook["Toelichting"].iter_rows(values_only=True) if row and row[0]}
    assert about["Beheerder"] == "COA" and about["URL-parameters"] == "operator=COA"  # the filter, without the non-character
