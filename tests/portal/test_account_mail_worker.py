"""A password reset through the real views and a real Celery worker (tests/celery_worker.py):
the request answers at once, the worker sends the mail after commit, the link works, and the
row no longer holds it. In its own module: the worker fixture makes the module publish."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from portal.models import OutgoingEmail
from tests.celery_worker import (  # noqa: F401 (the fixtures celery_worker, private_redis)
    celery_worker_fixture,
    private_redis_fixture,
    wait_for,
)
from tests.factories import UserFactory
from tests.portal.test_account_mail_outbox import NEW_PASSWORD, can_log_in, reset_password_with


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_the_reset_mail_once_and_the_link_works(client, celery_worker):
    user = UserFactory(email="worker-reset@example.org", preferred_language="en")
    response = client.post(reverse("account_reset_password"), {"email": user.email})
    assert response.status_code == 302

    wait_for(lambda: celery_worker.sent_to(user.email) == 1, what="the reset mail")
    [row] = OutgoingEmail.objects.filter(recipient=user.email)
    wait_for(lambda: OutgoingEmail.objects.get(pk=row.pk).status == "sent", what="marked sent")
    row.refresh_from_db()
    assert (row.body_text, row.body_html, row.language) == ("", "", "en")

    written = "".join(path.read_text() for path in celery_worker.mail_dir.glob("*.log"))
    base = re.escape(settings.PORTAL_BASE_URL.rstrip("/"))
    path = re.search(base + r"(/accounts/password/reset/key/\S+/)", written).group(1)
    reset_password_with(client, path)
    assert can_log_in(client, user.email, NEW_PASSWORD)
