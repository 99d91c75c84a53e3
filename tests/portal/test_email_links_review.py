"""The e-mails that ask the participant to act link to their dashboard: absolute, both parts,
both languages."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from portal.outbox import render_email
from registrations.models import AdmissionApplication, WaitingListEntry
from tests.factories import EditionFactory, UserFactory

URL = "https://portal.example.be/dashboard/"


@pytest.fixture
def contexts(db):
    user = UserFactory(first_name="An")
    edition = EditionFactory(start=timezone.localdate() + timedelta(days=40))
    entry = WaitingListEntry.objects.create(
        user=user, edition=edition, status="offered",
        offer_expires_at=timezone.now() + timedelta(days=2))
    application = AdmissionApplication.objects.create(
        user=user, edition=edition, status="admitted", motivation="m", prior_knowledge="p",
        experience="e", register_before=timezone.localdate() + timedelta(days=10))
    return {
        "registrations/seat_offered": {"user": user, "entry": entry, "edition": edition},
        "registrations/admission_decided": {"user": user, "application": application,
                                            "edition": edition},
        "registrations/change_notice": {"user": user, "edition": edition,
                                        "description": "Nieuwe zaal",
                                        "deadline": timezone.localdate()},
    }


@override_settings(PORTAL_BASE_URL="https://portal.example.be/")
@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("template", ["registrations/seat_offered",
                                      "registrations/admission_decided",
                                      "registrations/change_notice"])
def test_the_mail_links_to_the_dashboard(contexts, template, language):
    text, html = render_email(template, contexts[template], language)
    assert URL in text
    assert f'<a href="{URL}">' in html
