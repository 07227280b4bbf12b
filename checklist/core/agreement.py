"""Do two visitors agree? Agreement between the two visits of a calibration pair. Pure.

Each item is one criterion as two visitors judged it: a pair of results as the scoring
module gives them (`Line.result`: meets, partly, fails, na, unknown, or None when
unanswered; a count is judged by its bands, a yes/no is meets or fails). Items are the
criteria of a pair (overall, or one domain), or the pairs of one criterion (across pairs).

How answers that are not a judgement are treated:
- Only items both visitors *assessed* (meets, partly or fails) are compared: the share of
  identical results and the coefficient are over those (`both`).
- "Not applicable", "could not assess" and unanswered are not points on the scale. An item
  assessed by one visitor and not by the other is a disagreement of its own kind: it is
  counted apart (`one_sided`) and shown beside the figures, never folded into them.
  Items neither assessed (na/unknown/unanswered on both sides) are left out.

The coefficient is Krippendorff's alpha for ordinal data (fails < partly < meets), from
the maintained `krippendorff` package. Chance is estimated from the pooled answers, so
with skewed ratings (nearly everything "meets") alpha can be low, or 0, although nearly
every answer is identical (the "kappa paradox"); that is why the identical share is always
shown beside it. Alpha is undefined (None) when no item was assessed by both, or
when every answer falls in one category: there is no variation to judge chance by.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

ASSESSED = ("fails", "partly", "meets")  # the ordinal scale, low to high
SCALE = {result: i for i, result in enumerate(ASSESSED)}


@dataclass(frozen=True)
class Agreement:
    both: int = 0  # items both visitors assessed
    identical: int = 0  # of those, with the same result
    one_sided: int = 0  # items assessed by one visitor only
    alpha: float | None = None  # Krippendorff's alpha, ordinal; None when undefined

    @property
    def share(self) -> float | None:
        """The share of identical results among the items both assessed (0..1), None if none."""
        return self.identical / self.both if self.both else None

    @property
    def differing(self) -> int:
        return self.both - self.identical


def agreement(items: Iterable[tuple[str | None, str | None]]) -> Agreement:
    """Agreement over items, each a pair (first visitor's result, second visitor's result)."""
    compared: list[tuple[int, int]] = []
    one_sided = 0
    for a, b in items:
        a_assessed, b_assessed = a in SCALE, b in SCALE
        if a_assessed and b_assessed:
            compared.append((SCALE[a], SCALE[b]))
        elif a_assessed or b_assessed:
            one_sided += 1
    identical = sum(1 for a, b in compared if a == b)
    return Agreement(both=len(compared), identical=identical, one_sided=one_sided, alpha=ordinal_alpha(compared))


def ordinal_alpha(compared: list[tuple[int, int]]) -> float | None:
    """Krippendorff's alpha (ordinal) of two raters over items on the scale 0..2, or None."""
    if not compared or len({v for pair in compared for v in pair}) < 2:
        return None
    import krippendorff  # numpy with it: loaded only where agreement is computed
    import numpy

    data = numpy.array([[a for a, _ in compared], [b for _, b in compared]], dtype=float)
    with numpy.errstate(divide="ignore", invalid="ignore"):
        value = float(krippendorff.alpha(reliability_data=data, level_of_measurement="ordinal", value_domain=list(range(len(ASSESSED)))))
    return None if math.isnan(value) else value


def format_share(share: float | None) -> str:
    return "–" if share is None else f"{100 * share:.0f}%"


def format_alpha(alpha: float | None) -> str:
    return "–" if alpha is None else f"{alpha:.2f}"
