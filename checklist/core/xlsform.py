"""The checklist as an XLSForm, for KoboToolbox and ODK Collect: the names its fields
carry and the rows of the form. Pure: `reports/xlsform.py` writes the file, and
`core/submissions.py` reads the exports of a filled form back.

Names. A criterion id becomes a field name by turning its dot into two underscores
(`play.space` -> `play__space`, the name the app's own checklist form uses). That is
reversible because the domain part of an id holds no `__` and does not end in `_`
(`criterion_name` refuses such an id, so a form is never made with an ambiguous name);
`criterion_of` reads a name back. The other fields of a criterion add an upper-case
suffix (`play__space_NOTE`), which an id cannot hold, so they are told apart from a
criterion whose id happens to end in `_note`.

Versions. The form's `form_id` and `version` (settings sheet) carry the criteria version
and the start of its hash, and two `calculate` fields put the version and the whole hash
into every submission, so an import knows exactly which criteria a submission answered,
whatever the export leaves out of its metadata.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field
from typing import Callable
from typing import Iterable
from typing import Mapping

from checklist.core.criteria import ID_PATTERN
from checklist.core.criteria import Criteria
from checklist.core.criteria import Criterion
from checklist.core.evidence import COUNT_MAX
from checklist.core.evidence import COUNT_MIN
from checklist.core.evidence import EVIDENCE_TYPES
from checklist.core.i18n import LANGUAGES
from checklist.core.i18n import N_
from checklist.core.i18n import translations_for
from checklist.core.labels import answer_labels
from checklist.core.labels import bands_text
from checklist.core.labels import evidence_labels
from checklist.core.labels import records_hint
from checklist.core.labels import sampling_marker

# The language columns (`label::Nederlands (nl)`), as ODK and Kobo name a language.
LANGUAGE_COLUMNS = {"nl": "Nederlands (nl)", "en": "English (en)"}

# The suffixes of a criterion's other fields (upper case: a criterion id has none).
NOTE = "_NOTE"
EVIDENCE = "_EVIDENCE"
CHILDREN = "_CHILDREN"
PARENTS = "_PARENTS"
LEFT_OUT = "_LEFT_OUT"  # a count's "not applicable" / "could not assess"
SUFFIXES = (NOTE, EVIDENCE, CHILDREN, PARENTS, LEFT_OUT)
COUNT_SUFFIX = {"children": CHILDREN, "parents": PARENTS}  # evidence type -> field suffix

# Answer choices per criterion kind, and the two that leave a criterion out of the score.
ANSWER_CHOICES = {"rating": ("meets", "partly", "fails", "na", "unknown"), "yesno": ("yes", "no", "na", "unknown")}
LEFT_OUT_CHOICES = ("na", "unknown")

# The visit's facts: field names, as `store.VISIT_FIELDS` and the location.
LOCATION = "location"
LOCATION_OTHER = "location_other"
LOCATION_TYPE = "location_type"
OTHER_LOCATION = "other"  # the choice for a location not in the list
FACTS = ("visit_date", "visitors", "announced", "children_present", "amv_present", "amv_resident", "impression")
CRITERIA_VERSION = "criteria_version"
CRITERIA_HASH = "criteria_hash"
VOICES = "voices"  # the repeat for what children said
VOICE_FIELDS = ("voice_age_band", "voice_domain", "voice_text")
NUMBER_MAX = 5000  # children present, amv: as the app's visit form
VISITORS_MAX, IMPRESSION_MAX, VOICE_MAX = 200, 4000, 1000  # lengths, as the app's forms

_ID = re.compile(ID_PATTERN)


class UnnamedCriterion(ValueError):
    """A criterion id that has no reversible XLSForm name (its domain part holds `__` or ends in `_`)."""


def criterion_name(criterion_id: str) -> str:
    """The XLSForm name of a criterion: `play.space` -> `play__space`."""
    domain, dot, local = criterion_id.partition(".")
    if not dot or not _ID.fullmatch(domain) or not _ID.fullmatch(local) or "__" in domain or domain.endswith("_"):
        raise UnnamedCriterion(f"criterion id {criterion_id!r} has no reversible XLSForm name (its domain part must not hold '__' or end in '_')")
    return f"{domain}__{local}"


def criterion_of(name: str) -> str | None:
    """The criterion id a name stands for (`criterion_name` read back), or None."""
    domain, sep, local = name.partition("__")
    if not sep or not _ID.fullmatch(domain) or domain.endswith("_") or not _ID.fullmatch(local):
        return None
    return f"{domain}.{local}"


def field_of(name: str) -> tuple[str, str] | None:
    """(criterion id, suffix) of a criterion's field name ("" for the answer itself), or None."""
    for suffix in SUFFIXES:
        if name.endswith(suffix):
            criterion_id = criterion_of(name[: -len(suffix)])
            return (criterion_id, suffix) if criterion_id else None
    criterion_id = criterion_of(name)
    return (criterion_id, "") if criterion_id else None


