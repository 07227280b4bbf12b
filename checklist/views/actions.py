"""Actions and follow-up: record what must change after a criterion was not or partly met,
then mark it done, not done or cancelled, usually at the next visit's checklist.

Actions are follow-up, not findings: they can be recorded on a draft or a submitted visit
and never change its answers. Only visitors and coordinators of the visit's organisation
manage them; everyone else gets 404, like for a visit they cannot see.

The pages that show actions (visit, checklist, location) belong to other blueprints; their
views gather what they show with `checklist.views.follow_up`. None of that goes into the
cached body of a submitted visit (it holds per-user content and CSRF tokens): the visit
page puts each criterion's actions into a slot after that criterion's row of the body.
"""

from __future__ import annotations


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
from wtforms import DateField
from wtforms import HiddenField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import ValidationError

from checklist import store
from checklist.core import labels
from checklist.views.common import actor
from checklist.views.common import require
from checklist.views.database import get_db
from checklist.views.forms import NO_NAMES
from checklist.views.forms import Form
from checklist.views.forms import strip_text
from checklist.views.forms import field_key
from checklist.core.ids import parse_id
from checklist.views.i18n import request_translations
from checklist.views.common import get_bundle_or_404
from checklist.views.common import csrf
from checklist.views.follow_up import actionable_results

bp = Blueprint("actions", __name__)

WHAT_MAX = 1000
OWNER_MAX = 120


class ActionForm(Form):
    criterion_id = HiddenField(validators=[DataRequired()])
    what = TextAreaField(
        _l("What should change"), validators=[DataRequired(), Length(max=WHAT_MAX)], filters=[strip_text], description=NO_NAMES
    )
    owner = StringField(
        _l("Who is responsible"),
        validators=[DataRequired(), Length(max=OWNER_MAX)],
        filters=[strip_text],
        description=_l("Outside this app: for example the COA location manager, the municipality, a school or the GGD."),
    )
    due_on = DateField(_l("Due date"), validators=[InputRequired()])

    visit_date: str = ""

    def validate_due_on(self, field):
        if field.data and self.visit_date and field.data.isoformat() < self.visit_date:
            raise ValidationError(_l("The due date cannot be before the visit."))
        if field.data and field.data.year > 2100:
            raise ValidationError(_l("Enter a date before 2100."))


# -- views ------------------------------------------------------------------------------


@bp.post("/visits/<int:visit_id>/actions")
@csrf.exempt  # ActionForm checks its own token, so an expired one gives the typed action back
def create(visit_id: int):
    """Record an action from a criterion this visit found partly met or not met."""
    require("manage_actions")
    bundle = get_bundle_or_404(visit_id)
    form = ActionForm()
    form.visit_date = bundle.visit["visit_date"]
    results = actionable_results(bundle)
    valid = form.validate()
    criterion_id = form.criterion_id.data or ""
    if not form.csrf_expired and criterion_id not in results:
        form.criterion_id.errors = [
            _("An action can only be recorded for a criterion that this visit found partly met or not met.")
        ]
        valid = False
    if not valid:
        criterion = bundle.criteria.criterion(criterion_id)
        page = render_template("actions/new.html", bundle=bundle, form=form, criterion=criterion, result=results.get(criterion_id))
        return page, form.status()
    due_on = form.due_on.data.isoformat()
    action_id = store.create_action(get_db(), visit_id, criterion_id, results[criterion_id], form.what.data, form.owner.data, due_on, actor())
    flash(_("Action recorded."), "success")
    # Back to the action, under its criterion.
    return redirect(url_for("visits.detail", visit_id=visit_id, _anchor=f"action-{action_id}"), 303)


@bp.post("/actions/<int:action_id>/status")
def status(action_id: int):
    """Mark an action done, not done or cancelled (or open again), optionally at a later visit.

    A plain POST: the global CSRF check refuses it without a valid token (nothing typed is lost)."""
    require("manage_actions")
    db = get_db()
    action = store.get_action(db, action_id, current_user.scope)
    if action is None:
        abort(404)
    new_status = request.form.get("status", "")
    if new_status not in store.ACTION_STATUSES:
        abort(400)
    checked_in = None
    visit_id = request.form.get("visit_id", "")
    if visit_id:
        checked_in_id = parse_id(visit_id)
        visit = store.get_visit(db, checked_in_id, current_user.scope) if checked_in_id is not None else None
        if visit is None:
            abort(404)
        if visit["location_id"] != action["location_id"] or visit["id"] == action["visit_id"]:
            abort(400)
        checked_in = visit
    store.set_action_status(db, action_id, new_status, checked_in["id"] if checked_in else None, actor())
    flash(_status_message(new_status), "success")
    return redirect(_back(request.form.get("return_to", ""), action, checked_in), 303)


def _status_message(status: str) -> str:
    return {
        "open": _("The action is open again."),
        "done": _("Action marked as done."),
        "not_done": _("Action marked as not done."),
        "cancelled": _("Action cancelled."),
    }[status]


def _back(return_to: str, action: dict, visit: dict | None) -> str:
    """Back to where the button was: built from ids, never from a URL in the request."""
    if return_to == "checklist" and visit is not None and visit["status"] == "draft":
        domain_id = action["criterion_id"].split(".")[0]
        anchor = "c-" + field_key(action["criterion_id"])
        return url_for("visits.domain", visit_id=visit["id"], domain_id=domain_id, _anchor=anchor)
    if return_to in ("visit", "checklist"):  # the visit page shows the action under its criterion
        return url_for("visits.detail", visit_id=visit["id"] if visit else action["visit_id"], _anchor=f"action-{action['id']}")
    return url_for("locations.detail", location_id=action["location_id"], _anchor="actions")


def action_status_labels() -> dict[str, str]:
    return labels.action_status_labels(request_translations().gettext)


@bp.app_context_processor
def action_helpers():
    return {
        "action_status_labels": action_status_labels,
        "action_owner_suggestions": store.ACTION_OWNER_SUGGESTIONS,
    }
