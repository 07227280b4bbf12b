"""HTML forms as a browser submits them, for tests that must not know a page's hidden fields.

A test parses the page the server sent, changes only the fields a person would change, and
posts the whole form back: every hidden input, the text of every textarea, the checked radio
buttons and checkboxes, the selected options and the name/value of the button that was
pressed, just as the HTML standard's "constructing the entry list" does. So the test keeps
working when the server's hidden fields change, and it sends stale values exactly as a
browser tab that was left open would.

    form = find_form(response.get_data(as_text=True), id="checklist-form")
    form.fill("value_play__space", "meets")        # a radio button: check the one with this value
    form.fill("note_play__space", "Open op woensdag")
    response = form.submit(client, url, button=("go", "save"))

Only the standard library is used (html.parser). Not handled: file inputs, <input type=image>
coordinates, `formaction`/`formmethod` on buttons, and the `dirname` attribute.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from html.parser import HTMLParser
from urllib.parse import urljoin

__all__ = ["Control", "Form", "FormError", "parse_forms", "find_form"]

BUTTON_TYPES = {"submit", "image", "reset", "button"}
NEVER_SUBMITTED = {"reset", "button", "file"}  # file inputs are not supported here


class FormError(AssertionError):
    """The page does not have the form, field or button the test asked for."""


@dataclass
class Control:
    tag: str  # input, textarea, select, button
    type: str  # input type (lower case), "textarea", "select-one", "select-multiple", or the button's type
    name: str
    value: str = ""  # inputs, buttons and textareas (a textarea's value is its text)
    checked: bool = False  # radios and checkboxes
    disabled: bool = False
    options: list = field(default_factory=list)  # select: [value, selected, disabled] lists
    form_id: str | None = None  # the `form` attribute, if any

    @property
    def is_button(self) -> bool:
        return self.tag == "button" or (self.tag == "input" and self.type in BUTTON_TYPES)


@dataclass
class Form:
    attrs: dict
    controls: list = field(default_factory=list)

    @property
    def id(self) -> str | None:
        return self.attrs.get("id")

    @property
    def method(self) -> str:
        return (self.attrs.get("method") or "get").lower()

    def action(self, page_url: str) -> str:
        """Where the form posts: its action resolved against the page's URL (empty: the page)."""
        return urljoin(page_url, self.attrs.get("action") or page_url)

    # -- reading ----------------------------------------------------------------------------

    def named(self, name: str) -> list[Control]:
        return [c for c in self.controls if c.name == name]

    def has(self, name: str) -> bool:
        return bool(self.named(name))

    def value(self, name: str) -> str | None:
        """What the field would submit: the checked radio's value, the first selected option,
        the text typed; None when it submits nothing (no radio checked, unchecked checkbox)."""
        values = [v for n, v in self._entries(self.named(name)) if n == name]
        return values[0] if values else None

    def buttons(self) -> list[tuple[str, str]]:
        return [(c.name, c.value) for c in self.controls if c.is_button and c.type in ("submit", "image") and c.name and not c.disabled]

    # -- what a person does -------------------------------------------------------------------

    def fill(self, name: str, value: str | bool | list) -> "Form":
        """Type into a text field or textarea, check the radio with `value`, tick a checkbox
        (True/False, or the checkbox's value), or select option(s) by value."""
        controls = [c for c in self.named(name) if not c.is_button]
        if not controls:
            raise FormError(f"the form has no field {name!r}")
        kind = controls[0].type
        if kind == "radio":
            match = [c for c in controls if c.value == value]
            if not match:
                raise FormError(f"radio {name!r} has no option {value!r}: {[c.value for c in controls]}")
            for c in controls:
                c.checked = c is match[0]
        elif kind == "checkbox":
            for c in controls:
                c.checked = value if isinstance(value, bool) else (c.value in value if isinstance(value, list) else c.value == value)
        elif kind.startswith("select"):
            wanted = set(value) if isinstance(value, list) else {value}
            options = controls[0].options
            if not wanted <= {o[0] for o in options}:
                raise FormError(f"select {name!r} has no option {sorted(wanted)!r}")
            for o in options:
                o[1] = o[0] in wanted
        else:
            if len(controls) != 1:
                raise FormError(f"{len(controls)} fields are named {name!r}; fill does not know which one")
            if controls[0].type == "hidden":
                raise FormError(f"{name!r} is a hidden field: a person cannot change it (use force)")
            controls[0].value = str(value)
        return self

    def force(self, name: str, value: str) -> "Form":
        """Change a field no person can change (a hidden input), e.g. to simulate an expired token."""
        controls = self.named(name)
        if len(controls) != 1:
            raise FormError(f"expected one field {name!r}, found {len(controls)}")
        controls[0].value = value
        return self

    # -- what the browser sends -----------------------------------------------------------------

    def entries(self, button: tuple[str, str] | None = None) -> list[tuple[str, str]]:
        """The form data set, in document order, as submitted by pressing `button` (name, value);
        None submits without a button (pressing Enter in a form whose first button has no name)."""
        submitter = None
        if button is not None:
            found = [c for c in self.controls if c.is_button and c.type in ("submit", "image") and (c.name, c.value) == tuple(button) and not c.disabled]
            if not found:
                raise FormError(f"the form has no enabled submit button {button!r}; it has {self.buttons()}")
            submitter = found[0]
        return self._entries(self.controls, submitter)

    @staticmethod
    def _entries(controls, submitter=None) -> list[tuple[str, str]]:
        entries = []
        for c in controls:
            if c.disabled or not c.name:
                continue
            if c.is_button:
                if c is submitter:
                    entries.append((c.name, c.value))
                continue
            if c.type in NEVER_SUBMITTED:
                continue
            if c.type in ("radio", "checkbox"):
                if c.checked:
                    entries.append((c.name, c.value if c.value is not None else "on"))
            elif c.type.startswith("select"):
                selected = [o for o in c.options if o[1] and not o[2]]
                if not selected and c.type == "select-one":
                    selected = [o for o in c.options if not o[2]][:1]
                entries.extend((c.name, o[0]) for o in selected)
            elif c.type == "textarea":
                entries.append((c.name, _crlf(c.value)))
            else:
                entries.append((c.name, c.value))
        return entries

    def submit(self, client, page_url: str, button: tuple[str, str] | None = None, **kwargs):
        """Post (or get) the form with a Flask/Werkzeug test client; redirects are not followed."""
        from werkzeug.datastructures import MultiDict

        url = self.action(page_url)
        data = MultiDict(self.entries(button))
        if self.method == "post":
            return client.post(url, data=data, **kwargs)
        return client.get(url, query_string=data, **kwargs)


