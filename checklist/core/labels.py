"""Words for answers, results, statuses and legal anchors: the one definition of each,
used by the pages, the PDFs and the exports alike.

Takes a gettext function rather than importing Flask, so the PDF builder can use it
with the catalog of the report's language (and the forms with a lazy gettext).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable
from typing import Mapping

from babel.numbers import format_decimal

from checklist.core.criteria import Criterion
from checklist.core.evidence import COUNTED
from checklist.core.evidence import EVIDENCE_TYPES
from checklist.core.evidence import split as split_evidence
from checklist.core.i18n import locale_for
from checklist.core.scoring import AnswerValue
from checklist.core.scoring import resolve


def answer_labels(_: Callable[[str], str]) -> dict[str, str]:
    return {
        "meets": _("Meets"),
        "partly": _("Partly"),
        "fails": _("Does not meet"),
        "yes": _("Yes"),
        "no": _("No"),
        "na": _("Not applicable"),
        "unknown": _("Could not assess"),
    }


def evidence_labels(_: Callable[[str], str]) -> dict[str, str]:
    """What an answer rests on (`checklist.core.evidence.EVIDENCE_TYPES`)."""
    return {
        "seen": _("Seen"),
        "document": _("Document seen"),
        "staff": _("Staff said"),
        "children": _("Children said"),
        "parents": _("Parents said"),
    }


def describe_evidence(answer: Mapping | None, labels: Mapping[str, str]) -> str:
    """What an answer rests on, as a person reads it: 'Seen; Children said (4)', or ''.

    `labels` is `evidence_labels()` in the wanted language. The pages, the visit PDF and
    the answers export all call this."""
    if not answer:
        return ""
    ticked = set(split_evidence(answer.get("evidence")))
    parts = []
    for kind in EVIDENCE_TYPES:
        if kind in ticked:
            n = answer.get(COUNTED[kind]) if kind in COUNTED else None
            parts.append(f"{labels[kind]} ({n})" if n is not None else labels[kind])
    return "; ".join(parts)


def records_hint(criterion: Criterion, lang: str, _: Callable[[str], str], labels: Mapping[str, str]) -> str:
    """For a criterion that rests on records: the document to ask for and what to answer without it."""
    if criterion.records is None:
        return ""
    return _("Ask for: %(document)s; if missing: answer %(answer)s") % {
        "document": criterion.records.document.get(lang),
        "answer": labels[criterion.records.if_missing],
    }


def sampling_marker(criterion: Criterion, _: Callable[[str], str]) -> str:
    """The short mark at a criterion that rests on what children or parents say."""
    return {
        "children": _("Sampling rule: ask children"),
        "parents": _("Sampling rule: ask parents"),
        "children_or_parents": _("Sampling rule: ask children or parents"),
    }.get(criterion.sampling or "", "")


def band_phrases(criterion: Criterion, lang: str, _: Callable[[str], str]) -> list[tuple[str, str]]:
    """Each band of a count criterion in words that cannot overlap, with its answer: bands are
    [from, to) (`Criterion.band_for`), so "under 9", "9 or more, under 13", "13 or more";
    a first band that starts at the range's lowest value is only "under ...". One rule for
    the checklist page, the handbook, the XLSForm's hints and the browser's live result."""
    bands = criterion.bands or ()
    lowest = criterion.range.min if criterion.range else None
    out = []
    for i, band in enumerate(bands):
        low, high = format_number(band.from_, lang), format_number(band.to, lang) if band.to is not None else None
        if high is None:
            words = _("%(low)s or more") % {"low": low}
        elif i == 0 and lowest is not None and band.from_ <= lowest:
            words = _("under %(high)s") % {"high": high}
        else:
            words = _("%(low)s or more, under %(high)s") % {"low": low, "high": high}
        out.append((words, band.answer))
    return out


def bands_text(criterion: Criterion, lang: str, _: Callable[[str], str], labels: Mapping[str, str]) -> str:
    """A count criterion's unit and bands in words: 'A number (moves); bands: under 3 = Meets; ...'.

    `labels` is `answer_labels()` in `lang`; the handbook and the XLSForm's hints say it so."""
    unit = criterion.unit.get(lang) if criterion.unit else ""
    bands = "; ".join(f"{words} = {labels[answer]}" for words, answer in band_phrases(criterion, lang, _))
    return _("A number (%(unit)s); bands: %(bands)s.") % {"unit": unit, "bands": bands}


