"""8. The criteria versions the visits were made with."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak
from reportlab.platypus import Table

from checklist.reports.frame import FRAME_WIDTH
from checklist.reports.monitor.context import MonitorContext
from checklist.reports.monitor.title import mixed_versions_text
from checklist.reports.monitor.tables import head_row
from checklist.reports.monitor.tables import table_style
from checklist.reports.styles import cell
from checklist.reports.styles import para


def section(ctx: MonitorContext) -> list:
    report, _ = ctx.report, ctx._
    story = [CondPageBreak(40 * mm), para(_("Criteria versions used"), "H1")]
    story.append(para(_("Each visit is scored with the criteria version it was made with."), "Body"))
    if report.common_criteria is not None:
        story.append(para(mixed_versions_text(ctx), "Body"))
    widths = [FRAME_WIDTH * w for w in (0.22, 0.22, 0.12, 0.22, 0.22)]
    head = head_row([_("Criteria version"), _("File hash"), _("Visits"), _("First visit"), _("Last visit")], widths)
    rows = [head] + [
        [
            cell(v["version"]),
            cell(v["hash"][:12], "CellMuted"),
            cell(str(v["visits"]), "CellRight"),
            cell(ctx.date(v["first_date"], "medium")),
            cell(ctx.date(v["last_date"], "medium")),
        ]
        for v in report.versions
    ]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(table_style())
    return story + [table]
