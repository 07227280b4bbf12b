"""Load and validate `criteria.yaml`.

The criteria are the contract between the coalition's published principles and every
score, page and report, so a bad file must stop the app with a message that names the
file, the line and the field. Pydantic checks shapes; YAML node marks give the lines.
Nothing here knows of Flask or SQL.
"""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

import yaml
from cachetools import LRUCache
from cachetools import cached
from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import ValidationError
from pydantic import field_validator

LANGUAGES = ("nl", "en")
RESULTS = ("meets", "partly", "fails")
STATUSES = ("green", "amber", "red")
ID_PATTERN = r"^[a-z][a-z0-9_]*$"
CRITERION_ID_PATTERN = r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$"


class CriteriaError(Exception):
    """A criteria file that cannot be used; the message lists every problem with its line."""

    def __init__(self, path: str, problems: list[tuple[int | None, str, str]]):
        self.path = path
        self.problems = problems
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        out = []
        for line, field, message in self.problems:
            where = f"{self.path}:{line}" if line else self.path
            out.append(f"{where}: {field}: {message}" if field else f"{where}: {message}")
        return out


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Model):
    """A text in every UI language; a missing translation is an error, not a fallback."""

    nl: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        return getattr(self, lang, None) or self.nl


class Source(_Model):
    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    title: str = Field(min_length=1)
    publisher: str | None = None
    year: int | None = None
    url: str | None = None


class SamplingRule(_Model):
    """The one rule for every answer that rests on what children or parents say."""

    min: int = Field(ge=1)
    max: int = Field(ge=1)
    text: Text


class CoalitionPoint(_Model):
    id: str = Field(pattern=ID_PATTERN)
    title: Text


class CoalitionList(_Model):
    """One of the coalition's own published lists, so a report can follow its structure."""

    id: str = Field(pattern=ID_PATTERN)
    title: Text
    source: str | None = None
    points: tuple[CoalitionPoint, ...] = Field(min_length=1)


class Scoring(_Model):
    points: dict[Literal["meets", "partly", "fails"], float]
    status_bands: dict[Literal["green", "amber"], float]
    red_flag_cap: Literal["amber", "red"] = "amber"

    @field_validator("points")
    @classmethod
    def _all_points(cls, value):
        missing = [r for r in RESULTS if r not in value]
        if missing:
            raise ValueError(f"points missing for {', '.join(missing)}")
        if any(not 0 <= p <= 1 for p in value.values()):
            raise ValueError("points must lie between 0 and 1")
        return value

    @field_validator("status_bands")
    @classmethod
    def _bands_ordered(cls, value):
        if set(value) != {"green", "amber"}:
            raise ValueError("status_bands needs both green and amber")
        if not 0 <= value["amber"] <= value["green"] <= 100:
            raise ValueError("status_bands need 0 <= amber <= green <= 100")
        return value


class LocationType(_Model):
    id: str = Field(pattern=ID_PATTERN)
    label: Text


class Anchors(_Model):
    crc: tuple[str, ...] = ()
    rcd_2013: tuple[str, ...] = ()
    rcd_2024: tuple[str, ...] = ()
    nl: tuple[str, ...] = ()

    def items(self):
        """(label key, articles) pairs that are set, in a fixed order."""
        return [(k, getattr(self, k)) for k in ("crc", "rcd_2013", "rcd_2024", "nl") if getattr(self, k)]


class Band(_Model):
    from_: float = Field(alias="from")
    to: float | None = None
    answer: Literal["meets", "partly", "fails"]


class Range(_Model):
    min: float
    max: float


class Threshold(_Model):
    """A number a band or the guidance rests on: sourced, or a working threshold that the
    coalition still has to confirm. Reports show which are which."""

    text: Text
    source: str | None = None
    working: bool = False


class Records(_Model):
    """The document a visitor asks to see, and what to answer when it is not there."""

    document: Text
    if_missing: Literal["unknown", "partly", "fails"] = "unknown"


