"""The overview: filters, sorting, averages per type checked independently, scoping, plans."""

from __future__ import annotations

import re

import pytest

from checklist.core.scoring import AnswerValue
from checklist.core.scoring import score_visit
from tests.conftest import CRITERIA
from tests.conftest import create_location
from tests.conftest import create_visit
from tests.conftest import login

# location name, type, organisation's visitor, answers of its visits (oldest first)
PLAN = [
    ("Azc Noord", "azc", "visitor@a.test", [{"play.space": "partly", "play.outdoor": "yes", "safety.fire": "yes"}, {"play.space": "meets", "play.outdoor": "yes", "safety.fire": "yes"}]),
    ("Azc Zuid", "azc", "visitor@b.test", [{"play.space": "fails", "play.outdoor": "no", "safety.fire": "yes"}]),
    ("Noodopvang Oost", "noodopvang", "visitor@a.test", [{"play.space": "fails", "play.outdoor": "yes", "safety.fire": "no"}]),
    ("Noodopvang West", "noodopvang", "visitor@b.test", [{"play.space": "partly", "play.outdoor": "no", "safety.fire": "yes"}]),
]


@pytest.fixture
def world(app):
    ids = {}
    for name, type_, email, visits in PLAN:
        client = login(app.test_client(), email)
        location_id = create_location(client, name=name, type=type_)
        for n, answers in enumerate(visits):
            visit_id = create_visit(client, location_id, visit_date=f"2026-0{n + 1}-10")
            client.post(f"/visits/{visit_id}/domains/play", data={f"value_{k.replace('.', '__')}": v for k, v in answers.items() if k.startswith("play")})
            client.post(f"/visits/{visit_id}/domains/safety", data={"value_safety__fire": answers["safety.fire"]})
            client.post(f"/visits/{visit_id}/submit")
        ids[name] = location_id
    # A draft that nobody but its organisation may see.
    client = login(app.test_client(), "visitor@a.test")
    draft = create_visit(client, ids["Azc Noord"], visit_date="2026-05-01")
    client.post(f"/visits/{draft}/domains/play", data={"value_play__space": "fails"})
    return ids


def expected_latest(type_=None, organisations=("visitor@a.test", "visitor@b.test")):
    """Scores computed here, independently of the app's SQL, from the plan above."""
    out = {}
    for name, t, email, visits in PLAN:
        if (type_ and t != type_) or email not in organisations:
            continue
        answers = {k: AnswerValue(v) for k, v in visits[-1].items()}
        out[name] = score_visit(CRITERIA, t, answers)
    return out


def page(client, url="/compare/"):
    client.set_cookie("lang", "en")
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def row_names(html):
    return [n for n in re.findall(r'<th scope="row"><a href="/locations/\d+">([^<]+)</a>', html)]


def test_monitor_sees_every_organisation_and_the_averages_match(app, world):
    html = page(login(app.test_client(), "monitor@m.test"))
    assert sorted(row_names(html)) == sorted(n for n, *_ in PLAN)
    for type_ in ("azc", "noodopvang"):
        scores = expected_latest(type_)
        mean = sum(s.score for s in scores.values()) / len(scores)
        label = {"azc": "Reception centre", "noodopvang": "Emergency reception"}[type_]
        assert re.search(rf"Average</?[^>]*>?: {label}.*?>{mean:.0f}</a>", html, re.S) or f"Average: {label}" in html
        assert f">{mean:.0f}</a>" in html


def test_average_per_type_equals_the_visits_behind_it(app, world):
    from checklist import store
    from checklist.core.access import Scope
    from checklist.store.connection import connect
    from checklist.core.filters import Filters

    db = connect(app.config["DATABASE"])
    averages = {a["type"]: a for a in store.type_averages(db, Scope(submitted_only=True), Filters())}
    db.conn.close()
    for type_ in ("azc", "noodopvang"):
        scores = expected_latest(type_)
        assert averages[type_]["score"] == pytest.approx(sum(s.score for s in scores.values()) / len(scores))
        assert averages[type_]["locations"] == len(scores)
        for domain in ("play", "safety"):
            values = [s.domain(domain).score for s in scores.values()]
            assert averages[type_]["domains"][domain]["score"] == pytest.approx(sum(values) / len(values))


