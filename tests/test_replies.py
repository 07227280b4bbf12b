"""The right of reply and the follow-up cycle through the doors people use: a coordinator sends
a visit's findings, the operator replies (agree with a plan, or disagree), the coordinator
reviews, the deadline makes the report final, a later visit re-checks (through `replaces:`),
the visit page and both PDFs show the replies, the monitor report counts them, and the
planning page lists what to visit next."""

from __future__ import annotations

import re

import pytest

from checklist import create_app
from tests.conftest import TESTS
from tests.conftest import add_users
from tests.conftest import answer
from tests.conftest import create_location
from tests.conftest import create_visit
from tests.conftest import flat
from tests.conftest import invite_operator
from tests.conftest import login
from tests.conftest import make_config
from tests.conftest import operator_login
from tests.conftest import pdftotext
from tests.conftest import query
from tests.conftest import submit

RED = str(TESTS / "criteria_red.yaml")


@pytest.fixture
def app(tmp_path):
    app = create_app(make_config(tmp_path, CRITERIA_PATH=RED))
    add_users(app)
    return app


def submitted_visit(app, location, date="2026-03-01", space="partly", outdoor="no", fire="yes", org_email="visitor@a.test") -> int:
    visitor = login(app.test_client(), org_email)
    visit = create_visit(visitor, location, visit_date=date)
    fields = {"value_play__space": space, "note_play__space": "Speelkamer alleen op woensdag open"}
    fields["value_play__outdoor"] = outdoor
    answer(visitor, visit, "play", **fields)
    answer(visitor, visit, "safety", value_safety__fire=fire, note_safety__fire="Nooduitgang vrij")
    submit(visitor, visit)
    return visit


@pytest.fixture
def sent(app):
    """A location run by an operator; a visit with two findings (play.space partly, play.outdoor
    not met), sent for reply; the operator signed in (with a second factor)."""
    coordinator = login(app.test_client(), "coordinator@a.test", lang="en")
    location = create_location(coordinator, name="Azc Weerwoord")
    password = invite_operator(app, [location])
    visit = submitted_visit(app, location)
    response = coordinator.post(f"/visits/{visit}/send", data={"reply_due": "2099-01-01"})
    assert response.status_code == 303
    send_id = int(response.location.rsplit("/", 1)[-1])
    operator = operator_login(app, password=password)
    operator.set_cookie("lang", "en")
    findings = {r["criterion_id"]: r["id"] for r in query(app, "select id, criterion_id from findings where send_id = ?", [send_id])}
    return {"location": location, "visit": visit, "send": send_id, "findings": findings, "coordinator": coordinator, "operator": operator}


def reply(client, send_id, finding_id, **fields):
    data = {f"{k}_{finding_id}": v for k, v in fields.items()}
    return client.post(f"/sent/{send_id}", data=data)


def test_only_the_criteria_not_or_partly_met_are_sent_as_they_were(app, sent):
    assert set(sent["findings"]) == {"play.space", "play.outdoor"}  # safety.fire was met
    rows = query(app, "select criterion_id, result, note from findings order by criterion_id")
    assert rows == [
        {"criterion_id": "play.outdoor", "result": "fails", "note": None},
        {"criterion_id": "play.space", "result": "partly", "note": "Speelkamer alleen op woensdag open"},
    ]
    # Once per visit.
    assert "sent already" in sent["coordinator"].post(f"/visits/{sent['visit']}/send", data={"reply_due": "2099-01-01"}, follow_redirects=True).get_data(as_text=True)
    # The operator was told by mail (queued in the send's transaction).
    mails = query(app, "select recipient, subject, body from mail_outbox where kind = 'findings_sent'")
    assert [m["recipient"] for m in mails] == ["olga@coa.example"]
    assert "Bevindingen ter reactie: Azc Weerwoord" in mails[0]["subject"] and "Findings for your reply: Azc Weerwoord" in mails[0]["subject"]
    assert f"/sent/{sent['send']}" in mails[0]["body"]


