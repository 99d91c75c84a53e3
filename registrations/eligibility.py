"""May this person register for this edition today? Shared by the cart and the checkout."""

from django.db import connection
from django.utils import timezone

from courses.models import Edition
from registrations import errors
from registrations.models import AdmissionApplication, Registration
from registrations.policies import registration_deadline


def check_can_register(
    edition: Edition, user, *, today=None, late_by_staff=False, registered=None, admitted=None
) -> None:
    """Raise the matching RegistrationError, or return when registering is allowed.

    `registered` / `admitted`: the answers of `already_registered` / `admitted_now` when the
    caller read them with the edition (one query instead of two; see services/checkout.py)."""
    today = today or timezone.localdate()
    if edition.status != Edition.Status.OPEN and not (
        late_by_staff and edition.status == Edition.Status.CLOSED
    ):
        raise errors.RegistrationClosed()
    # Seed 2 art. 3.2: open up to and including the deadline day; staff may accept later ones.
    deadline = registration_deadline(edition.start, edition.registration_closes_days_before)
    if today > deadline and not late_by_staff:
        raise errors.RegistrationClosed()
    if registered is None:
        registered = already_registered(user, edition).exists()
    if registered:
        raise errors.AlreadyRegistered()
    if edition.admission_required and not late_by_staff:
        if admitted is None:
            admitted = admitted_now(user, edition, today).exists()
        if not admitted:
            raise errors.AdmissionRequired()


def already_registered(user, edition):
    """The person's confirmed registration for the edition (a queryset: `.exists()` or an
    `Exists(...)` annotation with `edition=OuterRef("pk")`)."""
    return Registration.objects.filter(
        user=user, edition=edition, status=Registration.Status.CONFIRMED
    )


def admitted_now(user, edition, today):
    """The person's admission that still allows registering today (as `already_registered`)."""
    return AdmissionApplication.objects.filter(
        user=user,
        edition=edition,
        status=AdmissionApplication.Status.ADMITTED,
        register_before__gte=today,
    )


# The same two questions as SQL, for the hot paths that read them with the edition in one
# hand-written query (services/cart.py `_edition_for`, services/checkout.py `_items`).


def already_registered_sql(edition_column: str, user) -> tuple[str, list]:
    """`EXISTS (...)`: `already_registered` for the edition id in `edition_column`."""
    table = connection.ops.quote_name(Registration._meta.db_table)
    return (
        f"EXISTS (SELECT 1 FROM {table} r WHERE r.edition_id = {edition_column}"  # noqa: S608  # nosec B608
        " AND r.user_id = %s AND r.status = %s)",
        [user.pk, Registration.Status.CONFIRMED],
    )


def admitted_now_sql(edition_column: str, user, today) -> tuple[str, list]:
    """`EXISTS (...)`: `admitted_now` for the edition id in `edition_column`."""
    table = connection.ops.quote_name(AdmissionApplication._meta.db_table)
    return (
        f"EXISTS (SELECT 1 FROM {table} a WHERE a.edition_id = {edition_column}"  # noqa: S608  # nosec B608
        " AND a.user_id = %s AND a.status = %s AND a.register_before >= %s)",
        [user.pk, AdmissionApplication.Status.ADMITTED,
         connection.ops.adapt_datefield_value(today)],
    )
