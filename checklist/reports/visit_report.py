"""The visit report PDF: one `VisitReport` in, PDF bytes out, no Flask inside.

On the shared page frame (`frame.py`: A4, margins, "page X of Y") each page gets a
header (location, date, draft mark), the footer (confidentiality) and, for a draft, a
watermark. The report is read by location managers and a ministry, so the order is:
who/when/what, the overall picture with red flags, the findings per domain, what
children said, change since the previous visit, actions, the photos (if any) and the method. Each section
is a module of `checklist.reports.visit`; this one puts them in order.

Rules kept here: every user string goes through `styles.para` (escaped) exactly once,
never into `Paragraph` directly; static labels are English msgids through gettext.
"""

from __future__ import annotations

from reportlab.lib.units import mm

from checklist.reports import VisitReport
from checklist.reports.fonts import BASE
from checklist.reports.fonts import BOLD
from checklist.reports.fonts import draw_outlined
from checklist.reports.fonts import setup_reportlab
from checklist.reports.frame import FRAME_WIDTH
from checklist.reports.frame import MARGIN_TOP
from checklist.reports.frame import MARGIN_X
from checklist.reports.frame import PAGE_HEIGHT
from checklist.reports.frame import PAGE_WIDTH
from checklist.reports.frame import build_pdf
from checklist.reports.frame import draw_page_rules
from checklist.reports.styles import DRAFT_RED
from checklist.reports.styles import MUTED
from checklist.reports.styles import para
from checklist.reports.visit import actions
from checklist.reports.visit import appendix
from checklist.reports.visit import changes
from checklist.reports.visit import domains
from checklist.reports.visit import heading
from checklist.reports.visit import photos
from checklist.reports.visit import summary
from checklist.reports.visit import voices
from checklist.reports.visit.context import VisitContext


def build_visit_report(report: VisitReport, short: bool = False) -> bytes:
    """Render the visit report as PDF bytes; `short`: the version for a location manager
    (who/when, the summary with red flags, what was not met with its notes, the actions)."""
    setup_reportlab()
    ctx = VisitContext(report)
    header = para(report.location.get("name"), "Header")
    author = str(report.visit.get("organisation") or "")
    story = _short_story(ctx) if short else _story(ctx)
    title = ctx._("Visit report, short version") if short else ctx._("Visit report")
    return build_pdf(ctx, _page_decorator(ctx, header), story, title=title, author=author)


def _short_story(ctx: VisitContext) -> list:
    return heading.section(ctx, short=True) + summary.section(ctx) + domains.short_section(ctx) + actions.section(ctx)


def _story(ctx: VisitContext) -> list:
    story = heading.section(ctx) + summary.section(ctx) + domains.section(ctx) + voices.section(ctx)
    if ctx.report.previous is not None:
        story += changes.section(ctx)
    return story + actions.section(ctx) + photos.section(ctx) + appendix.section(ctx)


# -- page furniture ---------------------------------------------------------------


def _page_decorator(ctx: VisitContext, header):
    """onPage callback: watermark (draft), header with location and date, footer mark."""
    confidential = ctx._("Confidential – contains observations about children; do not distribute further")
    visit_date = ctx._("Visit of %(date)s", date=ctx.date(ctx.report.visit.get("visit_date")))
    draft = ctx._("DRAFT")

    def on_page(canvas, doc):
        canvas.saveState()
        if ctx.draft:
            _watermark(canvas, draft)
        top = PAGE_HEIGHT - MARGIN_TOP + 8 * mm
        header.wrapOn(canvas, FRAME_WIDTH * 0.45, 12 * mm)
        header.drawOn(canvas, MARGIN_X, top)
        canvas.setFont(BASE, 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawRightString(PAGE_WIDTH - MARGIN_X, top + 1, visit_date)
        if ctx.draft:
            canvas.setFont(BOLD, 9)
            canvas.setFillColor(DRAFT_RED)
            canvas.drawCentredString(PAGE_WIDTH / 2, top + 0.5, draft + " – " + ctx._("not submitted"))
        draw_page_rules(canvas, top, confidential)
        canvas.restoreState()

    return on_page



def _watermark(canvas, text: str) -> None:
    canvas.saveState()
    canvas.setFillColor(DRAFT_RED)
    canvas.setFillAlpha(0.10)
    canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
    canvas.rotate(45)
    draw_outlined(canvas, text, BOLD, 96)
    canvas.restoreState()
