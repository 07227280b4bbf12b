"""9. Appendix: how a visit is scored (shared with the visit report) and how this report combines visits."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak

from checklist.core.labels import anchor_legend
from checklist.reports.charts import status_legend
from checklist.reports.frame import FRAME_WIDTH
from checklist.reports.method import bullets
from checklist.reports.method import scoring_method
from checklist.reports.method import working_thresholds
from checklist.reports.monitor.context import MonitorContext
from checklist.reports.styles import para


def section(ctx: MonitorContext) -> list:
    _ = ctx._
    story = [CondPageBreak(80 * mm), para(_("Appendix: method"), "H1"), para(_("How the scores of a visit are computed"), "H2")]
    story.append(bullets(scoring_method(ctx)))
    story += [para(_("How this report combines visits"), "H2"), bullets(_aggregation(ctx))]
    if ctx.report.working_thresholds is not None:
        story += working_thresholds(ctx, ctx.report.working_thresholds)
    story += [
        para(_("Status colours"), "H2"),
        status_legend(ctx.lang, ctx.bands, width=FRAME_WIDTH),
        para(_("Legal anchors"), "H2"),
        para(anchor_legend(_), "Body"),
        para(ctx.criteria.spec.derived_from.get(ctx.lang), "Body"),
    ]
    return story


def _aggregation(ctx: MonitorContext) -> list[str]:
    """How the visits are combined; keep in step with checklist/store/reports.py."""
    _ = ctx._
    texts = [
        _(
            "The report covers the submitted visits with a visit date in the period, at locations that match the filters, that the reader may see: a coordinator their own organisation's visits, a monitor those of all organisations. Drafts are never included."
        ),
        _(
            "Scores per domain and type of location: the mean of the domain score over the submitted visits in the period, per type of location. A visit without a score for a domain (not applicable, or nothing assessed) is left out of that domain's mean. 'All types' is the mean over all those visits. Each number can be recomputed from the visits export with the same filters."
        ),
        _(
            "Criteria most often not met: for each criterion, the number of visits in which it was not met (does not meet, a no, or a count in a failing band of the visit's criteria version), out of the visits in which it was assessed (not counting not applicable, could not assess and unanswered); 'Locations' counts the locations where it was not met at least once, of those where it was assessed."
        ),
        _("Red flags by location: the critical criteria not met at each location's latest submitted visit in the period."),
        _("Trends: the mean overall score of the submitted visits per calendar quarter and type of location."),
        _(
            "What children said: the statements recorded with the submitted visits in the period, with age band and type of location only."
        ),
    ]
    if ctx.report.low_coverage:
        texts.insert(
            2,
            _(
                "Low coverage: a visit where fewer than %(share)s of the assessable criteria were scored is left out of the mean scores per type, the mean overall score and the trends (in the visits export: scored below %(share)s of assessable), as in the overview; the report says how many. It counts in every other section.",
                share=ctx.low_share(),
            ),
        )
    if ctx.report.anonymised:
        texts.append(
            _(
                "Anonymised: locations are called Location A, B, … in the order in which they were registered; names, municipalities, provinces and operators are left out, and removed ([…]) from children's statements."
            )
        )
    return texts
