"""KoboToolbox and ODK: the checklist as an XLSForm, and their exports imported as drafts.

The round trip: a coordinator downloads the form, a Kobo-style export of it (written from
the column layout Kobo documents, `tests/kobo_fixture.py`) is uploaded, the draft is
submitted, and its scores equal those of the same answers entered through the app's own
checklist pages.
"""

from __future__ import annotations

import io
import re
import shutil
import zipfile

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from checklist import create_app
from checklist.core.criteria import load_criteria
from checklist.core.xlsform import AGE_BANDS
from checklist.core.xlsform import SUFFIXES
from checklist.core.xlsform import UnnamedCriterion
from checklist.core.xlsform import build_form
from checklist.core.xlsform import criterion_name
from checklist.core.xlsform import criterion_of
from checklist.core.xlsform import field_of
from checklist.reports.xlsform import write_xlsform
from tests.conftest import ROOT
from tests.conftest import SMALL_CRITERIA
from tests.conftest import add_users
from tests.conftest import create_location
from tests.conftest import login
from tests.conftest import make_config
from tests.conftest import query
from tests.conftest import snapshot
from tests.kobo_fixture import central_zip
from tests.kobo_fixture import form_fields
from tests.kobo_fixture import kobo_xlsx

REAL_CRITERIA = ROOT / "criteria.yaml"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def pyxform_check(form: bytes, validate: bool = False) -> str:
    """The XForm pyxform makes of the file; fails on any warning (and, with `validate` and
    Java installed, on anything ODK Validate, which pyxform ships, finds)."""
    warnings: list[str] = []
    result = convert(io.BytesIO(form), warnings=warnings, file_type=".xlsx", validate=validate and shutil.which("java") is not None)
    assert warnings == []
    return result.xform


def upload(client, data: bytes, name: str, dry_run: bool = False):
    form = {"file": (io.BytesIO(data), name)}
    if dry_run:
        form["dry_run"] = "1"
    return client.post("/kobo/import", data=form, content_type="multipart/form-data")


def problems_on(page: str) -> list[str]:
    import html

    return [html.unescape(p) for p in re.findall(r'<li class="error">(.*?)</li>', page, re.S)]


# -- names ------------------------------------------------------------------------------------

PART = st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True)


@settings(max_examples=300, derandomize=True)
@given(PART, PART)
def test_every_criterion_id_has_a_name_that_reads_back_or_is_refused(domain, local):
    criterion_id = f"{domain}.{local}"
    if "__" in domain or domain.endswith("_"):
        with pytest.raises(UnnamedCriterion):
            criterion_name(criterion_id)
        return
    name = criterion_name(criterion_id)
    assert re.fullmatch(r"[a-z][a-z0-9_]*", name)
    assert criterion_of(name) == criterion_id
    for suffix in SUFFIXES:
        assert field_of(name + suffix) == (criterion_id, suffix)
    assert field_of(name) == (criterion_id, "")


def test_names_that_are_not_criteria():
    for name in ("visit_date", "location", "criteria_hash", "voice_text", "_uuid", "play___space", "__x"):
        assert field_of(name) is None, name


def test_age_bands_are_the_stores():
    from checklist import store

    assert AGE_BANDS == store.AGE_BANDS


# -- the form ---------------------------------------------------------------------------------


@pytest.mark.parametrize("location_type", [None, "azc", "noodopvang", "amv_kleinschalig"])
def test_small_form_passes_pyxform(location_type):
    criteria = load_criteria(SMALL_CRITERIA)
    xform = pyxform_check(write_xlsform(build_form(criteria, [{"id": 3, "name": "Azc Een", "type": "azc"}], location_type)))
    assert f'version="test.1-{criteria.hash[:12]}"' in xform
    assert ("amv__mentor" in xform) == (location_type in (None, "amv_kleinschalig"))


def test_the_real_checklist_passes_pyxform_and_odk_validate():
    criteria = load_criteria(REAL_CRITERIA)
    locations = [{"id": 1, "name": "Azc Testveld", "type": "azc"}, {"id": 2, "name": "Noodopvang Hal", "type": "noodopvang"}]
    xform = pyxform_check(write_xlsform(build_form(criteria, locations)), validate=True)
    for domain in criteria.domains:
        for criterion in domain.criteria:
            assert f"<{criterion_name(criterion.id)}/>" in xform
    for location_type in criteria.location_types:
        pyxform_check(write_xlsform(build_form(criteria, locations, location_type.id, "en")))


