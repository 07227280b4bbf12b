"""The aggregate (monitor) report: who may get it, what it counts, anonymisation, the CLI.

Visits are made through the client as a visitor would (answers posted, then submitted);
the numbers the PDF should show are computed here independently, by scoring the stored
answers with `checklist.core.scoring`, and read back from the PDF with pdftotext.
"""

from __future__ import annotations

import io
import re
from datetime import date
from statistics import mean

import pytest
from pypdf import PdfReader

from checklist import store
from checklist.core.access import Scope
from checklist.store.connection import connect
from checklist.core.filters import Filters
from checklist.core.scoring import score_visit
from tests.conftest import answer
from tests.conftest import create_location
from tests.conftest import create_visit
from tests.conftest import flat
from tests.conftest import login
from tests.conftest import pdftotext
from tests.conftest import real_app
from tests.conftest import submit

HOSTILE = "A&B <b>x</b> <font size=40>BIG</font>"
PERIOD = "from=2025-01-01&to=2025-12-31&closed=all"
ZONNEDAUW = {"name": "Azc Zonnedauw", "type": "azc", "municipality": "Dauwerwoude", "province": "Zeeland", "operator": "Stichting Zonnewind Opvang"}
KIEZEL = {"name": "Noodopvang Kiezelhaven", "type": "noodopvang", "municipality": "Kiezelmond", "province": "Friesland", "operator": "Gemeente Kiezelmond"}
BRAMEN = {"name": "Azc Bramenveld", "type": "azc", "municipality": "Bramerstad", "province": "Drenthe", "operator": "Opvangbeheer Bramerstad"}
IDENTIFYING = [v for loc in (ZONNEDAUW, KIEZEL, BRAMEN) for k, v in loc.items() if k != "type"]


def visit(client, location_id, day, answers, organisation="1", voices=(), submitted=True) -> int:
    """A visit with answers per domain ({"play": {"value_play__space": "meets"}}), submitted."""
    visit_id = create_visit(client, location_id, visit_date=day, organisation_id=organisation)
    for domain, data in answers.items():
        answer(client, visit_id, domain, **data)
    for age_band, domain, text in voices:
        client.post(f"/visits/{visit_id}/children", data={"age_band": age_band, "domain_id": domain, "text": text})
    if submitted:
        submit(client, visit_id)
    return visit_id


@pytest.fixture
def world(app):
    """Organisation 1: two locations, three visits in 2025, one in 2024, one draft. Organisation 2: one visit."""
    a = login(app.test_client(), "visitor@a.test")
    b = login(app.test_client(), "visitor@b.test")
    zonnedauw, kiezel = create_location(a, **ZONNEDAUW), create_location(a, **KIEZEL)
    bramen = create_location(b, **BRAMEN)
    hostile = create_location(a, name=HOSTILE, type="noodopvang", municipality="Ergens", province="Utrecht", operator="X")
    all_good = {
        "play": {"value_play__space": "meets", "value_play__outdoor": "yes"},
        "safety": {"value_safety__fire": "yes", "number_safety__moves": "1"},
    }
    visit(a, zonnedauw, "2024-11-01", {"play": {"value_play__space": "fails"}})  # before the period
    visit(a, zonnedauw, "2025-03-10", all_good)
    visit(
        a,
        zonnedauw,
        "2025-08-20",
        {
            "play": {"value_play__space": "partly", "value_play__outdoor": "no"},
            "safety": {"value_safety__fire": "no", "number_safety__moves": "5"},
        },
        voices=[("8-12", "play", "In Zonnedauw mogen we alleen op woensdag spelen.")],
    )
    visit(
        a,
        kiezel,
        "2025-05-05",
        {
            "play": {"value_play__space": "fails", "value_play__outdoor": "yes"},
            "safety": {"value_safety__fire": "yes", "number_safety__moves": "2"},
        },
        voices=[("13-17", "safety", "Het is hier 's nachts erg lawaaierig.")],
    )
    visit(a, hostile, "2025-06-15", {"play": {"value_play__space": "partly"}})
    visit(a, kiezel, "2025-09-09", {"play": {"value_play__space": "meets"}}, submitted=False)  # a draft
    visit(b, bramen, "2025-06-01", {"play": {"value_play__space": "meets"}, "safety": {"value_safety__fire": "yes"}}, organisation="2")
    return {"zonnedauw": zonnedauw, "kiezel": kiezel, "bramen": bramen, "hostile": hostile}


