"""Password rules (OWASP ASVS 5.0 V6.2): long enough, not common, not the email address."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Mapping

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError

from checklist.core.i18n import N_

MIN_LENGTH = 12
MAX_LENGTH = 128
COMMON_PASSWORDS = Path(__file__).parent.parent / "data" / "common-passwords.txt"


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


def password_hasher(config: Mapping) -> PasswordHasher:
    """argon2id; the cost is configurable (ARGON2_TIME_COST, ARGON2_MEMORY_KIB) so tests need
    not pay 50 ms per hash."""
    return PasswordHasher(time_cost=config["ARGON2_TIME_COST"], memory_cost=config["ARGON2_MEMORY_KIB"], parallelism=1)


def hash_password(password: str, config: Mapping) -> str:
    return password_hasher(config).hash(password)


def verify_password(password_hash: str, password: str, config: Mapping) -> bool:
    try:
        return password_hasher(config).verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
