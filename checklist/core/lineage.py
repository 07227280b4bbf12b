"""A criterion across versions: `replaces:` followed through every stored version.

A criterion of 2026.2 that names `replaces: [play.space]` continues 2026.1's `play.space`;
if 2026.3 replaces it in turn, all three are one line of descent. `Lineage.key(id)` gives
every id of such a line the same key, the id it has in the current criteria, so a
location's history, the recurring failures and the comparisons follow a criterion when it
is renamed, split or merged.

Ids are never reused, so the ids and `replaces:` edges of all versions make one graph; its
connected parts are the lines of descent. A part's key is its id in the current criteria
(the first in file order when a criterion was split; a merge has one), else the last id it
had (the newest version that had one, then file order). Pure: no Flask, no SQL.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from dataclasses import field
from typing import Iterable
from typing import Mapping

from cachetools import LRUCache
from cachetools import cached

from checklist.core.criteria import Criteria


@dataclass(frozen=True)
class Lineage:
    """old id -> current id for every id that another key stands for; others map to themselves."""

    mapping: Mapping[str, str] = field(default_factory=dict)

    def key(self, criterion_id: str) -> str:
        return self.mapping.get(criterion_id, criterion_id)

    def renamed(self) -> dict[str, str]:
        """Only the ids whose key differs from the id itself."""
        return {old: new for old, new in self.mapping.items() if old != new}

    def __bool__(self) -> bool:
        return bool(self.renamed())


def build_lineage(current: Criteria, versions: Iterable[Criteria]) -> Lineage:
    """The lineage over `versions` (any order; `current` is added if missing)."""
    return _build(current, tuple(sorted({v.hash: v for v in versions if v.hash != current.hash}.values(), key=lambda v: v.hash)))


@cached(LRUCache(maxsize=64), key=lambda current, others: (current.hash, tuple(v.hash for v in others)), lock=threading.Lock())
def _build(current: Criteria, others: tuple[Criteria, ...]) -> Lineage:
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb

    # Rank every id: current ids first in file order, then older versions' ids, newest first.
    rank: dict[str, tuple] = {}
    ordered = [current, *sorted(others, key=lambda v: _version_key(v.version), reverse=True)]
    for v_index, version in enumerate(ordered):
        for c_index, crit in enumerate(c for d in version.domains for c in d.criteria):
            rank.setdefault(crit.id, (v_index, c_index))
            find(crit.id)
            for old in crit.replaces:
                union(old, crit.id)
    best: dict[str, str] = {}
    for cid in parent:
        root = find(cid)
        if root not in best or rank.get(cid, (len(ordered), 0)) < rank.get(best[root], (len(ordered), 0)):
            best[root] = cid
    return Lineage({cid: best[find(cid)] for cid in parent if best[find(cid)] != cid})


def _version_key(version: str):
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in version.split("."))


def common_keys(versions: Iterable[Criteria], lineage: Lineage, location_type: str | None = None) -> frozenset[str]:
    """The lineage keys every one of `versions` has (for one location type, or any)."""
    sets = []
    for version in versions:
        domains = version.domains_for(location_type) if location_type else version.domains
        ids = (c.id for d in domains for c in (d.criteria_for(location_type) if location_type else d.criteria))
        sets.append({lineage.key(cid) for cid in ids})
    return frozenset(set.intersection(*sets)) if sets else frozenset()
