"""5. Trends over the period: the mean overall score per quarter and type of location, then
the mean score per quarter and domain over every type (a calibration pair counts once)."""

from __future__ import annotations

import datetime as dt

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak
from reportlab.platypus import Spacer
from reportlab.platypus import Table

from checklist.core.scoring import status_for
from checklist.reports.charts import series_colour
from checklist.reports.charts import trend_chart
from checklist.reports.frame import FRAME_WIDTH
from checklist.reports.monitor.context import MonitorContext
from checklist.reports.monitor.tables import head_row
from checklist.reports.monitor.tables import table_style
from checklist.reports.styles import STATUS_TINTS
from checklist.reports.styles import cell
from checklist.reports.styles import para


def section(ctx: MonitorContext) -> list:
    report, _ = ctx.report, ctx._
    quarters = sorted({(r["year"], r["quarter"]) for r in report.trends})
    story = [CondPageBreak(90 * mm), para(_("Trends over the period"), "H1")]
    story.append(
        para(
            _(
                "Mean overall score of the submitted visits per quarter and type of location, on a scale of 0 to 100; (n) is the number of visits, a calibration pair counted once; underneath, their coverage."
            ),
            "Body",
        )
    )
    if report.low_coverage:
        story.append(
            para(
                _(
                    "Without the visits of low coverage (fewer than %(share)s of the assessable criteria scored): %(n)d in the period; each quarter says how many it left out.",
                    share=ctx.low_share(),
                    n=report.left_out,
                ),
                "Body",
            )
        )
    series, colours = {}, []
    for i, row in enumerate(report.types):
        points = [(dt.date(r["year"], 3 * r["quarter"] - 2, 1), r["score"]) for r in report.trends if r["type"] == row["type"]]
        if any(v is not None for _d, v in points):
            series[row["label"]] = points
            colours.append(series_colour(i))
    story += [trend_chart(series, ctx.lang, width=FRAME_WIDTH, bands=ctx.bands, colours=colours), Spacer(1, 3 * mm)]
    cells = {(r["year"], r["quarter"], r["type"]): r for r in report.trends}
    types = [row for row in report.types if any(r["type"] == row["type"] for r in report.trends)]
    first = 0.16
    widths = [FRAME_WIDTH * first] + [FRAME_WIDTH * (1 - first) / max(len(types), 1)] * len(types)
    rows, styles = [head_row([_("Quarter")] + [row["label"] for row in types], widths[1:])], []
    for r, (year, quarter) in enumerate(quarters, start=1):
        line = [cell(_("Q%(quarter)d %(year)d", quarter=quarter, year=year))]
        for c, row in enumerate(types, start=1):
            found = cells.get((year, quarter, row["type"]))
            if found:
                coverage = _("coverage %(share)s", share=ctx.percent(found.get("scored") or 0, found.get("assessable") or 0))
                entry = [cell(f"{ctx.score(found['score'])} ({found['visits']})", "CellRight"), cell(coverage, "CellMuted")]
                if found.get("left_out"):
                    entry.append(cell(_("%(n)d left out (low coverage)", n=found["left_out"]), "CellMuted"))
                line.append(entry)
            else:
                line.append(cell("–", "CellRight"))
            if found:
                styles.append(("BACKGROUND", (c, r), (c, r), STATUS_TINTS[status_for(found["score"], ctx.bands)]))
        rows.append(line)
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(table_style(*styles, ("LINEAFTER", (1, 1), (-2, -1), 0.4, colors.white)))
    return story + [table] + _domain_table(ctx)


def _domain_table(ctx: MonitorContext) -> list:
    """The mean score per quarter and domain over every type of location, with (n)."""
    report, _ = ctx.report, ctx._
    cells = {(r["year"], r["quarter"], r["domain_id"]): r for r in report.domain_trends if r.get("score") is not None}
    domains = [(domain_id, title) for domain_id, title in report.domains if any(key[2] == domain_id for key in cells)]
    if not domains:
        return []
    quarters = sorted({key[:2] for key in cells})
    first = 0.16
    widths = [FRAME_WIDTH * first] + [FRAME_WIDTH * (1 - first) / len(domains)] * len(domains)
    rows, styles = [head_row([_("Quarter")] + [title for _id, title in domains], widths[1:])], []
    for r, (year, quarter) in enumerate(quarters, start=1):
        line = [cell(_("Q%(quarter)d %(year)d", quarter=quarter, year=year))]
        for c, (domain_id, _title) in enumerate(domains, start=1):
            found = cells.get((year, quarter, domain_id))
            line.append(cell(f"{ctx.score(found['score'])} ({found['visits']})" if found else "–", "CellRight"))
            if found:
                styles.append(("BACKGROUND", (c, r), (c, r), STATUS_TINTS[status_for(found["score"], ctx.bands)]))
        rows.append(line)
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(table_style(*styles, ("LINEAFTER", (1, 1), (-2, -1), 0.4, colors.white)))
    intro = _("Per domain: the mean domain score per quarter over every type of location, on a scale of 0 to 100; (n) is the number of visits with a score for the domain, a calibration pair counted once.")
    return [Spacer(1, 4 * mm), CondPageBreak(40 * mm), para(_("Trends per domain"), "H2"), para(intro, "Body"), table]
