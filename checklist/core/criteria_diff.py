"""What changed between two criteria versions: retired, added, reworded, rescored.

Pure: two parsed `Criteria` in, a `CriteriaDiff` out, and its text for a coordinator or a
plain dict for a script. `flask --app checklist criteria-diff OLD NEW` prints it; the
changelog beside `criteria.yaml` says why.

- retired: a criterion of OLD that NEW no longer has, with the NEW criteria that name it
  in `replaces:` (none: retired without a successor);
- added: a criterion of NEW that OLD did not have, with the ids it replaces;
- reworded: a criterion in both whose text or guidance changed, per language;
- rescored: anything that changes a score or a status: per criterion its kind, weight,
  critical, cap, range, bands and the location types it applies to (its own or its
  domain's `applies_to`, so a domain's change shows on each criterion it moves); per
  domain its weight and `applies_when`; and the file's scoring block.
"""

from __future__ import annotations

from dataclasses import asdict
from dataclasses import dataclass

from checklist.core.criteria import LANGUAGES
from checklist.core.criteria import Criteria
from checklist.core.criteria import Criterion
from checklist.core.criteria import Domain


@dataclass(frozen=True)
class Retired:
    criterion_id: str
    replaced_by: tuple[str, ...]  # NEW criteria naming it in `replaces:`


@dataclass(frozen=True)
class Added:
    criterion_id: str
    replaces: tuple[str, ...]


@dataclass(frozen=True)
class Reworded:
    criterion_id: str
    field: str  # text | guidance
    lang: str
    before: str
    after: str


@dataclass(frozen=True)
class Rescored:
    subject: str  # a criterion id, a domain id or "scoring"
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class CriteriaDiff:
    old_version: str
    new_version: str
    old_hash: str
    new_hash: str
    retired: tuple[Retired, ...]
    added: tuple[Added, ...]
    reworded: tuple[Reworded, ...]
    rescored: tuple[Rescored, ...]
    domains_retired: tuple[str, ...]
    domains_added: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not (self.retired or self.added or self.reworded or self.rescored or self.domains_retired or self.domains_added)

    def as_dict(self) -> dict:
        return asdict(self)


def _criteria(criteria: Criteria) -> dict[str, tuple[Domain, Criterion]]:
    return {c.id: (d, c) for d in criteria.domains for c in d.criteria}


def _number(value: float) -> str:
    return f"{value:g}"


def _bands(criterion: Criterion) -> str:
    if not criterion.bands:
        return "–"
    parts = []
    for band in criterion.bands:
        upper = f"–{_number(band.to)}" if band.to is not None else "+"
        parts.append(f"{_number(band.from_)}{upper} {band.answer}")
    return "; ".join(parts)


def _scope(criteria: Criteria, domain: Domain, criterion: Criterion) -> str:
    """The location types a criterion applies to, as the file resolves it."""
    scope = criterion.applies_to if criterion.applies_to is not None else domain.applies_to
    if scope == "all":
        return "all"
    return ", ".join(t.id for t in criteria.location_types if t.id in scope) or "none"


def _scored_fields(criteria: Criteria, domain: Domain, criterion: Criterion) -> dict[str, str]:
    return {
        "kind": criterion.kind,
        "weight": _number(criterion.weight),
        "critical": "yes" if criterion.critical else "no",
        "cap": (criterion.cap or criteria.scoring.red_flag_cap) if criterion.critical else "–",
        "range": f"{_number(criterion.range.min)}–{_number(criterion.range.max)}" if criterion.range else "–",
        "bands": _bands(criterion),
        "applies_to": _scope(criteria, domain, criterion),
    }


def _scoring_fields(criteria: Criteria) -> dict[str, str]:
    s = criteria.scoring
    return {
        "points": ", ".join(f"{r} {_number(s.points[r])}" for r in ("meets", "partly", "fails")),
        "status_bands": f"green {_number(s.status_bands['green'])}, amber {_number(s.status_bands['amber'])}",
        "red_flag_cap": s.red_flag_cap,
    }


