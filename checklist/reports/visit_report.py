"""The visit report PDF: one `VisitReport` in, PDF bytes out, no Flask inside.

Built like pretix's invoice renderer: a `BaseDocTemplate` (A4, margins in mm) with one
`PageTemplate` whose onPage draws the header (location, date, draft mark), the footer
(confidentiality) and, for a draft, a watermark; a `NumberedCanvas` adds "page X of Y"
once the page count is known. The report is read by location managers and a ministry,
so the order is: who/when/what, the overall picture with red flags, the findings per
domain, what children said, change since the previous visit, and the method.

Rules kept here: every user string goes through `styles.para` (escaped) exactly once,
never into `Paragraph` directly; static labels are English msgids through gettext.
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate
from reportlab.platypus import CondPageBreak
from reportlab.platypus import Frame
from reportlab.platypus import KeepTogether
from reportlab.platypus import ListFlowable
from reportlab.platypus import PageTemplate
from reportlab.platypus import Spacer
from reportlab.platypus import Table

from checklist.reports.context import ReportContext
from checklist.core.labels import status_labels
from checklist.reports import VisitReport
from checklist.reports.charts import domain_bar_chart
from checklist.reports.fonts import BASE
from checklist.reports.fonts import BOLD
from checklist.reports.fonts import draw_outlined
from checklist.reports.fonts import setup_reportlab
from checklist.reports.styles import DRAFT_RED
from checklist.reports.styles import LIGHT
from checklist.reports.styles import MUTED
from checklist.reports.styles import NAVY
from checklist.reports.styles import RULE
from checklist.reports.styles import STATUS_COLOURS
from checklist.reports.styles import STATUS_TINTS
from checklist.reports.styles import cell
from checklist.reports.styles import para
from checklist.reports.styles import table_style
from checklist.core.scoring import domain_changes

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 24 * mm
MARGIN_BOTTOM = 20 * mm
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
FIRST_ROWS = 3  # criteria rows kept on the page of their domain heading


class _Context(ReportContext):
    """The visit report plus whether it is a draft."""

    def __init__(self, report: VisitReport):
        super().__init__(report)
        self.draft = report.visit.get("status") == "draft"

    def domain_title(self, domain_id) -> str:
        domain = self.criteria.domain(domain_id) if domain_id else None
        return domain.title.get(self.lang) if domain else self._("General")

    def status(self, status: str) -> str:
        """The same words as the web pages: Good / Needs attention / Insufficient / No score."""
        return status_labels(self._).get(status, self._("No score"))


def build_visit_report(report: VisitReport) -> bytes:
    """Render the visit report as PDF bytes."""
    setup_reportlab()
    ctx = _Context(report)
    buffer = BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=ctx._("Visit report"),
        author=str(report.visit.get("organisation") or ""),
        creator="checklist",
    )
    frame = Frame(
        MARGIN_X,
        MARGIN_BOTTOM,
        FRAME_WIDTH,
        PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM,
        id="body",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    header = para(report.location.get("name"), "Header")
    doc.addPageTemplates([PageTemplate(id="all", frames=[frame], onPage=_page_decorator(ctx, header))])
    doc.build(_story(ctx), canvasmaker=_numbered_canvas(ctx))
    return buffer.getvalue()


def _story(ctx: _Context) -> list:
    story = _heading_block(ctx) + _summary(ctx) + _domain_sections(ctx) + _voices(ctx)
    if ctx.report.previous is not None:
        story += _changes(ctx)
    return story + _actions(ctx) + _appendix(ctx)


# -- page furniture ---------------------------------------------------------------


def _page_decorator(ctx: _Context, header):
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


def draw_page_rules(canvas, top: float, confidential: str) -> None:
    """The rule under the header, the rule above the footer and the confidentiality line:
    the frame every report page shares (the monitor report uses it too)."""
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN_X, top - 2 * mm, PAGE_WIDTH - MARGIN_X, top - 2 * mm)
    canvas.line(MARGIN_X, MARGIN_BOTTOM - 6 * mm, PAGE_WIDTH - MARGIN_X, MARGIN_BOTTOM - 6 * mm)
    canvas.setFont(BASE, 7)
    canvas.setFillColor(MUTED)
    canvas.drawString(MARGIN_X, MARGIN_BOTTOM - 10 * mm, confidential)


def _watermark(canvas, text: str) -> None:
    canvas.saveState()
    canvas.setFillColor(DRAFT_RED)
    canvas.setFillAlpha(0.10)
    canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
    canvas.rotate(45)
    draw_outlined(canvas, text, BOLD, 96)
    canvas.restoreState()


def _numbered_canvas(ctx: _Context):
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


# -- 1. heading block -------------------------------------------------------------


def _heading_block(ctx: _Context) -> list:
    report, _ = ctx.report, ctx._
    story = [
        para(report.visit.get("organisation"), "Kicker"),
        para(_("Visit report"), "Title"),
        para(report.location.get("name"), "Subtitle"),
    ]
    if ctx.draft:
        story.append(_banner(_("DRAFT – this visit has not been submitted; findings may still change."), DRAFT_RED))
    story += [Spacer(1, 3 * mm), _meta_table(ctx)]
    story += [
        para(_("General impression"), "H2"),
        para(report.visit.get("impression") or _("No general impression was recorded."), "Body"),
    ]
    return story


def _banner(text: str, colour) -> Table:
    table = Table([[para(text, "Draft")]], colWidths=[FRAME_WIDTH])
    table.setStyle(table_style(("BACKGROUND", (0, 0), (-1, -1), colour), ("TOPPADDING", (0, 0), (-1, -1), 4), header=False))
    return table


def _meta_table(ctx: _Context) -> Table:
    pairs = _meta_pairs(ctx)
    half = (len(pairs) + 1) // 2
    rows = []
    for i in range(half):
        row = []
        for label, value in (pairs[i], pairs[i + half] if i + half < len(pairs) else ("", "")):
            row += [cell(label, "Label") if label else "", cell(value, "Value") if label else ""]
        rows.append(row)
    table = Table(rows, colWidths=[w * FRAME_WIDTH for w in (0.17, 0.33, 0.17, 0.33)])
    table.setStyle(
        table_style(("BACKGROUND", (0, 0), (-1, -1), LIGHT), ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.white), header=False)
    )
    return table


def _meta_pairs(ctx: _Context) -> list[tuple[str, str]]:
    loc, visit, _ = ctx.report.location, ctx.report.visit, ctx._
    place = ", ".join(str(v) for v in (loc.get("municipality"), loc.get("province")) if v)
    visitors = visit.get("visitors")
    if isinstance(visitors, (list, tuple)):
        visitors = ", ".join(str(v) for v in visitors)
    pairs = [
        (_("Location type"), ctx.criteria.location_type_label(loc.get("type") or "", ctx.lang)),
        (_("Municipality / province"), place),
        (_("Operator"), loc.get("operator")),
        (_("Capacity"), _text(ctx, loc.get("capacity"))),
        (_("Visit date"), ctx.date(visit.get("visit_date"))),
        (_("Organisation"), visit.get("organisation")),
        (_("Visitors"), visitors),
        (_("Announced"), _text(ctx, visit.get("announced"))),
        (_("Children present"), _text(ctx, visit.get("children_present"))),
        (_("Unaccompanied minors present"), _text(ctx, visit.get("amv_present"))),
        (_("Criteria version"), ctx.criteria.version),
    ]
    if visit.get("revision"):
        # A reopened and resubmitted visit says which version of the findings this is.
        label = _("%(n)s (being corrected)", n=visit["revision"]) if visit.get("status") == "draft" else str(visit["revision"])
        pairs.append((_("Revision"), label))
    if visit.get("submitted_at"):
        pairs.append((_("Submitted"), ctx.timestamp(visit["submitted_at"])))
    if ctx.report.generated_at:
        pairs.append((_("Report generated"), ctx.timestamp(ctx.report.generated_at)))
    return pairs


def _text(ctx: _Context, value):
    """Yes/No for booleans, the value otherwise (`cell` shows "–" for nothing)."""
    if isinstance(value, bool):
        return ctx._("Yes") if value else ctx._("No")
    return value


# -- 2. summary -------------------------------------------------------------------


def _summary(ctx: _Context) -> list:
    score, _ = ctx.report.score, ctx._
    story = [para(_("Summary"), "H1"), _scorecard(ctx), Spacer(1, 4 * mm)]
    story += _red_flags(ctx)
    chart = domain_bar_chart(score, ctx.criteria, ctx.lang, width=FRAME_WIDTH)
    unanswered = para(
        _("Criteria not answered: %(count)d of %(total)d applicable.", count=len(score.unanswered), total=score.applicable),
        "Body",
    )
    return story + [KeepTogether([para(_("Scores per domain"), "H2"), chart, Spacer(1, 2 * mm), unanswered])]


def _scorecard(ctx: _Context) -> Table:
    score, _ = ctx.report.score, ctx._
    value = _("%(score)s / 100", score=f"{score.score:.0f}") if score.score is not None else _("No score")
    coverage = f"{score.coverage * 100:.0f}%" if score.coverage is not None else "–"
    rows = [
        [
            cell(_("Overall status"), "Label"),
            cell(_("Overall score"), "Label"),
            cell(_("Coverage"), "Label"),
            cell(_("Red flags"), "Label"),
        ],
        [
            cell(ctx.status(score.status), "Badge"),
            cell(value, "BigValue"),
            cell(coverage, "BigValue"),
            cell(str(len(score.red_flags)), "BigValue"),
        ],
        [
            "",
            cell(_("weighted mean of the domain scores"), "CellMuted"),
            cell(
                _("%(scored)d of %(assessable)d assessable criteria scored", scored=score.scored, assessable=score.assessable),
                "CellMuted",
            ),
            cell(_("critical criteria not met"), "CellMuted"),
        ],
    ]
    table = Table(rows, colWidths=[FRAME_WIDTH * w for w in (0.22, 0.26, 0.28, 0.24)])
    table.setStyle(
        table_style(
            ("BACKGROUND", (0, 0), (-1, -1), LIGHT),
            ("BACKGROUND", (0, 1), (0, 1), STATUS_COLOURS.get(score.status, STATUS_COLOURS["none"])),
            ("VALIGN", (0, 1), (-1, 1), "MIDDLE"),
            ("LINEBELOW", (0, 0), (-1, -1), 0, LIGHT),
            ("LINEAFTER", (0, 0), (-2, -1), 3, colors.white),
            header=False,
        )
    )
    return table


def _red_flags(ctx: _Context) -> list:
    """Red flags come first in the findings: critical criteria that were not met."""
    _ = ctx._
    flags = ctx.report.score.red_flags
    if not flags:
        return [para(_("Red flags"), "H2"), para(_("No red flags: every critical criterion that was assessed is met."), "Body")]
    rows = [[cell(_("Domain"), "CellHead"), cell(_("Critical criterion not met"), "CellHead"), cell(_("Note"), "CellHead")]]
    for line in flags:
        criterion = ctx.criteria.criterion(line.criterion_id)
        rows.append(
            [
                cell(ctx.domain_title(line.criterion_id.split(".")[0])),
                cell(criterion.text.get(ctx.lang), "CellBold"),
                cell(_note(ctx, line.criterion_id)),
            ]
        )
    table = Table(rows, colWidths=[FRAME_WIDTH * w for w in (0.2, 0.42, 0.38)], repeatRows=1)
    table.setStyle(
        table_style(("BACKGROUND", (0, 0), (-1, 0), STATUS_COLOURS["red"]), ("BACKGROUND", (0, 1), (-1, -1), STATUS_TINTS["red"]))
    )
    return [para(_("Red flags"), "H2"), table]


def _note(ctx: _Context, criterion_id: str):
    return (ctx.report.answers.get(criterion_id) or {}).get("note")


# -- 3. per domain ----------------------------------------------------------------


def _domain_sections(ctx: _Context) -> list:
    story = [CondPageBreak(60 * mm), para(ctx._("Findings per domain"), "H1")]
    for number, domain_score in enumerate(ctx.report.score.domains, start=1):
        story += _domain_section(ctx, number, domain_score)
    return story


def _domain_section(ctx: _Context, number: int, d) -> list:
    _ = ctx._
    heading = para(f"{number}. {ctx.domain_title(d.domain_id)}", "H2")
    score = _("%(score)s / 100", score=f"{d.score:.0f}") if d.score is not None else _("No score")
    coverage = _("%(scored)d of %(assessable)d assessable criteria scored", scored=d.scored, assessable=d.assessable)
    if d.coverage is not None:
        coverage += f" ({d.coverage * 100:.0f}%)"
    status = Table(
        [[cell(ctx.status(d.status), "Badge"), cell(f"{_('Score')}: {score}  ·  {coverage}", "Cell")]],
        colWidths=[24 * mm, FRAME_WIDTH - 24 * mm],
    )
    status.setStyle(
        table_style(
            ("BACKGROUND", (0, 0), (0, 0), STATUS_COLOURS.get(d.status, STATUS_COLOURS["none"])),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LINEBELOW", (0, 0), (-1, -1), 0, colors.white),
            header=False,
        )
    )
    rows = [_criterion_row(ctx, line) for line in d.lines]
    flags = [line.red_flag for line in d.lines]
    # Keep the heading with the table's first rows: break the page first when they
    # would not fit (one table, so no second header row mid-page).
    _, first_rows = _criteria_table(ctx, rows[:FIRST_ROWS], flags[:FIRST_ROWS]).wrap(FRAME_WIDTH, PAGE_HEIGHT)
    return [
        CondPageBreak(first_rows + 22 * mm),
        heading,
        status,
        Spacer(1, 2 * mm),
        _criteria_table(ctx, rows, flags),
        Spacer(1, 3 * mm),
    ]


def _criteria_table(ctx: _Context, rows: list, flags: list[bool]) -> Table:
    _ = ctx._
    head = [cell(_("Criterion"), "CellHead"), cell(_("Answer"), "CellHead"), cell(_("Note"), "CellHead")]
    table = Table([head] + rows, colWidths=[FRAME_WIDTH * w for w in (0.44, 0.22, 0.34)], repeatRows=1)
    highlight = [("BACKGROUND", (0, i), (-1, i), STATUS_TINTS["red"]) for i, flag in enumerate(flags, start=1) if flag]
    table.setStyle(table_style(*highlight))
    return table


def _criterion_row(ctx: _Context, line) -> list:
    criterion = ctx.criteria.criterion(line.criterion_id)
    answer = ctx.report.answers.get(line.criterion_id) or {}
    text = [cell(criterion.text.get(ctx.lang) if criterion else line.criterion_id)]
    if line.critical:
        text.append(cell(ctx._("Critical criterion"), "CellMuted"))
    shown = [_answer_cell(ctx, criterion, line, answer)]
    if line.red_flag:
        shown.append(cell(ctx._("RED FLAG"), "Flag"))
    return [text, shown, cell(answer.get("note"))]


def _answer_cell(ctx: _Context, criterion, line, answer):
    _ = ctx._
    labels = {
        "meets": _("Meets"),
        "partly": _("Partly"),
        "fails": _("Does not meet"),
        "na": _("Not applicable"),
        "unknown": _("Could not assess"),
        "yes": _("Yes"),
        "no": _("No"),
    }
    value = answer.get("value")
    if criterion is not None and criterion.kind == "count" and value not in ("na", "unknown") and line.number is not None:
        unit = criterion.unit.get(ctx.lang) if criterion.unit else ""
        band = labels.get(line.result, "–")
        return cell(f"{ctx.number(line.number)} {unit} → {band}".replace("  ", " "))
    if value in labels:
        return cell(labels[value])
    return cell(_("Not answered"), "CellItalic")


# -- 4. children's voices ---------------------------------------------------------


def _voices(ctx: _Context) -> list:
    _ = ctx._
    story = [CondPageBreak(40 * mm), para(_("What children said"), "H1")]
    story.append(para(_("Children's words as noted by the visitors, with their age band only: no names are recorded."), "Small"))
    voices = list(ctx.report.voices)
    if not voices:
        return story + [para(_("No voices of children were recorded during this visit."), "Body")]
    order = [d.domain_id for d in ctx.report.score.domains]
    groups: dict = {}
    for voice in voices:
        groups.setdefault(voice.get("domain_id"), []).append(voice)
    for domain_id in sorted(groups, key=lambda k: order.index(k) if k in order else len(order)):
        rows = [
            [cell(_("Age %(band)s", band=v.get("age_band") or "?"), "CellMuted"), cell(v.get("text"), "Quote")]
            for v in groups[domain_id]
        ]
        table = Table(rows, colWidths=[24 * mm, FRAME_WIDTH - 24 * mm])
        table.setStyle(table_style(("LINEBEFORE", (1, 0), (1, -1), 2, NAVY), header=False))
        story += [KeepTogether([para(ctx.domain_title(domain_id), "H2"), table])]
    return story


# -- 5. change since the previous visit -------------------------------------------


def _changes(ctx: _Context) -> list:
    _, previous = ctx._, ctx.report.previous
    changes = domain_changes(ctx.report.score, previous.score)
    story = [CondPageBreak(50 * mm), para(_("Change since previous visit"), "H1")]
    story.append(para(_("Previous visit: %(date)s", date=ctx.date(previous.visit.get("visit_date"))), "Body"))
    head = [cell(_("Domain"), "CellHead")] + [
        cell(t, "CellHead") for t in (_("Previous"), _("Current"), _("Difference"), _("Trend"))
    ]
    rows = [head]
    for d in ctx.report.score.domains:
        before = previous.score.domain(d.domain_id)
        rows.append(
            _change_row(ctx, ctx.domain_title(d.domain_id), before.score if before else None, d.score, changes.get(d.domain_id))
        )
    overall_diff = (
        None if previous.score.score is None or ctx.report.score.score is None else ctx.report.score.score - previous.score.score
    )
    rows.append(_change_row(ctx, _("Overall"), previous.score.score, ctx.report.score.score, overall_diff, bold=True))
    table = Table(rows, colWidths=[FRAME_WIDTH * w for w in (0.34, 0.14, 0.14, 0.14, 0.24)], repeatRows=1)
    table.setStyle(table_style(("LINEABOVE", (0, -1), (-1, -1), 0.8, NAVY)))
    return story + [table]


def _change_row(ctx: _Context, title: str, before, now, diff, bold: bool = False) -> list:
    def fmt(v):
        return f"{v:.0f}" if v is not None else "–"

    if diff is None:
        trend, colour = ctx._("not comparable"), "none"
    elif diff >= 0.5:
        trend, colour = "▲ " + ctx._("improved"), "green"
    elif diff <= -0.5:
        trend, colour = "▼ " + ctx._("worsened"), "red"
    else:
        trend, colour = "= " + ctx._("same"), "none"
    difference = "–" if diff is None else f"{diff:+.0f}"
    plain = "CellBold" if bold else "Cell"
    return [
        cell(title, plain),
        cell(fmt(before), "CellRight"),
        cell(fmt(now), "CellRight"),
        cell(difference, "CellRight"),
        cell(trend, "Trend-" + colour),
    ]


# -- 6. actions and follow-up -----------------------------------------------------


def _actions(ctx: _Context) -> list:
    """What should change, who is responsible and by when; then earlier actions checked here."""
    _ = ctx._
    actions = list(ctx.report.actions)
    recorded = [a for a in actions if not a.get("earlier")]
    earlier = [a for a in actions if a.get("earlier")]
    story = [CondPageBreak(40 * mm), para(_("Actions and follow-up"), "H1"), para(_("Actions recorded at this visit"), "H2")]
    if recorded:
        story.append(_actions_table(ctx, recorded))
    else:
        story.append(para(_("No actions were recorded at this visit."), "Body"))
    if earlier:
        story += [
            para(_("Actions from earlier visits"), "H2"),
            para(_("Actions of earlier visits that were checked at this visit, or are still open."), "Small"),
            _actions_table(ctx, earlier, earlier=True),
        ]
    return story


def _actions_table(ctx: _Context, actions: list, earlier: bool = False) -> Table:
    _ = ctx._
    labels = {"open": _("Open"), "done": _("Done"), "not_done": _("Not done"), "cancelled": _("Cancelled")}
    today = dt.date.today().isoformat()
    head = [cell(t, "CellHead") for t in (_("Criterion"), _("What should change"), _("Responsible"), _("Due date"), _("Status"))]
    rows = [head]
    for a in actions:
        criterion = [cell(a.get("criterion"))]
        if earlier:
            criterion.append(cell(_("Recorded at the visit of %(date)s", date=ctx.date(a.get("visit_date"))), "CellMuted"))
        status = [cell(labels.get(a.get("status"), a.get("status")), "CellBold")]
        if a.get("status") != "open" and a.get("closed_in_visit_date"):
            status.append(cell(_("at the visit of %(date)s", date=ctx.date(a["closed_in_visit_date"])), "CellMuted"))
        elif a.get("status") == "open" and str(a.get("due_on") or "9999") < today:
            status.append(cell(_("overdue"), "Flag"))
        rows.append([criterion, cell(a.get("what")), cell(a.get("owner")), cell(ctx.date(a.get("due_on"))), status])
    table = Table(rows, colWidths=[FRAME_WIDTH * w for w in (0.23, 0.27, 0.21, 0.13, 0.16)], repeatRows=1)
    table.setStyle(table_style())
    return table


# -- 7. appendix ------------------------------------------------------------------


def _appendix(ctx: _Context) -> list:
    _ = ctx._
    story = [CondPageBreak(80 * mm), para(_("Appendix: method and sources"), "H1"), para(_("How the scores are computed"), "H2")]
    story.append(
        ListFlowable(
            [para(text, "Body") for text in _method(ctx)],
            bulletType="bullet",
            start="•",
            leftIndent=10,
            bulletFontName=BASE,
            bulletFontSize=8,
        )
    )
    spec = ctx.criteria.spec
    story += [
        para(_("Criteria"), "H2"),
        para(
            _("Criteria version %(version)s, file hash %(hash)s.", version=ctx.criteria.version, hash=ctx.criteria.hash[:12]),
            "Body",
        ),
    ]
    story.append(para(spec.derived_from.get(ctx.lang), "Body"))
    story += _anchors(ctx) + _sources(ctx)
    return story


def _method(ctx: _Context) -> list[str]:
    """The method in words; keep in step with the docstring of checklist/scoring.py."""
    _, scoring = ctx._, ctx.criteria.scoring
    points = {k: ctx.number(v, 2) for k, v in scoring.points.items()}
    bands = {k: ctx.number(v, 2) for k, v in scoring.status_bands.items()}
    return [
        _(
            "Each applicable criterion gives a result worth points: meets %(meets)s, partly %(partly)s, does not meet %(fails)s. A count is judged by its bands; yes counts as meets and no as does not meet.",
            **points,
        ),
        _("Criteria that are not applicable, could not be assessed or were not answered are left out of the score."),
        _(
            "Domain score = the sum of weight × points over the scored criteria, divided by the sum of their weights, shown as 0–100."
        ),
        _(
            "Coverage = scored criteria divided by (applicable criteria minus not applicable). Low coverage is shown, never hidden."
        ),
        _(
            "Status: green from %(green)s, amber from %(amber)s, red below %(amber)s; a domain without any scored criterion has no score.",
            **bands,
        ),
        _(
            "A red flag is a critical criterion that is not met: its domain is red whatever its average, and the overall status is at most %(cap)s.",
            cap=ctx.status(scoring.red_flag_cap).lower(),
        ),
        _("Overall score = the weighted mean of the domain scores (domain weights)."),
    ]


def _anchors(ctx: _Context) -> list:
    _ = ctx._
    labels = {
        "crc": _("CRC"),
        "rcd_2013": _("Directive 2013/33/EU"),
        "rcd_2024": _("Directive (EU) 2024/1346"),
        "nl": _("Dutch rule"),
    }
    # Two short paragraphs per criterion rather than a table: the appendix lists every
    # criterion, and table layout made it the most expensive part of the report.
    entries = []
    for d in ctx.report.score.domains:
        for line in d.lines:
            criterion = ctx.criteria.criterion(line.criterion_id)
            if not criterion.anchors.items() and not criterion.sources:
                continue
            anchors = "; ".join(f"{labels[key]}: {', '.join(articles)}" for key, articles in criterion.anchors.items())
            sources = ", ".join(criterion.sources)
            details = " · ".join(part for part in (anchors, f"{_('Sources')}: {sources}" if sources else "") if part)
            entries += [para(f"{criterion.text.get(ctx.lang)} ({criterion.id})", "Cell"), para(details, "AnchorLine")]
    if not entries:
        return []
    return [
        para(_("Legal anchors per criterion"), "H2"),
        para(
            _(
                "CRC: UN Convention on the Rights of the Child. Directive 2013/33/EU: Reception Conditions Directive. Directive (EU) 2024/1346: recast Reception Conditions Directive."
            ),
            "Small",
        ),
        *entries,
    ]


def _sources(ctx: _Context) -> list:
    sources = ctx.criteria.spec.sources
    if not sources:
        return []
    story = [para(ctx._("Sources"), "H2")]
    for source in sources:
        details = ", ".join(str(v) for v in (source.publisher, source.year) if v)
        text = f"{source.id} – {source.title}" + (f". {details}" if details else "") + (f". {source.url}" if source.url else "")
        story.append(para(text, "Body"))
    return story
