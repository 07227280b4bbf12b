"""The visit page shows each action under the criterion it belongs to, beside a cached body.

The read-only body of a submitted visit is rendered once and kept (visits._submitted_body);
the actions under its criteria are put in per request, so they are never stale, never
another user's, and their forms carry the reader's own CSRF token.
"""

from __future__ import annotations

import re

from markupsafe import escape
from tests.conftest import create_location
from tests.conftest import create_visit
from tests.conftest import login
from tests.conftest import query
from tests.test_actions import ACTION
from tests.test_actions import record
from tests.test_actions import submitted_visit
from tests.test_versions import mixed  # noqa: F401  (a fixture)


def criterion_blocks(page: str) -> dict[str, str]:
    """criterion id key (play__space) -> the HTML of the actions row under that criterion."""
    return {
        m.group(1): m.group(0)
        for m in re.finditer(r'<tr class="criterion-actions" id="actions-([\w-]+)">.*?</tr>', page, re.S)
    }


def row_then_block(page: str, criterion_text: str, key: str) -> bool:
    """The criterion's own answer row is immediately followed by its actions row."""
    within_row = r"(?:(?!</tr>).)*</tr>"
    pattern = r"<tr[^>]*><td>" + re.escape(str(escape(criterion_text))) + within_row + r'\s*<tr class="criterion-actions" id="actions-' + key + '"'
    return re.search(pattern, page, re.S) is not None


def world(client):
    location = create_location(client, name="Azc Onder Criterium")
    visit = submitted_visit(
        client, location, value_play__space="fails", value_play__outdoor="yes", value_safety__moves="", number_safety__moves="2.5"
    )
    return location, visit


def test_actions_stand_under_their_criterion_escaped_and_not_in_a_list_at_the_bottom(app, client):
    _location, visit = world(client)
    hostile = '<b>Speelkamer</b> <img src=x onerror="alert(1)"> & open'
    assert record(client, visit, what=hostile).status_code == 303
    assert record(client, visit, criterion_id="safety.moves", what="Minder verhuizingen").status_code == 303
    client.set_cookie("lang", "en")
    page = client.get(f"/visits/{visit}").get_data(as_text=True)
    blocks = criterion_blocks(page)
    # Under the failed criterion: its action, escaped; under the count in the partly band: the other.
    assert set(blocks) == {"play__space", "safety__moves"}
    assert "&lt;b&gt;Speelkamer&lt;/b&gt; &lt;img src=x" in blocks["play__space"] and "&amp; open" in blocks["play__space"]
    assert "<b>Speelkamer</b>" not in page and "<img src=x" not in page
    assert "Minder verhuizingen" in blocks["safety__moves"] and "Minder verhuizingen" not in blocks["play__space"]
    assert "Speelkamer" not in blocks["safety__moves"]
    # Each block right under its criterion's row in the answers table, with the form to record another.
    criteria = app.extensions["criteria"]
    assert row_then_block(page, criteria.criterion("play.space").text.get("en"), "play__space")
    assert row_then_block(page, criteria.criterion("safety.moves").text.get("en"), "safety__moves")
    assert 'id="record-play__space"' in blocks["play__space"] and 'id="record-safety__moves"' in blocks["safety__moves"]
    # The section at the bottom no longer lists them again.
    section = re.search(r'<section id="actions".*?</section>', page, re.S).group(0)
    assert "Speelkamer" not in section and "Minder verhuizingen" not in section
    assert "Actions under their criterion in the answers above: 2." in section
    assert page.count("Minder verhuizingen") == 1


def test_the_cached_body_never_holds_actions_or_tokens(tmp_path):
    """Two colleagues with CSRF on: the first view fills the cache; the second gets their own
    token in the forms under each criterion, and an action recorded after the body was
    cached shows at once, under its criterion."""
    from tests.conftest import csrf_app
    from tests.conftest import csrf_login
    from tests.conftest import fresh_token

    app = csrf_app(tmp_path)
    first = csrf_login(app.test_client(), "coordinator@a.test")  # coordinators change the register of locations
    token = fresh_token(first)
    location = first.post("/locations/new", data={"name": "Azc Cache", "type": "azc", "csrf_token": token}).location.rsplit("/", 1)[-1]
    visit = first.post(f"/locations/{location}/visits/new", data={"visit_date": "2026-01-01", "visitors": "A", "csrf_token": token}).location.rsplit("/", 1)[-1]
    first.post(f"/visits/{visit}/domains/play", data={"value_play__space": "fails", "csrf_token": token})
    assert first.post(f"/visits/{visit}/submit", data={"csrf_token": token}).status_code == 303
    assert query(app, "select status from visits")[0]["status"] == "submitted"

    page = first.get(f"/visits/{visit}").get_data(as_text=True)  # fills the cache
    assert token in criterion_blocks(page)["play__space"]
    second = csrf_login(app.test_client(), "coordinator@a.test")
    second_token = fresh_token(second)
    assert second_token != token
    page = second.get(f"/visits/{visit}").get_data(as_text=True)
    block = criterion_blocks(page)["play__space"]
    assert second_token in block and token not in page
    recorded = second.post(f"/visits/{visit}/actions", data=dict(ACTION, due_on="2026-02-01", csrf_token=second_token))
    assert recorded.status_code == 303
    for client in (first, second):
        page = client.get(f"/visits/{visit}").get_data(as_text=True)
        assert ACTION["what"] in criterion_blocks(page)["play__space"]


