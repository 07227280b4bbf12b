"""The visit report's context: the `VisitReport`, its formats, and whether it is a draft."""

from __future__ import annotations

from checklist.reports import VisitReport
from checklist.reports.context import ReportContext


class VisitContext(ReportContext):
    """The visit report plus whether it is a draft."""

    def __init__(self, report: VisitReport):
        super().__init__(report)
        self.draft = report.visit.get("status") == "draft"

    def domain_title(self, domain_id) -> str:
        domain = self.criteria.domain(domain_id) if domain_id else None
        return domain.title.get(self.lang) if domain else self._("General")
