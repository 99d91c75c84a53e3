"""Cancellation pages: the participant's preview and request; the staff's admin screens."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from billing.models import CreditNote
from courses.models import Edition
from registrations.models import BulkJob, CancellationRequest, Cart, Registration
from registrations.services.cart import add_to_cart
from registrations.services.checkout import BillingDetails, checkout
from tests.factories import CancellationTierFactory, EditionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def registration(participant):
    edition = EditionFactory(fee_amount=Decimal("300.00"), cancellation_policy="C",
                             start=timezone.localdate() + timedelta(days=10))
    CancellationTierFactory(edition=edition, days=14, percent_kept=Decimal("0"))
    CancellationTierFactory(edition=edition, days=7, percent_kept=Decimal("50"))
    add_to_cart(user=participant, edition_id=edition.pk)
    record = checkout(user=participant, token=Cart.objects.get(user=participant).checkout_token,
                      billing=BillingDetails())
    return record.registrations.get()


def test_participant_sees_the_preview_then_asks(client, participant, registration):
    client.force_login(participant)
    page = client.get(reverse("registration_cancel", args=[registration.pk]))
    assert page.status_code == 200
    assert page.context["outcome"].kept == Decimal("150.00")
    response = client.post(reverse("registration_cancel", args=[registration.pk]))
    assert response.status_code == 302
    assert CancellationRequest.objects.get().status == "pending"
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert reverse("registration_cancel", args=[registration.pk]) not in dashboard


def test_the_preview_states_the_conditions_in_the_persons_own_amounts(client, participant,
                                                                     registration):
    """The list fee rose after registration: the conditions on the page are those of the
    registration's price (€300: 50 % is €150), the same as the preview, not €450."""
    Edition.objects.filter(pk=registration.edition_id).update(fee_amount=Decimal("900.00"))
    client.force_login(participant)
    page = client.get(reverse("registration_cancel", args=[registration.pk]),
                      HTTP_ACCEPT_LANGUAGE="en")
    conditions = " ".join(page.context["conditions"])
    assert "€150.00" in conditions and "€450.00" not in conditions


def test_nobody_else_sees_or_cancels_it(client, other_participant, registration):
    client.force_login(other_participant)
    url = reverse("registration_cancel", args=[registration.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
    assert not CancellationRequest.objects.exists()


def test_staff_record_an_e_mail_request_and_confirm_it(client, course_admin, registration):
    client.force_login(course_admin)
    received = timezone.localdate() - timedelta(days=1)
    # Registered before the request came in (a request before the registration is refused).
    Registration.objects.filter(pk=registration.pk).update(registered_on=received)
    response = client.post(reverse("admin:registrations_cancellationrequest_add"), {
        "registration": registration.pk, "received_on": received.isoformat(), "note": "mail"})
    assert response.status_code == 302
    request = CancellationRequest.objects.get()
    assert request.received_on == received
    changelist = reverse("admin:registrations_cancellationrequest_changelist")
    form = client.post(changelist, {"action": "confirm", "_selected_action": [request.pk]})
    assert form.status_code == 200
    client.post(changelist, {"action": "confirm", "_selected_action": [request.pk],
                             "apply": "1"})
    request.refresh_from_db()
    assert request.status == "confirmed" and request.decided_by == course_admin
    assert CreditNote.objects.get().total == Decimal("150.00")


def test_a_request_dated_before_the_registration_is_refused_in_the_admin(client, course_admin,
                                                                         registration):
    client.force_login(course_admin)
    received = registration.registered_on - timedelta(days=1)
    response = client.post(reverse("admin:registrations_cancellationrequest_add"), {
        "registration": registration.pk, "received_on": received.isoformat(), "note": "mail"},
        HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert response.status_code == 200
    assert "cannot be received before the registration" in response.content.decode()
    assert not CancellationRequest.objects.exists()


def test_staff_waiver_without_reason_is_refused_in_the_admin(client, course_admin, participant):
    edition = EditionFactory(cancellation_policy="C")
    add_to_cart(user=participant, edition_id=edition.pk)
    checkout(user=participant, token=Cart.objects.get(user=participant).checkout_token,
             billing=BillingDetails())
    request = CancellationRequest.objects.create(
        registration=Registration.objects.get(), received_on=timezone.localdate(),
        requested_by=participant)
    client.force_login(course_admin)
    client.post(reverse("admin:registrations_cancellationrequest_changelist"), {
        "action": "confirm", "_selected_action": [request.pk], "apply": "1",
        "waive_programme_amount": "on", "waiver_reason": ""})
    request.refresh_from_db()
    assert request.status == "pending"


def test_organizer_cancels_an_edition_from_the_admin(client, course_admin, registration,
                                                    django_capture_on_commit_callbacks):
    client.force_login(course_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:courses_edition_changelist"), {
            "action": "cancel_edition", "_selected_action": [registration.edition_id]})
    assert Edition.objects.get(pk=registration.edition_id).status == "cancelled"
    job = BulkJob.objects.get()
    assert (job.done, job.total) == (1, 1)
    assert CreditNote.objects.get().total == Decimal("300.00")
    page = client.get(reverse("admin:registrations_bulkjob_changelist")).content.decode()
    assert "<progress" in page


def test_change_notice_from_the_admin_and_the_answer_on_the_dashboard(
        client, course_admin, participant, registration, django_capture_on_commit_callbacks):
    client.force_login(course_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:courses_edition_changelist"), {
            "action": "notify_change", "_selected_action": [registration.edition_id],
            "apply": "1", "description_nl": "Nieuwe zaal", "description_en": "New room"})
    notice = registration.edition.change_notices.get()
    client.force_login(participant)
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert "Nieuwe zaal" in dashboard
    client.post(reverse("change_answer", args=[registration.pk, notice.pk]),
                {"answer": "accept"})
    client.force_login(course_admin)
    page = client.get(reverse("admin:registrations_editionchangenotice_changelist"))
    assert page.status_code == 200


def test_a_change_announced_before_the_registration_is_not_offered_on_the_dashboard(
        client, course_admin, participant, registration, django_capture_on_commit_callbacks):
    """Seed 2 art. 6.2: the change was part of the edition when they registered."""
    from registrations.models import EditionChangeNotice

    notice = EditionChangeNotice.objects.create(
        edition=registration.edition, notice_date=registration.registered_on - timedelta(days=1),
        description_nl="Nieuwe zaal", description_en="New room", created_by=course_admin)
    client.force_login(participant)
    assert "Nieuwe zaal" not in client.get(reverse("dashboard")).content.decode()
    client.force_login(course_admin)
    page = client.get(reverse("admin:registrations_editionchangenotice_change",
                              args=[notice.pk]))
    assert page.status_code == 200
    from registrations.admin_cancellation import EditionChangeNoticeAdmin

    assert EditionChangeNoticeAdmin._counts(None, notice) == (0, 0, 0)  # nobody to answer


@pytest.mark.parametrize("role", ["finance_user", "exam_committee_member", "participant"])
def test_only_course_administrators_cancel_editions(client, request, role, registration):
    client.force_login(request.getfixturevalue(role))
    client.post(reverse("admin:courses_edition_changelist"), {
        "action": "cancel_edition", "_selected_action": [registration.edition_id]})
    assert Edition.objects.get(pk=registration.edition_id).status == "open"
