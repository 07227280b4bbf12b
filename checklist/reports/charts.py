"""Charts shared by the PDF and the web pages.

A chart is a ReportLab `Drawing`: a flowable in the PDF story, and rendered to SVG
for the pages, so both show the same picture from the same `VisitScore`. Only
trusted text is drawn (domain titles from the criteria YAML, numbers, translated
labels); labels use the registered TTFs so non-Latin-1 titles do not vanish.
"""

from __future__ import annotations

from reportlab.graphics import renderSVG
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.graphics.shapes import Line
from reportlab.graphics.shapes import String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from checklist.criteria import Criteria
from checklist.i18n import translations_for
from checklist.reports.styles import BASE
from checklist.reports.styles import MUTED
from checklist.reports.styles import RULE
from checklist.reports.styles import STATUS_COLOURS
from checklist.reports.styles import font_for
from checklist.scoring import VisitScore

LABEL_SIZE = 8
ROW_HEIGHT = 17
TOP = 16
BOTTOM = 18


def domain_bar_chart(
    score: VisitScore, criteria: Criteria, lang: str, width: float = 170 * mm, height: float | None = None
) -> Drawing:
    """Domain scores 0-100 as horizontal bars coloured by status, with the band thresholds dashed."""
    _ = translations_for(lang).gettext
    domains = score.domains
    titles = [_domain_title(criteria, d.domain_id, lang) for d in domains]
    height = height or TOP + BOTTOM + ROW_HEIGHT * max(len(domains), 1)
    drawing = Drawing(width, height)
    label_width = _label_width(titles, width)
    chart = HorizontalBarChart()
    chart.x, chart.y = label_width + 8, BOTTOM
    chart.width, chart.height = width - chart.x - 46, height - TOP - BOTTOM
    # HorizontalBarChart draws the first category at the bottom; reverse so the first
    # domain is on top, as in the report's sections.
    values = [d.score or 0 for d in domains][::-1]
    chart.data = [values or [0]]
    _style_axes(chart, [_fit(t, label_width) for t in titles][::-1])
    chart.bars.strokeColor = None
    chart.barWidth = 10
    for i, d in enumerate(reversed(domains)):
        chart.bars[(0, i)].fillColor = STATUS_COLOURS.get(d.status, STATUS_COLOURS["none"])
    drawing.add(chart)
    _add_thresholds(drawing, chart, criteria)
    _add_value_labels(drawing, chart, list(reversed(domains)), _("no score"))
    return drawing


def drawing_to_svg(drawing: Drawing) -> str:
    """The same drawing as an SVG document, for the web pages."""
    return renderSVG.drawToString(drawing)


def _domain_title(criteria: Criteria, domain_id: str, lang: str) -> str:
    domain = criteria.domain(domain_id)
    return domain.title.get(lang) if domain else domain_id


def _label_width(titles: list[str], width: float) -> float:
    widest = max((stringWidth(t, font_for(t), LABEL_SIZE) for t in titles), default=0)
    return min(widest, width * 0.38)


def _fit(title: str, room: float) -> str:
    """Shorten a title with an ellipsis so it never runs into the bars."""
    font = font_for(title)
    if stringWidth(title, font, LABEL_SIZE) <= room:
        return title
    while title and stringWidth(title + "…", font, LABEL_SIZE) > room:
        title = title[:-1]
    return title.rstrip() + "…"


def _style_axes(chart: HorizontalBarChart, labels: list[str]) -> None:
    cat, val = chart.categoryAxis, chart.valueAxis
    cat.categoryNames = labels or [""]
    cat.labels.fontName = BASE
    for i, label in enumerate(labels):
        cat.labels[i].fontName = font_for(label)
    cat.labels.fontSize = LABEL_SIZE
    cat.labels.boxAnchor = "e"
    cat.labels.dx = -6
    cat.strokeColor = RULE
    cat.tickLeft = 0
    val.valueMin, val.valueMax, val.valueStep = 0, 100, 20
    val.labels.fontName = BASE
    val.labels.fontSize = LABEL_SIZE - 1
    val.labels.fillColor = MUTED
    val.strokeColor = RULE
    val.visibleGrid = True
    val.gridStrokeColor = colors.HexColor("#E6E9EE")
    val.gridStrokeWidth = 0.5


def _x_for(chart: HorizontalBarChart, value: float) -> float:
    return chart.x + chart.width * value / 100.0


def _add_thresholds(drawing: Drawing, chart: HorizontalBarChart, criteria: Criteria) -> None:
    """Dashed verticals at the amber and green band thresholds, labelled with their value."""
    top = chart.y + chart.height
    for status in ("amber", "green"):
        threshold = criteria.scoring.status_bands[status]
        x = _x_for(chart, threshold)
        drawing.add(Line(x, chart.y, x, top + 3, strokeColor=STATUS_COLOURS[status], strokeWidth=0.9, strokeDashArray=[3, 2]))
        drawing.add(
            String(
                x,
                top + 5,
                f"{threshold:g}",
                fontName=BASE,
                fontSize=LABEL_SIZE - 1,
                fillColor=STATUS_COLOURS[status],
                textAnchor="middle",
            )
        )


def _add_value_labels(drawing: Drawing, chart: HorizontalBarChart, domains, no_score: str) -> None:
    step = chart.height / max(len(domains), 1)
    for i, d in enumerate(domains):
        y = chart.y + step * (i + 0.5) - LABEL_SIZE * 0.35
        text = f"{d.score:.0f}" if d.score is not None else no_score
        x = _x_for(chart, d.score or 0) + 4
        colour = colors.black if d.score is not None else MUTED
        drawing.add(String(x, y, text, fontName=font_for(text), fontSize=LABEL_SIZE, fillColor=colour))
