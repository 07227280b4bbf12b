"""4c. The right of reply: how many findings were put to the operators, answered in time,
disputed, agreed with a plan, left without a reply, and how many a re-check closed."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak
from reportlab.platypus import Table

from checklist.reports.frame import FRAME_WIDTH
from checklist.reports.monitor.context import MonitorContext
from checklist.reports.monitor.tables import head_row
from checklist.reports.monitor.tables import table_style
from checklist.reports.styles import cell
from checklist.reports.styles import para


def section(ctx: MonitorContext) -> list:
    report, _ = ctx.report, ctx._
    counts = report.replies or {}
    story = [CondPageBreak(50 * mm), para(_("Replies of the operators"), "H1")]
    story.append(
        para(
            _("Findings of the visits in this report that a coordinator put to the location's operator for reply (the criteria not met or partly met). A reply stands beside its finding in the visit report and never changes it; after the deadline a finding without a reply is final with “no reply received”."),
            "Body",
        )
    )
    if not counts.get("sent"):
        return story + [para(_("No findings of these visits were sent to an operator for reply."), "Body")]
    sent = counts["sent"]
    lines = [
        (_("Findings put to operators"), counts["sent"]),
        (_("Answered in time"), counts["in_time"]),
        (_("Disputed by the operator"), counts["disputed"]),
        (_("Agreed, with a plan and a date"), counts["planned"]),
        (_("No reply received by the deadline (overdue)"), counts["no_reply"]),
        (_("Reply still awaited"), counts["awaited"]),
        (_("Plan date passed, not yet fixed at a re-check"), counts["plan_overdue"]),
        (_("Closed: met at a later visit"), counts["closed"]),
    ]
    widths = [FRAME_WIDTH * w for w in (0.64, 0.18, 0.18)]
    rows = [head_row([_("Findings"), _("Number"), _("Share")], widths)]
    rows += [[cell(label), cell(str(n)), cell(ctx.percent(n, sent))] for label, n in lines]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(table_style())
    return story + [table]
