"""1. Title block: the main findings in sentences first (`findings`), then what the report
covers (period, filters in words, whose visits) and the key figures."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak
from reportlab.platypus import Spacer
from reportlab.platypus import Table

from checklist.reports.frame import FRAME_WIDTH
from checklist.reports.method import bullets
from checklist.reports.monitor import findings
from checklist.reports.monitor.context import MonitorContext
from checklist.reports.monitor.tables import table_style
from checklist.reports.styles import LIGHT
from checklist.reports.styles import cell
from checklist.reports.styles import para


def section(ctx: MonitorContext) -> list:
    report, _ = ctx.report, ctx._
    story = [
        para(report.organisation_scope or _("All organisations"), "Kicker"),
        para(_("Monitoring report"), "Title"),
        para(report.criteria.spec.title.get(ctx.lang), "Subtitle"),
        para(ctx.period(), "H2"),
    ]
    if report.summary.get("visits"):
        story += findings.section(ctx)
    story += [
        CondPageBreak(70 * mm),
        para(_("What this report covers"), "H2"),
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
    if report.common_criteria is not None:
        story.append(para(mixed_versions_text(ctx), "Body"))
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
        story += [para(_("In this report"), "H2"), bullets(contents)]
    if report.anonymised:
        story.append(
            para(
                _("Locations are anonymised: they are called Location A, B, … and no name, municipality, province or operator of a location appears in this report."),
                "Body",
            )
        )
    return story


def _filter_pairs(ctx: MonitorContext) -> list[tuple[str, str]]:
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
        (_("Province"), (withheld if report.anonymised else ", ".join(f.provinces)) if f.provinces else _("All provinces")),
        (_("Operator"), (withheld if report.anonymised else ", ".join(f.operators)) if f.operators else _("All operators")),
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


def _key_figures(ctx: MonitorContext) -> Table:
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
            cell(
                _(
                    "mean of the visits' own scores, on a scale of 0–100 (a calibration pair counts once); coverage %(share)s",
                    share=ctx.percent(report.all_types.get("scored", 0), report.all_types.get("assessable", 0)),
                )
                + (
                    "; " + _("left out for coverage below %(share)s: %(n)d", n=report.left_out, share=ctx.low_share())
                    if report.left_out
                    else ""
                ),
                "CellMuted",
            ),
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


def mixed_versions_text(ctx: MonitorContext) -> str:
    """The notice of a report whose visits were made with different criteria versions."""
    _ = ctx._
    listed = ", ".join(_("%(version)s (%(n)d visits)", version=v["version"], n=v["visits"]) for v in ctx.report.versions)
    return _(
        "The visits in this report were made with different criteria versions: %(versions)s. Every score is the visit's own, on the criteria of its version; beside the means per domain and type of location, “shared” gives the means on only the %(n)d criteria these versions have in common (a criterion that replaces an earlier one counts as the same). A criterion and the ones it replaces are counted together among the criteria most often not met.",
        versions=listed,
        n=ctx.report.common_criteria,
    )
