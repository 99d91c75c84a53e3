"""The daily exam reminders queue each participant's mail on its own: one that cannot be queued
(a trigger on the outbox refuses it here) is logged and retried the next day, while everyone
else still gets theirs; the job used to roll all of them back in its one transaction."""

import logging
from datetime import date

import pytest
from django.db import connection

from exams.services.reminders import send_digital_exam_reminders, send_second_chance_reminders
from portal.models import OutgoingEmail
from tests.exams.conftest import participants

pytestmark = pytest.mark.django_db


@pytest.fixture
def refused_mail():
    def refuse(email: str):
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE FUNCTION test_refuse_mail() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN IF NEW.recipient = '{email}' THEN RAISE EXCEPTION 'test fault: no mail'; "
                "END IF; RETURN NEW; END $$")
            cursor.execute("CREATE TRIGGER test_refuse_mail BEFORE INSERT ON "
                           "portal_outgoingemail FOR EACH ROW EXECUTE FUNCTION "
                           "test_refuse_mail()")

    def remove():
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER test_refuse_mail ON portal_outgoingemail")

    refuse.remove = remove
    return refuse


def test_second_chance_reminders_go_on_after_a_mail_that_fails(periods, programme,
                                                             exam_committee_member,
                                                             refused_mail, caplog):
    people = participants(3, programme, periods[0], exam_committee_member)
    failing = people[0].user
    refused_mail(failing.email)

    with caplog.at_level(logging.ERROR, logger="exams.services.reminders"):
        assert send_second_chance_reminders(date(2027, 7, 11)) == 2

    assert set(OutgoingEmail.objects.values_list("recipient", flat=True)) == {
        r.user.email for r in people[1:]}
    assert f"user {failing.pk}" in caplog.text and "1 failed" in caplog.text

    refused_mail.remove()
    assert send_second_chance_reminders(date(2027, 7, 12)) == 3  # found twice, queued once
    assert OutgoingEmail.objects.count() == 3


def test_digital_exam_reminders_go_on_after_a_mail_that_fails(periods, programme,
                                                            exam_committee_member,
                                                            refused_mail, caplog):
    programme.units.filter(code="DATA2").update(digital_exam=True)
    people = participants(3, programme, periods[0], exam_committee_member)
    failing = people[2].user
    refused_mail(failing.email)

    with caplog.at_level(logging.ERROR, logger="exams.services.reminders"):
        assert send_digital_exam_reminders(date(2027, 5, 25)) == 2

    assert OutgoingEmail.objects.count() == 2
    assert not OutgoingEmail.objects.filter(recipient=failing.email).exists()
    assert f"user {failing.pk}" in caplog.text

    refused_mail.remove()
    assert send_digital_exam_reminders(date(2027, 5, 26)) == 3
    assert OutgoingEmail.objects.count() == 3
