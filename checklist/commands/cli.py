"""Command-line tools: `flask --app checklist <command>`. Docstrings are the help texts."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask import current_app

from checklist.core.access import EVERYTHING
from checklist.core.access import ROLES
from checklist.core.criteria import CriteriaError
from checklist.core.criteria import load_criteria


ARCHIVE = Path(__file__).resolve().parent.parent / "criteria_archive"
CHANGELOG = "CRITERIA-CHANGELOG.md"


def _version_key(version: str):
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in version.split("."))


def _archived(version: str) -> Path | None:
    path = ARCHIVE / f"{version}.yaml"
    return path if path.is_file() else None


def _newest_archived_before(criteria) -> Path | None:
    """The archived version just before `criteria` (by version number), if any."""
    older = [p for p in ARCHIVE.glob("*.yaml") if _version_key(p.stem) < _version_key(criteria.version)]
    return max(older, key=lambda p: _version_key(p.stem)) if older else None


def _load_or_exit(path: Path):
    try:
        return load_criteria(path)
    except CriteriaError as err:
        for line in err.lines():
            click.echo(line, err=True)
        sys.exit(1)


def resolve_criteria(token: str):
    """A criteria file path, a stored version ("2026.1") or hash prefix from the
    criteria_versions table, or an archived version (checklist/criteria_archive/)."""
    from checklist import store
    from checklist.store.connection import connect

    if Path(token).is_file():
        return _load_or_exit(Path(token))
    database = Path(current_app.config["DATABASE"])
    if database.is_file():
        db = connect(str(database))
        try:
            rows = store.find_criteria_versions(db, token)
            hashes = list(dict.fromkeys(r["hash"] for r in rows))
            if len(hashes) == 1:
                return store.criteria_for_hash(db, hashes[0])
            if len(hashes) > 1:
                listed = ", ".join(f"{r['version']} {r['hash'][:12]}" for r in rows)
                raise click.ClickException(f"{token!r} names {len(hashes)} stored versions ({listed}); give a longer hash prefix")
        finally:
            db.conn.close()
    archived = _archived(token)
    if archived:
        return _load_or_exit(archived)
    raise click.ClickException(f"{token!r} is not a criteria file, a stored version or hash prefix, or an archived version")


@click.command("check-criteria")
@with_appcontext
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--previous",
    "previous_token",
    help="The version before it (a file, a stored or archived version): its retired ids must be replaced or listed "
    f"in {CHANGELOG}. Default for the configured file: the newest archived version before it.",
)
def check_criteria_command(path: Path | None, previous_token: str | None):
    """Validate a criteria file (default: the configured criteria.yaml), then audit its completeness."""
    from checklist.core.criteria_audit import audit_criteria

    configured = path is None
    path = path or Path(current_app.config["CRITERIA_PATH"])
    criteria = _load_or_exit(path)
    previous = None
    if previous_token:
        previous = resolve_criteria(previous_token)
    elif configured and (before := _newest_archived_before(criteria)):
        previous = _load_or_exit(before)
    changelog_path = path.parent / CHANGELOG
    changelog = changelog_path.read_text(encoding="utf-8") if changelog_path.is_file() else None
    audit = audit_criteria(criteria, previous, changelog, CHANGELOG)
    for note in audit.notes:
        click.echo(f"note: {note}")
    for problem in audit.problems:
        click.echo(str(problem), err=True)
    against = f" (against {previous.version})" if previous else ""
    if audit.problems:
        click.echo(f"{path}: {len(audit.problems)} completeness problems{against}", err=True)
        sys.exit(1)
    click.echo(criteria.summary() + against)


@click.command("criteria-diff")
@with_appcontext
@click.argument("old")
@click.argument("new")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--full", is_flag=True, help="Reworded texts in full rather than shortened.")
def criteria_diff_command(old: str, new: str, as_json: bool, full: bool):
    """What was retired, added, reworded and rescored from OLD to NEW.

    OLD and NEW are each a criteria file, a stored version (2026.1) or hash prefix from the
    database, or an archived version (checklist/criteria_archive/)."""
    import json

    from checklist.core.criteria_diff import diff_criteria
    from checklist.core.criteria_diff import diff_lines

    diff = diff_criteria(resolve_criteria(old), resolve_criteria(new))
    if as_json:
        click.echo(json.dumps(diff.as_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join(diff_lines(diff, full=full)))


@click.command("demo-data")
@with_appcontext
@click.option("--force", is_flag=True, help="Add the demo data even if the database already has locations.")
@click.option("--seed", default=2022, show_default=True, help="Random seed, so the demo data set is the same every time.")
def demo_data_command(force: bool, seed: int):
    """Load fictional demo locations and visits (only into an empty database)."""
    from checklist.store.connection import connect
    from checklist.commands.demo import load_demo_data
    from checklist.reports.visit_data import recompute_scores

    db = connect(current_app.config["DATABASE"])
    try:
        if db["locations"].count and not force:
            click.echo("The database already has locations; no demo data added (use --force to add anyway).")
            return
        summary = load_demo_data(db, current_app.extensions["criteria"], seed=seed)
        recompute_scores(db)
        accounts = create_demo_accounts(db)
        from checklist import store
        from checklist.commands.demo import load_demo_replies

        operator = store.get_user_by_email(db, "locatiemanager@demo.invalid")
        if any(email == "locatiemanager@demo.invalid" for email, *_ in accounts):
            load_demo_replies(db, operator["id"])
    finally:
        db.conn.close()
    click.echo(f"Demo data loaded: {summary['locations']} locations, {summary['visits']} visits, {summary['answers']} answers.")
    click.echo("Demo accounts (shown only now; an admin can reset passwords later):")
    for email, role, organisation, password in accounts:
        click.echo(f"  {role:12} {email:32} {password}   ({organisation})")


@click.command("report")
@with_appcontext
@click.argument("visit_id", type=int)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Where to write the PDF.")
@click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True)
def report_command(visit_id: int, out: Path, lang: str):
    """Write the PDF visit report of one visit."""
    from checklist.store.connection import connect
    from checklist.reports.visit_report import build_visit_report
    from checklist.reports.visit_data import load_visit
    from checklist.reports.visit_data import visit_report

    db = connect(current_app.config["DATABASE"])
    try:
        # The command line is the server operator's door: it reads every visit.
        bundle = load_visit(db, visit_id, EVERYTHING)
        if bundle is None:
            raise click.ClickException(f"there is no visit {visit_id}")
        pdf = build_visit_report(visit_report(db, bundle, lang, EVERYTHING))
    finally:
        db.conn.close()
    out.write_bytes(pdf)
    click.echo(f"Wrote {out} ({len(pdf):,} bytes{', draft' if bundle.is_draft else ''}).")


def create_demo_accounts(db) -> list[tuple[str, str, str, str]]:
    """One account per role (and a second organisation's visitor and admin), with random
    passwords. The first admin is a system admin, so a newcomer can do everything."""
    import secrets

    from checklist import store
    from checklist.core.passwords import hash_password

    wanted = [
        ("admin@demo.invalid", "Demo systeembeheerder", "admin", "De Vrolijkheid"),
        ("bezoeker@demo.invalid", "Demo bezoeker", "visitor", "De Vrolijkheid"),
        ("coordinator@demo.invalid", "Demo coördinator", "coordinator", "De Vrolijkheid"),
        ("monitor@demo.invalid", "Demo monitor", "monitor", "UNICEF Nederland"),
        ("bezoeker.warchild@demo.invalid", "Demo bezoeker War Child", "visitor", "War Child"),
        ("beheerder.warchild@demo.invalid", "Demo beheerder War Child", "admin", "War Child"),
        ("locatiemanager@demo.invalid", "Demo locatiemanager COA", "operator", "COA"),
    ]
    created = []
    for email, name, role, organisation in wanted:
        if store.get_user_by_email(db, email):
            continue
        password = secrets.token_urlsafe(12)
        system_admin = email == "admin@demo.invalid"
        store.create_user(db, email, name, store.organisation_id(db, organisation), role, hash_password(password, current_app.config), system_admin=system_admin)
        created.append((email, "system admin" if system_admin else role, organisation, password))
    return created


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--org", "organisation", required=True, help="Name of an existing organisation.")
@click.option("--name", "display_name", help="Display name (default: the part of the email before @).")
@click.option("--system-admin", is_flag=True, help="A system admin (role admin): manages every organisation's accounts and the organisations.")
@with_appcontext
def create_user_command(email: str, role: str, organisation: str, display_name: str | None, system_admin: bool):
    """Create an account. The password comes from CHECKLIST_PASSWORD or a prompt."""
    from email_validator import EmailNotValidError
    from email_validator import validate_email

    from checklist import store
    from checklist.core.passwords import hash_password
    from checklist.store.connection import connect
    from checklist.core.passwords import password_problems

    try:
        email = validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise click.BadParameter(f"{email!r} is not an email address: {error}", param_hint="EMAIL") from None
    if system_admin and role != "admin":
        raise click.BadParameter("a system admin has the role admin", param_hint="--role")
    display_name = display_name or email.split("@")[0]
    password = os.environ.get("CHECKLIST_PASSWORD") or click.prompt("Password", hide_input=True, confirmation_prompt=True)
    problems = password_problems(password, email, display_name)
    if problems:
        raise click.ClickException(" ".join(problems))
    db = connect(current_app.config["DATABASE"])
    try:
        organisation_id = store.organisation_id(db, organisation)
        if organisation_id is None:
            names = ", ".join(o["name"] for o in store.list_organisations(db))
            raise click.ClickException(f"unknown organisation {organisation!r}; known: {names}")
        if store.get_user_by_email(db, email):
            raise click.ClickException(f"an account for {email} exists")
        user_id = store.create_user(db, email, display_name, organisation_id, role, hash_password(password, current_app.config), system_admin=system_admin)
    finally:
        db.conn.close()
    click.echo(f"Created account {user_id}: {email} ({'system admin' if system_admin else role}, {organisation}).")


@click.command("make-system-admin")
@click.argument("email")
@click.option("--revoke", is_flag=True, help="Take the system admin rights away; the account stays an admin of its organisation.")
@with_appcontext
def make_system_admin_command(email: str, revoke: bool):
    """Make an existing account a system admin (its role becomes admin), or with --revoke an
    admin of its own organisation only. The account's sessions end."""
    from checklist import store
    from checklist.store.connection import connect

    db = connect(current_app.config["DATABASE"])
    try:
        user = store.get_user_by_email(db, email)
        if user is None:
            raise click.ClickException(f"there is no account {email!r}")
        store.set_system_admin(db, user["id"], not revoke)
        others = [u["email"] for u in store.list_users(db) if u["system_admin"] and u["role"] == "admin" and u["active"]]
    finally:
        db.conn.close()
    click.echo(f"{user['email']} is {'no longer' if revoke else 'now'} a system admin. System admins: {', '.join(others) or 'none'}.")


@click.command("recompute-scores")
@click.option("--all", "everything", is_flag=True, help="Recompute every submitted visit, not only those without stored scores.")
@with_appcontext
def recompute_scores_command(everything: bool):
    """Store the scores of submitted visits from their answers (stored scores are derived data)."""
    from checklist.store.connection import connect
    from checklist.reports.visit_data import recompute_scores

    db = connect(current_app.config["DATABASE"])
    try:
        ids = [r["id"] for r in db.query("select id from visits where status = 'submitted'")] if everything else None
        count = recompute_scores(db, ids)
    finally:
        db.conn.close()
    click.echo(f"Scores stored for {count} visits.")


def _iso_date(ctx, param, value):
    """A click callback: a YYYY-MM-DD date, or a clear error naming the option."""
    from datetime import date

    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"not a date (YYYY-MM-DD): {value!r}") from None


