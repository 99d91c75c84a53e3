"""The outbox sweep goes on after a mail whose row cannot be written: it used to stop there,
and as that row stayed first in line (pk order, still due), every later sweep stopped at it too,
so nobody behind it got mail any more. The fault is a trigger refusing to mark one row sent."""

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from portal.models import OutgoingEmail
from portal.outbox import queue_email, sweep

pytestmark = pytest.mark.django_db


def due_mail(to):
    email = queue_email(to=to, subject="Example", template="example",
                        context={"title": "Tom & Jerry", "when": timezone.localdate()},
                        language="en")
    OutgoingEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    return email


def test_a_row_that_cannot_be_marked_sent_does_not_stop_the_sweep(caplog):
    first, *others = [due_mail(f"person{i}@example.org") for i in range(3)]
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION test_refuse_sent() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF NEW.id = {int(first.pk)} AND NEW.status = 'sent' THEN "
            "RAISE EXCEPTION 'test fault: row refused'; END IF; RETURN NEW; END $$")
        cursor.execute("CREATE TRIGGER test_refuse_sent BEFORE UPDATE ON portal_outgoingemail "
                       "FOR EACH ROW EXECUTE FUNCTION test_refuse_sent()")

    assert sweep() == 2

    assert {email.status for email in OutgoingEmail.objects.filter(
        pk__in=[o.pk for o in others])} == {"sent"}
    failed = OutgoingEmail.objects.get(pk=first.pk)
    # Recorded like any failed attempt: it backs off instead of being retried every minute,
    # and is marked failed after the last attempt.
    assert failed.status == "pending" and failed.attempts == 1
    assert "row refused" in failed.last_error and failed.next_attempt_at > timezone.now()
    assert f"e-mail {first.pk}" in caplog.text

    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER test_refuse_sent ON portal_outgoingemail")
    OutgoingEmail.objects.filter(pk=first.pk).update(next_attempt_at=timezone.now())
    assert sweep() == 1
    assert OutgoingEmail.objects.get(pk=first.pk).status == "sent"
    # The first attempt had reached SMTP before its row was refused: the outbox delivers at
    # least once, so that person got it twice; the others once.
    assert sorted(m.to[0] for m in mail.outbox) == [
        "person0@example.org", "person0@example.org", "person1@example.org",
        "person2@example.org"]
