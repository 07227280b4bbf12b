"""4. What children said, grouped by domain, with their age band only."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak
from reportlab.platypus import KeepTogether
from reportlab.platypus import Table

from checklist.reports.frame import FRAME_WIDTH
from checklist.reports.styles import NAVY
from checklist.reports.styles import cell
from checklist.reports.styles import para
from checklist.reports.styles import table_style
from checklist.reports.visit.context import VisitContext


def section(ctx: VisitContext) -> list:
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
