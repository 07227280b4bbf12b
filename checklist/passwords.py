"""Password rules (OWASP ASVS 5.0 V6.2): long enough, not common, not the email address."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from checklist.i18n import N_

MIN_LENGTH = 12
MAX_LENGTH = 128
COMMON_PASSWORDS = Path(__file__).parent / "data" / "common-passwords.txt"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    return frozenset(COMMON_PASSWORDS.read_text(encoding="utf-8").split())


def password_problems(password: str, email: str = "") -> list[str]:
    """English msgids of what is wrong with a new password; empty when it is acceptable."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(N_("Use at least 12 characters."))
    if len(password) > MAX_LENGTH:
        problems.append(N_("Use at most 128 characters."))
    lowered = password.lower()
    if lowered in common_passwords() or lowered.strip() in common_passwords():
        problems.append(N_("This password is on the list of common passwords."))
    if email and lowered == email.strip().lower():
        problems.append(N_("The password cannot be the email address."))
    return problems
