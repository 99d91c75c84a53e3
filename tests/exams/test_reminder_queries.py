"""The daily reminder jobs select whom to remind in a fixed number of queries whatever the number
of participants, then cost a fixed number of queries per mail queued. They used to run about
four queries per first-chance enrolment (is there a second-chance one, is the period published,
the current result, the academic year) before queuing anything."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from exams.services.reminders import send_digital_exam_reminders, send_second_chance_reminders
from portal.models import OutgoingEmail
from tests.exams.conftest import participants

pytestmark = pytest.mark.django_db


def _measured(job, day):
    with CaptureQueriesContext(connection) as queries:
        found = job(day)
    return found, len(queries)


def _assert_set_based(job, day, more_people):
    """At 1x, then at 10x the participants: a run that finds every mail already queued costs
    the same queries (the selection alone), and each newly queued mail a fixed number more."""
    found_1, first_run_1 = _measured(job, day)
    again_1, selection_1 = _measured(job, day)
    assert (found_1, again_1) == (1, 1)
    per_mail = first_run_1 - selection_1

    more_people()  # 9 more: 10 participants in all
    found_10, first_run_10 = _measured(job, day)
    again_10, selection_10 = _measured(job, day)
    assert (found_10, again_10) == (10, 10)
    assert OutgoingEmail.objects.count() == 10

    assert selection_10 == selection_1, "the selection must not grow with the participants"
    assert first_run_10 - selection_10 == 9 * per_mail  # 9 mails queued, 1 found
    assert selection_1 <= 6 and per_mail <= 4


def test_second_chance_reminders_select_in_constant_queries(periods, programme,
                                                            exam_committee_member):
    participants(1, programme, periods[0], exam_committee_member)
    _assert_set_based(send_second_chance_reminders, date(2027, 7, 11),
                      lambda: participants(9, programme, periods[0], exam_committee_member))


def test_digital_exam_reminders_select_in_constant_queries(periods, programme,
                                                           exam_committee_member):
    programme.units.update(digital_exam=True)
    participants(1, programme, periods[0], exam_committee_member)
    _assert_set_based(send_digital_exam_reminders, date(2027, 5, 25),
                      lambda: participants(9, programme, periods[0], exam_committee_member))
