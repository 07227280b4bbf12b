"""One location's history: change since the previous visit, and criteria that keep failing.

Pure: works on scored visits (VisitBundle-like objects with `.visit` and `.score`), oldest first.
Visits made with different criteria versions are matched through `key` (a `Lineage.key`):
a criterion that replaces another continues its run of failures, and is no new red flag
when the one it replaces was flagged before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

FAILING = ("fails",)


@dataclass(frozen=True)
class DomainChange:
    domain_id: str
    before: float | None
    after: float | None

    @property
    def delta(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    @property
    def direction(self) -> str:
        """improved | worsened | same | unknown (a change under 5 points counts as the same)."""
        if self.delta is None:
            return "unknown"
        if self.delta >= 5:
            return "improved"
        if self.delta <= -5:
            return "worsened"
        return "same"


@dataclass(frozen=True)
class Recurring:
    criterion_id: str
    visits_in_a_row: int
    since: str  # date of the first failing visit of the run


@dataclass(frozen=True)
class History:
    changes: tuple[DomainChange, ...]
    new_red_flags: tuple[str, ...]
    recurring: tuple[Recurring, ...]


def _same(criterion_id: str) -> str:
    return criterion_id


def _failing_keys(bundle, key) -> set[str]:
    return {key(line.criterion_id) for d in bundle.score.domains for line in d.lines if line.result in FAILING}


def location_history(bundles: list, key: Callable[[str], str] = _same) -> History:
    """Compare the latest visit with the one before, and find failures that repeat up to now."""
    if not bundles:
        return History((), (), ())
    latest = bundles[-1]
    previous = bundles[-2] if len(bundles) > 1 else None
    changes = []
    for d in latest.score.domains:
        before = previous.score.domain(d.domain_id) if previous else None
        changes.append(DomainChange(d.domain_id, before.score if before else None, d.score))
    previous_flags = {key(f.criterion_id) for f in previous.score.red_flags} if previous else set()
    new_flags = tuple(f.criterion_id for f in latest.score.red_flags if key(f.criterion_id) not in previous_flags)
    failing = [_failing_keys(b, key) for b in bundles]
    recurring = []
    for line in (line for d in latest.score.domains for line in d.lines):
        criterion_id = line.criterion_id
        if line.result not in FAILING:
            continue
        run = 0
        for visit_failing in reversed(failing):
            if key(criterion_id) in visit_failing:
                run += 1
            else:
                break
        if run >= 2:
            recurring.append(Recurring(criterion_id, run, bundles[-run].visit["visit_date"]))
    recurring.sort(key=lambda r: (-r.visits_in_a_row, r.criterion_id))
    return History(tuple(changes) if previous else (), new_flags if previous else (), tuple(recurring))
