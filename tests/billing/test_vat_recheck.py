"""The background re-check of a VAT number VIES could not confirm at checkout."""

import pytest
from celery.exceptions import Retry

from billing.models import Invoice, VatNumberCheck
from billing.tasks import recheck_vat_number
from registrations.models import Cart
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
