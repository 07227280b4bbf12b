"""The handbook of the checklist: one criteria version in one language, as PDF bytes.

What visitors train with and what the coalition reviews on paper. A front part says which
version this is (version and file hash), how answers become scores (the same words as the
method appendix of both reports, `method.scoring_method`), the sampling rule, the
coalition's own lists of points and the working thresholds still to be confirmed. Then,
per domain and criterion: the text, the guidance, what the answer rests on (the sampling
rule, the document to see and what to answer without it), bands, thresholds with their
source or marked as working ones, the cap of a critical criterion, the legal anchors, the
sources in full, the coalition's points and the ids it replaces.

Every text from the criteria file goes through `styles.para` (escaped), like user text.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak
from reportlab.platypus import PageBreak
from reportlab.platypus import Spacer
from reportlab.platypus import Table

from checklist.core.criteria import Criteria
from checklist.core.criteria import Criterion
from checklist.core.criteria import Domain
from checklist.core.labels import anchor_labels
from checklist.core.labels import anchor_legend
from checklist.core.labels import answer_labels
from checklist.core.labels import bands_text
from checklist.core.labels import format_number
from checklist.reports.context import ReportContext
from checklist.reports.fonts import setup_reportlab
from checklist.reports.frame import FRAME_WIDTH
from checklist.reports.frame import build_pdf
from checklist.reports.frame import plain_page
from checklist.reports.method import bullets
from checklist.reports.method import records_thresholds
from checklist.reports.method import scoring_method
from checklist.reports.method import working_threshold_entries
from checklist.reports.method import working_thresholds
from checklist.reports.styles import cell
from checklist.reports.styles import para
from checklist.reports.styles import table_style

LABEL_WIDTH = 34 * mm


@dataclass(frozen=True)
class CriteriaBook:
    """What the handbook shows: a criteria version, in a language."""

    criteria: Criteria
    lang: str


def build_criteria_book(criteria: Criteria, lang: str) -> bytes:
    """Render the handbook of `criteria` in `lang` ("nl" or "en") as PDF bytes."""
    setup_reportlab()
    ctx = ReportContext(CriteriaBook(criteria, lang))
    title = ctx._("Handbook of the checklist")
    return build_pdf(ctx, _page_decorator(ctx), _story(ctx), title=title, author="checklist")


def _story(ctx: ReportContext) -> list:
    story = _front(ctx)
    for number, domain in enumerate(ctx.criteria.domains, start=1):
        story += _domain(ctx, number, domain)
    return story


# -- front part -------------------------------------------------------------------


def _front(ctx: ReportContext) -> list:
    _, criteria = ctx._, ctx.criteria
    spec = criteria.spec
    every = [c for d in criteria.domains for c in d.criteria]
    story = [
        para(_("Handbook of the checklist"), "Kicker"),
        para(spec.title.get(ctx.lang), "Title"),
        para(_("Criteria version %(version)s, file hash %(hash)s.", version=criteria.version, hash=criteria.hash), "Body"),
        para(
            _(
                "%(domains)d domains, %(criteria)d criteria, of which %(critical)d critical.",
                domains=len(criteria.domains),
                criteria=len(every),
                critical=sum(c.critical for c in every),
            ),
            "Body",
        ),
        para(spec.derived_from.get(ctx.lang), "Body"),
        para(_("How the scores are computed"), "H1"),
        bullets(scoring_method(ctx)),
    ]
    if spec.sampling is not None:
        story += [
            para(_("Sampling rule"), "H1"),
            para(
                _(
                    "Applies to every criterion that rests on what children or parents say (marked below): at least %(min)d, at most %(max)d.",
                    min=spec.sampling.min,
                    max=spec.sampling.max,
                ),
                "Body",
            ),
            para(spec.sampling.text.get(ctx.lang), "Body"),
        ]
    if spec.coalition:
        story += [para(_("The coalition's own points"), "H1")]
        story.append(para(_("Each criterion names the points of these lists it serves; the monitoring report can be read along them."), "Body"))
        for lst in spec.coalition:
            story += _coalition_list(ctx, lst, every)
    if records_thresholds(criteria):
        story += [CondPageBreak(40 * mm)] + working_thresholds(ctx, working_threshold_entries(every, ctx.lang), "H1")
    story += [para(_("Legal anchors"), "H1"), para(anchor_legend(_), "Body")]
    return story


def _coalition_list(ctx: ReportContext, lst, criteria: list[Criterion]) -> list:
    story = [para(lst.title.get(ctx.lang), "H2")]
    source = ctx.criteria.source(lst.source) if lst.source else None
    if source is not None:
        story.append(para(f"{ctx._('Source')}: {_source_text(source)}", "Small"))
    for point in lst.points:
        key = f"{lst.id}.{point.id}"
        ids = [c.id for c in criteria if key in c.coalition]
        served = ", ".join(ids) if ids else ctx._("no criterion yet")
        story += [para(f"{point.id}. {point.title.get(ctx.lang)}", "Cell"), para(f"{ctx._('Criteria')}: {served}", "AnchorLine")]
    return story


# -- per domain and criterion -----------------------------------------------------


def _domain(ctx: ReportContext, number: int, domain: Domain) -> list:
    _ = ctx._
    story = [PageBreak(), para(f"{number}. {domain.title.get(ctx.lang)}", "H1")]
    if domain.description is not None:
        story.append(para(domain.description.get(ctx.lang), "Body"))
    if domain.applies_to != "all":
        story.append(para(f"{_('Applies to')}: {_types(ctx, domain.applies_to)}", "Body"))
    if domain.applies_when == "amv_present":
        story.append(para(_("Not applicable when the visit records that no unaccompanied minors live at the location."), "Body"))
    for position, criterion in enumerate(domain.criteria, start=1):
        story += _criterion(ctx, f"{number}.{position}", criterion, domain)
    return story


def _criterion(ctx: ReportContext, number: str, c: Criterion, domain: Domain) -> list:
    _, lang = ctx._, ctx.lang
    rows: list[tuple[str, object]] = [(_("Guidance"), c.guidance.get(lang)), (_("Answer"), _answer_kind(ctx, c))]
    if c.applies_to is not None:
        rows.append((_("Applies to"), _types(ctx, c.applies_to)))
    evidence = _evidence(ctx, c)
    if evidence:
        rows.append((_("Evidence"), evidence))
    if c.thresholds:
        rows.append((_("Thresholds"), [_threshold_text(ctx, t) for t in c.thresholds]))
    if c.critical:
        cap = ctx.status(c.cap or ctx.criteria.scoring.red_flag_cap).lower()
        rows.append((_("Critical"), _("When not met this is a red flag: its domain is red and the overall status is at most %(cap)s.", cap=cap)))
    labels = anchor_labels(_)
    if c.anchors.items():
        rows.append((_("Legal anchors"), [f"{labels[key]}: {', '.join(articles)}" for key, articles in c.anchors.items()]))
    if c.sources:
        rows.append((_("Sources"), [_source_line(ctx, source_id) for source_id in c.sources]))
    if c.coalition:
        rows.append((_("Coalition's points"), [_point_text(ctx, key) for key in c.coalition]))
    if c.replaces:
        rows.append((_("Replaces"), ", ".join(c.replaces)))
    table = Table(
        [[cell(label, "CellMuted"), _value(value)] for label, value in rows],
        colWidths=[LABEL_WIDTH, FRAME_WIDTH - LABEL_WIDTH],
    )
    table.setStyle(table_style(header=False))
    heading = f"{number} {c.text.get(lang)}"
    tags = [c.id, _("weight %(weight)s", weight=format_number(c.weight, lang))]
    if c.critical:
        tags.append(_("critical"))
    return [CondPageBreak(35 * mm), para(heading, "H2"), para(" · ".join(tags), "Small"), Spacer(0, 2), table]


def _value(value):
    if isinstance(value, list):
        return [cell(v) for v in value]
    return cell(value)


def _answer_kind(ctx: ReportContext, c: Criterion) -> str:
    _, words = ctx._, answer_labels(ctx._)
    if c.kind == "yesno":
        return _("Yes or no: yes counts as %(meets)s, no as %(fails)s.", meets=words["meets"].lower(), fails=words["fails"].lower())
    if c.kind == "rating":
        return " / ".join(words[r] for r in ("meets", "partly", "fails"))
    return bands_text(c, ctx.lang, ctx._, words)


def _evidence(ctx: ReportContext, c: Criterion) -> list[str]:
    _ = ctx._
    out = []
    if c.sampling is not None:
        who = {
            "children": _("Rests on what children say: the sampling rule applies."),
            "parents": _("Rests on what parents say: the sampling rule applies."),
            "children_or_parents": _("Rests on what children or parents say: the sampling rule applies."),
        }
        out.append(who[c.sampling])
    if c.records is not None:
        answer = answer_labels(_)[c.records.if_missing]
        out.append(_("Document to see: %(document)s. When it is missing, answer: %(answer)s.", document=c.records.document.get(ctx.lang), answer=answer))
    return out


def _threshold_text(ctx: ReportContext, threshold) -> str:
    text = threshold.text.get(ctx.lang)
    if threshold.working:
        return f"{text} – {ctx._('working threshold, to be confirmed by the coalition')}"
    source = ctx.criteria.source(threshold.source)
    return f"{text} – {ctx._('source')}: {threshold.source}" + (f" ({source.title})" if source else "")


def _source_line(ctx: ReportContext, source_id: str) -> str:
    source = ctx.criteria.source(source_id)
    return f"{source_id}: {_source_text(source)}" if source else source_id


def _source_text(source) -> str:
    details = ", ".join(str(v) for v in (source.publisher, source.year) if v)
    return source.title + (f". {details}" if details else "") + (f". {source.url}" if source.url else "")


def _point_text(ctx: ReportContext, key: str) -> str:
    list_id, _sep, point_id = key.partition(".")
    for lst in ctx.criteria.spec.coalition:
        if lst.id == list_id:
            for point in lst.points:
                if point.id == point_id:
                    return f"{point.title.get(ctx.lang)} ({lst.title.get(ctx.lang)}, {point.id})"
    return key


def _types(ctx: ReportContext, type_ids) -> str:
    if type_ids == "all":
        return ctx._("all types of location")
    return ", ".join(ctx.criteria.location_type_label(t, ctx.lang) for t in type_ids)


# -- page furniture ---------------------------------------------------------------


def _page_decorator(ctx: ReportContext):
    criteria = ctx.criteria
    header = para(criteria.spec.title.get(ctx.lang), "Header")
    version = ctx._("Criteria version %(version)s", version=criteria.version)
    footer = f"{ctx._('Handbook of the checklist')} · {version} · {criteria.hash[:12]}"
    return plain_page(header, 0.7, version, footer)
