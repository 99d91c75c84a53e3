"""Each hooked use case writes exactly one audit entry per change, with who, before and after,
in its own transaction (rolled back with it). Given / when / then."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from audit.context import acting_as
from audit.models import AuditEntry
from billing.invoicing import add_instalments
from billing.models import Refund, UnpaidFlag
from billing.payments import record_payment
from billing.sepa import export_pending_refunds, mark_export_paid
from registrations.models import AdmissionApplication, Cart, Registration, WaitingListEntry
from registrations.services.admission import apply_for_admission, decide_admission
from registrations.services.cancellation import (
    confirm_cancellation,
    record_cancellation_request,
)
from registrations.services.cart import add_to_cart
from registrations.services.checkout import BillingDetails, checkout
from registrations.services.edition_changes import answer_change, cancel_edition, notify_change
from registrations.services.waiting_list import (
    join_waiting_list,
    leave_waiting_list,
    offer_free_seats,
)
from registrations.tasks import process_waiting_lists
from tests.audit.conftest import credit, entries, invoice_for
from tests.factories import EditionFactory, OrganizerFactory, UserFactory

pytestmark = pytest.mark.django_db
D = Decimal


class Boom(Exception):
    pass


def register(user, edition):
    add_to_cart(user=user, edition_id=edition.pk)
    record = checkout(user=user, token=Cart.objects.get(user=user).checkout_token,
                      billing=BillingDetails())
    return record.registrations.get(), record.invoices.get()


def personal_data_of(user) -> list[str]:
    return [user.email, user.first_name, user.last_name, user.street]


def assert_no_personal_data(entry, user):
    text = f"{entry.before} {entry.after} {entry.actor_label}"
    for value in personal_data_of(user):
        if value:
            assert value not in text


# --- money --------------------------------------------------------------------------------


def test_issuing_an_invoice_writes_one_linked_entry_as_the_acting_user(finance_user):
    organizer = OrganizerFactory()
    with acting_as(finance_user):
        invoice = invoice_for(organizer)
    entry = entries(obj=invoice).get()
    assert (entry.action, entry.actor, entry.actor_label) == (
        "invoice.issued", finance_user, f"user #{finance_user.pk}")
    assert (entry.organizer, entry.before, entry.chain_seq) == (organizer, None, 1)
    assert entry.after["number"] == invoice.number


def test_a_checkout_in_the_browser_is_done_by_the_participant(client, participant, edition):
    """No actor argument: the middleware's request user acts."""
    client.force_login(participant)
    client.post(reverse("cart_add", args=[edition.code]))
    context = client.get(reverse("checkout")).context
    client.post(reverse("checkout"), {"token": context["form"].initial["token"],
                                      "total": context["summary"].total,
                                      "invoice_to": "person", "confirm": "1"})
    invoice = participant.invoices.get()
    entry = entries("invoice.issued", invoice).get()
    assert (entry.actor, entry.actor_label) == (participant, f"user #{participant.pk}")
    assert entries("registration.confirmed").get().actor == participant


def test_without_a_request_or_an_actor_the_system_acts():
    invoice = invoice_for(OrganizerFactory())
    entry = entries(obj=invoice).get()
    assert (entry.actor, entry.actor_label) == (None, "system")


def test_a_credit_note_names_who_issued_it(finance_user):
    invoice = invoice_for(OrganizerFactory())
    note = credit(invoice, "100.00", finance_user)
    entry = entries(obj=note).get()
    assert (entry.action, entry.actor, entry.chain_seq) == ("credit_note.issued", finance_user, 2)
    assert entry.after["total"] == "100.00"
    assert entry.after["invoice"] == invoice.number


def test_a_rolled_back_credit_note_leaves_no_entry(finance_user):
    invoice = invoice_for(OrganizerFactory())
    with pytest.raises(Boom), transaction.atomic():
        credit(invoice, "100.00", finance_user)
        assert entries("credit_note.issued").count() == 1  # in the same transaction
        raise Boom
    assert not entries("credit_note.issued").exists()
    assert AuditEntry.objects.count() == 1  # the invoice's


def test_instalments_are_one_entry_with_their_schedule():
    invoice = invoice_for(OrganizerFactory(), "450.00")
    add_instalments(invoice, 3)
    entry = entries("invoice.instalments", invoice).get()
    assert [part["amount"] for part in entry.after["instalments"]] == [
        "150.00", "150.00", "150.00"]
    assert entry.after["instalments"][0]["due_date"] == invoice.due_date.isoformat()


def test_a_payment_is_one_entry_without_the_payers_name(finance_user):
    invoice = invoice_for(OrganizerFactory())
    payment = record_payment(invoice=invoice, amount=D("200.50"), paid_on=date(2026, 3, 2),
                             method="bank_transfer", payer_name="An Peeters",
                             reference="+++000/0000/00097+++", recorded_by=finance_user)
    entry = entries(obj=payment).get()
    assert (entry.action, entry.actor, entry.organizer_id) == (
        "payment.recorded", finance_user, invoice.organizer_id)
    assert entry.after == {"invoice_id": invoice.pk, "instalment_id": None, "amount": "200.50",
                           "paid_on": "2026-03-02", "method": "bank_transfer",
                           "statement_line_id": None}
    assert "An Peeters" not in str(entry.after)


