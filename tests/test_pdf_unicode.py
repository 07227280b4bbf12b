"""Right-to-left and mixed scripts in the PDF reports: no crash, every word readable, right order.

The reports are read with poppler's `pdftotext`, as a monitor's tools would. Arabic
and Hebrew come back from it in logical (typed) order when the glyphs are laid out
in visual order, so "every word comes back" is checked word by word, and a word
drawn in the wrong order or with its letters reversed fails the check.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import replace
from itertools import groupby
from datetime import date
from io import BytesIO

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from reportlab.platypus import SimpleDocTemplate
from reportlab.platypus import Table

from checklist.core.filters import Filters
from checklist.reports import VisitReport
from checklist.reports.monitor_report import MonitorReport
from checklist.reports.monitor_report import build_monitor_report
from checklist.reports.styles import STYLES
from checklist.reports.styles import cell
from checklist.reports.styles import para
from checklist.reports.text import visual_lines
from checklist.reports.visit_report import build_visit_report
from tests.conftest import create_location
from tests.conftest import create_visit
from tests.conftest import login
from tests.conftest import pdftotext

# Each of these made `Table([[cell(...)]])` raise TypeError (ShapedStr) in styles.py.
CRASHERS = ["نص.", "نص,", "نص!", "نص:", '"نص"', "«نص»", "(نص)", "نص-نص", "نص/نص", "نص 12", "12نص", "\u202eنص", "a\u202eنص."]


def build(flowables) -> bytes:
    buffer = BytesIO()
    SimpleDocTemplate(buffer).build(flowables)
    return buffer.getvalue()


def words(text: str) -> list[str]:
    return " ".join(text.split()).split()


@pytest.mark.parametrize("text", CRASHERS)
def test_arabic_next_to_punctuation_in_a_table_cell_builds(text, tmp_path):
    pdf = build([Table([[cell(text)]])])
    assert "نص" in pdftotext(pdf, tmp_path)


def test_visit_pdf_with_an_arabic_note_next_to_a_full_stop(client, tmp_path):
    visit_id = create_visit(client, create_location(client, name="Azc Notitie"))
    client.post(f"/visits/{visit_id}/domains/play", data={"value_play__space": "partly", "note_play__space": "نص."})
    response = client.get(f"/visits/{visit_id}/report.pdf")
    assert response.status_code == 200
    assert "نص" in pdftotext(response.data, tmp_path)


def test_monitor_pdf_with_an_arabic_statement_for_monitor_and_coordinator(app, tmp_path):
    visitor = login(app.test_client(), "visitor@a.test")
    visit_id = create_visit(visitor, create_location(visitor, name="Azc Stemmen"), visit_date="2025-04-01")
    visitor.post(f"/visits/{visit_id}/domains/play", data={"value_play__space": "meets"})
    visitor.post(f"/visits/{visit_id}/children", data={"age_band": "8-12", "domain_id": "play", "text": "ألعب كل يوم."})
    assert visitor.post(f"/visits/{visit_id}/submit").status_code == 303
    for email in ("monitor@m.test", "coordinator@a.test"):
        response = login(app.test_client(), email).get("/reports/monitor.pdf?from=2025-01-01&to=2025-12-31")
        assert response.status_code == 200, email
        text = pdftotext(response.data, tmp_path)
        for word in ("ألعب", "كل", "يوم"):
            assert word in words(text) or word in text, (email, word)


def test_cli_reports_with_arabic(app, client, runner, tmp_path):
    visit_id = create_visit(client, create_location(client, name="نص. (Azc)"), visit_date="2025-04-01")
    client.post(f"/visits/{visit_id}/domains/play", data={"value_play__space": "partly", "note_play__space": "«نص»"})
    client.post(f"/visits/{visit_id}/children", data={"age_band": "8-12", "domain_id": "play", "text": "ألعب كل يوم."})
    out = tmp_path / "visit.pdf"
    result = runner.invoke(args=["report", str(visit_id), "--out", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    visit_text = pdftotext(out.read_bytes(), tmp_path)
    for word in ("نص", "ألعب", "كل", "يوم", "(Azc)"):
        assert word in visit_text, word
    assert client.post(f"/visits/{visit_id}/submit").status_code == 303
    period = ["--from", "2025-01-01", "--to", "2025-12-31"]
    result = runner.invoke(args=["monitor-report", *period, "--out", str(tmp_path / "m.pdf")])
    assert result.exit_code == 0, result.output
    monitor_text = pdftotext((tmp_path / "m.pdf").read_bytes(), tmp_path)
    for word in ("نص", "ألعب", "كل", "يوم", "(Azc)"):
        assert word in monitor_text, word


def test_glyphs_without_a_name_extract_as_the_letters_typed(tmp_path):
    """Noto Naskh draws alef with hamza after a medial lam with an unnamed glyph (a private-use code)."""
    text = pdftotext(build([para("نلأث سلأل بسم الله")]), tmp_path)
    assert "نلأث سلأل بسم الله" in text
    assert not re.search("[\ue000-\uf8ff]", text)


def test_a_mark_without_a_letter_sits_on_a_dotted_circle(tmp_path):
    text = pdftotext(build([para("!\n\u0301\u202bxżżñ")]), tmp_path)
    assert "\u25cc\u0301" in text and "xżżñ" in unicodedata.normalize("NFC", text)


# -- word order of wrapped right-to-left text --------------------------------------------

ARABIC_SENTENCE = "ألعب كل يوم في الحديقة مع أصدقائي بعد المدرسة ثم نرجع إلى البيت معا."
HEBREW_SENTENCE = "אנחנו משחקים בחצר כל יום אחרי בית הספר ואז חוזרים הביתה ביחד."


def rtl_lines(text: str) -> list[list[str]]:
    """The words pdftotext gives per line, its direction marks and punctuation left out."""
    lines = []
    for line in text.splitlines():
        found = re.findall(r"\w+", BIDI_MARKS.sub("", line))
        if found:
            lines.append(found)
    return lines


@pytest.mark.parametrize("sentence", [ARABIC_SENTENCE, HEBREW_SENTENCE])
def test_wrapped_right_to_left_text_keeps_its_word_order(sentence, tmp_path):
    """Each line of a wrapped sentence holds the next words in reading order, first line first."""
    typed = re.findall(r"\w+", sentence)
    lines = rtl_lines(pdftotext(build([Table([[cell(sentence)]], colWidths=[90])]), tmp_path))
    assert len(lines) >= 3
    assert [w for line in lines for w in line] == typed
    # The same sentence in a full-width paragraph fits one line and reads the same.
    assert rtl_lines(pdftotext(build([para(sentence)]), tmp_path)) == [typed]


def test_brackets_mirror_and_digits_stay_left_to_right():
    """Visual order per UAX #9: in right-to-left text `(` shows as `)`, numbers read left to right."""
    body = STYLES["Body"]
    assert _visual_plain("نص (بت) 123", body) == "123 (تب) صن"
    assert _visual_plain("abc נס (גד) 45 def", body) == "abc 45 (דג) סנ def"
    assert _visual_plain("\u202eabc\u202c نص", body) == "صن abc"  # an override is only an embedding


