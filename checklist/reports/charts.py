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

from checklist.core.criteria import Criteria
from checklist.core.i18n import translations_for
from checklist.reports.fonts import BASE
from checklist.reports.fonts import font_for
from checklist.reports.styles import MUTED
from checklist.reports.styles import RULE
from checklist.reports.styles import STATUS_COLOURS
from checklist.reports.styles import STATUS_TEXT
from checklist.core.scoring import VisitScore

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


# A phone shows a chart about 350 px wide and its labels must be at least 12 px there: the web
# pages offer phones (`?size=phone`) the chart drawn this narrow (points) and scaled up so the
# smallest label (LABEL_SIZE - 1) is 13 px in a 353 px wide SVG.
PHONE_WIDTH = 190
PHONE_SCALE = 13 / (LABEL_SIZE - 1)

# The registered TTF names as CSS font families the browser has: an <img> SVG cannot load a
# web font, so each ends in a generic family (DejaVu Sans where installed, else the sans-serif).
SVG_FONT_FAMILIES = {
    "DejaVuSans-Bold": "'DejaVu Sans', sans-serif; font-weight: bold",
    "DejaVuSans-Oblique": "'DejaVu Sans', sans-serif; font-style: oblique",
    "DejaVuSans": "'DejaVu Sans', sans-serif",
    "NotoNaskhArabic-Bold": "'Noto Naskh Arabic', 'DejaVu Sans', sans-serif; font-weight: bold",
    "NotoNaskhArabic": "'Noto Naskh Arabic', 'DejaVu Sans', sans-serif",
    "NotoSansEthiopic-Bold": "'Noto Sans Ethiopic', 'DejaVu Sans', sans-serif; font-weight: bold",
    "NotoSansEthiopic": "'Noto Sans Ethiopic', 'DejaVu Sans', sans-serif",
}


def chart_width(phone: bool) -> float:
    """The width to draw a web chart at: the PDF's, or the phone's (see PHONE_WIDTH)."""
    return PHONE_WIDTH if phone else 170 * mm


def drawing_to_svg(drawing: Drawing, phone: bool = False) -> str:
    """The same drawing as an SVG document, for the web pages; `phone`: scaled up by PHONE_SCALE
    (draw it at `chart_width(True)`)."""
    import re

    from reportlab.graphics.shapes import Group

    if phone:
        scaled = Drawing(drawing.width * PHONE_SCALE, drawing.height * PHONE_SCALE)
        group = Group(*drawing.contents)
        group.scale(PHONE_SCALE, PHONE_SCALE)
        scaled.add(group)
        drawing = scaled
    svg = renderSVG.drawToString(drawing)
    return re.sub(
        r"font-family: ([A-Za-z-]+);",
        lambda m: f"font-family: {SVG_FONT_FAMILIES.get(m.group(1), 'sans-serif')};",
        svg,
    )


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
                fillColor=STATUS_TEXT[status],
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


# -- aggregate charts (monitor report, overview and location pages) -------------------

# Series colours, told apart by people with the common colour-vision deficiencies
# (Okabe-Ito, led by the house navy); they never mean a status.
SERIES_COLOURS = [
    colors.HexColor(c) for c in ("#1F3A5F", "#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#D55E00", "#0072B2", "#999999")
]
LEGEND_SWATCH = 8
LEGEND_ROW = 12


def series_colour(index: int):
    """The colour of the index-th series, the same in every aggregate chart."""
    return SERIES_COLOURS[index % len(SERIES_COLOURS)]


# Past eight series the colours come round again: each round has its own marker and line, so no
# two lines of a trend chart (13 domains) look alike, and colour is not the only cue.
SERIES_MARKERS = ("FilledCircle", "FilledSquare", "FilledDiamond", "FilledTriangle")
SERIES_DASHES = (None, [6, 2], [1, 2], [6, 2, 1, 2])


def series_style(index: int) -> tuple[str, list | None]:
    """The marker and dash pattern of the index-th line series."""
    round_ = index // len(SERIES_COLOURS)
    return SERIES_MARKERS[round_ % len(SERIES_MARKERS)], SERIES_DASHES[round_ % len(SERIES_DASHES)]


