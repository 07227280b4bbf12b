"""7. Appendix: how the scores are computed (shared with the monitor report), the criteria version, legal anchors and sources."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak

from checklist.core.labels import anchor_labels
from checklist.core.labels import anchor_legend
from checklist.reports.method import bullets
from checklist.reports.method import records_thresholds
from checklist.reports.method import scoring_method
from checklist.reports.method import working_threshold_entries
from checklist.reports.method import working_thresholds
from checklist.reports.styles import para
from checklist.reports.visit.context import VisitContext


def section(ctx: VisitContext) -> list:
    _ = ctx._
    story = [CondPageBreak(80 * mm), para(_("Appendix: method and sources"), "H1"), para(_("How the scores are computed"), "H2")]
    story.append(bullets(scoring_method(ctx)))
    if records_thresholds(ctx.criteria):
        assessed = [ctx.criteria.criterion(line.criterion_id) for d in ctx.report.score.domains for line in d.lines]
        story += working_thresholds(ctx, working_threshold_entries(assessed, ctx.lang))
    spec = ctx.criteria.spec
    story += [
        para(_("Criteria"), "H2"),
        para(
            _("Criteria version %(version)s, file hash %(hash)s.", version=ctx.criteria.version, hash=ctx.criteria.hash[:12]),
            "Body",
        ),
    ]
    story.append(para(spec.derived_from.get(ctx.lang), "Body"))
    if spec.sampling is not None:
        story += [para(_("Sampling rule"), "H2"), para(spec.sampling.text.get(ctx.lang), "Body")]
    story += _anchors(ctx) + _sources(ctx)
    return story


def _anchors(ctx: VisitContext) -> list:
    _ = ctx._
    labels = anchor_labels(_)
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
        para(anchor_legend(_), "Small"),
        *entries,
    ]


def _sources(ctx: VisitContext) -> list:
    sources = ctx.criteria.spec.sources
    if not sources:
        return []
    story = [para(ctx._("Sources"), "H2")]
    for source in sources:
        details = ", ".join(str(v) for v in (source.publisher, source.year) if v)
        text = f"{source.id} – {source.title}" + (f". {details}" if details else "") + (f". {source.url}" if source.url else "")
        story.append(para(text, "Body"))
    return story
