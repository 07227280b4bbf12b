"""KoboToolbox and ODK on the command line: `xlsform` and `import-submissions`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("xlsform")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Where to write the XLSForm (.xlsx).")
@click.option("--version", "version", help="A stored criteria version (its name or hash) or a criteria file; default: the criteria in use.")
@click.option("--type", "location_type", help="Only this location type's criteria and locations (its id); default: every type, chosen in the form.")
@click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True, help="The form's default language (it has both).")
@with_appcontext
def xlsform_command(out: Path, version: str | None, location_type: str | None, lang: str):
    """Write the checklist as an XLSForm for KoboToolbox or ODK Collect."""
    from checklist import store
    from checklist.commands.cli import _criteria_named
    from checklist.core.xlsform import UnnamedCriterion
    from checklist.core.xlsform import build_form
    from checklist.reports.xlsform import write_xlsform
    from checklist.store.connection import connect

    criteria = _criteria_named(version) if version else current_app.extensions["criteria"]
    known = [t.id for t in criteria.location_types]
    if location_type is not None and location_type not in known:
        raise click.BadParameter(f"unknown location type {location_type!r}; known: {', '.join(known)}", param_hint="'--type'")
    db = connect(current_app.config["DATABASE"])
    try:
        # Stored, so the submissions of this form can be imported with this version.
        store.record_criteria_version(db, criteria)
        locations = store.form_locations(db)
    finally:
        db.conn.close()
    try:
        form = build_form(criteria, locations, location_type, lang)
    except UnnamedCriterion as err:
        raise click.ClickException(str(err)) from None
    data = write_xlsform(form)
    out.write_bytes(data)
    click.echo(f"Wrote {out} ({len(data):,} bytes; form_id {form.settings['form_id']}, version {form.settings['version']}, {len(locations)} locations).")


@click.command("import-submissions")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--org", "organisation", help="The organisation whose draft visits they become (its name); needed when there are several.")
@click.option("--dry-run", is_flag=True, help="Check the file and say what would be imported; write nothing.")
@with_appcontext
def import_submissions_command(file: Path, organisation: str | None, dry_run: bool):
    """Import a KoboToolbox or ODK Central export (XLSX, CSV, or Central's zip) of the
    checklist's XLSForm as draft visits. All or nothing: with any problem nothing is written."""
    from checklist import store
    from checklist.core.i18n import translations_for
    from checklist.core.submissions import FileError
    from checklist.core.submissions import read_tables
    from checklist.store.connection import connect

    _ = translations_for("en").gettext
    db = connect(current_app.config["DATABASE"])
    try:
        organisations = store.list_organisations(db)
        if organisation:
            organisation_id = store.organisation_id(db, organisation)
            if organisation_id is None:
                raise click.ClickException(f"unknown organisation {organisation!r}; known: {', '.join(o['name'] for o in organisations)}")
        elif len(organisations) == 1:
            organisation_id, organisation = organisations[0]["id"], organisations[0]["name"]
        else:
            raise click.ClickException(f"give --org: one of {', '.join(o['name'] for o in organisations)}")
        try:
            sheets = read_tables(file.read_bytes(), file.name, _)
        except FileError as err:
            raise click.ClickException(f"{file}: {err}") from None
        reading = store.read_import(db, sheets, current_app.config["NOTE_MAX_LENGTH"], _)
        if reading.problems:
            for line in reading.problem_lines(_):
                click.echo(f"{file}: {line}", err=True)
            if reading.unmatched_locations:
                click.echo("Locations to add or correct first: " + "; ".join(reading.unmatched_locations), err=True)
            click.echo(f"{file}: {len(reading.problems)} problems; nothing was imported.", err=True)
            sys.exit(1)
        before = store.imported_visits(db, [s.instance_id for s in reading.submissions])
        new = [s for s in reading.submissions if s.instance_id not in before]
        if dry_run:
            for sub in new:
                click.echo(f"row {sub.row}: would import {sub.instance_id} as a draft visit at location {sub.location_id} on {sub.facts['visit_date']}, {len(sub.answers)} answers, {len(sub.voices)} statements")
            for instance_id, visit_id in before.items():
                click.echo(f"{instance_id}: imported before as visit {visit_id}")
            click.echo(f"Dry run: {len(new)} submissions would become draft visits of {organisation}, {len(before)} were imported before; nothing written.")
            return
        done = store.import_submissions(db, reading.submissions, organisation_id, file.name)
    finally:
        db.conn.close()
    made = [d for d in done if d.new]
    for d in made:
        click.echo(f"{d.instance_id}: draft visit {d.visit_id}")
    click.echo(f"Imported {len(made)} submissions as draft visits of {organisation}; {len(done) - len(made)} were imported before.")
