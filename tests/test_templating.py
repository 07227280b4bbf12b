"""The per-render url_for and csrf_token give what Flask's and Flask-WTF's give."""

from __future__ import annotations

from flask import render_template_string
from flask import url_for
from flask_wtf.csrf import generate_csrf
from markupsafe import escape


def test_memoised_url_for_and_csrf_token_match_flask(app):
    source = (
        "{{ url_for('visits.detail', visit_id=3) }}|{{ url_for('visits.detail', visit_id=3) }}|"
        "{{ url_for('visits.detail', visit_id=4, _anchor='x') }}|{{ url_for('locations.index', q=['a', 'b']) }}|"
        "{{ url_for('static', filename='style.css') }}|{{ csrf_token() }}|{{ csrf_token() }}"
    )
    with app.test_request_context("/locations/"):
        rendered = render_template_string(source).split("|")
        expected = [
            url_for("visits.detail", visit_id=3),
            url_for("visits.detail", visit_id=3),
            url_for("visits.detail", visit_id=4, _anchor="x"),
            url_for("locations.index", q=["a", "b"]),
            url_for("static", filename="style.css"),
            generate_csrf(),
            generate_csrf(),
        ]
    assert rendered == [str(escape(url)) for url in expected]  # render_template_string autoescapes
    assert rendered[3].count("q=") == 2
