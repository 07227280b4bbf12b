"""CSV and XLSX exports: scope, filters, scores, languages, formula injection, same rows in both."""

from __future__ import annotations

import csv
import io
import re
import subprocess
from datetime import datetime

import pytest
from openpyxl import load_workbook

from checklist import store
from checklist.core.access import Scope
from checklist.store.connection import connect
from checklist.core.filters import Filters
from checklist.core.scoring import score_visit
from tests.conftest import answer
from tests.conftest import create_location
from tests.conftest import create_visit
from tests.conftest import login
from tests.conftest import submit

ROUTES = ("/exports/visits.csv", "/exports/visits.xlsx", "/exports/answers.csv", "/exports/answers.xlsx")
INJECTION = '=HYPERLINK("http://x")'


@pytest.fixture
def world(app):
    """Organisation A (1) and B (2) with submitted visits at three locations, and drafts."""
    a = login(app.test_client(), "visitor@a.test")
    b = login(app.test_client(), "visitor@b.test")
    alfa = create_location(a, name="Azc Alfa", type="azc", province="Utrecht")
    beta = create_location(a, name="Noodopvang Beta", type="noodopvang", province="Groningen", operator="Gemeente")
    gamma = create_location(a, name="-Amv Gamma", type="amv_kleinschalig", province="Utrecht")
    ids = {"alfa": alfa, "beta": beta, "gamma": gamma}

    ids["a1"] = create_visit(a, alfa, visit_date="2025-03-01")
    answer(a, ids["a1"], "play", value_play__space="meets", value_play__outdoor="no", note_play__space=INJECTION)
    answer(a, ids["a1"], "safety", value_safety__fire="yes", number_safety__moves="2", note_safety__fire="+31 20 123 4567")
    submit(a, ids["a1"])

    ids["a2"] = create_visit(a, alfa, visit_date="2025-09-01")
    answer(a, ids["a2"], "play", value_play__space="partly", value_play__outdoor="yes")
    submit(a, ids["a2"])

    ids["b1"] = create_visit(b, beta, visit_date="2025-06-01")
    answer(b, ids["b1"], "play", value_play__space="fails")
    answer(b, ids["b1"], "safety", value_safety__fire="no", number_safety__moves="5")
    submit(b, ids["b1"])

    ids["b2"] = create_visit(b, gamma, visit_date="2026-01-10")
    answer(b, ids["b2"], "play", value_play__space="meets", value_play__outdoor="na")
    answer(b, ids["b2"], "amv", value_amv__mentor="partly")
    submit(b, ids["b2"])

    ids["draft_a"] = create_visit(a, alfa, visit_date="2025-10-01")
    answer(a, ids["draft_a"], "play", value_play__space="fails", note_play__space="concept A")
    ids["draft_b"] = create_visit(b, beta, visit_date="2025-10-02")
    answer(b, ids["draft_b"], "play", value_play__space="fails", note_play__space="concept B")
    return ids


@pytest.fixture
def monitor(app):
    return login(app.test_client(), "monitor@m.test")


def read_csv(response) -> list[dict]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/csv"
    body = response.data
    assert body.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM, for Excel"
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def read_xlsx(response):
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(io.BytesIO(response.data))


