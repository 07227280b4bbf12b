"""0. The first page: the main findings in sentences, per domain (the right it serves), each
number with its scale, the way the Dutch inspectorates' factsheets open; the words a reader
needs to weigh them (coverage, red flag, calibration pair, shared criteria) only after the
results, each explained. The tables and the method follow in the later sections."""

from __future__ import annotations

from checklist.core.history import DomainChange
from checklist.core.labels import anchor_labels
from checklist.reports.method import bullets
from checklist.reports.monitor.context import MonitorContext
from checklist.reports.monitor.failed import primary_article
from checklist.reports.styles import para


def section(ctx: MonitorContext) -> list:
    report, _ = ctx.report, ctx._
    story = [para(_("Main findings"), "H2"), para(" ".join(_opening(ctx)), "Body")]
    per_domain = [text for domain_id, title in report.domains if (text := domain_sentence(ctx, domain_id, title))]
    if per_domain:
        story += [para(_("Per domain, with the right of the child it serves most, the mean score over all visits:"), "Body"), bullets(per_domain)]
    story += [para(_("How to read these figures"), "H2"), bullets(_reading(ctx))]
    return story


def scale_text(ctx: MonitorContext) -> str:
    """The scale of every score in words, with the thresholds of the criteria file."""
    bands = ctx.bands
    return ctx._(
        "on a scale of 0 to 100, where %(green)s or more is good, %(amber)s to below %(green)s needs attention and below %(amber)s is insufficient",
        green=ctx.number(bands["green"], 0),
        amber=ctx.number(bands["amber"], 0),
    )


def _opening(ctx: MonitorContext) -> list[str]:
    report, _ = ctx.report, ctx._
    summary, total = report.summary, report.all_types
    sentences = [
        _(
            "In this period %(visits)d visits were made to %(locations)d locations by %(organisations)d organisations.",
            visits=summary.get("visits") or 0,
            locations=summary.get("locations") or 0,
            organisations=summary.get("organisations") or 0,
        )
    ]
    if summary.get("pairs"):
        sentences.append(
            ctx.ngettext(
                "Among them was %(n)d calibration pair, two visitors at the same location a few days apart; it counts once below.",
                "Among them were %(n)d calibration pairs, two visitors at the same location a few days apart; each pair counts once below.",
                summary["pairs"],
            )
        )
    if total.get("score") is not None:
        sentences.append(_("The mean overall score was %(score)s, %(scale)s.", score=ctx.score(total["score"]), scale=scale_text(ctx)))
    scored = [t for t in report.types if t.get("score") is not None]
    if len(scored) > 1:
        low, high = min(scored, key=lambda t: t["score"]), max(scored, key=lambda t: t["score"])
        sentences.append(
            _(
                "By type of location it ran from %(low)s of 100 (%(low_type)s) to %(high)s of 100 (%(high_type)s).",
                low=ctx.score(low["score"]),
                low_type=low["label"],
                high=ctx.score(high["score"]),
                high_type=high["label"],
            )
        )
    flagged = sum(1 for loc in report.locations if loc["red_flags"])
    sentences.append(
        _(
            "At %(flagged)d of %(total)d locations the latest visit found at least one red flag: a minimum that must always be met (such as safe drinking water or fire safety) was not met.",
            flagged=flagged,
            total=len(report.locations),
        )
    )
    return sentences


def domain_sentence(ctx: MonitorContext, domain_id: str, title: str) -> str | None:
    """One domain in one sentence: its mean with the scale, its trend over the quarters, the
    criterion most often not met. None when no visit scored the domain."""
    _ = ctx._
    mean = (ctx.report.all_types.get("domains") or {}).get(domain_id, {}).get("score")
    if mean is None:
        return None
    right = domain_right(ctx, domain_id)
    named = f"{title} ({right})" if right else title
    parts = [_("%(domain)s: %(score)s of 100 (%(status)s)", domain=named, score=ctx.score(mean), status=ctx.status(ctx.status_of(mean)).lower())]
    if trend := domain_trend(ctx, domain_id):
        parts.append(trend)
    failed = ctx.report.failed_by_domain.get(domain_id)
    if failed:
        parts.append(
            _(
                "most often not met: “%(criterion)s” (at %(failed)d of %(assessed)d observations that assessed it)",
                criterion=failed["text"],
                failed=failed["failed"],
                assessed=failed["assessed"],
            )
        )
    return "; ".join(parts) + "."


