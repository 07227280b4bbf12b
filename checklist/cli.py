"""Command-line tools: `flask --app checklist <command>`. Docstrings are the help texts."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask import current_app

from checklist.criteria import CriteriaError
from checklist.criteria import load_criteria


@click.command("check-criteria")
@with_appcontext
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
def check_criteria_command(path: Path | None):
    """Validate a criteria file (default: the configured criteria.yaml)."""
    path = path or Path(current_app.config["CRITERIA_PATH"])
    try:
        criteria = load_criteria(path)
    except CriteriaError as err:
        for line in err.lines():
            click.echo(line, err=True)
        sys.exit(1)
    click.echo(criteria.summary())


@click.command("demo-data")
@with_appcontext
@click.option("--force", is_flag=True, help="Add the demo data even if the database already has locations.")
@click.option("--seed", default=2022, show_default=True, help="Random seed, so the demo data set is the same every time.")
def demo_data_command(force: bool, seed: int):
    """Load fictional demo locations and visits (only into an empty database)."""
    from checklist.db import connect
    from checklist.demo import load_demo_data

    db = connect(current_app.config["DATABASE"])
    try:
        if db["locations"].count and not force:
            click.echo("The database already has locations; no demo data added (use --force to add anyway).")
            return
        summary = load_demo_data(db, current_app.extensions["criteria"], seed=seed)
    finally:
        db.conn.close()
    click.echo(f"Demo data loaded: {summary['locations']} locations, {summary['visits']} visits, {summary['answers']} answers.")


@click.command("report")
@with_appcontext
@click.argument("visit_id", type=int)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Where to write the PDF.")
@click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True)
def report_command(visit_id: int, out: Path, lang: str):
    """Write the PDF visit report of one visit."""
    from checklist.db import connect
    from checklist.reports.visit_report import build_visit_report
    from checklist.visit_data import load_visit
    from checklist.visit_data import visit_report

    db = connect(current_app.config["DATABASE"])
    try:
        bundle = load_visit(db, visit_id)
        if bundle is None:
            raise click.ClickException(f"there is no visit {visit_id}")
        pdf = build_visit_report(visit_report(db, bundle, lang))
    finally:
        db.conn.close()
    out.write_bytes(pdf)
    click.echo(f"Wrote {out} ({len(pdf):,} bytes{', draft' if bundle.is_draft else ''}).")


def init_app(app) -> None:
    for command in (check_criteria_command, demo_data_command, report_command):
        app.cli.add_command(command)