def sheet_rows(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def as_csv_text(value) -> str:
    """A value read from the XLSX, written the way the CSV writes it."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def pdf_layout(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


def ids(rows) -> set[int]:
    return {int(r["visit_id"]) for r in rows}


def test_monitor_exports_submitted_visits_of_all_organisations_and_no_drafts(monitor, world):
    response = monitor.get("/exports/visits.csv")
    assert response.is_streamed
    assert response.headers["Content-Disposition"].startswith('attachment; filename="checklist-visits-')
    assert response.headers["Cache-Control"] == "no-store"
    rows = read_csv(response)
    assert ids(rows) == {world["a1"], world["a2"], world["b1"], world["b2"]}
    assert {r["organisation"] for r in rows} == {"De Vrolijkheid", "War Child"}
    answers = read_csv(monitor.get("/exports/answers.csv"))
    assert ids(answers) == {world["a1"], world["a2"], world["b1"], world["b2"]}
    assert not any(r["note"].startswith("concept") for r in answers)


def test_coordinator_exports_only_their_organisation(app, world):
    for email, expected in (("coordinator@a.test", {world["a1"], world["a2"]}), ("coordinator@b.test", {world["b1"], world["b2"]})):
        coordinator = login(app.test_client(), email)
        assert ids(read_csv(coordinator.get("/exports/visits.csv"))) == expected, email
        assert ids(read_csv(coordinator.get("/exports/answers.csv"))) == expected, email
        workbook = read_xlsx(coordinator.get("/exports/visits.xlsx"))
        assert {row[0] for row in sheet_rows(workbook["visits"])[1:]} == expected, email
        # asking for the other organisation gives nothing, not their visits
        other = 2 if email.endswith("a.test") else 1
        assert read_csv(coordinator.get(f"/exports/visits.csv?organisation={other}")) == []


@pytest.mark.parametrize("email", ["visitor@a.test", "admin@a.test"])
def test_visitor_and_admin_get_404(app, world, email):
    user = login(app.test_client(), email)
    for url in ROUTES:
        assert user.get(url).status_code == 404, url


def test_filters_change_the_rows(monitor, world):
    get = lambda query: read_csv(monitor.get(f"/exports/visits.csv?{query}"))  # noqa: E731
    assert ids(get("type=noodopvang")) == {world["b1"]}
    assert ids(get("type=azc&type=noodopvang")) == {world["a1"], world["a2"], world["b1"]}
    assert ids(get("from=2025-05-01&to=2025-12-31")) == {world["a2"], world["b1"]}
    assert ids(get("province=Utrecht")) == {world["a1"], world["a2"], world["b2"]}
    assert ids(get("organisation=2")) == {world["b2"], world["b1"]}
    assert ids(read_csv(monitor.get("/exports/answers.csv?type=noodopvang"))) == {world["b1"]}
    # every visit in the period, with the one the overview uses marked
    latest = {int(r["visit_id"]): r["latest_in_period"] for r in get("")}
    assert latest[world["a1"]] == "0" and latest[world["a2"]] == "1" and latest[world["b1"]] == "1"
    assert {int(r["visit_id"]): r["latest_in_period"] for r in get("to=2025-06-30")}[world["a1"]] == "1"
    # closed locations only when asked for, as in the overview
    coordinator = login(monitor.application.test_client(), "coordinator@a.test")
    assert coordinator.post(f"/locations/{world['beta']}/close", data={}).status_code in (302, 303)
    assert world["b1"] not in ids(get(""))
    assert ids(get("closed=closed")) == {world["b1"]}
    # a filter that cannot be applied is refused instead of silently exporting more
    for url in ROUTES:
        assert monitor.get(f"{url}?type=kasteel").status_code == 400, url
        assert monitor.get(f"{url}?from=gisteren").status_code == 400, url
        assert monitor.get(f"{url}?sort=overall").status_code == 200, url


def test_scores_equal_the_visits_own_scores(app, monitor, world):
    rows = {int(r["visit_id"]): r for r in read_csv(monitor.get("/exports/visits.csv"))}
    db = connect(app.config["DATABASE"])
    try:
        for visit_id, row in rows.items():
            visit = db["visits"].get(visit_id)
            location = db["locations"].get(visit["location_id"])
            criteria = store.criteria_for_hash(db, visit["criteria_hash"])
            score = score_visit(criteria, location["type"], store.answer_values(store.visit_answers(db, visit_id)))
            assert row["criteria_version"] == "test.1" and row["criteria_hash"] == visit["criteria_hash"][:12]
            if score.score is None:
                assert row["score"] == ""
            else:
                assert float(row["score"]) == pytest.approx(score.score)
            assert (row["status"], int(row["scored"]), int(row["assessable"]), int(row["red_flags"])) == (
                score.status,
                score.scored,
                score.assessable,
                len(score.red_flags),
            )
            for domain in criteria.domains:
                expected = score.domain(domain.id)
                if expected is None or expected.score is None:
                    assert row[f"score_{domain.id}"] == "", (visit_id, domain.id)
                else:
                    assert float(row[f"score_{domain.id}"]) == pytest.approx(expected.score), (visit_id, domain.id)
                assert row[f"status_{domain.id}"] == (expected.status if expected else ""), (visit_id, domain.id)
    finally:
        db.conn.close()
    # spot checks against hand-computed numbers: play = (2x1 + 1x0) / 3; safety = (1 + 0.5) / 2
    a1 = rows[world["a1"]]
    assert float(a1["score_play"]) == pytest.approx(200 / 3) and float(a1["score_safety"]) == pytest.approx(75.0)
    assert rows[world["b1"]]["status_safety"] == "red" and rows[world["b1"]]["red_flags"] == "1"
    assert a1["score_amv"] == "" and float(rows[world["b2"]]["score_amv"]) == pytest.approx(50.0)


def test_aggregate_numbers_can_be_reproduced_from_the_export(app, monitor, world):
    """Mean scores per location type over the latest visits, as the aggregate report computes them."""
    rows = [r for r in read_csv(monitor.get("/exports/visits.csv")) if r["latest_in_period"] == "1"]
    db = connect(app.config["DATABASE"])
    try:
        averages = store.type_averages(db, Scope(submitted_only=True), Filters())
        heatmap = store.heatmap(db, Scope(submitted_only=True), Filters())
    finally:
        db.conn.close()
    assert ids(rows) == {r["visit_id"] for r in heatmap}
    for average in averages:
        mine = [r for r in rows if r["location_type"] == average["type"]]
        assert len(mine) == average["locations"]
        scores = [float(r["score"]) for r in mine if r["score"]]
        assert sum(scores) / len(scores) == pytest.approx(average["score"])
        assert sum(int(r["red_flags"]) for r in mine) == average["red_flags"]
        for domain_id, domain in average.get("domains", {}).items():
            values = [float(r[f"score_{domain_id}"]) for r in mine if r[f"score_{domain_id}"]]
            assert len(values) == domain["scored_locations"]
            if values:
                assert sum(values) / len(values) == pytest.approx(domain["score"])


def test_monitor_report_numbers_can_be_reproduced_from_the_exports(app, monitor, world, tmp_path):
    """The aggregate (monitor) report's summary, means over all visits, most failed criteria
    (in the store's rows and in the PDF) and red flags at the latest visits, recomputed from
    the two CSV files; an answer the visit's score leaves out is counted nowhere."""
    # An answer to a domain that no longer applies: the location's type changed before submitting.
    a = login(app.test_client(), "visitor@a.test")
    delta = create_location(a, name="Delta", type="amv_kleinschalig", province="Utrecht")
    world["delta"] = create_visit(a, delta, visit_date="2025-07-01")
    answer(a, world["delta"], "amv", value_amv__mentor="fails")
    answer(a, world["delta"], "play", value_play__space="fails")
    edit = {"name": "Delta", "type": "azc", "municipality": "Testdorp", "province": "Utrecht", "operator": "COA", "capacity": "30", "children": "5"}
    assert login(app.test_client(), "coordinator@a.test").post(f"/locations/{delta}/edit", data=edit).status_code == 302
    submit(a, world["delta"])
    assert 'id="domain-amv"' not in a.get(f"/visits/{world['delta']}").get_data(as_text=True)  # the page scores no amv domain

    visits = read_csv(monitor.get("/exports/visits.csv?closed=all"))
    answers = read_csv(monitor.get("/exports/answers.csv?closed=all"))
    scope, filters = Scope(submitted_only=True), Filters(closed="all")
    db = connect(app.config["DATABASE"])
    try:
        summary = store.period_summary(db, scope, filters)
        means = store.type_domain_means(db, scope, filters)
        failed = store.most_failed_criteria(db, scope, filters)
        flags = store.red_flags_by_location(db, scope, filters)
    finally:
        db.conn.close()
    assert summary["visits"] == len(visits)
    assert summary["locations"] == len({r["location_id"] for r in visits})
    assert summary["organisations"] == len({r["organisation_id"] for r in visits})
    assert (summary["first_date"], summary["last_date"]) == (min(r["visit_date"] for r in visits), max(r["visit_date"] for r in visits))
    for mean in means:
        mine = [r for r in visits if r["location_type"] == mean["type"]]
        assert (mean["visits"], mean["locations"]) == (len(mine), len({r["location_id"] for r in mine}))
        scores = [float(r["score"]) for r in mine if r["score"]]
        assert mean["scored_visits"] == len(scores) and mean["score"] == pytest.approx(sum(scores) / len(scores))
        for domain_id, domain in mean["domains"].items():
            values = [float(r[f"score_{domain_id}"]) for r in mine if r[f"score_{domain_id}"]]
            assert domain["scored_visits"] == len(values)
            if values:
                assert domain["score"] == pytest.approx(sum(values) / len(values))
    mentor = [r for r in answers if r["visit_id"] == str(world["delta"]) and r["criterion_id"] == "amv.mentor"]
    assert [(r["value"], r["result"], r["points"]) for r in mentor] == [("fails", "", "")]  # exported, not scored
    assessed = [r for r in answers if r["result"] in ("meets", "partly", "fails")]
    expected = {}
    for r in assessed:
        entry = expected.setdefault(r["criterion_id"], {"failed": 0, "assessed": 0, "failed_locations": set(), "assessed_locations": set()})
        entry["assessed"] += 1
        entry["failed"] += r["result"] == "fails"
        entry["assessed_locations"].add(r["location_id"])
        if r["result"] == "fails":
            entry["failed_locations"].add(r["location_id"])
    expected = {
        cid: {"failed": e["failed"], "assessed": e["assessed"], "failed_locations": len(e["failed_locations"]), "assessed_locations": len(e["assessed_locations"])}
        for cid, e in expected.items()
        if e["failed"]
    }
    assert {f["criterion_id"]: {k: f[k] for k in ("failed", "assessed", "failed_locations", "assessed_locations")} for f in failed} == expected
    assert "amv.mentor" not in expected and expected["play.space"]["failed"] == 2
    # The PDF's table "Criteria most often not met" prints the same counts.
    monitor.set_cookie("lang", "en")
    layout = pdf_layout(monitor.get("/reports/monitor.pdf?closed=all").data, tmp_path)
    criteria = app.extensions["criteria"]
    printed = {}
    for cid in {r["criterion_id"] for r in answers}:
        text = criteria.criterion(cid).text.get("en")
        row = re.search(rf"^\s*{re.escape(text)}\s.*?(\d+)\s+(\d+)\s+\d+%\s+(\d+) of (\d+)\s*$", layout, re.M)
        if row:
            printed[cid] = dict(zip(("failed", "assessed", "failed_locations", "assessed_locations"), map(int, row.groups())))
    assert printed == expected
    mine = {(int(r["location_id"]), r["criterion_id"]) for r in answers if r["latest_in_period"] == "1" and r["critical"] == "1" and r["result"] == "fails"}
    assert mine == {(f["location_id"], f["criterion_id"]) for f in flags} and mine


def test_answers_have_stable_ids_text_in_the_chosen_language_and_the_version(app, monitor, world):
    dutch = read_csv(monitor.get("/exports/answers.csv"))
    monitor.set_cookie("lang", "en")
    english = read_csv(monitor.get("/exports/answers.csv"))
    assert list(dutch[0]) == list(english[0])  # the same machine column names in every language
    assert [r["criterion_id"] for r in dutch] == [r["criterion_id"] for r in english]
    by_id = lambda rows, visit, cid: next(r for r in rows if int(r["visit_id"]) == visit and r["criterion_id"] == cid)  # noqa: E731
    nl, en = by_id(dutch, world["a1"], "play.space"), by_id(english, world["a1"], "play.space")
    assert nl["criterion_text"] == "Er is een speelruimte binnen." and nl["domain_title"] == "Spelen"
    assert en["criterion_text"] == "There is an indoor play space." and en["domain_title"] == "Play"
    assert en["domain_id"] == "play" and en["value"] == "meets" and en["result"] == "meets" and en["points"] == "1" and en["answer_text"] == "Meets"
    moves = by_id(english, world["a1"], "safety.moves")
    assert (moves["kind"], moves["value"], moves["number"], moves["result"], moves["points"]) == ("count", "", "2", "partly", "0.5")
    assert moves["answer_text"] == "2 moves (Partly)"
    outdoor = by_id(english, world["a1"], "play.outdoor")
    assert (outdoor["value"], outdoor["result"], outdoor["points"]) == ("no", "fails", "0")
    na = by_id(english, world["b2"], "play.outdoor")
    assert (na["result"], na["points"]) == ("na", "")
    assert all(r["criteria_version"] == "test.1" and len(r["criteria_hash"]) == 12 for r in english)
    # criteria-file order within a visit: play before safety, space before outdoor
    a1 = [r["criterion_id"] for r in english if int(r["visit_id"]) == world["a1"]]
    assert a1 == ["play.space", "play.outdoor", "safety.fire", "safety.moves"]


def test_typed_text_is_exported_as_text_not_as_a_formula(monitor, world):
    rows = read_csv(monitor.get("/exports/answers.csv"))
    notes = {r["note"] for r in rows}
    assert "'" + INJECTION in notes and INJECTION not in notes
    assert "'+31 20 123 4567" in notes
    assert "'-Amv Gamma" in {r["location_name"] for r in rows}
    workbook = read_xlsx(monitor.get("/exports/answers.xlsx"))
    sheet = workbook["answers"]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    note_cells = [row[header.index("note")] for row in sheet.iter_rows(min_row=2)]
    cell = next(c for c in note_cells if c.value and "HYPERLINK" in c.value)
    assert cell.value == "'" + INJECTION and cell.data_type == "s"
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


@pytest.mark.parametrize("kind", ["visits", "answers"])
def test_xlsx_has_the_same_rows_as_the_csv(monitor, world, kind):
    monitor.set_cookie("lang", "en")
    csv_rows = list(csv.reader(io.StringIO(monitor.get(f"/exports/{kind}.csv").data.decode("utf-8-sig"), newline="")))
    workbook = read_xlsx(monitor.get(f"/exports/{kind}.xlsx"))
    assert workbook.sheetnames == [kind, "About"]
    xlsx_rows = [[as_csv_text(v) for v in row] for row in sheet_rows(workbook[kind])]
    assert xlsx_rows == csv_rows
    assert len(csv_rows) > 1
    about = {row[0]: row[1] for row in sheet_rows(workbook["About"]) if row[0]}
    assert "test.1 (" in "".join(about) and about["criterion_id" if kind == "answers" else "score_play"]


def test_about_sheet_in_dutch_by_default_with_filters(monitor, world):
    workbook = read_xlsx(monitor.get("/exports/visits.xlsx?type=azc&from=2025-01-01&province=Utrecht"))
    assert workbook.sheetnames == ["visits", "Toelichting"]
    about = sheet_rows(workbook["Toelichting"])
    text = "\n".join(" ".join(str(v) for v in row if v is not None) for row in about)
    assert "azc" in text and "Utrecht" in text and "2025-01-01" in text
    assert "type=azc" in text  # the URL parameters, to make the same export again
    labels = [row[0] for row in about]
    assert "score_play" in labels and "latest_in_period" in labels


def test_too_large_xlsx_is_refused_before_any_work_and_the_csv_is_not(app, monitor, world):
    answers = len(read_csv(monitor.get("/exports/answers.csv")))
    columns = len(store.EXPORT_ANSWER_COLUMNS)
    app.config["EXPORT_XLSX_MAX_CELLS"] = answers * columns
    assert monitor.get("/exports/answers.xlsx").status_code == 200
    app.config["EXPORT_XLSX_MAX_CELLS"] = answers * columns - 1
    monitor.set_cookie("lang", "en")
    response = monitor.get("/exports/answers.xlsx")
    assert response.status_code == 400
    assert f"This export has {answers} rows" in response.get_data(as_text=True) and "CSV" in response.get_data(as_text=True)
    assert monitor.get("/exports/answers.xlsx?type=noodopvang").status_code == 200  # fewer rows fit
    assert len(read_csv(monitor.get("/exports/answers.csv"))) == answers


def test_csv_with_preformatted_blocks_is_the_same_text(app, world):
    """The answers CSV formats the visit's and the criterion's columns once; the text must not change."""
    from checklist.reports.csv_export import ANSWER_CSV_BLOCKS
    from checklist.reports.csv_export import csv_chunks
    from checklist.core.labels import answer_labels

    db = connect(app.config["DATABASE"])
    try:
        rows = lambda: store.export_answers(db, Scope(submitted_only=True), Filters(), "nl", answer_labels(lambda s: s))  # noqa: E731
        columns = store.EXPORT_ANSWER_COLUMNS
        plain = "".join(csv_chunks(columns, rows()))
        assert "".join(csv_chunks(columns, rows(), ANSWER_CSV_BLOCKS)) == plain
        assert plain.count("\r\n") > 10 and "'=HYPERLINK" in plain
    finally:
        db.conn.close()


def test_row_count_matches_the_rows(app, world):
    db = connect(app.config["DATABASE"])
    try:
        for filters in (Filters(), Filters(types=("azc",)), Filters(closed="all")):
            scope = Scope(submitted_only=True)
            assert store.export_row_count(db, scope, filters) == len(list(store.export_visits(db, scope, filters, ["play"])))
            assert store.export_row_count(db, scope, filters, answers=True) == len(list(store.export_answers(db, scope, filters, "en")))
    finally:
        db.conn.close()


def read_semicolon_csv(response) -> list[dict]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/csv" and response.data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"), newline=""), delimiter=";"))


