"""Belgian structured communication ("gestructureerde mededeling", OGM/VCS).

Seed 2, art. 4.5 (payment by bank transfer with a structured communication); rules.md §2. The
format is the Belgian banks' standard: 10 digits (the base) followed by 2 check digits, the base
modulo 97, written 97 when the remainder is 0; shown as ``+++123/4567/89012+++``. Pure functions,
no Django import.
"""

import re

BASE_LIMIT = 10**10  # ten digits

# A communication written between +++ or *** (banks print either), with any spacing or slashes.
_DELIMITED = re.compile(r"(\+{3}|\*{3})([\d\s/.]{12,30}?)\1")
# Otherwise: 3, 4 and 5 digits, optionally separated by a slash, dot or spaces, and not part of a
# longer run of digits (so an account or invoice number is not read as one). The lookahead makes
# candidates overlap, so an invalid candidate cannot hide a valid one that shares digits with it.
_BARE = re.compile(r"(?<!\d)(?=(\d{3})[\s/.]{0,3}(\d{4})[\s/.]{0,3}(\d{5})(?!\d))")


def check_digits(base: int) -> int:
    """The two check digits of a base: ``base mod 97``, or 97 when that is 0 (rules.md §2)."""
    return base % 97 or 97


def format_structured(base: int) -> str:
    """Format ``base`` (0 <= base < 10**10) as ``+++ddd/dddd/ddddd+++``.

    Seed 2, art. 4.5; rules.md §2. Raises ``TypeError`` when ``base`` is not an int (a bool or a
    digit string is refused too) and ``ValueError`` outside the range.
    """
    if isinstance(base, bool) or not isinstance(base, int):
        raise TypeError(f"base must be an int, not {type(base).__name__}")
    if not 0 <= base < BASE_LIMIT:
        raise ValueError("base must be between 0 and 9,999,999,999")
    digits = f"{base:010d}{check_digits(base):02d}"
    return f"+++{digits[:3]}/{digits[3:7]}/{digits[7:]}+++"


def _valid_base(digits: str) -> int | None:
    """The base of 12 digits when their last two are its check digits, else None."""
    if len(digits) != 12 or not digits.isdigit():
        return None
    base = int(digits[:10])
    return base if check_digits(base) == int(digits[10:]) else None


def parse_structured(text: str) -> int | None:
    """Find a structured communication in a bank statement line and return its base.

    Seed 2, art. 4.5; rules.md §2. Accepts it with or without ``+++``/``***``, with slashes,
    dots or spaces, alone or inside other text (``"VCS 123/4567/89012 INV 7"``). The first
    candidate whose check digits are right wins; ``None`` when there is none. Note that base 0
    is a valid result (``+++000/0000/00097+++``): test the result with ``is None``. Raises
    ``TypeError`` when ``text`` is not a string.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    for match in _DELIMITED.finditer(text):
        base = _valid_base(re.sub(r"\D", "", match.group(2)))
        if base is not None:
            return base
    for match in _BARE.finditer(text):
        base = _valid_base("".join(match.groups()))
        if base is not None:
            return base
    return None