def test_filters_change_the_rows(app, world):
    monitor = login(app.test_client(), "monitor@m.test")
    assert sorted(row_names(page(monitor, "/compare/?type=noodopvang"))) == ["Noodopvang Oost", "Noodopvang West"]
    assert sorted(row_names(page(monitor, "/compare/?organisation=2"))) == ["Azc Zuid", "Noodopvang West"]
    assert row_names(page(monitor, "/compare/?type=azc&organisation=1")) == ["Azc Noord"]
    assert row_names(page(monitor, "/compare/?to=2026-01-31&type=azc")) == ["Azc Noord", "Azc Zuid"]
    bad = page(monitor, "/compare/?type=castle&from=yesterday&sort=nonsense")
    assert "Filter ignored" in bad and len(row_names(bad)) == 4


def test_latest_visit_in_the_period_is_used(app, world):
    monitor = login(app.test_client(), "monitor@m.test")
    earlier = page(monitor, "/compare/?to=2026-01-31&type=azc")
    first = score_visit(CRITERIA, "azc", {k: AnswerValue(v) for k, v in PLAN[0][3][0].items()})
    assert f">{first.score:.0f}</a>" in earlier


def test_sorting_by_a_domain(app, world):
    monitor = login(app.test_client(), "monitor@m.test")
    scores = expected_latest()
    by_play = sorted(scores, key=lambda n: (scores[n].domain("play").score, n.lower()))
    assert row_names(page(monitor, "/compare/?sort=play")) == by_play
    assert row_names(page(monitor, "/compare/?sort=play&desc=1")) == list(reversed(by_play))


def test_visitor_sees_only_their_organisation(app, world):
    html = page(login(app.test_client(), "visitor@a.test"))
    assert sorted(row_names(html)) == ["Azc Noord", "Noodopvang Oost"]
    heatmap = html.split("Not visited for more than")[0]
    assert "Azc Zuid" not in heatmap  # their visits are not ours; the location itself is a shared register


def test_monitor_sees_no_drafts(app, world):
    html = page(login(app.test_client(), "monitor@m.test"))
    noord = expected_latest()["Azc Noord"]
    assert f">{noord.score:.0f}</a>" in html  # the submitted visit, not the draft with a failure


def test_every_score_links_to_its_visit(app, world):
    html = page(login(app.test_client(), "monitor@m.test"))
    cells = re.findall(r'<td class="cell status-\w+"><span class="status-mark" aria-hidden="true">.</span> <a href="(/visits/\d+)(#domain-\w+)?"', html)
    assert cells
    client = login(app.test_client(), "monitor@m.test")
    for url, _anchor in cells:
        assert client.get(url).status_code == 200


def test_not_visited_list(app, world, monkeypatch):
    html = page(login(app.test_client(), "monitor@m.test"))
    assert "Not visited for more than 6 months" in html
    # All plan visits are in 2026-01/02; by the clock of this test run they may or may not be old.
    app.config["NOT_VISITED_MONTHS"] = 1200
    assert "None." in page(login(app.test_client(), "monitor@m.test")).split("Not visited for more than")[1].split("<h2>")[0]


def test_admin_cannot_open_the_overview(app):
    assert login(app.test_client(), "admin@a.test").get("/compare/").status_code == 404


def test_overview_query_plan_never_scans_answers(app, world):
    from checklist.core.access import Scope
    from checklist.store.connection import connect
    from checklist.core.filters import Filters
    from checklist.store.overview import latest_visits_cte

    db = connect(app.config["DATABASE"])
    cte, params = latest_visits_cte(Scope(organisation_id=1), Filters(types=("azc",)))
    queries = [
        f"with {cte} select * from latest join visit_domain_scores d on d.visit_id = latest.visit_id",
        f"with {cte} select * from latest join visit_scores s on s.visit_id = latest.visit_id",
    ]
    for sql in queries:
        plan = " | ".join(row[3] for row in db.execute("explain query plan " + sql, params).fetchall())
        assert "answers" not in plan
        assert "SCAN v " not in plan + " " and "SCAN visits" not in plan  # visits are searched through an index
        assert "SEARCH d USING INDEX" in plan or "SEARCH s USING INTEGER PRIMARY KEY" in plan or "SEARCH s USING" in plan
    db.conn.close()


