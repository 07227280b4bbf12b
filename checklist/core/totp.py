"""The second factor: time-based one-time passwords (RFC 6238) and recovery codes. No Flask, no SQL.

A secret is 160 random bits (RFC 4226's recommendation) from the operating system's CSPRNG,
shown as base32 and as a QR code of its `otpauth://` URI, drawn here as inline SVG (segno), so
no outside service ever sees it. A code is six digits for a 30-second step; one step either
side is accepted for clock drift, and only a step later than the last one accepted, so a code
cannot be used twice (the store writes the step only if it is still later: two workers cannot
both accept one code).

Recovery codes are ten single-use codes of 12 characters from a 31-character alphabet
(59 bits each); they are stored as argon2id hashes like passwords (`checklist.core.passwords`).
"""

from __future__ import annotations

import hmac
import re
import secrets
import time
from typing import Mapping

import pyotp
import segno

from checklist.core import passwords

STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1  # one step before and after the server's own: a phone a little off still works
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read from paper without doubt
RECOVERY_GROUPS = 3
RECOVERY_GROUP_LENGTH = 4
CODE_PATTERN = re.compile(r"^[0-9]{%d}$" % DIGITS)


def new_secret() -> str:
    """160 random bits in base32, as authenticator apps take them."""
    return pyotp.random_base32(length=32)


clock = time.time  # the server's own clock, never one the client sends (tests move it)


def time_step(at: float | None = None) -> int:
    return int((clock() if at is None else at) // STEP_SECONDS)


def code_at_step(secret: str, step: int) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).generate_otp(step)


def normalise_code(code: str) -> str:
    """What was typed, without spaces and dashes, lower case (apps show `123 456`)."""
    return re.sub(r"[\s-]+", "", code or "").lower()


def is_totp_code(code: str) -> bool:
    return bool(CODE_PATTERN.match(normalise_code(code)))


def matching_step(secret: str, code: str, last_step: int | None, at: float | None = None) -> int | None:
    """The time step `code` belongs to, if it is valid now (within the drift) and later than
    `last_step`, the step of the last code accepted; None otherwise."""
    code = normalise_code(code)
    if not CODE_PATTERN.match(code):
        return None
    now = time_step(at)
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(code_at_step(secret, step), code):
            return step
    return None


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(name=account, issuer_name=issuer)


def qr_svg(uri: str) -> str:
    """The QR code of `uri` as an inline <svg> element (no XML declaration, no style attribute,
    so the Content-Security-Policy allows it)."""
    return segno.make(uri, error="m").svg_inline(scale=5, border=4, dark="#000", light="#fff", omitsize=True)


def grouped_secret(secret: str) -> str:
    """The secret in groups of four, as it is easier to type by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


# -- recovery codes ---------------------------------------------------------------------


def new_recovery_codes(count: int = RECOVERY_CODES) -> list[str]:
    return ["-".join("".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_GROUP_LENGTH)) for _ in range(RECOVERY_GROUPS)) for _ in range(count)]


def normalise_recovery_code(code: str) -> str:
    """A typed recovery code as it was hashed (grouped with dashes, lower case)."""
    bare = normalise_code(code)
    return "-".join(bare[i : i + RECOVERY_GROUP_LENGTH] for i in range(0, len(bare), RECOVERY_GROUP_LENGTH))


def looks_like_recovery_code(code: str) -> bool:
    bare = normalise_code(code)
    return len(bare) == RECOVERY_GROUPS * RECOVERY_GROUP_LENGTH and all(c in RECOVERY_ALPHABET for c in bare)


def hash_recovery_code(code: str, config: Mapping) -> str:
    return passwords.hash_password(normalise_recovery_code(code), config)


def recovery_code_matches(code_hash: str, code: str, config: Mapping) -> bool:
    return passwords.verify_password(code_hash, normalise_recovery_code(code), config)
