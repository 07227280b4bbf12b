"""The visit report PDF: escaping, scripts, page furniture and sections, read back with pdftotext.

The PDF is judged by what a reader (and a text extractor) gets out of it, so most
tests build a report from `criteria_small.yaml` and run poppler's `pdftotext`.
"""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from checklist.core.criteria import parse_criteria
from checklist.reports.charts import domain_bar_chart
from checklist.reports.charts import drawing_to_svg
from checklist.reports.styles import STYLES
from checklist.reports.fonts import setup_reportlab
from checklist.reports.styles import para
from checklist.reports.text import markup
from checklist.reports.text import visual_lines
from checklist.reports.visit_report import build_visit_report
from tests.conftest import ARABIC
from tests.conftest import ARABIC_LIGATURES
from tests.conftest import CRITERIA
from tests.conftest import HOSTILE
from tests.conftest import LINK
from tests.conftest import POLISH
from tests.conftest import SCRIPT
from tests.conftest import TIGRINYA
from tests.conftest import flat
from tests.conftest import make_report
from tests.conftest import page_count
from tests.conftest import pdftotext
from tests.conftest import previous_visit
from tests.conftest import score_for
from tests.conftest import svg_bar_values
from tests.conftest import svg_bars
from tests.conftest import svg_texts

HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def english_pdf() -> bytes:
    return build_visit_report(make_report("en", previous=previous_visit()))


# -- basics and content -------------------------------------------------------------


def test_summary_and_domains_show_the_visits_scores(english_pdf, tmp_path):
    """The numbers, worked out by hand from `answers_full`: play (0.5 x 2 + 1 x 1) / 3 = 67,
    safety 0 (the critical fire criterion fails, 3 moves is in the fails band), minors 100,
    overall the mean of the three domains, (66.7 + 0 + 100) / 3 = 56."""
    first_page = pdftotext(english_pdf, tmp_path, first=1, last=1, layout=True)
    assert re.search(r"^\s*Needs attention\s+56 / 100\s+100%\s+1\s+0\s*$", first_page, re.M), first_page  # no critical criterion unassessed
    assert "5 of 5 assessable criteria scored" in flat(first_page)
    text = flat(pdftotext(english_pdf, tmp_path))
    assert "1. Play Needs attention Score: 67 / 100 · 2 of 2 assessable criteria scored (100%)" in text
    assert "2. Safety Insufficient Score: 0 / 100 · 2 of 2 assessable criteria scored (100%)" in text
    assert "3. Unaccompanied minors Good Score: 100 / 100 · 1 of 1 assessable criteria scored (100%)" in text


def test_location_notes_and_voices_appear(english_pdf, tmp_path):
    text = flat(pdftotext(english_pdf, tmp_path))
    for expected in (
        POLISH,
        "Nooduitgang geblokkeerd door matrassen.",
        "We mogen nooit naar buiten na vijf uur.",
        "Vriendelijk personeel.",
        "Ter Apel, Groningen",
        "Anna de Vries, Yusuf Öztürk",
    ):
        assert expected in text


def test_english_labels(english_pdf, tmp_path):
    text = flat(pdftotext(english_pdf, tmp_path))
    for label in (
        "Visit report",
        "Summary",
        "Red flags",
        "Findings per domain",
        "What children said",
        "Appendix: method and sources",
        "no names are recorded",
        "Confidential",
    ):
        assert label in text
    for answer in ("Partly", "Yes", "No", "Meets", "RED FLAG"):
        assert answer in text
    assert "3 moves (Does not meet)" in text  # the words of the pages and the answers export
    assert "12 March 2025" in text


def test_dutch_report_builds_with_dutch_criteria_and_dates(tmp_path):
    pdf = build_visit_report(make_report("nl", previous=previous_visit()))
    text = flat(pdftotext(pdf, tmp_path))
    assert "Er is een speelruimte binnen." in text
    assert "3 verhuizingen (Voldoet niet)" in text
    assert "12 maart 2025" in text
    for dutch in ("Bezoekrapport", "Samenvatting", "Rode vlaggen", "Bevindingen per domein", "Wat kinderen zeiden", "Deels", "Voldoet", "RODE VLAG"):
        assert dutch in text, dutch
    for english in ("Visit report", "Summary", "Findings per domain", "Partly", "Page 1 of"):
        assert english not in text, english