def type_domain_chart(rows, criteria: Criteria, lang: str, width: float = 170 * mm, colours=None) -> Drawing:
    """Grouped horizontal bars: per domain, one bar per location type (its mean score), a legend on top.

    `rows` are `store.type_domain_means` rows, in the order the legend should follow:
    `{"type": id, "domains": {domain_id: {"score": float | None}}}`.
    """
    _ = translations_for(lang).gettext
    rows = list(rows)
    present = {domain_id for row in rows for domain_id in row.get("domains", {})}
    domain_ids = [d.id for d in criteria.domains if d.id in present] + sorted(present - {d.id for d in criteria.domains})
    titles = [_domain_title(criteria, domain_id, lang) for domain_id in domain_ids]
    names = [criteria.location_type_label(row["type"], lang) for row in rows]
    colours = list(colours) if colours else [series_colour(i) for i in range(len(rows))]
    bar = 4 if len(rows) > 3 else 6
    group = max(len(rows), 1) * bar + 7
    legend = Drawing(width, 0)
    legend_height = _legend(legend, list(zip(colours, names)), 0, 0, width, measure=True)
    height = TOP + BOTTOM + group * max(len(domain_ids), 1) + legend_height + 8
    drawing = Drawing(width, height)
    label_width = _label_width(titles, width)
    chart = HorizontalBarChart()
    chart.x, chart.y = label_width + 8, BOTTOM
    chart.width, chart.height = width - chart.x - 16, group * max(len(domain_ids), 1)
    # The first series and category are drawn lowest; reverse both so the first domain is
    # on top and the legend's first type is the top bar of each domain, as a reader scans.
    data = [[(row["domains"].get(domain_id) or {}).get("score") for domain_id in domain_ids][::-1] for row in rows][::-1]
    chart.data = data if data and domain_ids else [[0]]
    _style_axes(chart, [_fit(t, label_width) for t in titles][::-1])
    chart.barWidth = bar
    chart.barSpacing = 0
    chart.groupSpacing = 7
    chart.bars.strokeColor = None
    for i, colour in enumerate(colours[: len(rows)][::-1]):
        chart.bars[i].fillColor = colour
    drawing.add(chart)
    _add_thresholds(drawing, chart, criteria)
    _legend(drawing, list(zip(colours, names)), chart.x, height - 2, width - chart.x)
    if not rows:
        drawing.add(String(chart.x + 6, chart.y + 6, _("no score"), fontName=BASE, fontSize=LABEL_SIZE, fillColor=MUTED))
    return drawing


