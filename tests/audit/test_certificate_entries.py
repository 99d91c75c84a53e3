"""Certificates: issuing and revoking are one audit entry each (not the holder's name, birth
date or verification code); issuing twice writes nothing new."""

import pytest
from django.db import transaction

from certificates.services import issue_registration_certificate, revoke_certificate
from tests.audit.conftest import entries

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


def test_issued_once_and_revoked(short_registration, organizer, course_admin):
    certificate = issue_registration_certificate(short_registration, by=course_admin)
    issue_registration_certificate(short_registration, by=course_admin)  # the same one
    issued = entries("certificate.issued", certificate).get()
    assert (issued.actor, issued.organizer, issued.before) == (course_admin, organizer, None)
    assert issued.after["kind"] == "registration"
    assert issued.after["registration"] == short_registration.pk
    text = str(issued.after)
    assert "Peeters" not in text and "1985" not in text and certificate.code not in text

    revoke_certificate(certificate, "Issued by mistake", course_admin)
    revoke_certificate(certificate, "Again", course_admin)  # revoking twice keeps the first
    revoked = entries("certificate.revoked", certificate).get()
    assert (revoked.actor, revoked.organizer, revoked.before, revoked.after) == (
        course_admin, organizer, {"revoked": False},
        {"revoked": True, "reason": "Issued by mistake"})


def test_issued_by_the_system_and_rolled_back(short_registration):
    with pytest.raises(Boom), transaction.atomic():
        issue_registration_certificate(short_registration)
        assert entries("certificate.issued").get().actor_label == "system"
        raise Boom
    assert not entries("certificate.issued").exists()