def test_dutch_draft_mark_and_page_numbers_on_every_page(tmp_path):
    pdf = build_visit_report(make_report("nl", status="draft", previous=previous_visit()))
    total = page_count(pdf)
    assert total >= 2
    for n in range(1, total + 1):
        page = pdftotext(pdf, tmp_path, first=n, last=n)
        assert "CONCEPT" in page
        assert f"Pagina {n} van {total}" in page


def test_red_flags_come_before_the_domain_findings(english_pdf, tmp_path):
    text = flat(pdftotext(english_pdf, tmp_path))
    red_flags = text.index("Red flags")
    assert text.index("Escape routes are clear.") > red_flags
    assert text.index("Escape routes are clear.") < text.index("Findings per domain")
    assert red_flags < text.index("Criteria not answered")


def test_appendix_has_method_version_hash_anchors_and_sources(english_pdf, tmp_path):
    text = flat(pdftotext(english_pdf, tmp_path))
    assert f"Criteria version test.1, file hash {CRITERIA.hash[:12]}." in text
    assert "For tests only." in text
    assert "green from 80, amber from 55" in text
    assert "meets 1, partly 0.5, does not meet 0" in text
    assert "CRC: art. 31" in text and "Directive 2013/33/EU: art. 23(3)" in text
    assert "S1 – Test source. Tests, 2022" in text


# -- escaping: user text is text, never markup ---------------------------------------


def test_hostile_text_is_shown_literally(tmp_path):
    report = make_report(name=f"A&B {LINK}", impression=HOSTILE + "\n" + SCRIPT)
    text = flat(pdftotext(build_visit_report(report), tmp_path))
    assert HOSTILE in text
    assert SCRIPT in text
    assert f"A&B {LINK}" in text


def test_hostile_text_embeds_no_image_and_no_link(tmp_path):
    pdf = build_visit_report(make_report(name=f"A&B {LINK}", impression=HOSTILE))
    path = tmp_path / "hostile.pdf"
    path.write_bytes(pdf)
    for page in PdfReader(str(path)).pages:
        xobjects = page["/Resources"].get("/XObject")
        images = [x for x in (xobjects.get_object().values() if xobjects else ()) if x.get_object().get("/Subtype") == "/Image"]
        assert images == []
        assert "/Annots" not in page
    harmless = build_visit_report(make_report(name="A&B " + "x" * len(LINK), impression="y" * len(HOSTILE)))
    assert abs(len(pdf) - len(harmless)) < 1500


def test_markup_that_slipped_past_para_still_fetches_no_url():
    """Even a raw ReportLab <img> (markup `para` would have escaped) does not make the
    report builder request a URL: a local server sees no request."""
    import threading
    from http.server import BaseHTTPRequestHandler
    from http.server import HTTPServer

    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph
    from reportlab.platypus import SimpleDocTemplate

    requests = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        setup_reportlab()
        url = f"http://127.0.0.1:{server.server_port}/tracker.png"
        with pytest.raises(OSError, match="Cannot open resource"):  # refused, not fetched
            raw = Paragraph(f'<img src="{url}" width="10" height="10"/>', getSampleStyleSheet()["Normal"])  # on purpose, not para()
            SimpleDocTemplate(io.BytesIO()).build([raw])
    finally:
        server.shutdown()
        thread.join(timeout=5)
    assert requests == []