def test_location_page_shows_trend_changes_and_recurring_failures(app, world):
    client = login(app.test_client(), "visitor@a.test")
    html = page(client, f"/locations/{world['Azc Noord']}")
    assert "Scores per domain over the submitted visits" in html
    assert "Since the previous visit" in html
    assert 'src="/locations/%d/trend.svg"' % world["Azc Noord"] in html
    # Two failing visits in a row for one criterion:
    location_id = create_location(client, name="Azc Herhaling")
    for n in range(2):
        visit_id = create_visit(client, location_id, visit_date=f"2026-0{n + 1}-15")
        client.post(f"/visits/{visit_id}/domains/play", data={"value_play__space": "fails", "value_play__outdoor": "yes"})
        client.post(f"/visits/{visit_id}/submit")
    html = page(client, f"/locations/{location_id}")
    assert "There is an indoor play space." in html.split("Failing again and again")[1]
    assert "not met at the last 2 visits in a row" in html


def test_side_by_side(app, world):
    monitor = login(app.test_client(), "monitor@m.test")
    html = page(monitor, f"/compare/side?location={world['Azc Noord']}&location={world['Noodopvang Oost']}")
    scores = expected_latest()
    assert f">{scores['Azc Noord'].score:.0f}</a>" in html and f">{scores['Noodopvang Oost'].score:.0f}</a>" in html
    assert "Escape routes are clear." in html.split("Red flags")[1]  # Oost failed the critical criterion
    differ = html.split("Where they differ most")[1]
    assert "Escape routes are clear." in differ and "There is an indoor play space." in differ
    one = page(monitor, f"/compare/side?location={world['Azc Noord']}")
    assert "Choose two to four locations" in one
    visitor = login(app.test_client(), "visitor@a.test")
    hidden = page(visitor, f"/compare/side?location={world['Azc Noord']}&location={world['Azc Zuid']}")
    assert "Choose two to four locations" in hidden  # Zuid's visits belong to another organisation


def test_overdue_actions_are_listed_in_the_overview(app, world):
    from checklist.store.connection import connect

    client = login(app.test_client(), "visitor@a.test")
    db = connect(app.config["DATABASE"])
    visit_id = list(db.query("select id from visits where location_id = ? and status = 'submitted' order by id desc", [world["Noodopvang Oost"]]))[0]["id"]
    db.conn.close()
    response = client.post(f"/visits/{visit_id}/actions", data={"criterion_id": "safety.fire", "what": "Nooduitgang vrijmaken", "owner": "COA-locatiemanager", "due_on": "2026-01-20"})
    assert response.status_code in (302, 303), response.status_code
    html = page(client)
    overdue = html.split("Overdue actions")[1]
    assert "Nooduitgang vrijmaken" in overdue and "Noodopvang Oost" in overdue
    assert "Nooduitgang vrijmaken" not in page(login(app.test_client(), "visitor@b.test")).split("Overdue actions")[1]


