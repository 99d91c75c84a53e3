"""The portal's URLs plus one bare view, for the pages benchmark only (settings_pages.py).

The bare view goes through the same server, WSGI handler and middleware as every page (sessions,
locale, CSRF, authentication, security headers with the CSP nonce, the staff second factor,
the audit context): what is left when a page does no work of its own. It is not in
portal/urls.py, so it exists nowhere but under the benchmark's settings.
"""

from django.conf import settings
from django.http import HttpResponse
from django.urls import path

from portal.urls import handler500  # noqa: F401 - the same error handler
from portal.urls import urlpatterns as portal_urlpatterns


def bare(request):
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


if not getattr(settings, "BENCH", False):
    raise RuntimeError("tests.bench.urls_pages is for the benchmark's settings only")

urlpatterns = [path("bench/bare/", bare, name="bench_bare"), *portal_urlpatterns]
