"""The dashboard in a fixed number of queries whatever the number of waiting-list entries,
admission applications and certificates."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from registrations.models import AdmissionApplication, WaitingListEntry
from tests.factories import EditionFactory, RegistrationFactory, UserFactory


def _add(participant, count):
    from certificates.services import issue_registration_certificate

    for _ in range(count):
        full = EditionFactory(start=timezone.localdate() + timedelta(days=40))
        RegistrationFactory(user=UserFactory(), edition=full)
        WaitingListEntry.objects.create(user=UserFactory(), edition=full)
        WaitingListEntry.objects.create(user=participant, edition=full)
        AdmissionApplication.objects.create(
            user=participant, edition=EditionFactory(admission_required=True),
            motivation="m", prior_knowledge="p", experience="e")
        issue_registration_certificate(RegistrationFactory(user=participant))


def test_dashboard_queries_do_not_grow_with_lists(client, participant):
    client.force_login(participant)
    _add(participant, 1)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("dashboard")).status_code == 200
    _add(participant, 4)
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert page.count("position 2 on the waiting list") == 5
    assert len(many) == len(few), [q["sql"][:150] for q in many.captured_queries]
