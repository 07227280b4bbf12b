"""One location's history: change since the previous visit, and criteria that keep failing.

Pure: works on scored visits (VisitBundle-like objects with `.visit` and `.score`), oldest first.
"""

from __future__ import annotations

from dataclasses import dataclass

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


def _results(bundle) -> dict[str, str | None]:
    return {line.criterion_id: line.result for d in bundle.score.domains for line in d.lines}


def location_history(bundles: list) -> History:
    """Compare the latest visit with the one before, and find failures that repeat up to now."""
    if not bundles:
        return History((), (), ())
    latest = bundles[-1]
    previous = bundles[-2] if len(bundles) > 1 else None
    changes = []
    for d in latest.score.domains:
        before = previous.score.domain(d.domain_id) if previous else None
        changes.append(DomainChange(d.domain_id, before.score if before else None, d.score))
    previous_flags = {f.criterion_id for f in previous.score.red_flags} if previous else set()
    new_flags = tuple(f.criterion_id for f in latest.score.red_flags if f.criterion_id not in previous_flags)
    results = [_results(b) for b in bundles]
    recurring = []
    for criterion_id, result in results[-1].items():
        if result not in FAILING:
            continue
        run = 0
        for visit_results in reversed(results):
            if visit_results.get(criterion_id) in FAILING:
                run += 1
            else:
                break
        if run >= 2:
            recurring.append(Recurring(criterion_id, run, bundles[-run].visit["visit_date"]))
    recurring.sort(key=lambda r: (-r.visits_in_a_row, r.criterion_id))
    return History(tuple(changes) if previous else (), new_flags if previous else (), tuple(recurring))