def form_id(criteria: Criteria, location_type: str | None = None) -> str:
    """`checklist_2026_2_<hash 12>[_<type>]`: a form per criteria version (and type)."""
    version = re.sub(r"[^A-Za-z0-9]+", "_", criteria.version).strip("_")
    return f"checklist_{version}_{criteria.hash[:12]}" + (f"_{location_type}" if location_type else "")


def form_version(criteria: Criteria) -> str:
    return f"{criteria.version}-{criteria.hash[:12]}"


@dataclass
class XLSForm:
    """The three sheets of an XLSForm as rows of column -> value. A column that holds a
    text per language has a dict lang -> text as its value (`columns` spells them out)."""

    survey: list[dict] = field(default_factory=list)
    choices: list[dict] = field(default_factory=list)
    settings: dict = field(default_factory=dict)
    file_name: str = ""

    def table(self, sheet: str) -> tuple[list[str], list[list]]:
        """A sheet as a header and rows of plain values, the language columns spelled out."""
        rows = self.survey if sheet == "survey" else self.choices if sheet == "choices" else [self.settings]
        header: list[str] = []
        for row in rows:
            for key, value in row.items():
                for column in _columns(key, value):
                    if column not in header:
                        header.append(column)
        out = []
        for row in rows:
            flat = {}
            for key, value in row.items():
                if isinstance(value, dict):
                    flat.update({f"{key}::{LANGUAGE_COLUMNS[lang]}": text for lang, text in value.items()})
                else:
                    flat[key] = value
            out.append([flat.get(column, "") for column in header])
        return header, out


def _columns(key: str, value) -> list[str]:
    if isinstance(value, dict):
        return [f"{key}::{LANGUAGE_COLUMNS[lang]}" for lang in value]
    return [key]


