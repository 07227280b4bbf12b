"""Administration: accounts and organisations. Only for the admin role.

An organisation's admins manage their own organisation's accounts and read its audit rows;
system admins manage every account and the organisations (rules in `checklist.core.access`).
Another organisation's account, or a system admin's, answers 404 to an organisation's admin.
"""

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
from checklist.core.access import Account
from checklist.core.access import account_change_refused
from checklist.core.access import assignable_organisations
from checklist.core.access import assignable_roles
from checklist.core.access import may_manage_account
from checklist.core.labels import role_labels
from checklist.views.common import actor
from checklist.views.common import hash_password
from checklist.views.common import require
from checklist.views.common import token_hash
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


def _user_form(user: dict | None = None, **kwargs) -> UserForm:
    """The account form with the organisations and roles this admin may give (and the role the
    account has, which it may keep)."""
    me = current_user.account
    form = UserForm(**kwargs)
    organisations = store.list_organisations(get_db())
    allowed = set(assignable_organisations(me, [o["id"] for o in organisations]))
    form.organisation_id.choices = choices((o["id"], o["name"]) for o in organisations if o["id"] in allowed)
    roles = assignable_roles(me)
    if user is not None and user["role"] not in roles:
        roles = (*roles, user["role"])
    labels = role_labels(_)
    form.role.choices = choices((r, labels[r]) for r in roles)
    return form


def _refused(form: UserForm, user: dict | None) -> bool:
    """Adds the reason to the form when these values may not be given (`core.access`)."""
    before = Account.of(user) if user else None
    reason = account_change_refused(current_user.account, before, form.role.data, form.organisation_id.data, form.active.data)
    if reason:
        form.role.errors.append(_(reason))
    return reason is not None


def _manageable_user_or_404(user_id: int) -> dict:
    user = store.get_user(get_db(), user_id)
    if user is None or not may_manage_account(current_user.account, Account.of(user)):
        abort(404)
    return user


@bp.get("/users/")
def users():
    """The accounts this admin sees: every account for a system admin, else their organisation's."""
    me = current_user.account
    rows = store.list_users(get_db(), None if me.is_system_admin else me.organisation_id)
    rows = [dict(u, manageable=may_manage_account(me, Account.of(u)), is_system_admin=Account.of(u).is_system_admin) for u in rows]
    return render_template("admin/users.html", users=rows)


@bp.route("/users/new", methods=["GET", "POST"])
@csrf.exempt  # forms check their own token (forms.Form)
def new_user():
    form = _user_form()
    if form.validate_on_submit():
        if store.get_user_by_email(get_db(), form.email.data):
            form.email.errors.append(_("An account with this email address exists."))
        elif not form.password.data:
            form.password.errors.append(_("A new account needs a password."))
        elif not _refused(form, None):
            store.create_user(get_db(), form.email.data, form.display_name.data, form.organisation_id.data, form.role.data, hash_password(form.password.data), actor())
            flash(_("Account created."), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None), form.status()


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@csrf.exempt
def edit_user(user_id: int):
    """Change name, organisation, role or active; reset the password. Changes end the user's sessions."""
    user = _manageable_user_or_404(user_id)
    form = _user_form(user, data=dict(user, active=bool(user["active"])))
    form.email.render_kw = {"readonly": True}
    form.email.validators = []  # the email address is the account's name: never changed here
    form.email.data = user["email"]
    form.account_email = user["email"]
    form.account_name = user["display_name"]
    if form.validate_on_submit():
        if not _refused(form, user):
            store.update_user(get_db(), user_id, form.display_name.data, form.organisation_id.data, form.role.data, form.active.data, actor())
            if form.password.data:
                # Every session of the account ends; an admin who resets their own stays signed in here.
                keep = token_hash(current_user.token) if user_id == current_user.id else None
                store.set_password(get_db(), user_id, hash_password(form.password.data), actor=actor(), keep_session=keep)
            flash(_("Account saved."), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user), form.status()


@bp.post("/users/<int:user_id>/second-factor/reset")
def reset_second_factor(user_id: int):
    """A lost phone: the user's second factor and recovery codes are removed and their sessions
    end; they set it up again at their next sign-in. Audited. Only for an account this admin
    manages (another organisation's, or a system admin's, is 404 to an organisation's admin)."""
    user = _manageable_user_or_404(user_id)
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
    # An organisation's admins read what their organisation's accounts did.
    organisation = None if current_user.may("read_all_audit") else current_user.organisation_id
    rows = store.list_audit(get_db(), organisation_id=organisation, **filters)
    return render_template("admin/audit.html", rows=rows, filters=filters, users=store.list_users(get_db(), organisation))


@bp.route("/organisations/", methods=["GET", "POST"])
@csrf.exempt
def organisations():
    require("manage_organisations")
    form = OrganisationForm()
    if form.validate_on_submit():
        if store.organisation_id(get_db(), form.name.data):
            form.name.errors.append(_("This organisation exists."))
        else:
            store.create_organisation(get_db(), form.name.data, actor())
            flash(_("Organisation added."), "success")
            return redirect(url_for("admin.organisations"))
    return render_template("admin/organisations.html", form=form, organisations=store.list_organisations(get_db())), form.status()
