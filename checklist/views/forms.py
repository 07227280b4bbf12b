"""Forms: static ones for locations, visits and children's words; the checklist per request.

Labels are lazy gettext strings so one class serves Dutch and English. Every free-text
field has a length limit and a description that reminds people not to type children's
names or other personal data.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from flask import request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from flask_wtf.form import _is_submitted as is_submitted
from wtforms import BooleanField
from wtforms import DateField
from wtforms import FloatField
from wtforms import IntegerField
from wtforms import PasswordField
from wtforms import RadioField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired
from wtforms.validators import Email
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional
from wtforms.validators import ValidationError

from checklist.core.criteria import Criterion
from checklist.core import evidence as ev
from checklist.core import wire
from checklist.core.labels import answer_labels
from checklist.core.labels import evidence_labels
from checklist.store import AGE_BANDS
from checklist.core.filters import CLOSED_CHOICES
from checklist.core.filters import PERIOD_REVERSED
from checklist.core.filters import Filters
from checklist.core.ids import parse_id

PROVINCES = (
    "Drenthe",
    "Flevoland",
    "Friesland",
    "Gelderland",
    "Groningen",
    "Limburg",
    "Noord-Brabant",
    "Noord-Holland",
    "Overijssel",
    "Utrecht",
    "Zeeland",
    "Zuid-Holland",
)
NO_NAMES = _l("Do not write children's names or other personal data.")


class Form(FlaskForm):
    """A form whose expired or missing CSRF token brings the page back, never loses input.

    Views that render a form are exempt from the global CSRF check and validate the token
    here instead, so the visitor gets the same form with everything typed and a fresh
    token rather than an error page.

    Fields read the posted form fields only: the app has no file fields, so a file posted
    under a field's name (Flask-WTF would hand the field a FileStorage, which crashed
    the filters and validators) is refused with a message on that field, and a JSON body
    is not read as a form.
    """

    csrf_expired = False
    announce_expiry = True  # False where the answer is JSON, not a page with flashes

    class Meta:
        def wrap_formdata(self, form, formdata):
            if formdata is _Auto:
                return request.form if is_submitted() and request.form else None
            return formdata

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if is_submitted():
            for field in self:
                if field.name in request.files:
                    field.errors = [*field.errors, _l("Type the text here: a file cannot be sent in this field.")]
                    valid = False
        if "csrf_token" in self._fields and self.csrf_token.errors:
            from flask import flash

            self.csrf_expired = True
            self.csrf_token.errors = []
            if self.announce_expiry:
                flash(expired_token_message(), "error")
        return valid and not self.csrf_expired

    def status(self) -> int:
        """The HTTP status to render this form with."""
        if self.csrf_expired:
            return 400
        # From the fields, not `self.errors`: views add errors after validation.
        return 422 if any(field.errors for field in self) else 200


def expired_token_message() -> str:
    return gettext("The form's security token had expired. Everything you typed is still here: press save again.")


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def strip_text(value):
    return value.strip() if isinstance(value, str) else value


class LocationForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)], filters=[strip_text])
    type = SelectField(_l("Type of location"), validators=[InputRequired()])
    municipality = StringField(_l("Municipality"), validators=[Optional(), Length(max=120)], filters=[strip_text])
    province = SelectField(_l("Province"), choices=choices([("", "—")] + [(p, p) for p in PROVINCES]), validators=[Optional()])
    operator = StringField(
        _l("Operator"), validators=[Optional(), Length(max=120)], filters=[strip_text], description=_l("For example COA, a municipality or Nidos.")
    )
    capacity = IntegerField(_l("Capacity (places)"), validators=[Optional(), NumberRange(min=0, max=10000)])
    children = IntegerField(_l("Number of children living there"), validators=[Optional(), NumberRange(min=0, max=5000)])
    # Shown only when a new location's name is already taken (views.locations.new).
    different_location = BooleanField(_l("This is a different location"))

    def set_type_choices(self, criteria, lang):
        self.type.choices = choices((t.id, t.label.get(lang)) for t in criteria.location_types)


class VisitForm(Form):
    """The organisation of a visit is the visitor's own; it is never a form field."""

    visit_date = DateField(_l("Date of the visit"), validators=[InputRequired()])
    visitors = StringField(
        _l("Visitors"),
        validators=[DataRequired(), Length(max=200)],
        filters=[strip_text],
        description=_l("Names or initials of the visiting staff only, never of children."),
    )
    announced = RadioField(_l("Was the visit announced?"), choices=choices([("1", _l("Announced")), ("0", _l("Unannounced"))]), default="1")
    children_present = IntegerField(_l("Children present during the visit"), validators=[Optional(), NumberRange(min=0, max=5000)])
    amv_present = IntegerField(_l("Of whom unaccompanied minors (amv)"), validators=[Optional(), NumberRange(min=0, max=5000)])
    amv_resident = IntegerField(
        _l("Unaccompanied minors living at this location"),
        validators=[Optional(), NumberRange(min=0, max=5000)],
        description=_l("Ask staff. Enter 0 when none live here: the questions about unaccompanied minors then do not apply."),
    )
    impression = TextAreaField(
        _l("General impression"), validators=[Optional(), Length(max=4000)], filters=[strip_text], description=NO_NAMES
    )

    def validate_visit_date(self, field):
        if field.data and field.data > date.today():
            raise ValidationError(_l("A visit cannot take place in the future."))
        if field.data and field.data.year < 2000:
            raise ValidationError(_l("Enter a date from 2000 onwards."))

    def validate_amv_present(self, field):
        if field.data is not None and self.children_present.data is not None and field.data > self.children_present.data:
            raise ValidationError(_l("Cannot be more than the number of children present."))

    def values(self) -> dict:
        """The form's data in the shape the store expects."""
        data = {k: self[k].data for k in ("visitors", "children_present", "amv_present", "amv_resident", "impression")}
        data["visit_date"] = self.visit_date.data.isoformat()
        data["announced"] = 1 if self.announced.data == "1" else 0
        return data


