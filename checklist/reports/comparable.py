"""Comparisons across criteria versions, gathered through the store for the pages and reports.

`lineage_for` follows `replaces:` over every stored version. `overview_rows` gives the
overview's rows and type averages, always the visits' own stored scores; when the latest
visits were made with different criteria versions, each also carries the figure on the
criteria the versions have in common (`core.comparable`, from the stored results),
labelled as such on the page. A row with low coverage (below `min_coverage`, on its own
checklist) is marked `low_coverage` and left out of the averages of both.
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
    """The overview's rows (latest visit per location, each with the visit's own stored
    score) and averages per type of those scores, without the visits whose coverage is
    below `min_coverage` (a share, 0-1). A row whose visit is one of a complete
    calibration pair carries the other visit in `pair`.

    When the latest visits were made with different criteria versions, each row and
    average also carries `shared`: the same visit scored on the criteria the versions have
    in common, shown beside its own score and labelled as such, never instead of it."""
    rows = store.heatmap(db, scope, filters)
    partners = store.complete_partners(db, (r["visit_id"] for r in rows), scope)
    for row in rows:
        row["low_coverage"] = low_coverage(row["scored"], row["assessable"], min_coverage)
        row["pair"] = partners.get(row["visit_id"])
    averages = store.type_averages(db, scope, filters, min_coverage)
    hashes = {r["criteria_hash"] for r in rows}
    if len(hashes) <= 1:
        return rows, averages, Mixed(versions_of(db, (r["criteria_hash"] for r in rows)))
    versions = {h: store.criteria_for_hash(db, h) for h in hashes}
    lineage = lineage_for(db, criteria)
    common = common_keys(versions.values(), lineage)

    def keep(criterion_id: str) -> bool:
        return lineage.key(criterion_id) in common

    results = store.latest_results(db, scope, filters)
    for row in rows:
        score = score_stored(versions[row["criteria_hash"]], row["type"], row["domains"], results.get(row["visit_id"], {}), keep)
        row["shared"] = shared_figures(score)
    shared = {a["type"]: a for a in _shared_averages(rows)}
    for average in averages:
        average["shared"] = shared.get(average["type"])
    return rows, averages, Mixed(versions_of(db, (r["criteria_hash"] for r in rows)), len(common))


def shared_figures(score) -> dict:
    """A visit scored on the criteria several versions share: overall and per domain, with
    status and coverage, beside the visit's own score."""
    return {
        "score": score.score,
        "status": score.status,
        "scored": score.scored,
        "assessable": score.assessable,
        "domains": {d.domain_id: {"score": d.score, "status": d.status, "scored": d.scored, "assessable": d.assessable} for d in score.domains},
    }


def _shared_averages(rows: list[dict]) -> list[dict]:
    """Per type, the mean of the rows' shared-criteria figures, leaving out the same visits
    as the averages of their own scores (low coverage on their own checklist)."""
    by_type: dict[str, list[dict]] = {}
    for row in rows:
        if not row["low_coverage"]:
            by_type.setdefault(row["type"], []).append(row["shared"])
    out = []
    for type_, group in sorted(by_type.items()):
        scores = [g["score"] for g in group if g["score"] is not None]
        domains: dict[str, list[float]] = {}
        for g in group:
            for domain_id, d in g["domains"].items():
                if d["score"] is not None:
                    domains.setdefault(domain_id, []).append(d["score"])
        out.append(
            {
                "type": type_,
                "locations": len(group),
                "score": sum(scores) / len(scores) if scores else None,
                "domains": {k: {"domain_id": k, "score": sum(v) / len(v), "scored_locations": len(v)} for k, v in domains.items()},
            }
        )
    return out
