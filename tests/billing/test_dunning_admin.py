"""Late payment in the admin (billing/admin_dunning.py): finance edits the half-year rates and
lifts unpaid flags with a reason; other roles only look."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from billing.dunning_flags import registration_is_blocked
from billing.latepayment import run_late_payment_job
from billing.models import InterestRate, LatePaymentStep, UnpaidFlag
from tests.billing.test_dunning import REMINDED, overdue

pytestmark = pytest.mark.django_db


@pytest.fixture
def flag():
    overdue()
    run_late_payment_job(REMINDED)
    return UnpaidFlag.objects.get()


def change_url(flag):
    return reverse("admin:billing_unpaidflag_change", args=[flag.pk])


def test_finance_lifts_a_flag_with_a_reason(client, finance_user, flag):
    client.force_login(finance_user)
    assert client.get(change_url(flag)).status_code == 200

    refused = client.post(change_url(flag), {"lift_reason": "   "})
    assert refused.status_code == 200 and refused.context["adminform"].form.errors
    flag.refresh_from_db()
    assert flag.lifted_at is None and registration_is_blocked(flag.registration)

    response = client.post(change_url(flag), {"lift_reason": "payment plan agreed"})
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.lifted_at is not None
    assert (flag.lifted_by, flag.lift_reason) == (finance_user, "payment plan agreed")
    assert not registration_is_blocked(flag.registration)
    # Lifted for good: the page is read only now.
    again = client.post(change_url(flag), {"lift_reason": "other"})
    assert again.status_code == 403
    flag.refresh_from_db()
    assert flag.lift_reason == "payment plan agreed"


def test_finance_lifts_flags_with_the_action_and_a_reason(client, finance_user, flag):
    client.force_login(finance_user)
    changelist = reverse("admin:billing_unpaidflag_changelist")
    client.post(changelist, {"action": "lift", "_selected_action": [flag.pk], "reason": ""})
    flag.refresh_from_db()
    assert flag.lifted_at is None
    client.post(changelist, {"action": "lift", "_selected_action": [flag.pk],
                             "reason": "exam allowed by the dean"})
    flag.refresh_from_db()
    assert (flag.lifted_by, flag.lift_reason) == (finance_user, "exam allowed by the dean")


def test_the_flag_list_filters_open_and_lifted(client, finance_user, flag):
    client.force_login(finance_user)
    changelist = reverse("admin:billing_unpaidflag_changelist")
    assert client.get(changelist, {"status": "open"}).context["cl"].result_count == 1
    assert client.get(changelist, {"status": "lifted"}).context["cl"].result_count == 0


@pytest.mark.parametrize("role", ["course_admin", "exam_committee_member"])
def test_other_staff_see_flags_but_cannot_lift_them(client, role, request, flag):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("admin:billing_unpaidflag_changelist")).status_code == 200
    response = client.post(change_url(flag), {"lift_reason": "I say so"})
    assert response.status_code in (200, 403)
    client.post(reverse("admin:billing_unpaidflag_changelist"),
                {"action": "lift", "_selected_action": [flag.pk], "reason": "I say so"})
    flag.refresh_from_db()
    assert flag.lifted_at is None


def test_finance_edits_the_rates_and_overlaps_are_refused(client, finance_user):
    client.force_login(finance_user)
    add = reverse("admin:billing_interestrate_add")
    response = client.post(add, {"valid_from": "2026-07-01", "valid_until": "2026-12-31",
                                 "annual_rate_percent": "10.15"})
    assert response.status_code == 302
    assert InterestRate.objects.get(valid_from=date(2026, 7, 1)).annual_rate_percent == Decimal(
        "10.15")
    overlap = client.post(add, {"valid_from": "2026-12-01", "valid_until": "2027-06-30",
                                "annual_rate_percent": "9.00"})
    assert overlap.status_code == 200
    assert not InterestRate.objects.filter(valid_from=date(2026, 12, 1)).exists()
    rate = InterestRate.objects.get(valid_from=date(2026, 1, 1))
    edit = client.post(reverse("admin:billing_interestrate_change", args=[rate.pk]),
                       {"valid_from": "2026-01-01", "valid_until": "2026-06-30",
                        "annual_rate_percent": "10.40"})
    assert edit.status_code == 302
    rate.refresh_from_db()
    assert rate.annual_rate_percent == Decimal("10.40")


def test_a_course_administrator_cannot_edit_rates(client, course_admin):
    client.force_login(course_admin)
    rate = InterestRate.objects.get(valid_from=date(2026, 1, 1))
    url = reverse("admin:billing_interestrate_change", args=[rate.pk])
    assert client.get(url).status_code == 403
    response = client.post(url, {"valid_from": "2026-01-01", "valid_until": "2026-06-30",
                                 "annual_rate_percent": "1.00"})
    assert response.status_code == 403
    rate.refresh_from_db()
    assert rate.annual_rate_percent == Decimal("10.50")
    assert client.get(reverse("admin:billing_interestrate_add")).status_code == 403


def test_finance_reads_the_steps_but_nobody_edits_them(client, finance_user, superuser, flag):
    step = LatePaymentStep.objects.get()
    client.force_login(finance_user)
    assert client.get(reverse("admin:billing_latepaymentstep_changelist")).status_code == 200
    client.force_login(superuser)
    url = reverse("admin:billing_latepaymentstep_change", args=[step.pk])
    client.post(url, {"kind": "charge", "taken_on": "2025-10-02"})
    step.refresh_from_db()
    assert step.kind == "reminder"
    assert client.get(reverse("admin:billing_latepaymentstep_add")).status_code == 403


@pytest.mark.parametrize(
    ("valid_from", "valid_until", "rate", "field", "message"),
    [
        ("2030-07-01", "2030-01-01", "10.5", "valid_until", "The period ends before it starts."),
        ("2030-01-01", "2030-06-30", "180", "annual_rate_percent",
         "The rate is a yearly percentage from 0 to 100."),
    ],
)
def test_a_wrong_rate_is_refused_with_words_not_a_constraint_name(
    client, finance_user, valid_from, valid_until, rate, field, message
):
    """The database constraints refused these with "Constraint “rate_period_in_order” is
    violated.", which tells finance nothing."""
    client.force_login(finance_user)
    response = client.post(
        reverse("admin:billing_interestrate_add"),
        {"valid_from": valid_from, "valid_until": valid_until, "annual_rate_percent": rate},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors == {field: [message]}
    assert "Constraint" not in response.content.decode()
    assert not InterestRate.objects.filter(valid_from__year=2030).exists()
