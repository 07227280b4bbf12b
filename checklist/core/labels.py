"""Words for answers, results and statuses, shared by the pages and the PDF.

Takes a gettext function rather than importing Flask, so the PDF builder can use it
with the catalog of the report's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable
from typing import Mapping

from checklist.core.criteria import Criterion


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


def status_labels(_: Callable[[str], str]) -> dict[str, str]:
    return {"green": _("Good"), "amber": _("Needs attention"), "red": _("Insufficient"), "none": _("No score")}


def role_labels(_: Callable[[str], str]) -> dict[str, str]:
    return {"visitor": _("visitor"), "coordinator": _("coordinator"), "monitor": _("monitor"), "admin": _("admin")}


def describe_answer(criterion: Criterion, answer: Mapping | None, lang: str, labels: Mapping[str, str]) -> str:
    """An answer as a visitor would say it: 'Partly', 'Yes', '3 moves (Partly)', or ''.

    `labels` is `answer_labels()` in the wanted language, made once per page or report.
    """
    if not answer:
        return ""
    value, number = answer.get("value"), answer.get("number")
    if value in ("na", "unknown"):
        return labels[value]
    if criterion.kind == "count" and number is not None:
        result = criterion.band_for(number)
        unit = criterion.unit.get(lang) if criterion.unit else ""
        text = f"{number:g} {unit}".strip()
        return f"{text} ({labels[result]})" if result else text
    return labels.get(value, "") if value else ""


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


def answer_rows(criteria, score, answers: Mapping, lang: str, labels: Mapping[str, str]) -> dict[str, list[AnswerRow]]:
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
                    answer=describe_answer(criterion, answer, lang, labels),
                    note=(answer or {}).get("note") or "",
                    points=f"{line.points:g} × {line.weight:g}" if line.points is not None else None,
                    red_flag=line.red_flag,
                )
            )
        rows[d.domain_id] = out
    return rows
