"""Aggregates for the monitor report, computed in SQL over the stored scores and results.

Every function takes `(db, scope, filters)` and covers the submitted visits that the
scope may read, with a visit date in the filters' period, at locations that match the
filters (the same conditions as the overview, `store.selection`). Results are counted in
SQL, never loaded into Python: visits are found through the (status, visit_date) index,
their results through the primary key (visit_id, criterion_id) of `answer_results`.

No answer is judged here: `answer_results` holds each answer's result as the visit's
score gave it at submission (`core.scoring`, with the bands of the visit's own criteria
version), so the report counts what the visit page shows.
"""

from __future__ import annotations

from typing import Mapping

from sqlite_utils import Database

from checklist.core.access import Scope
from checklist.core.evidence import TALLY_FIELDS
from checklist.core.filters import Filters
from checklist.store.selection import location_conditions
from checklist.store.selection import visit_conditions
from checklist.store.selection import latest_visits_cte
from checklist.store.selection import low_coverage_sql



def _period_cte(scope: Scope, filters: Filters) -> tuple[str, list]:
    """`period(visit_id, location_id, visit_date, organisation_id, criteria_hash, type, paired)`:
    every submitted visit in scope, period and filters. `paired` is 1 for a visit of a
    calibration pair whose other visit is in the period too: the pair is one observation
    (`core.observations`), so the sums below leave its visits out and the report adds the
    pair's observation (`period_pairs`, scored by the pair rule in Python). Materialized, so
    that `paired` is worked out once per visit, not once per answer joined to it."""
    visit_where, visit_params = visit_conditions(scope, filters)
    location_where, location_params = location_conditions(filters)
    partner_where, partner_params = visit_conditions(scope, filters, "w")
    sql = f"""
        period as materialized (
            select v.id as visit_id, v.location_id, v.visit_date, v.organisation_id, v.criteria_hash, l.type,
                   exists(select 1 from calibration_pairs cp
                          join visits w on w.id = case when cp.visit_a = v.id then cp.visit_b else cp.visit_a end
                          where (cp.visit_a = v.id or cp.visit_b = v.id) and {' and '.join(partner_where)}) as paired
            from visits v join locations l on l.id = v.location_id
            where {' and '.join(visit_where + location_where)}
        )"""
    return sql, partner_params + visit_params + location_params


def period_pairs(db: Database, scope: Scope, filters: Filters) -> list[dict]:
    """The calibration pairs both of whose visits are in the period: visit_a, visit_b (the
    `paired` visits of `_period_cte`, two by two)."""
    cte, params = _period_cte(scope, filters)
    return list(
        db.query(
            f"""with {cte}
                select cp.visit_a, cp.visit_b from calibration_pairs cp
                join period a on a.visit_id = cp.visit_a join period b on b.visit_id = cp.visit_b
                order by cp.id""",
            params,
        )
    )


def _scored_period(min_coverage: float) -> tuple[str, list]:
    """`scored(visit_id, location_id, visit_date, type, score, scored, assessable, low, paired,
    apart)`: the period's visits with their stored overall score and coverage; `low` is 1 for
    a visit whose coverage is below `min_coverage` (`store.selection.low_coverage_sql`, the
    rule the overview uses), which the means per type, their coverage and the trends leave
    out; `apart` is 1 when the sums leave the visit out: low, or one of a pair (whose
    observation the report adds)."""
    low, params = low_coverage_sql("s", min_coverage)
    params = params + params
    sql = f"""
        scored as (
            select p.visit_id, p.location_id, p.visit_date, p.type, s.score, s.scored, s.assessable,
                   coalesce({low}, 0) as low, p.paired, (coalesce({low}, 0) or p.paired) as apart
            from period p left join visit_scores s on s.visit_id = p.visit_id
        )"""
    return sql, params


