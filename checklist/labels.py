"""Words for answers, results and statuses, shared by the pages and the PDF.

Takes a gettext function rather than importing Flask, so the PDF builder can use it
with the catalog of the report's language.
"""

from __future__ import annotations

from typing import Callable
from typing import Mapping

from checklist.criteria import Criterion


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
