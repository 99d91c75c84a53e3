"""The demo names who signs each organizer's certificates."""

from datetime import date

from certificates.models import Signatory
from portal.demo import load_demo


def test_the_demo_has_a_signatory_per_organizer(db):
    load_demo(date(2026, 11, 27))
    load_demo(date(2026, 11, 27))  # idempotent
    signatories = Signatory.objects.filter(course__isnull=True)
    assert signatories.count() == 2
    assert set(signatories.values_list("organizer__slug", flat=True)) == {"lla", "uhl"}
