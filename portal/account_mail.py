"""allauth's mails (e-mail verification, password reset, notices) through the outbox.

allauth renders them (its templates, in the recipient's language: portal/adapter.py) and would
send them at once through the mail backend, inside the sign-up or reset request: an SMTP outage
then fails the page and loses the mail. Queued as outbox rows instead, they are sent by the
worker after commit and swept until sent, like the portal's own mails, and staff see them in the
admin.

Password-reset links and verification keys are one-time secrets: the row says until when the
secret works (`secret_valid_until`), so the outbox blanks the bodies once the mail is sent and
expires the row rather than send a link that no longer works (portal/outbox.py).
"""

from datetime import datetime, timedelta

from allauth.account import app_settings
from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone
from django.utils.html import strip_tags

from portal import outbox
from portal.models import OutgoingEmail

RESET_LINK_MAIL = "account/email/password_reset_key"
VERIFICATION_MAILS = ("account/email/email_confirmation",
                      "account/email/email_confirmation_signup")
# A mail we do not know that carries a key or a code: assume a short-lived code (allauth's own
# code timeouts are 3 to 15 minutes) rather than keep it readable for days.
UNKNOWN_SECRET_VALIDITY = timedelta(minutes=15)


def secret_validity(template_prefix: str, context: dict) -> timedelta | None:
    """How long the one-time secret in the mail works, counted from now; None: no secret."""
    if "key" not in context and "code" not in context:
        return None
    if template_prefix == RESET_LINK_MAIL:
        # Django's token embeds its creation time and is refused after PASSWORD_RESET_TIMEOUT.
        return timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    if template_prefix in VERIFICATION_MAILS:
        if "code" in context:
            return timedelta(seconds=app_settings.EMAIL_VERIFICATION_BY_CODE_TIMEOUT)
        # The HMAC key is signed now and refused EMAIL_CONFIRMATION_EXPIRE_DAYS later.
        return timedelta(days=app_settings.EMAIL_CONFIRMATION_EXPIRE_DAYS)
    if template_prefix == "account/email/password_reset_code":
        return timedelta(seconds=app_settings.PASSWORD_RESET_BY_CODE_TIMEOUT)
    if template_prefix == "account/email/login_code":
        return timedelta(seconds=app_settings.LOGIN_BY_CODE_TIMEOUT)
    return UNKNOWN_SECRET_VALIDITY


def queue_account_mail(
    *, template_prefix: str, message: EmailMessage, context: dict, language: str, user=None,
    now: datetime | None = None,
) -> OutgoingEmail:
    """Queue the message allauth rendered (in the caller's transaction) instead of sending it."""
    html = next((content for content, mimetype in getattr(message, "alternatives", ())
                 if mimetype == "text/html"), "")
    text = message.body
    if message.content_subtype == "html":  # allauth sends an HTML-only template as the body
        text, html = strip_tags(message.body), message.body
    validity = secret_validity(template_prefix, context)
    now = now or timezone.now()
    [recipient] = message.to
    return outbox.queue_email(
        to=recipient,
        subject=message.subject,
        bodies=(text, html),
        kind=template_prefix,
        language=language,
        user=user,
        secret_valid_until=now + validity if validity is not None else None,
    )