def _crlf(text: str) -> str:
    """Browsers send a textarea's line breaks as CRLF."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.open_form: Form | None = None  # the form element pointer of the HTML parser
        self.loose: list[Control] = []  # controls outside any form (they may name one with form=)
        self.disabled_fieldsets = 0
        self.fieldsets: list[bool] = []
        self.textarea: Control | None = None
        self.text: list[str] = []
        self.select: Control | None = None
        self.option: list | None = None
        self.option_text: list[str] = []
        self.option_has_value = False

    def _add(self, control: Control) -> None:
        control.disabled = control.disabled or self.disabled_fieldsets > 0
        if control.form_id is not None:
            self.loose.append(control)  # the form attribute wins over nesting
        elif self.open_form is not None:
            self.open_form.controls.append(control)

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            if self.open_form is None:  # a nested <form> tag is ignored (and its </form> ends the outer form), as in browsers
                self.open_form = Form(attrs=a)
                self.forms.append(self.open_form)
            return
        if tag == "fieldset":
            disabled = "disabled" in a
            self.fieldsets.append(disabled)
            self.disabled_fieldsets += disabled
            return
        common = {"name": a.get("name", ""), "disabled": "disabled" in a, "form_id": a.get("form")}
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            value = a.get("value", "on" if kind in ("radio", "checkbox") else "")
            self._add(Control("input", kind, value=value, checked="checked" in a, **common))
        elif tag == "button":
            self._add(Control("button", (a.get("type") or "submit").lower(), value=a.get("value", ""), **common))
        elif tag == "textarea":
            self.textarea = Control("textarea", "textarea", **common)
            self.text = []
        elif tag == "select":
            self.select = Control("select", "select-multiple" if "multiple" in a else "select-one", **common)
        elif tag == "option" and self.select is not None:
            self._end_option()
            self.option = [a.get("value", ""), "selected" in a, "disabled" in a]
            self.option_has_value = "value" in a
            self.option_text = []

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        if self.textarea is not None:
            self.text.append(data)
        elif self.option is not None:
            self.option_text.append(data)

    def _end_option(self):
        if self.option is not None:
            if not self.option_has_value:
                self.option[0] = " ".join("".join(self.option_text).split())
            self.select.options.append(self.option)
            self.option = None

    def handle_endtag(self, tag):
        if tag == "form":
            self.open_form = None
        elif tag == "fieldset" and self.fieldsets:
            self.disabled_fieldsets -= self.fieldsets.pop()
        elif tag == "textarea" and self.textarea is not None:
            text = "".join(self.text)
            if text.startswith("\r\n"):
                text = text[2:]
            elif text[:1] in ("\n", "\r"):  # a newline right after <textarea> is not part of the value
                text = text[1:]
            self.textarea.value = text
            self._add(self.textarea)
            self.textarea = None
        elif tag == "option":
            self._end_option()
        elif tag == "select" and self.select is not None:
            self._end_option()
            if self.select.type == "select-one":  # only the last selected option stays selected
                selected = [o for o in self.select.options if o[1]]
                for o in selected[:-1]:
                    o[1] = False
            self._add(self.select)
            self.select = None

    def close(self):
        super().close()
        by_id = {f.id: f for f in self.forms if f.id}
        for control in self.loose:
            form = by_id.get(control.form_id)
            if form is not None:
                form.controls.append(control)  # (document order across forms is not kept)


def parse_forms(html: str) -> list[Form]:
    """Every form on the page with its controls, as a browser would build them."""
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    return parser.forms


def find_form(html: str, id: str | None = None, action_endswith: str | None = None) -> Form | None:
    """The one form with this id or whose action ends with this path; None if there is none."""
    found = [
        f
        for f in parse_forms(html)
        if (id is None or f.id == id) and (action_endswith is None or (f.attrs.get("action") or "").endswith(action_endswith))
    ]
    if len(found) > 1:
        raise FormError(f"{len(found)} forms match id={id!r} action={action_endswith!r}")
    return found[0] if found else None
