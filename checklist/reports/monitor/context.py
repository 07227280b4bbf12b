"""What the monitor report shows (`MonitorReport`) and how its sections format it (`MonitorContext`)."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import Mapping
from typing import Sequence

from checklist.core.criteria import Criteria
from checklist.core.scoring import status_for
from checklist.core.filters import Filters
from checklist.reports.context import ReportContext


@dataclass(frozen=True)
class MonitorReport:
    """Everything the monitor report shows (built by `checklist.reports.monitor_data`).

    summary: locations, visits, pairs (calibration pairs with both visits in the period),
        organisations, first_date, last_date
    types: per location type in the criteria's order: type, label, locations, visits (the
        observations in the means: a calibration pair counts once, `core.observations`),
        score (mean of the visits' own overall scores), domains {domain_id: {score,
        scored_visits}}, and with mixed criteria versions `shared` (the same means on the
        criteria the versions share: {score, domains {domain_id: {score}}}); all_types: the
        same over all
    domains: (domain_id, title) in order
    locations: label (name or "Location A"), type_label, visits, latest_date, score, status,
        red_flags, pair (the other visit of the latest visit's calibration pair: visit_date,
        score; else None); when named also municipality, province, operator, closed_on
    failed: criterion_id, text, domain, critical, failed, assessed, failed_locations, crc, rcd_2013, rcd_2024
    red_flags: label, type_label, visit_date, criteria [{criterion_id, text, domain}]
    trends: type, label, year, quarter, score, visits (observations: a pair counts once)
    domain_trends: domain_id, year, quarter, score, visits: the mean domain score per quarter
        over every type
    voices: per domain: domain_id, title, total, items [{text, age_band, type_label}]
    versions: version, hash, visits, first_date, last_date
    coalition: per list of the coalition's points: id, title, points [{id, title, criteria,
        assessed, meets, partly, fails, red_flags}]; coalition_unmapped: the same counts for
        the criteria that serve no point (None when no criteria version has lists)
    working_thresholds: [{criterion_id, text, thresholds [text]}] behind the criteria
        assessed; None when no version of the visits marks its thresholds
    common_criteria: with several versions, the criteria they share (after `replaces:`), on
        which the `shared` means are taken
    unassessed: as red_flags, for critical criteria answered "could not assess"
    evidence: answers, none, one count per evidence type, children_people, parents_people
        (`store.evidence_counts`)
    low_coverage: the threshold (a share, 0 = off) below which a visit's coverage is low;
        left_out: the visits of the period that are left out of the means per type, the key
        figure and the trends for it (types, trends and all_types count only the others)
    """

    criteria: Criteria
    lang: str
    filters: Filters
    anonymised: bool
    organisation_scope: str | None  # None: every organisation's submitted visits
    organisation_filter: str | None
    generated_at: str
    summary: Mapping[str, Any]
    types: Sequence[Mapping[str, Any]]
    all_types: Mapping[str, Any]
    domains: Sequence[tuple[str, str]]
    locations: Sequence[Mapping[str, Any]]
    failed: Sequence[Mapping[str, Any]]
    failed_count: int
    red_flags: Sequence[Mapping[str, Any]]
    trends: Sequence[Mapping[str, Any]]
    voices: Sequence[Mapping[str, Any]]
    versions: Sequence[Mapping[str, Any]]
    voices_per_domain: int = 8
    coalition: Sequence[Mapping[str, Any]] = ()
    coalition_unmapped: Mapping[str, Any] | None = None
    working_thresholds: Sequence[Mapping[str, Any]] | None = None
    # Visits made with more than one criteria version: the number of criteria they share,
    # on which the `shared` means per type are taken (beside the own). None: one version.
    common_criteria: int | None = None
    unassessed: Sequence[Mapping[str, Any]] = ()
    evidence: Mapping[str, Any] = field(default_factory=dict)
    low_coverage: float = 0.0
    left_out: int = 0
    # The right of reply over the findings of these visits (`reports.follow_up.reply_summary`).
    replies: Mapping[str, int] = field(default_factory=dict)
    domain_trends: Sequence[Mapping[str, Any]] = ()
    # Per domain id, its criterion most often not met (a row of `failed`, from all of them).
    failed_by_domain: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


class MonitorContext(ReportContext):
    """The report plus gettext, number and date formats (the names `method.scoring_method` uses)."""

    def __init__(self, report: MonitorReport):
        super().__init__(report)
        self.bands = report.criteria.scoring.status_bands

    def status_of(self, score) -> str:
        """A mean score's status by the file's thresholds (no red-flag cap: it is a mean)."""
        return status_for(score, self.bands)

    def quarter(self, row) -> str:
        return self._("Q%(quarter)d %(year)d", quarter=row["quarter"], year=row["year"])

    def score(self, value) -> str:
        return "–" if value is None else f"{value:.0f}"

    def percent(self, part: int, whole: int) -> str:
        return f"{100 * part / whole:.0f}%" if whole else "–"

    def period(self) -> str:
        f, s = self.report.filters, self.report.summary
        if f.since and f.until:
            return f"{self.date(f.since)} – {self.date(f.until)}"
        if f.since:
            return self._("from %(date)s", date=self.date(f.since))
        if f.until:
            return self._("up to %(date)s", date=self.date(f.until))
        if s.get("first_date"):
            first, last = self.date(s["first_date"]), self.date(s["last_date"])
            return self._("all visits to date (%(first)s – %(last)s)", first=first, last=last)
        return self._("all visits to date")

    def low_share(self) -> str:
        """The low-coverage threshold as a share: 50%."""
        return f"{self.report.low_coverage * 100:g}%"

    def left_out_text(self) -> str | None:
        """What the means leave out for low coverage and why; None when the rule is off."""
        if not self.report.low_coverage:
            return None
        return self._(
            "Visits left out for low coverage: %(n)d, where fewer than %(share)s of the assessable criteria were scored. Too little was scored for their scores to stand for the location, so they are not in the mean scores per type, the mean overall score and the trends. They are counted everywhere else: submitted visits, criteria most often not met, red flags and locations.",
            n=self.report.left_out,
            share=self.low_share(),
        )
