"""One rule per fact: the results stored at submission are those the visit page shows, and
an answer reads the same on the page, in the PDF and in the answers export.

Expected words are written out here (English and the Dutch catalog's words), never made by
the functions under test.
"""

from __future__ import annotations

import csv
import html
import io
import re

from checklist import create_app
from checklist.store.connection import connect
from tests.conftest import create_location
from tests.conftest import create_visit
from tests.conftest import login
from tests.conftest import make_config
from tests.conftest import pdftotext
from tests.conftest import query
from tests.conftest import save

ROW = re.compile(r'<tr(?: class="red-flag")?><td>(.*?)</td><td>(.*?)</td><td class="note" dir="auto">.*?</td><td>(.*?)</td></tr>', re.S)


def answer(client, visit_id, domain, **fields):
    assert client.post(f"/visits/{visit_id}/domains/{domain}", data=fields).status_code == 303


def submitted_visit(client, **safety) -> int:
    visit_id = create_visit(client, create_location(client))
    answer(client, visit_id, "play", value_play__space="partly", value_play__outdoor="na", note_play__space="klein")
    answer(client, visit_id, "safety", **({"value_safety__fire": "no", "number_safety__moves": "2"} | safety))
    assert client.post(f"/visits/{visit_id}/submit").status_code == 303
    return visit_id


def stored(app, visit_id) -> dict[str, tuple]:
    rows = query(app, "select criterion_id, domain_id, result, points, weight, critical from answer_results where visit_id = ?", [visit_id])
    return {r["criterion_id"]: (r["domain_id"], r["result"], r["points"], r["weight"], r["critical"]) for r in rows}


def page_rows(app, client, visit_id) -> dict[str, tuple[str, str, bool]]:
    """Criterion id: (answer in words, 'points × weight' or 'left out', red flag) from the visit page."""
    criteria = app.extensions["criteria"]
    by_text = {c.text.get("en"): c.id for d in criteria.domains for c in d.criteria}
    page = client.get(f"/visits/{visit_id}").get_data(as_text=True)
    out = {}
    for match in ROW.finditer(page):
        text = html.unescape(re.sub(r"<span.*?</span>", "", match.group(1))).strip()
        out[by_text[text]] = (html.unescape(match.group(2)), html.unescape(match.group(3)), 'class="red-flag"' in match.group(0))
    return out


def test_submitting_stores_the_results_the_visit_page_shows_and_reopening_removes_them(app):
    visitor = login(app.test_client())
    visitor.set_cookie("lang", "en")
    visit_id = submitted_visit(visitor)

    results, page = stored(app, visit_id), page_rows(app, visitor, visit_id)
    assert results == {
        "play.space": ("play", "partly", 0.5, 2.0, 0),
        "play.outdoor": ("play", "na", None, 1.0, 0),
        "safety.fire": ("safety", "fails", 0.0, 1.0, 1),
        "safety.moves": ("safety", "partly", 0.5, 1.0, 0),
    }
    assert page == {
        "play.space": ("Partly", "0.5 × 2", False),
        "play.outdoor": ("Not applicable", "left out", False),
        "safety.fire": ("No", "0 × 1", True),
        "safety.moves": ("2 moves (Partly)", "0.5 × 1", False),
    }
    # Row by row: what the page shows is what was stored.
    for criterion_id, (_domain, result, points, weight, critical) in results.items():
        words, shown_points, red_flag = page[criterion_id]
        assert shown_points == (f"{points:g} × {weight:g}" if points is not None else "left out")
        assert red_flag == (bool(critical) and result == "fails")

    coordinator = login(app.test_client(), "coordinator@a.test")
    assert coordinator.post(f"/visits/{visit_id}/reopen", data={"reason": "Aantal verhuizingen klopt niet"}).status_code == 303
    assert stored(app, visit_id) == {}
    assert query(app, "select count(*) as n from visit_scores where visit_id = ?", [visit_id])[0]["n"] == 0

    assert save(visitor, visit_id, "safety", {"value_safety__fire": "no", "number_safety__moves": "4"}).status_code == 303
    assert visitor.post(f"/visits/{visit_id}/submit").status_code == 303
    again = stored(app, visit_id)
    assert again["safety.moves"] == ("safety", "fails", 0.0, 1.0, 0)
    assert {k: v for k, v in again.items() if k != "safety.moves"} == {k: v for k, v in results.items() if k != "safety.moves"}
    assert page_rows(app, visitor, visit_id)["safety.moves"] == ("4 moves (Does not meet)", "0 × 1", False)


def test_a_database_from_before_answer_results_gets_them_at_start_up(app, tmp_path):
    visitor = login(app.test_client())
    visit_id = submitted_visit(visitor)
    before = stored(app, visit_id)
    assert before
    # Back to the schema before migration m008: stored scores, no answer_results.
    db = connect(app.config["DATABASE"])
    with db.conn:
        db.execute("drop table answer_results")
        db.execute("delete from _sqlite_migrations where name = 'm008_answer_results'")
    db.conn.close()
    assert query(app, "select count(*) as n from visit_scores")[0]["n"] == 1

    create_app(make_config(tmp_path))  # start-up: migrate, then recompute what is missing
    assert stored(app, visit_id) == before


def test_a_count_answer_reads_the_same_on_the_page_in_the_pdf_and_in_the_export(app, tmp_path):
    """'2.5 moves (Partly)' everywhere; the PDF used to say '2.5 moves → Partly', and the
    Dutch page '2.5' where the Dutch PDF wrote '2,5'."""
    visitor = login(app.test_client())
    visit_id = submitted_visit(visitor, number_safety__moves="2.5")
    monitor = login(app.test_client(), "monitor@m.test")
    for lang, words in (("en", "2.5 moves (Partly)"), ("nl", "2,5 verhuizingen (Deels)")):
        visitor.set_cookie("lang", lang)
        monitor.set_cookie("lang", lang)
        page = html.unescape(visitor.get(f"/visits/{visit_id}").get_data(as_text=True))
        assert f"<td>{words}</td>" in page, lang
        pdf = visitor.get(f"/visits/{visit_id}/report.pdf")
        assert pdf.status_code == 200
        assert words in " ".join(pdftotext(pdf.data, tmp_path).split()), lang
        export = monitor.get("/exports/answers.csv")
        rows = list(csv.DictReader(io.StringIO(export.data.decode("utf-8-sig"), newline="")))
        moves = next(r for r in rows if r["criterion_id"] == "safety.moves")
        assert (moves["answer_text"], moves["number"], moves["result"], moves["points"]) == (words, "2.5", "partly", "0.5"), lang