def _visual_plain(text: str, style) -> str:
    """One visual line as plain text (font tags dropped, Arabic runs in drawing order)."""
    [line] = visual_lines(text, style, 1000, 1000)
    parts = re.findall(r'<font name="([^"]+)">(.*?)</font>|([^<]+)', line)
    return "".join(run[::-1] if "Arabic" in font else run or plain for font, run, plain in parts)


# -- property: every word of any text comes back from both reports -----------------------

BIDI_MARKS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
SCRIPTS = [
    [chr(c) for c in range(0x0621, 0x064B)],  # Arabic letters (and tatweel)
    [chr(c) for c in range(0x05D0, 0x05EB)],  # Hebrew
    [chr(c) for c in range(0x1200, 0x1380) if unicodedata.category(chr(c)) == "Lo"],  # Ethiopic (Tigrinya)
    list("abcxyzABCéłżőàçñüÅŁ"),  # Latin with diacritics
]
DIGITS = list("0123456789") + [chr(c) for c in range(0x0660, 0x066A)]
PUNCTUATION = list('.,!:"«»()-/؟،')
CONTROLS = ["\u200e", "\u200f", *map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A))]
# Pieces that touch without a space: a word of one script, a number, punctuation, a
# combining mark (U+0301) or a bidi control. A chunk of at most 7 characters fits the
# narrowest cell that shows user text, so no word is ever cut over two lines.
WORD = st.one_of(*[st.text(alphabet=st.sampled_from(letters), min_size=1, max_size=4) for letters in SCRIPTS])
PIECE = st.one_of(
    WORD,
    WORD,
    st.text(alphabet=st.sampled_from(DIGITS), min_size=1, max_size=3),
    st.sampled_from(PUNCTUATION),
    st.just("\u0301"),
    st.sampled_from(CONTROLS),
)
CHUNK = st.lists(PIECE, min_size=1, max_size=3).map("".join).filter(lambda chunk: len(chunk) <= 7)
TEXT = st.lists(st.tuples(CHUNK, st.sampled_from([" ", " ", " ", "\n"])), min_size=1, max_size=8).map(
    lambda parts: "".join(chunk + sep for chunk, sep in parts).strip()
)