class VoiceForm(Form):
    age_band = SelectField(_l("Age band"), choices=choices((b, b) for b in AGE_BANDS), validators=[InputRequired()])
    domain_id = SelectField(_l("Concerns"), validators=[Optional()])
    text = TextAreaField(
        _l("What a child said"),
        validators=[DataRequired(), Length(max=1000)],
        filters=[strip_text],
        description=_l("Write down what was said, in short. Never write names: age band and theme are enough."),
    )


# -- accounts ---------------------------------------------------------------------------


def _password_rules(form, field):
    from flask_babel import gettext

    from checklist.core.passwords import password_problems

    email = form.email.data if hasattr(form, "email") and form.email.data else getattr(form, "account_email", "")
    name = form.display_name.data if hasattr(form, "display_name") and form.display_name.data else getattr(form, "account_name", "")
    problems = password_problems(field.data or "", email or "", name or "")
    if problems:  # what is wrong, then how to choose a good one
        raise ValidationError(" ".join(gettext(problem) for problem in problems))


class LoginForm(Form):
    email = StringField(_l("Email address"), validators=[DataRequired(), Length(max=254)], filters=[strip_text], render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)], render_kw={"autocomplete": "current-password"})


class UserForm(Form):
    email = StringField(_l("Email address"), validators=[DataRequired(), Email(), Length(max=254)], filters=[strip_text])
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)], filters=[strip_text])
    organisation_id = SelectField(_l("Organisation"), coerce=int, validators=[InputRequired()])
    role = SelectField(_l("Role"), validators=[InputRequired()])
    active = BooleanField(_l("Active (may sign in)"), default=True)
    password = PasswordField(
        _l("New password"),
        validators=[Optional(strip_whitespace=False), _password_rules],  # twelve spaces are refused, not ignored
        description=_l("At least 12 characters, not a common password. Leave empty to keep the current one."),
        render_kw={"autocomplete": "new-password"},
    )


class ChangePasswordForm(Form):
    """A user's own password; `account_email` and `account_name` are set by the view."""

    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=1024)], render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(
        _l("New password"),
        validators=[InputRequired(), _password_rules],  # not DataRequired: twelve spaces get the advice
        description=_l("At least 12 characters: a sentence of four or more words that only you would think of is easy to remember and hard to guess."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(_l("New password again"), validators=[DataRequired()], render_kw={"autocomplete": "new-password"})

    def validate_confirm(self, field):
        if field.data != self.new_password.data:
            raise ValidationError(_l("The two new passwords are not the same."))


class ReopenForm(Form):
    reason = TextAreaField(
        _l("Reason for reopening"),
        validators=[DataRequired(), Length(max=500)],
        filters=[strip_text],
        description=_l("Say what must be corrected. No names of children."),
    )


class OrganisationForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)], filters=[strip_text])


