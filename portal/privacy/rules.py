"""Erasure rules as plain functions (GDPR art. 17, seed 2 art. 14; rules.md §8). No Django.

What identifies a person in free text is their full name, e-mail addresses, phone number and
street address: those strings are replaced wherever the portal keeps free text about them (mail
log, admin history, bank data, staff notes). A first name alone ("An") is not searched for: it
would rewrite unrelated words ("Antwerpen"), so strings shorter than MIN_LENGTH are left out.
"""

import re
from collections.abc import Iterable

ERASED = "[erased]"
MIN_LENGTH = 5
PSEUDONYM_DOMAIN = "erased.invalid"  # RFC 2606: a domain that can never receive mail


def pseudonym_email(token: str) -> str:
    """The unique, non-identifying address that replaces the person's (the column is unique)."""
    return f"erased-{token}@{PSEUDONYM_DOMAIN}"


def identifying_strings(
    *, full_name: str, emails: Iterable[str], phone: str, street: str
) -> list[str]:
    """The strings to look for, longest first (so "An Peeters" goes before "Peeters")."""
    candidates = {" ".join(full_name.split()), phone.strip(), street.strip()}
    candidates.update(email.strip() for email in emails)
    return sorted(
        (text for text in candidates if len(text) >= MIN_LENGTH), key=len, reverse=True
    )


def scrub(text: str, identifiers: Iterable[str], replacement: str = ERASED) -> str:
    """`text` with every case-insensitive occurrence of an identifier replaced."""
    for identifier in identifiers:
        text = re.sub(re.escape(identifier), replacement, text, flags=re.IGNORECASE)
    return text


def erasure_refusal(*, is_staff: bool, open_refunds: int) -> str | None:
    """Why the erasure cannot be done now, or None.

    - A staff account is not a participant's profile: remove its role first (staff rows record
      who decided what).
    - Money still to be paid back needs the person's name and account: erase after the refund.
    """
    if is_staff:
        return "staff"
    if open_refunds:
        return "open_refunds"
    return None