def diff_criteria(old: Criteria, new: Criteria) -> CriteriaDiff:
    """Everything a coordinator must know before comparing visits made with OLD and NEW."""
    before, after = _criteria(old), _criteria(new)
    successors: dict[str, list[str]] = {}
    for criterion_id, (_domain, criterion) in after.items():
        for old_id in criterion.replaces:
            successors.setdefault(old_id, []).append(criterion_id)
    retired = tuple(Retired(cid, tuple(successors.get(cid, ()))) for cid in before if cid not in after)
    added = tuple(Added(cid, c.replaces) for cid, (_d, c) in after.items() if cid not in before)
    reworded, rescored = [], []
    for cid, (old_domain, old_c) in before.items():
        if cid not in after:
            continue
        new_domain, new_c = after[cid]
        for field in ("text", "guidance"):
            for lang in LANGUAGES:
                a, b = getattr(old_c, field).get(lang), getattr(new_c, field).get(lang)
                if a != b:
                    reworded.append(Reworded(cid, field, lang, a, b))
        a, b = _scored_fields(old, old_domain, old_c), _scored_fields(new, new_domain, new_c)
        rescored.extend(Rescored(cid, key, a[key], b[key]) for key in a if a[key] != b[key])
    old_domains = {d.id: d for d in old.domains}
    new_domains = {d.id: d for d in new.domains}
    for domain_id, d in old_domains.items():
        if domain_id in new_domains:
            n = new_domains[domain_id]
            if d.weight != n.weight:
                rescored.append(Rescored(domain_id, "domain weight", _number(d.weight), _number(n.weight)))
            if d.applies_when != n.applies_when:
                rescored.append(Rescored(domain_id, "applies_when", d.applies_when or "–", n.applies_when or "–"))
    a, b = _scoring_fields(old), _scoring_fields(new)
    rescored.extend(Rescored("scoring", key, a[key], b[key]) for key in a if a[key] != b[key])
    return CriteriaDiff(
        old_version=old.version,
        new_version=new.version,
        old_hash=old.hash,
        new_hash=new.hash,
        retired=retired,
        added=added,
        reworded=tuple(reworded),
        rescored=tuple(rescored),
        domains_retired=tuple(d for d in old_domains if d not in new_domains),
        domains_added=tuple(d for d in new_domains if d not in old_domains),
    )


def _short(text: str, width: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def diff_lines(diff: CriteriaDiff, full: bool = False) -> list[str]:
    """The diff as text for a coordinator: a count per kind of change, then each change."""
    out = [
        f"Criteria {diff.old_version} ({diff.old_hash[:12]}) -> {diff.new_version} ({diff.new_hash[:12]})",
        f"{len(diff.retired)} retired, {len(diff.added)} added, "
        f"{len({r.criterion_id for r in diff.reworded})} reworded, {len({r.subject for r in diff.rescored})} rescored",
    ]
    if diff.empty:
        return out + ["No differences."]
    if diff.domains_retired or diff.domains_added:
        out.append("")
        out += [f"  domain retired: {d}" for d in diff.domains_retired]
        out += [f"  domain added:   {d}" for d in diff.domains_added]
    if diff.retired:
        out += ["", "Retired:"]
        for r in diff.retired:
            out.append(f"  {r.criterion_id}" + (f"  -> replaced by {', '.join(r.replaced_by)}" if r.replaced_by else "  (no successor)"))
    if diff.added:
        out += ["", "Added:"]
        for a in diff.added:
            out.append(f"  {a.criterion_id}" + (f"  (replaces {', '.join(a.replaces)})" if a.replaces else ""))
    if diff.reworded:
        out += ["", "Reworded:"]
        for r in diff.reworded:
            before, after = (r.before, r.after) if full else (_short(r.before), _short(r.after))
            out += [f"  {r.criterion_id} {r.field} [{r.lang}]", f"    - {before}", f"    + {after}"]
    if diff.rescored:
        out += ["", "Rescored:"]
        out += [f"  {r.subject} {r.field}: {r.before} -> {r.after}" for r in diff.rescored]
    return out
