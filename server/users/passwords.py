"""The password policy of sign-up (docs/security.md, "Accounts"): long enough
(`PASSWORD_MIN_LENGTH`), not one of the most common passwords (`common_passwords.txt`, shipped
here), not the e-mail address or its name part, and not one character repeated."""

from __future__ import annotations

import functools
from pathlib import Path

from server.errors import InvalidInput
from server.settings import get_settings

COMMON_PASSWORDS = Path(__file__).with_name("common_passwords.txt")
FIELD = "body.password"
MIN_DISTINCT_CHARACTERS = 4


@functools.cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def password_problem(password: str, email: str) -> str | None:
    """Why the password cannot be used, for people; None when it can."""
    minimum = max(8, get_settings().security.password_min_length)
    folded = password.casefold()
    address = email.strip().casefold()
    if len(password) < minimum:
        return f"use at least {minimum} characters"
    if len(set(folded.strip())) < MIN_DISTINCT_CHARACTERS:
        return f"use at least {MIN_DISTINCT_CHARACTERS} different characters, not only spaces or one repeated"
    if folded.strip() in common_passwords():
        return "this is one of the most common passwords; choose another"
    if folded.strip() in {address, address.split("@", 1)[0]}:
        return "do not use your e-mail address as the password"
    return None


def check_password(password: str, email: str) -> None:
    """Refuse (400 naming `body.password`) a password the policy does not allow."""
    if (problem := password_problem(password, email)) is not None:
        raise InvalidInput(FIELD, problem)