def test_a_reply_never_changes_the_finding_and_needs_a_plan_where_it_agrees(app, sent):
    before = (query(app, "select * from findings order by id"), query(app, "select * from answers order by 1, 2"), query(app, "select * from answer_results order by 1, 2"))
    op, send, space, outdoor = sent["operator"], sent["send"], sent["findings"]["play.space"], sent["findings"]["play.outdoor"]
    # Agreeing without what will change and a date is refused, with what was typed kept.
    response = reply(op, send, space, stance="agree", text="Klopt")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Say what will change." in page and "Give the date by which it will have changed." in page and "Klopt" in page
    assert not query(app, "select * from finding_replies")
    response = reply(op, send, space, stance="agree", text="Klopt", change="Elke middag open", plan="2026-01-01")
    assert response.status_code == 422 and "cannot be before the findings were sent" in response.get_data(as_text=True)
    assert reply(op, send, space, stance="agree", text="Klopt, wij passen het aan", change="Elke middag open", plan="2098-05-01").status_code == 303
    assert reply(op, send, outdoor, stance="disagree", text="Er is wel een buitenspeelplek, achter de sporthal.").status_code == 303
    stored = query(app, "select finding_id, round, stance, change, plan_date, organisation_id from finding_replies order by finding_id")
    coa = query(app, "select id from organisations where name = 'COA' and kind = 'operator'")[0]["id"]
    assert {(r["finding_id"], r["stance"], r["plan_date"], r["organisation_id"]) for r in stored} == {(space, "agree", "2098-05-01", coa), (outdoor, "disagree", None, coa)}
    after = (query(app, "select * from findings order by id"), query(app, "select * from answers order by 1, 2"), query(app, "select * from answer_results order by 1, 2"))
    assert after == before
    # Answered: a second post adds nothing, and the database refuses to rewrite a reply.
    reply(op, send, space, stance="disagree", text="Toch niet")
    assert len(query(app, "select * from finding_replies")) == 2
    from checklist.store.connection import connect

    db = connect(app.config["DATABASE"])
    with pytest.raises(Exception, match="never changed"):
        db.execute("update finding_replies set stance = 'disagree'")
    db.conn.close()


def test_the_replies_stand_beside_their_findings_on_the_visit_page_and_in_both_pdfs(app, sent, tmp_path):
    op, send = sent["operator"], sent["send"]
    reply(op, send, sent["findings"]["play.space"], stance="agree", text="Wij openen de speelkamer elke middag", change="Tweede medewerker", plan="2098-05-01")
    reply(op, send, sent["findings"]["play.outdoor"], stance="disagree", text="Er is wel een buitenspeelplek achter de hal")
    coordinator = sent["coordinator"]
    page = flat(re.sub(r"<[^>]+>", " ", coordinator.get(f"/visits/{sent['visit']}").get_data(as_text=True)))
    space_row = page.index("There is an indoor play space.")
    assert page.index("Reply of COA") > space_row and "Agrees. Wij openen de speelkamer elke middag" in page
    assert "Disagrees. Er is wel een buitenspeelplek achter de hal" in page
    for url in (f"/visits/{sent['visit']}/report.pdf", f"/visits/{sent['visit']}/report-short.pdf"):
        text = flat(pdftotext(coordinator.get(url).data, tmp_path))
        space = text.index("There is an indoor play space.")
        outdoor = text.index("There is a safe outdoor play area.")
        agreed = text.index("Agrees. Wij openen de speelkamer elke middag")
        disputed = text.index("Disagrees. Er is wel een buitenspeelplek achter de hal")
        assert space < agreed < outdoor < disputed, url  # each reply right under its own finding
        assert "What will change: Tweede medewerker. Plan date: 1 May 2098." in text, url
        assert re.search(r"Reply of COA, \d+ \w+ \d{4}: Agrees", text), url  # dated, with the operator's organisation


def test_after_the_deadline_the_report_says_no_reply_received_and_no_reply_is_taken(app, sent, tmp_path):
    query(app, "select 1")
    from checklist.store.connection import connect

    db = connect(app.config["DATABASE"])
    db.execute("update findings set reply_due = '2026-01-02'")  # the deadline has passed
    db.conn.close()
    assert reply(sent["operator"], sent["send"], sent["findings"]["play.space"], stance="disagree", text="Te laat").status_code in (200, 422)
    assert not query(app, "select * from finding_replies")
    text = flat(pdftotext(sent["coordinator"].get(f"/visits/{sent['visit']}/report.pdf").data, tmp_path))
    assert text.count("No reply received (deadline 2 January 2026).") == 2


