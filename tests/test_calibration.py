"""Calibration pairs through the doors people use: pairing (and refusing), the blind
rule on every page that could show the other visit, the pair page, its PDF and the
criteria ranked by agreement."""

from __future__ import annotations

import pytest

from checklist import store
from checklist.core import calibration
from checklist.core.calibration import Workers
from checklist.store.connection import connect
from tests.conftest import PASSWORD
from tests.conftest import create_location
from tests.conftest import create_visit
from tests.conftest import flat
from tests.conftest import login
from tests.conftest import pdftotext
from tests.conftest import query
from tests.conftest import save

SECRET_B = "GEHEIM-VAN-B speelkamer dicht"
NOTE_A = "Notitie van A over de speelkamer"


def add_visitor(app, email="visitor2@a.test", name="Wim Tweede", organisation_id=1):
    from checklist.views.common import hash_password

    with app.app_context():
        db = connect(app.config["DATABASE"])
        store.create_user(db, email, name, organisation_id, "visitor", hash_password(PASSWORD))
        db.conn.close()
    return login(app.test_client(), email)


@pytest.fixture
def pair_world(app):
    """Visitor A's draft (15 Jan) and visitor B's submitted visit two days earlier (13 Jan),
    at one location of organisation 1: B is what A's checklist would show as the previous visit."""
    a = login(app.test_client(), "visitor@a.test")
    b = add_visitor(app)
    coordinator = login(app.test_client(), "coordinator@a.test")
    location = create_location(a, name="Azc Kalibratie")
    visit_b = create_visit(b, location, visit_date="2026-01-13", visitors="W.T.")
    b.post(f"/visits/{visit_b}/domains/play", data={"value_play__space": "fails", "note_play__space": SECRET_B, "value_play__outdoor": "yes"})
    b.post(f"/visits/{visit_b}/domains/safety", data={"value_safety__fire": "yes", "number_safety__moves": "1"})
    b.post(f"/visits/{visit_b}/actions", data={"criterion_id": "play.space", "what": "Actie van B: speelkamer openen", "owner": "COA", "due_on": "2026-02-01"})
    assert b.post(f"/visits/{visit_b}/submit").status_code == 303
    visit_a = create_visit(a, location, visit_date="2026-01-15", visitors="V.V.")
    a.post(f"/visits/{visit_a}/domains/play", data={"value_play__space": "partly", "note_play__space": NOTE_A, "value_play__outdoor": "yes"})
    a.post(f"/visits/{visit_a}/domains/safety", data={"value_safety__fire": "yes", "number_safety__moves": "1"})
    return {"a": a, "b": b, "coordinator": coordinator, "location": location, "visit_a": visit_a, "visit_b": visit_b}


def make_pair(w) -> int:
    response = w["coordinator"].post(f"/visits/{w['visit_a']}/calibration", data={"other": str(w["visit_b"])})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return int(response.location.rstrip("/").split("/")[-1])


def text(client, url) -> str:
    response = client.get(url)
    return response.get_data(as_text=True) if response.status_code == 200 else ""


# -- pairing ----------------------------------------------------------------------------


def test_coordinator_pairs_from_a_form_listing_the_eligible_visits(app, pair_world):
    w = pair_world
    page = text(w["coordinator"], f"/visits/{w['visit_a']}")
    assert f"/visits/{w['visit_a']}/calibration" in page
    form = text(w["coordinator"], f"/visits/{w['visit_a']}/calibration")
    assert f'name="other" value="{w["visit_b"]}"' in form
    pair_id = make_pair(w)
    rows = query(app, "select * from calibration_pairs")
    assert [(r["id"], r["visit_a"], r["visit_b"], r["location_id"], r["organisation_id"]) for r in rows] == [
        (pair_id, min(w["visit_a"], w["visit_b"]), max(w["visit_a"], w["visit_b"]), w["location"], 1)
    ]
    assert query(app, "select action from audit_log where entity = 'calibration_pair'") == [{"action": "create"}]
    # Paired once: the form now leads to the pair, and a second pair with it is refused.
    assert w["coordinator"].get(f"/visits/{w['visit_a']}/calibration").status_code == 302


