from types import SimpleNamespace
from urllib.parse import quote

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy

from portal.outbox import portal_address


class AccountAdapter(DefaultAccountAdapter):
    def login(self, request, user):
        super().login(request, user)
        # The portal speaks the person's preferred language from the moment they log in.
        if user.preferred_language:
            translation.activate(user.preferred_language)
            request.session["_language"] = user.preferred_language
            request.LANGUAGE_CODE = user.preferred_language

    def get_login_redirect_url(self, request):
        """Staff work in the admin: they land there, participants on their dashboard (a `next`
        link, as after opening an admin page logged out, still wins)."""
        if request.user.is_staff:
            return reverse("admin:index")
        return super().get_login_redirect_url(request)

    def post_login(self, request, user, **kwargs):
        response = super().post_login(request, user, **kwargs)
        # Django's LocaleMiddleware reads the language cookie, then the browser's
        # Accept-Language (not the session): without the cookie the next page would be in the
        # browser's language, whatever the profile says.
        if user.preferred_language in {"nl", "en"}:
            from portal.views import _remember_language

            _remember_language(request, response, user.preferred_language)
        return response

    # Links in allauth's mails: from PORTAL_BASE_URL, as in the portal's own mails. allauth
    # builds them from the request's Host header, which whoever asks for a reset of someone
    # else's address chooses among ALLOWED_HOSTS (and which is `app:8000` behind a proxy that
    # passes its own): the one-time key would travel to a host we do not control.
    def get_reset_password_from_key_url(self, key):
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return portal_address(path.replace("UID-KEY", quote(key)))

    def get_email_confirmation_url(self, request, emailconfirmation):
        return portal_address(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def send_account_already_exists_mail(self, email):
        self.send_mail("account/email/account_already_exists", email, {
            "signup_url": portal_address(reverse("account_signup")),
            "password_reset_url": portal_address(reverse("account_reset_password")),
        })

    def send_mail(self, template_prefix, email, context):
        """allauth's mails (password reset, verification, notices) in the recipient's preferred
        language, as the portal's own mails, not in the language of the page that sent them;
        queued in the outbox rather than sent inside the request (portal/account_mail.py)."""
        from portal.account_mail import queue_account_mail
        from portal.models import User

        user = context.get("user")
        if not isinstance(user, User):
            user = User.objects.filter(email__iexact=email).first()
        if template_prefix == "account/email/unknown_account":
            # allauth's flow builds this one's link itself, from the request's host.
            context = {**context, "signup_url": portal_address(reverse("account_signup"))}
        language = getattr(user, "preferred_language", "") or translation.get_language()
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        # The context allauth's own send_mail gives its templates (allauth 65).
        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": mail_site(request),
               **context}
        with translation.override(language):
            message = self.render_mail(template_prefix, email, ctx)
        queue_account_mail(template_prefix=template_prefix, message=message, context=context,
                           language=language, user=user)


def mail_site(request) -> SimpleNamespace:
    """The "site" allauth's mails greet and sign with ("Hello from {{ site_name }}!", "Thank you
    for using ..." and the address): the portal's name in the mail's language and its public
    address, as in the portal's own mails. Without the sites framework allauth took the request's
    host, so a Dutch mail said "Hallo van portal.example.be!"."""
    site = get_current_site(request)
    return SimpleNamespace(
        name=gettext_lazy("Lifelong Learning Portal"),  # evaluated in the mail's language
        domain=portal_address("") or site.domain,
    )
