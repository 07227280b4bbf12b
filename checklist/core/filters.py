"""The filters shared by the overview, the aggregate report and the exports.

Parsed from query parameters (so a filtered view is a bookmarkable URL) or from CLI
options; unknown or malformed values are dropped with a message rather than failing.
No Flask, no SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import date
from typing import Mapping
from urllib.parse import urlencode

from checklist.core.i18n import N_
from checklist.core.ids import parse_id

CLOSED_CHOICES = ("open", "closed", "all")
# Each view says it in the user's language: the report and the exports refuse the
# request (400, as `monitor-report` does), the overview shows the message.
PERIOD_REVERSED = N_("The period ends before it starts: %(since)s is after %(until)s. Choose a start date on or before the end date.")


@dataclass(frozen=True)
class Filters:
    types: tuple[str, ...] = ()
    province: str = ""
    organisation_id: int | None = None
    operator: str = ""
    since: date | None = None  # the latest submitted visit within [since, until]
    until: date | None = None
    closed: str = "open"
    sort: str = "name"  # name | type | overall | date | <domain id>
    descending: bool = False
    problems: tuple[str, ...] = field(default=(), compare=False)

    @property
    def period_reversed(self) -> bool:
        """`from` after `to`: no visit can match, which is never what was meant."""
        return bool(self.since and self.until and self.since > self.until)

    def query(self, **changes) -> str:
        """These filters (with changes) as a query string for a bookmarkable URL."""
        f = replace(self, **changes) if changes else self
        pairs = [("type", t) for t in f.types]
        pairs += [(k, v) for k, v in (("province", f.province), ("operator", f.operator), ("sort", f.sort if f.sort != "name" else "")) if v]
        if f.organisation_id:
            pairs.append(("organisation", str(f.organisation_id)))
        if f.since:
            pairs.append(("from", f.since.isoformat()))
        if f.until:
            pairs.append(("to", f.until.isoformat()))
        if f.closed != "open":
            pairs.append(("closed", f.closed))
        if f.descending:
            pairs.append(("desc", "1"))
        return urlencode(pairs)


def _date(value: str, name: str, problems: list) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(f"{name}: not a date (YYYY-MM-DD): {value[:20]!r}")
        return None


def parse_filters(args: Mapping, known_types: set[str], known_sorts: set[str]) -> Filters:
    """Filters from query parameters (`request.args` or a dict of lists/strings)."""
    getlist = args.getlist if hasattr(args, "getlist") else (lambda k: v if isinstance(v := args.get(k, []), list) else [v])
    get = lambda k: (args.get(k) or "").strip()  # noqa: E731
    problems: list[str] = []
    types = tuple(t for t in getlist("type") if t)
    unknown = [t for t in types if t not in known_types]
    if unknown:
        problems.append(f"type: unknown {', '.join(unknown)}")
    organisation = get("organisation")
    organisation_id = parse_id(organisation)
    if organisation and organisation_id is None:
        problems.append(f"organisation: not a number {organisation[:20]!r}")
    closed = get("closed") or "open"
    if closed not in CLOSED_CHOICES:
        problems.append(f"closed: one of {', '.join(CLOSED_CHOICES)}")
        closed = "open"
    sort = get("sort") or "name"
    if sort not in known_sorts:
        problems.append(f"sort: unknown column {sort[:30]!r}")
        sort = "name"
    return Filters(
        types=tuple(t for t in types if t in known_types),
        province=get("province"),
        organisation_id=organisation_id,
        operator=get("operator"),
        since=_date(get("from"), "from", problems),
        until=_date(get("to"), "to", problems),
        closed=closed,
        sort=sort,
        descending=get("desc") == "1",
        problems=tuple(problems),
    )
