"""Visits with low coverage in the monitor report: left out of the means per type, the key
figure and the trends by the overview's rule (`LOW_COVERAGE`), and counted, with the
threshold, in both languages. Read back from the PDF with pdftotext."""

from __future__ import annotations

import re
import sqlite3

import pytest

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from checklist.core.scoring import low_coverage
from checklist.store.selection import low_coverage_sql
from tests.conftest import create_location
from tests.conftest import flat
from tests.conftest import login
from tests.conftest import pdftotext
from tests.test_monitor_report import key_figures
from tests.test_monitor_report import visit
from tests.test_versions import mixed  # noqa: F401  (a fixture)

PERIOD = "from=2025-01-01&to=2025-12-31&closed=all"
FULL = {
    "play": {"value_play__space": "meets", "value_play__outdoor": "yes"},
    "safety": {"value_safety__fire": "yes", "number_safety__moves": "1"},
}


def world(app):
    """Two azc locations visited in Q1 2025: one fully (every score 100), one where only
    play.space was answered, as not met (1 of 4 criteria scored: coverage 25%, score 0)."""
    a = login(app.test_client(), "visitor@a.test")
    full = create_location(a, name="Azc Volledig", type="azc")
    thin = create_location(a, name="Azc Dun", type="azc")
    visit(a, full, "2025-02-01", FULL)
    visit(a, thin, "2025-02-10", {"play": {"value_play__space": "fails"}})


def report(app, tmp_path, lang="en"):
    pdf = login(app.test_client(), "monitor@m.test", lang=lang).get(f"/reports/monitor.pdf?{PERIOD}")
    assert pdf.status_code == 200
    return flat(pdftotext(pdf.data, tmp_path)), pdftotext(pdf.data, tmp_path, layout=True)


def play_row(layout: str) -> list[str]:
    return re.search(r"^\s*Play\s+(\d+|–)\s*$", layout, re.M).groups()


def test_a_low_coverage_visit_changes_no_mean_and_is_counted_as_left_out(app, tmp_path):
    world(app)
    text, layout = report(app, tmp_path)
    # One type, so one column: the mean is the full visit's alone, not (100 + 0) / 2.
    assert list(play_row(layout)) == ["100"]
    assert key_figures(layout)[:3] == ["2", "2", "100"]  # both visits counted as submitted
    assert "left out for coverage below 50%: 1" in text
    assert "Visits left out for low coverage: 1, where fewer than 50% of the assessable criteria were scored." in text
    assert "1 left out (low coverage)" in text  # under the type's column and in its quarter
    trends = flat(layout[layout.index("Trends over the period") :])
    assert re.search(r"Q1 2025 100 \(1\) coverage 100% 1 left out \(low coverage\)", trends), trends[:600]
    locations = flat(layout[layout.rindex("Locations in this report") :])
    volledig, dun = locations.index("Azc Volledig"), locations.index("Azc Dun")
    assert "*" not in locations[volledig:dun] and re.match(r"Azc Dun .*?25% .*?low \*", locations[dun:])
    assert "* low: at its latest visit fewer than 50% of the assessable criteria were scored" in locations


def test_the_threshold_comes_from_the_configuration(app, tmp_path):
    world(app)
    app.config["LOW_COVERAGE"] = 0  # the rule off: the thin visit pulls the mean down
    text, layout = report(app, tmp_path)
    assert list(play_row(layout)) == ["50"] and key_figures(layout)[2] == "50"
    assert "low coverage" not in text and "Visits left out" not in text
    app.config["LOW_COVERAGE"] = 0.3
    text, layout = report(app, tmp_path)
    assert list(play_row(layout)) == ["100"]
    assert "where fewer than 30% of the assessable criteria were scored" in text
    app.config["LOW_COVERAGE"] = 0.2  # 25% is not below 20%: nothing left out, and the report says so
    text, layout = report(app, tmp_path)
    assert list(play_row(layout)) == ["50"]
    assert "Visits left out for low coverage: 0, where fewer than 20%" in text


