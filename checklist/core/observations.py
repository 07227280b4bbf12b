"""Observations: what a location's history and the aggregate report count, one per look at a place.

A submitted visit is one observation. A calibration pair (`core.calibration`: two visits of
one location a few days apart by different visitors, with the same criteria) is one
observation too: the same place seen twice, not a change over time. The rule, written
once here and used by the location page, the visit page and PDF ("since the previous
visit") and the monitor report:

- a pair counts as one only when both its visits are among what is counted (submitted,
  in the reader's scope and the period); otherwise the visit that is there counts alone;
- its date is its later visit's (the day the observation was complete);
- per criterion, its points are the mean of the two visitors' points where both scored
  it, else the one visitor's; its result is the lower of the two results (does not meet,
  partly, meets), so a failure or red flag that one visitor saw is never averaged away;
  a critical criterion counts as not assessed only when neither visitor could assess it;
- its domain scores, overall score, status and caps follow from those lines by the one
  scoring rule (`core.scoring`). Where both visitors scored the same criteria, each
  domain score is exactly the mean of the two visits' scores.

Each visit keeps its own score on its own pages; the pair's score is shown as the pair's,
labelled, beside or instead of a trend point, never as either visit's. Pure: no Flask, no SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from typing import Callable
from typing import Iterable
from typing import Sequence
from typing import TypeVar

from checklist.core.criteria import Criteria
from checklist.core.scoring import DomainScore
from checklist.core.scoring import Line
from checklist.core.scoring import VisitScore
from checklist.core.scoring import overall
from checklist.core.scoring import score_domain

T = TypeVar("T")

# Results on the scale, lowest first; `pair_score` keeps the lower of two.
_RESULT_RANK = {"fails": 0, "partly": 1, "meets": 2}
# Results off the scale, in the order a pair keeps them when neither visitor scored.
_UNSCORED_ORDER = ("unknown", "na")


def group_pairs(items: Sequence[T], pairs: Iterable[tuple[int, int]], visit_id: Callable[[T], int]) -> list[tuple[T, ...]]:
    """`items` (visits, oldest first) as observations, oldest first: a pair both of whose
    visits are among the items is one group, at the place of its later visit; every other
    item is a group of its own."""
    position = {visit_id(item): i for i, item in enumerate(items)}
    partner: dict[int, int] = {}
    for a, b in pairs:
        if a in position and b in position:
            partner[a], partner[b] = b, a
    groups = []
    for i, item in enumerate(items):
        other = partner.get(visit_id(item))
        if other is None:
            groups.append((item,))
        elif position[other] < i:
            groups.append((items[position[other]], item))
        # the earlier visit of a pair waits for its later one
    return groups


def pair_score(first: VisitScore, second: VisitScore, criteria: Criteria) -> VisitScore:
    """The score of a calibration pair as one observation (the rule in this module's docstring)."""
    theirs = {d.domain_id: d for d in second.domains}
    domains = []
    for mine in first.domains:
        other = theirs.pop(mine.domain_id, None)
        domains.append(mine if other is None else _pair_domain(mine, other, criteria))
    domains += theirs.values()  # a domain only the second visit scored (its facts differed)
    return overall(tuple(domains), criteria)


def _pair_domain(first: DomainScore, second: DomainScore, criteria: Criteria) -> DomainScore:
    theirs = {line.criterion_id: line for line in second.lines}
    lines = []
    for line in first.lines:
        other = theirs.pop(line.criterion_id, None)
        lines.append(line if other is None else _pair_line(line, other))
    lines += theirs.values()
    return score_domain(first.domain_id, first.weight, tuple(lines), criteria.scoring.status_bands)


def _pair_line(first: Line, second: Line) -> Line:
    scored = [line for line in (first, second) if line.points is not None]
    if scored:
        points = sum(line.points for line in scored) / len(scored)
        result = min((line.result for line in scored), key=_RESULT_RANK.__getitem__)
    else:
        points = None
        result = next((r for r in _UNSCORED_ORDER if r in (first.result, second.result)), None)
    return Line(
        criterion_id=first.criterion_id,
        result=result,
        number=None,
        weight=first.weight,
        points=points,
        critical=first.critical,
        cap=first.cap,
    )


@dataclass(frozen=True)
class Observation:
    """One look at a location: a visit, or a calibration pair's two visits (oldest first).

    `visits` are the caller's items (bundles or rows with a `.visit` dict); `visit` is the
    later one's, so an observation reads like a visit where only the date matters
    (`core.history`)."""

    visits: tuple[Any, ...]
    score: VisitScore

    @property
    def is_pair(self) -> bool:
        return len(self.visits) == 2

    @property
    def visit(self) -> dict:
        return self.visits[-1].visit


def observations(bundles: Sequence[Any], pairs: Iterable[tuple[int, int]], criteria_of: Callable[[Any], Criteria]) -> list[Observation]:
    """Scored visits (objects with `.visit` and `.score`, oldest first) as observations."""
    out = []
    for group in group_pairs(bundles, pairs, lambda b: b.visit["id"]):
        if len(group) == 1:
            out.append(Observation(group, group[0].score))
        else:
            out.append(Observation(group, pair_score(group[0].score, group[1].score, criteria_of(group[0]))))
    return out
