"""The child-friendly reception checklist: a Flask app over SQLite and `criteria.yaml`."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask import Flask

from checklist.criteria import CriteriaError
from checklist.criteria import load_criteria

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: config, database, criteria, languages, blueprints.

    A criteria file that does not validate stops start-up with its file, line and field.
    """
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY="dev-only-change-me",
        DATABASE=os.path.join(app.instance_path, "checklist.sqlite"),
        CRITERIA_PATH=str(PROJECT_ROOT / "criteria.yaml"),
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        NOTE_MAX_LENGTH=2000,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session: a long visit never expires mid-form
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("CHECKLIST")
    else:
        app.config.update(test_config)
    os.makedirs(app.instance_path, exist_ok=True)

    app.extensions["criteria"] = _load_criteria_or_stop(app.config["CRITERIA_PATH"])

    from checklist import backup
    from checklist import cli
    from checklist import db
    from checklist import i18n
    from checklist import web

    db.init_app(app)
    i18n.init_app(app)
    cli.init_app(app)
    backup.init_app(app)
    web.init_app(app)
    return app


def _load_criteria_or_stop(path: str):
    try:
        return load_criteria(path)
    except CriteriaError as err:
        if "check-criteria" in sys.argv[1:]:
            return None  # let `flask check-criteria` report it
        if click.get_current_context(silent=True) is not None:
            raise click.ClickException(f"the criteria file is invalid, the app cannot start:\n{err}") from None
        raise
