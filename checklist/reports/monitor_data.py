"""The data of the monitor (aggregate) report, gathered once through the store.

`monitor_report_data` turns the SQL aggregates of `store.reports` into a `MonitorReport`:
texts looked up in the criteria (the versions the visits were made with), location
types in the criteria's order, and locations either named or anonymised. When
anonymised, no name, municipality, province or operator of a location is put into the
report object at all, so no part of the PDF can show one.
"""

from __future__ import annotations

import re
from typing import Iterable

from sqlite_utils import Database

from checklist import store
from checklist.core.access import Scope
from checklist.core.criteria import Criteria
from checklist.core.criteria import Criterion
from checklist.core.filters import Filters
from checklist.core.i18n import translations_for
from checklist.reports.method import records_thresholds
from checklist.reports.method import working_threshold_entries
from checklist.reports.monitor.context import MonitorReport
from checklist.reports.comparable import lineage_for
from checklist.reports.follow_up import reply_summary
from checklist.core.lineage import common_keys
from checklist.core.scoring import low_coverage
from checklist.reports.monitor_pairs import add_to_domain_trends
from checklist.reports.monitor_pairs import add_to_means
from checklist.reports.monitor_pairs import add_to_tallies
from checklist.reports.monitor_pairs import add_to_type_trends
from checklist.reports.monitor_pairs import period_pair_observations
from checklist.reports.monitor_pairs import shared_rescorer

VOICES_PER_DOMAIN = 8
FAILED_SHOWN = 20
REDACTED = "[…]"
# Words of location names that say what kind of place it is, not which one; kept in
# children's statements of an anonymised report (with the words of the type labels).
GENERIC_WORDS = (
    "azc", "opvang", "locatie", "noodopvang", "crisisnoodopvang", "gezinslocatie", "woongroep", "jongerenunit",
    "kleinschalige", "woonvoorziening", "tijdelijk", "tijdelijke", "gemeente", "stichting", "centrum", "paviljoen",
)


def monitor_report_data(
    db: Database,
    scope: Scope,
    filters: Filters,
    criteria: Criteria,
    lang: str,
    anonymise: bool,
    generated_at: str,
    min_coverage: float = 0.0,
) -> MonitorReport:
    """Everything the monitor report shows, for the visits `scope` may read within `filters`.

    Visits whose coverage is below `min_coverage` (the app's `LOW_COVERAGE`; the overview's
    rule, `store.selection.low_coverage_sql`) are left out of the means per type, the key
    figure and the trends, and counted; every other section counts them."""
    _ = translations_for(lang).gettext
    versions = store.criteria_versions_used(db, scope, filters)
    used = [store.criteria_for_hash(db, v["hash"]) for v in versions]
    lookup = _Lookup(criteria, used, lang)
    lineage = lineage_for(db, criteria)
    pairs = period_pair_observations(db, scope, filters, min_coverage)  # each counted once
    means = store.type_domain_means(db, scope, filters, min_coverage)  # the visits' own scores
    add_to_means(means, pairs)
    common, shared_means = None, None
    if len(used) > 1:
        # Visits made with different checklists: beside the means of their own scores, the
        # means on what the versions share, labelled as such.
        shared = common_keys(used, lineage)
        common = len(shared)
        ids = sorted({c.id for version in used for d in version.domains for c in d.criteria if lineage.key(c.id) in shared})
        weights = {d.id: d.weight for version in reversed([criteria, *used]) for d in version.domains}
        shared_means = store.type_domain_means_on(db, scope, filters, ids, weights, min_coverage)
        add_to_means(shared_means, pairs, shared_rescorer(lambda cid: lineage.key(cid) in shared), coverage=False)
    located = store.report_locations(db, scope, filters)
    partners = store.complete_partners(db, (loc["latest_visit_id"] for loc in located), scope)
    labels = {loc["id"]: loc["name"] for loc in located}
    if anonymise:
        labels = {loc["id"]: _("Location %(letter)s") % {"letter": letters(i)} for i, loc in enumerate(located)}
    types, all_types = _type_rows(means, criteria, lang, shared_means)
    results = store.criterion_tallies(db, scope, filters, lineage.renamed())
    add_to_tallies(results, pairs, lineage.renamed())
    failed = store.most_failed(results)
    coalition, unmapped = _coalition(results, lookup)
    trends = add_to_type_trends(store.type_trends(db, scope, filters, min_coverage), pairs)
    return MonitorReport(
        criteria=criteria,
        lang=lang,
        filters=filters,
        anonymised=anonymise,
        organisation_scope=_organisation_names(db, (scope.organisation_id,) if scope.organisation_id is not None else ()),
        organisation_filter=_organisation_names(db, filters.organisation_ids),
        generated_at=generated_at,
        summary=store.period_summary(db, scope, filters),
        types=types,
        all_types=all_types,
        domains=lookup.domains({d for row in types for d in row["domains"]}),
        locations=[_location(loc, labels[loc["id"]], anonymise, criteria, lang, min_coverage, partners.get(loc["latest_visit_id"])) for loc in located],
        failed=[_failed(row, lookup) for row in failed[:FAILED_SHOWN]],
        failed_by_domain=_most_failed_per_domain(failed, lookup),
        failed_count=len(failed),
        red_flags=_red_flags(store.red_flags_by_location(db, scope, filters), located, labels, lookup, criteria, lang),
        trends=[dict(r, label=criteria.location_type_label(r["type"], lang)) for r in trends],
        domain_trends=add_to_domain_trends(store.domain_trends(db, scope, filters, min_coverage), pairs),
        voices=_voices(
            store.voices_by_domain(db, scope, filters, VOICES_PER_DOMAIN),
            lookup,
            criteria,
            lang,
            _redactor(store.identifying_terms(db), criteria) if anonymise else None,
        ),
        voices_per_domain=VOICES_PER_DOMAIN,
        versions=versions,
        coalition=coalition,
        coalition_unmapped=unmapped,
        working_thresholds=_working_thresholds(results, used, lang),
        common_criteria=common,
        unassessed=_red_flags(store.unassessed_by_location(db, scope, filters), located, labels, lookup, criteria, lang),
        evidence=store.evidence_counts(db, scope, filters),
        low_coverage=min_coverage,
        left_out=all_types["left_out"],
        replies=reply_summary(store.report_findings(db, scope, filters)),
    )


