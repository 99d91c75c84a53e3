"""The certificate jobs handle each registration (or certificate) on its own: one that fails is
rolled back, logged and left to the next run; the others are still handled. The faults are
PostgreSQL triggers refusing one registration's writes."""

import logging

import pytest
from django.db import connection

from certificates.models import Certificate
from certificates.services import issue_all_due, issue_registration_certificate
from certificates.tasks import issue_certificates_for_publication_task
from exams.models import Publication
from exams.services.enrolment import enrol_first_chance
from registrations.models import Registration
from tests.certificates.conftest import results
from tests.factories import RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db


def refuse(event: str, registration_id: int, condition: str = "TRUE"):
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION test_refuse_certificate() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN IF NEW.registration_id = {int(registration_id)} AND {condition} THEN "
            "RAISE EXCEPTION 'test fault: certificate refused'; END IF; RETURN NEW; END $$")
        cursor.execute(f"CREATE TRIGGER test_refuse_certificate BEFORE {event} ON "
                       "certificates_certificate FOR EACH ROW EXECUTE FUNCTION "
                       "test_refuse_certificate()")


def remove_the_fault():
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER test_refuse_certificate ON certificates_certificate")


@pytest.fixture
def three_passed(postgraduate_registration, exam_committee_member):
    """Three participants of the same postgraduate who passed, results published."""
    registrations = [postgraduate_registration]
    for index in range(2):
        user = UserFactory(first_name=f"Bert{index}", last_name="Claes",
                           date_of_birth=postgraduate_registration.user.date_of_birth)
        other = RegistrationFactory(user=user, edition=postgraduate_registration.edition)
        enrol_first_chance(other, today=postgraduate_registration.registered_on)
        registrations.append(other)
    for registration in registrations:
        results(registration, exam_committee_member, "14", "12")
    return sorted(registrations, key=lambda r: r.pk)


def test_publication_task_goes_on_after_a_registration_that_fails(three_passed, caplog):
    failing = three_passed[1]
    refuse("INSERT", failing.pk)
    publication = Publication.objects.get()

    with caplog.at_level(logging.ERROR, logger="certificates.services"):
        assert issue_certificates_for_publication_task(publication.pk) == 4  # 2 each

    assert not Certificate.objects.filter(registration=failing).exists()
    assert {r.pk for r in three_passed if r.pk != failing.pk} == set(
        Certificate.objects.values_list("registration_id", flat=True))
    assert f"registration {failing.pk}" in caplog.text

    remove_the_fault()
    assert issue_certificates_for_publication_task(publication.pk) == 6
    assert Certificate.objects.filter(registration=failing).count() == 2


def test_the_sweep_revokes_the_others_when_one_revocation_fails(three_passed, caplog):
    certificates = [issue_registration_certificate(r) for r in three_passed]
    Registration.objects.filter(pk__in=[r.pk for r in three_passed]).update(status="cancelled")
    failing = three_passed[0]
    refuse("UPDATE", failing.pk, "NEW.revoked_at IS NOT NULL")

    with caplog.at_level(logging.ERROR, logger="certificates.services"):
        assert issue_all_due() == 2

    revoked = {c.registration_id for c in Certificate.objects.all() if c.is_revoked}
    assert revoked == {r.pk for r in three_passed[1:]}
    assert f"certificate {certificates[0].pk}" in caplog.text

    remove_the_fault()
    assert issue_all_due() == 1
    assert all(c.is_revoked for c in Certificate.objects.all())