@click.command("monitor-report")
@click.option("--from", "since", required=True, callback=_iso_date, help="First visit date, YYYY-MM-DD.")
@click.option("--to", "until", required=True, callback=_iso_date, help="Last visit date, YYYY-MM-DD.")
@click.option("--type", "types", multiple=True, help="Location type id (repeat for several; default all).")
@click.option("--province", default="", help="Only locations in this province.")
@click.option("--organisation", default="", help="Only visits by this organisation (its name).")
@click.option("--operator", default="", help="Only locations of this operator.")
@click.option("--closed", type=click.Choice(["open", "closed", "all"]), default="all", show_default=True, help="Open or closed locations.")
@click.option("--anonymise", is_flag=True, help="Call locations Location A, B, ...: no names, municipalities, provinces or operators.")
@click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Where to write the PDF.")
@with_appcontext
def monitor_report_command(since, until, types, province, organisation, operator, closed, anonymise, lang, out):
    """Write the aggregate (monitor) report over every organisation's submitted visits."""
    from datetime import datetime
    from datetime import timezone

    from checklist import store
    from checklist.core.access import Scope
    from checklist.store.connection import connect
    from checklist.core.filters import Filters
    from checklist.reports.monitor_data import monitor_report_data
    from checklist.reports.monitor_report import build_monitor_report

    if since > until:
        raise click.BadParameter(f"--from {since} is after --to {until}", param_hint="'--from'")
    criteria = current_app.extensions["criteria"]
    known = [t.id for t in criteria.location_types]
    unknown = [t for t in types if t not in known]
    if unknown:
        raise click.BadParameter(f"unknown location type {', '.join(unknown)}; known: {', '.join(known)}", param_hint="'--type'")
    db = connect(current_app.config["DATABASE"])
    try:
        organisation_id = None
        if organisation:
            organisation_id = store.organisation_id(db, organisation)
            if organisation_id is None:
                names = ", ".join(o["name"] for o in store.list_organisations(db))
                raise click.ClickException(f"unknown organisation {organisation!r}; known: {names}")
        filters = Filters(
            types=tuple(types),
            provinces=(province,) if province else (),
            organisation_ids=(organisation_id,) if organisation_id else (),
            operators=(operator,) if operator else (),
            since=since,
            until=until,
            closed=closed,
        )
        # The command line is the server operator's door: every organisation, never drafts.
        data = monitor_report_data(
            db,
            Scope(submitted_only=True),
            filters,
            criteria,
            lang,
            anonymise,
            datetime.now(timezone.utc).isoformat(timespec="seconds"),
            current_app.config["LOW_COVERAGE"],
        )
        pdf = build_monitor_report(data)
    finally:
        db.conn.close()
    out.write_bytes(pdf)
    click.echo(f"Wrote {out} ({len(pdf):,} bytes; {data.summary['visits']} visits at {data.summary['locations']} locations).")