def letters(index: int) -> str:
    """A, B, ..., Z, AA, AB, ...: the pseudonym of the index-th location."""
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(ord("A") + rest) + out
    return out


class _Lookup:
    """Domain titles and criteria from today's file, else from the versions the visits used."""

    def __init__(self, criteria: Criteria, versions: Iterable[Criteria], lang: str):
        self.files = [criteria, *versions]
        self.lang = lang

    def criterion(self, criterion_id: str) -> Criterion | None:
        return next((c for f in self.files if (c := f.criterion(criterion_id)) is not None), None)

    def domain_title(self, domain_id: str | None) -> str | None:
        if not domain_id:
            return None
        domain = next((d for f in self.files if (d := f.domain(domain_id)) is not None), None)
        return domain.title.get(self.lang) if domain else domain_id

    def domains(self, present: set[str]) -> list[tuple[str, str]]:
        """(id, title) of the domains present, in the order of today's file, retired ones last."""
        order = [d.id for f in self.files for d in f.domains]
        ranked = sorted(present, key=lambda d: (order.index(d) if d in order else len(order), d))
        return [(d, self.domain_title(d)) for d in ranked]


def _organisation_names(db: Database, organisation_ids: tuple[int, ...]) -> str | None:
    if not organisation_ids:
        return None
    names = {r["id"]: r["name"] for r in db.query("select id, name from organisations")}
    return ", ".join(names.get(i, str(i)) for i in organisation_ids)


def _type_rows(rows: list[dict], criteria: Criteria, lang: str, shared: list[dict] | None = None) -> tuple[list[dict], dict]:
    """Types in the criteria's order (unknown ones last), and the row over all types, each
    with its pooled coverage (scored / assessable over its observations) beside the means.
    With `shared` (the means on the criteria several versions share), each row and the
    total also carry those as `shared` ({score, domains {id: {score}}}), beside their own."""
    order = [t.id for t in criteria.location_types]
    rows = sorted(rows, key=lambda r: (order.index(r["type"]) if r["type"] in order else len(order), r["type"]))
    for row in rows:
        row["label"] = criteria.location_type_label(row["type"], lang)
    total = {
        "type": None,
        "locations": sum(r["locations"] for r in rows),
        "visits": sum(r["visits"] for r in rows),
        "left_out": sum(r.get("left_out") or 0 for r in rows),
        "score_sum": sum(r["score_sum"] or 0 for r in rows),
        "scored_visits": sum(r["scored_visits"] for r in rows),
        "scored": sum(r.get("scored", 0) for r in rows),
        "assessable": sum(r.get("assessable", 0) for r in rows),
        "domains": {},
    }
    total["score"] = total["score_sum"] / total["scored_visits"] if total["scored_visits"] else None
    for row in rows:
        for domain_id, d in row["domains"].items():
            acc = total["domains"].setdefault(domain_id, {"score_sum": 0.0, "scored_visits": 0, "scored": 0, "assessable": 0})
            acc["score_sum"] += d["score_sum"]
            acc["scored_visits"] += d["scored_visits"]
            acc["scored"] += d.get("scored", 0)
            acc["assessable"] += d.get("assessable", 0)
    for acc in total["domains"].values():
        acc["score"] = acc["score_sum"] / acc["scored_visits"] if acc["scored_visits"] else None
    if shared is not None:
        by_type = {r["type"]: r for r in shared}
        for row in rows:
            row["shared"] = _means_of([by_type[row["type"]]] if row["type"] in by_type else [])
        total["shared"] = _means_of(shared)
    return rows, total


