"""Comparisons across criteria versions, gathered through the store for the pages and reports.

`lineage_for` follows `replaces:` over every stored version. `overview_rows` gives the
overview's rows and type averages: as stored when the latest visits share one criteria
version (the usual case: no extra query), else each visit scored again from its stored
results on the criteria the versions have in common (`core.comparable`). A row with low
coverage (below `min_coverage`) is marked `low_coverage` and left out of the averages.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from sqlite_utils import Database

from checklist import store
from checklist.core.access import Scope
from checklist.core.comparable import VersionCount
from checklist.core.comparable import score_stored
from checklist.core.comparable import version_counts
from checklist.core.criteria import Criteria
from checklist.core.filters import Filters
from checklist.core.lineage import Lineage
from checklist.core.lineage import build_lineage
from checklist.core.lineage import common_keys
from checklist.core.scoring import low_coverage


def lineage_for(db: Database, criteria: Criteria) -> Lineage:
    """Old id -> current id over every stored criteria version (cached per set of versions)."""
    return build_lineage(criteria, store.stored_criteria(db))


@dataclass(frozen=True)
class Mixed:
    """The criteria versions a set of visits was made with, and what they share."""

    versions: list[VersionCount] = field(default_factory=list)
    common: int | None = None  # criteria in common; None when all visits share one version

    @property
    def mixed(self) -> bool:
        return len(self.versions) > 1


def versions_of(db: Database, hashes) -> list[VersionCount]:
    hashes = list(hashes)
    return version_counts(hashes, {h: store.criteria_for_hash(db, h) for h in set(hashes)})


def overview_rows(db: Database, scope: Scope, filters: Filters, criteria: Criteria, min_coverage: float = 0.0) -> tuple[list[dict], list[dict], Mixed]:
    """The overview's rows (latest visit per location) and averages per type, without the
    visits whose coverage is below `min_coverage` (a share, 0-1)."""
    rows = store.heatmap(db, scope, filters)
    hashes = {r["criteria_hash"] for r in rows}
    if len(hashes) <= 1:
        for row in rows:
            row["low_coverage"] = low_coverage(row["scored"], row["assessable"], min_coverage)
        return rows, store.type_averages(db, scope, filters, min_coverage), Mixed(versions_of(db, (r["criteria_hash"] for r in rows)))
    versions = {h: store.criteria_for_hash(db, h) for h in hashes}
    lineage = lineage_for(db, criteria)
    common = common_keys(versions.values(), lineage)

    def keep(criterion_id: str) -> bool:
        return lineage.key(criterion_id) in common

    results = store.latest_results(db, scope, filters)
    for row in rows:
        score = score_stored(versions[row["criteria_hash"]], row["type"], row["domains"], results.get(row["visit_id"], {}), keep)
        row.update(score=score.score, status=score.status, scored=score.scored, assessable=score.assessable, red_flags=len(score.red_flags))
        row["low_coverage"] = low_coverage(score.scored, score.assessable, min_coverage)
        row["domains"] = {
            d.domain_id: {"domain_id": d.domain_id, "score": d.score, "status": d.status, "scored": d.scored, "assessable": d.assessable, "red_flags": len(d.red_flags)}
            for d in score.domains
        }
    return rows, _averages(rows), Mixed(versions_of(db, (r["criteria_hash"] for r in rows)), len(common))


def _averages(rows: list[dict]) -> list[dict]:
    """type_averages' shape, from rows scored on the common criteria, without those marked low_coverage."""
    by_type: dict[str, list[dict]] = {}
    for row in rows:
        by_type.setdefault(row["type"], []).append(row)
    out = []
    for type_, everything in sorted(by_type.items()):
        group = [r for r in everything if not r["low_coverage"]]
        scores = [r["score"] for r in group if r["score"] is not None]
        domains: dict[str, dict] = {}
        for r in group:
            for domain_id, d in r["domains"].items():
                if d["score"] is not None:
                    domains.setdefault(domain_id, []).append(d["score"])
        out.append(
            {
                "type": type_,
                "locations": len(group),
                "left_out": len(everything) - len(group),
                "score": sum(scores) / len(scores) if scores else None,
                "red_flags": sum(r["red_flags"] for r in everything),
                "scored": sum(r["scored"] for r in group),
                "assessable": sum(r["assessable"] for r in group),
                "domains": {k: {"domain_id": k, "score": sum(v) / len(v), "scored_locations": len(v)} for k, v in domains.items()},
            }
        )
    return out
