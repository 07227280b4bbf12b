"""The visit report PDF: escaping, scripts, page furniture and sections, read back with pdftotext.

The PDF is judged by what a reader (and a text extractor) gets out of it, so most
tests build a report from `criteria_small.yaml` and run poppler's `pdftotext`.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from checklist.core.criteria import load_criteria
from checklist.core.criteria import parse_criteria
from checklist.core.i18n import translations_for
from checklist.reports import PreviousVisit
from checklist.reports import VisitReport
from checklist.reports.charts import domain_bar_chart
from checklist.reports.charts import drawing_to_svg
from checklist.reports.styles import STYLES
from checklist.reports.fonts import setup_reportlab
from checklist.reports.styles import para
from checklist.reports.text import markup
from checklist.reports.text import visual_lines
from checklist.reports.visit_report import build_visit_report
from checklist.core.scoring import AnswerValue
from checklist.core.scoring import score_visit

HERE = Path(__file__).parent
CRITERIA = load_criteria(HERE / "criteria_small.yaml")
HOSTILE = 'A&B <b>x</b> <font size=40>BIG</font> <img src="/etc/hostname"/>'
SCRIPT = "<script>alert(1)</script>"
LINK = '<a href="javascript:alert(1)">click</a>'
ARABIC = "مرحبا بالأطفال"
ARABIC_LIGATURES = "بسم الله الرحمن الرحيم"  # lam-alef and the lam-lam-heh ligature
TIGRINYA = "ትግርኛ ሰላም"
POLISH = "Łódź-Zuid"



# -- helpers ------------------------------------------------------------------------


def answers_full() -> dict:
    return {
        "play.space": {"value": "partly", "number": None, "note": HOSTILE},
        "play.outdoor": {"value": "yes", "number": None, "note": SCRIPT},
        "safety.fire": {"value": "no", "number": None, "note": "Nooduitgang geblokkeerd door matrassen."},
        "safety.moves": {"value": None, "number": 3, "note": ARABIC},
        "amv.mentor": {"value": "meets", "number": None, "note": TIGRINYA},
    }


def score_for(answers: dict, location_type: str = "amv_kleinschalig"):
    values = {cid: AnswerValue(a.get("value"), a.get("number")) for cid, a in answers.items()}
    return score_visit(CRITERIA, location_type, values)


def make_report(
    lang="en",
    answers=None,
    voices=None,
    previous=None,
    status="submitted",
    name=POLISH,
    impression="Vriendelijk personeel.",
    criteria=CRITERIA,
):
    answers = answers_full() if answers is None else answers
    if voices is None:
        voices = [
            {"age_band": "8-12", "domain_id": "play", "text": "We mogen nooit naar buiten na vijf uur."},
            {"age_band": "13-17", "domain_id": "safety", "text": ARABIC_LIGATURES},
            {"age_band": "4-7", "domain_id": None, "text": LINK},
        ]
    values = {cid: AnswerValue(a.get("value"), a.get("number")) for cid, a in answers.items()}
    return VisitReport(
        criteria=criteria,
        lang=lang,
        location={
            "name": name,
            "type": "amv_kleinschalig",
            "municipality": "Ter Apel",
            "province": "Groningen",
            "operator": "COA",
            "capacity": 40,
            "children": 12,
        },
        visit={
            "id": 7,
            "visit_date": "2025-03-12",
            "organisation": "Kinderrechtencoalitie",
            "visitors": "Anna de Vries, Yusuf Öztürk",
            "announced": False,
            "children_present": 11,
            "amv_present": 4,
            "impression": impression,
            "status": status,
            "submitted_at": None if status == "draft" else "2025-03-13T09:00:00",
            "criteria_version": criteria.version,
        },
        score=score_visit(criteria, "amv_kleinschalig", values),
        answers=answers,
        voices=voices,
        previous=previous,
        generated_at="2025-03-14T10:22:00",
    )


def previous_visit() -> PreviousVisit:
    earlier = {
        "play.space": {"value": "fails"},
        "play.outdoor": {"value": "yes"},
        "safety.fire": {"value": "yes"},
        "safety.moves": {"number": 1},
    }
    return PreviousVisit(visit={"visit_date": "2024-09-01", "status": "submitted"}, score=score_for(earlier))


def pdftotext(pdf: bytes, tmp_path: Path, *args: str) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", *args, str(path), "-"], check=True, capture_output=True, text=True).stdout


def flat(text: str) -> str:
    """Whitespace collapsed, so table cells that wrap still compare with the typed text."""
    return " ".join(text.split())


def page_count(pdf: bytes, tmp_path: Path) -> int:
    path = tmp_path / "count.pdf"
    path.write_bytes(pdf)
    return len(PdfReader(str(path)).pages)


@pytest.fixture(scope="module")
def english_pdf() -> bytes:
    return build_visit_report(make_report("en", previous=previous_visit()))


# -- basics and content -------------------------------------------------------------


def test_builds_a_pdf(english_pdf):
    assert english_pdf.startswith(b"%PDF")


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
    gettext = translations_for("nl").gettext
    assert "Er is een speelruimte binnen." in text
    assert "3 verhuizingen (Voldoet niet)" in text
    assert "12 maart 2025" in text
    # English until the main engineer compiles the Dutch catalog, Dutch afterwards.
    assert gettext("Visit report") in text
    assert gettext("Findings per domain") in text


def test_dutch_draft_mark_and_page_numbers_on_every_page(tmp_path):
    gettext = translations_for("nl").gettext
    pdf = build_visit_report(make_report("nl", status="draft", previous=previous_visit()))
    total = page_count(pdf, tmp_path)
    for n in range(1, total + 1):
        page = pdftotext(pdf, tmp_path, "-f", str(n), "-l", str(n))
        assert gettext("DRAFT") in page
        assert gettext("Page %(page)d of %(pages)d") % {"page": n, "pages": total} in page


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


def test_markup_cannot_fetch_urls():
    from reportlab import rl_config

    setup_reportlab()

    assert rl_config.trustedHosts is None
    assert rl_config.trustedSchemes == []


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
    total = page_count(english_pdf, tmp_path)
    assert total >= 2
    for n in range(1, total + 1):
        assert f"Page {n} of {total}" in pdftotext(english_pdf, tmp_path, "-f", str(n), "-l", str(n))


def test_draft_mark_on_every_page(tmp_path):
    pdf = build_visit_report(make_report("en", status="draft", previous=previous_visit()))
    total = page_count(pdf, tmp_path)
    assert total >= 2
    for n in range(1, total + 1):
        page = pdftotext(pdf, tmp_path, "-layout", "-f", str(n), "-l", str(n))
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
    assert pdf.startswith(b"%PDF")
    assert "No score" in text
    assert "Not answered" in text
    assert "No voices of children were recorded" in text
    assert "Criteria not answered: 5 of 5 applicable." in text


def test_empty_visit_builds_in_dutch():
    assert build_visit_report(make_report("nl", answers={}, voices=[], impression=None)).startswith(b"%PDF")


# -- chart ----------------------------------------------------------------------------


def test_chart_svg_has_domain_titles_and_thresholds():
    report = make_report("en")
    drawing = domain_bar_chart(report.score, CRITERIA, "en")
    svg = drawing_to_svg(drawing)
    assert "<svg" in svg
    for title in ("Play", "Safety", "Unaccompanied minors", ">80<", ">55<"):
        assert title in svg


def test_chart_without_scores():
    drawing = domain_bar_chart(score_for({}), CRITERIA, "nl")
    assert "<svg" in drawing_to_svg(drawing)


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


def test_ninety_criteria_with_long_notes_build():
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
    build_visit_report(report)
    pdf = build_visit_report(report)  # its speed is measured in bench/, not asserted here
    assert pdf.startswith(b"%PDF")