def period_summary(db: Database, scope: Scope, filters: Filters) -> dict:
    """Locations with a submitted visit, submitted visits, the calibration pairs among them
    (both visits in the period), visiting organisations, first and last date."""
    cte, params = _period_cte(scope, filters)
    return list(
        db.query(
            f"""with {cte}
                select count(distinct location_id) as locations, count(*) as visits,
                       coalesce(sum(paired), 0) / 2 as pairs,
                       count(distinct organisation_id) as organisations,
                       min(visit_date) as first_date, max(visit_date) as last_date
                from period""",
            params,
        )
    )[0]


def report_locations(db: Database, scope: Scope, filters: Filters) -> list[dict]:
    """Each location with a visit in the period (by id): its visits and its latest visit's score."""
    cte, params = _period_cte(scope, filters)
    latest, latest_params = latest_visits_cte(scope, filters)
    return list(
        db.query(
            f"""with {cte}, {latest},
                counted as (select location_id, count(*) as visits from period group by location_id)
                select l.id, l.name, l.type, l.municipality, l.province, l.operator, l.closed_on,
                       counted.visits, latest.visit_id as latest_visit_id, latest.visit_date as latest_date,
                       s.score, s.status, s.red_flags, s.unassessed_flags, s.scored, s.assessable
                from counted
                join locations l on l.id = counted.location_id
                join latest on latest.location_id = counted.location_id
                left join visit_scores s on s.visit_id = latest.visit_id
                order by l.id""",
            params + latest_params,
        )
    )


def type_domain_means(db: Database, scope: Scope, filters: Filters, min_coverage: float = 0.0) -> list[dict]:
    """Per location type: locations, visits, and the mean overall and domain scores over ALL
    submitted visits in the period (each visit counts once; visits without a score for a
    domain are left out of that domain's mean).

    A visit with low coverage (below `min_coverage`, see `_scored_period`) is left out of
    everything here and counted in `left_out`; `locations` are those in the means. The
    visits of calibration pairs are left out of `visits` and the sums: the report adds each
    pair as one observation. Sums and counts come back with the means, so a mean over several types (the "all
    types" column) is exact: sum of sums / sum of counts; so do the scored and assessable
    criteria, for the coverage beside each mean.
    """
    cte, params = _period_cte(scope, filters)
    scored, scored_params = _scored_period(min_coverage)
    rows = {
        r["type"]: dict(r, domains={})
        for r in db.query(
            f"""with {cte}, {scored}
                select type, count(distinct case when low then null else location_id end) as locations,
                       count(*) - sum(apart) as visits, sum(low) as left_out,
                       sum(case when apart then null else score end) as score_sum,
                       count(case when apart then null else score end) as scored_visits,
                       coalesce(sum(case when apart then 0 else scored end), 0) as scored,
                       coalesce(sum(case when apart then 0 else assessable end), 0) as assessable
                from scored
                group by type""",
            params + scored_params,
        )
    }
    for r in db.query(
        f"""with {cte}, {scored}
            select p.type, d.domain_id, sum(d.score) as score_sum, count(d.score) as scored_visits,
                   sum(d.scored) as scored, sum(d.assessable) as assessable
            from scored p join visit_domain_scores d on d.visit_id = p.visit_id
            where not p.apart
            group by p.type, d.domain_id""",
        params + scored_params,
    ):
        rows[r["type"]]["domains"][r["domain_id"]] = {
            "score": r["score_sum"] / r["scored_visits"] if r["scored_visits"] else None,
            "score_sum": r["score_sum"] or 0.0,
            "scored_visits": r["scored_visits"],
            "scored": r["scored"] or 0,
            "assessable": r["assessable"] or 0,
        }
    for row in rows.values():
        row["score"] = row["score_sum"] / row["scored_visits"] if row["scored_visits"] else None
    return sorted(rows.values(), key=lambda r: r["type"])


