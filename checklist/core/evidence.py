"""What an answer rests on: the evidence types a visitor ticks, and the rule for their counts. Pure.

An answer may rest on several kinds of evidence at once. They are stored as one
canonical text, the ticked types in the order of `EVIDENCE_TYPES` joined by commas
("seen,children"), or nothing. "Children said" and "parents said" carry how many
children or parents the visitor spoke with (1-99, as the criteria file's sampling rule
asks); a count without its tick is a mistake, not a detail to drop. The words for the
types are in `checklist.core.labels.evidence_labels`.
"""

from __future__ import annotations

from typing import Iterable

EVIDENCE_TYPES = ("seen", "document", "staff", "children", "parents")
# The types that are counted, and the answer's field that holds the count.
COUNTED = {"children": "children_n", "parents": "parents_n"}
COUNT_MIN, COUNT_MAX = 1, 99

# What can be wrong, per counted type (see `problems`).
COUNT_MISSING = "count_missing"  # ticked, but how many is not given
COUNT_WITHOUT_TICK = "count_without_tick"  # how many given, but the type is not ticked
COUNT_OUT_OF_RANGE = "count_out_of_range"


def split(text: str | Iterable[str] | None) -> list[str]:
    """Evidence as posted or stored ("seen,children", or a list of such) as separate items."""
    if text is None:
        return []
    items = [text] if isinstance(text, str) else list(text)
    return [part.strip() for item in items for part in str(item).split(",") if part.strip()]


def unknown_types(items: Iterable[str]) -> list[str]:
    return [item for item in items if item not in EVIDENCE_TYPES]


def canonical(items: str | Iterable[str] | None) -> str | None:
    """The known types among `items`, once each, in the fixed order; None when there are none."""
    chosen = set(split(items))
    text = ",".join(t for t in EVIDENCE_TYPES if t in chosen)
    return text or None


def problems(evidence: str | Iterable[str] | None, counts: dict[str, int | None]) -> dict[str, str]:
    """Per counted type ("children", "parents") what is wrong with its tick and count, if anything.

    `counts` maps "children"/"parents" to the number given (None: not given)."""
    ticked = set(split(evidence))
    out = {}
    for kind in COUNTED:
        n = counts.get(kind)
        if kind in ticked and n is None:
            out[kind] = COUNT_MISSING
        elif kind not in ticked and n is not None:
            out[kind] = COUNT_WITHOUT_TICK
        elif n is not None and not COUNT_MIN <= n <= COUNT_MAX:
            out[kind] = COUNT_OUT_OF_RANGE
    return out


TALLY_FIELDS = ("answers", "none", *EVIDENCE_TYPES, *(f"{kind}_people" for kind in COUNTED))


def tally(answers: Iterable[dict]) -> dict[str, int]:
    """What a set of answers rests on: the answers, those without evidence, per type the
    answers that ticked it (an answer counts under each of its types), and for the counted
    types the children or parents spoken with, summed. Kept per visit at submission, so a
    report over ten years adds up a row per visit instead of reading every answer."""
    out = dict.fromkeys(TALLY_FIELDS, 0)
    for answer in answers:
        out["answers"] += 1
        ticked = split(answer.get("evidence"))
        if not ticked:
            out["none"] += 1
        for kind in EVIDENCE_TYPES:
            if kind in ticked:
                out[kind] += 1
                if kind in COUNTED:
                    out[f"{kind}_people"] += answer.get(COUNTED[kind]) or 0
    return out
