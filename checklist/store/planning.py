"""The planning page's rows: every open location where children live, with its last
submitted visit that the reader may see (`core.planning` orders them)."""

from __future__ import annotations

from sqlite_utils import Database

from checklist.core.access import Scope


def planning_rows(db: Database, scope: Scope) -> list[dict]:
    """Open locations with children (or an unknown number), with the date, criteria version
    and unaccompanied minors of their last submitted visit in `scope` (None: never)."""
    visible, params = scope.where("v")
    return list(
        db.query(
            f"""with latest as (
                    select v.location_id, v.visit_date, v.amv_resident, cv.version,
                           row_number() over (partition by v.location_id order by v.visit_date desc, v.id desc) as n
                    from visits v join criteria_versions cv on cv.hash = v.criteria_hash
                    where v.status = 'submitted' and {visible}
                )
                select l.id, l.name, l.type, l.municipality, l.province, l.operator, l.children,
                       latest.visit_date as last_visit, latest.version as criteria_version, latest.amv_resident
                from locations l left join latest on latest.location_id = l.id and latest.n = 1
                where l.closed_on is null and (l.children is null or l.children > 0)""",
            params,
        )
    )
