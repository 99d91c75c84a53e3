"""The beat schedule and the outbox in the admin, per role."""


import pytest
from django.core import mail
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from portal.models import OutgoingEmail
from portal.tasks import sweep_outbox
from tests.portal.outbox.helpers import (
    queue,
)


@pytest.mark.django_db
def test_migration_schedules_the_sweep_every_minute():
    task = PeriodicTask.objects.get(task="portal.tasks.sweep_outbox")
    assert task.enabled and (task.interval.every, task.interval.period) == (1, "minutes")
    assert sweep_outbox.name == task.task


@pytest.mark.django_db
def test_admin_lists_the_outbox_and_sends_now(client, superuser):
    email = queue(to="admin-sent@example.org")
    client.force_login(superuser)
    url = reverse("admin:portal_outgoingemail_changelist")

    assert client.get(url).status_code == 200
    assert (
        client.get(reverse("admin:portal_outgoingemail_change", args=[email.pk])).status_code == 200
    )
    response = client.post(url, {"action": "send_now", "_selected_action": [email.pk]}, follow=True)
    assert response.status_code == 200
    assert OutgoingEmail.objects.get(pk=email.pk).status == OutgoingEmail.Status.SENT
    assert [m.to for m in mail.outbox] == [["admin-sent@example.org"]]


@pytest.mark.django_db
def test_finance_sees_the_outbox_but_cannot_send(client, finance_user, course_admin):
    email = queue()
    url = reverse("admin:portal_outgoingemail_changelist")
    client.force_login(finance_user)
    assert client.get(url).status_code == 200
    client.post(url, {"action": "send_now", "_selected_action": [email.pk]})
    assert OutgoingEmail.objects.get(pk=email.pk).status == OutgoingEmail.Status.PENDING

    client.force_login(course_admin)
    client.post(url, {"action": "send_now", "_selected_action": [email.pk]})
    assert OutgoingEmail.objects.get(pk=email.pk).status == OutgoingEmail.Status.SENT
