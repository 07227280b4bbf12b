"""Comparisons across locations, computed in SQL over the stored scores and indexes.

The latest submitted visit per location (within the period and the reader's scope) is
chosen with a window function over the (location_id, status, visit_date) index; domain
scores come from `visit_domain_scores`, never from loading answers into Python.
"""

from __future__ import annotations

from sqlite_utils import Database

from checklist.core.access import Scope
from checklist.core.filters import Filters
from checklist.store.selection import latest_visits_cte
from checklist.store.selection import location_conditions
from checklist.store.selection import low_coverage_sql



def heatmap(db: Database, scope: Scope, filters: Filters) -> list[dict]:
    """One row per location: its latest submitted visit, overall score and domain scores."""
    cte, params = latest_visits_cte(scope, filters)
    rows = list(
        db.query(
            f"""with {cte}
                select l.id as location_id, l.name, l.type, l.municipality, l.province, l.operator, l.closed_on,
                       latest.visit_id, latest.visit_date, o.name as organisation,
                       s.score, s.status, s.scored, s.assessable, s.red_flags, s.unassessed_flags, v.criteria_hash
                from latest
                join locations l on l.id = latest.location_id
                join organisations o on o.id = latest.organisation_id
                join visit_scores s on s.visit_id = latest.visit_id
                join visits v on v.id = latest.visit_id""",
            params,
        )
    )
    domains: dict[int, dict] = {}
    for d in db.query(
        f"""with {cte}
            select d.visit_id, d.domain_id, d.score, d.status, d.scored, d.assessable, d.red_flags, d.unassessed_flags
            from latest join visit_domain_scores d on d.visit_id = latest.visit_id""",
        params,
    ):
        domains.setdefault(d["visit_id"], {})[d["domain_id"]] = d
    for row in rows:
        row["domains"] = domains.get(row["visit_id"], {})
    return rows


def latest_results(db: Database, scope: Scope, filters: Filters) -> dict[int, dict[str, dict]]:
    """The stored results (`answer_results`) of each location's latest visit: visit id ->
    criterion id -> {result, points}. Read only when the visits were made with different
    criteria versions, to compare them on the criteria they share."""
    cte, params = latest_visits_cte(scope, filters)
    out: dict[int, dict[str, dict]] = {}
    for r in db.query(
        f"""with {cte}
            select r.visit_id, r.criterion_id, r.result, r.points
            from latest join answer_results r on r.visit_id = latest.visit_id""",
        params,
    ):
        out.setdefault(r["visit_id"], {})[r["criterion_id"]] = {"result": r["result"], "points": r["points"]}
    return out


def type_averages(db: Database, scope: Scope, filters: Filters, min_coverage: float = 0.0) -> list[dict]:
    """Per location type: number of locations, mean overall score, mean score per domain.

    A latest visit with low coverage (`core.scoring.low_coverage` below `min_coverage`) is
    left out of the means and the coverage sums and counted in `left_out`; `locations`
    counts the visits in the means. `min_coverage` 0 leaves nothing out."""
    cte, params = latest_visits_cte(scope, filters)
    low, low_params = low_coverage_sql("s", min_coverage)
    overall = {
        r["type"]: r
        for r in db.query(
            f"""with {cte}
                select type, count(*) - sum(low) as locations, sum(low) as left_out,
                       avg(case when low then null else score end) as score, sum(red_flags) as red_flags,
                       sum(unassessed_flags) as unassessed_flags,
                       sum(case when low then 0 else scored end) as scored, sum(case when low then 0 else assessable end) as assessable
                from (select l.type, s.score, s.red_flags, s.unassessed_flags, s.scored, s.assessable, {low} as low
                      from latest join locations l on l.id = latest.location_id join visit_scores s on s.visit_id = latest.visit_id)
                group by type""",
            params + low_params,
        )
    }
    for r in db.query(
        f"""with {cte}
            select l.type, d.domain_id, avg(d.score) as score, count(d.score) as scored_locations
            from latest join locations l on l.id = latest.location_id join visit_domain_scores d on d.visit_id = latest.visit_id
                 join visit_scores s on s.visit_id = latest.visit_id
            where not {low}
            group by l.type, d.domain_id""",
        params + low_params,
    ):
        overall[r["type"]].setdefault("domains", {})[r["domain_id"]] = r
    return sorted(overall.values(), key=lambda r: r["type"])


def not_visited(db: Database, scope: Scope, filters: Filters, before: str) -> list[dict]:
    """Locations (matching the filters) whose latest visible submitted visit is before `before`, or none."""
    visible, visible_params = scope.where("v")
    location_where, location_params = location_conditions(filters)
    return list(
        db.query(
            f"""select l.id, l.name, l.type, l.province,
                       (select max(v.visit_date) from visits v where v.location_id = l.id and v.status = 'submitted' and {visible}) as last_visit
                from locations l
                where {' and '.join(location_where) or '1'}
                  and coalesce((select max(v.visit_date) from visits v where v.location_id = l.id and v.status = 'submitted' and {visible}), '') < ?
                order by last_visit, l.name""",
            visible_params + location_params + visible_params + [before],
        )
    )


def location_trend(db: Database, location_id: int, scope: Scope) -> list[dict]:
    """A location's submitted visits, oldest first, with overall and per-domain scores."""
    visible, params = scope.where("v")
    visits = list(
        db.query(
            f"""select v.id as visit_id, v.visit_date, v.criteria_hash, s.score, s.status, s.red_flags, s.unassessed_flags, s.scored, s.assessable
                from visits v join visit_scores s on s.visit_id = v.id
                where v.location_id = ? and v.status = 'submitted' and {visible}
                order by v.visit_date, v.id""",
            [location_id, *params],
        )
    )
    by_visit = {v["visit_id"]: v for v in visits}
    for v in visits:
        v["domains"] = {}
    if visits:
        marks = ", ".join("?" for _ in visits)
        for d in db.query(f"select * from visit_domain_scores where visit_id in ({marks})", list(by_visit)):
            by_visit[d["visit_id"]]["domains"][d["domain_id"]] = d
    return visits
