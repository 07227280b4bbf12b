"""Which visits and locations a filtered view covers: the WHERE clauses that the overview,
the monitor report, the exports and the overdue actions share, so they always count the
same visits. Each returns SQL fragments with their parameters.
"""

from __future__ import annotations

from checklist.core.access import Scope
from checklist.core.filters import Filters



def visit_conditions(scope: Scope, filters: Filters, alias: str = "v") -> tuple[list[str], list]:
    """Submitted visits the reader may see, of the filtered organisation and period."""
    visible, params = scope.where(alias)
    where = [f"{alias}.status = 'submitted'", visible]
    if filters.organisation_ids:
        where.append(f"{alias}.organisation_id in ({', '.join('?' for _ in filters.organisation_ids)})")
        params += list(filters.organisation_ids)
    if filters.since:
        where.append(f"{alias}.visit_date >= ?")
        params.append(filters.since.isoformat())
    if filters.until:
        where.append(f"{alias}.visit_date <= ?")
        params.append(filters.until.isoformat())
    return where, params


def low_coverage_sql(alias: str, min_coverage: float) -> tuple[str, list]:
    """1 when the visit scores row `alias` (visit_scores: scored, assessable) has low
    coverage, else 0: `core.scoring.low_coverage` in SQL, the one rule the overview and the
    monitor report leave visits out of their means by. `min_coverage` 0 turns it off."""
    return f"(? > 0 and ({alias}.assessable = 0 or {alias}.scored < ? * {alias}.assessable))", [min_coverage, min_coverage]


def location_conditions(filters: Filters, alias: str = "l") -> tuple[list[str], list]:
    """Locations of the filtered types, province and operator, open or closed."""
    where, params = [], []
    if filters.types:
        where.append(f"{alias}.type in ({', '.join('?' for _ in filters.types)})")
        params += list(filters.types)
    for column, values in (("province", filters.provinces), ("operator", filters.operators)):
        if values:
            where.append(f"{alias}.{column} in ({', '.join('?' for _ in values)})")
            params += list(values)
    if filters.closed == "open":
        where.append(f"{alias}.closed_on is null")
    elif filters.closed == "closed":
        where.append(f"{alias}.closed_on is not null")
    return where, params


def latest_visits_cte(scope: Scope, filters: Filters) -> tuple[str, list]:
    """`latest(visit_id, location_id, visit_date, organisation_id)`: one row per location."""
    visit_where, visit_params = visit_conditions(scope, filters)
    location_where, location_params = location_conditions(filters)
    sql = f"""
        latest as (
            select visit_id, location_id, visit_date, organisation_id from (
                select v.id as visit_id, v.location_id, v.visit_date, v.organisation_id,
                       row_number() over (partition by v.location_id order by v.visit_date desc, v.id desc) as n
                from visits v join locations l on l.id = v.location_id
                where {' and '.join(visit_where + location_where) or '1'}
            ) where n = 1
        )"""
    return sql, visit_params + location_params
