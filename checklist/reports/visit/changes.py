"""5. Change since the previous visit: each domain's score then and now, and the trend."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak
from reportlab.platypus import Table

from checklist.core.history import DomainChange
from checklist.core.scoring import domain_changes
from checklist.reports.frame import FRAME_WIDTH
from checklist.reports.styles import NAVY
from checklist.reports.styles import cell
from checklist.reports.styles import para
from checklist.reports.styles import table_style
from checklist.reports.visit.context import VisitContext


def section(ctx: VisitContext) -> list:
    _, previous = ctx._, ctx.report.previous
    changes = domain_changes(ctx.report.score, previous.score)
    story = [CondPageBreak(50 * mm), para(_("Change since previous visit"), "H1")]
    if previous.pair:
        first, second = previous.pair
        story.append(
            para(
                _(
                    "Previous visit: a calibration pair, counted once: %(first)s (overall score %(first_score)s) and %(second)s (%(second_score)s). Per criterion the mean of the two visitors' points; a criterion counts as not met when either visitor found it not met.",
                    first=ctx.date(first["visit_date"]),
                    first_score=_fmt(first["score"]),
                    second=ctx.date(second["visit_date"]),
                    second_score=_fmt(second["score"]),
                ),
                "Body",
            )
        )
    else:
        story.append(para(_("Previous visit: %(date)s", date=ctx.date(previous.visit.get("visit_date"))), "Body"))
    then, now = previous.visit.get("criteria_version"), ctx.report.visit.get("criteria_version")
    if then and now and previous.visit.get("criteria_hash") != ctx.report.visit.get("criteria_hash"):
        story.append(
            para(_("The previous visit was made with criteria version %(then)s, this one with %(now)s: their scores rest on different checklists.", then=then, now=now), "Body")
        )
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
    coverage = para(
        _(
            "Coverage: %(before)s at the previous visit, %(now)s now.",
            before=_percent(previous.score.coverage),
            now=_percent(ctx.report.score.coverage),
        ),
        "Body",
    )
    return story + [table, coverage]


def _fmt(value) -> str:
    return f"{value:.0f}" if value is not None else "–"


def _percent(share) -> str:
    return "–" if share is None else f"{share * 100:.0f}%"


def _change_row(ctx: VisitContext, title: str, before, now, diff, bold: bool = False) -> list:
    # The location page's rule (`core.history.DomainChange`): under 5 points is the same.
    direction = DomainChange("", before, now).direction if diff is not None else "unknown"
    trend, colour = {
        "unknown": (ctx._("not comparable"), "none"),
        "improved": ("▲ " + ctx._("improved"), "green"),
        "worsened": ("▼ " + ctx._("worsened"), "red"),
        "same": ("= " + ctx._("same"), "none"),
    }[direction]
    difference = "–" if diff is None else f"{diff:+.0f}"
    plain = "CellBold" if bold else "Cell"
    return [
        cell(title, plain),
        cell(_fmt(before), "CellRight"),
        cell(_fmt(now), "CellRight"),
        cell(difference, "CellRight"),
        cell(trend, "Trend-" + colour),
    ]