def build_form(criteria: Criteria, locations: Iterable[Mapping], location_type: str | None = None, default_lang: str = "nl") -> XLSForm:
    """The XLSForm of one criteria version, for one location type or for all.

    `locations`: the open locations to choose from (id, name, type); a location not in the
    list is named in a text field and matched by name on import. Raises UnnamedCriterion
    for a criteria file whose ids have no reversible name.
    """
    texts = {lang: translations_for(lang).gettext for lang in LANGUAGES}

    def each(message: str, **params) -> dict:
        return {lang: (texts[lang](message) % params if params else texts[lang](message)) for lang in LANGUAGES}

    def per_lang(make: Callable[[str, Callable], str]) -> dict:
        return {lang: make(lang, texts[lang]) for lang in LANGUAGES}

    types = [t.id for t in criteria.location_types] if location_type is None else [location_type]
    form = XLSForm()
    survey, choices = form.survey, form.choices
    survey.append({"type": "calculate", "name": CRITERIA_VERSION, "calculation": f"'{criteria.version}'"})
    survey.append({"type": "calculate", "name": CRITERIA_HASH, "calculation": f"'{criteria.hash}'"})

    # -- the visit's facts -----------------------------------------------------------
    survey.append({"type": "begin_group", "name": "visit", "label": each(N_("The visit"))})
    if location_type is None:
        survey.append({"type": "select_one location_types", "name": LOCATION_TYPE, "label": each(N_("Type of location")), "required": "yes"})
        for t in criteria.location_types:
            choices.append({"list_name": "location_types", "name": t.id, "label": per_lang(lambda lang, _, t=t: t.label.get(lang))})
        location_row = {"choice_filter": f"location_type=${{{LOCATION_TYPE}}} or name='{OTHER_LOCATION}'"}
    else:
        survey.append({"type": "calculate", "name": LOCATION_TYPE, "calculation": f"'{location_type}'"})
        location_row = {}
    survey.append({"type": "select_one locations", "name": LOCATION, "label": each(N_("Location")), "required": "yes", **location_row})
    for loc in locations:
        if loc.get("type") in types:
            label = loc["name"].replace("${", "$ {")  # typed text, never a reference to a field
            choices.append({"list_name": "locations", "name": f"loc_{loc['id']}", "label": {lang: label for lang in LANGUAGES}, "location_type": loc["type"]})
    choices.append({"list_name": "locations", "name": OTHER_LOCATION, "label": each(N_("Another location, not in this list")), "location_type": ""})
    survey.append(
        {
            "type": "text",
            "name": LOCATION_OTHER,
            "label": each(N_("Name of the location")),
            "hint": each(N_("As the location is called in the app: the import matches it by name.")),
            "required": "yes",
            "relevant": f"${{{LOCATION}}} = '{OTHER_LOCATION}'",
        }
    )
    survey.append(
        {
            "type": "date",
            "name": "visit_date",
            "label": each(N_("Date of the visit")),
            "required": "yes",
            "constraint": ". <= today() and . >= date('2000-01-01')",
            "constraint_message": each(N_("A visit cannot take place in the future.")),
        }
    )
    survey.append(
        {
            "type": "text",
            "name": "visitors",
            "label": each(N_("Visitors")),
            "hint": each(N_("Names or initials of the visiting staff only, never of children.")),
            "required": "yes",
            "constraint": f"string-length(.) <= {VISITORS_MAX}",
        }
    )
    survey.append({"type": "select_one announced", "name": "announced", "label": each(N_("Was the visit announced?")), "required": "yes"})
    choices.append({"list_name": "announced", "name": "1", "label": each(N_("Announced"))})
    choices.append({"list_name": "announced", "name": "0", "label": each(N_("Unannounced"))})
    number = f". >= 0 and . <= {NUMBER_MAX}"
    survey.append({"type": "integer", "name": "children_present", "label": each(N_("Children present during the visit")), "constraint": number})
    survey.append(
        {
            "type": "integer",
            "name": "amv_present",
            "label": each(N_("Of whom unaccompanied minors (amv)")),
            "constraint": f"{number} and (${{children_present}} = '' or . <= ${{children_present}})",
            "constraint_message": each(N_("Cannot be more than the number of children present.")),
        }
    )
    survey.append(
        {
            "type": "integer",
            "name": "amv_resident",
            "label": each(N_("Unaccompanied minors living at this location")),
            "hint": each(N_("Ask staff. Enter 0 when none live here: the questions about unaccompanied minors then do not apply.")),
            "constraint": number,
        }
    )
    survey.append(
        {
            "type": "text",
            "name": "impression",
            "label": each(N_("General impression")),
            "hint": each(N_("Do not write children's names or other personal data.")),
            "constraint": f"string-length(.) <= {IMPRESSION_MAX}",
        }
    )
    survey.append({"type": "end_group", "name": "visit"})

    # -- the answer lists --------------------------------------------------------------
    answer_words = {lang: answer_labels(texts[lang]) for lang in LANGUAGES}
    for list_name, values in (*ANSWER_CHOICES.items(), ("left_out", LEFT_OUT_CHOICES)):
        for value in values:
            choices.append({"list_name": list_name, "name": value, "label": {lang: answer_words[lang][value] for lang in LANGUAGES}})
    evidence_words = {lang: evidence_labels(texts[lang]) for lang in LANGUAGES}
    for kind in EVIDENCE_TYPES:
        choices.append({"list_name": "evidence", "name": kind, "label": {lang: evidence_words[lang][kind] for lang in LANGUAGES}})

    # -- a group per domain ------------------------------------------------------------
    domains = [d for d in criteria.domains if any(d.criteria_for(t) for t in types)]
    for domain in domains:
        relevant = []
        if location_type is None:
            relevant.append(_types_relevant([t for t in types if domain.criteria_for(t)], types))
        if domain.applies_when == "amv_present":
            relevant.append("(${amv_resident} = '' or ${amv_resident} > 0)")
        group = {"type": "begin_group", "name": f"domain_{domain.id}", "label": {lang: domain.title.get(lang) for lang in LANGUAGES}}
        if any(relevant):
            group["relevant"] = " and ".join(r for r in relevant if r)
        survey.append(group)
        for criterion in domain.criteria:
            applies = [t for t in types if criterion.applies(t, domain.applies_to)]
            if applies:
                survey.extend(_criterion_rows(criterion, texts, answer_words, _types_relevant(applies, types) if location_type is None else ""))
        survey.append({"type": "end_group", "name": f"domain_{domain.id}"})

    # -- what children said -------------------------------------------------------------
    survey.append({"type": "begin_repeat", "name": VOICES, "label": each(N_("What children said"))})
    survey.append({"type": "select_one age_bands", "name": "voice_age_band", "label": each(N_("Age band")), "required": "yes"})
    survey.append({"type": "select_one domains", "name": "voice_domain", "label": each(N_("Concerns"))})
    survey.append(
        {
            "type": "text",
            "name": "voice_text",
            "label": each(N_("What a child said")),
            "hint": each(N_("Write down what was said, in short. Never write names: age band and theme are enough.")),
            "required": "yes",
            "constraint": f"string-length(.) <= {VOICE_MAX}",
        }
    )
    survey.append({"type": "end_repeat", "name": VOICES})
    for band in AGE_BANDS:
        choices.append({"list_name": "age_bands", "name": _band_name(band), "label": {lang: band for lang in LANGUAGES}})
    for domain in domains:
        choices.append({"list_name": "domains", "name": domain.id, "label": {lang: domain.title.get(lang) for lang in LANGUAGES}})

    title = criteria.spec.title.get(default_lang)
    form.settings = {
        "form_title": f"{title} {criteria.version}" + (f" ({criteria.location_type_label(location_type, default_lang)})" if location_type else ""),
        "form_id": form_id(criteria, location_type),
        "version": form_version(criteria),
        "default_language": LANGUAGE_COLUMNS[default_lang],
        "instance_name": "concat(${visit_date}, ' ', ${visitors})",
    }
    form.file_name = f"{form_id(criteria, location_type)}.xlsx"
    return form


