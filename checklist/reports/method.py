"""How the scores of a visit are computed, in words: the method both reports end with.

Keep in step with the docstring of checklist/core/scoring.py.
"""

from __future__ import annotations

from reportlab.platypus import ListFlowable

from checklist.reports.context import ReportContext
from checklist.reports.fonts import BASE
from checklist.reports.styles import para


def bullets(texts: list[str]) -> ListFlowable:
    items = [para(text, "Body") for text in texts]
    return ListFlowable(items, bulletType="bullet", start="•", leftIndent=10, bulletFontName=BASE, bulletFontSize=8)


def scoring_method(ctx: ReportContext) -> list[str]:
    """The method in words; keep in step with the docstring of checklist/scoring.py."""
    _, scoring = ctx._, ctx.criteria.scoring
    points = {k: ctx.number(v, 2) for k, v in scoring.points.items()}
    bands = {k: ctx.number(v, 2) for k, v in scoring.status_bands.items()}
    return [
        _(
            "Each applicable criterion gives a result worth points: meets %(meets)s, partly %(partly)s, does not meet %(fails)s. A count is judged by its bands; yes counts as meets and no as does not meet.",
            **points,
        ),
        _("Criteria that are not applicable, could not be assessed or were not answered are left out of the score."),
        _(
            "Domain score = the sum of weight × points over the scored criteria, divided by the sum of their weights, shown as 0–100."
        ),
        _(
            "Coverage = scored criteria divided by (applicable criteria minus not applicable). Low coverage is shown, never hidden."
        ),
        _(
            "Status: green from %(green)s, amber from %(amber)s, red below %(amber)s; a domain without any scored criterion has no score.",
            **bands,
        ),
        _(
            "A red flag is a critical criterion that is not met: its domain is red whatever its average, and the overall status is at most %(cap)s.",
            cap=ctx.status(scoring.red_flag_cap).lower(),
        ),
        *_own_caps(ctx),
        _(
            "A critical criterion that could not be assessed is an unassessed flag: it does not change the score, but it is listed wherever red flags are, so that leaving things unknown never makes a location look better unnoticed."
        ),
        _("Overall score = the weighted mean of the domain scores (domain weights)."),
    ]


def _own_caps(ctx: ReportContext) -> list[str]:
    """The criteria whose failure caps the overall status lower than the file's default."""
    default = ctx.criteria.scoring.red_flag_cap
    own = [c for d in ctx.criteria.domains for c in d.criteria if c.critical and c.cap and c.cap != default]
    return [
        ctx._(
            "Where a critical criterion sets its own cap, that cap applies instead; the worst cap among the red flags decides. Life-safety criteria capped at red: %(criteria)s.",
            criteria="; ".join(f"{c.text.get(ctx.lang)} ({c.id})" for c in own if c.cap == "red"),
        )
    ] if any(c.cap == "red" for c in own) else []


def working_threshold_entries(criteria, lang: str) -> list[dict]:
    """The working thresholds of these criteria, in their order: criterion id, text and the
    thresholds' texts (`Criterion.working_thresholds`; a criterion without any is left out)."""
    return [
        {"criterion_id": c.id, "text": c.text.get(lang), "thresholds": [t.text.get(lang) for t in c.working_thresholds]}
        for c in criteria
        if c.working_thresholds
    ]


def working_thresholds(ctx: ReportContext, entries, heading: str = "H2") -> list:
    """The list of working thresholds (from `working_threshold_entries`) that every PDF shows
    the same way: numbers the coalition has not yet confirmed."""
    _ = ctx._
    story = [para(_("Working thresholds"), heading)]
    if not entries:
        return story + [para(_("None of these criteria rests on a working threshold."), "Body")]
    story.append(
        para(
            _(
                "A working threshold is a number that no published source sets: the coalition has chosen it for now and still has to confirm it. A result that rests on one is provisional."
            ),
            "Body",
        )
    )
    for entry in entries:
        story.append(para(f"{entry['text']} ({entry['criterion_id']})", "Cell"))
        story += [para(text, "AnchorLine") for text in entry["thresholds"]]
    return story


def records_thresholds(criteria) -> bool:
    """Whether a criteria version marks its thresholds at all (2026.1 does not: there the
    list would wrongly say that nothing rests on a working threshold)."""
    return any(c.thresholds for d in criteria.domains for c in d.criteria)