def test_a_reader_outside_the_scope_sees_nothing(app, client):
    _location, visit = world(client)
    assert record(client, visit, what="Alleen voor De Vrolijkheid").status_code == 303
    assert "Alleen voor De Vrolijkheid" in client.get(f"/visits/{visit}").get_data(as_text=True)  # cached now
    other = login(app.test_client(), "coordinator@b.test")
    response = other.get(f"/visits/{visit}")
    assert response.status_code == 404 and "Alleen voor De Vrolijkheid" not in response.get_data(as_text=True)
    # A monitor reads the submitted visit and its actions, without any button or form to change them.
    monitor = login(app.test_client(), "monitor@m.test", lang="en")
    page = monitor.get(f"/visits/{visit}").get_data(as_text=True)
    block = criterion_blocks(page)["play__space"]
    assert "Alleen voor De Vrolijkheid" in block and "<form" not in block and "csrf_token" not in page.split("<main", 1)[-1].split("</main>")[0]


def test_action_on_a_criterion_this_visit_does_not_have_stays_in_a_short_list(app, client, db):
    location, visit = world(client)
    record(client, visit)
    # An earlier action on a criterion that no criterion of this checklist continues
    # (written as a retired criteria version would have left it).
    db.execute("update actions set criterion_id = 'retired.corner', what = 'Oude hoek opruimen' where id = 1")
    db.conn.commit()
    later = submitted_visit(client, location, visit_date="2026-03-01", value_play__space="fails")
    client.set_cookie("lang", "en")
    page = client.get(f"/visits/{later}").get_data(as_text=True)
    assert all("Oude hoek" not in block for block in criterion_blocks(page).values())
    section = re.search(r'<section id="actions".*?</section>', page, re.S).group(0)
    assert "Actions on criteria not on this visit" in section and "Oude hoek opruimen" in section


def test_earlier_action_stands_under_its_criterion_on_the_later_visit_and_on_a_draft(app, client):
    location, visit = world(client)
    record(client, visit, what="Buitenspeelplek omheinen")
    action_id = query(app, "select id from actions")[0]["id"]
    client.set_cookie("lang", "en")
    draft = create_visit(client, location, visit_date="2026-03-01")
    page = client.get(f"/visits/{draft}").get_data(as_text=True)
    # A draft's page has no answers table: the action stands under its criterion's heading.
    criteria = app.extensions["criteria"]
    heading = re.search(r'<h3 class="follow-up-criterion" id="actions-play__space">(.*?)</h3>(.*?)(?=<h3|</section>)', page, re.S)
    assert heading and heading.group(1) == criteria.criterion("play.space").text.get("en")
    assert "Buitenspeelplek omheinen" in heading.group(2) and f'name="visit_id" value="{draft}"' in heading.group(2)
    response = client.post(f"/actions/{action_id}/status", data={"status": "done", "visit_id": str(draft), "return_to": "visit"})
    assert response.location.endswith(f"/visits/{draft}#action-{action_id}")
    client.post(f"/visits/{draft}/domains/play", data={"value_play__space": "meets"})
    assert client.post(f"/visits/{draft}/submit").status_code == 303
    page = client.get(f"/visits/{draft}").get_data(as_text=True)
    block = criterion_blocks(page)["play__space"]
    assert "Buitenspeelplek omheinen" in block and "Done – at the visit of 2026-03-01" in block


def test_an_earlier_action_on_a_replaced_criterion_stands_under_the_one_that_replaces_it(mixed):
    """An action from a visit made with test.1 on play.outdoor, which test.2's play.outside
    replaces, stands under play.outside on the later visit made with test.2."""
    client = login(mixed.test_client(), "coordinator@a.test", lang="en")
    response = client.post(f"/visits/{mixed.ids['v1']}/actions", data=dict(ACTION, criterion_id="play.outdoor", what="Hek om het speelveld", due_on="2026-12-01"))
    assert response.status_code == 303
    page = client.get(f"/visits/{mixed.ids['v2']}").get_data(as_text=True)
    blocks = criterion_blocks(page)
    assert "Hek om het speelveld" in blocks["play__outside"]
    assert "Actions on criteria not on this visit" not in page