# The age bands of what children said, as `store.AGE_BANDS` (checked in the tests); a
# choice name cannot start with a digit in every tool, so they are written band_0_3.
AGE_BANDS = ("0-3", "4-7", "8-12", "13-17")


def _band_name(band: str) -> str:
    return "band_" + band.replace("-", "_")


def age_band_of(name: str) -> str | None:
    """The age band a choice name stands for (`band_8_12` -> `8-12`), or None."""
    for band in AGE_BANDS:
        if name in (band, _band_name(band)):
            return band
    return None


def _types_relevant(applies: list[str], types: list[str]) -> str:
    """An XPath condition on the chosen location type; "" when every type applies."""
    if set(applies) >= set(types):
        return ""
    return "(" + " or ".join(f"${{{LOCATION_TYPE}}} = '{t}'" for t in applies) + ")"


def _criterion_rows(criterion: Criterion, texts: dict, answer_words: dict, relevant: str) -> list[dict]:
    name = criterion_name(criterion.id)

    def with_relevant(row: dict, extra: str = "") -> dict:
        condition = " and ".join(c for c in (relevant, extra) if c)
        return {**row, "relevant": condition} if condition else row

    def hint(lang: str) -> str:
        _ = texts[lang]
        parts = [criterion.guidance.get(lang)]
        if criterion.kind == "count":
            parts.append(bands_text(criterion, lang, _, answer_words[lang]))
        parts += [records_hint(criterion, lang, _, answer_words[lang]), sampling_marker(criterion, _)]
        if criterion.critical:
            parts.append(_("Critical criterion") + ".")
        return " ".join(p for p in parts if p)

    label = {lang: criterion.text.get(lang) for lang in LANGUAGES}
    hints = {lang: hint(lang) for lang in LANGUAGES}
    rows = []
    if criterion.kind == "count":
        low, high = criterion.range.min, criterion.range.max
        rows.append(
            with_relevant(
                {
                    "type": "decimal",
                    "name": name,
                    "label": label,
                    "hint": hints,
                    "constraint": f". >= {low:g} and . <= {high:g}",
                    "constraint_message": {lang: texts[lang]("Enter a number from %(min)s to %(max)s.") % {"min": f"{low:g}", "max": f"{high:g}"} for lang in LANGUAGES},
                }
            )
        )
        rows.append(
            with_relevant(
                {"type": "select_one left_out", "name": name + LEFT_OUT, "label": {lang: texts[lang](N_("Without a number")) for lang in LANGUAGES}},
                f"${{{name}}} = ''",
            )
        )
    else:
        rows.append(with_relevant({"type": f"select_one {criterion.kind}", "name": name, "label": label, "hint": hints}))
    rows.append(with_relevant({"type": "select_multiple evidence", "name": name + EVIDENCE, "label": {lang: texts[lang]("What the answer rests on") for lang in LANGUAGES}}))
    for kind, suffix in COUNT_SUFFIX.items():
        words = "How many children" if kind == "children" else "How many parents"
        rows.append(
            with_relevant(
                {
                    "type": "integer",
                    "name": name + suffix,
                    "label": {lang: texts[lang](words) for lang in LANGUAGES},
                    "required": "yes",
                    "constraint": f". >= {COUNT_MIN} and . <= {COUNT_MAX}",
                    "constraint_message": {lang: texts[lang]("Enter a number from %(min)s to %(max)s.") % {"min": COUNT_MIN, "max": COUNT_MAX} for lang in LANGUAGES},
                },
                f"selected(${{{name + EVIDENCE}}}, '{kind}')",
            )
        )
    rows.append(
        with_relevant(
            {
                "type": "text",
                "name": name + NOTE,
                "label": {lang: texts[lang]("Note") for lang in LANGUAGES},
                "hint": {lang: texts[lang]("Do not write children's names or other personal data.") for lang in LANGUAGES},
            }
        )
    )
    return rows