# -- the checklist ---------------------------------------------------------------------

ANSWER_LABELS = answer_labels(_l)  # lazy: each request's language
RATING_CHOICES = tuple((value, ANSWER_LABELS[value]) for value in ("meets", "partly", "fails"))
YESNO_CHOICES = tuple((value, ANSWER_LABELS[value]) for value in ("yes", "no"))
LEFT_OUT_CHOICES = tuple((value, ANSWER_LABELS[value]) for value in ("na", "unknown"))
UNANSWERED = ("", _l("No answer yet"))
EVIDENCE_LABELS = evidence_labels(_l)
EVIDENCE_CHOICES = tuple((t, EVIDENCE_LABELS[t]) for t in ev.EVIDENCE_TYPES)
COUNT_FIELD = {"children": wire.CHILDREN_N, "parents": wire.PARENTS_N}  # evidence type -> form field prefix
EVIDENCE_MESSAGES = {
    ("children", ev.COUNT_MISSING): _l("“Children said” is ticked: say how many children you spoke with (1–99)."),
    ("parents", ev.COUNT_MISSING): _l("“Parents said” is ticked: say how many parents you spoke with (1–99)."),
    ("children", ev.COUNT_WITHOUT_TICK): _l("A number of children is given but “Children said” is not ticked: tick it or clear the number."),
    ("parents", ev.COUNT_WITHOUT_TICK): _l("A number of parents is given but “Parents said” is not ticked: tick it or clear the number."),
}


