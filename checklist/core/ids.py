"""Ids from URLs, query strings and forms: ASCII digits within SQLite's 64-bit integer range.

Python's `int()` and `str.isdigit()` accept far more than an id: `²` is a digit that
`int()` refuses, `٣` (Arabic-Indic three) is one it turns into 3, and any length passes
until SQLite raises OverflowError above 2**63-1. Every id the app reads from a request
goes through `parse_id`; `<int:...>` in a route uses `checklist.views.converters.IdConverter`, so a malformed or
out-of-range id in a path is a 404 like any unknown id.
"""

from __future__ import annotations

import re

SQLITE_MAX_INTEGER = 2**63 - 1
_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")  # 2**63-1 has 19 digits


def parse_id(value) -> int | None:
    """The id in `value` (a str of ASCII digits up to 2**63-1), else None. No sign, no spaces."""
    if not isinstance(value, str) or not _ASCII_DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if number <= SQLITE_MAX_INTEGER else None


_CLIENT_KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")


def client_key(value) -> str | None:
    """A key a device made for something it wrote offline (a random UUID), else None.
    Anything else is ignored, so a bad key stores the statement like a form without one."""
    return value if isinstance(value, str) and _CLIENT_KEY.fullmatch(value) else None
