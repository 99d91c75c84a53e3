"""Normalising and checking enterprise / VAT numbers offline (rules.md §2; seed 1, FAQ "How do I
register for a course?", step 3: "Don't forget to write BE prior to the VAT number").

The FAQ asks the user to type the ``BE``; the portal does that for them: every form a Belgian
user types becomes ``BE`` + 10 digits. Check digits are verified with python-stdnum (offline);
the VIES look-up of name and address is a separate integration (``billing/vies.py``). Pure
functions, no Django import.
"""

import re

from stdnum.be import vat as be_vat
from stdnum.eu import vat as eu_vat

# What users put between the digits; stdnum strips the same characters.
_SEPARATORS = re.compile(r"[\s./-]")


def normalise_vat(raw: str) -> str:
    """Return the compact VAT number with its country prefix, e.g. ``BE0403170701``.

    Rules.md §2 (seed 1, FAQ "How do I register for a course?"). Belgian numbers are accepted in
    every form users type: ``BE0403170701``, ``BE 0403.170.701``, ``0403.170.701``, the old
    nine-digit ``403170701``, lower case, spaces, dots or dashes; a number without a country
    prefix is read as a Belgian enterprise number. Another EU prefix (``NL``, ``DE``, ``EL``,
    ``XI``...) is checked with that country's rules and returned compact with its prefix; a
    Greek number typed with ``GR`` gets ``EL``, the prefix VIES and invoices use.

    Raises ``TypeError`` when ``raw`` is not a string and ``ValueError`` (a
    ``stdnum.exceptions.ValidationError``) when the format, length, country or check digits are
    wrong.
    """
    if not isinstance(raw, str):
        raise TypeError(f"raw must be a str, not {type(raw).__name__}")
    prefix = _SEPARATORS.sub("", raw).upper()[:2]
    if prefix.isalpha() and prefix != "BE":
        number = eu_vat.validate(raw)
        # Greek VAT numbers carry EL, not the country code GR: VIES only knows EL.
        return "EL" + number[2:] if number.startswith("GR") else number
    return "BE" + be_vat.validate(raw)


def enterprise_number_only(number: str, vies_status: str) -> bool:
    """VIES calls the (normalised) number inactive, yet it is a Belgian enterprise number that
    passed the offline check: an organisation without VAT registration (a non-profit, a school,
    a public body), invoiced under that number (rules.md §2: "enterprise or VAT number"). A
    foreign number VIES calls inactive has nothing to fall back on: it is refused."""
    return vies_status == "invalid" and number.startswith("BE")


# The legal mention of the education exemption (art. 44 §2 4° of the Belgian VAT Code), as the
# invoice prints it in its own language. Editions carry the Dutch text by default
# (courses.models.DEFAULT_VAT_EXEMPTION); an English invoice printed it in Dutch.
EXEMPTION_MENTIONS = {
    "nl": "Vrijgesteld van btw, art. 44 §2 4° W.btw",
    "en": "Exempt from VAT, article 44 §2 4° of the Belgian VAT Code",
}


def exemption_mention(mention: str, language: str) -> str:
    """`mention` in `language` when it is the standard exemption (in either language); a text
    staff wrote themselves is printed as they wrote it."""
    if mention in EXEMPTION_MENTIONS.values():
        return EXEMPTION_MENTIONS.get(language, mention)
    return mention