def test_the_coordinator_accepts_a_plan_or_asks_once_more(app, sent):
    op, send, coordinator = sent["operator"], sent["send"], sent["coordinator"]
    space, outdoor = sent["findings"]["play.space"], sent["findings"]["play.outdoor"]
    reply(op, send, space, stance="agree", text="Klopt", change="Elke middag open", plan="2098-05-01")
    reply(op, send, outdoor, stance="disagree", text="Niet mee eens")
    assert coordinator.post(f"/findings/{space}/review", data={"review": "accepted"}).status_code == 303
    assert coordinator.post(f"/findings/{outdoor}/review", data={"review": "asked_again", "review_text": "Waar is die speelplek dan?"}).status_code == 303
    assert query(app, "select count(*) as n from mail_outbox where kind = 'asked_again'")[0]["n"] == 1
    page = op.get(f"/sent/{send}").get_data(as_text=True)
    assert "Waar is die speelplek dan?" in page and f'name="stance_{outdoor}"' in page and f'name="stance_{space}"' not in page
    assert reply(op, send, outdoor, stance="agree", text="U heeft gelijk", change="Hek plaatsen", plan="2098-07-01").status_code == 303
    assert query(app, "select round from finding_replies where finding_id = ? order by round", [outdoor]) == [{"round": 1}, {"round": 2}]
    # Once more only: no third round.
    assert f'name="stance_{outdoor}"' not in op.get(f"/sent/{send}").get_data(as_text=True)
    lines = flat(re.sub(r"<[^>]+>", " ", coordinator.get(f"/visits/{sent['visit']}", headers={"Cookie": "lang=en"}).get_data(as_text=True)))
    assert "Plan accepted by the coordinator on" in lines and "Second reply of COA" in lines


def test_a_later_visit_closes_a_finding_met_and_names_one_not_fixed(app, sent, tmp_path):
    op, send = sent["operator"], sent["send"]
    reply(op, send, sent["findings"]["play.space"], stance="agree", text="Klopt", change="Elke middag open", plan="2098-05-01")
    # The first re-check: play.space met (closed), play.outdoor still not met (open).
    submitted_visit(app, sent["location"], date="2026-06-01", space="meets", outdoor="no", org_email="visitor@b.test")
    rechecks = {r["criterion_id"]: r["result"] for r in query(app, "select f.criterion_id, c.result from finding_rechecks c join findings f on f.id = c.finding_id")}
    assert rechecks == {"play.space": "meets", "play.outdoor": "fails"}
    page = flat(re.sub(r"<[^>]+>", " ", sent["coordinator"].get(f"/locations/{sent['location']}").get_data(as_text=True)))
    assert "Not fixed at re-check on 1 June 2026." in page and "There is a safe outdoor play area." in page
    assert "Open findings sent for reply (1)" in page  # the met one is closed
    text = flat(pdftotext(sent["coordinator"].get(f"/visits/{sent['visit']}/report.pdf").data, tmp_path))
    assert "Fixed at re-check on 1 June 2026." in text and "Not fixed at re-check on 1 June 2026." in text
    # A visit from before the finding is no re-check, and reopening the re-check undoes it.
    later = query(app, "select id from visits where visit_date = '2026-06-01'")[0]["id"]
    login(app.test_client(), "coordinator@b.test").post(f"/visits/{later}/reopen", data={"reason": "Correctie"})
    assert not query(app, "select * from finding_rechecks")


def test_a_recheck_follows_replaces_across_criteria_versions(app, sent, tmp_path):
    # The same database under criteria version 2, where play.room continues play.space.
    v2 = create_app(make_config(tmp_path, CRITERIA_PATH=str(TESTS / "criteria_red_v2.yaml")))
    visitor = login(v2.test_client(), "visitor@a.test")
    visit = create_visit(visitor, sent["location"], visit_date="2026-07-01")
    answer(visitor, visit, "play", value_play__room="meets", value_play__outdoor="yes")
    submit(visitor, visit)
    rechecks = {r["criterion_id"]: r["result"] for r in query(v2, "select f.criterion_id, c.result from finding_rechecks c join findings f on f.id = c.finding_id")}
    assert rechecks == {"play.space": "meets", "play.outdoor": "meets"}


def test_a_failed_life_safety_criterion_escalates_on_both_start_pages_until_answered(app, sent):
    visit = submitted_visit(app, sent["location"], date="2026-08-01", fire="no")
    escalation = query(app, "select * from escalations where visit_id = ?", [visit])
    assert len(escalation) == 1 and escalation[0]["criterion_id"] == "safety.fire"
    from datetime import datetime

    hours = (datetime.fromisoformat(escalation[0]["due_at"]) - datetime.fromisoformat(escalation[0]["started_at"])).total_seconds() / 3600
    assert hours == 48
    recipients = sorted(m["recipient"] for m in query(app, "select recipient from mail_outbox where kind = 'escalation'"))
    assert recipients == ["coordinator@a.test", "olga@coa.example"]
    operator, coordinator = sent["operator"], sent["coordinator"]
    for client, url in ((operator, "/operator/"), (coordinator, "/locations/")):
        page = client.get(url).get_data(as_text=True)
        top = page.index("Life safety: act now")
        assert top < page.index("<h1"), url  # at the top, above the page's own heading
        assert "Escape routes are clear." in page, url
    response = operator.post(f"/escalations/{escalation[0]['id']}/answer", data={"answer": "Matrassen weggehaald, nooduitgang vrij"})
    assert response.status_code == 303
    assert "Life safety: act now" not in operator.get("/operator/").get_data(as_text=True)
    assert "Life safety: act now" not in coordinator.get("/locations/").get_data(as_text=True)
    assert "Matrassen weggehaald" in coordinator.get("/follow-up/").get_data(as_text=True)
    assert query(app, "select recipient from mail_outbox where kind = 'escalation_answered'") == [{"recipient": "coordinator@a.test"}]


