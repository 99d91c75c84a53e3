"""allauth's views where the portal needs more than its settings give."""

from allauth.account.views import SignupView
from allauth.core import ratelimit
from django.db import transaction


class AtomicSignupView(SignupView):
    """Sign-up in one transaction: the user, their e-mail address and the verification mail's
    outbox row are saved together or not at all (allauth saves them one by one). Before, a
    failure after the user was saved (the outbox row refused, the database gone mid-request)
    left an account without a verification mail, and the address could not sign up again
    ("an account already exists"). The mail itself is sent after commit (portal/outbox.py)."""

    def form_valid(self, form):
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except Exception:
            # The verification mail went with the rollback: give back its rate-limit use
            # (one per address per 3 minutes, kept in the cache), or a retry at once would
            # create the account without a mail.
            ratelimit.clear(self.request, action="confirm_email",
                            key=form.cleaned_data["email"].lower())
            raise


signup = AtomicSignupView.as_view()