def _renamed(column: str, rename: Mapping[str, str] | None) -> tuple[str, list]:
    """`column`, or a CASE that gives renamed ids (old id -> current id) their new id."""
    if not rename:
        return column, []
    whens = " ".join("when ? then ?" for _ in rename)
    return f"case {column} {whens} else {column} end", [x for pair in rename.items() for x in pair]


def type_domain_means_on(
    db: Database,
    scope: Scope,
    filters: Filters,
    criterion_ids: list[str],
    domain_weights: Mapping[str, float],
    min_coverage: float = 0.0,
) -> list[dict]:
    """`type_domain_means` with every visit scored on `criterion_ids` only (the criteria
    that visits made with different criteria versions share): per visit and domain
    sum(weight x points) / sum(weight) of the stored results, overall the mean of those by
    `domain_weights` (1 for a domain not named). Every visit in the period is counted, except
    those of low coverage on their own checklist (`_scored_period`), counted in `left_out`,
    and those of calibration pairs (added by the report as one observation each)."""
    cte, params = _period_cte(scope, filters)
    scored, scored_params = _scored_period(min_coverage)
    marks = ", ".join("?" for _ in criterion_ids) or "null"
    weight = f"case domain_id {' '.join('when ? then ?' for _ in domain_weights)} else 1.0 end" if domain_weights else "1.0"
    weight_params = [x for domain_id, w in domain_weights.items() for x in (domain_id, float(w))]
    domain_sql = f"""
        dom as (
            select p.visit_id, p.type, r.domain_id,
                   100.0 * sum(r.weight * r.points) / sum(r.weight) as score
            from scored p join answer_results r on r.visit_id = p.visit_id
            where not p.apart and r.points is not null and r.criterion_id in ({marks})
            group by p.visit_id, r.domain_id
        )"""
    dom_params = list(criterion_ids)
    rows = {
        r["type"]: dict(r, domains={})
        for r in db.query(
            f"""with {cte}, {scored}, {domain_sql},
                vis as (select visit_id, sum(w * score) / sum(w) as score
                        from (select visit_id, score, {weight} as w from dom) group by visit_id)
                select p.type, count(distinct case when p.low then null else p.location_id end) as locations,
                       count(*) - sum(p.apart) as visits, sum(p.low) as left_out,
                       sum(vis.score) as score_sum, count(vis.score) as scored_visits
                from scored p left join vis on vis.visit_id = p.visit_id
                group by p.type""",
            params + scored_params + dom_params + weight_params,
        )
    }
    for r in db.query(
        f"""with {cte}, {scored}, {domain_sql}
            select type, domain_id, sum(score) as score_sum, count(score) as scored_visits
            from dom group by type, domain_id""",
        params + scored_params + dom_params,
    ):
        rows[r["type"]]["domains"][r["domain_id"]] = {
            "score": r["score_sum"] / r["scored_visits"] if r["scored_visits"] else None,
            "score_sum": r["score_sum"] or 0.0,
            "scored_visits": r["scored_visits"],
        }
    for row in rows.values():
        row["score"] = row["score_sum"] / row["scored_visits"] if row["scored_visits"] else None
    return sorted(rows.values(), key=lambda r: r["type"])


