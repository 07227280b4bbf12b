"""What the visit, checklist and location pages show of follow-up actions.

Gathered by each page's view and handed to its template, so no template queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date

from flask_login import current_user

from checklist import store
from checklist.core import labels
from checklist.views.database import get_db
from checklist.views.i18n import current_language
from checklist.views.i18n import request_translations


def actionable_results(bundle) -> dict[str, str]:
    """Criterion id -> result, for the criteria this visit found partly met or not met."""
    lines = (line for d in bundle.score.domains for line in d.lines)
    return {line.criterion_id: line.result for line in lines if line.result in store.ACTIONABLE_RESULTS}


@dataclass
class VisitActions:
    """The actions part of a visit page."""

    recorded: list = field(default_factory=list)  # recorded at this visit
    earlier: list = field(default_factory=list)  # earlier actions, open or checked at this visit
    targets: list = field(default_factory=list)  # (criterion, result label, answer text) that may get an action
    may_manage: bool = False


def _criterion_text(row: dict, criteria, lang: str) -> str:
    """An action's criterion in the reader's language: from the given criteria version,
    else from the version of the visit the action came from, else its id."""
    criterion = criteria.criterion(row["criterion_id"]) if criteria is not None else None
    if criterion is None and row.get("criteria_hash"):
        criterion = store.criteria_for_hash(get_db(), row["criteria_hash"]).criterion(row["criterion_id"])
    return criterion.text.get(lang) if criterion is not None else row["criterion_id"]


def _decorate(rows, criteria, lang: str, today: str) -> list[dict]:
    for row in rows:
        row["criterion_text"] = _criterion_text(row, criteria, lang)
        row["overdue"] = row["status"] == "open" and row["due_on"] < today
    return rows


def visit_action_panel(bundle) -> VisitActions:
    db, scope, lang, today = get_db(), current_user.scope, current_language(), date.today().isoformat()
    panel = VisitActions(may_manage=current_user.may("manage_actions"))
    panel.recorded = _decorate(store.visit_actions(db, bundle.visit["id"], scope), bundle.criteria, lang, today)
    earlier = store.checklist_actions(db, bundle.visit, scope)
    panel.earlier = _decorate([row for rows in earlier.values() for row in rows], bundle.criteria, lang, today)
    panel.earlier.sort(key=lambda r: (r["due_on"], r["id"]))
    if panel.may_manage:
        results = actionable_results(bundle)
        labels = _result_labels()
        for d in bundle.score.domains:
            for line in d.lines:
                if line.criterion_id in results:
                    panel.targets.append((bundle.criteria.criterion(line.criterion_id), labels[line.result]))
    return panel


def checklist_open_actions(bundle) -> dict[str, list[dict]]:
    """Per criterion id: the location's earlier open actions, and those checked at this visit."""
    lang, today = current_language(), date.today().isoformat()
    by_criterion = store.checklist_actions(get_db(), bundle.visit, current_user.scope)
    for rows in by_criterion.values():
        _decorate(rows, bundle.criteria, lang, today)
    return by_criterion


def location_actions(location, criteria) -> list[dict]:
    """A location's open actions that the reader may see."""
    rows = store.location_open_actions(get_db(), location["id"], current_user.scope)
    return _decorate(rows, criteria, current_language(), date.today().isoformat())




def _result_labels() -> dict[str, str]:
    return labels.answer_labels(request_translations().gettext)
