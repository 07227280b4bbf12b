"""The child-friendly reception checklist: a Flask app over SQLite and `criteria.yaml`."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import Flask

from checklist.core.criteria import CriteriaError
from checklist.core.criteria import load_criteria

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: config, database, criteria, languages, blueprints.

    A criteria file that does not validate stops start-up with its file, line and field.
    """
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        ENVIRONMENT="production",  # or "development": only then may SECRET_KEY be missing or DEBUG be on
        SECRET_KEY=None,
        DATABASE=os.path.join(app.instance_path, "checklist.sqlite"),
        CRITERIA_PATH=str(PROJECT_ROOT / "criteria.yaml"),
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        NOTE_MAX_LENGTH=2000,
        PHOTO_MAX_BYTES=10 * 1024 * 1024,  # one upload; only the photo route accepts more than MAX_CONTENT_LENGTH
        PHOTO_MAX_PX=1600,  # long side of the stored JPEG
        PHOTO_MAX_PER_VISIT=60,
        NOT_VISITED_MONTHS=6,
        LOW_COVERAGE=0.5,  # a visit with less of its assessable criteria scored is marked in the overview and left out of the type averages
        EXPORT_XLSX_MAX_CELLS=1_000_000,  # larger XLSX exports are refused with a pointer to the CSV (openpyxl writes ~50k cells/s)  # the overview lists locations without a visit for longer than this
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session: a long visit never expires mid-form
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=True,  # instance/config.py from `make run` turns this off for http://127.0.0.1
        REMEMBER_COOKIE_DURATION=0,
        SESSION_IDLE_MINUTES=120,
        SESSION_MAX_HOURS=12,
        DEVICE_UNLOCK_MINUTES=120,  # how long a device keeps its user's work open without the password (also after the browser closed)
        LOGIN_WINDOW_MINUTES=15,  # LOGIN_MAX_PER_ACCOUNT failures in this window lock that account for the rest of it
        LOGIN_MAX_PER_ACCOUNT=5,
        LOGIN_MAX_PER_ADDRESS=20,  # failures per LOGIN_ADDRESS_WINDOW_SECONDS from one address: a rate, never a lockout
        LOGIN_ADDRESS_WINDOW_SECONDS=60,
        PROXY_FIX_X_FOR=0,  # how many proxies in front of the app set X-Forwarded-For; 0: the header is ignored
        TOTP_REQUIRED_ROLES=("coordinator", "monitor", "admin", "operator"),  # must sign in with a second factor; other roles may turn it on
        TOTP_ISSUER="Checklist kindvriendelijke opvang",  # the name an authenticator app shows beside the code
        HEAVY_RATE="20 per minute",  # PDF, report and export requests per user, all workers together (Flask-Limiter syntax)
        PHOTO_RATE="30 per minute",  # photo uploads per user (each is decoded and re-encoded); a device sends the rest later
        IMPORT_SECONDS=20,  # the most a web upload of a Kobo or ODK export may take to check (`flask import-submissions` has no bound)
        HEAVY_CONCURRENT=1,  # of them running at once per user (with 2 workers, 2 would let one user take both)
        HEAVY_SLOT_SECONDS=120,  # a running request's slot expires after this (a killed worker never gives it back)
        HEAVY_BUSY_RETRY_SECONDS=5,  # Retry-After when all of a user's slots are taken
        STATEMENTS_MAX_PER_VISIT=100,  # what children said, per visit
        REPLY_DEADLINE_WEEKS=4,  # the default deadline for an operator's reply to findings sent (a coordinator may choose another per send)
        REPLY_AGAIN_WEEKS=2,  # the deadline when a coordinator asks once more
        ESCALATION_HOURS=48,  # a failed life-safety (cap: red) criterion: the operator's deadline to say what was done
        PLANNING_FLOOR_MONTHS=6,  # the planning page marks locations with children not visited for longer
        BASE_URL=None,  # the app's address in mails (https://checklist.example.org); default: the address of the request that queued it
        MAIL_SMTP_HOST=None,  # no host: mails are written as .eml files to MAIL_FOLDER instead of sent
        MAIL_SMTP_PORT=587,
        MAIL_SMTP_TLS="starttls",  # "starttls", "ssl" (implicit TLS, port 465) or "none"
        MAIL_SMTP_USER=None,
        MAIL_SMTP_PASSWORD=None,
        MAIL_SMTP_TIMEOUT=10,  # seconds per connection attempt
        MAIL_FROM="checklist@localhost",
        MAIL_FOLDER=os.path.join(app.instance_path, "mail"),
        MAIL_MAX_ATTEMPTS=12,  # then a mail is given up (kept in the outbox with its last error)
        MAIL_SEND_AFTER_REQUEST=True,  # after a response that queued mail, try to send the queue once (the worker retries the rest)
        ARGON2_TIME_COST=2,
        ARGON2_MEMORY_KIB=19 * 1024,  # OWASP's argon2id minimum (t=2, m=19 MiB, p=1)
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("CHECKLIST")
    else:
        app.config.update(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    _check_config_or_stop(app)
    if app.config["PROXY_FIX_X_FOR"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # request.remote_addr becomes the client as the trusted proxy saw it (for the login throttle and the log)
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"])
    app.extensions["criteria"], criteria_error = _load_criteria(app.config["CRITERIA_PATH"])

    from checklist.commands import backup
    from checklist.commands import cli
    from checklist.commands import database
    from checklist.reports.fonts import setup_reportlab
    from checklist.views import compression
    from checklist.views import database as request_database
    from checklist.views import i18n
    from checklist.views import limits
    from checklist.views import security
    from checklist.views import site
    from checklist.views import templating

    setup_reportlab()  # fonts and ReportLab's patches, once per process: importing the reports changes nothing
    database.prepare(app)
    compression.init_app(app)  # first, so that it compresses what every other hook made
    request_database.init_app(app)
    i18n.init_app(app)
    cli.init_app(app)
    backup.init_app(app)
    site.init_app(app)
    limits.init_app(app)  # after the blueprints: it wraps their heavy views
    security.init_app(app)
    templating.init_app(app)
    if criteria_error is not None:
        _refuse_commands(app, criteria_error)
    return app


class ConfigError(Exception):
    """A configuration that must not run, e.g. production without a SECRET_KEY."""


def _check_config_or_stop(app: Flask) -> None:
    problems = []
    production = app.config["ENVIRONMENT"] != "development" and not app.testing
    if production and (not app.config.get("SECRET_KEY") or len(str(app.config["SECRET_KEY"])) < 16):
        problems.append(
            "SECRET_KEY is not set (or shorter than 16 characters). Set it in instance/config.py or as "
            "CHECKLIST_SECRET_KEY, e.g. python3 -c 'import secrets; print(secrets.token_hex(32))'."
        )
    if production and (app.debug or app.config.get("DEBUG")):
        problems.append("DEBUG is on in the production configuration; debug mode runs code sent by the browser. Turn it off.")
    hops = app.config["PROXY_FIX_X_FOR"]
    if isinstance(hops, bool) or not isinstance(hops, int) or hops < 0:
        problems.append(f"PROXY_FIX_X_FOR must be a whole number of proxies (0 or more), not {hops!r}.")
    from checklist.core.access import ROLES

    required = app.config["TOTP_REQUIRED_ROLES"]
    if isinstance(required, str) or not all(role in ROLES for role in required):
        problems.append(f"TOTP_REQUIRED_ROLES must be a list of roles ({', '.join(ROLES)}), e.g. [] or [\"coordinator\", \"monitor\", \"admin\"]; not {required!r}.")
    if app.config["ENVIRONMENT"] == "development" and not app.config.get("SECRET_KEY"):
        import secrets

        app.config["SECRET_KEY"] = secrets.token_hex(32)  # development only: sessions end at every restart
    if app.config["SESSION_COOKIE_SECURE"]:
        app.config.setdefault("SESSION_COOKIE_NAME", "__Host-session")
        app.config["SESSION_COOKIE_NAME"] = "__Host-session"
    if problems:
        message = "the configuration is not safe to run:\n" + "\n".join(f"- {p}" for p in problems)
        if click.get_current_context(silent=True) is not None:
            raise click.ClickException(message)
        raise ConfigError(message)


def _load_criteria(path: str):
    """The criteria, or why they cannot be used.

    The web app does not start with a broken file (wsgi.py shows its problems). From the
    command line the app is still made, so `flask check-criteria` can report the problems,
    and every other command refuses with them (`_refuse_commands`)."""
    try:
        return load_criteria(path), None
    except CriteriaError as err:
        if click.get_current_context(silent=True) is None:
            raise
        return None, err


def _refuse_commands(app: Flask, err: CriteriaError) -> None:
    message = f"the criteria file is invalid, the app cannot start:\n{err}"

    def refuse(*args, **kwargs):
        raise click.ClickException(message)

    for name, command in app.cli.commands.items():
        if name != "check-criteria":
            command.callback = refuse
