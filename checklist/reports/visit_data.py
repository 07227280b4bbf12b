"""A visit with everything needed to show it: its criteria version, answers and score.

Views, the CLI and the PDF all start from a `VisitBundle`, so they show the same numbers.
Each visit is read with the criteria version it was made with, not today's file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from datetime import timezone

from sqlite_utils import Database

from checklist import store
from checklist.core.access import Scope
from checklist.core.criteria import Criteria
from checklist.core.criteria import Domain
from checklist.reports import PreviousVisit
from checklist.reports import VisitReport
from checklist.core.observations import Observation
from checklist.core.observations import pair_score
from checklist.core.scoring import VisitScore
from checklist.core.scoring import applicable_domains
from checklist.core.scoring import score_visit
from checklist.core.scoring import visit_facts


@dataclass(frozen=True)
class VisitBundle:
    visit: dict
    location: dict
    criteria: Criteria
    answers: dict
    score: VisitScore

    @property
    def is_draft(self) -> bool:
        return self.visit["status"] == "draft"

    @property
    def domains(self) -> list[Domain]:
        """Domains that apply to this location's type, in the file's order."""
        return applicable_domains(self.criteria, self.location["type"], visit_facts(self.visit))


def load_visit(db: Database, visit_id: int, scope: Scope) -> VisitBundle | None:
    """The visit if the scope allows it, else None."""
    visit = store.get_visit(db, visit_id, scope)
    if visit is None:
        return None
    location = store.get_location(db, visit["location_id"])
    criteria = store.criteria_for_hash(db, visit["criteria_hash"])
    answers = store.visit_answers(db, visit_id)
    score = score_visit(criteria, location["type"], store.answer_values(answers), visit_facts(visit))
    return VisitBundle(visit=visit, location=location, criteria=criteria, answers=answers, score=score)


def previous_observation(db: Database, bundle: VisitBundle, scope: Scope) -> Observation | None:
    """What "since the previous visit" compares this visit with: the location's previous
    observation that the scope may read. The other visit of this visit's own calibration
    pair is skipped (the same place seen again, not an earlier state); a previous visit
    that is one of a pair comes with its pair."""
    rows = previous_observation_rows(db, bundle.visit, scope)
    if not rows:
        return None
    bundles = [load_visit(db, row["id"], scope) for row in rows]
    if len(bundles) == 1:
        return Observation((bundles[0],), bundles[0].score)
    return Observation(tuple(bundles), pair_score(bundles[0].score, bundles[1].score, bundles[0].criteria))


def previous_observation_rows(db: Database, visit: dict, scope: Scope) -> list[dict]:
    """The visit rows of `previous_observation`, oldest first (one, or a pair's two); cheap
    enough to key a cache by."""
    own = store.complete_partners(db, [visit["id"]], scope).get(visit["id"])
    previous = store.previous_submitted_visit(db, visit, scope)
    if previous is not None and own is not None and previous["id"] == own["id"]:
        previous = store.previous_submitted_visit(db, previous, scope)
    if previous is None:
        return []
    partner = store.complete_partners(db, [previous["id"]], scope).get(previous["id"])
    if partner is None or (partner["visit_date"], partner["id"]) >= (visit["visit_date"], visit["id"]):
        return [previous]  # not in a pair, or its pair ends after this visit
    other = store.get_visit(db, partner["id"], scope)
    return sorted([previous, other], key=lambda v: (v["visit_date"], v["id"]))


@dataclass(frozen=True)
class PreviousAnswers:
    visit: dict
    answers: dict


def previous_answers(db: Database, bundle: VisitBundle, scope: Scope) -> PreviousAnswers | None:
    """The previous submitted visit's answers, unscored: all the checklist page shows of it.

    Made with another criteria version, its answers are keyed by this visit's criteria ids
    through `replaces:` (an answer of a criterion of another kind is left out: it would not
    read as an answer to this one)."""
    previous = store.previous_submitted_visit(db, bundle.visit, scope)
    if not previous:
        return None
    answers = store.visit_answers(db, previous["id"])
    if previous["criteria_hash"] != bundle.visit["criteria_hash"]:
        from checklist.core.lineage import build_lineage

        old = store.criteria_for_hash(db, previous["criteria_hash"])
        lineage = build_lineage(bundle.criteria, store.stored_criteria(db))
        here = {lineage.key(c.id): c for d in bundle.criteria.domains for c in d.criteria}
        rekeyed = {}
        for criterion_id, answer in answers.items():
            then, now = old.criterion(criterion_id), here.get(lineage.key(criterion_id))
            if now is not None and then is not None and then.kind == now.kind:
                rekeyed.setdefault(now.id, answer)
        answers = rekeyed
    return PreviousAnswers(previous, answers)


def recompute_scores(db: Database, visit_ids: list[int] | None = None) -> int:
    """Store the scores of submitted visits from their answers (all missing ones by default)."""
    from checklist.core.access import EVERYTHING
    from checklist.store.connection import immediate

    ids = store.visits_without_scores(db) if visit_ids is None else visit_ids
    with immediate(db):
        for visit_id in ids:
            bundle = load_visit(db, visit_id, EVERYTHING)
            if bundle is not None and not bundle.is_draft:
                store.write_scores(db, visit_id, bundle.score, bundle.answers)
    return len(ids)


def visit_report(db: Database, bundle: VisitBundle, lang: str, scope: Scope) -> VisitReport:
    """The input of the PDF visit report; the previous visit is one the reader may see."""
    previous = previous_observation(db, bundle, scope)
    visit = dict(bundle.visit, announced=bool(bundle.visit["announced"]))
    return VisitReport(
        criteria=bundle.criteria,
        lang=lang,
        location=bundle.location,
        visit=visit,
        score=bundle.score,
        answers=bundle.answers,
        voices=store.visit_voices(db, bundle.visit["id"]),
        previous=previous_for_report(previous),
        pair_partner=store.complete_partners(db, [bundle.visit["id"]], scope).get(bundle.visit["id"]),
        generated_at=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        actions=report_actions(db, bundle, lang, scope),
        photos=store.report_photos(db, bundle.visit["id"]),
        replies={} if bundle.is_draft else _reply_texts(db, bundle.visit["id"], lang),
    )


def _reply_texts(db: Database, visit_id: int, lang: str) -> dict:
    from checklist.reports.follow_up import visit_reply_lines

    return {cid: [line.text for line in lines] for cid, lines in visit_reply_lines(db, visit_id, lang).items()}


def previous_for_report(previous: Observation | None) -> PreviousVisit | None:
    """The previous observation as the PDF's change section reads it."""
    if previous is None:
        return None
    pair = [{"visit_date": b.visit["visit_date"], "score": b.score.score} for b in previous.visits] if previous.is_pair else []
    return PreviousVisit(visit=previous.visit, score=previous.score, pair=pair)


def report_actions(db: Database, bundle: VisitBundle, lang: str, scope: Scope) -> list[dict]:
    """The visit's follow-up for the PDF: actions recorded at it, then earlier actions of
    its organisation at the location that were checked at it or are still open."""
    recorded, earlier = store.report_actions(db, bundle.visit, scope)
    out = []
    for flag, rows in ((False, recorded), (True, earlier)):
        for row in rows:
            criterion = bundle.criteria.criterion(row["criterion_id"])
            if criterion is None:  # made with another criteria version
                criterion = store.criteria_for_hash(db, row["criteria_hash"]).criterion(row["criterion_id"])
            out.append(
                {
                    "criterion": criterion.text.get(lang) if criterion is not None else row["criterion_id"],
                    "what": row["what"],
                    "owner": row["owner"],
                    "due_on": row["due_on"],
                    "status": row["status"],
                    "visit_date": row["visit_date"],
                    "closed_in_visit_date": row["closed_in_visit_date"],
                    "checked_here": row["closed_in_visit_id"] == bundle.visit["id"],
                    "earlier": flag,
                }
            )
    return out
