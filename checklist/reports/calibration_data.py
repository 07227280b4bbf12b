"""What the calibration pages and PDF show, gathered: a pair's agreement per domain and
overall with the criteria where the two visitors differ, and across pairs the criteria
ordered by agreement (lowest first), the coalition's list of whose guidance to sharpen.

Both visits of a pair are scored with their own criteria version (the same one: pairing
requires it), so the results compared are the ones their visit pages show.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from sqlite_utils import Database

from checklist import store
from checklist.core.access import Scope
from checklist.core.agreement import Agreement
from checklist.core.agreement import agreement
from checklist.core.labels import answer_labels
from checklist.core.labels import describe_answer
from checklist.reports.visit_data import VisitBundle
from checklist.reports.visit_data import load_visit


@dataclass(frozen=True)
class Difference:
    """A criterion the two visitors answered differently: both answers and notes."""

    criterion_id: str
    text: str
    critical: bool
    answer_a: str
    answer_b: str
    note_a: str
    note_b: str
    one_sided: bool  # assessed by one visitor only (the other: na, could not assess, unanswered)


@dataclass(frozen=True)
class DomainAgreement:
    domain_id: str
    title: str
    agreement: Agreement
    differences: list[Difference]


@dataclass(frozen=True)
class PairView:
    pair: dict
    a: VisitBundle
    b: VisitBundle
    lang: str
    overall: Agreement
    domains: list[DomainAgreement]
    generated_at: str = ""

    @property
    def criteria(self):
        return self.a.criteria

    @property
    def complete(self) -> bool:
        return not self.a.is_draft and not self.b.is_draft


def results(bundle: VisitBundle) -> dict[str, tuple[str, str | None]]:
    """Criterion id -> (domain id, result) for every criterion that applies to the visit."""
    return {line.criterion_id: (d.domain_id, line.result) for d in bundle.score.domains for line in d.lines}


def pair_view(pair: dict, a: VisitBundle, b: VisitBundle, lang: str, _) -> PairView:
    """Agreement per domain and overall; the differing criteria with both answers and notes."""
    labels = answer_labels(_)
    criteria = a.criteria
    ra, rb = results(a), results(b)
    domains, everything = [], []
    for domain in criteria.domains:
        ids = [c.id for c in domain.criteria if c.id in ra or c.id in rb]
        if not ids:
            continue
        items = [(ra.get(cid, (None, None))[1], rb.get(cid, (None, None))[1]) for cid in ids]
        everything += items
        differences = []
        for cid, (x, y) in zip(ids, items):
            if x == y:
                continue
            criterion = criteria.criterion(cid)
            answer_a, answer_b = a.answers.get(cid), b.answers.get(cid)
            differences.append(
                Difference(
                    criterion_id=cid,
                    text=criterion.text.get(lang),
                    critical=criterion.critical,
                    answer_a=describe_answer(criterion, answer_a, lang, labels, x) or "–",
                    answer_b=describe_answer(criterion, answer_b, lang, labels, y) or "–",
                    note_a=(answer_a or {}).get("note") or "",
                    note_b=(answer_b or {}).get("note") or "",
                    one_sided=agreement([(x, y)]).one_sided == 1,
                )
            )
        domains.append(DomainAgreement(domain.id, domain.title.get(lang), agreement(items), differences))
    return PairView(pair=pair, a=a, b=b, lang=lang, overall=agreement(everything), domains=domains)


def load_pair(db: Database, pair_id: int, scope: Scope) -> tuple[dict, VisitBundle, VisitBundle] | None:
    """The pair and both visits if the reader may see both, else None."""
    pair = store.get_pair(db, pair_id, scope)
    if pair is None:
        return None
    a, b = load_visit(db, pair["visit_a"], scope), load_visit(db, pair["visit_b"], scope)
    if a is None or b is None:
        return None
    return pair, a, b


# A criterion both visitors assessed in fewer pairs than this is listed after the others:
# one differing answer out of one is no evidence that its guidance is unclear.
RANK_MIN_BOTH = 3


@dataclass(frozen=True)
class CriterionAgreement:
    """One criterion across every pair that answered it (each pair one item)."""

    criterion_id: str
    text: str
    domain: str
    critical: bool
    pairs: int = 0  # pairs whose visits' criteria have this criterion
    agreement: Agreement = field(default_factory=Agreement)

    @property
    def few(self) -> bool:
        """Too few pairs assessed it on both sides for its place in the ranking to mean much."""
        return self.agreement.both < RANK_MIN_BOTH


def criteria_ranking(db: Database, scope: Scope, lang: str, complete_only: bool = True) -> tuple[list[CriterionAgreement], int]:
    """Criteria ordered by agreement across the pairs the reader may see, lowest first.

    Order: identical share (criteria assessed on both sides in fewer than RANK_MIN_BOTH
    pairs after the others, those no pair assessed on both sides last), then alpha,
    then more pairs first. A criterion is named with the text of the newest criteria
    version that has it. Returns the rows and the number of pairs read. Only complete
    pairs by default: a draft's answers may still change.
    """
    items: dict[str, list] = {}
    named: dict[str, tuple] = {}
    count = 0
    for pair in reversed(store.list_pairs(db, scope)):  # oldest first: newer texts win
        if complete_only and not pair["complete"]:
            continue
        loaded = load_pair(db, pair["id"], scope)
        if loaded is None:
            continue
        count += 1
        _, a, b = loaded
        ra, rb = results(a), results(b)
        for domain in a.criteria.domains:
            for criterion in domain.criteria:
                if criterion.id in ra or criterion.id in rb:
                    items.setdefault(criterion.id, []).append((ra.get(criterion.id, (None, None))[1], rb.get(criterion.id, (None, None))[1]))
                    named[criterion.id] = (criterion.text.get(lang), domain.title.get(lang), criterion.critical)
    rows = []
    for cid, pairs in items.items():
        text, domain, critical = named[cid]
        rows.append(CriterionAgreement(cid, text, domain, critical, pairs=len(pairs), agreement=agreement(pairs)))

    def order(row: CriterionAgreement):
        share, alpha = row.agreement.share, row.agreement.alpha
        return (share is None, row.few, share if share is not None else 0, alpha if alpha is not None else 2, -row.agreement.one_sided, -row.pairs, row.criterion_id)

    return sorted(rows, key=order), count
