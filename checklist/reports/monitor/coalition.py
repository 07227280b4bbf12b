"""After the criteria most often not met: the results read along the coalition's own lists of points (beside the reading by rights)."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak
from reportlab.platypus import Table

from checklist.core.labels import answer_labels
from checklist.reports.frame import FRAME_WIDTH
from checklist.reports.monitor.context import MonitorContext
from checklist.reports.monitor.tables import GROUP
from checklist.reports.monitor.tables import head_row
from checklist.reports.monitor.tables import table_style
from checklist.reports.styles import LIGHT
from checklist.reports.styles import cell
from checklist.reports.styles import para


def section(ctx: MonitorContext) -> list:
    report, _ = ctx.report, ctx._
    if not report.coalition:
        return []
    story = [
        CondPageBreak(70 * mm),
        para(_("Results by the coalition's points"), "H1"),
        para(
            _(
                "The same results read along the coalition's own published points. Per point: the criteria that serve it and were assessed in the period, the answers to them over all visits (assessed: meets, partly or does not meet; not applicable and could not assess are left out), the share of each result, and red flags: how often a critical criterion of the point was not met. A criterion that serves two points counts in both."
            ),
            "Body",
        ),
    ]
    return story + [_table(ctx)]


def _table(ctx: MonitorContext) -> Table:
    report, _ = ctx.report, ctx._
    words = answer_labels(_)
    widths = [FRAME_WIDTH * w for w in (0.4, 0.1, 0.11, 0.09, 0.09, 0.11, 0.1)]
    labels = [_("Point"), _("Criteria"), _("Assessed (answers)"), words["meets"], words["partly"], words["fails"], _("Red flags")]
    rows, styles = [head_row(labels, widths[1:])], []
    for lst in report.coalition:
        r = len(rows)
        styles += [("SPAN", (0, r), (-1, r)), ("BACKGROUND", (0, r), (-1, r), LIGHT), ("NOSPLIT", (0, r), (-1, r + 1))]
        rows.append([para(lst["title"], GROUP), "", "", "", "", "", ""])
        rows += [_row(ctx, f"{point['id']}. {point['title']}", point) for point in lst["points"]]
    unmapped = report.coalition_unmapped
    if unmapped and unmapped["criteria"]:
        rows.append(_row(ctx, _("Criteria that serve none of these points"), unmapped, "CellItalic"))
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(table_style(*styles))
    return table


def _row(ctx: MonitorContext, label: str, counts, style: str = "Cell") -> list:
    assessed = counts["assessed"]
    return [
        cell(label, style),
        cell(str(counts["criteria"]), "CellRight"),
        cell(str(assessed), "CellRight"),
        *[cell(ctx.percent(counts[key], assessed), "CellRight") for key in ("meets", "partly", "fails")],
        cell(str(counts["red_flags"]), "CellRight"),
    ]
