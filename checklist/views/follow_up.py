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
from checklist.reports.comparable import lineage_for
from checklist.views.database import get_db
from checklist.views.i18n import current_language
from checklist.views.i18n import request_translations


def actionable_results(bundle) -> dict[str, str]:
    """Criterion id -> result, for the criteria this visit found partly met or not met."""
    lines = (line for d in bundle.score.domains for line in d.lines)
    return {line.criterion_id: line.result for line in lines if line.result in store.ACTIONABLE_RESULTS}


@dataclass
class CriterionActions:
    """What a visit page shows under one criterion: the location's earlier actions on it (open,
    or checked at this visit), the actions recorded on it at this visit, and, when the visit
    found it partly met or not met and the reader manages actions, that result's label (the
    form to record one)."""

    criterion: object
    key: str = ""  # the criterion id as the page's ids write it (play__space)
    earlier: list = field(default_factory=list)
    recorded: list = field(default_factory=list)
    result: str | None = None


@dataclass
class VisitActions:
    """The actions part of a visit page: per criterion of this visit (in the visit's order),
    and the few whose criterion is not on this visit's checklist (a retired criterion that no
    current one continues, or one that does not apply here)."""

    by_criterion: dict = field(default_factory=dict)  # criterion id -> CriterionActions
    other_earlier: list = field(default_factory=list)
    other_recorded: list = field(default_factory=list)
    may_manage: bool = False

    def __bool__(self) -> bool:
        return bool(self.by_criterion or self.other_earlier or self.other_recorded)

    @property
    def placed(self) -> int:
        """Actions shown under a criterion of this visit."""
        return sum(len(g.earlier) + len(g.recorded) for g in self.by_criterion.values())


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
    """Every action a visit page shows, placed under the criterion it belongs to.

    An action recorded at an earlier visit made with another criteria version belongs to
    the criterion of this visit that continues its own (`replaces:`); one that no criterion
    of this visit continues goes to the short list of others."""
    db, scope, lang, today = get_db(), current_user.scope, current_language(), date.today().isoformat()
    panel = VisitActions(may_manage=current_user.may("manage_actions"))
    recorded = _decorate(store.visit_actions(db, bundle.visit["id"], scope), bundle.criteria, lang, today)
    earlier = [row for rows in store.checklist_actions(db, bundle.visit, scope).values() for row in rows]
    earlier = sorted(_decorate(earlier, bundle.criteria, lang, today), key=lambda r: (r["due_on"], r["id"]))
    results = actionable_results(bundle) if panel.may_manage else {}
    result_labels = _result_labels() if results else {}
    order = [line.criterion_id for d in bundle.score.domains for line in d.lines]
    groups = {cid: CriterionActions(bundle.criteria.criterion(cid), cid.replace(".", "__")) for cid in order}
    place = _placer(order, bundle.criteria)
    for rows, attr, other in ((earlier, "earlier", panel.other_earlier), (recorded, "recorded", panel.other_recorded)):
        for row in rows:
            cid = place(row["criterion_id"])
            (getattr(groups[cid], attr) if cid is not None else other).append(row)
    for cid, result in results.items():
        if cid in groups:
            groups[cid].result = result_labels[result]
    panel.by_criterion = {cid: g for cid, g in groups.items() if g.earlier or g.recorded or g.result}
    return panel


def _placer(order: list[str], criteria):
    """criterion id of an action -> the criterion of this visit it belongs to, or None.

    The lineage (a query for the stored versions) is only built for an action on a
    criterion that this visit's own version does not have."""
    known = set(order)
    lineage = []

    def place(criterion_id: str) -> str | None:
        if criterion_id in known:
            return criterion_id
        if not lineage:
            lineage.append(lineage_for(get_db(), criteria))  # keys: this visit's ids
        key = lineage[0].key(criterion_id)
        return key if key in known else None

    return place


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


def escalation_rows(rows) -> list[dict]:
    """Escalations with their criterion's text and whether the deadline passed."""
    db, lang, now = get_db(), current_language(), store.now()
    out = []
    for row in rows:
        criterion = store.criteria_for_hash(db, row["criteria_hash"]).criterion(row["criterion_id"])
        out.append(dict(row, criterion=criterion.text.get(lang) if criterion else row["criterion_id"], overdue=row["answered_at"] is None and row["due_at"] < now))
    return out


def start_page_escalations() -> list[dict]:
    """The open escalations at the top of a coordinator's start page (their organisation's)."""
    if not current_user.may("send_findings"):
        return []
    return escalation_rows(store.organisation_escalations(get_db(), current_user.organisation_id))