def test_charts_are_the_report_drawings_as_svg(app, world, report_fonts):
    """The overview's charts carry the numbers of the latest visits, computed here from PLAN."""
    from tests.conftest import SVG
    from tests.conftest import svg_bar_values
    from tests.conftest import svg_root
    from tests.conftest import svg_texts

    monitor = login(app.test_client(), "monitor@m.test", lang="en")
    responses = {url: monitor.get(url) for url in ("/compare/types.svg?type=azc&type=noodopvang", "/compare/legend.svg", f"/locations/{world['Azc Noord']}/trend.svg")}
    for url, response in responses.items():
        assert response.status_code == 200 and response.mimetype == "image/svg+xml", url
    types, legend, trend = (r.get_data(as_text=True) for r in responses.values())

    for label in ("Play", "Safety", "Reception centre", "Emergency reception"):
        assert label in svg_texts(types), label
    # Per domain (play, then safety), a bar per type (azc, then noodopvang): the mean of the latest visits.
    wanted = []
    for domain in ("play", "safety"):
        for type_ in ("azc", "noodopvang"):
            scores = [s.domain(domain).score for s in expected_latest(type_).values()]
            wanted.append(round(sum(scores) / len(scores), 1))
    assert [round(value, 1) for _fill, value in svg_bar_values(types)] == wanted

    assert svg_texts(legend) == ["Good (80–100)", "Needs attention (55 to under 80)", "Insufficient (under 55)", "No score"]

    assert {"Play", "Safety", "Jan 2026", "Feb 2026"} <= set(svg_texts(trend))
    lines = [line.get("points").split(", ") for line in svg_root(trend).iter(f"{SVG}polyline")]
    assert [len(points) for points in lines] == [2, 2]  # play and safety, one point per submitted visit


def test_not_visited_counts_whole_months_to_the_day(app, monkeypatch):
    """Six months before 30 December is 30 June, not the 28th: a visit on 29 June is older."""
    import datetime

    from checklist.views import overview
    from tests.conftest import create_location
    from tests.conftest import create_visit
    from tests.conftest import login
    from tests.conftest import save

    class December30(datetime.date):
        @classmethod
        def today(cls):
            return cls(2026, 12, 30)

    coordinator = login(app.test_client(), "coordinator@a.test")
    coordinator.set_cookie("lang", "en")
    for name, day in (("Azc Negenentwintig", "2026-06-29"), ("Azc Dertig", "2026-06-30")):
        visit = create_visit(coordinator, create_location(coordinator, name=name), visit_date=day)
        save(coordinator, visit, "play", {"value_play__space": "meets"})
        coordinator.post(f"/visits/{visit}/submit")
    monkeypatch.setattr(overview, "date", December30)
    page = coordinator.get("/compare/").get_data(as_text=True)
    listed = page.split("Not visited for more than 6 months", 1)[1].split("</ul>", 1)[0]
    assert "Azc Negenentwintig" in listed and "Azc Dertig" not in listed


@pytest.fixture
def coverage_world(app):
    """Three azc locations whose latest visits cover 4/4, 1/4 and 2/4 of the assessable criteria."""
    client = login(app.test_client(), "visitor@a.test")
    plans = {
        "Azc Vol": ({"value_play__space": "meets", "value_play__outdoor": "yes"}, {"value_safety__fire": "yes", "number_safety__moves": "1"}),
        "Azc Dun": ({"value_play__space": "fails"}, {}),
        "Azc Half": ({"value_play__space": "meets", "value_play__outdoor": "yes"}, {}),
    }
    for name, (play, safety) in plans.items():
        visit_id = create_visit(client, create_location(client, name=name, type="azc"), visit_date="2026-01-10")
        client.post(f"/visits/{visit_id}/domains/play", data=play)
        if safety:
            client.post(f"/visits/{visit_id}/domains/safety", data=safety)
        assert client.post(f"/visits/{visit_id}/submit").status_code == 303


def overview_row(html: str, name: str) -> str:
    return re.search(rf"<tr>\s*<th scope=\"row\"><a [^>]*>{name}</a>.*?</tr>", html, re.S).group(0)