def test_the_escalation_deadline_is_configurable(tmp_path):
    app = create_app(make_config(tmp_path, CRITERIA_PATH=RED, ESCALATION_HOURS=6))
    add_users(app)
    location = create_location(app.test_client(), name="Azc Zes")
    submitted_visit(app, location, fire="no")
    from datetime import datetime

    row = query(app, "select started_at, due_at from escalations")[0]
    assert (datetime.fromisoformat(row["due_at"]) - datetime.fromisoformat(row["started_at"])).total_seconds() == 6 * 3600


def test_the_monitor_report_counts_the_replies(app, sent, tmp_path):
    reply(sent["operator"], sent["send"], sent["findings"]["play.outdoor"], stance="disagree", text="Niet mee eens")
    monitor = login(app.test_client(), "monitor@m.test", lang="en")
    text = flat(pdftotext(monitor.get("/reports/monitor.pdf").data, tmp_path))
    section = text[text.index("Replies of the operators"):]
    assert "Findings put to operators 2 100%" in section
    assert "Answered in time 1 50%" in section and "Disputed by the operator 1 50%" in section
    assert "Reply still awaited 1 50%" in section and "Agreed, with a plan and a date 0" in section


def test_the_follow_up_page_shows_each_open_findings_cycle_overdue_first(app, sent):
    from checklist.store.connection import connect

    reply(sent["operator"], sent["send"], sent["findings"]["play.space"], stance="agree", text="Klopt", change="Open", plan="2098-05-01")
    db = connect(app.config["DATABASE"])
    db.execute("update findings set reply_due = '2026-01-02' where criterion_id = 'play.outdoor'")  # passed without a reply
    db.conn.close()
    page = sent["coordinator"].get("/follow-up/").get_data(as_text=True)
    rows = re.findall(r"<tr( class=\"overdue\")?>\s*<td>Azc Weerwoord</td>\s*<td>([^<]+)</td>", page)
    assert rows == [(' class="overdue"', "There is a safe outdoor play area."), ("", "There is an indoor play space.")]
    assert "no reply received" in page and "agreed, with a plan" in page and "2098-05-01" in page


# -- planning ------------------------------------------------------------------------------------


def test_planning_lists_locations_with_children_past_the_floor_first_and_exports_csv(app):
    coordinator = login(app.test_client(), "coordinator@a.test", lang="en")
    azc = create_location(coordinator, name="Azc Recent")
    nood = create_location(coordinator, name="=HYPERLINK(\"x\") Noodopvang", type="noodopvang")
    never = create_location(coordinator, name="Azc Nooit")
    create_location(coordinator, name="Azc Zonder kinderen", children="0")
    from datetime import date
    from datetime import timedelta

    submitted_visit(app, azc, date=(date.today() - timedelta(days=20)).isoformat())
    submitted_visit(app, nood, date=(date.today() - timedelta(days=300)).isoformat(), fire="no")
    page = coordinator.get("/planning/").get_data(as_text=True)
    names = re.findall(r'<a href="/locations/(\d+)">', page)
    assert [int(n) for n in names] == [nood, never, azc]  # past the floor (emergency first), then the rest
    assert page.count("past the floor") == 2 + 1  # two rows and the hint's words
    assert re.search(rf'/locations/{nood}">.*?</td>.*?<td>9</td>.*?<td>test.1-red</td>\s*<td>1</td>', page, re.S)  # months, version, an open escalation
    # Another floor.
    assert [int(n) for n in re.findall(r'<a href="/locations/(\d+)">', coordinator.get("/planning/?floor=12").get_data(as_text=True))][0] == never
    csv = coordinator.get("/planning/planning.csv")
    assert csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("location_id,location,type")
    assert any(line.startswith(f'{nood},"\'=HYPERLINK(""x"") Noodopvang"') for line in lines), lines  # a formula written as text
    assert len(lines) == 4  # no location without children
