"""Fictional demo data: locations of every type with two years of submitted visits.

Names and places are invented so that no invented score can be mistaken for a statement
about a real COA location. The spread is meant to look believable: emergency locations
(noodopvang, crisisnoodopvang) score lower than regular azc on average, some improve
over time, and a few critical criteria fail (red flags) or could not be assessed. Each
answer says what it rests on (seen, a document, staff, children or parents with how
many). The same generator, with more
locations and visits, builds the benchmark data set.
"""

from __future__ import annotations

import random
from datetime import date
from datetime import timedelta

from sqlite_utils import Database

from checklist import store
from checklist.core.criteria import Criteria
from checklist.core.evidence import canonical
from checklist.core.criteria import load_archived
from checklist.core.scoring import applicable_domains
from checklist.store.connection import immediate

# How long ago the current criteria version came into use in the demo data.
CURRENT_VERSION_DAYS = 120

# (name, type, municipality, province, operator, capacity, children)
DEMO_LOCATIONS = [
    ("Azc Lindewaarde", "azc", "Lindewaarde", "Gelderland", "COA", 600, 140),
    ("Azc Hoogveen", "azc", "Hoogveen", "Drenthe", "COA", 450, 95),
    ("Azc De Brinkhorst", "azc", "Brinkum", "Overijssel", "COA", 800, 210),
    ("Noodopvang Sporthal De Wieken", "noodopvang", "Wiekendam", "Noord-Brabant", "COA", 250, 60),
    ("Noodopvang Paviljoen Oostermeer", "noodopvang", "Oostermeer", "Friesland", "COA", 300, 75),
    ("Noodopvang Kazerne Ravensberg", "noodopvang", "Ravensberg", "Limburg", "COA", 400, 110),
    ("Crisisnoodopvang Evenementenhal Zuiderkamp", "crisisnoodopvang", "Zuiderkamp", "Flevoland", "Gemeente Zuiderkamp", 180, 40),
    ("Crisisnoodopvang Hotelschip Merwestroom", "crisisnoodopvang", "Merwestroom", "Zuid-Holland", "Gemeente Merwestroom", 220, 55),
    ("Gezinslocatie Het Klaverveld", "gezinslocatie", "Klaverveld", "Utrecht", "COA", 350, 160),
    ("Gezinslocatie Rozenburcht", "gezinslocatie", "Rozenburcht", "Zeeland", "COA", 300, 130),
    ("Kleinschalige woonvoorziening De Kade", "amv_kleinschalig", "Kadewijk", "Noord-Holland", "COA", 40, 36),
    ("Woongroep Vlinderhof", "amv_kleinschalig", "Vlinderhof", "Groningen", "Nidos", 16, 14),
    ("Jongerenunit Zeewaarts", "amv_kleinschalig", "Zeewaarts", "Zuid-Holland", "COA", 60, 52),
    ("Opvang Terpstede (tijdelijk)", "other", "Terpstede", "Friesland", "Gemeente Terpstede", 120, 30),
]

# Mean quality (0..1) per location type: the level the answers are drawn around.
TYPE_QUALITY = {
    "azc": 0.74,
    "gezinslocatie": 0.70,
    "amv_kleinschalig": 0.72,
    "other": 0.62,
    "noodopvang": 0.52,
    "crisisnoodopvang": 0.42,
}

NOTES = {
    "meets": [
        "Ruimte was open en schoon tijdens het bezoek.",
        "Medewerker kon duidelijk uitleggen hoe dit geregeld is.",
        "Goed geregeld; ouders bevestigen dit.",
    ],
    "partly": [
        "Wel aanwezig, maar alleen op vaste middagen open.",
        "Afspraak bestaat op papier, in de praktijk wisselend.",
        "Voor jonge kinderen in orde, voor tieners weinig.",
    ],
    "fails": [
        "Niet aanwezig op deze locatie.",
        "Medewerkers wisten niet wie hiervoor verantwoordelijk is.",
        "Ouders melden dit al maanden; geen verbetering gezien.",
    ],
}

