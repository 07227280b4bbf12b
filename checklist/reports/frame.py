"""The page frame every PDF report shares: A4, margins, the body frame, the rules and
the confidentiality line, and "page X of Y".

Built like pretix's invoice renderer: a `BaseDocTemplate` (A4, margins in mm) with one
`PageTemplate` whose onPage draws what each report puts in its header; the
`numbered_canvas` holds the pages back until the end so it can write "page X of Y"
once the page count is known.
"""

from __future__ import annotations

from io import BytesIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate
from reportlab.platypus import Frame
from reportlab.platypus import PageTemplate

from checklist.reports.context import ReportContext
from checklist.reports.fonts import BASE
from checklist.reports.styles import MUTED
from checklist.reports.styles import RULE

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 24 * mm
MARGIN_BOTTOM = 20 * mm
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN_X


def build_pdf(ctx: ReportContext, on_page, story: list, title: str, author: str) -> bytes:
    """The story as PDF bytes on A4 pages with one body frame; `on_page` draws the header."""
    buffer = BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=title,
        author=author,
        creator="checklist",
    )
    height = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    padding = {"leftPadding": 0, "rightPadding": 0, "topPadding": 0, "bottomPadding": 0}
    frame = Frame(MARGIN_X, MARGIN_BOTTOM, FRAME_WIDTH, height, id="body", **padding)
    doc.addPageTemplates([PageTemplate(id="all", frames=[frame], onPage=on_page)])
    doc.build(story, canvasmaker=numbered_canvas(ctx))
    return buffer.getvalue()


def plain_page(header, header_share: float, right_text: str, footer: str):
    """onPage callback of a report without extras: the header paragraph on the left (taking
    `header_share` of the width), a short text on the right, the rules and the footer line."""

    def on_page(canvas, doc):
        canvas.saveState()
        top = PAGE_HEIGHT - MARGIN_TOP + 8 * mm
        header.wrapOn(canvas, FRAME_WIDTH * header_share, 12 * mm)
        header.drawOn(canvas, MARGIN_X, top)
        canvas.setFont(BASE, 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawRightString(PAGE_WIDTH - MARGIN_X, top + 1, right_text)
        draw_page_rules(canvas, top, footer)
        canvas.restoreState()

    return on_page


def draw_page_rules(canvas, top: float, confidential: str) -> None:
    """The rule under the header, the rule above the footer and the confidentiality line."""
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN_X, top - 2 * mm, PAGE_WIDTH - MARGIN_X, top - 2 * mm)
    canvas.line(MARGIN_X, MARGIN_BOTTOM - 6 * mm, PAGE_WIDTH - MARGIN_X, MARGIN_BOTTOM - 6 * mm)
    canvas.setFont(BASE, 7)
    canvas.setFillColor(MUTED)
    canvas.drawString(MARGIN_X, MARGIN_BOTTOM - 10 * mm, confidential)



def numbered_canvas(ctx: ReportContext):
    """A Canvas class that holds pages back until the end so it can write 'page X of Y'."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(BASE, 7)
                self.setFillColor(MUTED)
                label = ctx._("Page %(page)d of %(pages)d", page=self._pageNumber, pages=total)
                self.drawRightString(PAGE_WIDTH - MARGIN_X, MARGIN_BOTTOM - 10 * mm, label)
                super().showPage()
            super().save()

    return NumberedCanvas