def tokens(text: str, typed: bool = False) -> Counter:
    """Words to compare: runs of letters of one script, or of digits of one kind.

    Both sides are compared without accents and combining marks (NFKD, marks out,
    NFKC: presentation forms back to letters; a loose U+0301 may come out before or
    after its letter). A bidi control in typed text ends a word, as an embedding or
    isolate can move what follows it; pdftotext's own direction marks are dropped.
    """
    text = BIDI_MARKS.sub(" " if typed else "", text)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if unicodedata.category(c) not in ("Mn", "Me"))
    return Counter("".join(run) for kind, run in groupby(unicodedata.normalize("NFKC", text), key=_kind) if kind)


def _kind(char: str) -> str | None:
    """Which kind of word a character belongs to; None between words."""
    if char.isdigit():
        return "arabic-indic digits" if "\u0660" <= char <= "\u0669" else "digits"
    if not char.isalpha():
        return None
    return unicodedata.name(char, "?").split()[0]  # LATIN, ARABIC, HEBREW, ETHIOPIC


def visit_report_with(t: list[str]) -> VisitReport:
    from tests.conftest import make_report

    report = make_report(
        "en",
        name=t[0],
        impression=t[1],
        voices=[{"age_band": "8-12", "domain_id": "play", "text": t[2]}, {"age_band": "13-17", "domain_id": None, "text": t[3]}],
        answers={
            "play.space": {"value": "partly", "number": None, "note": t[4]},
            "safety.fire": {"value": "no", "number": None, "note": t[5]},
            "amv.mentor": {"value": "meets", "number": None, "note": t[6]},
        },
    )
    visit = dict(report.visit, visitors=t[7], organisation=t[8])
    location = dict(report.location, operator=t[9], municipality=t[10], province=t[11])
    actions = [
        {"criterion": t[12], "what": t[13], "owner": t[14], "due_on": "2025-06-01", "status": "open", "earlier": False},
        {"criterion": t[15], "what": t[16], "owner": t[17], "due_on": "2024-06-01", "status": "done",
         "visit_date": "2024-09-01", "closed_in_visit_date": "2025-03-12", "earlier": True},
    ]
    return replace(report, visit=visit, location=location, actions=actions)


