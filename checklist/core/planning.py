"""Which locations to visit next: pure rules over the planning rows, no Flask, no SQL.

Every open location where children live (or where the register does not say how many)
is listed. Locations unvisited for longer than the floor (default 6 months) come first and
are marked; within that, emergency locations (noodopvang, crisisnoodopvang) and locations
with unaccompanied minors (the small-scale type, or minors recorded at the last visit),
where children are most at risk; then the longest unvisited first, a location never
visited before any other.
"""

from __future__ import annotations

from datetime import date
from typing import Iterable
from typing import Mapping

from dateutil.relativedelta import relativedelta

PRIORITY_TYPES = ("noodopvang", "crisisnoodopvang", "amv_kleinschalig")


def months_since(last_visit: str | None, today: date) -> int | None:
    """Whole months from the last visit to today; None for a location never visited."""
    if not last_visit:
        return None
    delta = relativedelta(today, date.fromisoformat(last_visit[:10]))
    return max(0, delta.years * 12 + delta.months)


def is_priority(location_type: str, amv_resident: int | None) -> bool:
    return location_type in PRIORITY_TYPES or bool(amv_resident)


def past_floor(last_visit: str | None, today: date, floor: int) -> bool:
    """Never visited, or last visited more than `floor` months before today."""
    return not last_visit or date.fromisoformat(last_visit[:10]) < today - relativedelta(months=floor)


def plan(rows: Iterable[Mapping], today: date, floor: int) -> list[dict]:
    """The rows with `months`, `priority` and `past_floor`, in the order to visit them."""
    out = []
    for row in rows:
        months = months_since(row.get("last_visit"), today)
        out.append(dict(row, months=months, priority=is_priority(row["type"], row.get("amv_resident")), past_floor=past_floor(row.get("last_visit"), today, floor)))
    never = 10**6
    return sorted(out, key=lambda r: (not r["past_floor"], not r["priority"], -(never if r["months"] is None else r["months"]), r["name"]))
