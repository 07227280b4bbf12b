"""4b. What the findings rest on: critical criteria not assessed by location, and the
answers counted by evidence type (seen, document seen, staff, children, parents said)."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak
from reportlab.platypus import Spacer
from reportlab.platypus import Table

from checklist.core.evidence import COUNTED
from checklist.core.evidence import EVIDENCE_TYPES
from checklist.core.labels import evidence_labels
from checklist.reports.frame import FRAME_WIDTH
from checklist.reports.monitor.context import MonitorContext
from checklist.reports.monitor.red_flags import location_criteria_table
from checklist.reports.monitor.tables import head_row
from checklist.reports.monitor.tables import table_style
from checklist.reports.styles import cell
from checklist.reports.styles import para


def section(ctx: MonitorContext) -> list:
    return _unassessed(ctx) + _evidence(ctx)


def _unassessed(ctx: MonitorContext) -> list:
    """A flag of its own: a critical criterion that could not be assessed is left out of
    the score, so a location must not look better for it unnoticed."""
    report, _ = ctx.report, ctx._
    story = [CondPageBreak(50 * mm), para(_("Critical criteria not assessed, by location"), "H1")]
    story.append(
        para(
            _("Critical criteria answered “could not assess” at each location's latest submitted visit in the period. They are left out of the score, so the score may look better than the location is."),
            "Body",
        )
    )
    if not report.unassessed:
        return story + [para(_("None: at every location's latest visit, every critical criterion was assessed or not applicable."), "Body")]
    table = location_criteria_table(ctx, report.unassessed, _("Critical criterion not assessed"), "amber")
    return story + [table, Spacer(1, 2 * mm)]


def _evidence(ctx: MonitorContext) -> list:
    report, _ = ctx.report, ctx._
    counts = report.evidence or {}
    total = counts.get("answers") or 0
    story = [CondPageBreak(50 * mm), para(_("What the answers rest on"), "H1")]
    story.append(
        para(
            _("All answers of the submitted visits in the period, counted by what the visitor recorded they rest on. One answer can rest on several kinds of evidence, so the rows add up to more than the number of answers."),
            "Body",
        )
    )
    if not total:
        return story + [para(_("No answers in this period."), "Body")]
    words = evidence_labels(_)
    widths = [FRAME_WIDTH * w for w in (0.44, 0.18, 0.14, 0.24)]
    rows = [head_row([_("Evidence"), _("Answers"), _("Share"), _("People spoken with")], widths)]
    for kind in EVIDENCE_TYPES:
        n = counts.get(kind) or 0
        people = str(counts.get(f"{kind}_people") or 0) if kind in COUNTED else ""
        rows.append([cell(words[kind]), cell(str(n), "CellRight"), cell(ctx.percent(n, total), "CellRight"), cell(people, "CellRight")])
    none = counts.get("none") or 0
    rows.append([cell(_("No evidence recorded"), "CellItalic"), cell(str(none), "CellRight"), cell(ctx.percent(none, total), "CellRight"), cell("")])
    rows.append([cell(_("All answers"), "CellBold"), cell(str(total), "CellRight"), cell(""), cell("")])
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(table_style())
    return story + [table, Spacer(1, 2 * mm)]