VOICES = [
    ("8-12", "play", "We mogen alleen op woensdag in de speelkamer."),
    ("13-17", "education", "Ik zit nu drie maanden hier en ga nog steeds niet naar school."),
    ("13-17", "privacy", "Er is geen plek waar ik alleen kan zijn."),
    ("4-7", "play", "Buiten is leuk, er is een schommel."),
    ("8-12", "safety", "'s Nachts is het lawaaierig en dan word ik bang."),
    ("13-17", "stability", "Dit is al mijn vierde opvang dit jaar."),
    ("8-12", "sanitation", "De douche kan niet op slot."),
    ("13-17", "information", "Niemand vertelt ons wanneer we weer moeten verhuizen."),
    ("8-12", "education", "Op school heb ik vrienden gemaakt."),
    ("13-17", "participation", "In de jongerenraad mochten we zeggen wat beter moet."),
]


def _result_for(rng: random.Random, quality: float) -> str:
    u = quality + rng.gauss(0, 0.22)
    if u >= 0.62:
        return "meets"
    if u >= 0.42:
        return "partly"
    return "fails"


def _count_for(rng: random.Random, criterion, result: str) -> float:
    """A number inside the band that matches the drawn result."""
    bands = [b for b in criterion.bands if b.answer == result] or list(criterion.bands)
    band = rng.choice(bands)
    high = band.to if band.to is not None else min(criterion.range.max, band.from_ + max(3, band.from_))
    value = rng.uniform(band.from_, high)
    value = max(criterion.range.min, min(criterion.range.max, value))
    return float(int(value)) if int(value) >= band.from_ else float(band.from_)


UNASSESSED_NOTES = [
    "Kon niet worden nagegaan: de verantwoordelijke medewerker was er niet.",
    "Document niet beschikbaar tijdens het bezoek.",
    "Geen tijd meer om dit te bekijken; volgende keer eerst.",
]


def _evidence_for(rng: random.Random, criterion, answer: dict) -> dict:
    """What a demo answer rests on: children or parents (3-5 of them) where the sampling
    rule applies, the document where the criterion names one, mostly "seen" otherwise."""
    chosen, counts = set(), {"children_n": None, "parents_n": None}
    if criterion.sampling:
        kind = {"children": "children", "parents": "parents"}.get(criterion.sampling) or rng.choice(["children", "parents"])
        chosen.add(kind)
        counts[f"{kind}_n"] = rng.randint(3, 5)
        if rng.random() < 0.4:
            chosen.add("seen")
    elif criterion.records is not None:
        chosen.add("document")
        if rng.random() < 0.3:
            chosen.add("staff")
    else:
        roll = rng.random()
        if roll < 0.7:
            chosen.add("seen")
        elif roll < 0.85:
            chosen.update(("seen", "staff"))
        else:
            chosen.add("staff")
    if answer["value"] == "unknown":  # what little there was to go on
        chosen, counts = ({"staff"} if rng.random() < 0.5 else set()), {"children_n": None, "parents_n": None}
    return {"evidence": canonical(chosen), **counts}


def generate_answers(
    rng: random.Random,
    criteria: Criteria,
    location_type: str,
    quality: float,
    note_rate: float = 0.3,
    evidence_rng: random.Random | None = None,
    facts=None,
) -> dict:
    """Answers for one visit, drawn around a quality level.

    With `evidence_rng` (a generator of its own; without it the answers are as before, as
    the benchmark draws them) each answer also gets believable evidence, and now and then
    a critical criterion could not be assessed."""
    answers = {}
    for domain in applicable_domains(criteria, location_type, facts):
        for criterion in domain.criteria_for(location_type):
            if evidence_rng is not None and criterion.critical and evidence_rng.random() < 0.05:
                answer = {"value": "unknown", "number": None, "note": evidence_rng.choice(UNASSESSED_NOTES)}
            else:
                answer = _drawn_answer(rng, criterion, quality, note_rate)
            if evidence_rng is not None:
                answer.update(_evidence_for(evidence_rng, criterion, answer))
            answers[criterion.id] = answer
    return answers