def criterion_tallies(db: Database, scope: Scope, filters: Filters, rename: Mapping[str, str] | None = None) -> list[dict]:
    """Per criterion answered in the period, over all its visits, from the results stored at
    submission (`answer_results`): meets, partly, fails, assessed (the three together), red
    flags (critical and not met), and the locations where it failed and where it was
    assessed. One pass over the results for both the most-failed list and the reading by
    the coalition's points (each pass is most of a ten-year report's time). `rename` (old
    id -> current id, from `replaces:`) counts a criterion and the ones it replaces as one.
    The counts per result leave out the visits of calibration pairs (the report adds each
    pair's results as one observation); the locations count every visit (a pair fails a
    criterion where one of its visits did). Ordered by criterion id."""
    cte, params = _period_cte(scope, filters)
    criterion, rename_params = _renamed("r.criterion_id", rename)
    return list(
        db.query(
            # Per (criterion, location) first, then per criterion: the locations are counted
            # from some 30,000 groups instead of two distinct counts over every result
            # (1.7 s against 3.2 s on ten years of 300 locations).
            f"""with {cte}
                select criterion_id,
                       sum(meets) as meets, sum(partly) as partly, sum(fails) as fails, sum(fails) as failed,
                       sum(assessed) as assessed, sum(red_flags) as red_flags,
                       sum(any_fails > 0) as failed_locations, sum(any_assessed > 0) as assessed_locations
                from (
                    select {criterion} as criterion_id, v.location_id,
                           sum(not v.paired and r.result = 'meets') as meets, sum(not v.paired and r.result = 'partly') as partly,
                           sum(not v.paired and r.result = 'fails') as fails,
                           sum(not v.paired and r.result in ('meets', 'partly', 'fails')) as assessed,
                           sum(not v.paired and r.critical = 1 and r.result = 'fails') as red_flags,
                           sum(r.result = 'fails') as any_fails, sum(r.result in ('meets', 'partly', 'fails')) as any_assessed
                    from period v join answer_results r on r.visit_id = v.visit_id
                    group by 1, v.location_id
                )
                group by criterion_id
                order by criterion_id""",
            params + rename_params,
        )
    )


def most_failed(tallies: list[dict]) -> list[dict]:
    """The criteria not met at least once, most failed first (then by share, then by id)."""
    failed = [row for row in tallies if row["failed"]]
    return sorted(failed, key=lambda r: (-r["failed"], -r["failed"] / r["assessed"], r["criterion_id"]))


def most_failed_criteria(db: Database, scope: Scope, filters: Filters, rename: Mapping[str, str] | None = None) -> list[dict]:
    """Per criterion that was not met at least once: visits where it failed, visits where
    it was assessed (a result of meets, partly or fails), and the locations concerned.
    Most failed first (`criterion_tallies`, filtered)."""
    return most_failed(criterion_tallies(db, scope, filters, rename))


def critical_by_location(db: Database, scope: Scope, filters: Filters, result: str) -> list[dict]:
    """Critical criteria with this result ('fails': red flags; 'unknown': not assessed) at
    each location's latest submitted visit in the period: one row per (location,
    criterion), from the results stored at submission."""
    latest, params = latest_visits_cte(scope, filters)
    return list(
        db.query(
            f"""with {latest}
                select latest.location_id, latest.visit_id, latest.visit_date, r.criterion_id
                from latest
                join answer_results r on r.visit_id = latest.visit_id
                where r.critical = 1 and r.result = ?
                order by latest.location_id, r.criterion_id""",
            params + [result],
        )
    )


def red_flags_by_location(db: Database, scope: Scope, filters: Filters) -> list[dict]:
    """Critical criteria not met at each location's latest submitted visit in the period."""
    return critical_by_location(db, scope, filters, "fails")


def unassessed_by_location(db: Database, scope: Scope, filters: Filters) -> list[dict]:
    """Critical criteria answered "could not assess" at each location's latest visit."""
    return critical_by_location(db, scope, filters, "unknown")


def evidence_counts(db: Database, scope: Scope, filters: Filters) -> dict:
    """What the answers of all submitted visits in the period rest on.

    Sums the tallies kept per visit at submission (`visit_evidence`, from
    `checklist.core.evidence.tally`): the answers with a stored result, per evidence type
    (an answer counting once under each type ticked), `none`: answers without any evidence
    recorded, and for "children said" and "parents said" the number of children and
    parents spoken with (`children_people`, `parents_people`)."""
    cte, params = _period_cte(scope, filters)
    columns = ", ".join(f'coalesce(sum(e."{field}"), 0) as "{field}"' for field in TALLY_FIELDS)
    return list(db.query(f"with {cte} select {columns} from period p join visit_evidence e on e.visit_id = p.visit_id", params))[0]


