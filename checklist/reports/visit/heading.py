"""1. Who, when and what: the title, a draft banner, the facts of the visit and the general impression."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Spacer
from reportlab.platypus import Table

from checklist.reports.frame import FRAME_WIDTH
from checklist.reports.styles import DRAFT_RED
from checklist.reports.styles import LIGHT
from checklist.reports.styles import cell
from checklist.reports.styles import para
from checklist.reports.styles import table_style
from checklist.reports.visit.context import VisitContext


def section(ctx: VisitContext, short: bool = False) -> list:
    report, _ = ctx.report, ctx._
    story = [
        para(report.visit.get("organisation"), "Kicker"),
        para(_("Visit report, short version") if short else _("Visit report"), "Title"),
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


def _meta_table(ctx: VisitContext) -> Table:
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


def _meta_pairs(ctx: VisitContext) -> list[tuple[str, str]]:
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
        (_("Unaccompanied minors living at this location"), _text(ctx, visit.get("amv_resident"))),
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
    if partner := ctx.report.pair_partner:
        score = "–" if partner.get("score") is None else f"{partner['score']:.0f}"
        pairs.append(
            (
                _("Calibration pair"),
                _(
                    "with the visit of %(date)s (overall score %(score)s); this report shows this visit's own score, the location's history counts the pair once",
                    date=ctx.date(partner["visit_date"]),
                    score=score,
                ),
            )
        )
    return pairs


def _text(ctx: VisitContext, value):
    """Yes/No for booleans, the value otherwise (`cell` shows "–" for nothing)."""
    if isinstance(value, bool):
        return ctx._("Yes") if value else ctx._("No")
    return value
