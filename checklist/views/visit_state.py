"""Where a draft visit stands, as the server knows it, for the page's script to count in
what waits on the device (static/js/state.js).

Each applicable criterion's category comes from the same scoring the review uses
(`core.scoring`): "scored", "unknown" (assessable, not scored), "na" (not applicable) or
None (unanswered). The script takes an answer waiting on the device in place of the
server's for its criterion, with the wire names (`core.wire`) and the values that are not
scored named here, so it counts by the server's rule rather than one of its own.
"""

from __future__ import annotations

from flask import current_app
from flask import url_for

from checklist import store
from checklist.core import wire
from checklist.core.scoring import NOT_SCORED
from checklist.views.database import get_db
from checklist.views.i18n import current_language


def category(result: str | None) -> str | None:
    if result is None:
        return None
    return result if result in NOT_SCORED else "scored"


def visit_state(bundle) -> dict:
    """The visit's domains with each criterion's category, what continues, the statements
    and photos stored, and the rules the script needs to count the device's part."""
    lang = current_language()
    visit_id = bundle.visit["id"]
    domains = []
    for d in bundle.domains:
        score = bundle.score.domain(d.id)
        lines = score.lines if score else ()
        domains.append(
            {
                "id": d.id,
                "title": d.title.get(lang),
                "url": url_for("visits.domain", visit_id=visit_id, domain_id=d.id),
                "criteria": [[wire.key(line.criterion_id), category(line.result)] for line in lines],
            }
        )
    ids = [d.id for d in bundle.domains]
    current = bundle.visit.get("current_domain")
    photos = sum(len(ps) for ps in store.visit_photos(get_db(), visit_id).values())
    return {
        "visit": str(visit_id),
        "stateUrl": url_for("visits.state", visit_id=visit_id),
        "domains": domains,
        "continue": current if current in ids else (ids[0] if ids else None),
        "voices": len(store.visit_voices(get_db(), visit_id)),
        "photos": photos,
        "wire": {"value": wire.VALUE, "number": wire.NUMBER},
        "notAssessable": ["na"],
        "notScored": [v for v in NOT_SCORED if v != "na"],
        "lowCoverage": current_app.config["LOW_COVERAGE"],
    }
