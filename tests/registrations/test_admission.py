"""Admission through its services: applications and admissions end with the registration deadline
(rules.md §1; seed 2 art. 3.2)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone, translation

from portal.models import OutgoingEmail
from registrations.models import AdmissionApplication
from registrations.services.admission import (
    ApplicationError,
    admission_term,
    apply_for_admission,
    decide_admission,
)
from tests.factories import EditionFactory

pytestmark = pytest.mark.django_db


def application_for(user, edition):
    return AdmissionApplication.objects.create(
        user=user, edition=edition, motivation="m", prior_knowledge="p", experience="e")


@pytest.mark.parametrize(("today", "expected"), [
    (date(2027, 2, 1), date(2027, 2, 15)),   # 14 days, well before the deadline
    (date(2027, 3, 1), date(2027, 3, 8)),    # capped at the deadline (start 2027-03-15)
    (date(2027, 3, 8), date(2027, 3, 8)),    # on the deadline day itself: that day
    (date(2027, 3, 9), None),                # the deadline has passed
])
def test_the_admission_term_never_runs_past_the_registration_deadline(today, expected):
    assert admission_term(today, 14, date(2027, 3, 8)) == expected


def test_an_admission_close_to_the_start_gives_until_the_deadline(participant, course_admin):
    start = timezone.localdate() + timedelta(days=10)
    edition = EditionFactory(admission_required=True, start=start)
    decided = decide_admission(application_id=application_for(participant, edition).pk,
                               admitted=True, staff_user=course_admin)
    assert decided.register_before == start - timedelta(days=7)
    mail = OutgoingEmail.objects.get(user=participant)
    assert (start - timedelta(days=7)).strftime("%d/%m/%Y") in mail.body_text


def test_admitting_after_the_deadline_is_refused_rejecting_is_not(participant, course_admin,
                                                                 other_participant):
    edition = EditionFactory(admission_required=True,
                             start=timezone.localdate() + timedelta(days=3))
    application = application_for(participant, edition)
    with translation.override("en"), pytest.raises(ApplicationError) as refused:
        decide_admission(application_id=application.pk, admitted=True, staff_user=course_admin)
    assert "could no longer register" in str(refused.value.message)
    application.refresh_from_db()
    assert application.status == "submitted" and application.register_before is None
    assert not OutgoingEmail.objects.exists()
    rejected = decide_admission(application_id=application_for(other_participant, edition).pk,
                                admitted=False, staff_user=course_admin)
    assert rejected.status == "rejected"


def test_no_application_after_the_registration_deadline(participant):
    edition = EditionFactory(admission_required=True, start=date(2027, 3, 15))
    kwargs = {"user": participant, "edition_id": edition.pk, "motivation": "m",
              "prior_knowledge": "p", "experience": "e"}
    with translation.override("en"), pytest.raises(ApplicationError) as refused:
        apply_for_admission(**kwargs, today=date(2027, 3, 9))
    assert "closed on 08/03/2027" in str(refused.value.message)
    assert not AdmissionApplication.objects.exists()
    assert apply_for_admission(**kwargs, today=date(2027, 3, 8)).status == "submitted"
