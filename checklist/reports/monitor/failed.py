"""3. The criteria most often not met, grouped by the right of the child (CRC article) they serve."""

from __future__ import annotations

from typing import Sequence

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak
from reportlab.platypus import Table

from checklist.core.labels import anchor_labels
from checklist.core.i18n import N_
from checklist.reports.frame import FRAME_WIDTH
from checklist.reports.monitor.context import MonitorContext
from checklist.reports.monitor.tables import CELL_SMALL
from checklist.reports.monitor.tables import CELL_SMALL_RIGHT
from checklist.reports.monitor.tables import GROUP
from checklist.reports.monitor.tables import head_row
from checklist.reports.monitor.tables import table_style
from checklist.reports.styles import LIGHT
from checklist.reports.styles import cell
from checklist.reports.styles import para

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


def primary_article(crc: Sequence[str]) -> str | None:
    """The CRC article a criterion is grouped under: the first specific right it cites."""
    specific = [a for a in crc if a not in GENERAL_PRINCIPLES]
    return (specific or list(crc) or [None])[0]


def section(ctx: MonitorContext) -> list:
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
    if report.summary.get("pairs"):
        story.append(para(_("A calibration pair counts as one visit here, with the lower of its two visitors' results: not met when either found the criterion not met."), "Body"))
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


def _article_heading(ctx: MonitorContext, article: str | None) -> str:
    if article is None:
        return ctx._("No article of the CRC cited")
    name = CRC_ARTICLES.get(article)
    return f"{anchor_labels(ctx._)['crc']} {article}" + (f" – {ctx._(name)}" if name else "")


def _failed_table(ctx: MonitorContext, groups) -> Table:
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
    rows, styles = [head_row(labels, widths[2:])], []
    anchors = anchor_labels(_)
    for article, group in groups:
        r = len(rows)
        # The right's row never ends a page: it stays with its first criterion.
        styles += [("SPAN", (0, r), (-1, r)), ("BACKGROUND", (0, r), (-1, r), LIGHT), ("NOSPLIT", (0, r), (-1, r + 1))]
        rows.append([para(_article_heading(ctx, article), GROUP), "", "", "", "", ""])
        for row in group:
            details = [row["domain"] or ""]
            if row["critical"]:
                details.append(_("critical"))
            others = [a for a in row["crc"] if a != article]
            if others:
                details.append(_("also CRC %(articles)s", articles=", ".join(others)))
            directive = [f"{anchors[key]} {a}" for key in ("rcd_2013", "rcd_2024") for a in row[key]]
            rows.append(
                [
                    [cell(row["text"]), cell(" · ".join(d for d in details if d), "CellMuted")],
                    cell("\n".join(directive) or "–", CELL_SMALL),
                    cell(str(row["failed"]), "CellRight"),
                    cell(str(row["assessed"]), "CellRight"),
                    cell(ctx.percent(row["failed"], row["assessed"]), "CellRight"),
                    cell(
                        _("%(failed)d of %(assessed)d", failed=row["failed_locations"], assessed=row["assessed_locations"]),
                        CELL_SMALL_RIGHT,
                    ),
                ]
            )
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(table_style(*styles))
    return table