def _means_of(rows: list[dict]) -> dict:
    """The mean overall and per domain score over these rows of sums."""
    sums, count, domains = sum(r["score_sum"] or 0 for r in rows), sum(r["scored_visits"] for r in rows), {}
    for row in rows:
        for domain_id, d in row["domains"].items():
            acc = domains.setdefault(domain_id, [0.0, 0])
            acc[0] += d["score_sum"] or 0
            acc[1] += d["scored_visits"]
    return {"score": sums / count if count else None, "domains": {k: {"score": v[0] / v[1] if v[1] else None} for k, v in domains.items()}}


def _location(row: dict, label: str, anonymise: bool, criteria: Criteria, lang: str, min_coverage: float = 0.0, partner: dict | None = None) -> dict:
    out = {
        # Its latest visit is one of a calibration pair: the other visit's date and score.
        "pair": {"visit_date": partner["visit_date"], "score": partner["score"]} if partner else None,
        "label": label,
        "type": row["type"],
        "type_label": criteria.location_type_label(row["type"], lang),
        "visits": row["visits"],
        "latest_date": row["latest_date"],
        "score": row["score"],
        "status": row["status"] or "none",
        "red_flags": row["red_flags"] or 0,
        "unassessed_flags": row["unassessed_flags"] or 0,
        "scored": row["scored"],
        "assessable": row["assessable"],
        # Its latest visit's coverage is low: marked, as in the overview.
        "low_coverage": row["assessable"] is not None and low_coverage(row["scored"] or 0, row["assessable"], min_coverage),
    }
    if not anonymise:
        out.update({key: row[key] for key in ("municipality", "province", "operator", "closed_on")})
    return out


def _failed(row: dict, lookup: _Lookup) -> dict:
    criterion = lookup.criterion(row["criterion_id"])
    domain_id = row["criterion_id"].split(".")[0]
    return dict(
        row,
        text=criterion.text.get(lookup.lang) if criterion else row["criterion_id"],
        domain_id=domain_id,
        domain=lookup.domain_title(domain_id),
        critical=bool(criterion and criterion.critical),
        crc=tuple(criterion.anchors.crc) if criterion else (),
        rcd_2013=tuple(criterion.anchors.rcd_2013) if criterion else (),
        rcd_2024=tuple(criterion.anchors.rcd_2024) if criterion else (),
    )


def _most_failed_per_domain(failed: list[dict], lookup: _Lookup) -> dict[str, dict]:
    """Per domain, the first of `failed` (most failed first) in it."""
    out: dict[str, dict] = {}
    for row in failed:
        out.setdefault(row["criterion_id"].split(".")[0], row)
    return {domain_id: _failed(row, lookup) for domain_id, row in out.items()}


def _red_flags(rows, located, labels, lookup: _Lookup, criteria: Criteria, lang: str) -> list[dict]:
    """Per location with a red flag (or an unassessed flag) at its latest visit: label, type, date and the criteria."""
    by_id = {loc["id"]: loc for loc in located}
    out: dict[int, dict] = {}
    for row in rows:
        loc = by_id.get(row["location_id"])
        if loc is None:
            continue
        entry = out.setdefault(
            row["location_id"],
            {
                "label": labels[row["location_id"]],
                "type_label": criteria.location_type_label(loc["type"], lang),
                "visit_date": row["visit_date"],
                "criteria": [],
            },
        )
        criterion = lookup.criterion(row["criterion_id"])
        entry["criteria"].append(
            {
                "criterion_id": row["criterion_id"],
                "text": criterion.text.get(lang) if criterion else row["criterion_id"],
                "domain": lookup.domain_title(row["criterion_id"].split(".")[0]),
            }
        )
    position = {location_id: i for i, location_id in enumerate(by_id)}
    ranked = sorted(out.items(), key=lambda item: (-len(item[1]["criteria"]), position[item[0]]))
    return [entry for _id, entry in ranked]


