"""A large generated data set: many locations with submitted visits, written in bulk."""

from __future__ import annotations

import random
from datetime import date
from datetime import timedelta

from sqlite_utils import Database

from checklist.core.criteria import Criteria
from checklist.store.connection import immediate
from checklist.commands.demo import DEMO_LOCATIONS
from checklist.commands.demo import TYPE_QUALITY
from checklist.commands.demo import generate_answers
from checklist.core.scoring import AnswerValue
from checklist.core.scoring import score_visit
from checklist.store.scores import write_scores

TYPES = list(TYPE_QUALITY)


def generate(db: Database, criteria: Criteria, locations: int, visits_per_location: int, seed: int = 7, years: float = 2.0) -> dict:
    """Insert `locations` locations with `visits_per_location` submitted visits each."""
    rng = random.Random(seed)
    today = date.today()
    span = int(365 * years)
    org_ids = [r["id"] for r in db.query("select id from organisations")]
    counts = {"locations": 0, "visits": 0, "answers": 0}
    with immediate(db):
        for n in range(locations):
            template = DEMO_LOCATIONS[n % len(DEMO_LOCATIONS)]
            type_ = TYPES[n % len(TYPES)]
            location_id = db["locations"].insert(
                {
                    "name": f"{template[0]} {n + 1}",
                    "type": type_,
                    "municipality": template[2],
                    "province": template[3],
                    "operator": template[4],
                    "capacity": template[5],
                    "children": template[6],
                    "created_at": "2020-01-01T00:00:00+00:00",
                    "updated_at": "2020-01-01T00:00:00+00:00",
                }
            ).last_pk
            counts["locations"] += 1
            quality = TYPE_QUALITY[type_] + rng.uniform(-0.1, 0.1)
            answer_rows = []
            for v in range(visits_per_location):
                day = today - timedelta(days=span - int(span * v / visits_per_location) + rng.randint(1, 10))
                quality = min(0.95, max(0.1, quality + rng.uniform(-0.02, 0.025)))  # drifts, mostly upwards
                stamp = f"{day.isoformat()}T12:00:00+00:00"
                visit_id = db["visits"].insert(
                    {
                        "location_id": location_id,
                        "organisation_id": rng.choice(org_ids),
                        "visit_date": day.isoformat(),
                        "visitors": "A.B.",
                        "announced": 1,
                        "children_present": 20,
                        "amv_present": 0,
                        "impression": "Gegenereerd voor de benchmark.",
                        "status": "submitted",
                        "criteria_hash": criteria.hash,
                        "version": 1,
                        "created_at": stamp,
                        "updated_at": stamp,
                        "submitted_at": stamp,
                    }
                ).last_pk
                answers = generate_answers(rng, criteria, type_, quality, note_rate=0.5)
                answer_rows += [{"visit_id": visit_id, "criterion_id": cid, **a, "rev": 1, "updated_at": stamp} for cid, a in answers.items()]
                # Stored scores, as a submission writes them; scored here from the answers in memory.
                write_scores(db, visit_id, score_visit(criteria, type_, {cid: AnswerValue(a["value"], a["number"]) for cid, a in answers.items()}), answers)
                counts["visits"] += 1
            db["answers"].insert_all(answer_rows, batch_size=1000)
            counts["answers"] += len(answer_rows)
    return counts
