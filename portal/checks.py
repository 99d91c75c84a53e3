"""System checks of a deployment (`manage.py check --deploy`)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def public_address_check(app_configs, **kwargs):
    """PORTAL_BASE_URL is printed in every certificate's QR code and in the links of e-mails, so a
    deployment left at the embedded default (or on plain HTTP) hands out addresses that do not
    work, on certificates that stay in circulation."""
    address = urlsplit(settings.PORTAL_BASE_URL)
    if address.scheme == "https" and address.hostname not in {None, "localhost", "127.0.0.1"}:
        return []
    return [Warning(
        f"PORTAL_BASE_URL is {settings.PORTAL_BASE_URL!r}.",
        hint="Set PORTAL_BASE_URL to the portal's public https:// address: certificates print it "
             "in their verification QR code and e-mails link to it.",
        id="portal.W001",
    )]