def test_visitors_and_monitors_cannot_pair(app, pair_world):
    w = pair_world
    for client in (w["a"], login(app.test_client(), "monitor@m.test")):
        assert client.post(f"/visits/{w['visit_a']}/calibration", data={"other": str(w["visit_b"])}).status_code == 404
        assert client.get("/calibration/").status_code == 404
    assert "/calibration/" not in text(w["a"], "/locations/")
    assert query(app, "select * from calibration_pairs") == []


def test_refused_with_reasons(app, pair_world):
    w = pair_world
    w["coordinator"].set_cookie("lang", "en")
    same_visitor = create_visit(w["a"], w["location"], visit_date="2026-01-16")
    far = create_visit(login(app.test_client(), "visitor2@a.test"), w["location"], visit_date="2026-02-20")
    form = text(w["coordinator"], f"/visits/{w['visit_a']}/calibration")
    assert "made by the same account" in form and "more than 7 days apart" in form
    for other in (same_visitor, far, 999999):
        response = w["coordinator"].post(f"/visits/{w['visit_a']}/calibration", data={"other": str(other)})
        assert response.status_code == 400
    page = w["coordinator"].post(f"/visits/{w['visit_a']}/calibration", data={"other": str(far)}).get_data(as_text=True)
    assert "These two visits cannot be paired: more than 7 days apart" in page
    # Another organisation's coordinator does not see the visit at all.
    other_org = login(app.test_client(), "coordinator@b.test")
    assert other_org.post(f"/visits/{w['visit_a']}/calibration", data={"other": str(w["visit_b"])}).status_code == 404
    assert query(app, "select * from calibration_pairs") == []


def test_pair_rules_pure():
    visit = {"id": 1, "location_id": 5, "organisation_id": 1, "visit_date": "2026-01-01", "criteria_hash": "h"}
    ok = dict(visit, id=2, visit_date="2026-01-08")
    assert calibration.pair_problems(visit, ok, Workers(10, frozenset({10})), Workers(11, frozenset({11}))) == []
    assert calibration.pair_problems(visit, dict(ok, visit_date="2026-01-09"), Workers(10), Workers(11)) == [calibration.TOO_FAR_APART]
    assert calibration.pair_problems(visit, dict(ok, criteria_hash="other"), Workers(10), Workers(11)) == [calibration.OTHER_CRITERIA]
    assert calibration.pair_problems(visit, dict(ok, location_id=6), Workers(10), Workers(11)) == [calibration.OTHER_LOCATION]
    assert calibration.pair_problems(visit, ok, Workers(10), Workers(10)) == [calibration.SAME_CREATOR]
    assert calibration.pair_problems(visit, ok, Workers(10, frozenset({10, 12})), Workers(11, frozenset({11, 12}))) == [calibration.SHARED_WORKER]
    assert calibration.pair_problems(visit, ok, Workers(None), Workers(11)) == [calibration.CREATOR_UNKNOWN]
    assert calibration.pair_problems(visit, ok, Workers(10), Workers(11), paired=[2]) == [calibration.ALREADY_PAIRED]
    assert calibration.pair_problems(visit, visit, Workers(10), Workers(10)) == [calibration.SAME_VISIT]


def test_blind_visits_pure():
    assert calibration.blind_visits([(1, 2), (3, 4)], worked_on={1}) == {2}
    assert calibration.blind_visits([(1, 2), (3, 4)], worked_on={4, 1}) == {2, 3}
    assert calibration.blind_visits([(1, 2)], worked_on={1, 2}) == frozenset()
    assert calibration.blind_visits([(1, 2)], worked_on={7}) == frozenset()


# -- blind --------------------------------------------------------------------------------


