"""7. The locations in the report, with the score and status of their latest visit."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak
from reportlab.platypus import Spacer
from reportlab.platypus import Table

from checklist.reports.charts import status_legend
from checklist.reports.frame import FRAME_WIDTH
from checklist.reports.monitor.context import MonitorContext
from checklist.reports.monitor.tables import CELL_SMALL
from checklist.reports.monitor.tables import head_row
from checklist.reports.monitor.tables import table_style
from checklist.reports.styles import STATUS_TINTS
from checklist.reports.styles import cell
from checklist.reports.styles import para


def section(ctx: MonitorContext) -> list:
    report, _ = ctx.report, ctx._
    story = [CondPageBreak(50 * mm), para(_("Locations in this report"), "H1")]
    story.append(
        para(
            _(
                "Each location with a submitted visit in the period, with the overall score and status of its latest visit in the period. With a red flag the status is at most %(cap)s, or red for a life-safety criterion (see the method), whatever the score.",
                cap=ctx.status(ctx.criteria.scoring.red_flag_cap).lower(),
            ),
            "Body",
        )
    )
    labels = [_("Location"), _("Type")] + ([] if report.anonymised else [_("Municipality / province")])
    labels += [_("Visits"), _("Latest visit"), _("Score"), _("Coverage"), _("Red flags"), _("Not assessed")]
    if report.anonymised:
        widths = [FRAME_WIDTH * w for w in (0.16, 0.26, 0.08, 0.13, 0.13, 0.08, 0.08, 0.08)]
    else:
        widths = [FRAME_WIDTH * w for w in (0.25, 0.13, 0.16, 0.06, 0.1, 0.1, 0.07, 0.06, 0.07)]
    head = head_row(labels, widths[-6:])
    rows, styles = [head], []
    for r, loc in enumerate(report.locations, start=1):
        row = [cell(loc["label"], "CellBold"), cell(loc["type_label"], CELL_SMALL)]
        if not report.anonymised:
            place = ", ".join(str(v) for v in (loc.get("municipality"), loc.get("province")) if v)
            if loc.get("closed_on"):
                place = (place + " · " if place else "") + _("closed since %(date)s", date=ctx.date(loc["closed_on"], "medium"))
            row.append(cell(place, CELL_SMALL))
        score_col = len(row) + 2
        row += [
            cell(str(loc["visits"]), "CellRight"),
            cell(ctx.date(loc["latest_date"], "medium"), CELL_SMALL),
            [cell(f"{ctx.score(loc['score'])} · {ctx.status(loc['status'])}", CELL_SMALL)] + _pair(ctx, loc),
            [cell(_coverage(loc), CELL_SMALL)] + ([cell(_("low") + " *", CELL_SMALL)] if loc.get("low_coverage") else []),
            cell(str(loc["red_flags"]), "CellRight"),
            cell(str(loc.get("unassessed_flags") or 0), "CellRight"),
        ]
        styles.append(("BACKGROUND", (score_col, r), (score_col, r), STATUS_TINTS.get(loc["status"], STATUS_TINTS["none"])))
        rows.append(row)
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(table_style(*styles))
    story += [table, Spacer(1, 2 * mm)]
    if any(loc.get("low_coverage") for loc in report.locations):
        note = _(
            "* low: at its latest visit fewer than %(share)s of the assessable criteria were scored; such a visit is left out of the mean scores per type and the trends.",
            share=ctx.low_share(),
        )
        story += [para(note, "Small"), Spacer(1, 1 * mm)]
    return story + [status_legend(ctx.lang, ctx.bands, width=FRAME_WIDTH)]


def _pair(ctx: MonitorContext, loc) -> list:
    """The other visit of a calibration pair under the latest visit's own score, labelled."""
    pair = loc.get("pair")
    if not pair:
        return []
    text = ctx._("calibration pair: %(score)s on %(date)s", score=ctx.score(pair["score"]), date=ctx.date(pair["visit_date"], "medium"))
    return [cell(text, "CellMuted")]


def _coverage(loc) -> str:
    scored, assessable = loc.get("scored"), loc.get("assessable")
    return f"{100 * scored / assessable:.0f}%" if scored is not None and assessable else "–"