def test_a_visit_with_low_coverage_is_marked_and_left_out_of_the_type_averages(app, coverage_world):
    monitor = login(app.test_client(), "monitor@m.test")
    html = page(monitor)
    assert "low coverage" in overview_row(html, "Azc Dun") and "1/4 (25%)" in overview_row(html, "Azc Dun")
    assert "low coverage" not in overview_row(html, "Azc Half")  # 50% is not below 50%
    assert "low coverage" not in overview_row(html, "Azc Vol")
    averages = html[html.index('class="averages"'):]
    # Vol and Half score 100; Dun (0) is left out
    assert re.search(r"\(2 locations; 1 left out: low coverage\)", averages)
    assert re.search(r'<td class="cell status-green"><span class="status-mark" aria-hidden="true">✓</span> <a [^>]*>100</a>', averages)
    assert "Left out of the averages for low coverage (fewer than 50% of the assessable criteria scored): 1." in html
    # the threshold comes from the configuration: 0 leaves nothing out
    app.config["LOW_COVERAGE"] = 0
    html = page(monitor)
    assert "low coverage" not in html and "(3 locations)" in html
    assert re.search(r'<td class="cell status-amber"><span class="status-mark" aria-hidden="true">!</span> <a [^>]*>67</a>', html[html.index('class="averages"'):])
    # and a higher one marks more
    app.config["LOW_COVERAGE"] = 0.75
    html = page(monitor)
    assert "low coverage" in overview_row(html, "Azc Half") and "(1 locations; 2 left out: low coverage)" in html
    monitor.set_cookie("lang", "nl")
    assert "Weggelaten uit de gemiddelden wegens lage dekking (minder dan 75%" in monitor.get("/compare/").get_data(as_text=True)


def test_type_and_side_by_side_are_checkboxes_that_send_the_same_repeated_parameters(app, world):
    from tests.browserform import find_form

    monitor = login(app.test_client(), "monitor@m.test")
    html = page(monitor, "/compare/?type=azc")
    assert 'multiple' not in html  # no list boxes left on the overview
    filters, side = find_form(html, action_endswith="/compare/"), find_form(html, action_endswith="/compare/side")
    assert [c.value for c in filters.named("type") if c.checked] == ["azc"]  # the URL's choice is ticked
    filters.fill("type", ["azc", "noodopvang"])
    assert [v for n, v in filters.entries() if n == "type"] == ["azc", "noodopvang"]  # repeated, as before
    response = filters.submit(monitor, "/compare/")
    assert sorted(row_names(response.get_data(as_text=True))) == sorted(n for n, *_ in PLAN)
    side.fill("location", [str(i) for i in (world["Azc Noord"], world["Azc Zuid"])])
    response = side.submit(monitor, "/compare/")
    assert response.status_code == 200 and "Azc Noord" in response.get_data(as_text=True) and "Azc Zuid" in response.get_data(as_text=True)
    assert response.request.query_string.decode().count("location=") == 2


def test_province_organisation_and_operator_are_checkboxes_too_and_several_may_be_ticked(app, world):
    from tests.browserform import find_form

    monitor = login(app.test_client(), "monitor@m.test")
    html = page(monitor, "/compare/?organisation=2")
    assert sorted(row_names(html)) == ["Azc Zuid", "Noodopvang West"]
    filters = find_form(html, action_endswith="/compare/")
    assert [c.value for c in filters.named("organisation") if c.checked] == ["2"]
    assert [c.type for c in filters.named("province")] == ["checkbox"] and [c.type for c in filters.named("operator")] == ["checkbox"]
    filters.fill("organisation", ["1", "2"]).fill("province", "Utrecht").fill("operator", "COA")
    response = filters.submit(monitor, "/compare/")
    query = response.request.query_string.decode()
    assert "organisation=1&organisation=2" in query and "province=Utrecht" in query and "operator=COA" in query
    assert sorted(row_names(response.get_data(as_text=True))) == sorted(n for n, *_ in PLAN)
    # the links on the page keep every choice (sorting, the exports)
    assert "/exports/visits.csv?province=Utrecht&amp;operator=COA&amp;organisation=1&amp;organisation=2" in response.get_data(as_text=True)
    # an old bookmark from the single-choice lists still works: empty means all
    old = page(monitor, "/compare/?province=&organisation=&operator=")
    assert "Filter ignored" not in old and len(row_names(old)) == 4
    assert "Filter ignored" in page(monitor, "/compare/?organisation=abc")
    assert row_names(page(monitor, "/compare/?province=Zeeland&province=Utrecht&type=azc&organisation=1")) == ["Azc Noord"]
    assert row_names(page(monitor, "/compare/?province=Zeeland")) == []