def _voices(rows, lookup: _Lookup, criteria: Criteria, lang: str, redact) -> list[dict]:
    """Statements grouped by domain (in the criteria's order; without a domain last)."""
    groups: dict = {}
    for row in rows:
        group = groups.setdefault(row["domain_id"], {"domain_id": row["domain_id"], "total": row["total"], "items": []})
        text = redact(row["text"]) if redact else row["text"]
        group["items"].append(
            {
                "text": text,
                "age_band": row["age_band"],
                "type_label": criteria.location_type_label(row["type"], lang),
                "visit_date": row["visit_date"],
            }
        )
    ranked = [domain_id for domain_id, _title in lookup.domains({g for g in groups if g})]
    out = [groups[d] for d in ranked]
    if None in groups:
        out.append(groups[None])
    for group in out:
        group["title"] = lookup.domain_title(group["domain_id"])
    return out


def _redactor(terms: list[str], criteria: Criteria):
    """Replace identifying words (any case) with a mark: every location's full name,
    municipality, province and operator, and each distinctive word of them ("Zonnedauw"
    of "Azc Zonnedauw"); words that only say what kind of place it is stay."""
    generic = set(GENERIC_WORDS)
    for t in criteria.location_types:
        generic.update(w.lower() for lang in ("nl", "en") for w in re.findall(r"\w+", t.label.get(lang)))
    words = {w for term in terms for w in re.findall(r"\w+", term) if len(w) >= 4 and w.lower() not in generic}
    parts = sorted({t.strip() for t in terms} | words, key=lambda t: (-len(t), t))
    if not parts:
        return lambda text: text
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in parts) + r")(?!\w)", re.IGNORECASE)
    return lambda text: pattern.sub(REDACTED, text or "")


RESULT_COUNTS = ("assessed", "meets", "partly", "fails", "red_flags")


def _coalition(results: list[dict], lookup: _Lookup) -> tuple[list[dict], dict | None]:
    """The results read along the coalition's own lists (from today's file, else the
    visits' versions): per point, the criteria assessed in the period that serve it
    (`Criterion.coalition`, looked up like every text of the report) with their results
    and red flags added up; a criterion serving two points counts in both. Also the same
    for the assessed criteria that serve no point. ([], None) when no file has lists."""
    lists = {}
    for f in lookup.files:
        for lst in f.spec.coalition:
            lists.setdefault(lst.id, lst)
    if not lists:
        return [], None

    def empty() -> dict:
        return {"criteria": 0, **{key: 0 for key in RESULT_COUNTS}}

    points = {f"{lst.id}.{point.id}": empty() for lst in lists.values() for point in lst.points}
    unmapped = empty()
    for row in results:
        if not row["assessed"]:
            continue
        criterion = lookup.criterion(row["criterion_id"])
        keys = [key for key in dict.fromkeys(criterion.coalition if criterion else ()) if key in points]
        for acc in [points[key] for key in keys] or [unmapped]:
            acc["criteria"] += 1
            for key in RESULT_COUNTS:
                acc[key] += row[key] or 0
    out = [
        {
            "id": lst.id,
            "title": lst.title.get(lookup.lang),
            "points": [
                dict(points[f"{lst.id}.{point.id}"], id=point.id, title=point.title.get(lookup.lang)) for point in lst.points
            ],
        }
        for lst in lists.values()
    ]
    return out, unmapped


def _working_thresholds(results: list[dict], used: list[Criteria], lang: str) -> list[dict] | None:
    """The working thresholds behind the criteria assessed in the period, as the visits'
    own versions state them (newest version first; a criterion once). None when none of
    those versions marks its thresholds (2026.1)."""
    if not any(records_thresholds(version) for version in used):
        return None
    assessed = {row["criterion_id"] for row in results if row["assessed"]}
    chosen: dict[str, Criterion] = {}
    for version in reversed(used):  # `used` is ordered by first visit: newest last
        for domain in version.domains:
            for criterion in domain.criteria:
                if criterion.id in assessed and criterion.working_thresholds:
                    chosen.setdefault(criterion.id, criterion)
    return working_threshold_entries(chosen.values(), lang)