def test_a_rolled_back_payment_leaves_no_entry(finance_user):
    invoice = invoice_for(OrganizerFactory())
    with pytest.raises(Boom), transaction.atomic():
        record_payment(invoice=invoice, amount=D("10.00"), paid_on=date(2026, 3, 2),
                       method="cash", recorded_by=finance_user)
        raise Boom
    assert not entries("payment.recorded").exists()


def test_refunds_exported_and_paid_one_entry_each(finance_user):
    invoice = invoice_for(OrganizerFactory())
    note = credit(invoice, "100.00", finance_user)
    refunds = [Refund.objects.create(credit_note=note, amount=D(a), beneficiary_name="An",
                                     iban="BE71096123456769", bic="GKCCBEBB")
               for a in ("60.00", "40.00")]
    export = export_pending_refunds(organizer=note.organizer, user=finance_user,
                                    execution_date=timezone.localdate())
    exported = entries("refund.exported").order_by("object_id")
    assert [(e.object_id, e.before, e.after["status"], e.actor) for e in exported] == [
        (str(r.pk), {"status": "pending"}, "exported", finance_user) for r in refunds]
    with acting_as(finance_user):
        mark_export_paid(export, date(2026, 3, 5))
    paid = entries("refund.paid").order_by("object_id")
    assert [(e.before, e.after["status"], e.after["paid_on"]) for e in paid] == [
        ({"status": "exported"}, "paid", "2026-03-05")] * 2


# --- registrations ------------------------------------------------------------------------


def test_a_cancellation_writes_request_credit_note_refund_and_state(participant, course_admin):
    edition = EditionFactory(start=timezone.localdate() + timedelta(days=90),
                             fee_amount=D("600.00"))
    registration, invoice = register(participant, edition)
    record_payment(invoice=invoice, amount=D("600.00"), paid_on=timezone.localdate(),
                   method="bank_transfer")
    before = AuditEntry.objects.count()
    request = record_cancellation_request(staff_user=course_admin,
                                          registration_id=registration.pk,
                                          received_on=timezone.localdate())
    confirm_cancellation(request_id=request.pk, staff_user=course_admin)
    new = AuditEntry.objects.filter(pk__gt=AuditEntry.objects.order_by("pk")[before - 1].pk)
    assert sorted(new.values_list("action", flat=True)) == [
        "cancellation.requested", "credit_note.issued", "refund.created",
        "registration.cancelled"]
    state = entries("registration.cancelled", registration).get()
    assert (state.actor, state.before) == (course_admin, {"status": "confirmed"})
    assert state.after["status"] == "cancelled"
    assert state.after["credit_note"] == invoice.credit_notes.get().number
    refund = entries("refund.created").get()
    assert refund.after["amount"] == str(Refund.objects.get().amount)
    for entry in new.exclude(action="credit_note.issued"):
        assert_no_personal_data(entry, participant)


def test_a_rolled_back_cancellation_leaves_no_entry(participant, course_admin):
    registration, _invoice = register(participant, EditionFactory())
    with pytest.raises(Boom), transaction.atomic():
        request = record_cancellation_request(staff_user=course_admin,
                                              registration_id=registration.pk,
                                              received_on=timezone.localdate())
        confirm_cancellation(request_id=request.pk, staff_user=course_admin)
        raise Boom
    assert not entries("registration.cancelled").exists()
    assert not entries("cancellation.requested").exists()
    assert Registration.objects.get().status == "confirmed"


def test_waiting_list_join_offer_expire_leave(participant, other_participant):
    edition = EditionFactory(seats=1)
    register(participant, edition)
    entry = join_waiting_list(user=other_participant, edition_id=edition.pk)
    joined = entries("waiting_list.joined", entry).get()
    assert (joined.actor, joined.after) == (other_participant,
                                            {"edition": edition.pk, "status": "waiting"})
    type(edition).objects.filter(pk=edition.pk).update(seats=2)
    process_waiting_lists.delay()  # the Celery task (eager in tests) acts as the system
    offered = entries("waiting_list.offered", entry).get()
    assert (offered.before, offered.after["status"], offered.actor) == (
        {"status": "waiting"}, "offered", None)
    assert offered.actor_label == "task registrations.tasks.process_waiting_lists"
    offer_free_seats(edition_id=edition.pk, now=timezone.now() + timedelta(days=3))
    expired = entries("waiting_list.offer_expired", entry).get()
    assert (expired.before, expired.after) == ({"status": "offered"}, {"status": "expired"})

    third = UserFactory()
    type(edition).objects.filter(pk=edition.pk).update(seats=1)
    other = join_waiting_list(user=third, edition_id=edition.pk)
    leave_waiting_list(user=third, entry_id=other.pk)
    left = entries("waiting_list.left", other).get()
    assert (left.actor, left.before, left.after) == (third, {"status": "waiting"},
                                                     {"status": "withdrawn"})
    assert WaitingListEntry.objects.get(pk=other.pk).status == "withdrawn"


