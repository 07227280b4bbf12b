"""Scores of visits made with different criteria versions, on the criteria they share.

A visit keeps the score it was made with (its page, its PDF). Where visits of different
versions are set side by side (the overview, the comparison, the monitor report), they are
scored again on the criteria their versions have in common (`lineage.common_keys`, after
following `replaces:`), by the same rules as `core.scoring`, so no location looks better or
worse because its checklist had other questions. Pure: no Flask, no SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable
from typing import Iterable
from typing import Mapping

from checklist.core.criteria import Criteria
from checklist.core.scoring import Line
from checklist.core.scoring import VisitScore
from checklist.core.scoring import overall
from checklist.core.scoring import score_domain


@dataclass(frozen=True)
class VersionCount:
    version: str
    hash: str
    visits: int


def version_counts(hashes: Iterable[str], versions: Mapping[str, Criteria]) -> list[VersionCount]:
    """How many of the visits (their criteria hashes) were made with each version, oldest version first."""
    counts: dict[str, int] = {}
    for digest in hashes:
        counts[digest] = counts.get(digest, 0) + 1
    out = [VersionCount(versions[h].version if h in versions else h[:12], h, n) for h, n in counts.items()]
    return sorted(out, key=lambda v: (_version_key(v.version), v.hash))


def _version_key(version: str):
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in version.split("."))


def rescore(score: VisitScore, keep: Callable[[str], bool], criteria: Criteria) -> VisitScore:
    """The same visit scored on the criteria `keep` accepts (domains left with none drop out)."""
    domains = []
    for d in score.domains:
        lines = tuple(line for line in d.lines if keep(line.criterion_id))
        if lines:
            domains.append(score_domain(d.domain_id, d.weight, lines, criteria.scoring.status_bands))
    return overall(tuple(domains), criteria)


def score_stored(
    criteria: Criteria,
    location_type: str,
    domain_ids: Iterable[str],
    results: Mapping[str, Mapping],
    keep: Callable[[str], bool],
) -> VisitScore:
    """A submitted visit scored from its stored results (`answer_results` rows by criterion
    id) on the criteria `keep` accepts, within the domains it was scored in."""
    domains = []
    for domain_id in domain_ids:
        domain = criteria.domain(domain_id)
        if domain is None:
            continue
        lines = []
        for criterion in domain.criteria_for(location_type):
            if not keep(criterion.id):
                continue
            row = results.get(criterion.id)
            lines.append(
                Line(
                    criterion_id=criterion.id,
                    result=row["result"] if row else None,
                    number=None,
                    weight=criterion.weight,
                    points=row["points"] if row else None,
                    critical=criterion.critical,
                    cap=(criterion.cap or criteria.scoring.red_flag_cap) if criterion.critical else None,
                )
            )
        if lines:
            domains.append(score_domain(domain.id, domain.weight, tuple(lines), criteria.scoring.status_bands))
    return overall(tuple(domains), criteria)
