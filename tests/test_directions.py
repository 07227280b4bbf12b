"""Right-to-left text a person typed reads right-to-left where it is shown (issue 17 §9): the
innermost element that holds a note, a statement or an impression says `dir="auto"`, so the
browser takes the direction from the text itself, on the review, the statements page and the
submitted visit's page."""

from __future__ import annotations

from html.parser import HTMLParser

from tests.conftest import create_location
from tests.conftest import create_visit
from tests.conftest import login

ARABIC_NOTE = "الملعب مغلق بعد الساعة الرابعة"
ARABIC_VOICE = "نريد أن نلعب في الخارج"
VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr", "col", "area", "base", "embed", "param", "track"}


class Holders(HTMLParser):
    """For each text that contains `needle`: the attributes of the element that holds it."""

    def __init__(self, needles):
        super().__init__()
        self.stack: list[tuple[str, dict]] = []
        self.needles = needles
        self.found: list[tuple[str, str, dict]] = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        for needle in self.needles:
            if needle in data and self.stack and self.stack[-1][0] not in ("textarea", "script", "title"):
                self.found.append((needle, *self.stack[-1]))


def holders(html: str) -> list[tuple[str, str, dict]]:
    parser = Holders([ARABIC_NOTE, ARABIC_VOICE])
    parser.feed(html)
    return parser.found


def test_a_note_and_a_statement_in_arabic_read_right_to_left_wherever_they_are_shown(app, client):
    visit = create_visit(client, create_location(client), impression=ARABIC_NOTE)
    client.post(f"/visits/{visit}/domains/play", data={"value_play__space": "fails", "note_play__space": ARABIC_NOTE, "value_play__outdoor": "yes"})
    client.post(f"/visits/{visit}/children", data={"age_band": "8-12", "domain_id": "play", "text": ARABIC_VOICE})
    pages = {"review": f"/visits/{visit}/review", "statements": f"/visits/{visit}/children", "visit": f"/visits/{visit}"}
    client.post(f"/visits/{visit}/domains/safety", data={"value_safety__fire": "yes", "number_safety__moves": "1"})
    seen = {}
    for name, url in pages.items():
        seen[name] = holders(client.get(url).get_data(as_text=True))
    assert client.post(f"/visits/{visit}/submit").status_code == 303
    seen["submitted visit"] = holders(client.get(f"/visits/{visit}").get_data(as_text=True))
    expected = {"review": {ARABIC_NOTE, ARABIC_VOICE}, "statements": {ARABIC_VOICE}, "visit": {ARABIC_NOTE}, "submitted visit": {ARABIC_NOTE, ARABIC_VOICE}}
    for name, found in seen.items():
        assert {needle for needle, _tag, _attrs in found} >= expected[name], (name, found)
        for needle, tag, attrs in found:
            assert attrs.get("dir") == "auto", (name, needle, tag, attrs)