def test_admission_applied_and_decided(participant, course_admin):
    edition = EditionFactory(admission_required=True)
    application = apply_for_admission(user=participant, edition_id=edition.pk,
                                      motivation="Mijn motivatie", prior_knowledge="Veel",
                                      experience="Tien jaar")
    applied = entries("admission.applied", application).get()
    assert (applied.actor, applied.after) == (participant,
                                              {"edition": edition.pk, "status": "submitted"})
    assert "motivatie" not in str(applied.after)
    decide_admission(application_id=application.pk, admitted=True, staff_user=course_admin,
                     today=date(2026, 12, 1))
    decided = entries("admission.decided", application).get()
    assert (decided.actor, decided.before) == (course_admin, {"status": "submitted"})
    assert decided.after["status"] == AdmissionApplication.Status.ADMITTED
    assert decided.after["register_before"] > "2026-12-01"


def test_a_late_registration_is_done_by_the_staff_member(client, course_admin, participant):
    edition = EditionFactory(start=timezone.localdate() + timedelta(days=1))
    client.force_login(course_admin)
    client.post(reverse("admin:registrations_registration_late"),
                {"user": participant.pk, "edition": edition.pk})
    invoice = participant.invoices.get()
    assert entries("invoice.issued", invoice).get().actor == course_admin


def test_an_edition_cancelled_and_a_change_answered(participant, course_admin,
                                                    django_capture_on_commit_callbacks):
    edition = EditionFactory(start=timezone.localdate() + timedelta(days=60))
    registration, _invoice = register(participant, edition)
    notify_change(edition_id=edition.pk, staff_user=course_admin, description_nl="Ander lokaal",
                  description_en="Other room")
    notice = edition.change_notices.get()
    answer_change(user=participant, registration_id=registration.pk, notice_id=notice.pk,
                  cancel=False)
    answered = entries("change_notice.answered").get()
    assert (answered.actor, answered.after["answer"]) == (participant, "accepted")
    with django_capture_on_commit_callbacks(execute=True):  # the bulk job, a Celery task
        cancel_edition(edition_id=edition.pk, staff_user=course_admin)
    cancelled = entries("edition.cancelled", edition).get()
    assert (cancelled.actor, cancelled.before, cancelled.after) == (
        course_admin, {"status": "open"}, {"status": "cancelled"})
    state = entries("registration.cancelled", registration).get()
    assert (state.actor, state.after["reason"]) == (course_admin, "organizer_cancelled")


def test_a_staff_lifted_unpaid_flag(participant, finance_user):
    from billing.dunning_flags import lift_flag

    invoice = invoice_for(OrganizerFactory(), user=participant)
    registration = invoice.lines.get().registration
    flag = UnpaidFlag.objects.create(registration=registration, invoice=invoice,
                                     raised_on=timezone.localdate())
    lift_flag(flag_id=flag.pk, staff_user=finance_user, reason="agreed plan")
    entry = entries("unpaid_flag.lifted", flag).get()
    assert (entry.actor, entry.before, entry.after["reason"]) == (
        finance_user, {"lifted": False}, "agreed plan")


def test_a_refund_recorded_by_hand_in_the_admin(client, finance_user):
    invoice = invoice_for(OrganizerFactory())
    note = credit(invoice, "100.00", finance_user)
    client.force_login(finance_user)
    response = client.post(reverse("admin:billing_refund_add"), {
        "credit_note": note.pk, "amount": "30.00", "beneficiary_name": "An Peeters",
        "iban": "BE71 0961 2345 6769", "bic": "GKCCBEBB"})
    assert response.status_code == 302
    refund = Refund.objects.get()
    entry = entries("refund.created", refund).get()
    assert (entry.actor, entry.before) == (finance_user, None)
    assert entry.after == {"amount": "30.00", "credit_note": note.pk, "status": "pending",
                           "iban_known": True}
    assert "BE71" not in str(entry.after) and "Peeters" not in str(entry.after)
    client.post(reverse("admin:billing_refund_change", args=[refund.pk]), {
        "credit_note": note.pk, "amount": "35.00", "beneficiary_name": "An Peeters",
        "iban": "BE71096123456769", "bic": "GKCCBEBB"})
    changed = entries("refund.changed", refund).get()
    assert (changed.before, changed.after["amount"]) == (
        {"amount": "30.00", "iban_known": True}, "35.00")


def test_a_waiting_list_status_changed_in_the_admin(client, superuser, participant):
    edition = EditionFactory(seats=1)
    register(UserFactory(), edition)
    entry = join_waiting_list(user=participant, edition_id=edition.pk)
    client.force_login(superuser)
    response = client.post(reverse("admin:registrations_waitinglistentry_change",
                                   args=[entry.pk]), {"status": "withdrawn"})
    assert response.status_code == 302
    changed = entries("waiting_list.changed", entry).get()
    assert (changed.actor, changed.before, changed.after) == (
        superuser, {"status": "waiting"}, {"status": "withdrawn"})
