"""The daily jobs: reminders when the window opens and 3 days before it closes; both scheduled."""

from datetime import date

import pytest
from django_celery_beat.models import PeriodicTask

from exams.services.reminders import send_digital_exam_reminders, send_second_chance_reminders
from portal.models import OutgoingEmail
from tests.exams.conftest import enter, publish_period


@pytest.fixture
def failed(registration, periods, exam_committee_member):
    enter(registration, "DATA1", "8", exam_committee_member)
    enter(registration, "DATA2", "14", exam_committee_member)
    publish_period(periods[0], registration.edition.course, exam_committee_member)
    return registration


@pytest.mark.parametrize("day,sent", [
    (date(2027, 7, 10), 0),
    (date(2027, 7, 11), 1),
    (date(2027, 7, 12), 1),  # the job did not run on 11 July: the mail goes now
    (date(2027, 8, 5), 1),
    (date(2027, 8, 8), 1),  # the same for the mail of 5 August
    (date(2027, 8, 9), 0),
])
def test_reminder_days(failed, day, sent):
    assert send_second_chance_reminders(day) == sent
    assert OutgoingEmail.objects.count() == sent


def test_reminder_once_per_day_and_only_for_failed_units(failed, participant):
    send_second_chance_reminders(date(2027, 7, 11))
    send_second_chance_reminders(date(2027, 7, 11))
    email = OutgoingEmail.objects.get()
    assert email.recipient == participant.email
    assert "DATA1" in email.body_text and "DATA2" not in email.body_text
    assert "08/08/2027" in email.body_text


def test_a_day_the_job_missed_is_caught_up_once(failed, participant):
    """Beat or the worker down at 08:00 on 11 July (or on 5 August): the next run sends the
    reminder that was due, and later runs do not send it again."""
    assert send_second_chance_reminders(date(2027, 7, 13)) == 1
    assert send_second_chance_reminders(date(2027, 7, 14)) == 1  # the same mail, not a second
    assert send_second_chance_reminders(date(2027, 8, 6)) == 1
    assert send_second_chance_reminders(date(2027, 8, 7)) == 1
    assert OutgoingEmail.objects.filter(recipient=participant.email).count() == 2


def test_no_reminder_once_enrolled(failed, participant):
    from exams.services.enrolment import enrol_second_chance

    enrol_second_chance(participant, failed.exam_enrolments.get(unit__code="DATA1").pk,
                        date(2027, 7, 11))
    assert send_second_chance_reminders(date(2027, 8, 5)) == 0


def test_jobs_are_scheduled_daily(db):
    tasks = {task.task: task for task in PeriodicTask.objects.filter(task__startswith="exams.")}
    assert set(tasks) == {"exams.tasks.auto_absent_task",
                          "exams.tasks.second_chance_reminders_task"}
    assert all(task.crontab and task.enabled for task in tasks.values())


def test_tasks_run(failed):
    from exams import tasks

    assert tasks.auto_absent_task() >= 0
    assert tasks.second_chance_reminders_task() >= 0


def test_digital_exam_reminder_a_week_before_the_period(registration, periods, participant):
    unit = registration.edition.course.units.get(code="DATA2")
    unit.digital_exam = True
    unit.save()
    assert send_digital_exam_reminders(date(2027, 5, 24)) == 0
    assert send_digital_exam_reminders(date(2027, 5, 25)) == 1  # first period starts 1 June
    assert send_digital_exam_reminders(date(2027, 5, 25)) == 1  # deduplicated
    email = OutgoingEmail.objects.get()
    assert email.recipient == participant.email
    assert "DATA2" in email.body_text and "DATA1" not in email.body_text
    # the second period: only second-chance enrolments, and there are none
    assert send_digital_exam_reminders(date(2027, 8, 13)) == 0


def test_digital_exam_reminder_for_a_second_chance_enrolled_within_the_last_week(
        failed, periods, participant):
    """Seed 2, art. 8.3: the participant is reminded before *each* exam period. The mail went
    out only on the day exactly a week before the period: whoever enrolled for the second chance
    after that day (the window runs up to 8 August, the period may start days later), or a
    period entered less than a week ahead, or a day the job did not run, got no reminder."""
    from exams.services.enrolment import enrol_second_chance

    unit = failed.edition.course.units.get(code="DATA1")
    unit.digital_exam = True
    unit.save()
    second = periods[1]
    second.start = date(2027, 8, 12)
    second.save()
    assert send_digital_exam_reminders(date(2027, 8, 5)) == 0  # not enrolled yet
    enrol_second_chance(participant, failed.exam_enrolments.get(unit__code="DATA1").pk,
                        date(2027, 8, 8))
    assert send_digital_exam_reminders(date(2027, 8, 8)) == 1
    assert send_digital_exam_reminders(date(2027, 8, 9)) == 1  # the same mail, not a second
    assert OutgoingEmail.objects.get().recipient == participant.email
    assert send_digital_exam_reminders(date(2027, 8, 12)) == 0  # the period has started
