"""Warn (never block) when a sign-up or new e-mail address is a work address (seed 1)."""

from allauth.account.signals import email_added, user_signed_up
from django.contrib import messages
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from portal.email_domains import is_work_address
from portal.models import WorkEmailDomain

WORK_ADDRESS_WARNING = _(
    "%(email)s looks like a work or university address. Your profile is meant for life: "
    "certificates and invoices stay with it after you change jobs, so a personal address "
    "is better. You can add one under 'E-mail addresses'."
)


def warn_if_work_address(request, email: str) -> bool:
    domains = WorkEmailDomain.objects.values_list("domain", flat=True)
    if request is not None and is_work_address(email, domains):
        messages.warning(request, str(WORK_ADDRESS_WARNING) % {"email": email})
        return True
    return False


@receiver(user_signed_up)
def warn_on_sign_up(sender, request, user, **kwargs):
    warn_if_work_address(request, user.email)


@receiver(email_added)
def warn_on_new_address(sender, request, user, email_address, **kwargs):
    warn_if_work_address(request, email_address.email)
