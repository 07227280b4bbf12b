"""Colours, paragraph and table styles, and `para()`: the one way to put a string into a PDF.

`para()` is the only place in the package that builds a `Paragraph` (a test checks it):
it escapes user text first (`text.markup`), so a string can never be markup, and lays
out right-to-left text with `text.BidiParagraph`. Fonts and the ReportLab set-up are in
`fonts.py`.
"""

from __future__ import annotations

import threading

from cachetools import LRUCache
from cachetools import cached
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.styles import StyleSheet1
from reportlab.platypus import Paragraph
from reportlab.platypus import TableStyle

from checklist.reports.fonts import BASE
from checklist.reports.fonts import BOLD
from checklist.reports.fonts import HAS_ARABIC
from checklist.reports.fonts import OBLIQUE
from checklist.reports.fonts import setup_reportlab
from checklist.reports.text import BidiParagraph
from checklist.reports.text import clean
from checklist.reports.text import markup
from checklist.reports.text import needs_bidi

NAVY = colors.HexColor("#1F3A5F")
INK = colors.HexColor("#222222")
MUTED = colors.HexColor("#5F6B7A")
RULE = colors.HexColor("#C8CED6")
LIGHT = colors.HexColor("#F2F4F7")
DRAFT_RED = colors.HexColor("#C62828")
STATUS_COLOURS = {
    "green": colors.HexColor("#2E7D32"),
    "amber": colors.HexColor("#E08E00"),
    "red": colors.HexColor("#C62828"),
    "none": colors.HexColor("#9E9E9E"),
}
# Text in a status colour (a chart's threshold numbers): 4.5:1 on white, the web page's colours.
STATUS_TEXT = {
    "green": colors.HexColor("#1E7B34"),
    "amber": colors.HexColor("#8A5A00"),
    "red": colors.HexColor("#A4161A"),
    "none": colors.HexColor("#5A6475"),
}
STATUS_TINTS = {
    "green": colors.HexColor("#E8F5E9"),
    "amber": colors.HexColor("#FFF3DC"),
    "red": colors.HexColor("#FDECEA"),
    "none": colors.HexColor("#EFEFEF"),
}


def para(text, style: str | ParagraphStyle = "Body") -> Paragraph:
    """THE way to put any string into the PDF: escaped, so it can never be markup."""
    setup_reportlab()
    if isinstance(style, str):
        style = STYLES[style]
    source = clean(text)
    if HAS_ARABIC.search(source):
        style = _shaped(style)
    if needs_bidi(source):
        return BidiParagraph(markup(source, style), style, source=source)
    return Paragraph(markup(source, style), style)


def cell(text, style: str | ParagraphStyle = "Cell") -> Paragraph:
    """A short string for a table cell; a Paragraph (through `para`) so it wraps."""
    return para("–" if text is None or text == "" else text, style)


def _style_key(style: ParagraphStyle) -> tuple:
    """A style by its values (name and every attribute), not by its identity."""
    return tuple(sorted((k, v) for k, v in vars(style).items() if k != "parent"))


# The styles of this package (some 40, with the monitor report's header sizes): 128
# leaves room, and a style made on the fly by a caller cannot make the cache grow.
@cached(LRUCache(maxsize=128), key=_style_key, lock=threading.Lock())
def _shaped(style: ParagraphStyle) -> ParagraphStyle:
    """The style with harfbuzz shaping on; only paragraphs with Arabic pay for it."""
    return ParagraphStyle(style.name + "+shaping", parent=style, shaping=1)


# -- styles -----------------------------------------------------------------------


def _stylesheet() -> StyleSheet1:
    sheet = StyleSheet1()

    def add(name, **kw):
        kw.setdefault("fontName", BASE)
        kw.setdefault("textColor", INK)
        sheet.add(ParagraphStyle(name, **kw))

    add("Body", fontSize=9, leading=12.5, spaceAfter=4)
    add("Small", fontSize=7.5, leading=10, textColor=MUTED)
    add("Title", fontName=BOLD, fontSize=20, leading=25, textColor=NAVY, spaceAfter=2)
    add("Subtitle", fontName=BOLD, fontSize=13, leading=17, spaceAfter=2)
    add("Kicker", fontSize=8, leading=11, textColor=MUTED)
    add("H1", fontName=BOLD, fontSize=13.5, leading=17, textColor=NAVY, spaceBefore=12, spaceAfter=6)
    add("H2", fontName=BOLD, fontSize=10.5, leading=14, textColor=NAVY, spaceBefore=8, spaceAfter=3)
    add("Cell", fontSize=8.5, leading=11)
    add("CellBold", fontName=BOLD, fontSize=8.5, leading=11)
    add("CellMuted", fontSize=8, leading=10.5, textColor=MUTED)
    add("AnchorLine", fontSize=8, leading=10.5, textColor=MUTED, leftIndent=8, spaceAfter=4)
    add("CellItalic", fontName=OBLIQUE, fontSize=8.5, leading=11, textColor=MUTED)
    add("CellHead", fontName=BOLD, fontSize=8, leading=10.5, textColor=colors.white)
    add("CellRight", fontSize=8.5, leading=11, alignment=TA_RIGHT)
    add("CellCentre", fontSize=8.5, leading=11, alignment=TA_CENTER)
    add("Label", fontSize=7.5, leading=10, textColor=MUTED)
    add("Value", fontSize=9, leading=12)
    add("BigValue", fontName=BOLD, fontSize=15, leading=19)
    add("Badge", fontName=BOLD, fontSize=9, leading=12, textColor=colors.white, alignment=TA_CENTER)
    add("Quote", fontSize=9, leading=12.5)
    add("Flag", fontName=BOLD, fontSize=9, leading=12, textColor=STATUS_COLOURS["red"])
    add("Draft", fontName=BOLD, fontSize=9, leading=12, textColor=colors.white)
    add("Header", fontSize=7.5, leading=9.5, textColor=MUTED)
    for status, colour in STATUS_COLOURS.items():
        add("Trend-" + status, fontName=BOLD, fontSize=8.5, leading=11, textColor=colour)
    return sheet


def badge_width(labels, minimum: float) -> float:
    """A status badge's column, wide enough that no word of any status label is split across
    lines (in Dutch the domain badge read "Onvoldoen / de"): the widest word in the badge's
    font, with the cell's padding."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    style = STYLES["Badge"]
    widest = max(stringWidth(word, style.fontName, style.fontSize) for label in labels for word in label.split())
    return max(minimum, widest + 4 + 4 + 2)


def table_style(*extra, header: bool = True) -> TableStyle:
    """The house table look: navy header row, light rules, top-aligned cells."""
    commands = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
    ]
    if header:
        commands += [("BACKGROUND", (0, 0), (-1, 0), NAVY), ("LINEBELOW", (0, 0), (-1, 0), 0.8, NAVY)]
    return TableStyle(commands + list(extra))


STYLES = _stylesheet()
