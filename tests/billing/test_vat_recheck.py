"""The background re-check of a VAT number VIES could not confirm at checkout: the task queued
at checkout, then the hourly sweep for what is still unanswered, and what finance sees."""

from datetime import timedelta

import pytest
from celery.exceptions import Retry
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from billing.models import Invoice, VatNumberCheck
from billing.tasks import recheck_unverified_vat_numbers, recheck_vat_number
from billing.vat_rechecks import recheck_unverified
from registrations.models import Cart, Checkout
from registrations.services.cart import add_to_cart
from registrations.services.checkout import BillingDetails, checkout

pytestmark = pytest.mark.django_db

UNVERIFIED = BillingDetails(invoice_to="company", vat_number="BE0403170701",
                            vat_status="unverified", company_name="KU Leuven",
                            company_address="Oude Markt 13\n3000 Leuven")


@pytest.fixture
def unverified_checkout(participant, edition):
    add_to_cart(user=participant, edition_id=edition.pk)
    return checkout(user=participant, token=Cart.objects.get(user=participant).checkout_token,
                    billing=UNVERIFIED)


def test_recheck_records_the_answer_and_leaves_the_invoice_alone(unverified_checkout,
                                                                 fake_vies):
    assert recheck_vat_number.apply(kwargs={"checkout_id": unverified_checkout.pk}).get() \
        == "verified"
    answers = list(unverified_checkout.vat_checks.values_list("status", "name"))
    assert sorted(answers) == [("unverified", "KU Leuven"), ("verified", "KU LEUVEN")]
    assert Invoice.objects.get(checkout=unverified_checkout).vat_check == "unverified"
    # Run again: already answered, VIES is not asked twice.
    recheck_vat_number.apply(kwargs={"checkout_id": unverified_checkout.pk})
    assert len(fake_vies.requests) == 1


def test_recheck_asks_again_later_while_vies_is_down(unverified_checkout, down_vies, settings):
    settings.CELERY_TASK_EAGER_PROPAGATES = True
    with pytest.raises(Retry):
        recheck_vat_number.apply(kwargs={"checkout_id": unverified_checkout.pk}, throw=True).get()
    assert VatNumberCheck.objects.filter(checkout=unverified_checkout,
                                         status="unverified").count() == 2


NOTHING = {"verified": 0, "invalid": 0, "unverified": 0, "failed": 0}


def an_hour_ago(checkout):
    """The checkout and its answers so far an hour older: past the sweep's half-hour pause."""
    hour = timedelta(hours=1)
    Checkout.objects.filter(pk=checkout.pk).update(created_at=timezone.now() - hour)
    for check in VatNumberCheck.objects.filter(checkout=checkout):
        VatNumberCheck.objects.filter(pk=check.pk).update(checked_at=check.checked_at - hour)


def test_the_hourly_sweep_answers_what_the_task_never_did(unverified_checkout, fake_vies):
    # The task was never queued (broker down, embedded mode) or used up its retries.
    assert recheck_unverified() == NOTHING  # just checked out: the task asks first
    an_hour_ago(unverified_checkout)
    assert recheck_unverified() == {**NOTHING, "verified": 1}
    assert unverified_checkout.vat_checks.filter(status="verified").exists()
    # Idempotent: an answered number is not asked again, by the sweep or the task.
    an_hour_ago(unverified_checkout)
    assert recheck_unverified() == NOTHING
    recheck_vat_number.apply(kwargs={"checkout_id": unverified_checkout.pk})
    assert fake_vies.requests == [("BE", "0403170701")]


def test_the_sweep_asks_again_each_hour_while_vies_has_no_answer(unverified_checkout,
                                                                  fake_vies):
    fake_vies.mode = "busy"
    an_hour_ago(unverified_checkout)
    assert recheck_unverified() == {**NOTHING, "unverified": 1}
    assert recheck_unverified() == NOTHING  # just tried
    fake_vies.mode = "answering"
    fake_vies.registry.pop("BE0403170701")  # VIES: not an active VAT number
    an_hour_ago(unverified_checkout)
    assert recheck_unverified() == {**NOTHING, "invalid": 1}
    assert list(unverified_checkout.vat_checks.values_list("status", flat=True)) == [
        "invalid", "unverified", "unverified"]


def test_the_sweep_leaves_checkouts_older_than_a_month_alone(unverified_checkout, fake_vies):
    an_hour_ago(unverified_checkout)
    Checkout.objects.filter(pk=unverified_checkout.pk).update(
        created_at=timezone.now() - timedelta(days=31))
    assert recheck_unverified() == NOTHING
    assert fake_vies.requests == []


