"""6. What children said, per domain, with age band and type of location only."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak
from reportlab.platypus import KeepTogether
from reportlab.platypus import Table

from checklist.reports.frame import FRAME_WIDTH
from checklist.reports.monitor.context import MonitorContext
from checklist.reports.monitor.tables import table_style
from checklist.reports.styles import NAVY
from checklist.reports.styles import cell
from checklist.reports.styles import para


def section(ctx: MonitorContext) -> list:
    report, _ = ctx.report, ctx._
    story = [CondPageBreak(50 * mm), para(_("What children said"), "H1")]
    story.append(
        para(
            _(
                "Children's words as noted by the visitors, grouped by domain, with their age band and the type of location only: no names, and no location. At most %(n)d per domain are shown, the most recent first.",
                n=report.voices_per_domain,
            ),
            "Small",
        )
    )
    if not report.voices:
        return story + [para(_("No voices of children were recorded in this period."), "Body")]
    for group in report.voices:
        rows = [
            [
                cell(_("Age %(band)s", band=item["age_band"] or "?"), "CellMuted"),
                cell(item["type_label"], "CellMuted"),
                cell(item["text"], "Quote"),
            ]
            for item in group["items"]
        ]
        table = Table(rows, colWidths=[18 * mm, 34 * mm, FRAME_WIDTH - 52 * mm])
        table.setStyle(table_style(("LINEBEFORE", (2, 0), (2, -1), 2, NAVY), header=False))
        title = group["title"] or _("General")
        count = _("%(shown)d of %(total)d statements", shown=len(group["items"]), total=group["total"])
        story.append(KeepTogether([para(f"{title} ({count})", "H2"), table]))
    return story
