"""Administration: accounts and organisations. Only for the admin role."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import request
from flask import render_template
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from checklist import store
from checklist.core.access import ROLES
from checklist.views.common import actor
from checklist.views.common import hash_password
from checklist.views.common import require
from checklist.views.database import get_db
from checklist.views.forms import OrganisationForm
from checklist.views.forms import UserForm
from checklist.views.forms import choices
from checklist.core.ids import parse_id
from checklist.views.common import csrf

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def admins_only():
    require("manage_users")


def _user_form(**kwargs) -> UserForm:
    form = UserForm(**kwargs)
    form.organisation_id.choices = choices((o["id"], o["name"]) for o in store.list_organisations(get_db()))
    form.role.choices = choices((r, r) for r in ROLES)
    return form


@bp.get("/users/")
def users():
    return render_template("admin/users.html", users=store.list_users(get_db()))


@bp.route("/users/new", methods=["GET", "POST"])
@csrf.exempt  # forms check their own token (forms.Form)
def new_user():
    form = _user_form()
    if form.validate_on_submit():
        if store.get_user_by_email(get_db(), form.email.data):
            form.email.errors.append(_("An account with this email address exists."))
        elif not form.password.data:
            form.password.errors.append(_("A new account needs a password."))
        else:
            store.create_user(get_db(), form.email.data, form.display_name.data, form.organisation_id.data, form.role.data, hash_password(form.password.data), actor())
            flash(_("Account created."), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None), form.status()


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@csrf.exempt
def edit_user(user_id: int):
    """Change name, organisation, role or active; reset the password. Changes end the user's sessions."""
    user = store.get_user(get_db(), user_id)
    if user is None:
        abort(404)
    form = _user_form(data=dict(user, active=bool(user["active"])))
    form.email.render_kw = {"readonly": True}
    form.email.validators = []  # the email address is the account's name: never changed here
    form.email.data = user["email"]
    form.account_email = user["email"]
    if form.validate_on_submit():
        if user_id == current_user.id and (not form.active.data or form.role.data != "admin"):
            form.role.errors.append(_("You cannot remove your own admin rights or deactivate yourself."))
        else:
            store.update_user(get_db(), user_id, form.display_name.data, form.organisation_id.data, form.role.data, form.active.data, actor())
            if form.password.data:
                store.set_password(get_db(), user_id, hash_password(form.password.data), actor=actor())
            flash(_("Account saved."), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user), form.status()


@bp.post("/users/<int:user_id>/second-factor/reset")
def reset_second_factor(user_id: int):
    """A lost phone: the user's second factor and recovery codes are removed and their sessions
    end; they set it up again at their next sign-in. Audited."""
    user = store.get_user(get_db(), user_id)
    if user is None:
        abort(404)
    store.reset_second_factor(get_db(), user_id, actor())
    flash(_("The second factor of %(email)s is reset. They set up a new one at their next sign-in.", email=user["email"]), "success")
    return redirect(url_for("admin.edit_user", user_id=user_id))


@bp.get("/audit/")
def audit():
    """The audit log, newest first, filtered by user, entity, action and period."""
    args = request.args
    filters = {
        "user_id": args.get("user_id", type=parse_id),
        "entity": args.get("entity", ""),
        "action": args.get("action", ""),
        "since": args.get("since", ""),
        "until": args.get("until", ""),
    }
    rows = store.list_audit(get_db(), **filters)
    return render_template("admin/audit.html", rows=rows, filters=filters, users=store.list_users(get_db()))


@bp.route("/organisations/", methods=["GET", "POST"])
@csrf.exempt
def organisations():
    form = OrganisationForm()
    if form.validate_on_submit():
        if store.organisation_id(get_db(), form.name.data):
            form.name.errors.append(_("This organisation exists."))
        else:
            store.create_organisation(get_db(), form.name.data, actor())
            flash(_("Organisation added."), "success")
            return redirect(url_for("admin.organisations"))
    return render_template("admin/organisations.html", form=form, organisations=store.list_organisations(get_db())), form.status()