def doors(w, other: int, own: int) -> dict[str, str]:
    """Every page a visitor working on `own` could see the other visit through, as text."""
    c, loc = w["a"] if own == w["visit_a"] else w["b"], w["location"]
    return {
        "location page": text(c, f"/locations/{loc}"),
        "trend chart": text(c, f"/locations/{loc}/trend.svg"),
        "own visit page": text(c, f"/visits/{own}"),
        "own checklist (previous answers)": text(c, f"/visits/{own}/domains/play"),
        "own review": text(c, f"/visits/{own}/review"),
        "overview": text(c, "/compare/"),
        "side by side": text(c, f"/compare/side?location={loc}"),
        "other visit page": text(c, f"/visits/{other}"),
        "other review": text(c, f"/visits/{other}/review"),
        "other checklist": text(c, f"/visits/{other}/domains/play"),
        "other chart": text(c, f"/visits/{other}/chart.svg"),
        "pair list": text(c, "/calibration/"),
    }


def test_visitor_a_sees_nothing_of_b_while_the_pair_is_open(app, pair_world, tmp_path):
    w = pair_world
    a = w["a"]
    # Before pairing, A's checklist shows B's submitted answer as the previous visit: the door exists.
    assert SECRET_B in text(a, f"/visits/{w['visit_a']}/domains/play")
    pair_id = make_pair(w)
    for door, page in doors(w, other=w["visit_b"], own=w["visit_a"]).items():
        assert SECRET_B not in page, door
        assert f"/visits/{w['visit_b']}\"" not in page, door
        assert "Actie van B" not in page, door
    for url in (f"/visits/{w['visit_b']}", f"/visits/{w['visit_b']}/report.pdf", f"/visits/{w['visit_b']}/chart.svg", f"/calibration/{pair_id}", f"/calibration/{pair_id}/report.pdf"):
        assert a.get(url).status_code == 404, url
    assert a.post(f"/visits/{w['visit_b']}/domains/play/answers", data={"value_play__outdoor": "no"}, headers={"Accept": "application/json"}).status_code == 404
    # A's own PDF does not name B as the previous visit nor list B's action.
    own_pdf = flat(pdftotext(a.get(f"/visits/{w['visit_a']}/report.pdf").data, tmp_path))
    assert SECRET_B not in own_pdf and "Actie van B" not in own_pdf and "13 januari 2026" not in own_pdf
    # A is told why.
    assert "hoort bij een blind kalibratiepaar" in text(a, f"/visits/{w['visit_a']}")


def test_visitor_b_does_not_see_a_draft_either(app, pair_world):
    w = pair_world
    make_pair(w)
    for door, page in doors(w, other=w["visit_a"], own=w["visit_b"]).items():
        assert NOTE_A not in page, door
        assert f"/visits/{w['visit_a']}\"" not in page, door


def test_coordinator_sees_both_and_colleagues_not_in_the_pair_are_not_blinded(app, pair_world):
    w = pair_world
    pair_id = make_pair(w)
    coordinator = w["coordinator"]
    assert SECRET_B in text(coordinator, f"/visits/{w['visit_a']}/domains/play")
    assert NOTE_A in text(coordinator, f"/calibration/{pair_id}")
    location = text(coordinator, f"/locations/{w['location']}")
    assert f"/visits/{w['visit_a']}\"" in location and f"/visits/{w['visit_b']}\"" in location
    # A colleague who worked on neither visit is not being calibrated.
    colleague = add_visitor(app, "visitor3@a.test", "Cas Collega")
    assert colleague.get(f"/visits/{w['visit_b']}").status_code == 200
    assert colleague.get(f"/calibration/{pair_id}").status_code == 404  # open pairs: coordinators only


def test_exports_of_a_blinded_coordinator_are_whole(app, pair_world):
    """Coordinators are never blinded; visitors have no exports (404), so the exports need no rule of their own."""
    w = pair_world
    make_pair(w)
    assert w["a"].get("/exports/answers.csv").status_code == 404
    assert SECRET_B in w["coordinator"].get("/exports/answers.csv").get_data(as_text=True)