class Criterion(_Model):
    id: str = Field(pattern=CRITERION_ID_PATTERN)
    text: Text
    guidance: Text
    kind: Literal["rating", "yesno", "count"]
    weight: float = Field(gt=0)
    critical: bool = False
    applies_to: Literal["all"] | tuple[str, ...] | None = None
    anchors: Anchors = Anchors()
    sources: tuple[str, ...] = ()
    unit: Text | None = None
    range: Range | None = None
    bands: tuple[Band, ...] | None = None
    # A critical failure caps the overall status at this (default: scoring.red_flag_cap).
    cap: Literal["amber", "red"] | None = None
    # Ids of earlier versions this criterion continues, so history follows it.
    replaces: tuple[str, ...] = ()
    # Rests on what children or parents say: the file's sampling rule applies.
    sampling: Literal["children", "parents", "children_or_parents"] | None = None
    records: Records | None = None
    thresholds: tuple[Threshold, ...] = ()
    # Points of the coalition's own lists, as "<list id>.<point id>".
    coalition: tuple[str, ...] = ()

    @property
    def working_thresholds(self) -> tuple[Threshold, ...]:
        return tuple(t for t in self.thresholds if t.working)

    def applies(self, location_type: str, domain_applies_to) -> bool:
        scope = self.applies_to if self.applies_to is not None else domain_applies_to
        return scope == "all" or location_type in scope

    def band_for(self, number: float) -> str | None:
        """The result (meets/partly/fails) a counted number falls in; bands are [from, to)."""
        for band in self.bands or ():
            if number >= band.from_ and (band.to is None or number < band.to):
                return band.answer
        return None


class Domain(_Model):
    id: str = Field(pattern=ID_PATTERN)
    title: Text
    description: Text | None = None
    weight: float = Field(gt=0)
    applies_to: Literal["all"] | tuple[str, ...] = "all"
    # A fact of the visit that must not be recorded as absent for the domain to apply:
    # "amv_present" makes the unaccompanied-minors domain not applicable when a visit
    # records that none live there.
    applies_when: Literal["amv_present"] | None = None
    criteria: tuple[Criterion, ...] = Field(min_length=1)

    def criteria_for(self, location_type: str) -> list[Criterion]:
        return [c for c in self.criteria if c.applies(location_type, self.applies_to)]


class CriteriaFile(_Model):
    version: str = Field(min_length=1)
    title: Text
    derived_from: Text
    sources: tuple[Source, ...] = ()
    sampling: SamplingRule | None = None
    coalition: tuple[CoalitionList, ...] = ()
    scoring: Scoring
    location_types: tuple[LocationType, ...] = Field(min_length=1)
    domains: tuple[Domain, ...] = Field(min_length=1)


@dataclass(frozen=True)
class Criteria:
    """A validated criteria file plus the lookups every caller needs."""

    spec: CriteriaFile
    text: str
    hash: str
    path: str

    @property
    def version(self) -> str:
        return self.spec.version

    @property
    def domains(self) -> tuple[Domain, ...]:
        return self.spec.domains

    @property
    def scoring(self) -> Scoring:
        return self.spec.scoring

    @property
    def location_types(self) -> tuple[LocationType, ...]:
        return self.spec.location_types

    @cached_property
    def _domains_by_id(self) -> dict[str, Domain]:
        return {d.id: d for d in self.spec.domains}

    @cached_property
    def _criteria_by_id(self) -> dict[str, Criterion]:
        return {c.id: c for d in self.spec.domains for c in d.criteria}

    def domain(self, domain_id: str) -> Domain | None:
        return self._domains_by_id.get(domain_id)

    def criterion(self, criterion_id: str) -> Criterion | None:
        return self._criteria_by_id.get(criterion_id)

    def domains_for(self, location_type: str) -> list[Domain]:
        """Domains with at least one criterion that applies to this type of location (cached)."""
        return list(_domains_for(self, location_type))

    def location_type_label(self, type_id: str, lang: str) -> str:
        for t in self.spec.location_types:
            if t.id == type_id:
                return t.label.get(lang)
        return type_id

    def source(self, source_id: str) -> Source | None:
        return next((s for s in self.spec.sources if s.id == source_id), None)

    def summary(self) -> str:
        count = sum(len(d.criteria) for d in self.spec.domains)
        critical = sum(c.critical for d in self.spec.domains for c in d.criteria)
        return (
            f"{self.path}: version {self.version}, {len(self.spec.domains)} domains, "
            f"{count} criteria ({critical} critical), hash {self.hash[:12]}"
        )


# -- line numbers --------------------------------------------------------------


def _compose_with_lines(text: str):
    """Parse YAML into plain data and a map from a path (tuple of keys/indexes) to its line."""
    lines: dict[tuple, int] = {}

    def walk(node, path):
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, value_node in node.value:
                key = key_node.value
                if key in seen:
                    raise _DuplicateKey(path + (key,), key_node.start_mark.line + 1)
                seen.add(key)
                lines[path + (key,)] = key_node.start_mark.line + 1
                walk(value_node, path + (key,))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, path + (i,))

    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, lines
        walk(node, ())
        return loader.construct_document(node), lines
    finally:
        loader.dispose()


