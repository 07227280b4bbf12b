"""The command line: init-db, demo-data (once only) and the PDF report."""

from __future__ import annotations

from datetime import date

from checklist.store.connection import connect
from tests.conftest import pdftotext
from tests.conftest import query
from tests.conftest import real_app


def test_init_db(runner):
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0 and "up to date" in result.output


def test_demo_data_loads_once(tmp_path):
    app = real_app(tmp_path)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo-data"])
    assert first.exit_code == 0, first.output
    db = connect(app.config["DATABASE"])
    counts = {t: db[t].count for t in ("locations", "visits", "answers")}
    second = runner.invoke(args=["demo-data"])
    assert second.exit_code == 0 and "no demo data added" in second.output
    assert {t: db[t].count for t in ("locations", "visits", "answers")} == counts
    types = {r["type"] for r in db.query("select distinct type from locations")}
    assert types == {t.id for t in app.extensions["criteria"].location_types}
    assert counts["locations"] >= 12
    db.conn.close()


DEMO_ROWS = """select l.name, v.visit_date, v.status, a.criterion_id, a.value, a.number, a.note
                from answers a join visits v on v.id = a.visit_id join locations l on l.id = v.location_id
                order by l.name, v.visit_date, a.criterion_id"""


def test_demo_data_is_the_same_for_the_same_seed(tmp_path):
    """`demo-data --seed N` twice gives the same data set; another seed another one."""
    made = {}
    for name, seed in (("first", "5"), ("again", "5"), ("other", "6")):
        (tmp_path / name).mkdir()
        app = real_app(tmp_path / name)
        result = app.test_cli_runner().invoke(args=["demo-data", "--seed", seed])
        assert result.exit_code == 0, result.output
        made[name] = query(app, DEMO_ROWS)
    assert len(made["first"]) > 500
    assert made["first"] == made["again"]
    assert made["first"] != made["other"]


def test_demo_data_has_a_believable_spread(tmp_path):
    """On a fixed day with the default seed, so the numbers checked are the same every run."""
    from checklist.commands.demo import load_demo_data
    from checklist.core.access import EVERYTHING
    from checklist.reports.visit_data import load_visit

    app = real_app(tmp_path)
    db = connect(app.config["DATABASE"])
    load_demo_data(db, app.extensions["criteria"], seed=2022, today=date(2026, 6, 1))
    rows = list(db.query("select v.id, l.type, v.visit_date from visits v join locations l on l.id = v.location_id where v.status = 'submitted'"))
    dates = sorted(r["visit_date"] for r in rows)
    assert (int(dates[-1][:4]) * 12 + int(dates[-1][5:7])) - (int(dates[0][:4]) * 12 + int(dates[0][5:7])) >= 20  # about two years
    scores, red_flags = {}, 0
    for row in rows:
        bundle = load_visit(db, row["id"], EVERYTHING)
        scores.setdefault(row["type"], []).append(bundle.score.score)
        red_flags += len(bundle.score.red_flags)
    mean = {t: sum(s) / len(s) for t, s in scores.items()}
    assert mean["noodopvang"] < mean["azc"] and mean["crisisnoodopvang"] < mean["azc"]
    assert red_flags >= 3
    assert list(db.query("select count(*) as n from visits where status = 'draft'"))[0]["n"] == 1
    db.conn.close()