def test_both_submitted_both_see_both_and_agreement(app, pair_world, tmp_path):
    w = pair_world
    pair_id = make_pair(w)
    assert w["a"].post(f"/visits/{w['visit_a']}/submit").status_code == 303
    a = w["a"]
    a.set_cookie("lang", "en")
    assert SECRET_B in text(a, f"/visits/{w['visit_b']}")
    assert NOTE_A in text(w["b"], f"/visits/{w['visit_a']}")
    page = text(a, f"/calibration/{pair_id}")
    # play.space partly vs fails differ; play.outdoor, safety.fire, safety.moves agree: 3 of 4 = 75%.
    # Overall alpha by hand: values (1,0), (2,2), (2,2), (2,2) -> o22 = 6, o10 = o01 = 1;
    # n0 = 1, n1 = 1, n2 = 6, n = 8. d(0,1) = (2 - 1)^2 = 1, d(0,2) = (8 - 3.5)^2 = 20.25,
    # d(1,2) = (7 - 3.5)^2 = 12.25. Observed 2 * 1 = 2; expected 2 * (1 + 121.5 + 73.5) = 392.
    # alpha = 1 - 7 * 2 / 392 = 0.964.
    assert "75% (3)" in page and "0.96" in page
    assert SECRET_B in page and NOTE_A in page  # both notes side by side where they differ
    assert page.index("Play") < page.index(SECRET_B)
    pdf = flat(pdftotext(a.get(f"/calibration/{pair_id}/report.pdf").data, tmp_path))
    assert "Calibration report" in pdf and "Azc Kalibratie" in pdf
    assert SECRET_B in pdf and NOTE_A in pdf and "75% (3)" in pdf and "0.96" in pdf


def test_calibration_pdf_in_dutch_escapes_user_text(app, pair_world, tmp_path):
    w = pair_world
    hostile = '<b>vet</b> & <font size=40>GROOT</font> <img src="/etc/hostname"/>'
    save(w["a"], w["visit_a"], "play", {"value_play__space": "partly", "note_play__space": hostile, "value_play__outdoor": "yes"})
    pair_id = make_pair(w)
    pdf = flat(pdftotext(w["coordinator"].get(f"/calibration/{pair_id}/report.pdf").data, tmp_path))
    assert "Kalibratierapport" in pdf and "Nog niet compleet" in pdf
    assert flat(hostile) in pdf
    assert "&lt;b&gt;vet&lt;/b&gt;" in w["coordinator"].get(f"/calibration/{pair_id}").get_data(as_text=True)


def test_ranking_lists_criteria_lowest_agreement_first(app, pair_world):
    w = pair_world
    pair_id = make_pair(w)
    coordinator = w["coordinator"]
    coordinator.set_cookie("lang", "en")
    assert "No complete calibration pairs yet" in text(coordinator, "/calibration/")
    w["a"].post(f"/visits/{w['visit_a']}/submit")
    page = text(coordinator, "/calibration/")
    ranking = page[page.index('id="ranking"') : page.index('How agreement is measured')]
    assert ranking.index("play.space") < ranking.index("play.outdoor")
    assert f"/calibration/{pair_id}" in page and "Both submitted" in page
    assert "/calibration/" in text(coordinator, "/locations/")  # in the coordinator's navigation