def test_para_is_the_only_paragraph_builder():
    """Every Paragraph is built by styles.para, which escapes (reliability.md §2.1)."""
    package = HERE.parent / "checklist"
    offenders = [
        str(p)
        for p in package.rglob("*.py")
        if p.name != "styles.py" and re.search(r"\bParagraph\(", p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


# -- scripts: the text comes back as typed -------------------------------------------


def test_polish_and_tigrinya_round_trip(english_pdf, tmp_path):
    text = pdftotext(english_pdf, tmp_path)
    assert POLISH in text
    assert TIGRINYA in text
    assert "■" not in text and "\ufffd" not in text


def test_arabic_round_trips_exactly(english_pdf, tmp_path):
    """Shaped (joined) Arabic still extracts as the letters typed, in logical order.

    pdftotext wraps right-to-left text in U+202B ... U+202C embedding marks; the text
    between them is exactly what was typed, also for the lam-alef and lam-lam-heh
    ligatures. No private-use code points (unmapped shaped glyphs) or presentation
    forms leak out.
    """
    text = pdftotext(english_pdf, tmp_path)
    assert ARABIC in text
    assert ARABIC_LIGATURES in text
    assert not re.search("[\ue000-\uf8ff\ufb50-\ufdff\ufe70-\ufeff\ufffd■]", text)
    letters = [c for c in ARABIC + ARABIC_LIGATURES if unicodedata.category(c) == "Lo"]
    assert all(letter in text for letter in letters)


def test_arabic_paragraphs_are_shaped_and_others_are_not():
    assert para(ARABIC, "Body").style.shaping == 1
    assert not para(POLISH, "Body").style.shaping
    # The markup keeps the typed order; the bidi algorithm orders each line once it is broken.
    first, second = '<font name="NotoNaskhArabic">مرحبا</font>', '<font name="NotoNaskhArabic">بالأطفال</font>'
    assert markup(ARABIC, STYLES["Body"]) == f"{first} {second}"
    assert visual_lines(ARABIC, STYLES["Body"], 500, 500) == [f"{second} {first}"]
    assert markup(TIGRINYA, STYLES["H1"]) == " ".join(f'<font name="NotoSansEthiopic-Bold">{w}</font>' for w in TIGRINYA.split())


# -- page furniture ------------------------------------------------------------------


def test_page_x_of_y_on_every_page(english_pdf, tmp_path):
    total = page_count(english_pdf)
    assert total >= 2
    for n in range(1, total + 1):
        assert f"Page {n} of {total}" in pdftotext(english_pdf, tmp_path, first=n, last=n)


def test_draft_mark_on_every_page(tmp_path):
    pdf = build_visit_report(make_report("en", status="draft", previous=previous_visit()))
    total = page_count(pdf)
    assert total >= 2
    for n in range(1, total + 1):
        page = pdftotext(pdf, tmp_path, first=n, last=n, layout=True)
        assert "DRAFT" in page
        assert "Confidential" in page and POLISH in page and "12 March 2025" in page


def test_submitted_report_has_no_draft_mark(english_pdf, tmp_path):
    assert "DRAFT" not in pdftotext(english_pdf, tmp_path)


# -- sections that depend on the data -------------------------------------------------


def test_change_section_only_with_a_previous_visit(english_pdf, tmp_path):
    text = flat(pdftotext(english_pdf, tmp_path))
    assert "Change since previous visit" in text
    assert "Previous visit: 1 September 2024" in text
    assert "▲ improved" in text and "▼ worsened" in text
    without = flat(pdftotext(build_visit_report(make_report("en")), tmp_path))
    assert "Change since previous visit" not in without


def test_empty_visit_builds(tmp_path):
    pdf = build_visit_report(make_report("en", answers={}, voices=[], impression=None, status="draft"))
    text = flat(pdftotext(pdf, tmp_path))
    assert "No score" in text
    assert "Not answered" in text
    assert "No voices of children were recorded" in text
    assert "Criteria not answered: 5 of 5 applicable." in text


def test_empty_visit_builds_in_dutch(tmp_path):
    pdf = build_visit_report(make_report("nl", answers={}, voices=[], impression=None))
    first_page = pdftotext(pdf, tmp_path, first=1, last=1, layout=True)
    assert re.search(r"^\s*Totale status\s+Totaalscore\s+Dekking\s+Rode vlaggen\s+Niet(\s+beoordeeld)?\s*$", first_page, re.M)
    assert re.search(r"^\s*Geen score\s+Geen score\s+0%\s+0\s+0\s*$", first_page, re.M)
    text = flat(pdftotext(pdf, tmp_path))
    assert "Er is geen algemene indruk vastgelegd." in text
    assert "Er is een speelruimte binnen. Niet beantwoord –" in text
    assert "Tijdens dit bezoek zijn geen uitspraken van kinderen vastgelegd." in text
    assert "Niet beantwoorde criteria: 5 van 5 toepasselijke." in text


# -- chart ----------------------------------------------------------------------------


def test_chart_svg_has_a_bar_per_domain_with_its_score_and_the_thresholds(report_fonts):
    svg = drawing_to_svg(domain_bar_chart(make_report("en").score, CRITERIA, "en"))
    texts = svg_texts(svg)
    for label in ("Play", "Safety", "Unaccompanied minors", "55", "80", "67", "0", "100"):
        assert label in texts, label
    assert "no score" not in texts
    # Play (66.7, amber) above minors (100, green); safety scores 0, so it has no bar at all.
    (play_fill, play), (minors_fill, minors) = svg_bar_values(svg)
    assert (round(play, 1), round(minors, 1)) == (66.7, 100.0)
    assert play_fill != minors_fill


def test_chart_without_scores_says_so_per_domain_in_dutch(report_fonts):
    svg = drawing_to_svg(domain_bar_chart(score_for({}), CRITERIA, "nl"))
    texts = svg_texts(svg)
    assert [t for t in texts if t in ("Spelen", "Veiligheid", "Amv")] == ["Amv", "Veiligheid", "Spelen"]  # drawn bottom up
    assert texts.count("geen score") == 3
    assert svg_bars(svg) == []


# -- speed ------------------------------------------------------------------------------


def _big_criteria(domains: int = 9, per_domain: int = 10):
    lines = [line for line in (HERE / "criteria_small.yaml").read_text(encoding="utf-8").split("domains:")[0].splitlines()]
    lines.append("domains:")
    for d in range(domains):
        lines += [f"  - id: d{d}", f"    title: {{nl: 'Domein {d}', en: 'Domain {d}'}}", "    weight: 1", "    criteria:"]
        for c in range(per_domain):
            lines += [
                f"      - id: d{d}.c{c}",
                f"        text: {{nl: 'Criterium {d}.{c} over een redelijk lange zin die moet afbreken in de tabel.', en: 'Criterion {d}.{c} in a fairly long sentence that has to wrap in the table.'}}",
                "        guidance: {nl: 'Kijk.', en: 'Look.'}",
                "        kind: rating",
                "        weight: 1",
                f"        critical: {'true' if c == 0 else 'false'}",
                "        anchors: {crc: ['art. 3', 'art. 27'], rcd_2024: ['art. 26']}",
            ]
    return parse_criteria("\n".join(lines) + "\n", "big.yaml")


def test_ninety_criteria_with_long_notes_all_appear(tmp_path):
    criteria = _big_criteria()
    results = ("meets", "partly", "fails", "na", "unknown")
    answers = {
        f"d{d}.c{c}": {
            "value": results[(d + c) % 5],
            "number": None,
            "note": f"Note {d}.{c}: " + "observed something worth noting. " * 3,
        }
        for d in range(9)
        for c in range(10)
    }
    report = make_report(
        "en",
        answers=answers,
        criteria=criteria,
        voices=[{"age_band": "8-12", "domain_id": f"d{d}", "text": "Een uitspraak."} for d in range(9)],
    )
    pdf = build_visit_report(report)  # its speed is measured in bench/, not asserted here
    text = flat(pdftotext(pdf, tmp_path))
    for d in range(9):
        assert f"{d + 1}. Domain {d}" in text, d
        for c in range(10):
            assert f"Criterion {d}.{c} in a fairly long sentence that has to wrap in the table." in text, (d, c)
            assert f"Note {d}.{c}: observed something worth noting." in text, (d, c)
    assert text.count("Een uitspraak.") == 9
    assert page_count(pdf) >= 5


def test_no_word_of_a_status_badge_is_split_in_either_language(tmp_path):
    """The Dutch draft's domain badge read "Onvoldoen / de" (issue 17 §9)."""
    from checklist.core.i18n import translations_for
    from checklist.core.labels import status_labels

    for lang in ("nl", "en"):
        text = pdftotext(build_visit_report(make_report(lang, status="draft", previous=previous_visit())), tmp_path)
        lines = [line.strip() for line in text.splitlines()]
        words = {word for label in status_labels(translations_for(lang).gettext).values() for word in label.split()}
        shown = [w for w in words if w in lines or any(line.startswith(w) or line.endswith(w) for line in lines)]
        assert shown, (lang, words)  # the badges are there
        for word in words:
            for cut in range(3, len(word) - 1):
                assert not (word[:cut] in lines and word[cut:] in lines), (lang, word, word[:cut])
