"""Security headers on every response: CSP with a nonce and frame-ancestors, Permissions-Policy,
Referrer-Policy, X-Content-Type-Options, X-Frame-Options (issue 10)."""

import re

import pytest
from django.http import HttpResponse
from django.template import engines
from django.test import RequestFactory
from django.urls import reverse

from portal.security import SecurityHeadersMiddleware

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in policy.split(";")}


def assert_secure_headers(response):
    csp = directives(response)
    assert csp["default-src"] == "default-src 'self'"
    assert re.fullmatch(r"script-src 'self' 'nonce-[\w-]{20,}'", csp["script-src"])
    assert re.fullmatch(r"style-src 'self' 'nonce-[\w-]{20,}'", csp["style-src"])
    assert csp["frame-ancestors"] == "frame-ancestors 'none'"
    assert csp["object-src"] == "object-src 'none'"
    assert csp["form-action"] == "form-action 'self'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_public_pages_send_the_security_headers(client):
    for url in ("/", reverse("account_login"), reverse("account_signup")):
        response = client.get(url)
        assert response.status_code == 200
        assert_secure_headers(response)


def test_participant_pages_and_downloads_send_them(client, participant):
    client.force_login(participant)
    for url in (reverse("dashboard"), reverse("cart"), reverse("profile")):
        response = client.get(url)
        assert response.status_code == 200
        assert_secure_headers(response)


def test_the_admin_sends_them_too(client, course_admin):
    client.force_login(course_admin)
    for url in (reverse("admin:index"), reverse("admin:courses_edition_add")):
        response = client.get(url)
        assert response.status_code == 200
        assert_secure_headers(response)


def test_errors_and_redirects_send_them(client):
    assert_secure_headers(client.get("/no-such-page/"))
    assert_secure_headers(client.get(reverse("dashboard")))  # 302 to log in


def test_every_request_gets_its_own_nonce_and_templates_can_use_it(client):
    first = directives(client.get("/"))["script-src"]
    second = directives(client.get("/"))["script-src"]
    assert first != second

    def view(request):
        template = engines["django"].from_string('<script nonce="{{ csp_nonce }}"></script>')
        return HttpResponse(template.render(request=request))

    response = SecurityHeadersMiddleware(view)(RequestFactory().get("/"))
    nonce = re.search(r'nonce="([^"]+)"', response.content.decode())[1]
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