def client_for(app, email, lang="en"):
    return login(app.test_client(), email, lang=lang)


def low(score) -> bool:
    """Fewer than half the assessable criteria scored: the default LOW_COVERAGE (0.5), which
    leaves a visit out of the report's means per type, key figure and trends."""
    return not score.assessable or 2 * score.scored < score.assessable


def period_visits(db) -> list[dict]:
    """The submitted visits of 2025: id, location_id, visit_date, type."""
    return list(
        db.query(
            """select v.id, v.location_id, v.visit_date, l.type from visits v join locations l on l.id = v.location_id
               where v.status = 'submitted' and v.visit_date between '2025-01-01' and '2025-12-31'"""
        )
    )


def expected(app, organisation_id=None, types=None):
    """Counts and per-type domain means (without visits of low coverage), scored here from the stored answers."""
    db = connect(app.config["DATABASE"])
    criteria = app.extensions["criteria"]
    try:
        rows = period_visits(db)
        rows = [r for r in rows if organisation_id is None or store.get_visit(db, r["id"], Scope(organisation_id=organisation_id))]
        rows = [r for r in rows if types is None or r["type"] in types]
        per_type: dict = {}
        overall = []
        for row in rows:
            score = score_visit(criteria, row["type"], store.answer_values(store.visit_answers(db, row["id"])))
            if low(score):
                continue
            overall.append(score.score)
            for d in score.domains:
                if d.score is not None:
                    per_type.setdefault(row["type"], {}).setdefault(d.domain_id, []).append(d.score)
                    per_type.setdefault("all", {}).setdefault(d.domain_id, []).append(d.score)
    finally:
        db.conn.close()
    means = {t: {d: f"{mean(v):.0f}" for d, v in domains.items()} for t, domains in per_type.items()}
    return {"visits": len(rows), "locations": len({r["location_id"] for r in rows}), "means": means, "overall": f"{mean(overall):.0f}"}


def key_figures(layout: str) -> list[str]:
    """The numbers under 'Locations visited  Submitted visits  Mean overall score  ...'."""
    lines = layout.splitlines()
    index = next(i for i, line in enumerate(lines) if "Locations visited" in line and "Submitted visits" in line)
    return next(line.split() for line in lines[index + 1 :] if line.strip())


# -- access ---------------------------------------------------------------------------


