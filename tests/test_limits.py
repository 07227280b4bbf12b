"""Fair limits on heavy work (issue 11 §4): per user, a rate of PDF, report and export requests
shared by every worker, a number running at once, 429 with Retry-After and a page that says when
to try again; another user is not held up. And the cap on statements per visit."""

from __future__ import annotations

import re
import time

import pytest

from checklist import create_app
from checklist.views.limits import HEAVY_ENDPOINTS
from tests.conftest import add_users
from tests.conftest import create_location
from tests.conftest import create_visit
from tests.conftest import login
from tests.conftest import make_config
from tests.conftest import query
from tests.conftest import textarea


def limited_app(tmp_path, **settings):
    app = create_app(make_config(tmp_path, **settings))
    add_users(app)
    return app


@pytest.fixture
def visit(tmp_path):
    """An app with a rate of 3 heavy requests a minute, and a draft of the visitor's organisation."""
    app = limited_app(tmp_path, HEAVY_RATE="3 per minute")
    visitor = login(app.test_client())
    visit_id = create_visit(visitor, create_location(visitor))
    return app, visitor, visit_id


def fetch(client, path) -> int:
    """GET a file to the last byte and close the response, as a server does after sending."""
    response = client.get(path)
    response.get_data()
    response.close()
    return response.status_code


def retry_after(response) -> int:
    return int(response.headers["Retry-After"])


def test_a_user_past_the_rate_gets_429_with_retry_after_and_a_page_saying_when(visit):
    app, visitor, visit_id = visit
    for path in (f"/visits/{visit_id}/report.pdf", f"/visits/{visit_id}/report-short.pdf", "/criteria/handbook.pdf"):
        assert visitor.get(path).status_code == 200  # the rate counts all heavy routes together
    refused = visitor.get(f"/visits/{visit_id}/report.pdf")
    assert refused.status_code == 429
    assert 1 <= retry_after(refused) <= 61
    page = refused.get_data(as_text=True)
    assert refused.mimetype == "text/html"
    assert f"Probeer het over {retry_after(refused)} seconden opnieuw" in page  # Dutch first
    visitor.set_cookie("lang", "en")
    english = visitor.get("/criteria/handbook.pdf")
    assert english.status_code == 429
    assert re.search(r"You asked for 3 reports or exports within a minute.*Try again in \d+ seconds", english.get_data(as_text=True))
    # Ordinary pages are not limited.
    assert visitor.get(f"/visits/{visit_id}").status_code == 200


def test_another_user_is_not_held_up_by_the_first_users_limit(visit):
    app, visitor, visit_id = visit
    for _ in range(4):
        visitor.get(f"/visits/{visit_id}/report.pdf")
    assert visitor.get(f"/visits/{visit_id}/report.pdf").status_code == 429
    coordinator = login(app.test_client(), "coordinator@a.test")  # same organisation, same address
    assert coordinator.get(f"/visits/{visit_id}/report.pdf").status_code == 200
    monitor = login(app.test_client(), "monitor@m.test")
    assert monitor.get("/exports/visits.csv").status_code == 200


def test_the_count_is_shared_by_every_worker(tmp_path):
    """Two apps on one database file, as two gunicorn workers are: one count per user."""
    worker_a = limited_app(tmp_path, HEAVY_RATE="3 per minute")
    worker_b = create_app(make_config(tmp_path, HEAVY_RATE="3 per minute"))
    a = login(worker_a.test_client(), "monitor@m.test")
    b = login(worker_b.test_client(), "monitor@m.test")
    assert [a.get("/exports/visits.csv").status_code, b.get("/exports/answers.csv").status_code, a.get("/exports/visits.csv").status_code] == [200] * 3
    assert b.get("/exports/visits.csv").status_code == 429
    assert a.get("/exports/visits.csv").status_code == 429


