"""Password rules (OWASP ASVS 5.0 V6.2): long enough, not common, not the user's own email
address or name, and not easy to guess by the estimate of zxcvbn (Dropbox's strength
estimator: dictionaries, names, keyboard rows, repeats, sequences, dates), which catches what the
common-password list misses: twelve spaces, `aaaaaaaaaaaa`, `abcdefghijkl`."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Mapping

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError
from zxcvbn import zxcvbn

from checklist.core.i18n import N_

MIN_LENGTH = 12
MAX_LENGTH = 128
# zxcvbn's score runs from 0 (too guessable) to 4; 3 is "safely unguessable" (about 10^8
# guesses or more), which argon2id and the login throttle make far too slow to try online.
MIN_SCORE = 3
# zxcvbn's time grows with the length (130 ms for 128 characters); a password whose first 72
# characters are hard to guess is hard to guess.
ESTIMATE_LENGTH = 72
# A part of the email address or name this long or longer may not appear in the password.
PERSONAL_MIN = 4
# Words of this app's context (OWASP ASVS 5.0 V6.1.2 asks for the list to be documented: it is
# this one): the app, its subject and the coalition's organisations. zxcvbn counts them as the
# first words it tries, and a password that contains one must score the top mark (4), so
# `DeVrolijkheid2026!` is refused and a long sentence that mentions UNICEF is not.
CONTEXT_WORDS = (
    "checklist", "kindvriendelijk", "kindvriendelijke", "opvang", "azc", "noodopvang", "coa", "kind in azc",
    "de vrolijkheid", "vrolijkheid", "war child", "warchild", "save the children", "savethechildren",
    "unicef", "unicef nederland", "defence for children", "defenceforchildren", "vluchtelingenwerk",
    "kinderpostzegels", "pharos", "werkgroep",
)  # fmt: skip
ADVICE = N_("Choose a sentence of four or more words that only you would think of, without names, your email address or repeated letters; spaces are allowed.")
COMMON_PASSWORDS = Path(__file__).parent.parent / "data" / "common-passwords.txt"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    return frozenset(COMMON_PASSWORDS.read_text(encoding="utf-8").split())


def personal_words(email: str = "", name: str = "") -> list[str]:
    """The parts of an email address and a name a password may not contain (lower case):
    the address, its local part and the words of both, of PERSONAL_MIN characters or more."""
    email, name = email.strip().lower(), name.strip().lower()
    local = email.split("@")[0]
    words = [email, local, "".join(name.split())]
    words += re.split(r"[^\w]+|_", local) + re.split(r"[^\w]+|_", name)
    return sorted({w for w in words if len(w) >= PERSONAL_MIN}, key=lambda w: (-len(w), w))


def password_problems(password: str, email: str = "", name: str = "") -> list[str]:
    """English msgids of what is wrong with a new password for the account with this email
    address and name; empty when it is acceptable. When there is a problem, the last one is
    the advice on choosing a good password."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(N_("Use at least 12 characters."))
    if len(password) > MAX_LENGTH:
        problems.append(N_("Use at most 128 characters."))
    lowered = password.lower()
    squeezed = "".join(lowered.split())
    personal = personal_words(email, name)
    if lowered in common_passwords() or lowered.strip() in common_passwords():
        problems.append(N_("This password is on the list of common passwords."))
    elif any(word in lowered or word in squeezed for word in personal):
        problems.append(N_("The password cannot contain your email address or your name."))
    elif len(password) >= MIN_LENGTH and is_guessable(password, personal):
        problems.append(N_("This password is easy to guess: it is made of repeated characters, a sequence, a keyboard row, common words or the name of this app or an organisation."))
    if problems:
        problems.append(ADVICE)
    return problems


def is_guessable(password: str, user_inputs: list[str] = ()) -> bool:
    """A password of three or fewer distinct characters, a pattern shorter than MIN_LENGTH
    repeated, a run of consecutive digits or letters that wraps around (`9012345678901`:
    zxcvbn sees two sequences and scores the pair high), or one zxcvbn scores below MIN_SCORE
    (below 4 when it contains a word of CONTEXT_WORDS)."""
    if len(set(password)) <= 3 or _repeats_a_short_pattern(password) or _is_a_run(password.lower()):
        return True
    score = zxcvbn(password[:ESTIMATE_LENGTH], user_inputs=[*user_inputs, *CONTEXT_WORDS], max_length=ESTIMATE_LENGTH)["score"]
    squeezed = "".join(password.lower().split())
    if any("".join(word.split()) in squeezed for word in CONTEXT_WORDS if len(word) >= PERSONAL_MIN):
        return score < 4
    return score < MIN_SCORE


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


def _repeats_a_short_pattern(password: str) -> bool:
    n = len(password)
    return any(password == (password[:k] * (n // k + 1))[:n] for k in range(1, min(MIN_LENGTH, n // 2 + 1)))


def _is_a_run(password: str) -> bool:
    """Consecutive digits or letters, forwards or backwards, wrapping from 9 to 0 and z to a."""
    if not (password.isascii() and password.isalnum()):
        return False
    steps = {ord(b) - ord(a) for a, b in zip(password, password[1:])}
    return steps <= {1, -9, -25} or steps <= {-1, 9, 25}
