"""What a visit page shows of calibration: the pair it is in, whether the other visit is
hidden from this reader, and the coordinator's way to pair it. Gathered by the view (no
template queries); shared by the visits and calibration blueprints."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_login import current_user

from checklist import store
from checklist.core import calibration
from checklist.views.database import get_db


def problem_texts() -> dict[str, str]:
    """Why two visits cannot be paired, in words."""
    return {
        calibration.SAME_VISIT: _("the same visit"),
        calibration.OTHER_LOCATION: _("another location"),
        calibration.OTHER_ORGANISATION: _("another organisation"),
        calibration.TOO_FAR_APART: _("more than %(days)d days apart", days=calibration.PAIR_MAX_DAYS),
        calibration.OTHER_CRITERIA: _("another criteria version"),
        calibration.CREATOR_UNKNOWN: _("who made the visit is not recorded"),
        calibration.SAME_CREATOR: _("made by the same account"),
        calibration.SHARED_WORKER: _("an account worked on both visits"),
        calibration.ALREADY_PAIRED: _("already in a calibration pair"),
    }


@dataclass(frozen=True)
class VisitCalibration:
    pair: dict | None = None
    other_hidden: bool = False  # this reader works on this visit and may not see the other yet
    may_see_pair: bool = False
    may_pair: bool = False
    partner: dict | None = None  # the other visit of a complete pair this reader may see: id, visit_date, score


def visit_calibration(bundle) -> VisitCalibration:
    pair = store.visit_pair(get_db(), bundle.visit["id"])
    coordinator = current_user.may("calibrate")
    if pair is None:
        return VisitCalibration(may_pair=coordinator)
    other = pair["visit_b"] if pair["visit_a"] == bundle.visit["id"] else pair["visit_a"]
    hidden = other in current_user.scope.hidden
    partner = store.complete_partners(get_db(), [bundle.visit["id"]], current_user.scope).get(bundle.visit["id"])
    return VisitCalibration(pair=pair, other_hidden=hidden, may_see_pair=coordinator or (bool(pair["complete"]) and not hidden), partner=partner)
