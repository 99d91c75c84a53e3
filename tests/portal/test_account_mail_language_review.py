"""allauth's mails (password reset, e-mail verification) in the person's preferred language,
whatever language the page was browsed in; their links absolute."""

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory


@pytest.mark.django_db
@pytest.mark.parametrize("preferred, browsing", [("en", "nl"), ("nl", "en")])
def test_password_reset_mail_in_the_preferred_language(
    client, preferred, browsing, django_capture_on_commit_callbacks
):
    user = UserFactory(preferred_language=preferred)
    # The mail goes through the outbox: sent once the request's transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": user.email},
                    HTTP_ACCEPT_LANGUAGE=browsing)
    [message] = mail.outbox
    english = "Password Reset" in message.subject
    assert english == (preferred == "en"), message.subject
    assert settings.PORTAL_BASE_URL.rstrip("/") + "/accounts/password/reset/key/" in message.body
