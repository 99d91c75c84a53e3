"""Cancellations through their services on PostgreSQL, with real invoices, payments and credit
notes (rules.md §4-5): given / when / then."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from billing.models import CreditNote, Refund
from billing.payments import balance_of, record_payment
from courses.models import Edition
from registrations.models import (
    CancellationRequest,
    Cart,
    ChangeResponse,
    Registration,
    WaitingListEntry,
)
from registrations.services.cancellation import (
    CancellationError,
    confirm_cancellation,
    preview,
    record_cancellation_request,
    request_cancellation,
)
from registrations.services.cart import add_to_cart
from registrations.services.checkout import BillingDetails, checkout
from registrations.services.edition_changes import (
    answer_change,
    cancel_edition,
    notify_change,
    run_job,
)
from registrations.services.waiting_list import join_waiting_list
from tests.factories import (
    BRUSSELS,
    AcademicYearFactory,
    CancellationTierFactory,
    CourseFactory,
    CourseUnitFactory,
    EditionFactory,
    SessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
D = Decimal


def register(user, edition, *, on=None, billing=None):
    now = on and datetime.combine(on, datetime.min.time(), BRUSSELS).replace(hour=12)
    add_to_cart(user=user, edition_id=edition.pk, now=now)
    record = checkout(user=user, token=Cart.objects.get(user=user).checkout_token,
                      billing=billing or BillingDetails(), now=now)
    return record.registrations.get(), record.invoices.get()


def pay(invoice, amount):
    record_payment(invoice=invoice, amount=D(amount), paid_on=timezone.localdate(),
                   method="bank_transfer")


def cancel(registration, staff, on, **decision):
    request = record_cancellation_request(staff_user=staff, registration_id=registration.pk,
                                          received_on=on, today=on)
    return confirm_cancellation(request_id=request.pk, staff_user=staff, **decision)


# --- Policy B (seed 2 art. 5.2): fee 2,400.00, start 2027-02-01 --------------------------------


@pytest.fixture
def policy_b():
    return EditionFactory(start=date(2027, 2, 1), end=date(2027, 6, 1),
                          fee_amount=D("2400.00"),
                          cancellation_policy=Edition.Policy.DAYS_BEFORE_START)


def test_policy_b_early_cancellation_after_full_payment(participant, course_admin, policy_b):
    registration, invoice = register(participant, policy_b, on=date(2026, 12, 1))
    pay(invoice, "2400.00")
    decided = cancel(registration, course_admin, date(2027, 1, 25))
    assert (decided.kept, decided.credited, decided.refunded) == (
        D("240.00"), D("2160.00"), D("2160.00"))
    assert decided.credit_note.total == D("2160.00")
    refund = Refund.objects.get()
    assert (refund.amount, refund.status) == (D("2160.00"), "pending")
    assert balance_of(invoice).balance == D("0.00")
    registration.refresh_from_db()
    assert registration.status == "cancelled"
    policy_b.refresh_from_db()
    assert policy_b.seats_taken == 0


def test_policy_b_late_cancellation_keeps_everything(participant, course_admin, policy_b):
    registration, invoice = register(participant, policy_b, on=date(2026, 12, 1))
    decided = cancel(registration, course_admin, date(2027, 1, 26))
    assert (decided.kept, decided.credited, decided.refunded) == (D("2400.00"), 0, 0)
    assert not CreditNote.objects.exists()
    # Owed but unpaid stays on the invoice.
    assert balance_of(invoice).balance == D("2400.00")


def test_policy_b_force_majeure_pro_rata_with_partial_payment(participant, course_admin,
                                                              policy_b):
    for week in range(10):
        SessionFactory(edition=policy_b, starts_at=datetime(2027, 2, 1, 9, tzinfo=BRUSSELS)
                       + timedelta(weeks=week))
    registration, invoice = register(participant, policy_b, on=date(2026, 12, 1))
    pay(invoice, "1500.00")
    # Four sessions held before 2027-03-01.
    decided = cancel(registration, course_admin, date(2027, 3, 1), force_majeure=True)
    assert decided.inputs["sessions_held"] == 4
    assert (decided.kept, decided.credited) == (D("1104.00"), D("1296.00"))
    # Paid 1,500.00, owes 1,104.00: 396.00 back.
    assert Refund.objects.get().amount == D("396.00")
    assert decided.force_majeure


def test_force_majeure_is_refused_outside_policy_b(participant, course_admin):
    edition = EditionFactory(cancellation_policy=Edition.Policy.TIERED)
    registration, _ = register(participant, edition)
    request = record_cancellation_request(staff_user=course_admin,
                                          registration_id=registration.pk,
                                          received_on=timezone.localdate())
    with pytest.raises(CancellationError):
        confirm_cancellation(request_id=request.pk, staff_user=course_admin, force_majeure=True)
    assert Registration.objects.get().status == "confirmed"


# --- Policy A (seed 1): programme 250 + 45 per credit ----------------------------------------


@pytest.fixture
def policy_a():
    year = AcademicYearFactory(code="2026-2027", start=date(2026, 9, 21))
    course = CourseFactory(kind="postgraduate", total_credits=D("20"))
    CourseUnitFactory(course=course, credits=D("6"), semester="first")
    CourseUnitFactory(course=course, credits=D("4"), semester="year")
    CourseUnitFactory(course=course, credits=D("10"), semester="second")
    return EditionFactory(course=course, academic_year=year, start=date(2026, 9, 28),
                          end=date(2027, 6, 30), cancellation_policy="A", fee_kind="per_credit",
                          programme_amount=D("250.00"), credit_amount=D("45.00"), seats=30)


@pytest.mark.parametrize(
    ("cancelled", "kept"),
    [
        (date(2026, 9, 20), "0.00"),        # before the academic year: full refund
        (date(2026, 11, 30), "250.00"),     # until 30 November: the programme amount
        (date(2026, 12, 1), "700.00"),      # then + first-semester and year-long credits
        (date(2027, 3, 14), "700.00"),
        (date(2027, 3, 15), "1150.00"),     # from 15 March: nothing back
    ],
)
def test_policy_a_periods(participant, course_admin, policy_a, cancelled, kept):
    registration, invoice = register(participant, policy_a, on=date(2026, 9, 1))
    assert registration.fee == D("1150.00")
    pay(invoice, "1150.00")
    decided = cancel(registration, course_admin, cancelled)
    assert decided.kept == D(kept)
    assert decided.refunded == D("1150.00") - D(kept)


@pytest.mark.parametrize(("cancelled", "kept"), [(date(2026, 12, 1), "700.00"),
                                               (date(2027, 3, 15), "1150.00")])
def test_policy_a_from_15_march_keeps_the_fee_when_units_miss_credits(participant, course_admin,
                                                                      cancelled, kept):
    """Seed 1: "From 15 March: you cannot get a refund". The fee is snapshotted from the
    course's 20 credits; when its units carry only 10 of them (the second semester not entered
    yet), 450.00 was refunded from 15 March. Credits without a unit count as second-semester."""
    year = AcademicYearFactory(code="2026-2027", start=date(2026, 9, 21))
    course = CourseFactory(kind="postgraduate", total_credits=D("20"))
    CourseUnitFactory(course=course, credits=D("6"), semester="first")
    CourseUnitFactory(course=course, credits=D("4"), semester="year")
    edition = EditionFactory(course=course, academic_year=year, start=date(2026, 9, 28),
                             end=date(2027, 6, 30), cancellation_policy="A",
                             fee_kind="per_credit", programme_amount=D("250.00"),
                             credit_amount=D("45.00"))
    registration, invoice = register(participant, edition, on=date(2026, 9, 1))
    assert registration.fee == D("1150.00")
    pay(invoice, "1150.00")
    decided = cancel(registration, course_admin, cancelled)
    assert (decided.kept, decided.refunded) == (D(kept), D("1150.00") - D(kept))


def test_policy_a_within_14_days_of_registration_is_free(participant, course_admin, policy_a):
    registration, _ = register(participant, policy_a, on=date(2026, 9, 1))
    # A late registration accepted by staff on 10 January.
    Registration.objects.filter(pk=registration.pk).update(registered_on=date(2027, 1, 10))
    registration.refresh_from_db()
    assert cancel(registration, course_admin, date(2027, 1, 24)).kept == D("0.00")


def test_policy_a_waiver_needs_a_reason_and_is_recorded(participant, course_admin, policy_a):
    registration, _ = register(participant, policy_a, on=date(2026, 9, 1))
    request = record_cancellation_request(staff_user=course_admin,
                                          registration_id=registration.pk,
                                          received_on=date(2026, 11, 2), today=date(2026, 11, 2))
    with pytest.raises(CancellationError):
        confirm_cancellation(request_id=request.pk, staff_user=course_admin,
                             waive_programme_amount=True, waiver_reason="  ")
    decided = confirm_cancellation(request_id=request.pk, staff_user=course_admin,
                                   waive_programme_amount=True,
                                   waiver_reason="Programme manager agreed")
    assert decided.kept == D("0.00") and decided.waiver_reason == "Programme manager agreed"
    with pytest.raises(IntegrityError), transaction.atomic():
        CancellationRequest.objects.filter(pk=decided.pk).update(waiver_reason="")


# --- Policy C and D ---------------------------------------------------------------------------


def test_policy_c_tiers_and_the_preview_equals_the_outcome(participant, course_admin):
    start = timezone.localdate() + timedelta(days=10)
    edition = EditionFactory(start=start, fee_amount=D("300.00"), cancellation_policy="C")
    CancellationTierFactory(edition=edition, days=14, percent_kept=D("0"))
    CancellationTierFactory(edition=edition, days=7, percent_kept=D("50"))
    registration, invoice = register(participant, edition)
    pay(invoice, "300.00")
    shown = preview(registration)
    request = request_cancellation(user=participant, registration_id=registration.pk)
    assert request.status == "pending"
    decided = confirm_cancellation(request_id=request.pk, staff_user=course_admin)
    assert (decided.kept, decided.refunded) == (shown.kept, shown.credited_total)
    assert decided.kept == D("150.00")


def test_policy_d_free_training_is_confirmed_at_once(participant):
    edition = EditionFactory(fee_amount=D("0.00"), cancellation_policy="D")
    registration, _ = register(participant, edition)
    request = request_cancellation(user=participant, registration_id=registration.pk)
    assert request.status == "confirmed" and request.credit_note is None


def test_taxed_edition_credits_vat_too(participant, course_admin):
    edition = EditionFactory(fee_amount=D("200.00"), vat_treatment="taxed",
                             cancellation_policy="C",
                             start=timezone.localdate() + timedelta(days=30))
    CancellationTierFactory(edition=edition, days=14, percent_kept=D("0"))
    registration, invoice = register(participant, edition)
    decided = cancel(registration, course_admin, timezone.localdate())
    assert (decided.credit_note.net_total, decided.credit_note.vat_total) == (
        D("200.00"), D("42.00"))
    assert balance_of(invoice).balance == D("0.00")
    assert not Refund.objects.exists()  # nothing was paid: nothing to refund


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_credit_notes_reason_is_in_the_invoices_language(participant, course_admin,
                                                              policy_b, language):
    """The credit note PDF is rendered in its invoice's language; its reason is written in that
    language too, whatever the language of the staff member who confirms or the person's later
    preference."""
    import subprocess

    from django.utils import translation
    from django.utils.translation import gettext

    from billing.pdf import render_credit_note_pdf

    participant.preferred_language = language
    participant.save(update_fields=["preferred_language"])
    registration, invoice = register(participant, policy_b, on=date(2026, 12, 1))
    participant.preferred_language = "en" if language == "nl" else "nl"
    participant.save(update_fields=["preferred_language"])
    with translation.override("en" if language == "nl" else "nl"):
        decided = cancel(registration, course_admin, date(2027, 1, 25))

    with translation.override(language):
        expected = gettext("Cancellation of the registration for %(code)s") % {
            "code": policy_b.code}
    assert policy_b.code in expected
    assert decided.credit_note.reason == expected
    text = subprocess.run(  # reading order, not layout: the reason wraps in its column
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=render_credit_note_pdf(
            decided.credit_note), capture_output=True, check=True, timeout=60,
    ).stdout.decode("utf-8")
    assert expected in " ".join(text.split())


def test_instalments_partly_paid(participant, course_admin, policy_b):
    Edition.objects.filter(pk=policy_b.pk).update(instalments_allowed=True, max_instalments=3)
    policy_b.refresh_from_db()
    registration, invoice = register(participant, policy_b, on=date(2026, 12, 1),
                                     billing=BillingDetails(instalments=3))
    first = invoice.instalments.get(number=1)
    record_payment(invoice=invoice, instalment=first, amount=first.amount,
                   paid_on=date(2026, 12, 20), method="bank_transfer")
    decided = cancel(registration, course_admin, date(2027, 1, 20))
    # Keeps 240.00; paid 800.00: 560.00 back, the other instalments credited.
    assert decided.kept == D("240.00")
    assert Refund.objects.get().amount == D("560.00")


# --- Bad input --------------------------------------------------------------------------------


def test_cancelling_twice_is_refused(participant, course_admin, policy_b):
    registration, _ = register(participant, policy_b, on=date(2026, 12, 1))
    request_cancellation(user=participant, registration_id=registration.pk,
                         today=date(2026, 12, 2))
    with pytest.raises(CancellationError):
        request_cancellation(user=participant, registration_id=registration.pk,
                             today=date(2026, 12, 3))
    request = CancellationRequest.objects.get()
    confirm_cancellation(request_id=request.pk, staff_user=course_admin)
    with pytest.raises(CancellationError):
        confirm_cancellation(request_id=request.pk, staff_user=course_admin)
    assert CreditNote.objects.count() == 1


def test_someone_elses_registration_cannot_be_cancelled(participant, other_participant,
                                                        policy_b):
    registration, _ = register(participant, policy_b, on=date(2026, 12, 1))
    with pytest.raises(CancellationError):
        request_cancellation(user=other_participant, registration_id=registration.pk)
    assert not CancellationRequest.objects.exists()


def test_cancelling_after_the_edition_ended_is_refused(participant, policy_b):
    registration, _ = register(participant, policy_b, on=date(2026, 12, 1))
    with pytest.raises(CancellationError):
        request_cancellation(user=participant, registration_id=registration.pk,
                             today=date(2027, 6, 2))


def test_waiting_list_gets_an_offer_after_a_confirmed_cancellation(
        participant, course_admin, django_capture_on_commit_callbacks):
    edition = EditionFactory(seats=1, fee_amount=D("100.00"), cancellation_policy="C")
    registration, _ = register(participant, edition)
    waiting = UserFactory()
    join_waiting_list(user=waiting, edition_id=edition.pk)
    with django_capture_on_commit_callbacks(execute=True):
        cancel(registration, course_admin, timezone.localdate())
    assert WaitingListEntry.objects.get(user=waiting).status == "offered"


# --- The organizer cancels or changes (seed 2 art. 6) -----------------------------------------


def test_organizer_cancels_an_edition_refunding_everyone_once(course_admin):
    edition = EditionFactory(seats=200, fee_amount=D("100.00"))
    people = [UserFactory() for _ in range(200)]
    for index, person in enumerate(people):
        _, invoice = register(person, edition)
        if index % 2 == 0:
            pay(invoice, "100.00")
    job = cancel_edition(edition_id=edition.pk, staff_user=course_admin)
    assert run_job(job.pk, batch_size=50) == 200
    assert run_job(job.pk, batch_size=50) == 0  # the task run twice: nobody twice
    assert CreditNote.objects.count() == 200
    assert Refund.objects.count() == 100
    assert sum(r.amount for r in Refund.objects.all()) == D("10000.00")
    assert not Registration.objects.filter(status="confirmed").exists()
    job.refresh_from_db()
    assert (job.done, job.total) == (200, 200) and job.finished_at


def test_change_notice_window_of_14_days(participant, other_participant, course_admin):
    start = date(2027, 5, 1)
    edition = EditionFactory(start=start, end=start + timedelta(days=30),
                             fee_amount=D("300.00"))
    mine, invoice = register(participant, edition, on=date(2027, 3, 1))
    theirs, _ = register(other_participant, edition, on=date(2027, 3, 1))
    pay(invoice, "300.00")
    job = notify_change(edition_id=edition.pk, staff_user=course_admin,
                        description_nl="Nieuwe locatie", description_en="New location",
                        today=date(2027, 3, 1))
    assert run_job(job.pk) == 2
    assert run_job(job.pk) == 0  # nobody is told twice
    # Day 14 after the notice is the last free day; day 15 is too late.
    with pytest.raises(CancellationError):
        answer_change(user=other_participant, registration_id=theirs.pk, notice_id=job.notice_id,
                      cancel=True, today=date(2027, 3, 16))
    answer_change(user=participant, registration_id=mine.pk, notice_id=job.notice_id,
                  cancel=True, today=date(2027, 3, 15))
    assert Refund.objects.get().amount == D("300.00")
    assert ChangeResponse.objects.get().answer == "cancelled"


def test_no_change_notice_once_the_edition_started(course_admin):
    edition = EditionFactory(start=date(2027, 5, 1), end=date(2027, 6, 1))
    with pytest.raises(CancellationError):
        notify_change(edition_id=edition.pk, staff_user=course_admin, description_nl="x",
                      description_en="x", today=date(2027, 5, 1))


def test_a_request_cannot_be_recorded_as_received_in_the_future(participant, course_admin,
                                                                policy_b):
    registration, _ = register(participant, policy_b, on=date(2026, 12, 1))
    with pytest.raises(CancellationError):
        record_cancellation_request(staff_user=course_admin, registration_id=registration.pk,
                                    received_on=date(2026, 12, 3), today=date(2026, 12, 2))


def test_a_confirmed_cancellation_revokes_the_registration_certificate_at_once(
        participant, other_participant, course_admin, policy_b):
    from certificates.services import issue_registration_certificate

    registration, _ = register(participant, policy_b, on=date(2026, 12, 1))
    others, _ = register(other_participant, policy_b, on=date(2026, 12, 1))
    certificate = issue_registration_certificate(registration)
    kept = issue_registration_certificate(others)

    cancel(registration, course_admin, date(2027, 1, 25))

    certificate.refresh_from_db()
    kept.refresh_from_db()
    assert certificate.is_revoked and certificate.revoked_by == course_admin
    assert not kept.is_revoked


def test_a_registration_after_the_change_notice_cannot_cancel_free(participant,
                                                                   other_participant,
                                                                   course_admin):
    """Seed 2 art. 6.2: the free cancellation answers a change to an existing registration;
    whoever registers after the notice registered for the changed edition (its own policy
    applies)."""
    start = date(2027, 5, 1)
    edition = EditionFactory(start=start, end=start + timedelta(days=30),
                             fee_amount=D("300.00"), cancellation_policy="B")
    before, _ = register(other_participant, edition, on=date(2027, 3, 1))
    job = notify_change(edition_id=edition.pk, staff_user=course_admin,
                        description_nl="Nieuwe locatie", description_en="New location",
                        today=date(2027, 3, 1))
    after, invoice = register(participant, edition, on=date(2027, 3, 5))
    pay(invoice, "300.00")
    with pytest.raises(CancellationError) as refused:
        answer_change(user=participant, registration_id=after.pk, notice_id=job.notice_id,
                      cancel=True, today=date(2027, 3, 10))
    with translation.override("en"):
        assert "registered after this change" in str(refused.value.message)
    assert Registration.objects.get(pk=after.pk).status == "confirmed"
    assert not CreditNote.objects.exists() and not ChangeResponse.objects.exists()
    # Registered on the day of the notice (or before): the answer is theirs to give.
    answer_change(user=other_participant, registration_id=before.pk, notice_id=job.notice_id,
                  cancel=True, today=date(2027, 3, 10))
    assert Registration.objects.get(pk=before.pk).status == "cancelled"


def test_a_request_received_before_the_registration_is_refused(participant, course_admin,
                                                               policy_a):
    """Seed 2 art. 5.1: the date of cancellation is the date the request was received; a date
    before the registration is refused when it is recorded (policy A raised a ValueError, a
    500 in the admin, when it was confirmed)."""
    registration, _ = register(participant, policy_a, on=date(2026, 9, 1))
    with translation.override("en"), pytest.raises(CancellationError) as refused:
        record_cancellation_request(staff_user=course_admin, registration_id=registration.pk,
                                    received_on=date(2026, 8, 31), today=date(2026, 9, 2))
    assert "before the registration (registered on 01/09/2026)" in str(refused.value.message)
    assert not CancellationRequest.objects.exists()
    # The day of the registration itself is fine.
    request = record_cancellation_request(staff_user=course_admin,
                                          registration_id=registration.pk,
                                          received_on=date(2026, 9, 1), today=date(2026, 9, 2))
    assert confirm_cancellation(request_id=request.pk, staff_user=course_admin).kept == D("0.00")