def type_trends(db: Database, scope: Scope, filters: Filters, min_coverage: float = 0.0) -> list[dict]:
    """Mean overall score of the submitted visits per location type per calendar quarter,
    without the visits of low coverage (`_scored_period`), counted in `left_out`, and
    without those of calibration pairs (the report adds each pair as one observation)."""
    cte, params = _period_cte(scope, filters)
    scored, scored_params = _scored_period(min_coverage)
    return list(
        db.query(
            f"""with {cte}, {scored}
                select type, cast(substr(visit_date, 1, 4) as integer) as year,
                       (cast(substr(visit_date, 6, 2) as integer) + 2) / 3 as quarter,
                       avg(case when apart then null else score end) as score,
                       coalesce(sum(case when apart then null else score end), 0) as score_sum,
                       count(case when apart then null else score end) as visits, sum(low) as left_out,
                       sum(case when apart then 0 else scored end) as scored,
                       sum(case when apart then 0 else assessable end) as assessable
                from scored
                where assessable is not null
                group by type, year, quarter
                order by year, quarter, type""",
            params + scored_params,
        )
    )


def domain_trends(db: Database, scope: Scope, filters: Filters, min_coverage: float = 0.0) -> list[dict]:
    """Per domain and calendar quarter, over every type of location: the sum and number of
    the domain scores of the submitted visits, left out as in `type_trends`."""
    cte, params = _period_cte(scope, filters)
    scored, scored_params = _scored_period(min_coverage)
    return list(
        db.query(
            f"""with {cte}, {scored}
                select d.domain_id, cast(substr(p.visit_date, 1, 4) as integer) as year,
                       (cast(substr(p.visit_date, 6, 2) as integer) + 2) / 3 as quarter,
                       coalesce(sum(d.score), 0) as score_sum, count(d.score) as visits
                from scored p join visit_domain_scores d on d.visit_id = p.visit_id
                where not p.apart
                group by d.domain_id, year, quarter
                order by year, quarter, d.domain_id""",
            params + scored_params,
        )
    )


def voices_by_domain(db: Database, scope: Scope, filters: Filters, per_domain: int = 8) -> list[dict]:
    """What children said in the period: per domain the most recent `per_domain`
    statements (text, age band, location type) and the domain's total. No location."""
    cte, params = _period_cte(scope, filters)
    return list(
        db.query(
            f"""with {cte}
                select domain_id, age_band, text, type, visit_date, total from (
                    select c.domain_id, c.age_band, c.text, p.type, p.visit_date,
                           row_number() over (partition by c.domain_id order by p.visit_date desc, c.id desc) as n,
                           count(*) over (partition by c.domain_id) as total
                    from period p join child_voices c on c.visit_id = p.visit_id
                )
                where n <= ?
                order by domain_id, n""",
            params + [per_domain],
        )
    )


def criteria_versions_used(db: Database, scope: Scope, filters: Filters) -> list[dict]:
    """The criteria versions the visits were made with: version, hash, visits, first and last date."""
    cte, params = _period_cte(scope, filters)
    return list(
        db.query(
            f"""with {cte}
                select p.criteria_hash as hash, cv.version, count(*) as visits,
                       min(p.visit_date) as first_date, max(p.visit_date) as last_date
                from period p join criteria_versions cv on cv.hash = p.criteria_hash
                group by p.criteria_hash, cv.version
                order by first_date, cv.version""",
            params,
        )
    )


def identifying_terms(db: Database) -> list[str]:
    """Every registered location's name, municipality, province and operator: the words an
    anonymised report removes from free text (children's statements)."""
    return [
        r["term"]
        for r in db.query(
            """select distinct term from (
                   select name as term from locations union select municipality from locations
                   union select province from locations union select operator from locations
               ) where term is not null and length(trim(term)) >= 3
               order by length(term) desc, term"""
        )
    ]
