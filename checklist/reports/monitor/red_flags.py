"""4. Red flags by location: critical criteria not met at each location's latest visit."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak
from reportlab.platypus import Spacer
from reportlab.platypus import Table

from checklist.reports.frame import FRAME_WIDTH
from checklist.reports.monitor.context import MonitorContext
from checklist.reports.monitor.tables import CELL_SMALL
from checklist.reports.monitor.tables import head_row
from checklist.reports.monitor.tables import table_style
from checklist.reports.styles import STATUS_COLOURS
from checklist.reports.styles import STATUS_TINTS
from checklist.reports.styles import cell
from checklist.reports.styles import para


def section(ctx: MonitorContext) -> list:
    report, _ = ctx.report, ctx._
    story = [CondPageBreak(60 * mm), para(_("Red flags by location"), "H1")]
    story.append(para(_("Critical criteria not met at each location's latest submitted visit in the period."), "Body"))
    if not report.red_flags:
        none = _("No red flags: at every location's latest visit, every critical criterion that was assessed is met.")
        return story + [para(none, "Body")]
    table = location_criteria_table(ctx, report.red_flags, _("Critical criterion not met"), "red")
    total = len(report.locations)
    story += [
        table,
        Spacer(1, 2 * mm),
        para(
            _(
                "%(clear)d of %(total)d locations had no red flag at their latest visit in the period.",
                clear=total - len(report.red_flags),
                total=total,
            ),
            "Body",
        ),
    ]
    return story


def location_criteria_table(ctx: MonitorContext, entries, criterion_label: str, status: str) -> Table:
    """Critical criteria per location (label, type, latest visit, then one row per criterion),
    in the colours of `status`: the red flags, and the critical criteria not assessed."""
    _ = ctx._
    colour, tint = STATUS_COLOURS[status], STATUS_TINTS[status]
    widths = [FRAME_WIDTH * w for w in (0.2, 0.16, 0.12, 0.37, 0.15)]
    rows = [head_row([_("Location"), _("Type"), _("Latest visit"), criterion_label, _("Domain")], widths)]
    styles = [("BACKGROUND", (0, 0), (-1, 0), colour), ("BACKGROUND", (0, 1), (-1, -1), tint)]
    for entry in entries:
        first = len(rows)
        for j, criterion in enumerate(entry["criteria"]):
            rows.append(
                [
                    # repeated (muted) on every row, so a location continued on the next page keeps its name
                    cell(entry["label"], "CellBold" if j == 0 else "CellMuted"),
                    cell(entry["type_label"], CELL_SMALL) if j == 0 else "",
                    cell(ctx.date(entry["visit_date"], "medium"), CELL_SMALL) if j == 0 else "",
                    cell(criterion["text"]),
                    cell(criterion["domain"], CELL_SMALL),
                ]
            )
        if first > 1:
            styles.append(("LINEABOVE", (0, first), (-1, first), 1.2, colour))
        if len(rows) - first > 1:
            styles.append(("LINEBELOW", (0, first), (2, len(rows) - 2), 0.4, tint))
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(table_style(*styles))
    return table