def test_monitor_downloads_the_report_with_period_counts_and_type_means(app, world, tmp_path):
    monitor = client_for(app, "monitor@m.test")
    response = monitor.get(f"/reports/monitor.pdf?{PERIOD}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "monitor-report-2025-01-01-2025-12-31.pdf" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    want = expected(app)
    assert (want["visits"], want["locations"]) == (5, 4)
    text, layout = flat(pdftotext(response.data, tmp_path)), pdftotext(response.data, tmp_path, layout=True)
    assert "1 January 2025 – 31 December 2025" in text
    assert "All organisations" in text
    assert key_figures(layout)[:3] == ["4", "5", want["overall"]]
    # Per type: the columns follow the criteria's order (azc, noodopvang), then all types.
    for domain, title in (("play", "Play"), ("safety", "Safety")):
        row = re.search(rf"^\s*{title}\s+(\d+|–)\s+(\d+|–)\s+(\d+|–)\s*$", layout, re.M)
        assert row, title
        wanted = [want["means"].get(t, {}).get(domain, "–") for t in ("azc", "noodopvang", "all")]
        assert list(row.groups()) == wanted, (title, row.groups(), wanted)


def test_the_report_has_every_section(app, world, tmp_path):
    pdf = client_for(app, "monitor@m.test").get(f"/reports/monitor.pdf?{PERIOD}").data
    opening = flat(pdftotext(pdf, tmp_path, last=2))  # the findings, what the report covers, the contents
    assert "Criteria version test.1 (5 visits)" in opening and "In this report" in opening
    text = flat(pdftotext(pdf, tmp_path, first=2))  # after the first page
    for heading in (
        "Scores per domain and type of location",
        "Criteria most often not met",
        "Red flags by location",
        "Trends over the period",
        "What children said",
        "Locations in this report",
        "Criteria versions used",
        "Appendix: method",
        "How this report combines visits",
    ):
        assert heading in text, heading
    assert "CRC art. 31 – Play, leisure and culture" in text  # play.space failed once, grouped by its right
    assert "2013/33/EU art. 23(3)" in text
    assert "Escape routes are clear." in text and "Azc Zonnedauw" in text  # the red flag at its latest visit
    assert "In Zonnedauw mogen we alleen op woensdag spelen." in text  # named: statements as recorded
    assert re.search(r"Criteria versions used .* test\.1 [0-9a-f]{12}", text)
    assert re.search(r"Page 2 of \d+", text)


def quarter_domain_means(app, domain: str) -> list[tuple[str, str, int]]:
    """Per quarter of 2025 with a score for `domain`: ("Q1 2025", mean, visits), scored here
    from the stored answers, without the visits of low coverage."""
    db = connect(app.config["DATABASE"])
    criteria = app.extensions["criteria"]
    try:
        rows = period_visits(db)
        per_quarter: dict = {}
        for row in rows:
            score = score_visit(criteria, row["type"], store.answer_values(store.visit_answers(db, row["id"])))
            found = score.domain(domain)
            if not low(score) and found and found.score is not None:
                per_quarter.setdefault((int(row["visit_date"][5:7]) + 2) // 3, []).append(found.score)
    finally:
        db.conn.close()
    return [(f"Q{q} 2025", f"{mean(v):.0f}", len(v)) for q, v in sorted(per_quarter.items())]


def test_the_first_page_states_the_findings_per_domain_with_their_scale_before_any_jargon(app, world, tmp_path):
    """A reader of the first page alone gets the main findings in sentences: every number with
    its scale, per domain the right it serves, its trend and the criterion most often not met;
    coverage, red flag and the like are explained only after those results."""
    criteria = app.extensions["criteria"]
    bands = criteria.scoring.status_bands
    green, amber = f"{bands['green']:.0f}", f"{bands['amber']:.0f}"
    pdf = client_for(app, "monitor@m.test").get(f"/reports/monitor.pdf?{PERIOD}").data
    page = flat(pdftotext(pdf, tmp_path, last=1))
    want = expected(app)
    scale = f"on a scale of 0 to 100, where {green} or more is good, {amber} to below {green} needs attention and below {amber} is insufficient"
    assert "Main findings In this period 5 visits were made to 4 locations by 2 organisations." in page
    assert f"The mean overall score was {want['overall']}, {scale}." in page
    assert "By type of location it ran from" in page and "of 100 (Emergency reception)" in page and "of 100 (Reception centre)" in page
    assert "At 1 of 4 locations the latest visit found at least one red flag" in page  # Zonnedauw's fire safety

    play = quarter_domain_means(app, "play")
    first, last = play[0], play[-1]
    status = "good" if float(want["means"]["all"]["play"]) >= bands["green"] else "needs attention" if float(want["means"]["all"]["play"]) >= bands["amber"] else "insufficient"
    direction = "worsened" if float(last[1]) <= float(first[1]) - 5 else "improved" if float(last[1]) >= float(first[1]) + 5 else None
    assert direction == "worsened"  # Zonnedauw's play in March, then in August
    visits = lambda n: "1 visit" if n == 1 else f"{n} visits"
    assert (
        f"Play (CRC art. 31): {want['means']['all']['play']} of 100 ({status}); "
        f"worsened from {first[1]} ({first[0]}, {visits(first[2])}) to {last[1]} ({last[0]}, {visits(last[2])}); "
        "most often not met: “There is a safe outdoor play area.”"
    ) in page
    assert "Safety (CRC art. 19):" in page

    results = page.index("Main findings")
    explained = page.index("How to read these figures")
    for jargon in ("Coverage is the share", "A red flag is a critical criterion", "coverage 88%", "Locations visited"):
        assert page.index(jargon) > explained > results, jargon
    assert "coverage" not in page[:explained].lower()

    dutch = flat(pdftotext(client_for(app, "monitor@m.test", "nl").get(f"/reports/monitor.pdf?{PERIOD}").data, tmp_path, last=1))
    assert "Belangrijkste bevindingen" in dutch and f"op een schaal van 0 tot 100, waarop {green} of meer goed is" in dutch


def test_visitors_and_admins_get_404(app, world):
    for email in ("visitor@a.test", "admin@a.test"):
        client = client_for(app, email)
        assert client.get(f"/reports/monitor.pdf?{PERIOD}").status_code == 404, email
        assert client.get("/reports/").status_code == 404, email


def test_a_coordinator_reports_on_their_own_organisation_only(app, world, tmp_path):
    coordinator = client_for(app, "coordinator@a.test")
    pdf = coordinator.get(f"/reports/monitor.pdf?{PERIOD}").data
    text, layout = flat(pdftotext(pdf, tmp_path)), pdftotext(pdf, tmp_path, layout=True)
    want = expected(app, organisation_id=1)
    assert key_figures(layout)[:2] == [str(want["locations"]), str(want["visits"])] == ["3", "4"]
    assert "De Vrolijkheid (own organisation)" in text
    assert "Azc Bramenveld" not in text and "All organisations" not in text
    other = flat(pdftotext(client_for(app, "coordinator@b.test").get(f"/reports/monitor.pdf?{PERIOD}").data, tmp_path))
    assert "Azc Bramenveld" in other and "Azc Zonnedauw" not in other and "War Child (own organisation)" in other


def test_a_type_filter_changes_the_numbers(app, world, tmp_path):
    pdf = client_for(app, "monitor@m.test").get(f"/reports/monitor.pdf?{PERIOD}&type=azc").data
    text, layout = flat(pdftotext(pdf, tmp_path)), pdftotext(pdf, tmp_path, layout=True)
    want = expected(app, types={"azc"})
    assert key_figures(layout)[:3] == [str(want["locations"]), str(want["visits"]), want["overall"]] == ["2", "3", want["overall"]]
    assert "Location types Reception centre" in text
    assert "Noodopvang Kiezelhaven" not in text
    row = re.search(r"^\s*Play\s+(\d+|–)\s*$", layout, re.M)  # one type: no "all types" column
    assert row and row.group(1) == want["means"]["azc"]["play"]


def test_the_anonymised_report_names_no_location(app, world, tmp_path):
    pdf = client_for(app, "monitor@m.test").get(f"/reports/monitor.pdf?{PERIOD}&anonymise=1").data
    text = pdftotext(pdf, tmp_path)
    for term in IDENTIFYING + ["Zonnedauw", "Kiezelhaven", "Bramenveld", HOSTILE, "A&B", "BIG"]:
        assert term.lower() not in text.lower(), term
    metadata = PdfReader(io.BytesIO(pdf)).metadata
    assert "Zonnedauw" not in f"{metadata.title} {metadata.author} {metadata.subject}"
    assert "Location A" in text and "Location D" in text and "Anonymised (Location A, B, …)" in text
    assert "In […] mogen we alleen op woensdag spelen." in flat(text)  # a name inside a child's words is removed
    named = pdftotext(client_for(app, "monitor@m.test").get(f"/reports/monitor.pdf?{PERIOD}").data, tmp_path)
    assert "Azc Zonnedauw" in named and "Location A" not in named


def test_anonymised_filters_do_not_name_the_province_or_operator(app, world, tmp_path):
    query = f"{PERIOD}&anonymise=1&province=Zeeland&operator=Stichting+Zonnewind+Opvang"
    text = flat(pdftotext(client_for(app, "monitor@m.test").get(f"/reports/monitor.pdf?{query}").data, tmp_path))
    assert "Zeeland" not in text and "Zonnewind" not in text
    assert "selected (not named in an anonymised report)" in text
    assert "Location A" in text and "Location B" not in text  # only Zonnedauw is in Zeeland


def test_a_hostile_location_name_appears_literally(app, world, tmp_path):
    text = flat(pdftotext(client_for(app, "monitor@m.test").get(f"/reports/monitor.pdf?{PERIOD}").data, tmp_path))
    for part in ("A&B", "<b>x</b>", "<font", "size=40>BIG</font>"):
        assert part in text, part


def test_bad_filters_show_the_form_with_the_problem(app, world):
    response = client_for(app, "monitor@m.test").get("/reports/monitor.pdf?from=2025-13-01")
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert "From: Not a valid date value." in response.get_data(as_text=True)
    dutch = client_for(app, "monitor@m.test", "nl").get("/reports/monitor.pdf?from=2025-13-01&type=hotel")
    assert dutch.status_code == 400
    assert "Van: Ongeldige datum." in dutch.get_data(as_text=True)  # WTForms' own Dutch
    assert "Type locatie: &#39;hotel&#39; is een ongeldige keuze voor dit veld." in dutch.get_data(as_text=True)


def test_from_after_to_is_refused_with_the_form_and_a_message_as_the_cli_does(app, world, tmp_path):
    reversed_period = "from=2025-12-31&to=2025-01-01"
    response = client_for(app, "monitor@m.test").get(f"/reports/monitor.pdf?{reversed_period}")
    assert response.status_code == 400 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "The period ends before it starts: 2025-12-31 is after 2025-01-01." in page
    assert 'value="2025-12-31"' in page and 'value="2025-01-01"' in page  # the dates as typed, to correct
    dutch = client_for(app, "monitor@m.test", "nl").get(f"/reports/monitor.pdf?{reversed_period}")
    assert dutch.status_code == 400 and "De periode eindigt voordat ze begint: 2025-12-31 ligt na 2025-01-01." in dutch.get_data(as_text=True)
    one_day = client_for(app, "monitor@m.test").get("/reports/monitor.pdf?from=2025-01-01&to=2025-01-01")  # one day is a period
    assert one_day.status_code == 200
    assert "1 January 2025 – 1 January 2025" in flat(pdftotext(one_day.data, tmp_path, last=1))

    monitor = client_for(app, "monitor@m.test")
    export = monitor.get(f"/exports/visits.csv?{reversed_period}")
    assert export.status_code == 400 and "The period ends before it starts" in export.get_data(as_text=True)
    overview = monitor.get(f"/compare/?{reversed_period}")
    assert overview.status_code == 200 and "The period ends before it starts" in overview.get_data(as_text=True)


def test_the_form_is_a_get_form_with_labels(app, world):
    page = client_for(app, "monitor@m.test").get("/reports/?type=noodopvang&anonymise=1").get_data(as_text=True)
    assert 'method="get"' in page and 'action="/reports/monitor.pdf"' in page
    assert 'value="noodopvang" aria-describedby="type-hint" checked' in page
    assert 'id="anonymised" name="anonymise" value="1" checked' in page
    for field in ("from", "to", "province", "operator", "organisation", "closed"):
        assert f'<label for="{field}">' in page, field
    assert "Stichting Zonnewind Opvang" in page  # operators in use
    coordinator = client_for(app, "coordinator@a.test").get("/reports/").get_data(as_text=True)
    assert 'id="organisation"' not in coordinator  # a coordinator's report is their own organisation's
    assert '<option value="all" selected>' in coordinator  # an empty form covers closed locations too


def test_the_report_agrees_with_the_visits_export(app, world, tmp_path):
    """Each per-type domain mean is the mean of the export's score_<domain> column over the
    visits whose coverage is not low (scored / assessable, also in the export), both
    downloaded by a monitor with the same filters, as a monitor would check it."""
    import csv
    import io

    monitor = client_for(app, "monitor@m.test")
    export = monitor.get(f"/exports/visits.csv?{PERIOD}")
    assert export.status_code == 200
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff")), delimiter=sniff(export.get_data(as_text=True))))
    layout = pdftotext(monitor.get(f"/reports/monitor.pdf?{PERIOD}").data, tmp_path, layout=True)
    assert key_figures(layout)[1] == str(len(rows))
    rows = [r for r in rows if int(r["assessable"]) and 2 * int(r["scored"]) >= int(r["assessable"])]
    for domain, title in (("play", "Play"), ("safety", "Safety")):
        cells = re.search(rf"^\s*{title}\s+(\d+|–)\s+(\d+|–)\s+(\d+|–)\s*$", layout, re.M).groups()
        for column, location_type in zip(cells, ("azc", "noodopvang", None)):
            values = [float(r[f"score_{domain}"]) for r in rows if r[f"score_{domain}"] not in ("", None) and location_type in (None, r["location_type"])]
            assert column == (f"{mean(values):.0f}" if values else "–"), (domain, location_type)


def sniff(text: str) -> str:
    header = text.lstrip("\ufeff").splitlines()[0]
    return ";" if header.count(";") > header.count(",") else ","


def test_the_aggregates_use_indexes_not_scans(app, world):
    """No full scan of answers, scores or voices: the queries go through the indexes."""
    db = connect(app.config["DATABASE"])
    statements = []
    db.conn.set_trace_callback(statements.append)
    filters = Filters(since=date(2025, 1, 1), until=date(2025, 12, 31), closed="all")
    for function in (
        store.most_failed_criteria,
        store.red_flags_by_location,
        store.type_domain_means,
        store.voices_by_domain,
        store.type_trends,
    ):
        function(db, Scope(submitted_only=True), filters)
    db.conn.set_trace_callback(None)
    plans = [
        row["detail"]
        for sql in statements
        if sql.lstrip().lower().startswith("with")
        for row in db.query("explain query plan " + sql)
    ]
    db.conn.close()
    assert plans
    scans = [p for p in plans if re.match(r"SCAN (a|d|c|s|r|answers|answer_results|visit_domain_scores|child_voices|visit_scores)\b", p) and "INDEX" not in p]
    assert not scans, scans


# -- command line -------------------------------------------------------------------------


def test_cli_writes_a_readable_pdf(app, world, runner, tmp_path):
    out = tmp_path / "monitor.pdf"
    result = runner.invoke(args=["monitor-report", "--from", "2025-01-01", "--to", "2025-12-31", "--lang", "en", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "5 visits at 4 locations" in result.output
    text = flat(pdftotext(out.read_bytes(), tmp_path))
    assert "1 January 2025 – 31 December 2025" in text and "Azc Bramenveld" in text and "All organisations" in text
    anonymised = tmp_path / "anonymised.pdf"
    result = runner.invoke(
        args=["monitor-report", "--from", "2025-01-01", "--to", "2025-12-31", "--type", "azc", "--anonymise", "--lang", "en", "--out", str(anonymised)]
    )
    assert result.exit_code == 0, result.output
    assert "3 visits at 2 locations" in result.output
    text = pdftotext(anonymised.read_bytes(), tmp_path)
    assert "Zonnedauw" not in text and "Bramenveld" not in text and "Location B" in text and "Location C" not in text


def test_cli_rejects_bad_input_with_a_clear_message(app, runner, tmp_path):
    out = str(tmp_path / "x.pdf")
    bad_date = runner.invoke(args=["monitor-report", "--from", "2025-13-01", "--to", "2025-12-31", "--out", out])
    assert bad_date.exit_code == 2 and "not a date (YYYY-MM-DD): '2025-13-01'" in bad_date.output
    backwards = runner.invoke(args=["monitor-report", "--from", "2025-12-31", "--to", "2025-01-01", "--out", out])
    assert backwards.exit_code == 2 and "is after --to" in backwards.output
    bad_type = runner.invoke(args=["monitor-report", "--from", "2025-01-01", "--to", "2025-12-31", "--type", "hotel", "--out", out])
    assert bad_type.exit_code == 2 and "unknown location type hotel" in bad_type.output
    organisation = runner.invoke(args=["monitor-report", "--from", "2025-01-01", "--to", "2025-12-31", "--organisation", "Nergens", "--out", out])
    assert organisation.exit_code == 1 and "unknown organisation 'Nergens'" in organisation.output
    assert not (tmp_path / "x.pdf").exists()


def test_an_empty_period_still_builds(app, world, runner, tmp_path):
    out = tmp_path / "empty.pdf"
    result = runner.invoke(args=["monitor-report", "--from", "2030-01-01", "--to", "2030-12-31", "--lang", "en", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "No submitted visits match this period and these filters." in flat(pdftotext(out.read_bytes(), tmp_path))


# -- realistic data ----------------------------------------------------------------------------


def test_the_demo_data_report_builds_named_and_anonymised(tmp_path):
    """Realistic data builds; its speed is measured in bench/scale.py, not asserted here."""
    from checklist.commands.demo import DEMO_LOCATIONS
    from checklist.commands.demo import load_demo_data
    from checklist.reports.monitor_data import monitor_report_data
    from checklist.reports.monitor_report import build_monitor_report
    from checklist.reports.visit_data import recompute_scores

    app = real_app(tmp_path)
    db = connect(app.config["DATABASE"])
    criteria = app.extensions["criteria"]
    load_demo_data(db, criteria, seed=2022, today=date(2026, 6, 1))
    recompute_scores(db)
    named = build_monitor_report(monitor_report_data(db, Scope(submitted_only=True), Filters(closed="all"), criteria, "nl", False, "2026-06-01T12:00:00+00:00"))
    anonymised = build_monitor_report(
        monitor_report_data(db, Scope(submitted_only=True), Filters(closed="all"), criteria, "en", True, "2026-06-01T12:00:00+00:00")
    )
    db.conn.close()
    text, hidden = flat(pdftotext(named, tmp_path)), pdftotext(anonymised, tmp_path)
    pages = re.search(r"Pagina 1 van (\d+)", text)
    assert pages and int(pages.group(1)) >= 8
    assert "Azc Lindewaarde" in text
    criteria_text = criteria.text
    for name, _type, municipality, province, operator, *_ in DEMO_LOCATIONS:
        # COA and Nidos are also institutions the criteria's own texts name (the working
        # thresholds appendix quotes them); the other operators stand for them.
        for term in (name, municipality) + (() if operator in criteria_text else (operator,)):
            assert term not in hidden, term
    assert "Location N" in hidden


# -- charts ------------------------------------------------------------------------------------


def test_the_charts_render_to_svg_with_trusted_labels_and_their_values(app, report_fonts):
    from checklist.reports.charts import drawing_to_svg
    from checklist.reports.charts import status_legend
    from checklist.reports.charts import trend_chart
    from checklist.reports.charts import type_domain_chart
    from tests.conftest import SVG
    from tests.conftest import svg_bar_values
    from tests.conftest import svg_bars
    from tests.conftest import svg_root
    from tests.conftest import svg_texts

    criteria = app.extensions["criteria"]
    rows = [
        {"type": "azc", "domains": {"play": {"score": 80.0}, "safety": {"score": 40.0}}},
        {"type": "noodopvang", "domains": {"play": {"score": None}, "safety": {"score": 60.0}}},
    ]
    bars = drawing_to_svg(type_domain_chart(rows, criteria, "en"))
    texts = svg_texts(bars)
    for label in ("Play", "Safety", "Reception centre", "Emergency reception", "55", "80"):
        assert label in texts, label
    assert "no score" not in texts
    swatches = [b for b in svg_bars(bars) if b["width"] == b["height"]]  # the legend, in the rows' order
    assert len(swatches) == 2
    azc, nood = (s["fill"] for s in swatches)
    # Top to bottom: play (azc 80; no bar for a type without a score), then safety (azc 40, noodopvang 60).
    assert [(fill, round(value, 1)) for fill, value in svg_bar_values(bars)] == [(azc, 80.0), (azc, 40.0), (nood, 60.0)]

    series = {"Play": [(date(2025, 1, 10), 50.0), (date(2025, 4, 2), 75.0), (date(2025, 7, 1), None)], "Safety": [(date(2025, 4, 2), 90.0)]}
    lines = drawing_to_svg(trend_chart(series, "nl", bands={"green": 80, "amber": 55}))
    texts = svg_texts(lines)
    for label in ("Play", "Safety", "jan 2025", "apr 2025", "100"):
        assert label in texts, label
    plots = [[float(v) for v in line.get("points").replace(",", " ").split()] for line in svg_root(lines).iter(f"{SVG}polyline")]
    assert [len(points) // 2 for points in plots] == [2, 1]  # the point without a score is left out
    (_, play_50, _, play_75), (_, safety_90) = plots
    assert (play_75 - play_50) / (safety_90 - play_50) == pytest.approx(25 / 40, abs=0.001)  # heights follow the scores

    for empty in (trend_chart({}, "en"), type_domain_chart([], criteria, "en")):
        svg = drawing_to_svg(empty)
        assert "no score" in svg_texts(svg) and [b for b in svg_bars(svg) if b["width"] != b["height"]] == []  # no bar, no swatch
    legend = drawing_to_svg(status_legend("en", {"green": 80, "amber": 55}))
    assert svg_texts(legend) == ["Good (80–100)", "Needs attention (55 to under 80)", "Insufficient (under 55)", "No score"]
    assert len({b["fill"] for b in svg_bars(legend)}) == 4


def test_coverage_stands_under_every_mean_score(app, world, tmp_path):
    """Each mean in the type table, the overall figure and the trends carry the coverage of
    the visits behind them (scored / assessable, pooled), worked out here from the answers."""
    db = connect(app.config["DATABASE"])
    criteria = app.extensions["criteria"]
    pooled: dict = {}
    try:
        rows = db.query(
            """select v.id, l.type from visits v join locations l on l.id = v.location_id
               where v.status = 'submitted' and v.visit_date between '2025-01-01' and '2025-12-31'"""
        )
        for row in list(rows):
            score = score_visit(criteria, row["type"], store.answer_values(store.visit_answers(db, row["id"])))
            if low(score):
                continue
            for key in (row["type"], "all"):
                for d in score.domains:
                    acc = pooled.setdefault((key, d.domain_id), [0, 0])
                    acc[0], acc[1] = acc[0] + d.scored, acc[1] + d.assessable
                acc = pooled.setdefault((key, "overall"), [0, 0])
                acc[0], acc[1] = acc[0] + score.scored, acc[1] + score.assessable
    finally:
        db.conn.close()

    def share(key, domain):
        scored, assessable = pooled.get((key, domain), (0, 0))
        return f"{100 * scored / assessable:.0f}%"

    pdf = client_for(app, "monitor@m.test").get(f"/reports/monitor.pdf?{PERIOD}").data
    layout = pdftotext(pdf, tmp_path, layout=True)
    assert share("all", "overall") != "100%"  # the world leaves criteria unanswered
    assert f"coverage {share('all', 'overall')}" in flat(pdftotext(pdf, tmp_path, last=1))
    lines = layout.splitlines()
    for domain, title in (("play", "Play"), ("safety", "Safety"), ("overall", "Overall")):
        index = next(i for i, line in enumerate(lines) if re.match(rf"^\s*{title}\s+\d", line))
        below = re.findall(r"coverage (\d+%)", lines[index + 1])
        assert below == [share(t, domain) for t in ("azc", "noodopvang", "all")], (title, below)
    trends = layout[layout.index("Trends over the period") :]
    assert "coverage" in trends


def test_no_two_lines_of_a_trend_chart_look_alike(report_fonts):
    """Thirteen domains on the location page: past the eight colours each line also differs by its
    dash pattern (and marker), and the legend shows each line as drawn."""
    import re

    from checklist.reports.charts import drawing_to_svg
    from checklist.reports.charts import trend_chart
    from tests.conftest import SVG
    from tests.conftest import svg_root

    series = {f"Domein {i}": [(date(2025, 1, 1), 40.0 + i), (date(2026, 1, 1), 50.0 + i)] for i in range(13)}
    root = svg_root(drawing_to_svg(trend_chart(series, "nl")))

    def look(element):
        style = element.get("style", "")
        stroke = re.search(r"stroke: ([^;]+);", style)
        dash = re.search(r"stroke-dasharray: ([^;]+);", style)
        return stroke.group(1) if stroke else None, dash.group(1) if dash else None

    lines = [look(p) for p in root.iter(f"{SVG}polyline")]
    assert len(lines) == 13 and len(set(lines)) == 13
    drawn = {look(p) for p in root.iter(f"{SVG}path")}  # axes, grid, markers and the legend's line samples
    assert set(lines) <= drawn
