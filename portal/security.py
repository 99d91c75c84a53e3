"""Security headers on every response (issue 10): a strict Content-Security-Policy with a
per-request nonce, a Permissions-Policy, and `frame-ancestors 'none'`.

Django's SecurityMiddleware already sends Referrer-Policy (SECURE_REFERRER_POLICY),
X-Content-Type-Options (SECURE_CONTENT_TYPE_NOSNIFF), Cross-Origin-Opener-Policy and HSTS; the
clickjacking middleware sends X-Frame-Options. This adds what Django 5.2 does not have.

Everything the portal serves comes from its own origin (no CDN, no web fonts): scripts are static
files; an inline `<script>` or `<style>` only runs with `nonce="{{ csp_nonce }}"` (the context
processor below). Inline `style="..."` attributes are not allowed.
"""

import secrets

from django.conf import settings

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)


def content_security_policy(nonce: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            f"style-src 'self' 'nonce-{nonce}'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response, the admin included."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        nonce = secrets.token_urlsafe(16)
        request.csp_nonce = nonce
        response = self.get_response(request)
        # Django's technical error pages (DEBUG only, never in a deployment) are inline-styled.
        if settings.DEBUG and response.status_code >= 400:
            return response
        response.headers.setdefault("Content-Security-Policy", content_security_policy(nonce))
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


def csp_nonce(request) -> dict:
    """Template context processor: `{{ csp_nonce }}` for the rare inline script or style."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}


def client_ip(request) -> str:
    """The client's address for per-IP rate limits, read as allauth reads it: behind
    TRUSTED_PROXY_COUNT proxies (ALLAUTH_TRUSTED_PROXY_COUNT) the one they appended to
    X-Forwarded-For, else REMOTE_ADDR. Without it, behind a proxy everyone shares one limit."""
    proxies = getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0)
    forwarded = request.headers.get("x-forwarded-for", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        if len(hops) >= proxies and hops[-proxies]:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "") or "unknown"