def source_lines(text: str) -> dict[tuple, int]:
    """The line of every key and item of a criteria text that parses, by its path
    (("domains", 0, "criteria", 2, "id") -> 57): for checks made after parsing."""
    return _compose_with_lines(text)[1]


def line_of(lines: dict[tuple, int], path) -> int | None:
    """The line of a path, or of its nearest parent that has one."""
    return _line_for(lines, path)


def field_name(path) -> str:
    """A path as the problems name it: domains[0].criteria[2].id."""
    return _field_name(path)


class _DuplicateKey(Exception):
    def __init__(self, path, line):
        self.path, self.line = path, line


def _field_name(path) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _line_for(lines, path) -> int | None:
    path = tuple(path)
    while path and path not in lines:
        path = path[:-1]
    return lines.get(path)


# -- loading -------------------------------------------------------------------


# Keyed by the file's hash (the SHA-256 of its text, so of everything the answer depends
# on), not by the object: a criteria version parsed twice shares its entries. A process
# knows a few criteria versions with some five location types each; 256 keys leave room.
@cached(LRUCache(maxsize=256), key=lambda criteria, location_type: (criteria.hash, location_type), lock=threading.Lock())
def _domains_for(criteria: Criteria, location_type: str) -> tuple[Domain, ...]:
    return tuple(d for d in criteria.spec.domains if d.criteria_for(location_type))


def parse_criteria(text: str, path: str = "criteria.yaml") -> Criteria:
    """Validate criteria text; raise CriteriaError naming file, line and field of every problem."""
    try:
        data, lines = _compose_with_lines(text)
    except _DuplicateKey as dup:
        raise CriteriaError(path, [(dup.line, _field_name(dup.path), "key appears twice")]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise CriteriaError(path, [(line, "", f"not valid YAML: {problem}")]) from None
    if not isinstance(data, dict):
        raise CriteriaError(path, [(1, "", "the file must be a mapping with version, domains, ...")])
    try:
        spec = CriteriaFile.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith(("function-", "literal[", "tuple["))))
            loc = tuple("from" if p == "from_" else p for p in loc)
            message = err["msg"]
            if err["type"] == "missing":
                message = "required field is missing" + (" (a translation)" if loc and loc[-1] in LANGUAGES else "")
            elif err["type"] == "extra_forbidden":
                message = "unknown key"
            problems.append((_line_for(lines, loc), _field_name(loc), message))
        raise CriteriaError(path, _dedupe(problems)) from None
    problems = _cross_checks(spec, lines)
    if problems:
        raise CriteriaError(path, problems)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Criteria(spec=spec, text=text, hash=digest, path=path)


ARCHIVE = Path(__file__).resolve().parent.parent / "criteria_archive"


def load_archived(version: str) -> Criteria:
    """An earlier criteria version, kept byte for byte so its hash still matches the visits
    made with it (`checklist/criteria_archive/<version>.yaml`)."""
    return load_criteria(ARCHIVE / f"{version}.yaml")


