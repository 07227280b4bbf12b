"""The monitor report's tables: the house look with narrower header padding, and header
labels sized so that no word breaks in a narrow column."""

from __future__ import annotations

import threading

from cachetools import LRUCache
from cachetools import cached
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth

from checklist.reports.fonts import BASE
from checklist.reports.fonts import BOLD
from checklist.reports.styles import STYLES
from checklist.reports.styles import para
from checklist.reports.styles import table_style as _house_table_style

HEAD_PADDING = 3
HEAD_SMALL = ParagraphStyle("MonitorHeadSmall", parent=STYLES["CellHead"], fontName=BASE, fontSize=7, leading=9)
CELL_SMALL = ParagraphStyle("MonitorCellSmall", parent=STYLES["Cell"], fontSize=7.5, leading=9.5)
HEADER_RIGHT = ParagraphStyle("MonitorHeaderRight", parent=STYLES["Header"], alignment=2)
BOLD_RIGHT = ParagraphStyle("MonitorBoldRight", parent=STYLES["CellBold"], alignment=2)
GROUP = ParagraphStyle("MonitorGroup", parent=STYLES["CellBold"], fontSize=9, leading=12, textColor=STYLES["H2"].textColor)
CELL_SMALL_RIGHT = ParagraphStyle("MonitorCellSmallRight", parent=STYLES["CellRight"], fontSize=7.5, leading=9.5)


def head_style(labels, column_width: float) -> ParagraphStyle:
    """A header style in which no word of the labels breaks: bold, else the narrower
    regular face, at the largest size from 8 down to 5.5 pt that fits the column."""
    words = [word for label in labels for word in str(label).split()]
    room = column_width - 2 * HEAD_PADDING - 0.5
    for font, sizes in ((BOLD, (8, 7.5, 7, 6.5)), (BASE, (7, 6.5, 6, 5.5))):
        for size in sizes:
            if all(stringWidth(word, font, size) <= room for word in words):
                break
        else:
            continue
        break
    return _head_style_for(font, size)


@cached(LRUCache(maxsize=8), lock=threading.Lock())  # two faces, four sizes each: every key there is
def _head_style_for(font: str, size: float) -> ParagraphStyle:
    return ParagraphStyle(
        f"MonitorHead-{font}-{size}", parent=STYLES["CellHead"], fontName=font, fontSize=size, leading=size * 1.3
    )


def table_style(*extra, header: bool = True):
    """The house table look, with narrower header padding so labels keep their words whole."""
    if header:
        extra = (("LEFTPADDING", (0, 0), (-1, 0), HEAD_PADDING), ("RIGHTPADDING", (0, 0), (-1, 0), HEAD_PADDING), *extra)
    return _house_table_style(*extra, header=header)


def head_row(labels, widths) -> list:
    style = head_style(labels, min(widths))
    return [para(label, style) for label in labels]
