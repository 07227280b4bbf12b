"""The monitor (aggregate) report PDF: one `MonitorReport` in, PDF bytes out, no Flask inside.

Built like the visit report (same page frame, styles, "page X of Y" canvas and method
wording) for a reader outside the coalition: a monitor attaching it to a letter to
parliament. So it opens with what it covers (period, filters in words, whose visits,
counts), then the findings: scores per domain and location type, the criteria most
often not met grouped by the right they serve, the results by the coalition's own points,
red flags per location, trends, what children said, and ends with the criteria versions
and the method. Each section is a module of `checklist.reports.monitor`; this one puts
them in order and draws the header.

Every string from the database or the YAML goes through `styles.para` (escaped); when
the report is anonymised the `MonitorReport` holds no location names at all.
"""

from __future__ import annotations

from reportlab.lib.units import mm

from checklist.reports.frame import FRAME_WIDTH
from checklist.reports.frame import MARGIN_TOP
from checklist.reports.frame import MARGIN_X
from checklist.reports.frame import PAGE_HEIGHT
from checklist.reports.frame import PAGE_WIDTH
from checklist.reports.frame import build_pdf
from checklist.reports.frame import draw_page_rules
from checklist.reports.fonts import setup_reportlab
from checklist.reports.monitor import appendix
from checklist.reports.monitor import coalition
from checklist.reports.monitor import evidence
from checklist.reports.monitor import failed
from checklist.reports.monitor import locations
from checklist.reports.monitor import red_flags
from checklist.reports.monitor import replies
from checklist.reports.monitor import title
from checklist.reports.monitor import trends
from checklist.reports.monitor import type_scores
from checklist.reports.monitor import versions
from checklist.reports.monitor import voices
from checklist.reports.monitor.context import MonitorContext
from checklist.reports.monitor.context import MonitorReport
from checklist.reports.monitor.tables import HEADER_RIGHT
from checklist.reports.styles import para

__all__ = ["MonitorReport", "build_monitor_report"]


def build_monitor_report(data: MonitorReport) -> bytes:
    """Render the monitor report as PDF bytes."""
    setup_reportlab()
    ctx = MonitorContext(data)
    author = data.organisation_scope or ctx._("All organisations")
    return build_pdf(ctx, _page_decorator(ctx), _story(ctx), title=ctx._("Monitoring report"), author=author)


def _story(ctx: MonitorContext) -> list:
    if not ctx.report.summary.get("visits"):
        nothing = para(ctx._("No submitted visits match this period and these filters."), "Body")
        return title.section(ctx) + [nothing] + appendix.section(ctx)
    return (
        title.section(ctx)
        + type_scores.section(ctx)
        + failed.section(ctx)
        + coalition.section(ctx)
        + red_flags.section(ctx)
        + evidence.section(ctx)
        + replies.section(ctx)
        + trends.section(ctx)
        + voices.section(ctx)
        + locations.section(ctx)
        + versions.section(ctx)
        + appendix.section(ctx)
    )


# -- page furniture ---------------------------------------------------------------


def _page_decorator(ctx: MonitorContext):
    report = ctx.report
    if report.anonymised:
        confidential = ctx._("Anonymised – no names of locations or children; contains observations about children")
    else:
        confidential = ctx._("Confidential – contains observations about children; do not distribute further")
    header = para(f"{ctx._('Monitoring report')} · {ctx.period()}", "Header")
    scope = para(report.organisation_scope or ctx._("All organisations"), HEADER_RIGHT)

    def on_page(canvas, doc):
        canvas.saveState()
        top = PAGE_HEIGHT - MARGIN_TOP + 8 * mm
        header.wrapOn(canvas, FRAME_WIDTH * 0.62, 12 * mm)
        header.drawOn(canvas, MARGIN_X, top)
        scope.wrapOn(canvas, FRAME_WIDTH * 0.36, 12 * mm)
        scope.drawOn(canvas, PAGE_WIDTH - MARGIN_X - FRAME_WIDTH * 0.36, top)
        draw_page_rules(canvas, top, confidential)
        canvas.restoreState()

    return on_page