def load_criteria(path: str | Path) -> Criteria:
    """Read and validate a criteria file from disk."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CriteriaError(str(path), [(None, "", f"cannot be read: {exc.strerror}")]) from None
    return parse_criteria(text, str(path))


def _dedupe(problems):
    seen, out = set(), []
    for p in problems:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out


def _cross_checks(spec: CriteriaFile, lines) -> list[tuple[int | None, str, str]]:
    """Rules that span fields: unique ids, known references, contiguous count bands."""
    problems = []

    def add(path, message):
        problems.append((_line_for(lines, path), _field_name(path), message))

    type_ids = [t.id for t in spec.location_types]
    for i, t in enumerate(spec.location_types):
        if type_ids.index(t.id) != i:
            add(("location_types", i, "id"), f"duplicate location type id '{t.id}'")
    source_ids = [s.id for s in spec.sources]
    for i, s in enumerate(spec.sources):
        if source_ids.index(s.id) != i:
            add(("sources", i, "id"), f"duplicate source id '{s.id}'")

    def check_scope(scope, path):
        if scope in (None, "all"):
            return
        for j, type_id in enumerate(scope):
            if type_id not in type_ids:
                add(path + (j,), f"unknown location type '{type_id}' (known: {', '.join(type_ids)})")

    coalition_points = set()
    for i, lst in enumerate(spec.coalition):
        if lst.source and lst.source not in source_ids:
            add(("coalition", i, "source"), f"unknown source '{lst.source}'")
        coalition_points.update(f"{lst.id}.{point.id}" for point in lst.points)
    all_replaced = []
    seen_domains, seen_criteria = set(), set()
    for d, domain in enumerate(spec.domains):
        dpath = ("domains", d)
        if domain.id in seen_domains:
            add(dpath + ("id",), f"duplicate domain id '{domain.id}'")
        seen_domains.add(domain.id)
        check_scope(domain.applies_to, dpath + ("applies_to",))
        for c, crit in enumerate(domain.criteria):
            cpath = dpath + ("criteria", c)
            if crit.id in seen_criteria:
                add(cpath + ("id",), f"duplicate criterion id '{crit.id}'")
            seen_criteria.add(crit.id)
            if crit.id.split(".")[0] != domain.id:
                add(cpath + ("id",), f"criterion id must start with its domain id '{domain.id}.'")
            check_scope(crit.applies_to, cpath + ("applies_to",))
            for s, source_id in enumerate(crit.sources):
                if source_id not in source_ids:
                    add(cpath + ("sources", s), f"unknown source '{source_id}'")
            problems.extend(_check_count(crit, cpath, lines))
            for t, threshold in enumerate(crit.thresholds):
                tpath = cpath + ("thresholds", t)
                if threshold.working == (threshold.source is not None):
                    add(tpath, "a threshold names its source or is marked 'working: true', not both")
                elif threshold.source and threshold.source not in source_ids:
                    add(tpath + ("source",), f"unknown source '{threshold.source}'")
            for p, point in enumerate(crit.coalition):
                if point not in coalition_points:
                    add(cpath + ("coalition", p), f"unknown coalition point '{point}' (write it as <list id>.<point id>)")
            if crit.cap is not None and not crit.critical:
                add(cpath + ("cap",), "only a critical criterion caps the overall status")
            if crit.sampling is not None and spec.sampling is None:
                add(cpath + ("sampling",), "the file has no 'sampling' rule to apply")
            all_replaced.extend((cpath + ("replaces", r), old) for r, old in enumerate(crit.replaces))
    for path, old in all_replaced:
        if not re.fullmatch(CRITERION_ID_PATTERN, old):
            add(path, f"'{old}' is not a criterion id")
        elif old in seen_criteria:
            add(path, f"'{old}' is still a criterion of this version; only a retired id can be replaced")
    if spec.sampling is not None and spec.sampling.min > spec.sampling.max:
        add(("sampling", "min"), "sampling.min must not be above sampling.max")
    return problems


def _check_count(crit: Criterion, cpath, lines):
    problems = []

    def add(path, message):
        problems.append((_line_for(lines, path), _field_name(path), message))

    count_keys = ("unit", "range", "bands")
    if crit.kind != "count":
        for key in count_keys:
            if getattr(crit, key) is not None:
                add(cpath + (key,), f"only a count criterion has '{key}' (kind is {crit.kind})")
        return problems
    for key in count_keys:
        if getattr(crit, key) is None:
            add(cpath + ("kind",), f"a count criterion needs '{key}'")
    if crit.range is None or not crit.bands:
        if crit.bands == ():
            add(cpath + ("bands",), "a count criterion needs at least one band")
        return problems
    if crit.range.min >= crit.range.max:
        add(cpath + ("range",), "range.min must be below range.max")
    bands = crit.bands
    if bands[0].from_ != crit.range.min:
        add(cpath + ("bands", 0, "from"), f"the first band must start at range.min ({crit.range.min:g})")
    for b, band in enumerate(bands):
        last = b == len(bands) - 1
        if not last and band.to is None:
            add(cpath + ("bands", b), "only the last band may be open-ended (no 'to')")
        elif last and band.to is not None and band.to <= crit.range.max:
            add(cpath + ("bands", b, "to"), f"values from {band.to:g} up to range.max {crit.range.max:g} fall in no band")
        if band.to is not None and band.to <= band.from_:
            add(cpath + ("bands", b, "to"), "'to' must be above 'from'")
        if b and bands[b - 1].to is not None and bands[b - 1].to != band.from_:
            gap = "gap" if bands[b - 1].to < band.from_ else "overlap"
            add(cpath + ("bands", b, "from"), f"bands have a {gap}: previous band ends at {bands[b - 1].to:g}, this one starts at {band.from_:g}")
    return problems

