"""The command line: init-db, demo-data (once only) and the PDF report."""

from __future__ import annotations

from checklist import create_app
from checklist.db import connect
from tests.conftest import ROOT
from tests.conftest import make_config
from tests.conftest import pdftotext


def real_app(tmp_path):
    """The app with the shipped criteria.yaml, as `make run` starts it."""
    return create_app(make_config(tmp_path, CRITERIA_PATH=str(ROOT / "criteria.yaml")))


def test_init_db(runner):
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0 and "up to date" in result.output


def test_demo_data_loads_once(tmp_path):
    app = real_app(tmp_path)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo-data"])
    assert first.exit_code == 0, first.output
    db = connect(app.config["DATABASE"])
    counts = {t: db[t].count for t in ("locations", "visits", "answers")}
    second = runner.invoke(args=["demo-data"])
    assert second.exit_code == 0 and "no demo data added" in second.output
    assert {t: db[t].count for t in ("locations", "visits", "answers")} == counts
    types = {r["type"] for r in db.query("select distinct type from locations")}
    assert types == {t.id for t in app.extensions["criteria"].location_types}
    assert counts["locations"] >= 12
    db.conn.close()


def test_demo_data_has_a_believable_spread(tmp_path):
    from checklist.access import EVERYTHING
    from checklist.visit_data import load_visit

    app = real_app(tmp_path)
    app.test_cli_runner().invoke(args=["demo-data"])
    db = connect(app.config["DATABASE"])
    rows = list(db.query("select v.id, l.type, v.visit_date from visits v join locations l on l.id = v.location_id where v.status = 'submitted'"))
    dates = sorted(r["visit_date"] for r in rows)
    assert (int(dates[-1][:4]) * 12 + int(dates[-1][5:7])) - (int(dates[0][:4]) * 12 + int(dates[0][5:7])) >= 20  # about two years
    scores, red_flags = {}, 0
    for row in rows:
        bundle = load_visit(db, row["id"], EVERYTHING)
        scores.setdefault(row["type"], []).append(bundle.score.score)
        red_flags += len(bundle.score.red_flags)
    mean = {t: sum(s) / len(s) for t, s in scores.items()}
    assert mean["noodopvang"] < mean["azc"] and mean["crisisnoodopvang"] < mean["azc"]
    assert red_flags >= 3
    assert list(db.query("select count(*) as n from visits where status = 'draft'"))[0]["n"] == 1
    db.conn.close()


def test_report_command_writes_a_readable_pdf(tmp_path, client, runner):
    from tests.conftest import create_location
    from tests.conftest import create_visit

    visit_id = create_visit(client, create_location(client, name="Azc Pdfstad"))
    client.post(f"/visits/{visit_id}/domains/play", data={"value_play__space": "partly", "note_play__space": "Speelkamer klein"})
    out = tmp_path / "visit.pdf"
    result = runner.invoke(args=["report", str(visit_id), "--out", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    text = pdftotext(out.read_bytes(), tmp_path)
    assert "Azc Pdfstad" in text and "Speelkamer klein" in text
    missing = runner.invoke(args=["report", "999", "--out", str(tmp_path / "x.pdf")])
    assert missing.exit_code != 0 and "no visit 999" in missing.output
