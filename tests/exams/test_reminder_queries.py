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


def test_second_chance_reminders_go_in_batches_of_participants_each_whole(
        monkeypatch, periods, programme, exam_committee_member):
    """Memory is bounded by the batch, not by a year's first chances: 5 participants in batches
    of 2 (the last one short). Each failed both units: each gets one mail naming both, also a
    participant whose enrolments straddle what would be a batch boundary by enrolment."""
    from exams.services import reminders

    monkeypatch.setattr(reminders, "PARTICIPANTS_PER_BATCH", 2)
    made = participants(5, programme, periods[0], exam_committee_member, results=("8", "7"))
    found, queries = _measured(send_second_chance_reminders, date(2027, 7, 11))
    assert found == 5
    mails = OutgoingEmail.objects.order_by("user_id")
    assert [mail.user_id for mail in mails] == sorted(r.user_id for r in made)
    assert all("DATA1" in mail.body_text and "DATA2" in mail.body_text for mail in mails)
    again, selection = _measured(send_second_chance_reminders, date(2027, 7, 11))
    assert again == 5 and OutgoingEmail.objects.count() == 5
    # Three batches of 2, 2 and 1: each its own selection queries, none more.
    monkeypatch.setattr(reminders, "PARTICIPANTS_PER_BATCH", 10)
    _found, one_batch = _measured(send_second_chance_reminders, date(2027, 7, 11))
    assert selection == 3 * one_batch


def test_exactly_a_batch_full_looks_once_more_and_stops(monkeypatch, periods, programme,
                                                        exam_committee_member):
    from exams.services import reminders

    monkeypatch.setattr(reminders, "PARTICIPANTS_PER_BATCH", 2)
    participants(2, programme, periods[0], exam_committee_member)
    assert send_second_chance_reminders(date(2027, 7, 11)) == 2
    assert OutgoingEmail.objects.count() == 2