def test_report_command_writes_a_readable_pdf(tmp_path, client, runner):
    from tests.conftest import create_location
    from tests.conftest import create_visit

    visit_id = create_visit(client, create_location(client, name="Azc Pdfstad"))
    client.post(f"/visits/{visit_id}/domains/play", data={"value_play__space": "partly", "note_play__space": "Speelkamer klein"})
    out = tmp_path / "visit.pdf"
    result = runner.invoke(args=["report", str(visit_id), "--out", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    text = pdftotext(out.read_bytes(), tmp_path)
    assert "Azc Pdfstad" in text and "Speelkamer klein" in text
    missing = runner.invoke(args=["report", "999", "--out", str(tmp_path / "x.pdf")])
    assert missing.exit_code != 0 and "no visit 999" in missing.output


def test_create_user_from_the_environment_or_refused(runner, monkeypatch, app):
    monkeypatch.setenv("CHECKLIST_PASSWORD", "een lang en ongewoon wachtwoord")
    ok = runner.invoke(args=["create-user", "Nieuw@Example.org", "--role", "coordinator", "--org", "War Child"])
    assert ok.exit_code == 0, ok.output
    assert "nieuw@example.org (coordinator, War Child)" in ok.output
    client = app.test_client()
    assert client.post("/login", data={"email": "nieuw@example.org", "password": "een lang en ongewoon wachtwoord"}).status_code == 302
    again = runner.invoke(args=["create-user", "nieuw@example.org", "--role", "visitor", "--org", "War Child"])
    assert again.exit_code == 1 and "exists" in again.output
    unknown = runner.invoke(args=["create-user", "x@example.org", "--role", "visitor", "--org", "Nergens"])
    assert unknown.exit_code == 1 and "unknown organisation" in unknown.output
    monkeypatch.setenv("CHECKLIST_PASSWORD", "password1234")
    weak = runner.invoke(args=["create-user", "y@example.org", "--role", "visitor", "--org", "War Child"])
    assert weak.exit_code == 1 and "common passwords" in weak.output


def test_create_user_prompts_for_the_password(runner, monkeypatch):
    monkeypatch.delenv("CHECKLIST_PASSWORD", raising=False)
    result = runner.invoke(args=["create-user", "p@example.org", "--role", "monitor", "--org", "UNICEF Nederland"], input="nog een lang wachtwoord\nnog een lang wachtwoord\n")
    assert result.exit_code == 0, result.output
    assert "Created account" in result.output


def test_demo_data_prints_one_account_per_role_once(tmp_path):
    app = real_app(tmp_path)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo-data"]).output
    for role in ("admin", "visitor", "coordinator", "monitor"):
        assert f"  {role:12} " in first
    email, password = next((line.split()[1], line.split()[2]) for line in first.splitlines() if line.strip().startswith("visitor"))
    assert app.test_client().post("/login", data={"email": email, "password": password}).status_code == 302
    assert "demo.invalid" not in runner.invoke(args=["demo-data"]).output
    # One demo admin is a system admin, so a newcomer can still do everything an admin can.
    email, password = next((line.split()[2], line.split()[3]) for line in first.splitlines() if line.strip().startswith("system admin"))
    system = app.test_client()
    assert system.post("/login", data={"email": email, "password": password}).status_code == 302
    assert system.get("/admin/organisations/").status_code == 200
    assert "War Child" in system.get("/admin/users/").get_data(as_text=True)


def test_system_admins_are_made_on_the_command_line(runner, monkeypatch, app):
    from tests.conftest import login

    visitor_a = query(app, "select id from users where email = 'visitor@a.test'")[0]["id"]
    monkeypatch.setenv("CHECKLIST_PASSWORD", "een lang en ongewoon wachtwoord")
    refused = runner.invoke(args=["create-user", "s@example.org", "--role", "visitor", "--org", "War Child", "--system-admin"])
    assert refused.exit_code == 2 and "role admin" in refused.output
    made = runner.invoke(args=["create-user", "s@example.org", "--role", "admin", "--org", "War Child", "--system-admin"])
    assert made.exit_code == 0 and "system admin" in made.output, made.output
    system = login(app.test_client(), "s@example.org", "een lang en ongewoon wachtwoord")
    assert system.get(f"/admin/users/{visitor_a}").status_code == 200  # another organisation's account
    assert system.post("/admin/organisations/", data={"name": "Nieuwe organisatie"}).status_code == 302

    admin_b = login(app.test_client(), "admin@b.test")
    assert admin_b.get(f"/admin/users/{visitor_a}").status_code == 404
    promoted = runner.invoke(args=["make-system-admin", "admin@b.test"])
    assert promoted.exit_code == 0 and "admin@b.test is now a system admin" in promoted.output
    assert admin_b.get("/locations/").status_code == 302  # a change of rights ends the sessions
    assert login(app.test_client(), "admin@b.test").get(f"/admin/users/{visitor_a}").status_code == 200
    revoked = runner.invoke(args=["make-system-admin", "admin@b.test", "--revoke"])
    assert revoked.exit_code == 0 and "no longer" in revoked.output
    assert login(app.test_client(), "admin@b.test").get(f"/admin/users/{visitor_a}").status_code == 404
    assert query(app, "select role from users where email = 'admin@b.test'") == [{"role": "admin"}]
    assert runner.invoke(args=["make-system-admin", "niemand@example.org"]).exit_code == 1


def test_demo_data_mixes_criteria_versions_as_a_real_database_does(tmp_path):
    """Older demo visits were made with the archived 2026.1, recent ones with the current
    file; each visit page renders with its own version and the amv domain follows the
    recorded number of unaccompanied minors living there."""
    from tests.conftest import login
    from tests.conftest import add_users

    app = real_app(tmp_path)
    assert app.test_cli_runner().invoke(args=["demo-data"]).exit_code == 0
    add_users(app)
    versions = query(app, "select cv.version, count(*) as n from visits v join criteria_versions cv on cv.hash = v.criteria_hash group by cv.version")
    by_version = {r["version"]: r["n"] for r in versions}
    current = app.extensions["criteria"].version
    assert set(by_version) == {"2026.1", current} and current != "2026.1"
    assert min(by_version.values()) >= 10
    client = login(app.test_client(), "monitor@m.test")
    for version in by_version:
        visit_id = query(app, "select v.id from visits v join criteria_versions cv on cv.hash = v.criteria_hash where cv.version = ? and v.status = 'submitted' limit 1", (version,))[0]["id"]
        page = client.get(f"/visits/{visit_id}")
        assert page.status_code == 200 and version in page.get_data(as_text=True)
    none_living = query(app, "select count(*) as n from visits where amv_resident = 0")[0]["n"]
    some_living = query(app, "select count(*) as n from visits v join locations l on l.id = v.location_id where amv_resident > 0 and l.type != 'amv_kleinschalig'")[0]["n"]
    assert none_living >= 5 and some_living >= 5
