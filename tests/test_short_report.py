"""The short visit PDF for a location manager: summary, red flags, what was not met with its notes,
actions; a domain with nothing to act on is one line. Read back with pdftotext."""

from __future__ import annotations

from tests.conftest import add_users
from tests.conftest import create_location
from tests.conftest import create_visit
from tests.conftest import flat
from tests.conftest import login
from tests.conftest import page_count
from tests.conftest import pdftotext
from tests.conftest import real_app


def test_the_short_pdf_keeps_what_needs_attention_and_folds_the_rest(tmp_path):
    app = real_app(tmp_path)
    add_users(app)
    criteria = app.extensions["criteria"]
    client = login(app.test_client(), lang="en")
    visit_id = create_visit(client, create_location(client, name="Azc Kortweg"), amv_resident="0")
    first = next(d for d in criteria.domains_for("azc") if sum(c.kind == "rating" for c in d.criteria) >= 3)
    rating = [c for c in first.criteria if c.kind == "rating"][:3]
    fails, partly, meets = rating
    data = {
        f"value_{fails.id.replace('.', '__')}": "fails",
        f"note_{fails.id.replace('.', '__')}": "De speelkamer was op slot",
        f"value_{partly.id.replace('.', '__')}": "partly",
        f"note_{partly.id.replace('.', '__')}": "Alleen op woensdag open",
        f"value_{meets.id.replace('.', '__')}": "meets",
        f"note_{meets.id.replace('.', '__')}": "Prima in orde",
    }
    assert client.post(f"/visits/{visit_id}/domains/{first.id}", data=data).status_code == 303
    assert 'href="/visits/%d/report-short.pdf"' % visit_id in client.get(f"/visits/{visit_id}").get_data(as_text=True)

    response = client.get(f"/visits/{visit_id}/report-short.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].endswith(f'-short-draft.pdf')
    short = flat(pdftotext(response.data, tmp_path))
    full_pdf = client.get(f"/visits/{visit_id}/report.pdf").data
    assert page_count(response.data) < page_count(full_pdf) / 2
    assert "Visit report, short version" in short and "Azc Kortweg" in short
    assert "Red flags" in short and "Findings that need attention" in short and "Actions and follow-up" in short
    for criterion, note in ((fails, "De speelkamer was op slot"), (partly, "Alleen op woensdag open")):
        assert flat(criterion.text.get("en")) in short and note in short
    assert flat(meets.text.get("en")) not in short and "Prima in orde" not in short  # met: only in the full report
    # every other domain is one line: nothing assessed
    others = [d for d in criteria.domains_for("azc") if d.id != first.id]
    assert short.count("nothing assessed") >= len(others) - 1
    assert "Not answered" not in short
    assert "Method" not in short or "Method" in flat(pdftotext(full_pdf, tmp_path))


def test_the_short_pdf_in_dutch_and_only_within_scope(tmp_path):
    app = real_app(tmp_path)
    add_users(app)
    client = login(app.test_client())
    visit_id = create_visit(client, create_location(client))
    text = flat(pdftotext(client.get(f"/visits/{visit_id}/report-short.pdf").data, tmp_path))
    assert "Bezoekrapport, korte versie" in text and "niets beoordeeld" in text
    other = login(app.test_client(), "visitor@b.test")
    assert other.get(f"/visits/{visit_id}/report-short.pdf").status_code == 404
