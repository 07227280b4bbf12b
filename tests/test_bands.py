"""A count's bands in words that cannot overlap, and what a typed number scores as (issue
17 §8): the checklist page says it for the stored number, and the words of each band describe
exactly the numbers the scoring puts in it, for every count criterion of the shipped file."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from checklist.core.criteria import load_criteria
from checklist.core.i18n import translations_for
from checklist.core.labels import band_phrases
from tests.conftest import ROOT
from tests.conftest import create_location
from tests.conftest import create_visit
from tests.conftest import flat
from tests.conftest import login

REAL = load_criteria(ROOT / "criteria.yaml")
COUNTS = [c for d in REAL.domains for c in d.criteria if c.kind == "count"]


def describes(words: str, number: float) -> bool:
    """Whether the English words of a band ("under 9", "9 or more, under 13", "13 or more")
    include `number`: read from the words, not from the bands."""
    if m := re.fullmatch(r"under ([\d.,]+)", words):
        return number < float(m.group(1).replace(",", ""))
    if m := re.fullmatch(r"([\d.,]+) or more, under ([\d.,]+)", words):
        return float(m.group(1).replace(",", "")) <= number < float(m.group(2).replace(",", ""))
    if m := re.fullmatch(r"([\d.,]+) or more", words):
        return number >= float(m.group(1).replace(",", ""))
    raise AssertionError(f"words not understood: {words}")


@settings(max_examples=200, derandomize=True)
@given(st.sampled_from(COUNTS), st.floats(min_value=0, max_value=1, allow_nan=False))
def test_the_words_of_exactly_one_band_describe_each_number_and_it_is_the_scored_one(criterion, fraction):
    number = round(criterion.range.min + fraction * (criterion.range.max - criterion.range.min), 1)
    phrases = band_phrases(criterion, "en", translations_for("en").gettext)
    described = [answer for words, answer in phrases if describes(words, number)]
    assert described == [criterion.band_for(number)], (criterion.id, number, phrases)


def test_the_page_says_the_bands_and_what_the_stored_number_scores_as(app, client):
    visit = create_visit(client, create_location(client))
    client.post(f"/visits/{visit}/domains/safety", data={"value_safety__fire": "yes", "number_safety__moves": "2"})
    client.set_cookie("lang", "en")
    page = flat(client.get(f"/visits/{visit}/domains/safety").get_data(as_text=True))
    assert "Bands: under 2 = Meets; 2 or more, under 3 = Partly; 3 or more = Does not meet" in page
    assert "This number scores as: Partly</p>" in page
    client.set_cookie("lang", "nl")
    page = flat(client.get(f"/visits/{visit}/domains/safety").get_data(as_text=True))
    assert "minder dan 2 = Voldoet; 2 of meer, minder dan 3 = Deels; 3 of meer = Voldoet niet" in page
    assert "Dit getal telt als: Deels</p>" in page


def test_the_school_weeks_read_as_the_review_found_them():
    """The review's case: "0–9 = Voldoet; 9–13 = Deels; 13+ = Voldoet niet" let 13 weeks read as
    partly while it scored as not met."""
    weeks = next(c for c in COUNTS if c.bands and [b.to for b in c.bands] == [9, 13, None])
    nl = dict((answer, words) for words, answer in band_phrases(weeks, "nl", translations_for("nl").gettext))
    assert nl == {"meets": "minder dan 9", "partly": "9 of meer, minder dan 13", "fails": "13 of meer"}
    assert weeks.band_for(13) == "fails" and weeks.band_for(12.9) == "partly"
