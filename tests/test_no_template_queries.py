"""Pages get their data from their view: no SQL runs while a template renders.

Every connection the app opens is traced (sqlite3's trace callback); Flask's
`before_render_template` / `template_rendered` signals mark the time a template renders.
"""

from __future__ import annotations

import pytest
from flask import before_render_template
from flask import template_rendered

from checklist.views import database
from tests.conftest import create_location
from tests.conftest import create_visit
from tests.conftest import login
from tests.conftest import save


@pytest.fixture
def traced(app, monkeypatch):
    state = {"rendering": 0, "queries": []}
    connect = database.connect

    def traced_connect(path):
        db = connect(path)
        db.conn.set_trace_callback(lambda sql: state["queries"].append(sql) if state["rendering"] else None)
        return db

    def started(sender, template, context, **extra):
        state["rendering"] += 1

    def finished(sender, template, context, **extra):
        state["rendering"] -= 1

    monkeypatch.setattr(database, "connect", traced_connect)
    before_render_template.connect(started, app)
    template_rendered.connect(finished, app)
    yield state
    before_render_template.disconnect(started, app)
    template_rendered.disconnect(finished, app)


def test_no_page_queries_the_database_while_its_template_renders(app, traced):
    visitor = login(app.test_client())
    location = create_location(visitor)
    first = create_visit(visitor, location, visit_date="2025-06-01")
    save(visitor, first, "play", {"value_play__space": "fails", "note_play__space": "Dicht"})
    visitor.post(f"/visits/{first}/submit")
    coordinator = login(app.test_client(), "coordinator@a.test")
    coordinator.post(f"/visits/{first}/actions", data={"criterion_id": "play.space", "what": "Open de speelkamer", "owner": "COA", "due_on": "2026-12-01"})
    draft = create_visit(visitor, location, visit_date="2026-01-10")
    save(visitor, draft, "play", {"value_play__space": "partly"})
    pages = {
        coordinator: [
            "/locations/", f"/locations/{location}", f"/visits/{first}", f"/visits/{draft}", f"/visits/{draft}/domains/play",
            f"/visits/{draft}/domains/safety", f"/visits/{draft}/children", f"/visits/{draft}/review", f"/visits/{draft}/details",
            "/compare/", f"/compare/side?location={location}", "/reports/",
        ],
        login(app.test_client(), "admin@a.test"): ["/admin/users/", "/admin/audit/"],
    }
    for client, urls in pages.items():
        for url in urls:
            traced["queries"].clear()
            response = client.get(url)
            assert response.status_code == 200, url
            assert traced["queries"] == [], (url, traced["queries"])
