"""The browser-form helper sends what a browser sends."""

from tests.browserform import FormError
from tests.browserform import find_form

PAGE = """
<form id="f" method="post" action="/save">
  <input type="hidden" name="token" value="t&amp;1">
  <input name="plain" value="x">
  <input type="radio" name="r" value="" checked><input type="radio" name="r" value="a">
  <input type="checkbox" name="c" value="1"><input type="checkbox" name="d" checked>
  <textarea name="note">
line one
line two</textarea>
  <select name="s"><option value="1">One</option><option selected>Two  words</option></select>
  <fieldset disabled><input name="off" value="no"></fieldset>
  <input name="gone" value="no" disabled>
  <input name="elsewhere" value="no" form="other">
  <button name="go" value="save">Save</button><button name="go" value="review">Review</button>
</form>
<input name="outside" value="yes" form="f">
"""


def test_entries_are_what_a_browser_submits():
    form = find_form(PAGE, id="f")
    assert form.entries(("go", "review")) == [
        ("token", "t&1"),
        ("plain", "x"),
        ("r", ""),
        ("d", "on"),
        ("note", "line one\r\nline two"),  # the newline after <textarea> is not part of the value
        ("s", "Two words"),
        ("go", "review"),
        ("outside", "yes"),  # form="f" from outside the form
    ]
    assert form.action("/visits/1/domains/play") == "/save"


def test_fill_changes_only_what_a_person_can_change():
    form = find_form(PAGE, id="f")
    form.fill("r", "a").fill("c", True).fill("note", "kort").fill("s", "1")
    entries = dict(form.entries())
    assert entries["r"] == "a" and entries["c"] == "1" and entries["note"] == "kort" and entries["s"] == "1"
    for bad in (lambda: form.fill("token", "x"), lambda: form.fill("r", "zzz"), lambda: form.entries(("go", "nope"))):
        try:
            bad()
        except FormError:
            continue
        raise AssertionError("expected FormError")
