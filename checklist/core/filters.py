"""The filters shared by the overview, the aggregate report and the exports.

Read from query parameters by `checklist.views.forms.FilterForm` (so a filtered view is a
bookmarkable URL, and what is wrong is said in the reader's language) or from CLI options.
No Flask, no SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import replace
from datetime import date
from urllib.parse import urlencode

from checklist.core.i18n import N_

CLOSED_CHOICES = ("open", "closed", "all")
# Each view says it in the user's language: the report and the exports refuse the
# request (400, as `monitor-report` does), the overview shows the message.
PERIOD_REVERSED = N_("The period ends before it starts: %(since)s is after %(until)s. Choose a start date on or before the end date.")


@dataclass(frozen=True)
class Filters:
    types: tuple[str, ...] = ()  # each a choice: none is all, several are any of them
    provinces: tuple[str, ...] = ()
    organisation_ids: tuple[int, ...] = ()
    operators: tuple[str, ...] = ()
    since: date | None = None  # the latest submitted visit within [since, until]
    until: date | None = None
    closed: str = "open"
    sort: str = "name"  # name | type | overall | date | <domain id>
    descending: bool = False

    def query(self, **changes) -> str:
        """These filters (with changes) as a query string for a bookmarkable URL."""
        f = replace(self, **changes) if changes else self
        pairs = [("type", t) for t in f.types]
        pairs += [("province", p) for p in f.provinces] + [("operator", o) for o in f.operators]
        if f.sort != "name":
            pairs.append(("sort", f.sort))
        pairs += [("organisation", str(o)) for o in f.organisation_ids]
        if f.since:
            pairs.append(("from", f.since.isoformat()))
        if f.until:
            pairs.append(("to", f.until.isoformat()))
        if f.closed != "open":
            pairs.append(("closed", f.closed))
        if f.descending:
            pairs.append(("desc", "1"))
        return urlencode(pairs)