def test_a_user_has_at_most_the_configured_number_running_at_once(tmp_path):
    app = limited_app(tmp_path, HEAVY_CONCURRENT=1, HEAVY_BUSY_RETRY_SECONDS=7)
    assert query(app, "select count(*) as n from heavy_slots")[0]["n"] == 0
    monitor = login(app.test_client(), "monitor@m.test")
    running = monitor.get("/exports/answers.csv", buffered=False)  # a streamed CSV still being sent
    assert running.status_code == 200
    busy = monitor.get("/exports/visits.csv")
    assert busy.status_code == 429
    assert retry_after(busy) == 7
    assert "1 van je rapporten of exports wordt nu gemaakt" in busy.get_data(as_text=True)
    other = login(app.test_client(), "coordinator@a.test")
    assert fetch(other, "/exports/visits.csv") == 200  # someone else's slots are their own
    running.get_data()
    running.close()  # the last byte was sent: the slot is given back
    assert fetch(monitor, "/exports/visits.csv") == 200
    assert query(app, "select count(*) as n from heavy_slots")[0]["n"] == 0


def test_a_slot_never_given_back_expires(tmp_path):
    """A worker killed mid-request never releases its slot; the slot's expiry frees it."""
    app = limited_app(tmp_path, HEAVY_CONCURRENT=1, HEAVY_SLOT_SECONDS=1)
    monitor = login(app.test_client(), "monitor@m.test")
    abandoned = monitor.get("/exports/answers.csv", buffered=False)
    assert monitor.get("/exports/visits.csv").status_code == 429
    time.sleep(1.1)
    assert fetch(monitor, "/exports/visits.csv") == 200
    abandoned.close()


def test_a_failing_heavy_request_gives_its_slot_back(tmp_path):
    app = limited_app(tmp_path, HEAVY_CONCURRENT=1)
    monitor = login(app.test_client(), "monitor@m.test")
    assert fetch(monitor, "/exports/visits.csv?type=no-such-type") == 400
    assert fetch(monitor, "/visits/999999/report.pdf") == 404
    assert fetch(monitor, "/exports/visits.csv") == 200


READS_TABLES = {"kobo.upload"}  # an export read into visits holds a worker as long as a PDF


def test_every_route_that_makes_a_file_is_limited(app):
    """A new PDF, CSV or XLSX route must be listed in HEAVY_ENDPOINTS (a photo is not heavy)."""
    makes_files = {rule.endpoint for rule in app.url_map.iter_rules() if re.search(r"\.(pdf|csv|xlsx)$", rule.rule)}
    assert makes_files | READS_TABLES == set(HEAVY_ENDPOINTS)


# -- statements per visit -------------------------------------------------------------------------


def test_statements_per_visit_are_capped_and_what_was_typed_comes_back(tmp_path):
    app = limited_app(tmp_path, STATEMENTS_MAX_PER_VISIT=2)
    visitor = login(app.test_client(), lang="en")
    visit_id = create_visit(visitor, create_location(visitor))
    for text in ("De schommel is kapot", "We mogen niet buiten spelen"):
        assert visitor.post(f"/visits/{visit_id}/children", data={"age_band": "8-12", "text": text}).status_code == 303
    refused = visitor.post(f"/visits/{visit_id}/children", data={"age_band": "4-7", "domain_id": "play", "text": "Er is geen stil plekje"})
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert "this visit already has 2 statements, the most one visit can have" in page
    assert textarea(page, "text") == "Er is geen stil plekje"
    assert 'value="4-7" selected' in page or re.search(r'<option selected value="4-7"|value="4-7"[^>]*selected', page)
    assert query(app, "select count(*) as n from child_voices where visit_id = ?", [visit_id])[0]["n"] == 2
    # Removing one makes room again.
    first = query(app, "select min(id) as id from child_voices where visit_id = ?", [visit_id])[0]["id"]
    assert visitor.post(f"/visits/{visit_id}/children/{first}/delete").status_code == 303
    assert visitor.post(f"/visits/{visit_id}/children", data={"age_band": "4-7", "text": "Er is geen stil plekje"}).status_code == 303