def test_dutch_report_says_the_same(app, tmp_path):
    world(app)
    text, _layout = report(app, tmp_path, lang="nl")
    assert "Bezoeken weggelaten wegens lage dekking: 1, waar minder dan 50% van de beoordeelbare criteria is gescoord." in text
    assert "weggelaten wegens dekking onder 50%: 1" in text
    assert "1 weggelaten (lage dekking)" in text
    assert "Lage dekking: een bezoek waar minder dan 50% van de beoordeelbare criteria is gescoord" in text  # the method appendix


def test_the_command_line_report_applies_the_same_rule(app, tmp_path):
    world(app)
    out = tmp_path / "monitor.pdf"
    result = app.test_cli_runner().invoke(args=["monitor-report", "--from", "2025-01-01", "--to", "2025-12-31", "--lang", "en", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = flat(pdftotext(out.read_bytes(), tmp_path))
    assert "Visits left out for low coverage: 1," in text


@settings(max_examples=300, derandomize=True, deadline=None)
@given(scored=st.integers(0, 120), extra=st.integers(0, 120), threshold=st.sampled_from([0, 0.1, 0.25, 1 / 3, 0.5, 0.6, 2 / 3, 0.75, 0.9, 1]))
def test_the_sql_rule_is_the_pure_rule(scored, extra, threshold):
    """One rule: the SQL the store leaves visits out by says what `core.scoring.low_coverage` says."""
    assessable = scored + extra
    sql, params = low_coverage_sql("s", threshold)
    conn = sqlite3.connect(":memory:")
    try:
        found = conn.execute(f"select {sql} from (select ? as scored, ? as assessable) s", [*params, scored, assessable]).fetchone()[0]
    finally:
        conn.close()
    assert bool(found) == low_coverage(scored, assessable, threshold)


def test_visits_made_with_different_versions_leave_out_the_same_visits(mixed, tmp_path):
    """Means taken on the criteria several versions share (`type_domain_means_on`) leave out
    a visit by its coverage on its own checklist, like the single-version means."""
    from checklist import store
    from checklist.core.access import Scope
    from checklist.core.filters import Filters
    from checklist.reports.monitor_data import monitor_report_data
    from checklist.store.connection import connect

    client = login(mixed.test_client(), "coordinator@a.test")
    thin = create_location(client, name="Azc Dun")
    db = connect(mixed.config["DATABASE"])
    try:
        visit_id = store.create_visit(db, thin, {"visit_date": "2026-02-20", "organisation_id": 1, "visitors": "A.B.", "announced": 1}, mixed.extensions["criteria"].hash)
        assert client.post(f"/visits/{visit_id}/domains/play", data={"value_play__space": "fails"}).status_code == 303
        assert client.post(f"/visits/{visit_id}/submit").status_code == 303

        def azc(min_coverage):
            data = monitor_report_data(db, Scope(submitted_only=True), Filters(closed="all"), mixed.extensions["criteria"], "en", False, "now", min_coverage)
            assert data.common_criteria is not None  # the mixed-version path
            return next(r for r in data.types if r["type"] == "azc"), data

        row, data = azc(0.5)
        assert row["shared"]["domains"]["play"]["score"] == pytest.approx(200 / 3)  # as without the thin visit
        assert (row["visits"], row["left_out"], data.left_out) == (3, 1, 1)
        row, data = azc(0)
        assert row["shared"]["domains"]["play"]["score"] == pytest.approx(50) and data.left_out == 0  # (3 x 66.7 + 0) / 4
    finally:
        db.conn.close()
    text = flat(pdftotext(login(mixed.test_client(), "monitor@m.test", lang="en").get("/reports/monitor.pdf").data, tmp_path))
    assert "Visits left out for low coverage: 1," in text
