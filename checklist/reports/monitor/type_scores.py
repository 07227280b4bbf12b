"""2. Scores per domain and location type: a chart and a table of the mean domain scores."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak
from reportlab.platypus import Spacer
from reportlab.platypus import Table

from checklist.core.scoring import status_for
from checklist.reports.charts import series_colour
from checklist.reports.charts import status_legend
from checklist.reports.charts import type_domain_chart
from checklist.reports.frame import FRAME_WIDTH
from checklist.reports.monitor.context import MonitorContext
from checklist.reports.monitor.context import MonitorReport
from checklist.reports.monitor.tables import BOLD_RIGHT
from checklist.reports.monitor.tables import HEAD_SMALL
from checklist.reports.monitor.tables import head_style
from checklist.reports.monitor.tables import table_style
from checklist.reports.styles import NAVY
from checklist.reports.styles import STATUS_TINTS
from checklist.reports.styles import cell
from checklist.reports.styles import para


def section(ctx: MonitorContext) -> list:
    report, _ = ctx.report, ctx._
    intro = para(
        _(
            "The mean of each domain score over the submitted visits in the period, per type of location, on a scale of 0 to 100. Every visit counts once, and a calibration pair once as a whole, so a location visited more often weighs more. Under each mean: the coverage of those visits, the share of the criteria that could be assessed that were."
        ),
        "Body",
    )
    chart = type_domain_chart(report.types, report.criteria, ctx.lang, width=FRAME_WIDTH, colours=_type_colours(report))
    story = [PageBreak(), para(_("Scores per domain and type of location"), "H1"), intro]
    if left_out := ctx.left_out_text():
        story.append(para(left_out, "Body"))
    story += [chart, Spacer(1, 3 * mm)]
    story.append(_type_table(ctx))
    story += [
        Spacer(1, 2 * mm),
        para(
            _(
                "– : no visit of this type has a score for this domain (it does not apply, or was not assessed). Cell colours follow the thresholds of the mean score:"
            ),
            "Small",
        ),
        status_legend(ctx.lang, ctx.bands, width=FRAME_WIDTH),
    ]
    return story


def _score_with_coverage(ctx: MonitorContext, value, counts, style: str = "CellRight", shared=None):
    """A mean score with the coverage of the visits behind it underneath (never hidden) and,
    with mixed criteria versions, the mean on the shared criteria, labelled, beside it."""
    if value is None:
        return cell(ctx.score(value), style)
    coverage = ctx.percent(counts.get("scored", 0), counts.get("assessable", 0))
    out = [cell(ctx.score(value), style), cell(ctx._("coverage %(share)s", share=coverage), "CellMuted")]
    if shared is not None:
        out.append(cell(ctx._("shared criteria: %(score)s", score=ctx.score(shared)), "CellMuted"))
    return out


def _type_colours(report: MonitorReport) -> list:
    return [series_colour(i) for i in range(len(report.types))]


def _type_table(ctx: MonitorContext) -> Table:
    report, _ = ctx.report, ctx._
    columns = list(report.types) + ([report.all_types] if len(report.types) > 1 else [])
    first = 0.2 if len(columns) > 4 else 0.4
    widths = [FRAME_WIDTH * first] + [FRAME_WIDTH * (1 - first) / max(len(columns), 1)] * len(columns)
    labels = [column.get("label") or _("All types") for column in columns]
    style = head_style(labels, widths[-1])
    head = [cell(_("Domain"), style)]
    for label, column in zip(labels, columns):
        counts = [para(_("%(n)d visits", n=column["visits"]), HEAD_SMALL)]
        if column.get("left_out"):
            counts.append(para(_("%(n)d left out (low coverage)", n=column["left_out"]), HEAD_SMALL))
        head.append([para(label, style), *counts])
    rows, styles = [head], []
    for r, (domain_id, title) in enumerate(report.domains, start=1):
        row = [cell(title)]
        for c, column in enumerate(columns, start=1):
            found = column["domains"].get(domain_id) or {}
            value = found.get("score")
            shared = column["shared"]["domains"].get(domain_id, {}).get("score") if column.get("shared") else None
            row.append(_score_with_coverage(ctx, value, found, shared=shared))
            styles.append(("BACKGROUND", (c, r), (c, r), STATUS_TINTS[status_for(value, ctx.bands)]))
        rows.append(row)
    overall = [cell(_("Overall"), "CellBold")]
    for c, column in enumerate(columns, start=1):
        shared = column["shared"]["score"] if column.get("shared") else None
        overall.append(_score_with_coverage(ctx, column.get("score"), column, BOLD_RIGHT, shared=shared))
        styles.append(("BACKGROUND", (c, len(rows)), (c, len(rows)), STATUS_TINTS[status_for(column.get("score"), ctx.bands)]))
    rows.append(overall)
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        table_style(*styles, ("LINEABOVE", (0, -1), (-1, -1), 0.8, NAVY), ("LINEAFTER", (1, 1), (-2, -1), 0.4, colors.white))
    )
    return table