def domain_right(ctx: MonitorContext, domain_id: str) -> str | None:
    """The CRC article most of the domain's criteria serve ("CRC art. 28"), from today's file."""
    domain = ctx.criteria.domain(domain_id)
    articles = [a for c in (domain.criteria if domain else ()) if (a := primary_article(c.anchors.crc))]
    if not articles:
        return None
    article = max(dict.fromkeys(articles), key=articles.count)  # the first of the most cited
    return f"{anchor_labels(ctx._)['crc']} {article}"


def domain_trend(ctx: MonitorContext, domain_id: str) -> str | None:
    """The domain's mean in its first and its last quarter of the period, and whether that is
    a change (5 points or more, the location page's rule); None with fewer than two quarters."""
    _ = ctx._
    rows = [r for r in ctx.report.domain_trends if r["domain_id"] == domain_id and r.get("score") is not None]
    if len(rows) < 2:
        return None
    first, last = rows[0], rows[-1]
    values = {
        "before": ctx.score(first["score"]),
        "after": ctx.score(last["score"]),
        "then": ctx.ngettext("%(quarter)s, %(n)d visit", "%(quarter)s, %(n)d visits", first["visits"], quarter=ctx.quarter(first)),
        "now": ctx.ngettext("%(quarter)s, %(n)d visit", "%(quarter)s, %(n)d visits", last["visits"], quarter=ctx.quarter(last)),
    }
    direction = DomainChange(domain_id, first["score"], last["score"]).direction
    if direction == "improved":
        return _("improved from %(before)s (%(then)s) to %(after)s (%(now)s)", **values)
    if direction == "worsened":
        return _("worsened from %(before)s (%(then)s) to %(after)s (%(now)s)", **values)
    return _("about the same: %(before)s (%(then)s), %(after)s (%(now)s)", **values)


def _reading(ctx: MonitorContext) -> list[str]:
    report, _ = ctx.report, ctx._
    texts = [
        _(
            "A score is the share of the points a location could get on the criteria that were assessed: meets counts in full, partly half, does not meet nothing. Each visit keeps its own score; the means are taken over the visits of the period, so a location visited more often weighs more."
        ),
        _(
            "Coverage is the share of the criteria that could be assessed at a visit that were (here %(share)s over all visits). A score resting on little is shown with its coverage, never hidden.",
            share=ctx.percent(report.all_types.get("scored", 0), report.all_types.get("assessable", 0)),
        ),
    ]
    if report.low_coverage and report.left_out:
        texts.append(
            _("Visits where fewer than %(share)s of those criteria were scored (%(n)d) are left out of the means and trends.", share=ctx.low_share(), n=report.left_out)
        )
    texts.append(
        _(
            "A red flag is a critical criterion that was not met: the status of the location is then at most “%(cap)s”, or “insufficient” for a life-safety criterion, whatever its score.",
            cap=ctx.status(ctx.criteria.scoring.red_flag_cap).lower(),
        )
    )
    if report.summary.get("pairs"):
        texts.append(
            _(
                "A calibration pair (two visitors at the same location a few days apart, to check that they answer alike) counts as one observation in the means, the trends and the counts of criteria not met: per criterion the mean of the two visitors' points, and not met when either visitor found it not met."
            )
        )
    if report.common_criteria is not None:
        texts.append(
            _(
                "The visits were made with different versions of the criteria. The means are of each visit's own score; beside them, “shared” gives the means on only the %(n)d criteria the versions have in common, to compare like with like.",
                n=report.common_criteria,
            )
        )
    return texts
