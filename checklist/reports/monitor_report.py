"""The monitor (aggregate) report PDF: one `MonitorReport` in, PDF bytes out, no Flask inside.

Built like the visit report (same page geometry, styles, "page X of Y" canvas and
method wording) for a reader outside the coalition: a monitor attaching it to a letter
to parliament. So it opens with what it covers (period, filters in words, whose visits,
counts), then the findings: scores per domain and location type, the criteria most
often not met grouped by the right they serve, red flags per location, trends, what
children said, and ends with the criteria versions and the method.

Every string from the database or the YAML goes through `styles.para` (escaped); when
the report is anonymised the `MonitorReport` holds no location names at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from io import BytesIO
from typing import Any
from typing import Mapping
from typing import Sequence

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import BaseDocTemplate
from reportlab.platypus import CondPageBreak
from reportlab.platypus import Frame
from reportlab.platypus import KeepTogether
from reportlab.platypus import ListFlowable
from reportlab.platypus import PageBreak
from reportlab.platypus import PageTemplate
from reportlab.platypus import Spacer
from reportlab.platypus import Table

from checklist.core.i18n import N_
from checklist.core.criteria import Criteria
from checklist.core.filters import Filters
from checklist.reports.context import ReportContext
from checklist.core.labels import status_labels
from checklist.reports.charts import series_colour
from checklist.reports.charts import status_legend
from checklist.reports.charts import trend_chart
from checklist.reports.charts import type_domain_chart
from checklist.reports.fonts import BASE
from checklist.reports.fonts import BOLD
from checklist.reports.fonts import setup_reportlab
from checklist.reports.styles import LIGHT
from checklist.reports.styles import NAVY
from checklist.reports.styles import STATUS_COLOURS
from checklist.reports.styles import STATUS_TINTS
from checklist.reports.styles import STYLES
from checklist.reports.styles import cell
from checklist.reports.styles import para
from checklist.reports.styles import table_style as _house_table_style
from checklist.reports.visit_report import FRAME_WIDTH
from checklist.reports.visit_report import MARGIN_BOTTOM
from checklist.reports.visit_report import MARGIN_TOP
from checklist.reports.visit_report import MARGIN_X
from checklist.reports.visit_report import PAGE_HEIGHT
from checklist.reports.visit_report import PAGE_WIDTH
from checklist.reports.visit_report import _method as visit_method
from checklist.reports.visit_report import _numbered_canvas
from checklist.reports.visit_report import draw_page_rules
from checklist.core.scoring import status_for

# Articles of the UN Convention on the Rights of the Child that the criteria cite, by the
# short names monitors use. An article not listed is shown by its number only.
CRC_ARTICLES = {
    "art. 3": N_("Best interests of the child"),
    "art. 6": N_("Life, survival and development"),
    "art. 7": N_("Registration, name and nationality"),
    "art. 8": N_("Preservation of identity"),
    "art. 9": N_("Not being separated from parents"),
    "art. 10": N_("Family reunification"),
    "art. 12": N_("Respect for the views of the child"),
    "art. 13": N_("Freedom of expression and information"),
    "art. 15": N_("Freedom of association"),
    "art. 16": N_("Privacy"),
    "art. 17": N_("Access to information"),
    "art. 18": N_("Parents' responsibilities and support"),
    "art. 19": N_("Protection from violence, abuse and neglect"),
    "art. 20": N_("Children without family care"),
    "art. 22": N_("Refugee children"),
    "art. 23": N_("Children with a disability"),
    "art. 24": N_("Health and health services"),
    "art. 27": N_("Adequate standard of living"),
    "art. 28": N_("Education"),
    "art. 29": N_("Aims of education"),
    "art. 31": N_("Play, leisure and culture"),
    "art. 34": N_("Protection from sexual exploitation"),
    "art. 37": N_("Detention and cruel treatment"),
    "art. 39": N_("Recovery and reintegration"),
}
# General principles: a criterion that cites one of these and a specific right is
# grouped under the specific right.
GENERAL_PRINCIPLES = ("art. 2", "art. 3", "art. 6")

HEAD_PADDING = 3
_HEAD_STYLES: dict[tuple, ParagraphStyle] = {}
_HEAD_SMALL = ParagraphStyle("MonitorHeadSmall", parent=STYLES["CellHead"], fontName=BASE, fontSize=7, leading=9)
_CELL_SMALL = ParagraphStyle("MonitorCellSmall", parent=STYLES["Cell"], fontSize=7.5, leading=9.5)
_HEADER_RIGHT = ParagraphStyle("MonitorHeaderRight", parent=STYLES["Header"], alignment=2)
_BOLD_RIGHT = ParagraphStyle("MonitorBoldRight", parent=STYLES["CellBold"], alignment=2)
_GROUP = ParagraphStyle("MonitorGroup", parent=STYLES["CellBold"], fontSize=9, leading=12, textColor=STYLES["H2"].textColor)
_CELL_SMALL_RIGHT = ParagraphStyle("MonitorCellSmallRight", parent=STYLES["CellRight"], fontSize=7.5, leading=9.5)


def _head_style(labels, column_width: float) -> ParagraphStyle:
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
    key = (font, size)
    if key not in _HEAD_STYLES:
        _HEAD_STYLES[key] = ParagraphStyle(
            f"MonitorHead-{font}-{size}", parent=STYLES["CellHead"], fontName=font, fontSize=size, leading=size * 1.3
        )
    return _HEAD_STYLES[key]


def table_style(*extra, header: bool = True):
    """The house table look, with narrower header padding so labels keep their words whole."""
    if header:
        extra = (("LEFTPADDING", (0, 0), (-1, 0), HEAD_PADDING), ("RIGHTPADDING", (0, 0), (-1, 0), HEAD_PADDING), *extra)
    return _house_table_style(*extra, header=header)


def _head_row(labels, widths) -> list:
    style = _head_style(labels, min(widths))
    return [para(label, style) for label in labels]


@dataclass(frozen=True)
class MonitorReport:
    """Everything the monitor report shows (built by `checklist.reports.monitor_data`).

    summary: locations, visits, organisations, first_date, last_date
    types: per location type in the criteria's order: type, label, locations, visits,
        score (mean overall), domains {domain_id: {score, scored_visits}}; all_types: the same over all
    domains: (domain_id, title) in order
    locations: label (name or "Location A"), type_label, visits, latest_date, score, status,
        red_flags; when named also municipality, province, operator, closed_on
    failed: criterion_id, text, domain, critical, failed, assessed, failed_locations, crc, rcd_2013, rcd_2024
    red_flags: label, type_label, visit_date, criteria [{criterion_id, text, domain}]
    trends: type, label, year, quarter, score, visits
    voices: per domain: domain_id, title, total, items [{text, age_band, type_label}]
    versions: version, hash, visits, first_date, last_date
    """

    criteria: Criteria
    lang: str
    filters: Filters
    anonymised: bool
    organisation_scope: str | None  # None: every organisation's submitted visits
    organisation_filter: str | None
    generated_at: str
    summary: Mapping[str, Any]
    types: Sequence[Mapping[str, Any]]
    all_types: Mapping[str, Any]
    domains: Sequence[tuple[str, str]]
    locations: Sequence[Mapping[str, Any]]
    failed: Sequence[Mapping[str, Any]]
    failed_count: int
    red_flags: Sequence[Mapping[str, Any]]
    trends: Sequence[Mapping[str, Any]]
    voices: Sequence[Mapping[str, Any]]
    versions: Sequence[Mapping[str, Any]]
    voices_per_domain: int = 8


class _Context(ReportContext):
    """The report plus gettext, number and date formats (the names `visit_report._method` uses)."""

    def __init__(self, report: MonitorReport):
        super().__init__(report)
        self.bands = report.criteria.scoring.status_bands

    def score(self, value) -> str:
        return "–" if value is None else f"{value:.0f}"

    def percent(self, part: int, whole: int) -> str:
        return f"{100 * part / whole:.0f}%" if whole else "–"

    def status(self, status: str) -> str:
        return status_labels(self._).get(status, self._("No score"))

    def period(self) -> str:
        f, s = self.report.filters, self.report.summary
        if f.since and f.until:
            return f"{self.date(f.since)} – {self.date(f.until)}"
        if f.since:
            return self._("from %(date)s", date=self.date(f.since))
        if f.until:
            return self._("up to %(date)s", date=self.date(f.until))
        if s.get("first_date"):
            first, last = self.date(s["first_date"]), self.date(s["last_date"])
            return self._("all visits to date (%(first)s – %(last)s)", first=first, last=last)
        return self._("all visits to date")


def build_monitor_report(data: MonitorReport) -> bytes:
    """Render the monitor report as PDF bytes."""
    setup_reportlab()
    ctx = _Context(data)
    buffer = BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=ctx._("Monitoring report"),
        author=data.organisation_scope or ctx._("All organisations"),
        creator="checklist",
    )
    height = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    padding = {"leftPadding": 0, "rightPadding": 0, "topPadding": 0, "bottomPadding": 0}
    frame = Frame(MARGIN_X, MARGIN_BOTTOM, FRAME_WIDTH, height, id="body", **padding)
    doc.addPageTemplates([PageTemplate(id="all", frames=[frame], onPage=_page_decorator(ctx))])
    doc.build(_story(ctx), canvasmaker=_numbered_canvas(ctx))
    return buffer.getvalue()


def _story(ctx: _Context) -> list:
    if not ctx.report.summary.get("visits"):
        nothing = para(ctx._("No submitted visits match this period and these filters."), "Body")
        return _title_block(ctx) + [nothing] + _appendix(ctx)
    return (
        _title_block(ctx)
        + _type_scores(ctx)
        + _failed(ctx)
        + _red_flags(ctx)
        + _trends(ctx)
        + _voices(ctx)
        + _locations(ctx)
        + _versions(ctx)
        + _appendix(ctx)
    )


# -- page furniture ---------------------------------------------------------------


def _page_decorator(ctx: _Context):
    report = ctx.report
    if report.anonymised:
        confidential = ctx._("Anonymised – no names of locations or children; contains observations about children")
    else:
        confidential = ctx._("Confidential – contains observations about children; do not distribute further")
    header = para(f"{ctx._('Monitoring report')} · {ctx.period()}", "Header")
    scope = para(report.organisation_scope or ctx._("All organisations"), _HEADER_RIGHT)

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


# -- 1. title block -----------------------------------------------------------------


def _title_block(ctx: _Context) -> list:
    report, _ = ctx.report, ctx._
    story = [
        para(report.organisation_scope or _("All organisations"), "Kicker"),
        para(_("Monitoring report"), "Title"),
        para(report.criteria.spec.title.get(ctx.lang), "Subtitle"),
        para(ctx.period(), "H2"),
        Spacer(1, 2 * mm),
        _pairs_table(_filter_pairs(ctx)),
        Spacer(1, 4 * mm),
        _key_figures(ctx),
        Spacer(1, 3 * mm),
        para(
            _(
                "This report brings together the submitted visits of the period: scores per domain and type of location, the criteria most often not met, red flags, trends and what children said. Scores run from 0 to 100; the appendix explains how they are computed and combined."
            ),
            "Body",
        ),
    ]
    contents = [
        _("Scores per domain and type of location"),
        _("Criteria most often not met"),
        _("Red flags by location"),
        _("Trends over the period"),
        _("What children said"),
        _("Locations in this report"),
        _("Criteria versions used"),
        _("Appendix: method"),
    ]
    if report.summary.get("visits"):
        story += [para(_("In this report"), "H2"), _bullets(contents)]
    if report.anonymised:
        story.append(
            para(
                _("Locations are anonymised: they are called Location A, B, … and no name, municipality, province or operator of a location appears in this report."),
                "Body",
            )
        )
    return story


def _filter_pairs(ctx: _Context) -> list[tuple[str, str]]:
    report, f, _ = ctx.report, ctx.report.filters, ctx._
    withheld = _("selected (not named in an anonymised report)")
    if report.organisation_scope:
        organisations = _("%(name)s (own organisation)", name=report.organisation_scope)
    else:
        organisations = _("All organisations")
    if report.organisation_filter:
        organisations += " · " + _("visits by %(name)s", name=report.organisation_filter)
    types = ", ".join(report.criteria.location_type_label(t, ctx.lang) for t in f.types) or _("All types")
    closed = {"open": _("Open locations only"), "closed": _("Closed locations only"), "all": _("Open and closed locations")}
    versions = ", ".join(_("%(version)s (%(n)d visits)", version=v["version"], n=v["visits"]) for v in report.versions) or "–"
    pairs = [
        (_("Period"), ctx.period()),
        (_("Organisations"), organisations),
        (_("Location types"), types),
        (_("Province"), (withheld if report.anonymised else f.province) if f.province else _("All provinces")),
        (_("Operator"), (withheld if report.anonymised else f.operator) if f.operator else _("All operators")),
        (_("Locations"), closed.get(f.closed, f.closed)),
        (_("Locations in this report"), _("Anonymised (Location A, B, …)") if report.anonymised else _("Named")),
        (_("Criteria version"), versions),
        (_("Report generated"), ctx.timestamp(report.generated_at)),
    ]
    return pairs


def _pairs_table(pairs: list[tuple[str, str]]) -> Table:
    rows = [[cell(label, "Label"), cell(value, "Value")] for label, value in pairs]
    table = Table(rows, colWidths=[FRAME_WIDTH * 0.24, FRAME_WIDTH * 0.76])
    table.setStyle(
        table_style(("BACKGROUND", (0, 0), (-1, -1), LIGHT), ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.white), header=False)
    )
    return table


def _key_figures(ctx: _Context) -> Table:
    report, _ = ctx.report, ctx._
    summary = report.summary
    flagged = sum(1 for loc in report.locations if loc["red_flags"])
    rows = [
        [
            cell(_("Locations visited"), "Label"),
            cell(_("Submitted visits"), "Label"),
            cell(_("Mean overall score"), "Label"),
            cell(_("Locations with a red flag"), "Label"),
        ],
        [
            cell(str(summary.get("locations") or 0), "BigValue"),
            cell(str(summary.get("visits") or 0), "BigValue"),
            cell(ctx.score(report.all_types.get("score")), "BigValue"),
            cell(str(flagged), "BigValue"),
        ],
        [
            cell(_("with a submitted visit in the period"), "CellMuted"),
            cell(_("by %(n)d organisations", n=summary.get("organisations") or 0), "CellMuted"),
            cell(_("mean over the visits, 0–100"), "CellMuted"),
            cell(_("at their latest visit in the period"), "CellMuted"),
        ],
    ]
    table = Table(rows, colWidths=[FRAME_WIDTH / 4] * 4)
    table.setStyle(
        table_style(
            ("BACKGROUND", (0, 0), (-1, -1), LIGHT),
            ("LINEBELOW", (0, 0), (-1, -1), 0, LIGHT),
            ("LINEAFTER", (0, 0), (-2, -1), 3, colors.white),
            header=False,
        )
    )
    return table


# -- 2. scores per domain and location type -------------------------------------------


def _type_scores(ctx: _Context) -> list:
    report, _ = ctx.report, ctx._
    intro = para(
        _(
            "The mean of each domain score over the submitted visits in the period, per type of location. Every visit counts once, so a location visited more often weighs more."
        ),
        "Body",
    )
    chart = type_domain_chart(report.types, report.criteria, ctx.lang, width=FRAME_WIDTH, colours=_type_colours(report))
    story = [PageBreak(), para(_("Scores per domain and type of location"), "H1"), intro, chart, Spacer(1, 3 * mm)]
    story.append(_type_table(ctx))
    story += [
        Spacer(1, 2 * mm),
        para(
            _(
                "– : no visit of this type has a score for this domain (it does not apply, or was not assessed). Cell colours follow the thresholds of the mean score:"
            ),
            "Small",
        ),
        status_legend(ctx.lang, ctx.bands, width=FRAME_WIDTH),
    ]
    return story


def _type_colours(report: MonitorReport) -> list:
    return [series_colour(i) for i in range(len(report.types))]


def _type_table(ctx: _Context) -> Table:
    report, _ = ctx.report, ctx._
    columns = list(report.types) + ([report.all_types] if len(report.types) > 1 else [])
    first = 0.2 if len(columns) > 4 else 0.4
    widths = [FRAME_WIDTH * first] + [FRAME_WIDTH * (1 - first) / max(len(columns), 1)] * len(columns)
    labels = [column.get("label") or _("All types") for column in columns]
    style = _head_style(labels, widths[-1])
    head = [cell(_("Domain"), style)]
    for label, column in zip(labels, columns):
        head.append([para(label, style), para(_("%(n)d visits", n=column["visits"]), _HEAD_SMALL)])
    rows, styles = [head], []
    for r, (domain_id, title) in enumerate(report.domains, start=1):
        row = [cell(title)]
        for c, column in enumerate(columns, start=1):
            value = (column["domains"].get(domain_id) or {}).get("score")
            row.append(cell(ctx.score(value), "CellRight"))
            styles.append(("BACKGROUND", (c, r), (c, r), STATUS_TINTS[status_for(value, ctx.bands)]))
        rows.append(row)
    overall = [cell(_("Overall"), "CellBold")]
    for c, column in enumerate(columns, start=1):
        overall.append(cell(ctx.score(column.get("score")), _BOLD_RIGHT))
        styles.append(("BACKGROUND", (c, len(rows)), (c, len(rows)), STATUS_TINTS[status_for(column.get("score"), ctx.bands)]))
    rows.append(overall)
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        table_style(*styles, ("LINEABOVE", (0, -1), (-1, -1), 0.8, NAVY), ("LINEAFTER", (1, 1), (-2, -1), 0.4, colors.white))
    )
    return table


# -- 3. criteria most often not met ----------------------------------------------------


def primary_article(crc: Sequence[str]) -> str | None:
    """The CRC article a criterion is grouped under: the first specific right it cites."""
    specific = [a for a in crc if a not in GENERAL_PRINCIPLES]
    return (specific or list(crc) or [None])[0]


def _failed(ctx: _Context) -> list:
    report, _ = ctx.report, ctx._
    story = [CondPageBreak(70 * mm), para(_("Criteria most often not met"), "H1")]
    if not report.failed:
        return story + [para(_("No criterion was assessed as not met in this period."), "Body")]
    story.append(
        para(
            _(
                "The %(shown)d criteria (of %(count)d not met at least once) that were not met in the most visits, grouped by the right of the child they serve: the article of the UN Convention on the Rights of the Child (CRC), with the articles of the Reception Conditions Directive.",
                shown=len(report.failed),
                count=report.failed_count,
            ),
            "Body",
        )
    )
    groups: dict = {}
    for row in report.failed:
        groups.setdefault(primary_article(row["crc"]), []).append(row)
    # The right with the most failures first; criteria citing no CRC article last.
    ranked = sorted(
        groups.items(), key=lambda item: (-sum(r["failed"] for r in item[1]), item[0] is None, _article_number(item[0]))
    )
    return story + [_failed_table(ctx, ranked)]


def _article_number(article: str | None) -> int:
    digits = "".join(ch for ch in (article or "") if ch.isdigit())
    return int(digits) if digits else 0


def _article_heading(ctx: _Context, article: str | None) -> str:
    if article is None:
        return ctx._("No article of the CRC cited")
    name = CRC_ARTICLES.get(article)
    return f"{ctx._('CRC')} {article}" + (f" – {ctx._(name)}" if name else "")


def _failed_table(ctx: _Context, groups) -> Table:
    """One table; each right of the child opens with a row of its own."""
    _ = ctx._
    widths = [FRAME_WIDTH * w for w in (0.42, 0.19, 0.1, 0.1, 0.08, 0.11)]
    labels = [
        _("Criterion"),
        _("Reception Conditions Directive"),
        _("Not met (visits)"),
        _("Assessed (visits)"),
        _("Share"),
        _("Locations"),
    ]
    rows, styles = [_head_row(labels, widths[2:])], []
    for article, group in groups:
        r = len(rows)
        # The right's row never ends a page: it stays with its first criterion.
        styles += [("SPAN", (0, r), (-1, r)), ("BACKGROUND", (0, r), (-1, r), LIGHT), ("NOSPLIT", (0, r), (-1, r + 1))]
        rows.append([para(_article_heading(ctx, article), _GROUP), "", "", "", "", ""])
        for row in group:
            details = [row["domain"] or ""]
            if row["critical"]:
                details.append(_("critical"))
            others = [a for a in row["crc"] if a != article]
            if others:
                details.append(_("also CRC %(articles)s", articles=", ".join(others)))
            directive = [f"2013/33/EU {a}" for a in row["rcd_2013"]] + [f"(EU) 2024/1346 {a}" for a in row["rcd_2024"]]
            rows.append(
                [
                    [cell(row["text"]), cell(" · ".join(d for d in details if d), "CellMuted")],
                    cell("\n".join(directive) or "–", _CELL_SMALL),
                    cell(str(row["failed"]), "CellRight"),
                    cell(str(row["assessed"]), "CellRight"),
                    cell(ctx.percent(row["failed"], row["assessed"]), "CellRight"),
                    cell(
                        _("%(failed)d of %(assessed)d", failed=row["failed_locations"], assessed=row["assessed_locations"]),
                        _CELL_SMALL_RIGHT,
                    ),
                ]
            )
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(table_style(*styles))
    return table


# -- 4. red flags by location -----------------------------------------------------------


def _red_flags(ctx: _Context) -> list:
    report, _ = ctx.report, ctx._
    story = [CondPageBreak(60 * mm), para(_("Red flags by location"), "H1")]
    story.append(para(_("Critical criteria not met at each location's latest submitted visit in the period."), "Body"))
    if not report.red_flags:
        none = _("No red flags: at every location's latest visit, every critical criterion that was assessed is met.")
        return story + [para(none, "Body")]
    widths = [FRAME_WIDTH * w for w in (0.2, 0.16, 0.12, 0.37, 0.15)]
    labels = [_("Location"), _("Type"), _("Latest visit"), _("Critical criterion not met"), _("Domain")]
    rows = [_head_row(labels, widths)]
    styles = [("BACKGROUND", (0, 0), (-1, 0), STATUS_COLOURS["red"]), ("BACKGROUND", (0, 1), (-1, -1), STATUS_TINTS["red"])]
    for entry in report.red_flags:
        first = len(rows)
        for j, criterion in enumerate(entry["criteria"]):
            rows.append(
                [
                    # repeated (muted) on every row, so a location continued on the next page keeps its name
                    cell(entry["label"], "CellBold" if j == 0 else "CellMuted"),
                    cell(entry["type_label"], _CELL_SMALL) if j == 0 else "",
                    cell(ctx.date(entry["visit_date"], "medium"), _CELL_SMALL) if j == 0 else "",
                    cell(criterion["text"]),
                    cell(criterion["domain"], _CELL_SMALL),
                ]
            )
        if first > 1:
            styles.append(("LINEABOVE", (0, first), (-1, first), 1.2, STATUS_COLOURS["red"]))
        if len(rows) - first > 1:
            styles.append(("LINEBELOW", (0, first), (2, len(rows) - 2), 0.4, STATUS_TINTS["red"]))
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(table_style(*styles))
    total = len(report.locations)
    story += [
        table,
        Spacer(1, 2 * mm),
        para(
            _(
                "%(clear)d of %(total)d locations had no red flag at their latest visit in the period.",
                clear=total - len(report.red_flags),
                total=total,
            ),
            "Body",
        ),
    ]
    return story


# -- 5. trends ------------------------------------------------------------------------


def _trends(ctx: _Context) -> list:
    report, _ = ctx.report, ctx._
    quarters = sorted({(r["year"], r["quarter"]) for r in report.trends})
    story = [CondPageBreak(90 * mm), para(_("Trends over the period"), "H1")]
    story.append(
        para(
            _("Mean overall score of the submitted visits per quarter and type of location; (n) is the number of visits."),
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
    rows, styles = [_head_row([_("Quarter")] + [row["label"] for row in types], widths[1:])], []
    for r, (year, quarter) in enumerate(quarters, start=1):
        line = [cell(_("Q%(quarter)d %(year)d", quarter=quarter, year=year))]
        for c, row in enumerate(types, start=1):
            found = cells.get((year, quarter, row["type"]))
            text = f"{ctx.score(found['score'])} ({found['visits']})" if found else "–"
            line.append(cell(text, "CellRight"))
            if found:
                styles.append(("BACKGROUND", (c, r), (c, r), STATUS_TINTS[status_for(found["score"], ctx.bands)]))
        rows.append(line)
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(table_style(*styles, ("LINEAFTER", (1, 1), (-2, -1), 0.4, colors.white)))
    return story + [table]


# -- 6. what children said ----------------------------------------------------------------


def _voices(ctx: _Context) -> list:
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


# -- 7. locations ---------------------------------------------------------------------


def _locations(ctx: _Context) -> list:
    report, _ = ctx.report, ctx._
    story = [CondPageBreak(50 * mm), para(_("Locations in this report"), "H1")]
    story.append(
        para(
            _(
                "Each location with a submitted visit in the period, with the overall score and status of its latest visit in the period. With a red flag the status is at most %(cap)s, whatever the score.",
                cap=ctx.status(ctx.criteria.scoring.red_flag_cap).lower(),
            ),
            "Body",
        )
    )
    labels = [_("Location"), _("Type")] + ([] if report.anonymised else [_("Municipality / province")])
    labels += [_("Visits"), _("Latest visit"), _("Score"), _("Red flags")]
    if report.anonymised:
        widths = [FRAME_WIDTH * w for w in (0.18, 0.3, 0.1, 0.15, 0.17, 0.1)]
    else:
        widths = [FRAME_WIDTH * w for w in (0.25, 0.16, 0.2, 0.08, 0.11, 0.12, 0.08)]
    head = _head_row(labels, widths[-4:])
    rows, styles = [head], []
    for r, loc in enumerate(report.locations, start=1):
        row = [cell(loc["label"], "CellBold"), cell(loc["type_label"], _CELL_SMALL)]
        if not report.anonymised:
            place = ", ".join(str(v) for v in (loc.get("municipality"), loc.get("province")) if v)
            if loc.get("closed_on"):
                place = (place + " · " if place else "") + _("closed since %(date)s", date=ctx.date(loc["closed_on"], "medium"))
            row.append(cell(place, _CELL_SMALL))
        score_col = len(row) + 2
        row += [
            cell(str(loc["visits"]), "CellRight"),
            cell(ctx.date(loc["latest_date"], "medium"), _CELL_SMALL),
            cell(f"{ctx.score(loc['score'])} · {ctx.status(loc['status'])}", _CELL_SMALL),
            cell(str(loc["red_flags"]), "CellRight"),
        ]
        styles.append(("BACKGROUND", (score_col, r), (score_col, r), STATUS_TINTS.get(loc["status"], STATUS_TINTS["none"])))
        rows.append(row)
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(table_style(*styles))
    return story + [table, Spacer(1, 2 * mm), status_legend(ctx.lang, ctx.bands, width=FRAME_WIDTH)]


# -- 8. criteria versions ---------------------------------------------------------------


def _versions(ctx: _Context) -> list:
    report, _ = ctx.report, ctx._
    story = [CondPageBreak(40 * mm), para(_("Criteria versions used"), "H1")]
    story.append(para(_("Each visit is scored with the criteria version it was made with."), "Body"))
    widths = [FRAME_WIDTH * w for w in (0.22, 0.22, 0.12, 0.22, 0.22)]
    head = _head_row([_("Criteria version"), _("File hash"), _("Visits"), _("First visit"), _("Last visit")], widths)
    rows = [head] + [
        [
            cell(v["version"]),
            cell(v["hash"][:12], "CellMuted"),
            cell(str(v["visits"]), "CellRight"),
            cell(ctx.date(v["first_date"], "medium")),
            cell(ctx.date(v["last_date"], "medium")),
        ]
        for v in report.versions
    ]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(table_style())
    return story + [table]


# -- 9. appendix ------------------------------------------------------------------------


def _bullets(texts: list[str]) -> ListFlowable:
    items = [para(text, "Body") for text in texts]
    return ListFlowable(items, bulletType="bullet", start="•", leftIndent=10, bulletFontName=BASE, bulletFontSize=8)


def _appendix(ctx: _Context) -> list:
    _ = ctx._
    story = [CondPageBreak(80 * mm), para(_("Appendix: method"), "H1"), para(_("How the scores of a visit are computed"), "H2")]
    story.append(_bullets(visit_method(ctx)))
    story += [para(_("How this report combines visits"), "H2"), _bullets(_aggregation(ctx))]
    story += [
        para(_("Status colours"), "H2"),
        status_legend(ctx.lang, ctx.bands, width=FRAME_WIDTH),
        para(_("Legal anchors"), "H2"),
        para(
            _(
                "CRC: UN Convention on the Rights of the Child. Directive 2013/33/EU: Reception Conditions Directive. Directive (EU) 2024/1346: recast Reception Conditions Directive."
            ),
            "Body",
        ),
        para(ctx.criteria.spec.derived_from.get(ctx.lang), "Body"),
    ]
    return story


def _aggregation(ctx: _Context) -> list[str]:
    """How the visits are combined; keep in step with checklist/store/reports.py."""
    _ = ctx._
    texts = [
        _(
            "The report covers the submitted visits with a visit date in the period, at locations that match the filters, that the reader may see: a coordinator their own organisation's visits, a monitor those of all organisations. Drafts are never included."
        ),
        _(
            "Scores per domain and type of location: the mean of the domain score over the submitted visits in the period, per type of location. A visit without a score for a domain (not applicable, or nothing assessed) is left out of that domain's mean. 'All types' is the mean over all those visits. Each number can be recomputed from the visits export with the same filters."
        ),
        _(
            "Criteria most often not met: for each criterion, the number of visits in which it was not met (does not meet, a no, or a count in a failing band of the visit's criteria version), out of the visits in which it was assessed (not counting not applicable, could not assess and unanswered); 'Locations' counts the locations where it was not met at least once, of those where it was assessed."
        ),
        _("Red flags by location: the critical criteria not met at each location's latest submitted visit in the period."),
        _("Trends: the mean overall score of the submitted visits per calendar quarter and type of location."),
        _(
            "What children said: the statements recorded with the submitted visits in the period, with age band and type of location only."
        ),
    ]
    if ctx.report.anonymised:
        texts.append(
            _(
                "Anonymised: locations are called Location A, B, … in the order in which they were registered; names, municipalities, provinces and operators are left out, and removed ([…]) from children's statements."
            )
        )
    return texts