def trend_chart(
    series,
    lang: str,
    width: float = 170 * mm,
    height: float = 62 * mm,
    bands=None,
    colours=None,
) -> Drawing:
    """A line per series over time on a 0-100 axis, with a legend below.

    `series` maps a (trusted) label to `[(date, score), ...]`; points without a score are
    left out. `bands` (`{"green": 80, "amber": 55}`) adds the status thresholds as dashed
    lines. Used for types per quarter in the monitor report and domains per visit on the
    location page.
    """
    from babel.dates import format_date
    from reportlab.graphics.charts.lineplots import LinePlot
    from reportlab.graphics.widgets.markers import makeMarker

    _ = translations_for(lang).gettext
    locale = "en_GB" if lang == "en" else "nl_NL"
    items = [(str(name), sorted((d, float(v)) for d, v in points if v is not None)) for name, points in series.items()]
    items = [(name, points) for name, points in items if points]
    colours = list(colours) if colours else [series_colour(i) for i in range(len(items))]
    legend_items = [(colour, name, series_style(i)) for i, (colour, (name, _p)) in enumerate(zip(colours, items))]
    legend_height = _legend(Drawing(width, 0), legend_items, 0, 0, width - 40, measure=True)
    drawing = Drawing(width, height + legend_height)
    plot = LinePlot()
    plot.x, plot.y = 28, legend_height + BOTTOM
    plot.width, plot.height = width - plot.x - 12, height - BOTTOM - TOP
    days = sorted({d.toordinal() for _n, points in items for d, _v in points})
    if not days:
        days = [0]
    low, high = days[0], days[-1]
    pad = max(20, (high - low) // 25)
    plot.data = [[(d.toordinal(), v) for d, v in points] for _n, points in items] or [[(0, 0)]]
    x_axis, y_axis = plot.xValueAxis, plot.yValueAxis
    x_axis.valueMin, x_axis.valueMax = low - pad, high + pad
    x_axis.valueSteps = _date_ticks(days, 7)
    x_axis.labelTextFormat = lambda value: format_date(_from_ordinal(value), "MMM y", locale=locale) if days != [0] else ""
    for axis in (x_axis, y_axis):
        axis.labels.fontName = BASE
        axis.labels.fontSize = LABEL_SIZE - 1
        axis.labels.fillColor = MUTED
        axis.strokeColor = RULE
    y_axis.valueMin, y_axis.valueMax, y_axis.valueStep = 0, 100, 20
    y_axis.visibleGrid = True
    y_axis.gridStrokeColor = colors.HexColor("#E6E9EE")
    y_axis.gridStrokeWidth = 0.5
    for i, colour in enumerate(colours[: len(items)]):
        plot.lines[i].strokeColor = colour
        plot.lines[i].strokeWidth = 1.6
        marker, dash = series_style(i)
        plot.lines[i].symbol = makeMarker(marker, size=3.5, fillColor=colour, strokeColor=colour)
        if dash:
            plot.lines[i].strokeDashArray = dash
    if not items:
        plot.lines[0].strokeColor = None
    drawing.add(plot)
    if bands:
        for status in ("amber", "green"):
            y = plot.y + plot.height * bands[status] / 100.0
            colour = STATUS_COLOURS[status]
            drawing.add(Line(plot.x, y, plot.x + plot.width, y, strokeColor=colour, strokeWidth=0.8, strokeDashArray=[3, 2]))
    if not items:
        y = plot.y + plot.height / 2
        drawing.add(String(plot.x + 6, y, _("no score"), fontName=BASE, fontSize=LABEL_SIZE, fillColor=MUTED))
    _legend(drawing, legend_items, plot.x, legend_height - 2, width - plot.x)
    return drawing


def status_legend(lang: str, bands=None, width: float = 170 * mm) -> Drawing:
    """The colours of the heatmap and the report tables with their band thresholds.

    `bands` is `criteria.scoring.status_bands`; without it the thresholds are left out.
    """
    from checklist.core.labels import status_labels

    _ = translations_for(lang).gettext
    words = status_labels(_)
    if bands:
        green, amber = f"{bands['green']:g}", f"{bands['amber']:g}"
        texts = {
            "green": _("%(label)s (%(from)s–100)") % {"label": words["green"], "from": green},
            "amber": _("%(label)s (%(from)s to under %(to)s)") % {"label": words["amber"], "from": amber, "to": green},
            "red": _("%(label)s (under %(to)s)") % {"label": words["red"], "to": amber},
            "none": words["none"],
        }
    else:
        texts = words
    items = [(STATUS_COLOURS[s], texts[s]) for s in ("green", "amber", "red", "none")]
    height = _legend(Drawing(width, 0), items, 0, 0, width, measure=True)
    drawing = Drawing(width, height)
    _legend(drawing, items, 0, height - 2, width)
    return drawing


def _legend(drawing: Drawing, items, x: float, top: float, width: float, measure: bool = False) -> float:
    """Swatches with labels in rows from `top` downwards; returns the height used."""
    from reportlab.graphics.shapes import Rect

    from reportlab.graphics.widgets.markers import makeMarker

    cx, row = x, 0
    for item in items:
        colour, label = item[:2]
        line = item[2] if len(item) > 2 else None  # (marker, dash) of a line series: a line sample
        sample = LEGEND_SWATCH * 2 if line else LEGEND_SWATCH
        text_width = stringWidth(label, font_for(label), LABEL_SIZE)
        needed = sample + 4 + text_width + 12
        if cx > x and cx + needed > x + width:
            cx, row = x, row + 1
        y = top - (row + 1) * LEGEND_ROW
        if not measure:
            if line:
                marker, dash = line
                middle = y + LEGEND_SWATCH / 2
                drawing.add(Line(cx, middle, cx + sample, middle, strokeColor=colour, strokeWidth=1.6, strokeDashArray=dash))
                symbol = makeMarker(marker, size=5, fillColor=colour, strokeColor=colour)
                symbol.x, symbol.y = cx + sample / 2, middle
                drawing.add(symbol)
            else:
                drawing.add(Rect(cx, y, LEGEND_SWATCH, LEGEND_SWATCH, fillColor=colour, strokeColor=None))
            x_text = cx + sample + 4
            drawing.add(String(x_text, y + 1, label, fontName=font_for(label), fontSize=LABEL_SIZE, fillColor=colors.black))
        cx += needed
    return (row + 1) * LEGEND_ROW + 4 if items else 0


def _date_ticks(days: list[int], most: int) -> list[int]:
    """At most `most` tick positions among the days that have points, first and last included."""
    if len(days) <= most:
        return list(days)
    step = (len(days) - 1) / (most - 1)
    return sorted({days[round(i * step)] for i in range(most)})


def _from_ordinal(value: float):
    from datetime import date

    return date.fromordinal(max(1, int(round(value))))
