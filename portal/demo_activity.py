"""What the demo's participants have already done, so that every role sees a working portal:
registrations with their invoices, one paid, one overdue and reminded (the finance dashboard,
the participant's dashboard, the unpaid flag, the outbox).

Written once, through the same services a browser uses (cart, checkout, payment, the daily
late-payment job): a later `load_demo` leaves them alone (invoices are never changed), so it
stays idempotent. `portal.demo.load_demo` calls it last.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from billing.latepayment import run_late_payment_job
from billing.payments import record_payment
from courses.models import Edition
from portal.models import User
from registrations.models import Cart, Registration
from registrations.policies import registration_deadline
from registrations.services.cart import add_to_cart
from registrations.services.checkout import BillingDetails, checkout

BRUSSELS = ZoneInfo("Europe/Brussels")
DUTCH, ENGLISH = "an@demo.lifelong.test", "ben@demo.lifelong.test"
OVERDUE_DAYS = 45  # issued 45 days ago: with the 30-day term, 15 days overdue


def load_demo_activity(today: date) -> None:
    people = {person.email: person for person in User.objects.filter(email__in=[DUTCH, ENGLISH])}
    if len(people) < 2 or Registration.objects.filter(user__in=people.values()).exists():
        return
    long_ago = today - timedelta(days=OVERDUE_DAYS)
    editions = _open_editions(today)
    if len(editions) < 3:
        return
    # An: one registration 45 days ago, unpaid (reminded below), and one today.
    _buy(people[DUTCH], editions[0], long_ago)
    _buy(people[DUTCH], editions[1], today)
    # Ben: one registration a week ago, paid by bank transfer three days later.
    paid = _buy(people[ENGLISH], editions[2], today - timedelta(days=7))
    invoice = paid.invoices.get()
    record_payment(invoice=invoice, amount=invoice.total, paid_on=today - timedelta(days=4),
                   method="bank_transfer", reference=invoice.structured_communication,
                   payer_name=people[ENGLISH].get_full_name())
    run_late_payment_job(today)  # An's first invoice: the reminder and the unpaid flag


def _open_editions(today: date) -> list[Edition]:
    """Paying editions without admission open for registration today (and so 45 days ago:
    registration has no opening day), the soonest start first."""
    candidates = (
        Edition.objects.filter(status=Edition.Status.OPEN, admission_required=False)
        .select_related("course")
        .order_by("start", "code")
    )
    return [
        edition for edition in candidates
        if edition.fee > 0
        and registration_deadline(edition.start, edition.registration_closes_days_before) >= today
    ][:3]


def _buy(person: User, edition: Edition, day: date):
    now = datetime.combine(day, time(11, 0), BRUSSELS)
    add_to_cart(user=person, edition_id=edition.pk, now=now)
    token = Cart.objects.filter(user=person).values_list("checkout_token", flat=True).get()
    return checkout(user=person, token=token, billing=BillingDetails(), now=now)
