"""Evidence behind each answer (issue 9, section 3), through the doors users use.

With each answer the visitor ticks what it rests on (seen, document seen, staff said,
children said with how many, parents said with how many). It is saved through the one
save path (form and JSON), shown on the pages, in the PDF and the exports, and counted
in the monitor report. A critical criterion that could not be assessed is a flag of its
own wherever red flags are shown, with coverage beside every score.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import event
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from checklist import create_app
from checklist.core.evidence import EVIDENCE_TYPES
from checklist.core.evidence import canonical
from checklist.core.save_protocol import Answer
from checklist.core.save_protocol import Version
from tests.conftest import add_users
from tests.conftest import answers_in_db
from tests.conftest import create_location
from tests.conftest import create_visit
from tests.conftest import flat
from tests.conftest import login
from tests.conftest import make_config
from tests.conftest import pdftotext
from tests.conftest import query
from tests.conftest import save
from tests.conftest import submit
from tests.conftest import textarea
from tests.conftest import versions

EVIDENCE_CRITERIA = Path(__file__).parent / "criteria_evidence.yaml"


@pytest.fixture
def app(tmp_path):
    """The small test criteria with a sampling rule, a sampling criterion and a records criterion."""
    app = create_app(make_config(tmp_path, CRITERIA_PATH=str(EVIDENCE_CRITERIA)))
    add_users(app)
    return app


@pytest.fixture
def client(app):
    return login(app.test_client(), lang="en")


@pytest.fixture
def visit(client):
    return create_visit(client, create_location(client))


def ticked(page: str, key: str) -> set[str]:
    """The evidence chips a page shows as ticked for one criterion."""
    return set(re.findall(rf'<input type="checkbox" id="evidence_{key}-(\w+)" name="evidence_{key}" value="\w+" checked>', page))


def count_shown(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match, name
    return html.unescape(match.group(1))


def save_json(client, visit_id, data, domain="play"):
    return client.post(f"/visits/{visit_id}/domains/{domain}/answers", data=data, headers={"Accept": "application/json"})


# -- the save protocol --------------------------------------------------------------------


def test_an_answer_without_evidence_keeps_its_digest():
    """Pages and device copies made before evidence existed still match what is stored."""
    old = hashlib.sha256(json.dumps(["partly", "", "Speelkamer dicht"]).encode()).hexdigest()[:16]
    assert Answer(value="partly", note="Speelkamer dicht").digest() == old
    assert Answer.of({"value": "partly", "note": "Speelkamer dicht", "evidence": None, "children_n": None}).digest() == old
    with_evidence = Answer(value="partly", note="Speelkamer dicht", evidence="seen")
    assert with_evidence.digest() != old
    assert Answer(value="partly", evidence="children", children_n=3).digest() != Answer(value="partly", evidence="children", children_n=4).digest()
    assert Answer.of({"evidence": "children,seen,seen"}).evidence == "seen,children"


# -- saving through the form and the JSON endpoint -----------------------------------------


def test_the_form_saves_evidence_chips_and_counts_and_shows_them_again(client, app, visit):
    response = save(
        client,
        visit,
        "play",
        {
            "value_play__space": "partly",
            "evidence_play__space": ["children", "seen"],  # checkboxes, in any order
            "children_n_play__space": "4",
            "value_play__outdoor": "yes",
            "evidence_play__outdoor": "staff",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    rows = answers_in_db(app, visit)
    assert (rows["play.space"]["evidence"], rows["play.space"]["children_n"], rows["play.space"]["parents_n"]) == ("seen,children", 4, None)
    assert (rows["play.outdoor"]["evidence"], rows["play.outdoor"]["children_n"]) == ("staff", None)

    page = client.get(f"/visits/{visit}/domains/play").get_data(as_text=True)
    assert ticked(page, "play__space") == {"seen", "children"}
    assert ticked(page, "play__outdoor") == {"staff"}
    assert count_shown(page, "children_n_play__space") == "4"
    # The page's version is the stored answer's, evidence included: saving it again changes nothing.
    assert versions(client, visit, "play")["rev_play__space"] == Version.of(rows["play.space"]).token

    review = flat(client.get(f"/visits/{visit}/review").get_data(as_text=True))
    assert "Based on: Seen; Children said (4)" in review
    assert "Based on: Staff said" in review


def test_the_json_save_takes_evidence_as_one_value_as_the_browser_sends_it(client, app, visit):
    response = save_json(
        client,
        visit,
        {"value_play__space": "meets", "note_play__space": "", "evidence_play__space": "parents,document", "parents_n_play__space": "3", "children_n_play__space": ""},
    )
    assert response.status_code == 200, response.get_json()
    entry = response.get_json()["criteria"]["play.space"]
    row = answers_in_db(app, visit)["play.space"]
    assert entry["status"] == "saved" and entry["version"] == Version.of(row).token
    assert (row["evidence"], row["parents_n"], row["children_n"]) == ("document,parents", 3, None)

    # Unticking everything clears the evidence; the answer stays.
    mine = versions(client, visit, "play")
    response = save_json(client, visit, {**mine, "value_play__space": "meets", "evidence_play__space": "", "parents_n_play__space": ""})
    assert response.status_code == 200
    row = answers_in_db(app, visit)["play.space"]
    assert (row["value"], row["evidence"], row["parents_n"]) == ("meets", None, None)


def test_a_conflict_names_the_other_versions_evidence(client, app, visit):
    colleague = login(app.test_client(), "coordinator@a.test", lang="en")
    mine = versions(client, visit, "play")
    assert save(colleague, visit, "play", {"value_play__space": "fails", "evidence_play__space": "seen"}).status_code == 303
    response = save_json(client, visit, {**mine, "value_play__space": "meets"})
    assert response.status_code == 409
    assert response.get_json()["criteria"]["play.space"]["theirs"] == {"answer": "Does not meet", "note": None, "evidence": "Seen"}


def test_a_tick_without_its_count_comes_back_with_a_clear_message_and_everything_typed(client, app, visit):
    response = save(
        client,
        visit,
        "play",
        {
            "value_play__space": "partly",
            "note_play__space": "Kinderen zeggen dat de speelkamer vaak dicht is.",
            "evidence_play__space": ["seen", "children"],
            "value_play__outdoor": "yes",
            "evidence_play__outdoor": "seen",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "“Children said” is ticked: say how many children you spoke with (1–99)." in html.unescape(page)
    assert ticked(page, "play__space") == {"seen", "children"}
    assert textarea(page, "note_play__space") == "Kinderen zeggen dat de speelkamer vaak dicht is."
    assert 'id="children_n_play__space" name="children_n_play__space" value="" inputmode="numeric" autocomplete="off" size="3" aria-invalid="true"' in page
    # The valid criterion is saved, the wrong one is not.
    rows = answers_in_db(app, visit)
    assert "play.space" not in rows and rows["play.outdoor"]["evidence"] == "seen"


def test_a_count_without_its_tick_is_an_error_that_keeps_the_count(client, app, visit):
    response = save(client, visit, "play", {"value_play__space": "meets", "evidence_play__space": "seen", "parents_n_play__space": "5"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "A number of parents is given but “Parents said” is not ticked: tick it or clear the number." in html.unescape(page)
    assert count_shown(page, "parents_n_play__space") == "5"
    assert ticked(page, "play__space") == {"seen"}
    assert "play.space" not in answers_in_db(app, visit)

    # Through JSON the same rule, with the message per criterion.
    response = save_json(client, visit, {"value_play__space": "meets", "evidence_play__space": "children", "children_n_play__space": "120"})
    assert response.status_code == 422
    assert response.get_json()["criteria"]["play.space"]["errors"] == ["Enter a number from 1 to 99."]


COUNTS = st.one_of(st.none(), st.integers(min_value=-3, max_value=120).map(str), st.sampled_from(["", "abc", "2.5", "07"]))
CHOSEN = st.lists(st.sampled_from(EVIDENCE_TYPES), max_size=7)
# Any ticks with any counts (mostly refused), and ticks with the counts they ask for (saved).
ANY = st.tuples(CHOSEN, COUNTS, COUNTS)


@st.composite
def FITTING(draw):
    chosen = draw(CHOSEN)
    fit = lambda kind: draw(st.integers(1, 99).map(str)) if kind in chosen else draw(st.sampled_from([None, ""]))  # noqa: E731
    return chosen, fit("children"), fit("parents")


FITTING = FITTING()


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(post=st.one_of(FITTING, ANY), as_one_value=st.booleans())
def test_any_evidence_posted_saves_and_reads_back_or_comes_back_as_typed(client, app, visit, post, as_one_value):
    chosen, children, parents = post
    data = {"value_play__space": "meets", "note_play__space": "Speelkamer open."}
    if chosen:
        data["evidence_play__space"] = ",".join(chosen) if as_one_value else chosen
    if children is not None:
        data["children_n_play__space"] = children
    if parents is not None:
        data["parents_n_play__space"] = parents
    response = save(client, visit, "play", data)

    def number(text):
        return int(text) if text not in (None, "") and re.fullmatch(r"\d+", text) else None

    def well_formed(text):
        return text in (None, "") or (re.fullmatch(r"-?\d+", text) is not None)

    counts = {"children": children, "parents": parents}
    valid = all(well_formed(t) for t in counts.values()) and all(
        (kind in chosen) == (counts[kind] not in (None, "")) and (counts[kind] in (None, "") or 1 <= int(counts[kind]) <= 99)
        for kind in counts
    )
    event("saved" if valid else "refused")
    if valid:
        assert response.status_code == 303, response.get_data(as_text=True)[:300]
        row = answers_in_db(app, visit)["play.space"]
        assert (row["evidence"], row["children_n"], row["parents_n"]) == (canonical(chosen), number(children), number(parents))
        page = client.get(f"/visits/{visit}/domains/play").get_data(as_text=True)
    else:
        assert response.status_code == 422
        page = response.get_data(as_text=True)
        assert "has-error" in page
    assert ticked(page, "play__space") == set(chosen)
    for kind, typed in counts.items():
        shown = count_shown(page, f"{kind}_n_play__space")
        if typed and re.fullmatch(r"-?\d+", typed):
            assert int(shown) == int(typed), (kind, typed, shown)  # "07" may come back as "7"
        else:
            assert shown == (typed or ""), (kind, typed, shown)


# -- what the checklist page says about sampling and records ---------------------------------


def test_the_page_shows_the_sampling_rule_once_and_what_to_ask_for(client, visit):
    play = client.get(f"/visits/{visit}/domains/play").get_data(as_text=True)
    assert play.count("Ask at least 3 children, out of earshot of staff.") == 1
    assert play.count("Sampling rule: ask children") == 1  # only at play.space
    safety = html.unescape(client.get(f"/visits/{visit}/domains/safety").get_data(as_text=True))
    assert "Ask at least 3 children" not in safety  # no criterion there rests on children's words
    assert "Ask for: the evacuation plan; if missing: answer Could not assess" in safety


# -- could not assess a critical criterion: a flag of its own --------------------------------


def submitted_visit(client, app, location_id=None, fire="unknown", visit_date="2026-01-15"):
    location_id = location_id or create_location(client)
    visit_id = create_visit(client, location_id, visit_date=visit_date)
    assert save(
        client,
        visit_id,
        "play",
        {
            "value_play__space": "partly",
            "evidence_play__space": ["seen", "children"],
            "children_n_play__space": "4",
            "value_play__outdoor": "yes",
            "evidence_play__outdoor": "seen",
        },
    ).status_code == 303
    assert save(
        client,
        visit_id,
        "safety",
        {"value_safety__fire": fire, "note_safety__fire": "Ontruimingsplan niet gevonden.", "evidence_safety__fire": "staff", "number_safety__moves": "1", "evidence_safety__moves": "document"},
    ).status_code == 303
    submit(client, visit_id)
    return location_id, visit_id


def test_the_unassessed_flag_is_stored_and_shown_wherever_red_flags_are(client, app):
    location_id, visit_id = submitted_visit(client, app)
    other_location, _other = submitted_visit(client, app, fire="no")
    assert query(app, "select unassessed_flags, red_flags from visit_scores where visit_id = ?", [visit_id]) == [{"unassessed_flags": 1, "red_flags": 0}]
    assert query(app, "select unassessed_flags from visit_domain_scores where visit_id = ? and domain_id = 'safety'", [visit_id]) == [{"unassessed_flags": 1}]

    page = html.unescape(client.get(f"/visits/{visit_id}").get_data(as_text=True))
    assert "Critical criteria not assessed" in page and "Escape routes are clear." in page
    assert "Not assessed (critical): 1" in page
    assert "Coverage: 1/2 (50%)" in page  # beside the safety domain's score: fire unknown, moves scored

    mark = "?1<span class=\"visually-hidden\"> Critical criteria not assessed</span>"
    overview = html.unescape(client.get("/compare/?closed=all").get_data(as_text=True))
    assert overview.count(mark) == 1  # the overall cell of the one location with an unassessed flag
    location = html.unescape(client.get(f"/locations/{location_id}").get_data(as_text=True))
    assert mark in location and "4/4 (100%)" not in location and "3/4 (75%)" in location
    side = html.unescape(client.get(f"/compare/side?location={location_id}&location={other_location}").get_data(as_text=True))
    assert mark in side and "Critical criteria not assessed:</strong> Escape routes are clear." in side
    assert "Coverage: 3/4 (75%)" in side and "Coverage: 4/4 (100%)" in side


def test_coverage_stands_beside_the_previous_visits_score_and_the_type_averages(client, app, tmp_path):
    location_id, first = submitted_visit(client, app)  # fire unknown: 3 of 4 scored
    _location, second = submitted_visit(client, app, location_id=location_id, fire="yes", visit_date="2026-02-01")
    page = flat(html.unescape(client.get(f"/visits/{second}").get_data(as_text=True)))
    assert re.search(r"Previous submitted visit: <a [^>]+>2026-01-15</a> \(<span [^>]+>[^<]+</span>, Coverage: 3/4 \(75%\), Not assessed \(critical\): 1\)", page)
    overview = html.unescape(client.get("/compare/?closed=all").get_data(as_text=True))
    assert overview.count('<span class="coverage-small">4/4 (100%)</span>') == 2  # the location's row and its type's average
    text = flat(pdftotext(client.get(f"/visits/{second}/report.pdf").data, tmp_path))
    assert "Coverage: 75% at the previous visit, 100% now." in text


# -- the PDF, the exports, the monitor report ------------------------------------------------


def test_the_visit_pdf_shows_evidence_and_the_unassessed_flag(client, app, tmp_path):
    _location, visit_id = submitted_visit(client, app)
    text = flat(pdftotext(client.get(f"/visits/{visit_id}/report.pdf").data, tmp_path))
    assert "Based on: Seen; Children said (4)" in text
    assert "Based on: Document seen" in text
    assert "Critical criteria not assessed" in text
    assert "CRITICAL, NOT ASSESSED" in text
    assert "Ask at least 3 children, out of earshot of staff." in text  # the sampling rule in the appendix


def test_the_answers_export_has_the_evidence_and_the_visits_export_the_unassessed_flags(client, app):
    login(client, "coordinator@a.test", lang="en")
    _location, visit_id = submitted_visit(client, app)
    answers = list(csv.DictReader(io.StringIO(client.get("/exports/answers.csv?closed=all").get_data(as_text=True).lstrip("\ufeff"))))
    by_id = {row["criterion_id"]: row for row in answers if row["visit_id"] == str(visit_id)}
    assert (by_id["play.space"]["evidence"], by_id["play.space"]["children_n"], by_id["play.space"]["parents_n"]) == ("seen,children", "4", "")
    assert by_id["play.space"]["evidence_text"] == "Seen; Children said (4)"
    assert by_id["safety.moves"]["evidence"] == "document"
    visits = list(csv.DictReader(io.StringIO(client.get("/exports/visits.csv?closed=all").get_data(as_text=True).lstrip("\ufeff"))))
    assert [row["unassessed_flags"] for row in visits if row["visit_id"] == str(visit_id)] == ["1"]


def test_the_monitor_report_counts_answers_by_evidence_type(client, app, tmp_path):
    submitted_visit(client, app)  # seen+children(4), seen, staff (fire, unknown), document (moves)
    location_id, _visit = submitted_visit(client, app, fire="yes", visit_date="2026-02-01")
    # A third visit with answers that rest on nothing recorded and on parents.
    visit_id = create_visit(client, location_id, visit_date="2026-03-01")
    assert save(client, visit_id, "play", {"value_play__space": "meets", "evidence_play__space": "parents", "parents_n_play__space": "3", "value_play__outdoor": "no"}).status_code == 303
    submit(client, visit_id)
    posted = query(app, "select evidence, children_n, parents_n from answers a join visits v on v.id = a.visit_id where v.status = 'submitted'")
    expected = {kind: sum(kind in (row["evidence"] or "").split(",") for row in posted) for kind in EVIDENCE_TYPES}
    assert expected == {"seen": 4, "document": 2, "staff": 2, "children": 2, "parents": 1}

    monitor = login(app.test_client(), "monitor@m.test", lang="en")
    text = pdftotext(monitor.get("/reports/monitor.pdf?from=2026-01-01&to=2026-12-31&closed=all").data, tmp_path, layout=True)
    assert "What the answers rest on" in text
    table = {}
    for line in text.splitlines():
        cells = re.split(r"\s{2,}|\s(?=–)", line.strip())
        if cells and cells[0] in ("Seen", "Document seen", "Staff said", "Children said", "Parents said", "No evidence recorded", "All answers"):
            table[cells[0]] = (int(cells[1]), cells[3] if len(cells) > 3 else None)
    assert table["Seen"][0] == expected["seen"]
    assert table["Document seen"][0] == expected["document"]
    assert table["Staff said"][0] == expected["staff"]
    assert table["Children said"] == (expected["children"], "8")  # 4 children at each of two visits
    assert table["Parents said"] == (expected["parents"], "3")
    assert table["No evidence recorded"][0] == 1  # play.outdoor of the third visit
    assert table["All answers"][0] == len(posted) == 10
    flat_text = flat(text)
    assert "Critical criteria not assessed, by location" in flat_text and "Escape routes are clear." in flat_text


# -- demo data -------------------------------------------------------------------------------


def test_demo_answers_carry_believable_evidence_and_a_few_unknown_critical_criteria(app):
    from datetime import date

    from checklist.commands.demo import load_demo_data
    from checklist.store.connection import connect

    db = connect(app.config["DATABASE"])
    try:
        load_demo_data(db, app.extensions["criteria"], seed=2022, today=date(2026, 6, 1))
    finally:
        db.conn.close()
    rows = query(app, "select criterion_id, value, evidence, children_n, parents_n from answers")
    sampled = [r for r in rows if r["criterion_id"] == "play.space" and r["value"] != "unknown"]
    assert sampled and all("children" in r["evidence"].split(",") and 3 <= r["children_n"] <= 5 for r in sampled)
    records = [r for r in rows if r["criterion_id"] == "safety.fire" and r["value"] != "unknown"]
    assert records and all("document" in r["evidence"].split(",") for r in records)
    others = [r for r in rows if r["criterion_id"] in ("play.outdoor", "amv.mentor") and r["value"] not in ("unknown",)]
    assert sum("seen" in (r["evidence"] or "") for r in others) > 0.7 * len(others)
    assert all(r["children_n"] is None and r["parents_n"] is None for r in others)
    unknown_critical = [r for r in rows if r["criterion_id"] == "safety.fire" and r["value"] == "unknown"]
    assert 1 <= len(unknown_critical) <= 0.15 * len([r for r in rows if r["criterion_id"] == "safety.fire"])