class EvidenceField(SelectMultipleField):
    """The evidence chips of one criterion: checkboxes sharing a name, or one comma-separated
    value (the browser's background save); either way the same set of types."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, choices=choices(EVIDENCE_CHOICES), validate_choice=False, **kwargs)

    def process_formdata(self, valuelist):
        self.data = ev.split(valuelist)

    def process_data(self, value):
        self.data = ev.split(value)

    def pre_validate(self, form):
        if ev.unknown_types(self.data or ()):
            raise ValidationError(_l("Choose what the answer rests on from the options shown."))

    @property
    def canonical(self) -> str | None:
        return ev.canonical(self.data)


field_key = wire.key  # a form-safe name for a criterion id (`play.indoor_space` -> `play__indoor_space`)


def answer_choices(criterion: Criterion):
    return _answer_choices(criterion.kind)


def _answer_choices(kind: str):
    own = {"rating": RATING_CHOICES, "yesno": YESNO_CHOICES, "count": ()}[kind]
    return choices([UNANSWERED, *own, *LEFT_OUT_CHOICES])


def make_checklist_form(criteria_list: list[Criterion], note_max: int, data=None, announce_expiry: bool = True) -> Form:
    """A form for one domain page: value, number (counts) and note per criterion."""
    shape = tuple((c.id, c.kind, (c.range.min, c.range.max) if c.kind == "count" else None) for c in criteria_list)
    return _checklist_form_class(shape, note_max, announce_expiry)(data=data)


@lru_cache(maxsize=256)
def _checklist_form_class(shape: tuple, note_max: int, announce_expiry: bool) -> type[Form]:
    """The form class for one domain page's criteria, built from their (id, kind, range)
    once rather than per request (building it was a fifth of the page's time). Labels are
    lazy strings, so one class serves every language; another criteria file that asks
    for other fields makes another class."""

    class ChecklistForm(Form):
        def validate(self, extra_validators=None):
            valid = super().validate(extra_validators)
            for criterion_id, _kind, _range in shape:
                valid = _check_evidence(self, criterion_id) and valid
            return valid

    ChecklistForm.announce_expiry = announce_expiry

    for criterion_id, kind, number_range in shape:
        setattr(ChecklistForm, wire.name(wire.VALUE, criterion_id), RadioField(_l("Answer"), choices=_answer_choices(kind), validators=[Optional()], default=""))
        if kind == "count":
            low, high = number_range
            setattr(
                ChecklistForm,
                wire.name(wire.NUMBER, criterion_id),
                FloatField(
                    _l("Number"),
                    validators=[Optional(), NumberRange(min=low, max=high, message=_l("Enter a number from %(min)s to %(max)s.", min=f"{low:g}", max=f"{high:g}"))],
                ),
            )
        setattr(ChecklistForm, wire.name(wire.EVIDENCE, criterion_id), EvidenceField(_l("What the answer rests on")))
        for kind, prefix in COUNT_FIELD.items():
            setattr(
                ChecklistForm,
                wire.name(prefix, criterion_id),
                IntegerField(
                    _l("How many children") if kind == "children" else _l("How many parents"),
                    validators=[Optional(), NumberRange(min=ev.COUNT_MIN, max=ev.COUNT_MAX, message=_l("Enter a number from %(min)s to %(max)s.", min=ev.COUNT_MIN, max=ev.COUNT_MAX))],
                ),
            )
        setattr(
            ChecklistForm,
            wire.name(wire.NOTE, criterion_id),
            TextAreaField(
                _l("Note"),
                validators=[Optional(), Length(max=note_max)],
                filters=[strip_text],
                description=NO_NAMES,
            ),
        )
    return ChecklistForm


def _check_evidence(form, criterion_id: str) -> bool:
    """A ticked "children said"/"parents said" needs how many; a count needs its tick.
    The message goes on the count's field, which the page shows beside its chip."""
    evidence_field = form[wire.name(wire.EVIDENCE, criterion_id)]
    count_fields = {kind: form[wire.name(prefix, criterion_id)] for kind, prefix in COUNT_FIELD.items()}
    if evidence_field.errors or any(f.errors for f in count_fields.values()):
        return False
    found = ev.problems(evidence_field.data, {kind: f.data for kind, f in count_fields.items()})
    for kind, problem in found.items():
        count_fields[kind].errors = [*count_fields[kind].errors, EVIDENCE_MESSAGES.get((kind, problem), _l("Enter a number from %(min)s to %(max)s.", min=ev.COUNT_MIN, max=ev.COUNT_MAX))]
    return not found


def evidence_field_names(criterion_id: str) -> list[str]:
    """The form fields of one criterion's evidence."""
    return [wire.name(wire.EVIDENCE, criterion_id), *(wire.name(prefix, criterion_id) for prefix in COUNT_FIELD.values())]


def checklist_initial(criteria_list: list[Criterion], answers: dict) -> dict:
    """Stored answers as the checklist form's initial data."""
    data = {}
    for criterion in criteria_list:
        name = lambda part: wire.name(part, criterion.id)  # noqa: E731
        stored = answers.get(criterion.id) or {}
        data[name(wire.VALUE)] = stored.get("value") or ""
        data[name(wire.NOTE)] = stored.get("note") or ""
        data[name(wire.EVIDENCE)] = ev.split(stored.get("evidence"))
        for prefix in COUNT_FIELD.values():
            data[name(prefix)] = stored.get(prefix)
        if criterion.kind == "count":
            data[name(wire.NUMBER)] = stored.get("number")
    return data


def refresh_criterion(form, criterion: Criterion, stored: dict | None) -> None:
    """Show a criterion's stored answer instead of what was posted for it (which the
    visitor did not change): the page then shows what is stored, with its version."""
    initial = checklist_initial([criterion], {criterion.id: stored} if stored else {})
    for name, value in initial.items():
        field = form[name]
        field.process(None, data=value)
        field.raw_data = []
        field.errors = []


def checklist_values(form, criteria_list: list[Criterion]) -> tuple[dict, list[str]]:
    """Answers from a validated-or-not form: the valid ones to save, and ids with errors."""
    to_save, with_errors = {}, []
    for criterion in criteria_list:
        field = lambda part: form[wire.name(part, criterion.id)]  # noqa: E731
        fields = [field(wire.VALUE), field(wire.NOTE), *(form[name] for name in evidence_field_names(criterion.id))]
        if criterion.kind == "count":
            fields.append(field(wire.NUMBER))
        if any(f.errors for f in fields):
            with_errors.append(criterion.id)
            continue
        value = field(wire.VALUE).data or None
        number = field(wire.NUMBER).data if criterion.kind == "count" else None
        if value in ("na", "unknown"):
            number = None
        to_save[criterion.id] = {
            "value": value,
            "number": number,
            "note": field(wire.NOTE).data or None,
            "evidence": field(wire.EVIDENCE).canonical,
            **{prefix: field(prefix).data for prefix in COUNT_FIELD.values()},
        }
    return to_save, with_errors


# -- filters ---------------------------------------------------------------------------


def _ids(form, field):
    if any(parse_id(value) is None for value in _texts(field.data)):
        raise ValidationError(_l("Choose an organisation from the list."))


def _texts(values) -> tuple[str, ...]:
    """Checked values, stripped, without empty ones or repeats (an old URL's `province=` is none)."""
    out = []
    for value in values or ():
        value = strip_text(value)
        if value and value not in out:
            out.append(value)
    return tuple(out)


class FilterForm(FlaskForm):
    """The filters of the overview, the aggregate report and the exports, read from the URL.

    A GET form without a token: WTForms checks each value and says what is wrong in the
    reader's language; `filters()` keeps what was valid as the pure `Filters`, so a
    bookmarked view still works when one value is off.
    """

    class Meta:
        csrf = False

    type = SelectMultipleField(_l("Type of location"), validate_choice=True)
    # Repeated parameters (checkboxes), any value: provinces and operators are what locations hold.
    province = SelectMultipleField(_l("Province"), validate_choice=False)
    organisation = SelectMultipleField(_l("Organisation"), validate_choice=False, validators=[_ids])
    operator = SelectMultipleField(_l("Operator"), validate_choice=False)
    since = DateField(_l("From"), name="from", validators=[Optional()])
    until = DateField(_l("To"), name="to", validators=[Optional()])
    closed = SelectField(_l("Locations"), choices=choices((c, c) for c in CLOSED_CHOICES), default="open")
    sort = SelectField(_l("Sort"), default="name")
    desc = StringField()

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        since, until = self.since.data, self.until.data
        if since and until and since > until and not (self.since.errors or self.until.errors):
            # Both dates are kept as typed, to correct; no visit can match, so the view says so.
            self.form_errors.append(gettext(PERIOD_REVERSED, since=since.isoformat(), until=until.isoformat()))
            valid = False
        return valid

    def ignored(self) -> list[str]:
        """Values that are not used, one sentence per field, in the reader's language."""
        return [f"{field.label.text}: {error}" for field in self for error in field.errors]

    def problems(self) -> list[str]:
        """Everything that is wrong with these filters."""
        return self.ignored() + list(self.form_errors)

    def filters(self) -> Filters:
        """The valid values as `Filters`; a wrong value counts as not given."""
        ok = lambda field: not field.errors  # noqa: E731
        return Filters(
            types=tuple(self.type.data or ()) if ok(self.type) else (),
            provinces=_texts(self.province.data),
            organisation_ids=tuple(dict.fromkeys(parse_id(v) for v in _texts(self.organisation.data))) if ok(self.organisation) else (),
            operators=_texts(self.operator.data),
            since=self.since.data if ok(self.since) else None,
            until=self.until.data if ok(self.until) else None,
            closed=self.closed.data if ok(self.closed) and self.closed.data else "open",
            sort=self.sort.data if ok(self.sort) and self.sort.data else "name",
            descending=self.desc.data == "1",
        )


def read_filters(args, criteria, sorts=None) -> FilterForm:
    """The filter form read from query parameters: `.filters()` and `.problems()`.

    `sorts`: the columns this page sorts by; None where the page does not sort (a `sort`
    in the URL, from the overview's links, is then ignored)."""
    form = FilterForm(formdata=args)
    form.type.choices = choices((t.id, t.id) for t in criteria.location_types)
    form.sort.choices = choices((s, s) for s in sorted(sorts or {"name"}))
    if sorts is None:
        form.sort.validate_choice = False
    form.validate()
    if sorts is None:
        form.sort.errors = []
        form.sort.data = "name"
    return form


class CodeForm(Form):
    """A code of the second factor: six digits from the app, or (where allowed) a recovery code."""

    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=64)], filters=[strip_text], render_kw={"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "off"})


class FactorChangeForm(CodeForm):
    """A change to one's own second factor: the password again and a code (ASVS 7.5.1)."""

    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)], render_kw={"autocomplete": "current-password"})
