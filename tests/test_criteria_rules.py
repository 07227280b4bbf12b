"""Rules of criteria 2026.2 that reach every visit: the unaccompanied-minors domain follows
what the visit records, a criterion can carry its own cap, and a critical criterion that
could not be assessed is a flag of its own. Through the HTTP client, on a small file."""

from __future__ import annotations

import pytest

from checklist import create_app
from tests.conftest import SMALL_CRITERIA
from tests.conftest import add_users
from tests.conftest import create_location
from tests.conftest import create_visit
from tests.conftest import login
from tests.conftest import make_config
from tests.conftest import query
from tests.conftest import save


def _criteria_file(tmp_path, red_cap: bool):
    """The small test file with its amv domain applying everywhere amv live, as 2026.2 does."""
    text = SMALL_CRITERIA.read_text(encoding="utf-8")
    text = text.replace('version: "test.1"', 'version: "test.2"')
    text = text.replace("    applies_to: [amv_kleinschalig]\n", "    applies_to: all\n    applies_when: amv_present\n")
    if red_cap:
        text = text.replace("        critical: true\n", "        critical: true\n        cap: red\n", 1)
    path = tmp_path / "criteria.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _client(tmp_path, red_cap=False):
    app = create_app(make_config(tmp_path, CRITERIA_PATH=str(_criteria_file(tmp_path, red_cap))))
    add_users(app)
    return app, login(app.test_client())


def _domain_links(client, visit_id):
    page = client.get(f"/visits/{visit_id}/domains/play").get_data(as_text=True)
    return {d for d in ("play", "safety", "amv") if f'value="domain:{d}"' in page or f'data-domain="{d}"' in page}


@pytest.mark.parametrize("resident, has_amv", [("0", False), ("3", True), ("", True)])
def test_the_amv_domain_applies_unless_the_visit_records_none_living_there(tmp_path, resident, has_amv):
    app, client = _client(tmp_path)
    visit_id = create_visit(client, create_location(client, type="azc"), amv_resident=resident)
    assert ("amv" in _domain_links(client, visit_id)) is has_amv
    client.post(f"/visits/{visit_id}/domains/play", data={"value_play__space": "meets", "value_play__outdoor": "yes"})
    client.post(f"/visits/{visit_id}/domains/safety", data={"value_safety__fire": "yes", "number_safety__moves": "0"})
    client.post(f"/visits/{visit_id}/domains/amv", data={"value_amv__mentor": "fails"})
    assert client.post(f"/visits/{visit_id}/submit").status_code == 303
    domains = {r["domain_id"] for r in query(app, "select domain_id from visit_domain_scores where visit_id = ?", (visit_id,))}
    assert ("amv" in domains) is has_amv
    score = query(app, "select score from visit_scores where visit_id = ?", (visit_id,))[0]["score"]
    assert score == (pytest.approx(200 / 3) if has_amv else 100)


def test_recording_none_later_takes_the_domain_out_but_keeps_what_was_typed(tmp_path):
    app, client = _client(tmp_path)
    location_id = create_location(client, type="noodopvang")
    visit_id = create_visit(client, location_id, amv_resident="2")
    client.post(f"/visits/{visit_id}/domains/amv", data={"value_amv__mentor": "partly", "note_amv__mentor": "Mentor komt wekelijks"})
    details = {"visit_date": "2026-01-15", "visitors": "A.B.", "announced": "1", "children_present": "12", "amv_present": "0", "amv_resident": "0"}
    assert client.post(f"/visits/{visit_id}/details", data=details).status_code in (302, 303)
    assert "amv" not in _domain_links(client, visit_id)
    # A page that was open there still saves: nothing typed is lost.
    page = client.get(f"/visits/{visit_id}/domains/amv").get_data(as_text=True)
    assert "geen alleenstaande minderjarigen wonen" in page  # Dutch first
    response = save(client, visit_id, "amv", {"value_amv__mentor": "meets"})
    assert response.status_code == 303
    assert query(app, "select value from answers where visit_id = ? and criterion_id = 'amv.mentor'", (visit_id,))[0]["value"] == "meets"


@pytest.mark.parametrize("red_cap, expected", [(False, "amber"), (True, "red")])
def test_a_critical_failure_caps_the_overall_status_at_its_own_cap(tmp_path, red_cap, expected):
    app, client = _client(tmp_path, red_cap=red_cap)
    visit_id = create_visit(client, create_location(client, type="azc"), amv_resident="0")
    client.post(f"/visits/{visit_id}/domains/play", data={"value_play__space": "meets", "value_play__outdoor": "yes"})
    client.post(f"/visits/{visit_id}/domains/safety", data={"value_safety__fire": "no", "number_safety__moves": "0"})
    client.post(f"/visits/{visit_id}/submit")
    row = query(app, "select score, status from visit_scores where visit_id = ?", (visit_id,))[0]
    assert row["score"] >= 55  # amber by its average: only the cap makes it red
    assert row["status"] == expected
