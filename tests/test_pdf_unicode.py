"""Right-to-left and mixed scripts in the PDF reports: no crash, every word readable, right order.

The reports are read with poppler's `pdftotext`, as a monitor's tools would. Arabic
and Hebrew come back from it in logical (typed) order when the glyphs are laid out
in visual order, so "every word comes back" is checked word by word, and a word
drawn in the wrong order or with its letters reversed fails the check.
"""

from __future__ import annotations

from io import BytesIO

import pytest
from reportlab.platypus import SimpleDocTemplate
from reportlab.platypus import Table

from checklist.reports.styles import cell
from tests.conftest import create_location
from tests.conftest import create_visit
from tests.conftest import login
from tests.conftest import pdftotext

# Each of these made `Table([[cell(...)]])` raise TypeError (ShapedStr) in styles.py.
CRASHERS = ["نص.", "نص,", "نص!", "نص:", '"نص"', "«نص»", "(نص)", "نص-نص", "نص/نص", "نص 12", "12نص", "\u202eنص", "a\u202eنص."]


def build(flowables) -> bytes:
    buffer = BytesIO()
    SimpleDocTemplate(buffer).build(flowables)
    return buffer.getvalue()


def words(text: str) -> list[str]:
    return " ".join(text.split()).split()


@pytest.mark.parametrize("text", CRASHERS)
def test_arabic_next_to_punctuation_in_a_table_cell_builds(text, tmp_path):
    pdf = build([Table([[cell(text)]])])
    assert "نص" in pdftotext(pdf, tmp_path)


def test_visit_pdf_with_an_arabic_note_next_to_a_full_stop(client, tmp_path):
    visit_id = create_visit(client, create_location(client, name="Azc Notitie"))
    client.post(f"/visits/{visit_id}/domains/play", data={"value_play__space": "partly", "note_play__space": "نص."})
    response = client.get(f"/visits/{visit_id}/report.pdf")
    assert response.status_code == 200
    assert "نص" in pdftotext(response.data, tmp_path)


def test_monitor_pdf_with_an_arabic_statement_for_monitor_and_coordinator(app, tmp_path):
    visitor = login(app.test_client(), "visitor@a.test")
    visit_id = create_visit(visitor, create_location(visitor, name="Azc Stemmen"), visit_date="2025-04-01")
    visitor.post(f"/visits/{visit_id}/domains/play", data={"value_play__space": "meets"})
    visitor.post(f"/visits/{visit_id}/children", data={"age_band": "8-12", "domain_id": "play", "text": "ألعب كل يوم."})
    assert visitor.post(f"/visits/{visit_id}/submit").status_code == 303
    for email in ("monitor@m.test", "coordinator@a.test"):
        response = login(app.test_client(), email).get("/reports/monitor.pdf?from=2025-01-01&to=2025-12-31")
        assert response.status_code == 200, email
        text = pdftotext(response.data, tmp_path)
        for word in ("ألعب", "كل", "يوم"):
            assert word in words(text) or word in text, (email, word)


def test_cli_reports_with_arabic(app, client, runner, tmp_path):
    visit_id = create_visit(client, create_location(client, name="نص. (Azc)"), visit_date="2025-04-01")
    client.post(f"/visits/{visit_id}/domains/play", data={"value_play__space": "partly", "note_play__space": "«نص»"})
    client.post(f"/visits/{visit_id}/children", data={"age_band": "8-12", "domain_id": "play", "text": "ألعب كل يوم."})
    out = tmp_path / "visit.pdf"
    result = runner.invoke(args=["report", str(visit_id), "--out", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert client.post(f"/visits/{visit_id}/submit").status_code == 303
    result = runner.invoke(args=["monitor-report", "--from", "2025-01-01", "--to", "2025-12-31", "--out", str(tmp_path / "m.pdf")])
    assert result.exit_code == 0, result.output
