"""6. Actions and follow-up: what should change, who is responsible and by when."""

from __future__ import annotations

import datetime as dt

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak
from reportlab.platypus import Table

from checklist.core.labels import action_status_labels
from checklist.reports.frame import FRAME_WIDTH
from checklist.reports.styles import cell
from checklist.reports.styles import para
from checklist.reports.styles import table_style
from checklist.reports.visit.context import VisitContext


def section(ctx: VisitContext) -> list:
    """What should change, who is responsible and by when; then earlier actions checked here."""
    _ = ctx._
    actions = list(ctx.report.actions)
    recorded = [a for a in actions if not a.get("earlier")]
    earlier = [a for a in actions if a.get("earlier")]
    story = [CondPageBreak(40 * mm), para(_("Actions and follow-up"), "H1"), para(_("Actions recorded at this visit"), "H2")]
    if recorded:
        story.append(_actions_table(ctx, recorded))
    else:
        story.append(para(_("No actions were recorded at this visit."), "Body"))
    if earlier:
        story += [
            para(_("Actions from earlier visits"), "H2"),
            para(_("Actions of earlier visits that were checked at this visit, or are still open."), "Small"),
            _actions_table(ctx, earlier, earlier=True),
        ]
    return story


def _actions_table(ctx: VisitContext, actions: list, earlier: bool = False) -> Table:
    _ = ctx._
    labels = action_status_labels(_)
    today = dt.date.today().isoformat()
    head = [cell(t, "CellHead") for t in (_("Criterion"), _("What should change"), _("Responsible"), _("Due date"), _("Status"))]
    rows = [head]
    for a in actions:
        criterion = [cell(a.get("criterion"))]
        if earlier:
            criterion.append(cell(_("Recorded at the visit of %(date)s", date=ctx.date(a.get("visit_date"))), "CellMuted"))
        status = [cell(labels.get(a.get("status"), a.get("status")), "CellBold")]
        if a.get("status") != "open" and a.get("closed_in_visit_date"):
            status.append(cell(_("at the visit of %(date)s", date=ctx.date(a["closed_in_visit_date"])), "CellMuted"))
        elif a.get("status") == "open" and str(a.get("due_on") or "9999") < today:
            status.append(cell(_("overdue"), "Flag"))
        rows.append([criterion, cell(a.get("what")), cell(a.get("owner")), cell(ctx.date(a.get("due_on"))), status])
    table = Table(rows, colWidths=[FRAME_WIDTH * w for w in (0.23, 0.27, 0.21, 0.13, 0.16)], repeatRows=1)
    table.setStyle(table_style())
    return table
