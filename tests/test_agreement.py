"""Calibration statistics (`checklist.core.agreement`) against values worked out by hand.

Krippendorff's alpha, as computed by hand below: results on the scale fails=0, partly=1,
meets=2. Each item both visitors assessed gives two pairable values. The coincidence
matrix o[c][k] counts, per item, each ordered pair of its two values once (an item (2,2)
adds 2 to o[2][2]; an item (2,1) adds 1 to o[2][1] and 1 to o[1][2]). n_c are its row
sums, n their total (twice the items). The ordinal distance is
    d(c,k) = (sum of n_g for g from c to k  -  (n_c + n_k) / 2) ** 2
and  alpha = 1 - (n - 1) * sum_{c!=k} o[c][k] d(c,k) / sum_{c!=k} n_c n_k d(c,k).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from checklist.core.agreement import Agreement
from checklist.core.agreement import agreement

M, P, F = "meets", "partly", "fails"


def test_five_items_one_step_apart():
    """A = meets, meets, partly, fails, meets; B = meets, partly, partly, fails, meets.

    Identical: 4 of 5 = 80%.
    Values 2,2 | 2,1 | 1,1 | 0,0 | 2,2 -> o22 = 4, o21 = o12 = 1, o11 = 2, o00 = 2;
    n0 = 2, n1 = 3, n2 = 5, n = 10.
    d(0,1) = (2 + 3 - 2.5)^2 = 6.25;  d(1,2) = (3 + 5 - 4)^2 = 16;  d(0,2) = (10 - 3.5)^2 = 42.25.
    Observed: o12 d12 + o21 d21 = 2 * 16 = 32.
    Expected: 2 * (n0 n1 d01 + n0 n2 d02 + n1 n2 d12) = 2 * (37.5 + 422.5 + 240) = 1400.
    alpha = 1 - 9 * 32 / 1400 = 1 - 288/1400 = 0.794286 (= 139/175).
    """
    result = agreement([(M, M), (M, P), (P, P), (F, F), (M, M)])
    assert (result.both, result.identical, result.one_sided) == (5, 4, 0)
    assert result.share == pytest.approx(0.8)
    assert result.alpha == pytest.approx(139 / 175)


def test_two_steps_apart_weigh_more_than_one():
    """A = meets, meets, partly, fails; B = meets, fails, partly, fails (one item two steps apart).

    Values 2,2 | 2,0 | 1,1 | 0,0 -> o22 = 2, o20 = o02 = 1, o11 = 2, o00 = 2;
    n0 = 3, n1 = 2, n2 = 3, n = 8.
    d(0,2) = (3 + 2 + 3 - (3 + 3)/2)^2 = 5^2 = 25;  d(0,1) = (3 + 2 - 2.5)^2 = 6.25;  d(1,2) = 6.25.
    Observed: 2 * 25 = 50.
    Expected: 2 * (n0 n1 d01 + n0 n2 d02 + n1 n2 d12) = 2 * (37.5 + 225 + 37.5) = 600.
    alpha = 1 - 7 * 50 / 600 = 1 - 350/600 = 0.416667 (= 5/12).
    Identical 3 of 4 = 75%, as many as if the differing item were one step apart, but alpha is lower.
    """
    result = agreement([(M, M), (M, F), (P, P), (F, F)])
    assert (result.both, result.identical) == (4, 3)
    assert result.share == pytest.approx(0.75)
    assert result.alpha == pytest.approx(5 / 12)


def test_skewed_ratings_high_share_alpha_zero():
    """Nearly everything meets: A = meets x5, partly; B = meets x6.

    Identical 5 of 6 = 83%. Values: o22 = 10, o12 = o21 = 1; n1 = 1, n2 = 11, n = 12.
    d(1,2) = (1 + 11 - 6)^2 = 36. Observed 2 * 36 = 72; expected 2 * 1 * 11 * 36 = 792.
    alpha = 1 - 11 * 72 / 792 = 0: the one difference is all the variation there is
    (the "kappa paradox"), which is why the page shows the identical share beside alpha.
    """
    result = agreement([(M, M)] * 5 + [(P, M)])
    assert result.share == pytest.approx(5 / 6)
    assert result.alpha == pytest.approx(0.0)


def test_all_identical_over_two_categories_is_one():
    """A = B = meets, meets, partly: no disagreement, observed 0, expected > 0: alpha = 1."""
    result = agreement([(M, M), (M, M), (P, P)])
    assert result.share == 1.0
    assert result.alpha == pytest.approx(1.0)


def test_one_category_only_alpha_undefined():
    """A = B = meets x4: identical 100%, but expected disagreement is 0 (0/0): alpha is None."""
    result = agreement([(M, M)] * 4)
    assert result == Agreement(both=4, identical=4, one_sided=0, alpha=None)
    assert result.share == 1.0


def test_no_common_assessed_items():
    """Nothing both assessed: share and alpha undefined; one-sided items are counted apart.

    (meets, na), (unknown, partly), (None, fails): each assessed by one visitor only -> 3.
    (na, na), (unknown, None), (None, None): neither assessed -> left out.
    """
    result = agreement([(M, "na"), ("unknown", P), (None, F), ("na", "na"), ("unknown", None), (None, None)])
    assert result == Agreement(both=0, identical=0, one_sided=3, alpha=None)
    assert result.share is None


def test_na_unknown_unanswered_are_not_on_the_scale():
    """The five-item case above plus items that are not judgements gives the same figures,
    with the one-sided ones counted: (meets, na) and (None, partly) -> one_sided = 2."""
    base = [(M, M), (M, P), (P, P), (F, F), (M, M)]
    result = agreement(base + [(M, "na"), (None, P), ("unknown", "unknown")])
    assert (result.both, result.identical, result.one_sided) == (5, 4, 2)
    assert result.alpha == pytest.approx(139 / 175)


def test_empty():
    assert agreement([]) == Agreement()


RESULTS = st.sampled_from([M, P, F, "na", "unknown", None])


@settings(max_examples=150, derandomize=True, deadline=None)
@given(st.lists(st.tuples(RESULTS, RESULTS), max_size=25))
def test_bounds_and_symmetry(items):
    """For any items: counts add up, share in [0, 1], alpha at most 1, and swapping the
    two visitors changes nothing."""
    result = agreement(items)
    swapped = agreement([(b, a) for a, b in items])
    assert 0 <= result.identical <= result.both <= len(items)
    assert result.both + result.one_sided <= len(items)
    assert result.share is None or 0 <= result.share <= 1
    assert result.alpha is None or result.alpha <= 1 + 1e-9
    assert (swapped.both, swapped.identical, swapped.one_sided) == (result.both, result.identical, result.one_sided)
    assert (swapped.alpha is None) == (result.alpha is None)
    if result.alpha is not None:
        assert swapped.alpha == pytest.approx(result.alpha)
    if result.both and result.identical == result.both:
        assert result.alpha in (None, pytest.approx(1.0))
