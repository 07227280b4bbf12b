"""The baseline for the PDF benchmark: the report's own text as plain Helvetica paragraphs."""

from __future__ import annotations

from io import BytesIO
from xml.sax.saxutils import escape

from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph
from reportlab.platypus import SimpleDocTemplate


def extract_lines(pdf: bytes) -> list[str]:
    reader = PdfReader(BytesIO(pdf))
    return [line for page in reader.pages for line in page.extract_text().splitlines() if line.strip()]


def count_pages(pdf: bytes) -> int:
    return len(PdfReader(BytesIO(pdf)).pages)


def bare_reportlab_pdf(lines: list[str]) -> bytes:
    """A minimal ReportLab document: no fonts to embed, no tables, no charts, no page X of Y."""
    out = BytesIO()
    # The report's text size and margins, so both documents carry about as much per page.
    style = ParagraphStyle("Bare", fontName="Helvetica", fontSize=8.5, leading=11)
    story = [Paragraph(escape(line.encode("latin-1", "replace").decode("latin-1")), style) for line in lines]
    SimpleDocTemplate(out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=24 * mm, bottomMargin=20 * mm).build(story)
    return out.getvalue()
