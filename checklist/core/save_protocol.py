"""The save protocol for checklist answers: when a posted answer may be written. Pure.

Several visitors of one organisation may work on one draft at once, on phones that go
offline. Each page carries, per criterion, the version of the stored answer it was
rendered from (a revision and a digest of that answer). A save compares three answers
per criterion:

- the one the visitor started from (the version the page carried),
- the one they post,
- the one stored now.

A posted answer equal to what the visitor started from is not a change and is never
written: a page with stale answers the visitor did not touch can be saved any number of
times without undoing anyone's work. A change is written only when the stored answer is
still the version the visitor started from; otherwise it is a conflict, and the page
shows both versions. Revisions come from a counter per visit that never goes back, so a
revision is never reused, even after an answer is cleared and typed again.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any
from typing import Mapping

from checklist.core.evidence import canonical

UNCHANGED = "unchanged"  # posted = started from: nothing to write
WRITE = "write"  # a change, and the stored answer is the one the visitor started from
SAME = "same"  # someone else already stored exactly this answer: nothing to write
CONFLICT = "conflict"  # a change, but someone else changed the answer meanwhile


@dataclass(frozen=True)
class Answer:
    """One criterion's answer as a person gave it: a choice, a number, a note, and what it
    rests on (`checklist.core.evidence`: the canonical set of types, and how many children
    and parents said so)."""

    value: str | None = None
    number: float | None = None
    note: str | None = None
    evidence: str | None = None
    children_n: int | None = None
    parents_n: int | None = None

    @classmethod
    def of(cls, row: Mapping[str, Any] | None) -> "Answer":
        """From a stored row, a form's values or None, with empty parts as None."""
        row = row or {}
        number = row.get("number")
        children_n, parents_n = row.get("children_n"), row.get("parents_n")
        return cls(
            value=row.get("value") or None,
            number=None if number is None else float(number),
            note=(row.get("note") or "").strip() or None,
            evidence=canonical(row.get("evidence")),
            children_n=None if children_n is None else int(children_n),
            parents_n=None if parents_n is None else int(parents_n),
        )

    @property
    def has_evidence(self) -> bool:
        return self.evidence is not None or self.children_n is not None or self.parents_n is not None

    @property
    def empty(self) -> bool:
        return self.value is None and self.number is None and self.note is None and not self.has_evidence

    def digest(self) -> str:
        """A short digest, to tell later whether an answer is still the one seen.

        The evidence is part of it only when there is some, so an answer without evidence
        keeps the digest it had before evidence was recorded (pages and copies on devices
        made then still match)."""
        number = "" if self.number is None else f"{self.number:g}"
        parts = [self.value or "", number, self.note or ""]
        if self.has_evidence:
            parts += [self.evidence or "", "" if self.children_n is None else str(self.children_n), "" if self.parents_n is None else str(self.parents_n)]
        return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:16]

    def as_row(self) -> dict:
        return {
            "value": self.value,
            "number": self.number,
            "note": self.note,
            "evidence": self.evidence,
            "children_n": self.children_n,
            "parents_n": self.parents_n,
        }


NO_ANSWER = Answer()
_TOKEN = re.compile(r"(\d{1,18}):([0-9a-f]{16})")


@dataclass(frozen=True)
class Version:
    """Which stored answer a page showed: its revision (0: none stored) and its digest."""

    rev: int
    digest: str

    @classmethod
    def of(cls, row: Mapping[str, Any] | None) -> "Version":
        """The version of a stored answer row (None: no answer stored)."""
        if not row:
            return NONE
        return cls(int(row["rev"]), Answer.of(row).digest())

    @classmethod
    def parse(cls, token: str | None) -> "Version":
        """A page's token; a missing or malformed one counts as "started from no answer",
        so such a post can add an answer but never change or clear someone's."""
        match = _TOKEN.fullmatch(token or "")
        return cls(int(match[1]), match[2]) if match else NONE

    @property
    def token(self) -> str:
        return f"{self.rev}:{self.digest}"


NONE = Version(0, NO_ANSWER.digest())


def decide(posted: Answer, started: Version, stored: Answer, stored_rev: int) -> str:
    """What a save does with one criterion (see the module docstring)."""
    if posted.digest() == started.digest:
        return UNCHANGED
    if stored_rev == started.rev:
        return WRITE
    if posted.digest() == stored.digest():
        return SAME
    return CONFLICT