def _drawn_answer(rng: random.Random, criterion, quality: float, note_rate: float) -> dict:
    roll = rng.random()
    if roll < 0.03:
        return {"value": "unknown", "number": None, "note": None}
    if roll < 0.05:
        return {"value": "na", "number": None, "note": None}
    # Critical minimums are met more often than quality items, except where reception is poor.
    q = quality + (0.12 if criterion.critical and quality > 0.6 else 0)
    result = _result_for(rng, q)
    answer = {"value": None, "number": None, "note": None}
    if criterion.kind == "count":
        answer["number"] = _count_for(rng, criterion, result)
    elif criterion.kind == "yesno":
        answer["value"] = "no" if result == "fails" else "yes"
    else:
        answer["value"] = result
    if rng.random() < note_rate:
        answer["note"] = rng.choice(NOTES[result])
    return answer


def _amv_resident(rng: random.Random, location_type: str) -> int:
    """Unaccompanied minors living at a demo location: all residents of small-scale units,
    some in noodopvang and azc (as in the 2024 figures), none at family locations."""
    if location_type == "amv_kleinschalig":
        return rng.randint(6, 14)
    if location_type in ("noodopvang", "crisisnoodopvang", "azc"):
        return rng.choice([0, 0, rng.randint(2, 25)])
    return 0


def visit_dates(rng: random.Random, first: date, last: date, every_days: int = 91) -> list[date]:
    dates, day = [], first + timedelta(days=rng.randint(0, 30))
    while day <= last:
        dates.append(day)
        day += timedelta(days=every_days + rng.randint(-20, 25))
    return dates


def load_demo_data(db: Database, criteria: Criteria, seed: int = 2022, today: date | None = None) -> dict:
    """Insert the demo locations with two years of submitted visits and one draft."""
    rng = random.Random(seed)
    evidence_rng = random.Random(seed + 1)
    today = today or date.today()
    # Visits before the current version came out were made with 2026.1, as in a real
    # database: the overview and reports then show how they handle mixed versions.
    earlier = load_archived("2026.1")
    store.record_criteria_version(db, earlier)
    store.record_criteria_version(db, criteria)
    switch = today - timedelta(days=CURRENT_VERSION_DAYS)
    organisations = store.list_organisations(db)
    visiting_orgs = [o for o in organisations if o["name"] in ("De Vrolijkheid", "War Child")] or organisations
    locations, plans = [], []
    for name, type_, municipality, province, operator, capacity, children in DEMO_LOCATIONS:
        locations.append(
            {"name": name, "type": type_, "municipality": municipality, "province": province, "operator": operator, "capacity": capacity, "children": children}
        )
        base = TYPE_QUALITY[type_] + rng.uniform(-0.07, 0.07)
        trend = rng.uniform(-0.04, 0.08)  # quality change per year
        opened = today - timedelta(days=730 if type_ not in ("noodopvang", "crisisnoodopvang") else rng.randint(300, 600))
        plans.append((base, trend, opened))
    closed = {"Crisisnoodopvang Evenementenhal Zuiderkamp": today - timedelta(days=120)}
    summary = {"locations": 0, "visits": 0, "answers": 0}
    location_ids = []
    with immediate(db):
        for location, (base, trend, opened) in zip(locations, plans):
            last_day = closed.get(location["name"], today - timedelta(days=10))
            location_id = db["locations"].insert(dict(location, closed_on=closed[location["name"]].isoformat() if location["name"] in closed else None, created_at=store.now(), updated_at=store.now())).last_pk
            store.record_location_changes(db, location_id, None, "create", [(k, None, v) for k, v in location.items() if v not in (None, "")], store.now())
            if location["name"] in closed:
                store.record_location_changes(db, location_id, None, "close", [("closed_on", None, closed[location["name"]].isoformat())], store.now())
            location_ids.append(location_id)
            summary["locations"] += 1
            for day in visit_dates(rng, opened, last_day):
                years = (day - opened).days / 365
                quality = min(0.95, max(0.1, base + trend * years))
                made_with = criteria if day >= switch else earlier
                _insert_visit(db, rng, made_with, location_id, location["type"], day, quality, rng.choice(visiting_orgs)["id"], "submitted", summary, evidence_rng=evidence_rng)
        # One draft in progress, to show where a visitor continues.
        draft_location = db["locations"].get(location_ids[0])
        _insert_visit(db, rng, criteria, draft_location["id"], draft_location["type"], today - timedelta(days=1), TYPE_QUALITY["azc"], visiting_orgs[0]["id"], "draft", summary, partial=True, evidence_rng=evidence_rng)
        store.operator_organisation(db, DEMO_OPERATOR_ORGANISATION)  # the operator of most demo locations, whose manager replies
        summary["calibration_pairs"] = _calibration_pairs(db, criteria, location_ids, visiting_orgs[0]["id"], today, seed)
        store.set_meta(db, "demo_loaded", store.now())
    return summary


