"""PDF reports: bytes out, no Flask inside.

The views and the CLI gather a `VisitReport` through the store and hand it to
`build_visit_report`; everything the PDF shows comes from this object.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import Mapping
from typing import Sequence

from checklist.core.criteria import Criteria
from checklist.core.scoring import VisitScore


@dataclass(frozen=True)
class PreviousVisit:
    """The location's previous observation, for the change per domain: its (later) visit
    and score; for a calibration pair counted once (`core.observations`), the pair's score
    and in `pair` its two visits ({visit_date, score}), oldest first."""

    visit: Mapping[str, Any]
    score: VisitScore
    pair: Sequence[Mapping[str, Any]] = ()


@dataclass(frozen=True)
class VisitReport:
    """Everything one visit report shows.

    location: name, type, municipality, province, operator, capacity, children
    visit: id, visit_date (ISO date), organisation (name), visitors, announced (bool),
           children_present, amv_present, impression, status ('draft' | 'submitted'),
           submitted_at (ISO timestamp or None), criteria_version
    answers: criterion id -> {"value": str | None, "number": float | None, "note": str | None}
    voices: [{"age_band": "8-12", "domain_id": "play", "text": "..."}]
    """

    criteria: Criteria
    lang: str
    location: Mapping[str, Any]
    visit: Mapping[str, Any]
    score: VisitScore
    answers: Mapping[str, Mapping[str, Any]]
    voices: Sequence[Mapping[str, Any]] = ()
    previous: PreviousVisit | None = None
    generated_at: str = ""
    # Follow-up actions, each {"criterion": text, "what", "owner", "due_on", "status",
    # "visit_date" (where it was recorded), "closed_in_visit_date", "checked_here": bool,
    # "earlier": bool (from an earlier visit, not recorded at this one)}.
    actions: Sequence[Mapping[str, Any]] = ()
    # Photos per criterion id, each {"jpeg": bytes, "width", "height"} (cleaned, no metadata).
    photos: Mapping[str, Sequence[Mapping[str, Any]]] = field(default_factory=dict)
    # The operator's replies beside each finding sent for reply: criterion id -> the lines
    # (`checklist.reports.follow_up.reply_lines`, in the report's language), dated, with the
    # operator's organisation.
    replies: Mapping[str, Sequence[str]] = field(default_factory=dict)
    # The other visit of this visit's complete calibration pair ({id, visit_date, score,
    # status}), when the reader may see it; None otherwise.
    pair_partner: Mapping[str, Any] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
