"""The erasure rules (portal/privacy/rules.py): plain functions, no database."""

from portal.privacy.rules import (
    ERASED,
    erasure_refusal,
    identifying_strings,
    pseudonym_email,
    scrub,
)


def test_identifying_strings_are_long_enough_and_longest_first():
    found = identifying_strings(full_name="An  Peeters", emails=["an@x.be", "An.Peeters@ugent.be"],
                                phone="", street="Kouter 1")
    assert found == ["An.Peeters@ugent.be", "An Peeters", "Kouter 1", "an@x.be"]
    # A first name alone, an empty phone: never searched for (they would rewrite other words).
    assert identifying_strings(full_name="An", emails=[], phone=" ", street="") == []


def test_scrub_replaces_every_occurrence_in_any_case():
    text = "Payment by AN PEETERS (an peeters, an.peeters@ugent.be) for Antwerpen"
    assert scrub(text, ["an.peeters@ugent.be", "An Peeters"]) == (
        f"Payment by {ERASED} ({ERASED}, {ERASED}) for Antwerpen"
    )
    assert scrub("a+b (c)", ["+b (c"]) == f"a{ERASED})"  # no regular-expression surprises


def test_pseudonym_is_a_reserved_domain():
    assert pseudonym_email("abc") == "erased-abc@erased.invalid"


def test_refusals():
    assert erasure_refusal(is_staff=True, open_refunds=0) == "staff"
    assert erasure_refusal(is_staff=False, open_refunds=2) == "open_refunds"
    assert erasure_refusal(is_staff=False, open_refunds=0) is None
