"""Score a visit from its answers: pure functions over the criteria, no Flask, no SQL.

One `VisitScore` feeds the pages, the PDF and the comparisons, so every place shows
the same numbers. The method, in short (the PDF appendix says the same in words):

- each applicable criterion gives a result: meets / partly / fails (a count is judged by
  its bands, yes is meets and no is fails), or is left out: not applicable, could not be
  assessed, or not answered;
- domain score = sum(weight x points) / sum(weight) over the scored criteria, as 0-100;
- coverage = scored / (applicable - not applicable); low coverage is shown, never hidden;
- status: green >= bands.green, amber >= bands.amber, else red; no scored criterion: none;
- a red flag is a critical criterion that fails: its domain is red whatever the average,
  and the overall status is at most the criterion's own `cap`, else `scoring.red_flag_cap`
  (amber by default; life-safety criteria carry `cap: red`);
- a critical criterion that could not be assessed is an "unassessed" flag of its own: it
  does not change the score, but is shown wherever red flags are, so leaving things
  unknown never makes a location look better unnoticed;
- a domain with `applies_when: amv_present` is left out when the visit records that no
  unaccompanied minors live there;
- overall score = weighted mean of the domain scores (domain weights).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from checklist.core.criteria import Criteria
from checklist.core.criteria import Criterion

NOT_SCORED = ("na", "unknown")
STATUS_ORDER = {"green": 0, "amber": 1, "red": 2}


def low_coverage(scored: int, assessable: int, threshold: float) -> bool:
    """Coverage below `threshold` (a share, 0-1; 0 turns the mark off): too little of the
    visit was scored for its score to stand for the location. A visit with nothing
    assessable is low. The store says the same in SQL (`store.selection.low_coverage_sql`)."""
    return threshold > 0 and (not assessable or scored < threshold * assessable)


@dataclass(frozen=True)
class AnswerValue:
    """What a visitor gave for one criterion: a choice, a counted number, or both empty."""

    value: str | None = None  # meets | partly | fails | yes | no | na | unknown
    number: float | None = None


@dataclass(frozen=True)
class Line:
    """One criterion's part in its domain score, kept so the page can explain the score."""

    criterion_id: str
    result: str | None  # meets | partly | fails | na | unknown | None (unanswered)
    number: float | None
    weight: float
    points: float | None  # None when left out of the score
    critical: bool
    cap: str | None = None  # the overall status this line's failure caps at, if critical

    @property
    def red_flag(self) -> bool:
        return self.critical and self.result == "fails"

    @property
    def unassessed_flag(self) -> bool:
        """A critical criterion the visitor could not assess: never silently left out."""
        return self.critical and self.result == "unknown"


@dataclass(frozen=True)
class DomainScore:
    domain_id: str
    weight: float
    score: float | None
    status: str  # green | amber | red | none
    scored: int
    assessable: int
    applicable: int
    lines: tuple[Line, ...]

    @property
    def coverage(self) -> float | None:
        return self.scored / self.assessable if self.assessable else None

    @property
    def red_flags(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if line.red_flag)

    @property
    def unassessed_flags(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if line.unassessed_flag)

    @property
    def unanswered(self) -> tuple[str, ...]:
        return tuple(line.criterion_id for line in self.lines if line.result is None)

    @property
    def weighted_points(self) -> float:
        return sum(line.weight * line.points for line in self.lines if line.points is not None)

    @property
    def weight_total(self) -> float:
        return sum(line.weight for line in self.lines if line.points is not None)


@dataclass(frozen=True)
class VisitScore:
    score: float | None
    status: str
    domains: tuple[DomainScore, ...]

    @property
    def red_flags(self) -> tuple[Line, ...]:
        return tuple(flag for d in self.domains for flag in d.red_flags)

    @property
    def unassessed_flags(self) -> tuple[Line, ...]:
        return tuple(flag for d in self.domains for flag in d.unassessed_flags)

    @property
    def scored(self) -> int:
        return sum(d.scored for d in self.domains)

    @property
    def assessable(self) -> int:
        return sum(d.assessable for d in self.domains)

    @property
    def applicable(self) -> int:
        return sum(d.applicable for d in self.domains)

    @property
    def coverage(self) -> float | None:
        return self.scored / self.assessable if self.assessable else None

    @property
    def unanswered(self) -> tuple[str, ...]:
        return tuple(cid for d in self.domains for cid in d.unanswered)

    def domain(self, domain_id: str) -> DomainScore | None:
        return next((d for d in self.domains if d.domain_id == domain_id), None)


