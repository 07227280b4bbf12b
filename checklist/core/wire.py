"""How one checklist answer travels between the page, the device and the server: its form
field names. Written here once; the form (views/forms.py), the save (views/checklist_save.py)
and the template build names with it, and the browser reads the same names from the page
(`browser_spec`, in the checklist form's `data-wire`), so neither side spells them again.

A criterion id such as `play.indoor_space` becomes the key `play__indoor_space` (a dot is
not safe in every place a name goes: CSS selectors, element ids), and each of its fields is
`<part>_<key>`: `value_play__indoor_space`, `note_play__indoor_space`, ... The version the
page started from travels as `rev_<key>` (see core/save_protocol.py).
"""

from __future__ import annotations

VALUE = "value"  # the answer chosen: meets, partly, fails, yes, no, na, unknown, or "" (none / use the number)
NOTE = "note"  # what the visitor saw or heard
NUMBER = "number"  # a count criterion's number
EVIDENCE = "evidence"  # the evidence types ticked, comma-separated when sent by the browser
CHILDREN_N = "children_n"  # how many children said so
PARENTS_N = "parents_n"  # how many parents said so
PARTS = (VALUE, NOTE, NUMBER, EVIDENCE, CHILDREN_N, PARENTS_N)
VERSION = "rev"  # the version of the stored answer the page's fields start from


def key(criterion_id: str) -> str:
    """A name-safe key for a criterion id (`play.indoor_space` -> `play__indoor_space`)."""
    return criterion_id.replace(".", "__")


def criterion_id(field_key: str) -> str:
    """The criterion id of a key (`play__indoor_space` -> `play.indoor_space`)."""
    return field_key.replace("__", ".")


def name(part: str, criterion_id: str) -> str:
    """The form field of one part of a criterion's answer, e.g. `note_play__space`."""
    if part not in PARTS and part != VERSION:
        raise ValueError(f"not a part of an answer: {part!r}")
    return f"{part}_{key(criterion_id)}"


def browser_spec() -> dict:
    """What the page's script needs to read and send an answer: the parts in order and the
    version prefix. A criterion's fields are `<part>_<key>`."""
    return {"parts": list(PARTS), "version": VERSION}