def _insert_visit(db, rng, criteria, location_id, location_type, day, quality, organisation_id, status, summary, partial=False, evidence_rng=None):
    stamp = f"{day.isoformat()}T16:00:00+00:00"
    amv_resident = _amv_resident(rng, location_type)
    facts = {"amv_present": amv_resident}
    answers = generate_answers(rng, criteria, location_type, quality, facts=facts, evidence_rng=evidence_rng)
    if partial:
        first_domains = {d.id for d in applicable_domains(criteria, location_type, facts)[:3]}
        answers = {cid: a for cid, a in answers.items() if cid.split(".")[0] in first_domains}
    visit_id = db["visits"].insert(
        {
            "location_id": location_id,
            "organisation_id": organisation_id,
            "visit_date": day.isoformat(),
            "visitors": rng.choice(["A.B., K.L.", "M.d.V.", "S.J., P.R.", "T.H."]),
            "announced": 1 if rng.random() < 0.8 else 0,
            "children_present": rng.randint(5, 60),
            "amv_present": min(amv_resident, rng.randint(0, 8)),
            "amv_resident": amv_resident,
            "impression": rng.choice(
                [
                    "Rustige sfeer, medewerkers betrokken. Speelruimte was open.",
                    "Locatie vol; gezinnen wonen dicht op elkaar. Weinig privacy.",
                    "Verbeteringen zichtbaar sinds vorig bezoek, onderwijs nog een knelpunt.",
                    "Sobere voorzieningen, veel onrust door verhuizingen.",
                ]
            ),
            "status": status,
            "criteria_hash": criteria.hash,
            "current_domain": None,
            "version": 1,
            "created_at": stamp,
            "updated_at": stamp,
            "submitted_at": stamp if status == "submitted" else None,
        }
    ).last_pk
    db["answers"].insert_all(
        ({"visit_id": visit_id, "criterion_id": cid, **a, "rev": 1, "updated_at": stamp} for cid, a in answers.items()),
        batch_size=500,
    )
    if status == "submitted":
        for age_band, domain_id, text in rng.sample(VOICES, rng.randint(0, 2)):
            db["child_voices"].insert({"visit_id": visit_id, "age_band": age_band, "domain_id": domain_id, "text": text, "created_at": stamp})
    summary["visits"] += 1
    summary["answers"] += len(answers)
    return visit_id


# -- calibration pairs ------------------------------------------------------------------

CALIBRATION_PAIRS = 5  # demo locations that get a second visit a few days after their latest one
CALIBRATION_VAGUE_SHARE = 0.1  # criteria whose guidance two visitors read differently
STEP = {"meets": ("partly",), "partly": ("meets", "fails"), "fails": ("partly",)}