def resolve(criterion: Criterion, answer: AnswerValue | None) -> str | None:
    """Turn a raw answer into meets/partly/fails/na/unknown, or None when unanswered."""
    if answer is None:
        return None
    if answer.value in NOT_SCORED:
        return answer.value
    if criterion.kind == "count":
        return criterion.band_for(answer.number) if answer.number is not None else None
    if criterion.kind == "yesno":
        return {"yes": "meets", "no": "fails"}.get(answer.value)
    return answer.value if answer.value in ("meets", "partly", "fails") else None


def status_for(score: float | None, bands: Mapping[str, float]) -> str:
    if score is None:
        return "none"
    if score >= bands["green"]:
        return "green"
    if score >= bands["amber"]:
        return "amber"
    return "red"


def score_visit(
    criteria: Criteria,
    location_type: str,
    answers: Mapping[str, AnswerValue],
    facts: Mapping[str, object] | None = None,
) -> VisitScore:
    """Score every domain that applies to the location type and the visit's facts
    (`amv_present`: 0 means none live there), then the visit as a whole."""
    domains = []
    for domain in applicable_domains(criteria, location_type, facts):
        lines = []
        for criterion in domain.criteria_for(location_type):
            answer = answers.get(criterion.id)
            result = resolve(criterion, answer)
            points = criteria.scoring.points.get(result) if result in ("meets", "partly", "fails") else None
            lines.append(
                Line(
                    criterion_id=criterion.id,
                    result=result,
                    number=answer.number if answer else None,
                    weight=criterion.weight,
                    points=points,
                    critical=criterion.critical,
                    cap=(criterion.cap or criteria.scoring.red_flag_cap) if criterion.critical else None,
                )
            )
        domains.append(score_domain(domain.id, domain.weight, tuple(lines), criteria.scoring.status_bands))
    return overall(tuple(domains), criteria)


def score_domain(domain_id, weight, lines, bands) -> DomainScore:
    """A domain's score and status from its lines; also used to score visits of different
    criteria versions on what they share (`core/comparable.py`), so the rule stays one."""
    scored = [line for line in lines if line.points is not None]
    total = sum(line.weight for line in scored)
    score = 100.0 * sum(line.weight * line.points for line in scored) / total if total else None
    status = status_for(score, bands)
    if any(line.red_flag for line in lines):
        status = "red"
    return DomainScore(
        domain_id=domain_id,
        weight=weight,
        score=score,
        status=status,
        scored=len(scored),
        assessable=sum(1 for line in lines if line.result != "na"),
        applicable=len(lines),
        lines=lines,
    )


def overall(domains: tuple[DomainScore, ...], criteria: Criteria) -> VisitScore:
    """The visit's score, and its status capped by the worst cap among its red flags."""
    with_score = [d for d in domains if d.score is not None]
    total = sum(d.weight for d in with_score)
    score = sum(d.weight * d.score for d in with_score) / total if total else None
    status = status_for(score, criteria.scoring.status_bands)
    if status != "none":
        for flag in (flag for d in domains for flag in d.red_flags):
            if STATUS_ORDER[status] < STATUS_ORDER[flag.cap]:
                status = flag.cap
    return VisitScore(score=score, status=status, domains=domains)


def visit_facts(visit: Mapping[str, object]) -> dict[str, object]:
    """The facts of a visit that decide which domains apply (see `applicable_domains`)."""
    return {"amv_present": visit.get("amv_resident")}


def applicable_domains(criteria: Criteria, location_type: str, facts: Mapping[str, object] | None = None):
    """The domains a visit answers: by location type, and by its facts where a domain
    depends on one (a fact recorded as 0 means "none here"; unrecorded, the domain applies)."""
    facts = facts or {}
    out = []
    for domain in criteria.domains_for(location_type):
        if domain.applies_when is not None:
            value = facts.get(domain.applies_when)
            if value is not None and value != "" and not int(value):
                continue
        out.append(domain)
    return out


def domain_changes(current: VisitScore, previous: VisitScore | None) -> dict[str, float | None]:
    """Score change per domain since an earlier visit; None where either has no score."""
    if previous is None:
        return {}
    out = {}
    for d in current.domains:
        before = previous.domain(d.domain_id)
        if before is not None and d.score is not None and before.score is not None:
            out[d.domain_id] = d.score - before.score
        else:
            out[d.domain_id] = None
    return out
