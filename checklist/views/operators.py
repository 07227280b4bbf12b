"""Operator accounts: a coordinator invites the manager of one or more locations (at COA, a
municipality or another operator) and links the locations that account runs.

The invitation is a password made here and shown once, for the coordinator to hand over;
the account must set up a second factor at its first sign-in, whatever the configuration.
Every coordinator sees which operator accounts exist (the locations are a shared register);
only the coordinators of the organisation that invited one change it.
"""

from __future__ import annotations

import secrets

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import Email
from wtforms.validators import Length

from checklist import store
from checklist.core.ids import parse_id
from checklist.core.passwords import password_problems
from checklist.views.common import actor
from checklist.views.common import csrf
from checklist.views.common import hash_password
from checklist.views.common import require
from checklist.views.database import get_db
from checklist.views.forms import Form
from checklist.views.forms import strip_text

bp = Blueprint("operators", __name__, url_prefix="/operators")


class InviteForm(Form):
    email = StringField(_l("Email address"), validators=[DataRequired(), Email(), Length(max=254)], filters=[strip_text])
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)], filters=[strip_text])
    organisation = StringField(
        _l("Operator organisation"),
        validators=[DataRequired(), Length(max=120)],
        filters=[strip_text],
        description=_l("COA, the municipality, or the other operator this person works for; a new name adds it."),
    )


@bp.before_request
def coordinators_only():
    require("invite_operators")


def handover_password(email: str, name: str) -> str:
    """A random password that passes the password rules, to hand over once."""
    while True:
        candidate = "-".join(secrets.token_urlsafe(6) for _ in range(3))
        if not password_problems(candidate, email, name):
            return candidate


def _chosen_locations(open_ids: set[int]) -> list[int]:
    return sorted({i for i in (parse_id(v) for v in request.form.getlist("location")) if i in open_ids})


@bp.route("/", methods=["GET", "POST"])
@csrf.exempt  # the form checks its own token
def index():
    db = get_db()
    form = InviteForm()
    locations = [loc for loc in store.form_locations(db)]
    open_ids = {loc["id"] for loc in locations}
    invited = None
    status = 200
    if request.method == "POST":
        chosen = _chosen_locations(open_ids)
        if form.validate_on_submit():
            if store.get_user_by_email(db, form.email.data):
                form.email.errors.append(_("An account with this email address exists."))
            elif not chosen:
                flash(_("Choose at least one location that this account runs."), "error")
            else:
                organisation_id = store.operator_organisation(db, form.organisation.data, actor())
                if organisation_id is None:
                    form.organisation.errors.append(_("This is a visiting organisation of the coalition, not an operator."))
                else:
                    password = handover_password(form.email.data, form.display_name.data)
                    store.create_operator(db, form.email.data, form.display_name.data, organisation_id, hash_password(password), chosen, current_user.organisation_id, actor())
                    invited = {"email": form.email.data.strip().lower(), "password": password}
                    form = InviteForm(formdata=None)
        status = 200 if invited else 422
    return render_template(
        "operators/index.html",
        form=form,
        invited=invited,
        accounts=store.operator_accounts(db),
        locations=locations,
        organisations=store.operator_organisations(db),
        chosen=set(_chosen_locations(open_ids)) if request.method == "POST" and not invited else set(),
    ), status


@bp.post("/<int:user_id>")
def edit(user_id: int):
    """Change the locations an operator account runs, or deactivate it (its inviting organisation's coordinators)."""
    db = get_db()
    account = next((a for a in store.operator_accounts(db) if a["id"] == user_id), None)
    if account is None or account["invited_by"] != current_user.organisation_id:
        abort(404)
    open_ids = {loc["id"] for loc in store.form_locations(db)} | {loc["id"] for loc in account["locations"]}
    store.update_operator(db, user_id, _chosen_locations(open_ids), request.form.get("active") == "1", actor())
    flash(_("Operator account saved."), "success")
    return redirect(url_for("operators.index"), 303)