def test_the_sweep_is_scheduled_hourly(unverified_checkout, fake_vies):
    job = PeriodicTask.objects.get(task="billing.tasks.recheck_unverified_vat_numbers")
    assert (job.interval.every, job.interval.period, job.enabled) == (60, "minutes", True)
    an_hour_ago(unverified_checkout)
    assert recheck_unverified_vat_numbers.apply().get()["verified"] == 1


def test_finance_finds_the_invoices_vies_found_invalid_since(client, finance_user,
                                                             unverified_checkout, fake_vies):
    invoice = Invoice.objects.get(checkout=unverified_checkout)
    changelist = reverse("admin:billing_invoice_changelist")
    client.force_login(finance_user)

    def listed(answer):
        page = client.get(changelist, {"vies_recheck": answer}, HTTP_ACCEPT_LANGUAGE="en")
        assert page.status_code == 200
        return [row.number for row in page.context["cl"].result_list]

    assert (listed("none"), listed("invalid")) == ([invoice.number], [])
    fake_vies.registry.pop("BE0403170701")
    an_hour_ago(unverified_checkout)
    recheck_unverified()
    assert (listed("none"), listed("invalid"), listed("verified")) == ([], [invoice.number], [])
    page = client.get(changelist, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "VIES re-check" in page and "found invalid since" in page
    checks = client.get(reverse("admin:billing_vatnumbercheck_changelist"),
                        {"status": "invalid"}).content.decode()
    assert invoice.number in checks


def test_the_sweep_reaches_every_number_when_more_are_waiting_than_a_run_asks(
        participant, other_participant, edition, fake_vies):
    """More unanswered numbers than one run asks (VIES of a member state down for hours): each
    run takes the ones asked longest ago, so the oldest checkouts do not starve the others."""
    fake_vies.mode = "busy"
    checkouts = []
    for user in (participant, other_participant):
        add_to_cart(user=user, edition_id=edition.pk)
        checkouts.append(checkout(user=user, token=Cart.objects.get(user=user).checkout_token,
                                  billing=UNVERIFIED))
    asked = []
    for _run in range(2):
        for each in checkouts:
            an_hour_ago(each)
        before = {each.pk: each.vat_checks.count() for each in checkouts}
        assert recheck_unverified(batch=1) == {**NOTHING, "unverified": 1}
        asked += [each.pk for each in checkouts if each.vat_checks.count() > before[each.pk]]
    assert sorted(asked) == sorted(each.pk for each in checkouts)


def test_one_answer_that_cannot_be_stored_does_not_stop_the_sweep(
        participant, other_participant, edition, fake_vies, caplog):
    """The answer about one checkout cannot be written (a trigger refuses it here): it is
    logged and counted, kept as an unverified check with the error (so it rejoins the queue
    behind the others instead of heading it every hour), and the other checkouts are still
    answered; the next run, once the cause is gone, answers it."""
    from django.db import connection

    checkouts = []
    for user in (participant, other_participant):
        add_to_cart(user=user, edition_id=edition.pk)
        checkouts.append(checkout(user=user, token=Cart.objects.get(user=user).checkout_token,
                                  billing=UNVERIFIED))
    failing, other = sorted(checkouts, key=lambda c: c.pk)  # the sweep asks `failing` first
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION test_refuse_answer() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF NEW.checkout_id = {int(failing.pk)} AND NEW.status = 'verified' THEN "
            "RAISE EXCEPTION 'test fault: answer refused'; END IF; RETURN NEW; END $$")
        cursor.execute("CREATE TRIGGER test_refuse_answer BEFORE INSERT ON "
                       "billing_vatnumbercheck FOR EACH ROW EXECUTE FUNCTION "
                       "test_refuse_answer()")
    for each in checkouts:
        an_hour_ago(each)

    assert recheck_unverified() == {**NOTHING, "verified": 1, "failed": 1}
    assert other.vat_checks.filter(status="verified").exists()
    last = failing.vat_checks.order_by("-checked_at").first()
    assert last.status == "unverified" and "answer refused" in last.detail
    assert "answer refused" in caplog.text and str(failing.pk) in caplog.text

    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER test_refuse_answer ON billing_vatnumbercheck")
    an_hour_ago(failing)
    assert recheck_unverified() == {**NOTHING, "verified": 1}
    assert failing.vat_checks.filter(status="verified").exists()
