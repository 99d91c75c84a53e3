"""Staff free text for the audit trail without the person it is about (docs/audit.md: no
personal data in the trail). The trail is append-only, so an erasure (rules.md §8) could not
remove a name from it later: a reason that names the person ("An Peeters was ill") is written
to the trail as "[person] was ill". The row itself keeps the text until an erasure scrubs it.
"""

from portal.privacy.rules import identifying_strings, scrub

PERSON = "[person]"


def without_person(text: str, user) -> str:
    """`text` with the person's full name, e-mail addresses, phone and street replaced."""
    if not text or user is None:
        return text
    emails = [user.email, *user.emailaddress_set.values_list("email", flat=True)]
    identifiers = identifying_strings(
        full_name=user.get_full_name(), emails=emails, phone=user.phone, street=user.street
    )
    return scrub(text, identifiers, PERSON)
