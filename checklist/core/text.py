"""Text from outside (forms, query strings) without characters no document can hold.

Unicode non-characters (U+FDD0-U+FDEF and the last two code points of every plane,
U+FFFE/U+FFFF ... U+10FFFE/U+10FFFF) and lone surrogates are not text: XML 1.0 forbids
U+FFFE/U+FFFF, so one of them in a location name made every XLSX export with that
location unreadable. They are removed where input enters the app (`web.Request`); the
exports remove them too, for rows stored before. No Flask.
"""

from __future__ import annotations

import re

NONCHARACTER_CLASS = (
    "\ufdd0-\ufdef"
    + "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17))
    + "\ud800-\udfff"  # surrogates: in a Python str only ever lone ones
)
NONCHARACTERS = re.compile(f"[{NONCHARACTER_CLASS}]")


def name_key(name: str) -> str:
    """A name as people mean it: case and runs of whitespace do not matter ("Azc  ter apel " is "AZC Ter Apel")."""
    return " ".join(name.split()).casefold()


def clean_text(value: str) -> str:
    """`value` without non-characters and lone surrogates (everything else is kept as typed)."""
    if value.isprintable() or not NONCHARACTERS.search(value):  # isprintable: a fast C check for the usual text
        return value
    return NONCHARACTERS.sub("", value)