@click.command("criteria-book")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Where to write the PDF.")
@click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True)
@click.option("--version", "version", help="A stored criteria version (its name or hash) or a criteria file; default: the criteria in use.")
@with_appcontext
def criteria_book_command(out: Path, lang: str, version: str | None):
    """Write the handbook of the checklist: every criterion with guidance, evidence rule, anchors and sources."""
    from checklist.reports.criteria_book import build_criteria_book

    criteria = _criteria_named(version) if version else current_app.extensions["criteria"]
    pdf = build_criteria_book(criteria, lang)
    out.write_bytes(pdf)
    click.echo(f"Wrote {out} ({len(pdf):,} bytes; criteria version {criteria.version}, hash {criteria.hash[:12]}).")


ARCHIVE = Path(__file__).resolve().parent.parent / "criteria_archive"


def _criteria_named(name: str):
    """A criteria file by path, else a version stored in the database (by name or hash),
    else a frozen version in checklist/criteria_archive/ (by name)."""
    import re

    from checklist import store
    from checklist.store.connection import connect

    def load(path):
        try:
            return load_criteria(path)
        except CriteriaError as err:
            raise click.ClickException("\n".join(err.lines())) from None

    if Path(name).is_file():
        return load(Path(name))
    db = connect(current_app.config["DATABASE"])
    try:
        found = store.find_criteria_versions(db, name)
        if len(found) == 1:
            return store.criteria_for_hash(db, found[0]["hash"])
        if len(found) > 1:
            listed = "; ".join(f"{r['version']} {r['hash'][:12]} (stored {r['created_at'][:10]})" for r in found)
            raise click.ClickException(f"{name!r} names {len(found)} stored criteria versions: {listed}. Give the hash instead.")
        stored = sorted({r["version"] for r in db.query("select version from criteria_versions")})
    finally:
        db.conn.close()
    archived = ARCHIVE / f"{name}.yaml"
    if re.fullmatch(r"[0-9A-Za-z][0-9A-Za-z._-]*", name) and archived.is_file():
        return load(archived)
    known = ", ".join(stored) or "none"
    raise click.ClickException(f"{name!r} is neither a file nor a stored criteria version (stored: {known}).")


@click.command("reset-second-factor")
@click.argument("email")
@with_appcontext
def reset_second_factor_command(email: str):
    """Remove an account's second factor and recovery codes and end its sessions; it sets up a new
    one at its next sign-in. For when no admin can sign in (the only admin lost their phone)."""
    from checklist import store
    from checklist.store.connection import connect

    db = connect(current_app.config["DATABASE"])
    try:
        user = store.get_user_by_email(db, email)
        if user is None:
            raise click.ClickException(f"no account for {email}")
        store.reset_second_factor(db, user["id"], None)
    finally:
        db.conn.close()
    click.echo(f"The second factor of {user['email']} is reset; it sets up a new one at its next sign-in.")


def init_app(app) -> None:
    from checklist.commands.kobo import import_submissions_command
    from checklist.commands.kobo import xlsform_command
    from checklist.commands.mail import send_mail_command

    app.cli.add_command(reset_second_factor_command)
    for command in (
        send_mail_command,
        xlsform_command,
        import_submissions_command,
        check_criteria_command,
        demo_data_command,
        report_command,
        create_user_command,
        make_system_admin_command,
        recompute_scores_command,
        monitor_report_command,
        criteria_book_command,
        criteria_diff_command,
    ):
        app.cli.add_command(command)
