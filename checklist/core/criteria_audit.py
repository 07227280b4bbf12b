"""Completeness of a criteria file that parses: what `check-criteria` checks after the schema.

The parser (`core.criteria`) refuses a file the app cannot use. This audit refuses a file
the coalition cannot defend, by rules that follow from the 2026.2 review:

- every criterion serves at least one point of the coalition's own published lists
  (`coalition:`), so the monitor report can be read along them;
- every count criterion has `thresholds:`: where the numbers of its bands come from, or
  that they are working thresholds still to be confirmed;
- a criterion marked `sampling:` says so in its guidance, in every language (it mentions
  the sampling rule: "steekproef" in Dutch, "sampling" in English), so a visitor reading
  only the criterion knows the rule applies;
- against the previous version (`--previous`): every id it had that this file no longer
  has is replaced (`replaces:`) or listed in the changelog beside the file (with the
  reason), and every id in `replaces:` was a criterion of the previous version.

Notes are printed but do not fail the file: coalition points no criterion serves, and
guidance that asks children or parents on a criterion without `sampling:`.
Pure: texts in, problems with file, line and field out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from checklist.core.criteria import LANGUAGES
from checklist.core.criteria import Criteria
from checklist.core.criteria import field_name
from checklist.core.criteria import line_of
from checklist.core.criteria import source_lines

# The words by which a guidance text mentions the sampling rule, per language.
SAMPLING_WORDS = {"nl": ("steekproef",), "en": ("sampling",)}
# Guidance that sends the visitor to ask children or parents (a note, never a failure).
ASKS_PEOPLE = {
    "nl": re.compile(r"\b(vraag|vragen|spreek|spreken|praat|praten)\b[^.]{0,80}\b(kinderen|ouders|jongeren)\b", re.IGNORECASE),
    "en": re.compile(r"\b(ask|asking|talk|talking|speak)\b[^.]{0,80}\b(children|parents|young people)\b", re.IGNORECASE),
}


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


@dataclass(frozen=True)
class Audit:
    problems: tuple[Problem, ...]
    notes: tuple[Problem, ...]


def _mentions_id(text: str, criterion_id: str) -> bool:
    return re.search(rf"(?<![\w.]){re.escape(criterion_id)}(?![\w])", text) is not None


def audit_criteria(
    criteria: Criteria,
    previous: Criteria | None = None,
    changelog: str | None = None,
    changelog_name: str = "CRITERIA-CHANGELOG.md",
) -> Audit:
    """Problems (the file fails) and notes (worth a look) of a parsed criteria file."""
    problems: list[Problem] = []
    notes: list[Problem] = []
    lines = source_lines(criteria.text)

    def add(out, path, message):
        out.append(Problem(criteria.path, line_of(lines, path), field_name(path), message))

    if not criteria.spec.coalition:
        add(problems, ("coalition",), "the file has no coalition lists; every criterion must map to one of their points")
    served: set[str] = set()
    for d, domain in enumerate(criteria.domains):
        for c, crit in enumerate(domain.criteria):
            cpath = ("domains", d, "criteria", c)
            served.update(crit.coalition)
            if not crit.coalition:
                add(problems, cpath + ("id",), f"{crit.id} maps to no coalition point (add coalition: [<list id>.<point id>])")
            if crit.kind == "count" and not crit.thresholds:
                add(
                    problems,
                    cpath + ("bands",),
                    f"{crit.id} is a count without thresholds: name the source of its bands, or mark them working: true",
                )
            if crit.sampling is not None:
                for lang in LANGUAGES:
                    if not any(word in crit.guidance.get(lang).lower() for word in SAMPLING_WORDS[lang]):
                        words = " or ".join(f"'{w}'" for w in SAMPLING_WORDS[lang])
                        add(
                            problems,
                            cpath + ("guidance", lang),
                            f"{crit.id} is marked sampling: {crit.sampling} but its guidance does not mention the sampling rule ({words})",
                        )
            elif any(ASKS_PEOPLE[lang].search(crit.guidance.get(lang)) for lang in LANGUAGES):
                add(notes, cpath + ("guidance",), f"{crit.id}: the guidance asks children or parents; should it be marked sampling:?")
    for i, lst in enumerate(criteria.spec.coalition):
        for p, point in enumerate(lst.points):
            if f"{lst.id}.{point.id}" not in served:
                add(notes, ("coalition", i, "points", p), f"coalition point {lst.id}.{point.id} is served by no criterion")
    if previous is not None:
        problems += _against_previous(criteria, lines, previous, changelog, changelog_name)
    return Audit(tuple(problems), tuple(notes))


def _against_previous(criteria: Criteria, lines, previous: Criteria, changelog: str | None, changelog_name: str) -> list[Problem]:
    problems = []
    current = {c.id for d in criteria.domains for c in d.criteria}
    old_ids = {c.id for d in previous.domains for c in d.criteria}
    replaced = {old for d in criteria.domains for c in d.criteria for old in c.replaces}
    old_lines = source_lines(previous.text)
    for d, domain in enumerate(previous.domains):
        for c, crit in enumerate(domain.criteria):
            if crit.id in current or crit.id in replaced:
                continue
            if changelog is not None and _mentions_id(changelog, crit.id):
                continue
            path = ("domains", d, "criteria", c, "id")
            problems.append(
                Problem(
                    previous.path,
                    line_of(old_lines, path),
                    field_name(path),
                    f"{crit.id} of {previous.version} is not in {criteria.version}: no criterion replaces it "
                    f"and {changelog_name} does not list it" + ("" if changelog is not None else f" (no {changelog_name} found)"),
                )
            )
    for d, domain in enumerate(criteria.domains):
        for c, crit in enumerate(domain.criteria):
            for r, old in enumerate(crit.replaces):
                if old not in old_ids:
                    path = ("domains", d, "criteria", c, "replaces", r)
                    problems.append(
                        Problem(criteria.path, line_of(lines, path), field_name(path), f"'{old}' was not a criterion of {previous.version}")
                    )
    return problems
