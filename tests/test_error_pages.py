"""A crash shows the app's own error page in the user's language, never a traceback, and is logged."""

from __future__ import annotations

import logging

import pytest
from flask import abort

from checklist import create_app
from tests.conftest import add_users
from tests.conftest import login
from tests.conftest import make_config

SECRET = "secret-internal-detail-42"


@pytest.fixture
def crashing_app(tmp_path):
    # PROPAGATE_EXCEPTIONS=False: in testing Flask would otherwise raise into the test instead of answering.
    app = create_app(make_config(tmp_path, PROPAGATE_EXCEPTIONS=False))

    def crash():
        raise RuntimeError(f"boom {SECRET}")

    def refuse():
        abort(500, description=SECRET)

    app.add_url_rule("/crash", "crash", crash)
    app.add_url_rule("/refuse", "refuse", refuse)
    add_users(app)
    return app


def test_a_crash_shows_the_error_page_in_dutch_without_internals(crashing_app, caplog):
    caplog.set_level(logging.ERROR, logger="checklist")
    client = login(crashing_app.test_client())
    response = client.get("/crash")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert '<html lang="nl">' in page and "Er ging iets mis" in page and "Terug naar de locaties" in page
    assert "Vera Visitor" in page  # the app's own layout, with the signed-in user
    for internal in (SECRET, "Traceback", "RuntimeError", "Internal Server Error", "werkzeug"):
        assert internal not in page, internal
    assert "Exception on /crash [GET]" in caplog.text and "RuntimeError: boom" in caplog.text and "Traceback" in caplog.text


def test_the_error_page_follows_the_language(crashing_app):
    client = login(crashing_app.test_client())
    client.set_cookie("lang", "en")
    page = client.get("/crash").get_data(as_text=True)
    assert '<html lang="en">' in page and "Something went wrong" in page and "Back to the locations" in page


def test_an_explicit_500_is_logged_and_shown_the_same_way(crashing_app, caplog):
    caplog.set_level(logging.ERROR, logger="checklist")
    response = login(crashing_app.test_client()).get("/refuse")
    assert response.status_code == 500 and "Er ging iets mis" in response.get_data(as_text=True)
    assert SECRET not in response.get_data(as_text=True)
    assert "500 on GET /refuse" in caplog.text


def test_when_the_error_page_itself_fails_a_plain_page_remains(crashing_app, monkeypatch, caplog):
    import checklist.views.site as web

    client = login(crashing_app.test_client())

    def broken(*args, **kwargs):
        raise RuntimeError("the template is broken too")

    monkeypatch.setattr(web, "render_template", broken)
    caplog.set_level(logging.ERROR, logger="checklist")
    response = client.get("/crash")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Er ging iets mis" in page and "Something went wrong" in page and SECRET not in page
    assert "the error page for a 500 failed too" in caplog.text


def test_a_crash_for_someone_not_signed_in_is_the_app_page_in_english_too(crashing_app):
    crashing_app.view_functions["pages.health"] = lambda: 1 / 0  # a public page that fails
    client = crashing_app.test_client()
    client.set_cookie("lang", "en")
    response = client.get("/health")
    page = response.get_data(as_text=True)
    assert response.status_code == 500 and '<html lang="en">' in page and "Something went wrong" in page
    assert 'rel="stylesheet"' in page and "ZeroDivisionError" not in page
