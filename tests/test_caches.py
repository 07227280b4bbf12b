"""The in-process caches are bounded and keyed by values, never by an object's id()."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.styles import ParagraphStyle

from checklist.core.criteria import parse_criteria
from checklist.core.i18n import translations_for
from checklist.reports.styles import STYLES
from checklist.reports.styles import para

SMALL_CRITERIA = Path(__file__).parent / "criteria_small.yaml"


def test_catalogs_are_cached_per_language_whatever_string_comes_in():
    for junk in ("xx", "nl-NL", "", "../../etc"):
        assert translations_for(junk) is translations_for("nl")


def test_shaped_styles_are_keyed_by_value():
    """Arabic text gets the style with shaping on, made once per style *value*."""
    arabic = "\u0645\u0631\u062d\u0628\u0627"

    def shaped(style):
        return para(arabic, style).style

    made_twice = [ParagraphStyle("Twin", parent=STYLES["Cell"], fontSize=7) for _ in range(2)]
    assert shaped(made_twice[0]) is shaped(made_twice[1])
    different = ParagraphStyle("Twin", parent=STYLES["Cell"], fontSize=8)
    assert shaped(different) is not shaped(made_twice[0])
    assert shaped(different).fontSize == 8 and shaped(different).shaping == 1


def test_domains_per_type_are_keyed_by_the_criteria_hash():
    text = SMALL_CRITERIA.read_text(encoding="utf-8")
    first, second = parse_criteria(text), parse_criteria(text)
    location_type = first.location_types[0].id
    assert [d.id for d in first.domains_for(location_type)] == [d.id for d in second.domains_for(location_type)]
    domains = first.domains_for(location_type)
    domains.clear()  # a caller's list is its own
    assert first.domains_for(location_type)
    assert "_domains_for_type" not in vars(first)
