"""2. The overall picture: the scorecard, red flags first among the findings, and the scores per domain."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether
from reportlab.platypus import Spacer
from reportlab.platypus import Table

from checklist.reports.charts import domain_bar_chart
from checklist.reports.frame import FRAME_WIDTH
from checklist.reports.styles import LIGHT
from checklist.reports.styles import STATUS_COLOURS
from checklist.reports.styles import STATUS_TINTS
from checklist.reports.styles import cell
from checklist.reports.styles import para
from checklist.reports.styles import table_style
from checklist.reports.visit.context import VisitContext


def section(ctx: VisitContext) -> list:
    score, _ = ctx.report.score, ctx._
    story = [para(_("Summary"), "H1"), _scorecard(ctx), Spacer(1, 4 * mm)]
    story += _red_flags(ctx)
    story += _unassessed_flags(ctx)
    chart = domain_bar_chart(score, ctx.criteria, ctx.lang, width=FRAME_WIDTH)
    unanswered = para(
        _("Criteria not answered: %(count)d of %(total)d applicable.", count=len(score.unanswered), total=score.applicable),
        "Body",
    )
    return story + [KeepTogether([para(_("Scores per domain"), "H2"), chart, Spacer(1, 2 * mm), unanswered])]


def _scorecard(ctx: VisitContext) -> Table:
    score, _ = ctx.report.score, ctx._
    value = _("%(score)s / 100", score=f"{score.score:.0f}") if score.score is not None else _("No score")
    coverage = f"{score.coverage * 100:.0f}%" if score.coverage is not None else "–"
    rows = [
        [
            cell(_("Overall status"), "Label"),
            cell(_("Overall score"), "Label"),
            cell(_("Coverage"), "Label"),
            cell(_("Red flags"), "Label"),
            cell(_("Not assessed (critical)"), "Label"),
        ],
        [
            cell(ctx.status(score.status), "Badge"),
            cell(value, "BigValue"),
            cell(coverage, "BigValue"),
            cell(str(len(score.red_flags)), "BigValue"),
            cell(str(len(score.unassessed_flags)), "BigValue"),
        ],
        [
            "",
            cell(_("weighted mean of the domain scores"), "CellMuted"),
            cell(
                _("%(scored)d of %(assessable)d assessable criteria scored", scored=score.scored, assessable=score.assessable),
                "CellMuted",
            ),
            cell(_("critical criteria not met"), "CellMuted"),
            cell(_("critical criteria answered “could not assess”"), "CellMuted"),
        ],
    ]
    table = Table(rows, colWidths=[FRAME_WIDTH * w for w in (0.2, 0.24, 0.3, 0.13, 0.13)])
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


def _red_flags(ctx: VisitContext) -> list:
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


def _unassessed_flags(ctx: VisitContext) -> list:
    """A flag of its own, next to the red flags: critical criteria that could not be assessed."""
    _ = ctx._
    flags = ctx.report.score.unassessed_flags
    if not flags:
        return []
    rows = [[cell(_("Domain"), "CellHead"), cell(_("Critical criterion not assessed"), "CellHead"), cell(_("Note"), "CellHead")]]
    for line in flags:
        criterion = ctx.criteria.criterion(line.criterion_id)
        rows.append([cell(ctx.domain_title(line.criterion_id.split(".")[0])), cell(criterion.text.get(ctx.lang), "CellBold"), cell(_note(ctx, line.criterion_id))])
    table = Table(rows, colWidths=[FRAME_WIDTH * w for w in (0.2, 0.42, 0.38)], repeatRows=1)
    table.setStyle(
        table_style(("BACKGROUND", (0, 0), (-1, 0), STATUS_COLOURS["amber"]), ("BACKGROUND", (0, 1), (-1, -1), STATUS_TINTS["amber"]))
    )
    explain = para(
        _("These critical criteria were answered “could not assess”: they are left out of the score, so the score may look better than the location is."),
        "Body",
    )
    return [Spacer(1, 3 * mm), para(_("Critical criteria not assessed"), "H2"), explain, table]


def _note(ctx: VisitContext, criterion_id: str):
    return (ctx.report.answers.get(criterion_id) or {}).get("note")