def monitor_report_with(t: list[str]) -> MonitorReport:
    """A named monitor report; t[3] and t[7] are operators, which its tables do not show."""
    from tests.conftest import CRITERIA

    domains = {"play": {"score": 60.0, "scored_visits": 2}, "safety": {"score": 40.0, "scored_visits": 2}}
    types = [{"type": "azc", "label": "Reception centre", "locations": 2, "visits": 3, "score": 55.0, "domains": domains}]
    locations = [
        {"label": t[0], "type_label": "Reception centre", "visits": 2, "latest_date": "2025-05-01", "score": 50.0,
         "status": "red", "red_flags": 1, "municipality": t[1], "province": t[2], "operator": t[3], "closed_on": None},
        {"label": t[4], "type_label": "Reception centre", "visits": 1, "latest_date": "2025-06-01", "score": 70.0,
         "status": "amber", "red_flags": 0, "municipality": t[5], "province": t[6], "operator": t[7], "closed_on": "2025-07-01"},
    ]
    return MonitorReport(
        criteria=CRITERIA,
        lang="en",
        filters=Filters(since=date(2025, 1, 1), until=date(2025, 12, 31), provinces=(t[8],), operators=(t[9],), closed="all"),
        anonymised=False,
        organisation_scope=t[10],
        organisation_filter=t[11],
        generated_at="2025-12-31T10:00:00",
        summary={"locations": 2, "visits": 3, "organisations": 1, "first_date": "2025-02-01", "last_date": "2025-06-01"},
        types=types,
        all_types={"type": None, "label": None, "locations": 2, "visits": 3, "score": 55.0, "domains": domains},
        domains=[("play", "Play"), ("safety", "Safety")],
        locations=locations,
        failed=[{"criterion_id": "play.space", "text": "There is an indoor play space.", "domain": "Play", "critical": False,
                 "failed": 2, "assessed": 3, "failed_locations": 1, "assessed_locations": 2,
                 "crc": ["art. 31"], "rcd_2013": ["art. 23(3)"], "rcd_2024": []}],
        failed_count=1,
        red_flags=[{"label": t[12], "type_label": "Reception centre", "visit_date": "2025-05-01",
                    "criteria": [{"criterion_id": "safety.fire", "text": "Escape routes are clear.", "domain": "Safety"}]}],
        trends=[{"type": "azc", "label": "Reception centre", "year": 2025, "quarter": 2, "score": 55.0, "visits": 3}],
        voices=[{"domain_id": "play", "title": "Play", "total": 2, "items": [
            {"text": t[13], "age_band": "8-12", "type_label": "Reception centre"},
            {"text": t[14], "age_band": "13-17", "type_label": "Reception centre"}]}],
        versions=[
            {"version": "test.1", "hash": CRITERIA.hash, "visits": 3, "first_date": "2025-02-01", "last_date": "2025-06-01"}
        ],
    )


def assert_every_word_comes_back(texts: list[str], pdf: bytes, tmp_path) -> None:
    """Each word typed is found, letters in order, inside a word of the same kind that pdftotext gives.

    Inside, not equal to: pdftotext joins two words when it takes their gap for letter
    spacing (`a b` on a line of its own) or when it moves the right-to-left text that
    stood between them; the letters of each word are still in order.
    """
    got = tokens(pdftotext(pdf, tmp_path))
    missing = [
        word
        for text in texts
        for word in tokens(text, typed=True)
        if not any(word in found and _kind(word[0]) == _kind(found[0]) for found in got)
    ]
    assert not missing, f"missing {missing} of {texts!r}"


@settings(
    max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(st.lists(TEXT, min_size=18, max_size=18))
def test_any_text_in_every_place_of_both_reports_comes_back_word_for_word(tmp_path_factory, texts):
    tmp_path = tmp_path_factory.mktemp("unicode")
    assert_every_word_comes_back(texts, build_visit_report(visit_report_with(texts)), tmp_path)
    shown = [text for i, text in enumerate(texts[:15]) if i not in (3, 7)]
    assert_every_word_comes_back(shown, build_monitor_report(monitor_report_with(texts)), tmp_path)