def _calibration_pairs(db, criteria: Criteria, location_ids: list[int], organisation_id: int, today: date, seed: int) -> int:
    """Pairs of a latest visit and a second one by another visitor 1-4 days later, with a
    believable spread: most criteria agree; a fixed tenth of them (vague guidance) is read
    one step apart in most pairs; elsewhere one answer in twenty differs, and one
    in fifty the second visitor could not assess. An own random
    generator; both visits of a pair are made De Vrolijkheid's, so its coordinator sees them."""
    rng = random.Random(seed + 11)
    ids = [c.id for d in criteria.domains for c in d.criteria]
    vague = set(rng.sample(ids, max(1, round(CALIBRATION_VAGUE_SHARE * len(ids)))))
    made = 0
    for location_id in location_ids:
        if made == CALIBRATION_PAIRS:
            break
        location = db["locations"].get(location_id)
        rows = list(db.query("select * from visits where location_id = ? and status = 'submitted' order by visit_date desc, id desc limit 1", [location_id]))
        if location["closed_on"] or not rows:
            continue
        first = rows[0]
        day = min(date.fromisoformat(first["visit_date"]) + timedelta(days=rng.randint(1, 4)), today)
        stamp = f"{day.isoformat()}T16:00:00+00:00"
        second = dict(first, id=None, organisation_id=organisation_id, visit_date=day.isoformat(), visitors=rng.choice(["R.K.", "J.v.D.", "L.M."]), created_at=stamp, updated_at=stamp, submitted_at=stamp)
        second.pop("id")
        db.execute("update visits set organisation_id = ? where id = ?", [organisation_id, first["id"]])
        visit_id = db["visits"].insert(second).last_pk
        answers = []
        for row in db.query("select * from answers where visit_id = ?", [first["id"]]):
            criterion = criteria.criterion(row["criterion_id"])
            answer = {k: row[k] for k in ("value", "number", "note")}
            evidence = {k: row.get(k) for k in ("evidence", "children_n", "parents_n")}  # what both went by
            roll = rng.random()
            if criterion is not None and roll < (0.6 if criterion.id in vague else 0.05):
                answer = _other_reading(rng, criterion, answer)
            elif roll > 0.98:  # the second visitor could not assess it
                answer = {"value": "unknown", "number": None, "note": None}
                evidence = {"evidence": None, "children_n": None, "parents_n": None}
            answers.append({"visit_id": visit_id, "criterion_id": row["criterion_id"], **answer, **evidence, "rev": 1, "updated_at": stamp})
        db["answers"].insert_all(answers)
        db["calibration_pairs"].insert(
            {"visit_a": first["id"], "visit_b": visit_id, "location_id": location_id, "organisation_id": organisation_id, "created_by": None, "created_at": stamp}
        )
        made += 1
    return made


def _other_reading(rng: random.Random, criterion, answer: dict) -> dict:
    """The same place seen by a second visitor who reads the criterion one step differently."""
    from checklist.core.scoring import AnswerValue
    from checklist.core.scoring import resolve

    result = resolve(criterion, AnswerValue(answer["value"], answer["number"]))
    if result not in STEP:
        return answer
    other = rng.choice(STEP[result])
    note = rng.choice(NOTES[other]) if answer["note"] or rng.random() < 0.5 else None
    if criterion.kind == "count":
        return {"value": None, "number": _count_for(rng, criterion, other), "note": note}
    if criterion.kind == "yesno":
        return {"value": "no" if answer["value"] == "yes" else "yes", "number": None, "note": note}
    return {"value": other, "number": None, "note": note}


# -- the right of reply ------------------------------------------------------------------

DEMO_OPERATOR_ORGANISATION = "COA"
DEMO_OPERATOR_LOCATIONS = ("Azc Lindewaarde", "Azc Hoogveen")
DEMO_REPLY = {
    "stance": "agree",
    "text": "Dit klopt; de ruimte was die week dicht door personeelstekort.",
    "change": "Vaste openingstijden op alle middagen, met een tweede medewerker.",
}


def load_demo_replies(db: Database, operator_id: int, organisation: str = "De Vrolijkheid", today: date | None = None) -> int:
    """Link the demo operator to two COA locations and send the findings of the latest visit
    of `organisation` to one of them, with one reply (agreed, with a plan): what `make run`
    shows of the right of reply. Needs the stored scores (run after `recompute_scores`)."""
    today = today or date.today()
    org_id = store.organisation_id(db, organisation)
    ids = [r["id"] for r in db.query(f"select id from locations where name in ({', '.join('?' for _ in DEMO_OPERATOR_LOCATIONS)}) order by id", list(DEMO_OPERATOR_LOCATIONS))]
    store.update_operator(db, operator_id, ids, True)
    visits = list(
        db.query(
            "select id from visits where location_id = ? and organisation_id = ? and status = 'submitted' order by visit_date desc, id desc limit 1",
            [ids[0], org_id],
        )
    )
    if not visits:
        return 0
    send_id = store.send_findings(db, visits[0]["id"], (today + timedelta(weeks=4)).isoformat())
    first = store.send_findings_rows(db, send_id)[0]
    user = store.get_user(db, operator_id)
    plan = {**DEMO_REPLY, "plan_date": (today + timedelta(weeks=8)).isoformat()}
    return store.add_replies(db, send_id, {first["id"]: plan}, lambda finding: 1, user)