def action_status_labels(_: Callable[[str], str]) -> dict[str, str]:
    """A follow-up action's status (`store.ACTION_STATUSES`)."""
    return {"open": _("Open"), "done": _("Done"), "not_done": _("Not done"), "cancelled": _("Cancelled")}


def anchor_labels(_: Callable[[str], str]) -> dict[str, str]:
    """The legal sources a criterion cites (`Anchors`), short; `anchor_legend` spells them out."""
    return {"crc": _("CRC"), "rcd_2013": _("Directive 2013/33/EU"), "rcd_2024": _("Directive (EU) 2024/1346"), "nl": _("Dutch rules")}


def anchor_legend(_: Callable[[str], str]) -> str:
    return _(
        "CRC: UN Convention on the Rights of the Child. Directive 2013/33/EU: Reception Conditions Directive. Directive (EU) 2024/1346: recast Reception Conditions Directive."
    )


def status_labels(_: Callable[[str], str]) -> dict[str, str]:
    return {"green": _("Good"), "amber": _("Needs attention"), "red": _("Insufficient"), "none": _("No score")}


# A symbol beside each status colour, so the colour is never the only cue (WCAG 1.4.1).
STATUS_MARKS = {"green": "✓", "amber": "!", "red": "✗", "none": "–"}


def role_labels(_: Callable[[str], str]) -> dict[str, str]:
    return {"visitor": _("visitor"), "coordinator": _("coordinator"), "monitor": _("monitor"), "admin": _("admin"), "operator": _("operator"), "system_admin": _("system admin")}


def describe_answer(
    criterion: Criterion, answer: Mapping | None, lang: str, labels: Mapping[str, str], result: str | None = None
) -> str:
    """An answer as a person reads it: 'Partly', 'Yes', 'Not applicable', '3 moves (Partly)',
    or '' when there is none. The pages, the visit PDF and the answers export all call this.

    `labels` is `answer_labels()` in the wanted language, made once per page or report.
    `result` is the answer's result as scored (`Line.result`, `answer_results.result`);
    without it the answer is judged by `scoring.resolve`, the one rule for that.
    A counted number is written as `lang` writes numbers (2.5 / 2,5).
    """
    if not answer:
        return ""
    value, number = answer.get("value"), answer.get("number")
    if value in ("na", "unknown"):
        return labels[value]
    if criterion.kind == "count" and number is not None:
        if result is None:
            result = resolve(criterion, AnswerValue(value=value, number=number))
        unit = criterion.unit.get(lang) if criterion.unit else ""
        text = f"{format_number(number, lang)} {unit}".strip()
        return f"{text} ({labels[result]})" if result in labels else text
    return labels.get(value, "") if value else ""


@lru_cache(maxsize=4096)
def format_number(number: float, lang: str) -> str:
    """A counted number in the language's notation, up to three decimals: 3, 2.5 / 2,5."""
    return format_decimal(number, locale=locale_for(lang))


def format_score(score: float | None) -> str:
    return "–" if score is None else f"{score:.0f}"


def format_coverage(scored: int, assessable: int) -> str:
    if not assessable:
        return "–"
    return f"{scored}/{assessable} ({100 * scored / assessable:.0f}%)"


@dataclass(frozen=True, slots=True)
class AnswerRow:
    """One criterion in an answers table (attributes, not dict keys: Jinja reads them faster)."""

    id: str
    text: str
    critical: bool
    answer: str
    note: str
    points: str | None
    red_flag: bool
    unassessed_flag: bool = False
    evidence: str = ""


def answer_rows(
    criteria, score, answers: Mapping, lang: str, labels: Mapping[str, str], evidence: Mapping[str, str] | None = None
) -> dict[str, list[AnswerRow]]:
    """Per domain, each criterion's row as plain strings: what the answer tables show.

    Prepared in Python so a 90-row table is a loop of plain values in the template.
    """
    rows = {}
    for d in score.domains:
        out = []
        for line in d.lines:
            criterion = criteria.criterion(line.criterion_id)
            answer = answers.get(line.criterion_id)
            out.append(
                AnswerRow(
                    id=line.criterion_id,
                    text=criterion.text.get(lang),
                    critical=criterion.critical,
                    answer=describe_answer(criterion, answer, lang, labels, line.result),
                    note=(answer or {}).get("note") or "",
                    points=f"{line.points:g} × {line.weight:g}" if line.points is not None else None,
                    red_flag=line.red_flag,
                    unassessed_flag=line.unassessed_flag,
                    evidence=describe_evidence(answer, evidence) if evidence is not None else "",
                )
            )
        rows[d.domain_id] = out
    return rows