def test_the_form_carries_both_languages_bands_ranges_and_the_criteria_version(tmp_path):
    app = create_app(make_config(tmp_path))
    add_users(app)
    coordinator = login(app.test_client(), "coordinator@a.test")
    create_location(coordinator, name="=HYPERLINK(\"http://x\")", type="azc")
    response = coordinator.get("/kobo/form.xlsx?type=azc&lang=en")
    assert response.status_code == 200 and response.mimetype == XLSX
    criteria = app.extensions["criteria"]
    workbook = load_workbook(io.BytesIO(response.data))
    settings_rows = list(workbook["settings"].iter_rows(values_only=True))
    settings_ = dict(zip(settings_rows[0], settings_rows[1]))
    assert settings_["version"] == f"test.1-{criteria.hash[:12]}"
    assert criteria.hash[:12] in settings_["form_id"] and settings_["default_language"] == "English (en)"
    survey = list(workbook["survey"].iter_rows(values_only=True))
    header = survey[0]
    rows = {r[header.index("name")]: dict(zip(header, r)) for r in survey[1:]}
    moves = rows["safety__moves"]
    assert moves["type"] == "decimal" and moves["constraint"] == ". >= 0 and . <= 20"
    assert "under 2 = Meets; 2 or more, under 3 = Partly" in moves["hint::English (en)"] and "minder dan 2 = Voldoet; 2 of meer, minder dan 3 = Deels" in moves["hint::Nederlands (nl)"]
    assert rows["play__space"]["type"] == "select_one rating" and rows["play__space"]["label::Nederlands (nl)"] == "Er is een speelruimte binnen."
    assert rows["criteria_hash"]["calculation"] == f"'{criteria.hash}'"
    assert "amv__mentor" not in rows  # an azc form has no amv-only criteria
    # A typed location name stays text: a choice label, not a formula.
    choices = workbook["choices"]
    cells = [c for row in choices.iter_rows() for c in row if c.value and "HYPERLINK" in str(c.value)]
    assert cells and all(c.data_type == "s" for c in cells)
    pyxform_check(response.data)


def test_only_coordinators_get_the_form_and_the_import(app):
    for email in ("visitor@a.test", "monitor@m.test", "admin@a.test"):
        client = login(app.test_client(), email)
        assert client.get("/kobo/").status_code == 404
        assert client.get("/kobo/form.xlsx").status_code == 404
        assert upload(client, b"x", "x.csv").status_code == 404
    coordinator = login(app.test_client(), "coordinator@a.test", lang="en")
    page = coordinator.get("/kobo/").get_data(as_text=True)
    assert "KoboToolbox / ODK" in page and "Download XLSForm" in page
    assert coordinator.get("/kobo/form.xlsx?type=castle").status_code == 400
    assert coordinator.get("/kobo/form.xlsx?version=abc").status_code == 400


