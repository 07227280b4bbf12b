"""Calibration pairs: which two visits may be paired, and what stays hidden while a pair is open.

A coordinator pairs two visits of one location made a few days apart by different
visitors with the same criteria version, to see whether two visitors give the same
answers. Each visitor answers blind: while a pair is open (not both visits submitted), a
person who worked on one of its visits does not see the other one anywhere. Pure: no
Flask, no SQL. Who worked on a visit comes from the audit log (`store.visit_workers`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable
from typing import Mapping

PAIR_MAX_DAYS = 7  # the two visits of a pair are at most this many days apart

# Why two visits cannot be paired (the views put each into words).
SAME_VISIT = "same_visit"
OTHER_LOCATION = "other_location"
OTHER_ORGANISATION = "other_organisation"
TOO_FAR_APART = "too_far_apart"
OTHER_CRITERIA = "other_criteria"
CREATOR_UNKNOWN = "creator_unknown"
SAME_CREATOR = "same_creator"
SHARED_WORKER = "shared_worker"
ALREADY_PAIRED = "already_paired"


@dataclass(frozen=True)
class Workers:
    """Who made a visit (the account of its 'create' audit row) and every account that
    changed it (details, answers, children's words, submission)."""

    creator: int | None = None
    all: frozenset = frozenset()


def pair_problems(visit: Mapping, other: Mapping, workers: Workers, other_workers: Workers, paired: Iterable[int] = ()) -> list[str]:
    """Every reason these two visits cannot be a calibration pair; [] when they can.

    `visit`/`other` are visit rows (id, location_id, organisation_id, visit_date,
    criteria_hash); `paired` the ids of visits already in a pair.
    """
    if visit["id"] == other["id"]:
        return [SAME_VISIT]
    problems = []
    if visit["location_id"] != other["location_id"]:
        problems.append(OTHER_LOCATION)
    if visit["organisation_id"] != other["organisation_id"]:
        problems.append(OTHER_ORGANISATION)
    if days_apart(visit, other) > PAIR_MAX_DAYS:
        problems.append(TOO_FAR_APART)
    if visit["criteria_hash"] != other["criteria_hash"]:
        problems.append(OTHER_CRITERIA)
    if workers.creator is None or other_workers.creator is None:
        problems.append(CREATOR_UNKNOWN)
    elif workers.creator == other_workers.creator:
        problems.append(SAME_CREATOR)
    elif workers.all & other_workers.all:
        problems.append(SHARED_WORKER)
    paired = set(paired)
    if visit["id"] in paired or other["id"] in paired:
        problems.append(ALREADY_PAIRED)
    return problems


def days_apart(visit: Mapping, other: Mapping) -> int:
    return abs((date.fromisoformat(str(visit["visit_date"])[:10]) - date.fromisoformat(str(other["visit_date"])[:10])).days)


def is_complete(status_a: str, status_b: str) -> bool:
    """Both visits submitted: from then on both visitors see both (a reopened visit closes it again)."""
    return status_a == "submitted" and status_b == "submitted"


def blind_visits(open_pairs: Iterable[tuple[int, int]], worked_on: Iterable[int]) -> frozenset:
    """The visits to hide from someone who worked on `worked_on`: in each open pair, the
    visit they did not work on when they worked on the other one. Someone who worked on
    neither (a colleague, not being calibrated) is not blinded."""
    mine = set(worked_on)
    hidden = set()
    for a, b in open_pairs:
        if a in mine and b not in mine:
            hidden.add(b)
        elif b in mine and a not in mine:
            hidden.add(a)
    return frozenset(hidden)