def test_demo_data_has_calibration_pairs_with_a_believable_spread(tmp_path):
    """Five complete pairs; most answers agree, and a few criteria disagree in most pairs."""
    from datetime import date

    from checklist.commands.demo import load_demo_data
    from checklist.reports.calibration_data import criteria_ranking
    from checklist.core.access import Scope
    from tests.conftest import real_app

    app = real_app(tmp_path)
    db = connect(app.config["DATABASE"])
    summary = load_demo_data(db, app.extensions["criteria"], seed=2022, today=date(2026, 6, 1))
    assert summary["calibration_pairs"] == 5
    ranking, pairs = criteria_ranking(db, Scope(organisation_id=1), "nl")
    assert pairs == 5
    both = sum(r.agreement.both for r in ranking)
    identical = sum(r.agreement.identical for r in ranking)
    assert 0.75 < identical / both < 0.95
    assert ranking[0].agreement.share <= 0.4  # a criterion read differently in most pairs
    assert ranking[0].agreement.both >= 3  # ... in enough pairs to mean something
    assert sum(1 for r in ranking if r.agreement.share == 1.0) > len(ranking) / 2
    # Criteria both visitors assessed in fewer than 3 pairs come after every other one.
    few = [r.few for r in ranking if r.agreement.share is not None]
    assert few == sorted(few) and any(few)
    db.conn.close()


def test_an_action_checked_in_the_hidden_visit_stays_open_to_the_other_visitor(app, tmp_path):
    """Issue 23 §3: while a pair is open, B's judgement of an earlier action (done, not done)
    does not reach A: on the earlier visit's page and PDF, and in A's own checklist, the
    action is open as before; once both have submitted, A sees what B found."""
    a = login(app.test_client(), "visitor@a.test", lang="en")
    b = add_visitor(app)
    b.set_cookie("lang", "en")
    coordinator = login(app.test_client(), "coordinator@a.test", lang="en")
    location = create_location(coordinator, name="Azc Opvolging")
    earlier = create_visit(coordinator, location, visit_date="2026-01-05", visitors="C.C.")
    coordinator.post(f"/visits/{earlier}/domains/play", data={"value_play__space": "fails", "value_play__outdoor": "yes"})
    coordinator.post(f"/visits/{earlier}/actions", data={"criterion_id": "play.space", "what": "Speelkamer elke middag open", "owner": "COA", "due_on": "2026-02-01"})
    assert coordinator.post(f"/visits/{earlier}/submit").status_code == 303
    (action,) = query(app, "select id from actions")
    visit_a = create_visit(a, location, visit_date="2026-01-15", visitors="V.V.")
    visit_b = create_visit(b, location, visit_date="2026-01-14", visitors="W.T.")
    assert coordinator.post(f"/visits/{visit_a}/calibration", data={"other": str(visit_b)}).status_code == 303

    for status in ("not_done", "done"):  # B judges it at B's visit, twice
        response = b.post(f"/actions/{action['id']}/status", data={"status": status, "visit_id": str(visit_b), "return_to": "checklist"})
        assert response.status_code == 303
    assert query(app, "select status, closed_in_visit_id from actions") == [{"status": "done", "closed_in_visit_id": visit_b}]

    pages = {
        "earlier visit page": text(a, f"/visits/{earlier}"),
        "A's checklist": text(a, f"/visits/{visit_a}/domains/play"),
        "location page": text(a, f"/locations/{location}"),
    }
    for door, page in pages.items():
        assert "Speelkamer elke middag open" in page, door
        assert 'class="tag">Done' not in page and 'class="tag">Not done' not in page, door
        assert "2026-01-14" not in page, door
    assert 'class="tag">Open' in pages["earlier visit page"]
    assert f'action="/actions/{action["id"]}/status"' in pages["A's checklist"]  # A can still check it
    pdf = flat(pdftotext(a.get(f"/visits/{earlier}/report.pdf").data, tmp_path))
    after = pdf.split("Speelkamer elke middag open")[1][:150]
    assert "Open" in after and "Done" not in after and "14 January 2026" not in pdf, after

    # B sees its own judgement; once both have submitted, A does too.
    assert "Done – at the visit of 2026-01-14" in flat(text(b, f"/visits/{earlier}"))
    for client, visit in ((a, visit_a), (b, visit_b)):
        client.post(f"/visits/{visit}/domains/safety", data={"value_safety__fire": "yes", "number_safety__moves": "1"})
        assert client.post(f"/visits/{visit}/submit").status_code == 303
    assert "Done – at the visit of 2026-01-14" in flat(text(a, f"/visits/{earlier}"))