def test_xlsform_command(app, runner, tmp_path):
    out = tmp_path / "form.xlsx"
    result = runner.invoke(args=["xlsform", "--out", str(out), "--type", "amv_kleinschalig", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "form_id checklist_test_1_" in result.output
    xform = pyxform_check(out.read_bytes())
    assert "amv__mentor" in xform and "play__space" in xform
    result = runner.invoke(args=["xlsform", "--out", str(out), "--type", "castle"])
    assert result.exit_code != 0 and "unknown location type" in result.output
    # An archived version: stored when its form is made, so its submissions can come back.
    result = runner.invoke(args=["xlsform", "--out", str(out), "--version", "2026.1"])
    assert result.exit_code == 0, result.output
    assert query(app, "select count(*) as n from criteria_versions where version = '2026.1'")[0]["n"] == 1


# -- the round trip ---------------------------------------------------------------------------


def answer_plan(criteria, location_type: str) -> dict:
    """Answers for every applicable criterion of a version, each kind and evidence varied:
    criterion id -> (value, number, evidence, children_n, parents_n, note); some left out."""
    plan = {}
    i = 0
    kinds: dict[str, int] = {}
    for domain in criteria.domains:
        for c in domain.criteria_for(location_type):
            i += 1
            if i % 9 == 8:
                continue  # unanswered
            value = number = None
            k = kinds[c.kind] = kinds.get(c.kind, -1) + 1  # the how-manieth of its kind
            if c.kind == "rating":
                value = ("meets", "partly", "fails", "meets", "na", "unknown", "partly")[k % 7]
            elif c.kind == "yesno":
                value = ("yes", "no", "na", "no", "unknown")[k % 5]
            elif k % 5 == 4:
                value = "unknown"
            else:
                bands = c.bands
                band = bands[k % len(bands)]
                number = band.from_ + (0.5 if band.to is None or band.to - band.from_ > 0.5 else 0)
            evidence, children_n, parents_n = {0: ("seen", None, None), 1: ("children staff", 4, None), 2: ("document parents", None, 3)}.get(i % 4, (None, None, None))
            note = f"Opmerking {i}: ‘tafel’ & <stoel> – مرحبا" if i % 3 == 0 else None
            plan[c.id] = (value, number, evidence, children_n, parents_n, note)
    return plan


def kobo_fields(plan: dict, location_id: int, criteria) -> dict:
    from checklist.core.xlsform import criterion_name as name

    fields = {
        "criteria_version": criteria.version,
        "criteria_hash": criteria.hash,
        "location_type": "azc",
        "location": f"loc_{location_id}",
        "visit_date": "2026-01-10",
        "visitors": "A.B., C.D.",
        "announced": "0",
        "children_present": 14,
        "amv_present": 2,
        "amv_resident": 3,
        "impression": "Rustig; veel kinderen buiten.",
    }
    for cid, (value, number, evidence, children_n, parents_n, note) in plan.items():
        key = name(cid)
        kind = criteria.criterion(cid).kind
        if kind == "count":
            if number is not None:
                fields[key] = number
            else:
                fields[key + "_LEFT_OUT"] = value
        else:
            fields[key] = value
        fields[key + "_EVIDENCE"] = evidence
        fields[key + "_CHILDREN"] = children_n
        fields[key + "_PARENTS"] = parents_n
        fields[key + "_NOTE"] = note
    return fields


def enter_through_the_app(client, visit_id: int, plan: dict, criteria) -> None:
    from checklist.views.forms import field_key

    by_domain: dict[str, dict] = {}
    for cid, (value, number, evidence, children_n, parents_n, note) in plan.items():
        key = field_key(cid)
        data = by_domain.setdefault(cid.split(".")[0], {})
        data[f"value_{key}"] = value or ""
        if criteria.criterion(cid).kind == "count":
            data[f"number_{key}"] = "" if number is None else f"{number:g}"
        data[f"evidence_{key}"] = ",".join((evidence or "").split())
        data[f"children_n_{key}"] = "" if children_n is None else str(children_n)
        data[f"parents_n_{key}"] = "" if parents_n is None else str(parents_n)
        data[f"note_{key}"] = note or ""
    for domain_id, data in by_domain.items():
        response = client.post(f"/visits/{visit_id}/domains/{domain_id}", data=data)
        assert response.status_code == 303, (domain_id, problems_on(response.get_data(as_text=True)))


def scores_of(app, visit_id: int):
    overall = query(app, "select score, status, scored, assessable, red_flags, unassessed_flags from visit_scores where visit_id = ?", [visit_id])
    domains = query(app, "select domain_id, score, status, scored, assessable, red_flags from visit_domain_scores where visit_id = ? order by domain_id", [visit_id])
    answers = query(app, "select criterion_id, value, number, note, evidence, children_n, parents_n from answers where visit_id = ? order by criterion_id", [visit_id])
    return overall, domains, answers


@pytest.fixture
def real(tmp_path):
    app = create_app(make_config(tmp_path, CRITERIA_PATH=str(REAL_CRITERIA)))
    add_users(app)
    return app


def test_round_trip_kobo_export_scores_like_the_apps_own_checklist(real):
    app = real
    criteria = app.extensions["criteria"]
    coordinator = login(app.test_client(), "coordinator@a.test", lang="en")
    location = create_location(coordinator, name="Azc Rondje", type="azc")
    form = coordinator.get("/kobo/form.xlsx?type=azc").data
    pyxform_check(form)
    plan = answer_plan(criteria, "azc")
    assert {"meets", "partly", "fails", "yes", "no", "na", "unknown"} <= {p[0] for p in plan.values()}
    assert any(p[1] is not None for p in plan.values())
    voices = [{"voice_age_band": "band_8_12", "voice_domain": "play", "voice_text": "We mogen niet naar buiten."}, {"voice_age_band": "band_13_17", "voice_domain": None, "voice_text": "Het is hier rustig."}]
    export = kobo_xlsx(form, [{"uuid": "7d1c0d3e-0000-4000-8000-000000000001", "fields": kobo_fields(plan, location, criteria), "voices": voices}])

    response = upload(coordinator, export, "kobo-export.xlsx")
    page = response.get_data(as_text=True)
    assert response.status_code == 200, problems_on(page)
    imported = query(app, "select visit_id from imported_submissions where instance_id = ?", ["7d1c0d3e-0000-4000-8000-000000000001"])[0]["visit_id"]
    visit = query(app, "select * from visits where id = ?", [imported])[0]
    assert (visit["status"], visit["organisation_id"], visit["criteria_hash"], visit["location_id"]) == ("draft", 1, criteria.hash, location)
    assert (visit["visit_date"], visit["announced"], visit["children_present"], visit["amv_resident"]) == ("2026-01-10", 0, 14, 3)
    assert [(v["age_band"], v["domain_id"], v["text"]) for v in query(app, "select * from child_voices where visit_id = ? order by id", [imported])] == [
        ("8-12", "play", "We mogen niet naar buiten."),
        ("13-17", None, "Het is hier rustig."),
    ]
    detail = coordinator.get(f"/visits/{imported}").get_data(as_text=True)
    assert "imported from KoboToolbox or ODK" in detail and "kobo-export.xlsx" in detail
    assert coordinator.post(f"/visits/{imported}/submit").status_code == 303

    visitor = login(app.test_client(), "visitor@a.test")
    own = visitor.post(
        f"/locations/{location}/visits/new",
        data={"visit_date": "2026-01-10", "visitors": "A.B., C.D.", "announced": "0", "children_present": "14", "amv_present": "2", "amv_resident": "3"},
    )
    own_id = int(own.location.rsplit("/", 1)[-1])
    enter_through_the_app(visitor, own_id, plan, criteria)
    assert visitor.post(f"/visits/{own_id}/submit").status_code == 303

    imported_scores, own_scores = scores_of(app, imported), scores_of(app, own_id)
    assert imported_scores[0] and imported_scores[0][0]["score"] is not None
    assert len(imported_scores[2]) == len(plan)
    assert imported_scores == own_scores


def test_importing_the_same_file_twice_adds_nothing(real):
    app = real
    criteria = app.extensions["criteria"]
    coordinator = login(app.test_client(), "coordinator@a.test", lang="en")
    location = create_location(coordinator, name="Azc Twee Keer", type="azc")
    form = coordinator.get("/kobo/form.xlsx").data
    plan = dict(list(answer_plan(criteria, "azc").items())[:10])
    subs = [{"uuid": f"uuid-{n}", "fields": dict(kobo_fields(plan, location, criteria), visit_date=f"2026-01-0{n}")} for n in (1, 2)]
    export = kobo_xlsx(form, subs)
    dry = upload(coordinator, export, "export.xlsx", dry_run=True)
    assert dry.status_code == 200 and "2 submissions would become draft visits" in dry.get_data(as_text=True)
    assert query(app, "select count(*) as n from visits")[0]["n"] == 0
    assert upload(coordinator, export, "export.xlsx").status_code == 200
    before = snapshot(app)
    again = upload(coordinator, export, "export.xlsx")
    assert again.status_code == 200 and "0 new draft visits, 2 submissions were imported before" in again.get_data(as_text=True)
    assert snapshot(app) == before
    assert query(app, "select count(*) as n from visits")[0]["n"] == 2


def test_odk_central_zip_with_its_repeat(app):
    criteria = app.extensions["criteria"]
    coordinator = login(app.test_client(), "coordinator@a.test", lang="en")
    location = create_location(coordinator, name="Kleinschalig Een", type="amv_kleinschalig")
    form = coordinator.get("/kobo/form.xlsx").data
    fields = {
        "criteria_version": criteria.version,
        "criteria_hash": criteria.hash,
        "location_type": "amv_kleinschalig",
        "location": f"loc_{location}",
        "visit_date": "2026-01-12",
        "visitors": "E.F.",
        "announced": "1",
        "amv__mentor": "partly",
        "amv__mentor_EVIDENCE": "staff",
        "safety__moves": 2,
        "safety__fire": "no",
    }
    export = central_zip(form, [{"uuid": "c-1", "fields": fields, "voices": [{"voice_age_band": "band_4_7", "voice_domain": "amv", "voice_text": "Mijn mentor is aardig."}]}])
    response = upload(coordinator, export, "central.zip")
    assert response.status_code == 200, problems_on(response.get_data(as_text=True))
    visit_id = query(app, "select visit_id from imported_submissions where instance_id = 'c-1'")[0]["visit_id"]
    answers = {r["criterion_id"]: r for r in query(app, "select * from answers where visit_id = ?", [visit_id])}
    assert (answers["amv.mentor"]["value"], answers["amv.mentor"]["evidence"]) == ("partly", "staff")
    assert answers["safety.moves"]["number"] == 2 and answers["safety.fire"]["value"] == "no"
    assert [v["text"] for v in query(app, "select text from child_voices where visit_id = ?", [visit_id])] == ["Mijn mentor is aardig."]


# -- problems: every one listed with row and column, nothing written ---------------------------


def small_submission(criteria, location, **changes) -> dict:
    fields = {
        "criteria_version": criteria.version,
        "criteria_hash": criteria.hash,
        "location_type": "azc",
        "location": f"loc_{location}",
        "visit_date": "2026-01-10",
        "visitors": "A.B.",
        "announced": "1",
        "play__space": "meets",
        "safety__moves": 1,
    }
    fields.update(changes)
    return fields


def column_of(form: bytes, name: str) -> str:
    """The letter of a field's column in `kobo_xlsx`'s main sheet."""
    from openpyxl.utils import get_column_letter

    workbook = load_workbook(io.BytesIO(form))
    header = [c.value for c in next(workbook.worksheets[0].iter_rows(max_row=1))]
    return get_column_letter(next(i for i, h in enumerate(header, start=1) if h == name or h.endswith("/" + name)))


def test_every_problem_is_listed_with_row_and_column_and_nothing_is_written(app):
    criteria = app.extensions["criteria"]
    coordinator = login(app.test_client(), "coordinator@a.test", lang="en")
    location = create_location(coordinator, name="Azc Probleem", type="azc")
    form = coordinator.get("/kobo/form.xlsx").data
    good = small_submission(criteria, location)
    subs = [
        {"uuid": "ok-1", "fields": good},
        {"uuid": "bad-location", "fields": dict(good, location="other", location_other="Azc Nergens")},
        {"uuid": "bad-version", "fields": dict(good, criteria_hash="ab" * 32, criteria_version="1999.1")},
        {"uuid": "bad-choice", "fields": dict(good, play__space="excellent")},
        {"uuid": "bad-count", "fields": dict(good, safety__moves=21)},
        {"uuid": "bad-evidence", "fields": dict(good, play__space_EVIDENCE="children")},
    ]
    export = kobo_xlsx(form, subs)
    # A criterion this version does not have, in a column of its own.
    workbook = load_workbook(io.BytesIO(export))
    sheet = workbook.worksheets[0]
    column = sheet.max_column + 1
    sheet.cell(row=1, column=column, value="domain_play/play__swings")
    sheet.cell(row=2, column=column, value="meets")
    out = io.BytesIO()
    workbook.save(out)
    before = snapshot(app)
    response = upload(coordinator, out.getvalue(), "export.xlsx")
    assert response.status_code == 422
    found = problems_on(response.get_data(as_text=True))
    from openpyxl.utils import get_column_letter

    swings = get_column_letter(column)
    expected = [
        (f"row 2, column {swings} (domain_play/play__swings)", "Criterion play.swings is not in criteria version test.1"),
        (f"row 3, column {column_of(export, 'location_other')} (visit/location_other)", "Azc Nergens matches no location"),
        (f"row 4, column {column_of(export, 'criteria_hash')} (criteria_hash)", "criteria version 1999.1"),
        (f"row 5, column {column_of(export, 'play__space')} (domain_play/play__space)", "Not one of the choices (meets, partly, fails, na, unknown): excellent"),
        (f"row 6, column {column_of(export, 'safety__moves')} (domain_safety/safety__moves)", "Enter a number from 0 to 20. (21)"),
        (f"row 7, column {column_of(export, 'play__space_CHILDREN')} (domain_play/play__space_CHILDREN)", "give how many"),
    ]
    main = "sheet Checklist kindvriendelijke opva, "  # the first sheet, named after the form (31 characters)
    for where, what in expected:
        assert any(p.startswith(main + where) and what in p for p in found), (where, what, found)
    assert len(found) == len(expected), found
    assert "Azc Nergens" in response.get_data(as_text=True).split("add them or correct the names")[1]
    assert snapshot(app) == before


@pytest.mark.parametrize(
    "data, name, message",
    [
        (b"\x00\x01not a spreadsheet", "export.xlsx", "cannot be read as XLSX"),
        (b"PK\x03\x04broken", "export.zip", "zip"),
        ("naam;datum\né;twee\n".encode("latin-1"), "export.csv", "not UTF-8"),
        (b"name,date\nA,2026-01-01\n", "export.csv", "No column for the field location"),
        (None, "bomb.zip", "unpacks to more than 64 MB"),
    ],
)
def test_a_malformed_file_is_refused_with_why(app, data, name, message):
    coordinator = login(app.test_client(), "coordinator@a.test", lang="en")
    if data is None:  # 80 MB of zeros, a few dozen kilobytes zipped
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("export.csv", b"0" * (80 * 1024 * 1024))
        data = out.getvalue()
        assert len(data) < 1024 * 1024
    before = snapshot(app)
    response = upload(coordinator, data, name)
    assert response.status_code == 422
    assert any(message in p for p in problems_on(response.get_data(as_text=True))), problems_on(response.get_data(as_text=True))
    assert snapshot(app) == before


# -- the command line ---------------------------------------------------------------------------


def test_import_command_dry_run_problems_and_idempotence(app, runner, tmp_path):
    criteria = app.extensions["criteria"]
    coordinator = login(app.test_client(), "coordinator@a.test")
    location = create_location(coordinator, name="Azc Regel", type="azc")
    form = tmp_path / "form.xlsx"
    assert runner.invoke(args=["xlsform", "--out", str(form)]).exit_code == 0
    good = kobo_xlsx(form.read_bytes(), [{"uuid": "cli-1", "fields": small_submission(criteria, location)}])
    bad = kobo_xlsx(form.read_bytes(), [{"uuid": "cli-2", "fields": small_submission(criteria, location, safety__moves="veel")}])
    (tmp_path / "good.xlsx").write_bytes(good)
    (tmp_path / "bad.xlsx").write_bytes(bad)
    before = snapshot(app)
    result = runner.invoke(args=["import-submissions", str(tmp_path / "bad.xlsx"), "--org", "De Vrolijkheid"])
    assert result.exit_code == 1
    assert re.search(r"bad\.xlsx: sheet [^,]+, row 2, column [A-Z]+ \(domain_safety/safety__moves\): Not a number: veel", result.output), result.output
    assert "nothing was imported" in result.output
    result = runner.invoke(args=["import-submissions", str(tmp_path / "good.xlsx")])
    assert result.exit_code != 0 and "give --org" in result.output
    result = runner.invoke(args=["import-submissions", str(tmp_path / "good.xlsx"), "--org", "War Child", "--dry-run"])
    assert result.exit_code == 0 and "1 submissions would become draft visits of War Child" in result.output
    assert snapshot(app) == before
    result = runner.invoke(args=["import-submissions", str(tmp_path / "good.xlsx"), "--org", "War Child"])
    assert result.exit_code == 0 and "Imported 1 submissions" in result.output, result.output
    visit = query(app, "select v.* from visits v join imported_submissions i on i.visit_id = v.id where i.instance_id = 'cli-1'")[0]
    assert (visit["organisation_id"], visit["status"]) == (2, "draft")
    assert [h["event"] for h in query(app, "select event from visit_revisions where visit_id = ?", [visit["id"]])] == ["imported"]
    result = runner.invoke(args=["import-submissions", str(tmp_path / "good.xlsx"), "--org", "War Child"])
    assert result.exit_code == 0 and "Imported 0 submissions" in result.output and "1 were imported before" in result.output


# -- any value in any cell: imported, or refused with its row and column ----------------------

HEADER = ["_uuid", "criteria_hash", "visit/location", "visit/visit_date", "visit/visitors", "visit/announced", "visit/children_present", "visit/amv_present",
          "domain_play/play__space", "domain_play/play__space_EVIDENCE", "domain_play/play__space_CHILDREN", "domain_play/play__space_NOTE",
          "domain_safety/safety__moves", "domain_safety/safety__moves_LEFT_OUT"]
WORDS = st.sampled_from(
    ["meets", "Voldoet", "Could not assess", "seen children", "children", "parents", "staff", "1", "0", "2026-01-10", "2999-01-01", "1999-12-31", "loc_1", "loc_9", "other", "Azc Een", "na", "2,5", "21", " "]
)
# Words a cell of this form may hold come up three times as often as arbitrary values.
CELL = st.one_of(WORDS, WORDS, WORDS, st.none(), st.text(max_size=20), st.integers(-3, 30), st.floats(allow_nan=True, allow_infinity=True))


@settings(max_examples=400, derandomize=True, deadline=None)
@given(st.dictionaries(st.sampled_from(HEADER[1:]), CELL, max_size=3))
def test_any_cell_is_read_or_refused_with_its_row_and_column(changes):
    from datetime import date

    from checklist.core.i18n import translations_for
    from checklist.core.submissions import Sheet
    from checklist.core.submissions import read_submissions

    criteria = load_criteria(SMALL_CRITERIA)
    good = {"_uuid": "u-1", "criteria_hash": criteria.hash, "visit/location": "loc_1", "visit/visit_date": "2026-01-10", "visit/visitors": "A.B.", "visit/announced": "1",
            "domain_play/play__space": "partly", "domain_play/play__space_EVIDENCE": "seen children", "domain_play/play__space_CHILDREN": 3, "domain_safety/safety__moves": 2}
    row = {**good, **changes}
    sheet = Sheet("export", HEADER, [[row.get(h) for h in HEADER]])
    reading = read_submissions([sheet], {criteria.hash: criteria}, [{"id": 1, "name": "Azc Een", "type": "azc", "closed_on": None}], 2000, translations_for("en").gettext, today=date(2026, 6, 1))
    if reading.problems:
        assert reading.submissions == []
        for problem in reading.problems:
            assert problem.row == 2 and problem.column, problem
            assert problem.column.split(" (", 1)[1].rstrip(")") in HEADER
    else:
        [submission] = reading.submissions
        answer = submission.answers.get("play.space")
        assert answer is None or answer["value"] in (None, "meets", "partly", "fails", "na", "unknown")
        moves = submission.answers.get("safety.moves")
        assert moves is None or (moves["number"] is None) != (moves["value"] is None) or moves["note"] or moves["evidence"]
        if moves and moves["number"] is not None:
            assert 0 <= moves["number"] <= 20


def test_the_import_page_speaks_dutch(app):
    coordinator = login(app.test_client(), "coordinator@a.test", lang="nl")
    page = coordinator.get("/kobo/").get_data(as_text=True)
    assert "XLSForm downloaden" in page and "Alleen het bestand controleren" in page
    response = upload(coordinator, b"naam,datum\nA,2026-01-01\n", "export.csv")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Er is niets geïmporteerd uit export.csv" in page
    assert problems_on(page)[0].startswith("rij 1: Geen kolom voor het veld location")


def test_a_submission_twice_in_one_file_is_a_problem(app):
    criteria = app.extensions["criteria"]
    coordinator = login(app.test_client(), "coordinator@a.test", lang="en")
    location = create_location(coordinator, name="Azc Dubbel", type="azc")
    form = coordinator.get("/kobo/form.xlsx").data
    fields = small_submission(criteria, location)
    export = kobo_xlsx(form, [{"uuid": "same", "fields": fields}, {"uuid": "same", "fields": fields}])
    response = upload(coordinator, export, "export.xlsx")
    found = problems_on(response.get_data(as_text=True))
    assert response.status_code == 422 and len(found) == 1
    assert re.search(r"row 3, column [A-Z]+ \(meta/instanceID\): This submission is also in row 2\.", found[0]), found