@pytest.mark.parametrize("kind", ["visits", "answers"])
def test_the_csv_for_dutch_excel_has_the_same_rows_with_semicolons_and_decimal_commas(monitor, world, kind):
    query = "?type=azc&type=noodopvang&type=amv_kleinschalig"
    response = monitor.get(f"/exports/{kind}-semicolon.csv{query}")
    assert f'filename="checklist-{kind}-semicolon-' in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    dutch = read_semicolon_csv(response)
    plain = read_csv(monitor.get(f"/exports/{kind}.csv{query}"))
    assert len(dutch) == len(plain) > 0 and list(dutch[0]) == list(plain[0])
    decimals = 0
    for d, p in zip(dutch, plain):
        for column, value in p.items():
            if re.fullmatch(r"-?\d+\.\d+", value):
                assert d[column] == value.replace(".", ","), column
                decimals += 1
            else:
                assert d[column] == value, column
    if kind == "visits":
        assert decimals > 0  # scores with decimals are in the fixture
    # formula-injection guard and text kept as typed
    text = response.get_data(as_text=True)
    if kind == "answers":
        assert "'=HYPERLINK" in text and '"=HYPERLINK' not in text and "+31 20 123 4567" in text


def test_the_overview_offers_the_csv_for_dutch_excel_beside_the_comma_one(monitor, world):
    page = monitor.get("/compare/?type=azc").get_data(as_text=True)
    assert "/exports/visits-semicolon.csv?type=azc" in page and "/exports/answers-semicolon.csv?type=azc" in page
    assert "CSV voor Excel (puntkomma)" in page


def test_several_provinces_organisations_and_operators_at_once(monitor, world):
    get = lambda query: ids(read_csv(monitor.get(f"/exports/visits.csv?{query}")))  # noqa: E731
    assert get("organisation=1&organisation=2") == {world["a1"], world["a2"], world["b1"], world["b2"]}
    assert get("province=Groningen&province=Utrecht&organisation=2") == {world["b1"], world["b2"]}
    assert get("operator=Gemeente&operator=COA") == {world["a1"], world["a2"], world["b1"], world["b2"]}
    assert get("operator=Gemeente") == {world["b1"]}
    workbook = read_xlsx(monitor.get("/exports/visits.xlsx?province=Groningen&province=Utrecht&organisation=1&organisation=2"))
    about = "\n".join(str(c) for row in sheet_rows(workbook.worksheets[-1]) for c in row if c)
    assert "Groningen, Utrecht" in about and "De Vrolijkheid, War Child" in about
