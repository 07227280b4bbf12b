"""The calibration PDF of one pair: a `PairView` in, PDF bytes out, no Flask inside.

Who, where and when; agreement overall and per domain (identical share, Krippendorff's
alpha, assessed by one visitor only); per domain the criteria where the two visitors
differ, with both answers and notes side by side; how the figures are made. Every user
string goes through `styles.para` (escaped).
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak
from reportlab.platypus import Table

from checklist.core.agreement import format_alpha
from checklist.core.agreement import format_share
from checklist.core.calibration import PAIR_MAX_DAYS
from checklist.reports.calibration_data import PairView
from checklist.reports.context import ReportContext
from checklist.reports.fonts import setup_reportlab
from checklist.reports.frame import FRAME_WIDTH
from checklist.reports.frame import build_pdf
from checklist.reports.frame import plain_page
from checklist.reports.styles import cell
from checklist.reports.styles import para
from checklist.reports.styles import table_style


def build_calibration_report(view: PairView) -> bytes:
    """Render one calibration pair as PDF bytes."""
    setup_reportlab()
    ctx = ReportContext(view)
    _ = ctx._
    header = para(view.a.location.get("name"), "Header")
    return build_pdf(ctx, _page_decorator(ctx, header), _story(ctx, view), title=_("Calibration report"), author=str(view.a.visit.get("organisation") or ""))


def _story(ctx: ReportContext, view: PairView) -> list:
    _ = ctx._
    a, b = view.a.visit, view.b.visit
    story = [
        para(_("Calibration report"), "Kicker"),
        para(view.a.location.get("name"), "Title"),
        para(
            _(
                "Two visits of the same location by different visitors, answered blind: neither saw the other's answers until both were submitted."
            ),
            "Body",
        ),
    ]
    if not view.complete:
        story.append(para(_("Not complete: at least one visit is still a draft, so answers may still change."), "Flag"))
    facts = [
        [cell(""), cell(_("Visit A"), "CellHead"), cell(_("Visit B"), "CellHead")],
        [cell(_("Date"), "CellMuted"), cell(ctx.date(a.get("visit_date"))), cell(ctx.date(b.get("visit_date")))],
        [cell(_("Visitors"), "CellMuted"), cell(a.get("visitors")), cell(b.get("visitors"))],
        [cell(_("Status"), "CellMuted"), cell(_status(ctx, view.a)), cell(_status(ctx, view.b))],
        [cell(_("Criteria version"), "CellMuted"), cell(a.get("criteria_version")), cell(b.get("criteria_version"))],
    ]
    table = Table(facts, colWidths=[40 * mm, (FRAME_WIDTH - 40 * mm) / 2, (FRAME_WIDTH - 40 * mm) / 2])
    table.setStyle(table_style())
    story += [table, para(_("Agreement"), "H1"), _agreement_table(ctx, view)]
    for domain in view.domains:
        if not domain.differences:
            continue
        story += [CondPageBreak(30 * mm), para(domain.title, "H2")]
        rows = [[cell(_("Criterion"), "CellHead"), cell(_("Visit A"), "CellHead"), cell(_("Visit B"), "CellHead")]]
        for d in domain.differences:
            rows.append(
                [
                    cell(f"{d.criterion_id} – {d.text}"),
                    [cell(d.answer_a, "CellBold"), cell(d.note_a, "CellItalic")] if d.note_a else cell(d.answer_a, "CellBold"),
                    [cell(d.answer_b, "CellBold"), cell(d.note_b, "CellItalic")] if d.note_b else cell(d.answer_b, "CellBold"),
                ]
            )
        table = Table(rows, colWidths=[FRAME_WIDTH * 0.4, FRAME_WIDTH * 0.3, FRAME_WIDTH * 0.3], repeatRows=1)
        table.setStyle(table_style())
        story.append(table)
    story += [para(_("How agreement is measured"), "H1")] + [para(text, "Small") for text in method_texts(_)]
    return story


def _status(ctx: ReportContext, bundle) -> str:
    return ctx._("Draft") if bundle.is_draft else ctx._("Submitted")


def _agreement_table(ctx: ReportContext, view: PairView) -> Table:
    _ = ctx._
    rows = [[cell(_("Domain"), "CellHead"), cell(_("Both assessed"), "CellHead"), cell(_("Identical"), "CellHead"), cell(_("Alpha"), "CellHead"), cell(_("One visitor only"), "CellHead")]]
    for title, agreement in [(d.title, d.agreement) for d in view.domains] + [(_("Overall"), view.overall)]:
        rows.append(
            [
                cell(title),
                cell(str(agreement.both), "CellRight"),
                cell(f"{format_share(agreement.share)} ({agreement.identical})", "CellRight"),
                cell(format_alpha(agreement.alpha), "CellRight"),
                cell(str(agreement.one_sided), "CellRight"),
            ]
        )
    widths = [FRAME_WIDTH * 0.44, FRAME_WIDTH * 0.14, FRAME_WIDTH * 0.16, FRAME_WIDTH * 0.12, FRAME_WIDTH * 0.14]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(table_style())
    return table


def method_texts(_) -> list[str]:
    """How the figures are made: the same words on the page and in the PDF."""
    return [
        _(
            "A coordinator pairs two visits of one location, at most %(days)d days apart, made by different visitors with the same criteria version. Until both are submitted, neither visitor sees the other visit."
        )
        % {"days": PAIR_MAX_DAYS},
        _(
            "Compared are the results as scored: meets, partly, does not meet (a count by its bands, yes/no as meets or does not meet). Only criteria both visitors assessed count; not applicable, could not assess and unanswered are not on the scale. A criterion assessed by one visitor only is counted apart."
        ),
        _(
            "Identical: the share of those criteria with the same result. Alpha: Krippendorff's alpha for ordinal data (does not meet < partly < meets), 1 is perfect agreement, 0 no better than chance. When nearly every answer is the same, alpha can be low although almost all answers are identical; read it beside the identical share. It is not given (–) when every answer fell in one category or nothing was assessed by both."
        ),
    ]


def _page_decorator(ctx: ReportContext, header):
    confidential = ctx._("Confidential – contains observations about children; do not distribute further")
    return plain_page(header, 0.6, ctx._("Calibration report"), confidential)
