"""3. The findings per domain: status, score and coverage, then every criterion with its answer and note.

`short_section` is the short version's: per domain one line (status, score, coverage), and
under it only the criteria that were not met, partly met or (critical) not assessed."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak
from reportlab.platypus import Spacer
from reportlab.platypus import Table

from checklist.core.labels import answer_labels
from checklist.core.labels import describe_answer
from checklist.core.labels import describe_evidence
from checklist.core.labels import evidence_labels
from checklist.reports.frame import FRAME_WIDTH
from checklist.reports.frame import PAGE_HEIGHT
from checklist.reports.styles import STATUS_COLOURS
from checklist.reports.styles import STATUS_TINTS
from checklist.reports.styles import badge_width
from checklist.reports.styles import cell
from checklist.reports.styles import para
from checklist.reports.styles import table_style
from checklist.reports.visit.context import VisitContext

FIRST_ROWS = 3  # criteria rows kept on the page of their domain heading


def section(ctx: VisitContext) -> list:
    story = [CondPageBreak(60 * mm), para(ctx._("Findings per domain"), "H1")]
    for number, domain_score in enumerate(ctx.report.score.domains, start=1):
        story += _domain_section(ctx, number, domain_score)
    return story


ATTENTION = ("fails", "partly")


def short_section(ctx: VisitContext) -> list:
    """For a location manager: a domain with nothing to act on is one line, never a page of "not answered"."""
    _ = ctx._
    story = [CondPageBreak(40 * mm), para(_("Findings that need attention"), "H1")]
    story.append(para(_("Per domain its status and score; below it the criteria not met or partly met, with their notes. The full report lists every criterion."), "Small"))
    for number, d in enumerate(ctx.report.score.domains, start=1):
        score = _("%(score)s / 100", score=f"{d.score:.0f}") if d.score is not None else _("No score")
        facts = f"{ctx.status(d.status)} · {score} · " + _("%(scored)d of %(assessable)d assessable criteria scored", scored=d.scored, assessable=d.assessable)
        lines = [line for line in d.lines if line.result in ATTENTION or line.unassessed_flag]
        if not d.scored:
            facts = _("nothing assessed")
        elif not lines:
            facts += " · " + _("nothing not met")
        story.append(para(f"{number}. {ctx.domain_title(d.domain_id)}: {facts}", "Body"))
        if lines:
            rows, flags = _rows_with_replies(ctx, lines)
            story += [_criteria_table(ctx, rows, flags), Spacer(1, 2 * mm)]
    return story


def _domain_section(ctx: VisitContext, number: int, d) -> list:
    _ = ctx._
    heading = para(f"{number}. {ctx.domain_title(d.domain_id)}", "H2")
    score = _("%(score)s / 100", score=f"{d.score:.0f}") if d.score is not None else _("No score")
    coverage = _("%(scored)d of %(assessable)d assessable criteria scored", scored=d.scored, assessable=d.assessable)
    if d.coverage is not None:
        coverage += f" ({d.coverage * 100:.0f}%)"
    if d.unassessed_flags:
        coverage += "  ·  " + _("critical criteria not assessed: %(n)d", n=len(d.unassessed_flags))
    badge = badge_width([ctx.status(s) for s in STATUS_COLOURS], 24 * mm)
    status = Table(
        [[cell(ctx.status(d.status), "Badge"), cell(f"{_('Score')}: {score}  ·  {coverage}", "Cell")]],
        colWidths=[badge, FRAME_WIDTH - badge],
    )
    status.setStyle(
        table_style(
            ("BACKGROUND", (0, 0), (0, 0), STATUS_COLOURS.get(d.status, STATUS_COLOURS["none"])),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LINEBELOW", (0, 0), (-1, -1), 0, colors.white),
            header=False,
        )
    )
    rows, flags = _rows_with_replies(ctx, d.lines)
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


REPLY = "reply"  # a flag that marks the row of an operator's reply, under its finding


def _rows_with_replies(ctx: VisitContext, lines) -> tuple[list, list]:
    """A row per criterion and, under a finding sent for reply, a row across the table with
    the operator's reply (dated, with its organisation), the review and the re-check."""
    rows, flags = [], []
    for line in lines:
        rows.append(_criterion_row(ctx, line))
        flags.append("red" if line.red_flag else "amber" if line.unassessed_flag else None)
        replies = ctx.report.replies.get(line.criterion_id)
        if replies:
            rows.append([[cell(text, "CellMuted" if i else "Cell") for i, text in enumerate(replies)], "", ""])
            flags.append(REPLY)
    return rows, flags


def _criteria_table(ctx: VisitContext, rows: list, flags: list[str | None]) -> Table:
    _ = ctx._
    head = [cell(_("Criterion"), "CellHead"), cell(_("Answer"), "CellHead"), cell(_("Note"), "CellHead")]
    table = Table([head] + rows, colWidths=[FRAME_WIDTH * w for w in (0.44, 0.22, 0.34)], repeatRows=1)
    highlight = [("BACKGROUND", (0, i), (-1, i), STATUS_TINTS[flag]) for i, flag in enumerate(flags, start=1) if flag and flag != REPLY]
    spans = [("SPAN", (0, i), (-1, i)) for i, flag in enumerate(flags, start=1) if flag == REPLY]
    spans += [("LEFTPADDING", (0, i), (0, i), 6 * mm) for i, flag in enumerate(flags, start=1) if flag == REPLY]
    table.setStyle(table_style(*highlight, *spans))
    return table


def _criterion_row(ctx: VisitContext, line) -> list:
    criterion = ctx.criteria.criterion(line.criterion_id)
    answer = ctx.report.answers.get(line.criterion_id) or {}
    text = [cell(criterion.text.get(ctx.lang) if criterion else line.criterion_id)]
    if line.critical:
        text.append(cell(ctx._("Critical criterion"), "CellMuted"))
    shown = [_answer_cell(ctx, criterion, line, answer)]
    evidence = describe_evidence(answer, evidence_labels(ctx._))
    if evidence:
        shown.append(cell(f"{ctx._('Based on')}: {evidence}", "CellMuted"))
    if line.red_flag:
        shown.append(cell(ctx._("RED FLAG"), "Flag"))
    if line.unassessed_flag:
        shown.append(cell(ctx._("CRITICAL, NOT ASSESSED"), "Flag"))
    return [text, shown, cell(answer.get("note"))]


def _answer_cell(ctx: VisitContext, criterion, line, answer):
    text = describe_answer(criterion, answer, ctx.lang, answer_labels(ctx._), line.result) if criterion is not None else ""
    return cell(text) if text else cell(ctx._("Not answered"), "CellItalic")
