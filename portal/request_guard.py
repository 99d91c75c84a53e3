"""Requests refused before any view sees them: addresses with a NUL character, and bodies larger
than the largest upload (RequestBodyLimitMiddleware, below).

A `%00` in the path reaches the views decoded; a view that looks the code up (an edition, a
certificate) would hand it to PostgreSQL, which refuses NUL in text with a DataError: a server
error for what is only a mistyped or malicious address. No real address holds one, so the
answer is the ordinary "not found" page. (Form fields are covered by Django's forms, which
refuse NUL characters with a message.)
"""

from django.http import Http404
from django.shortcuts import render
from django.urls import Resolver404, resolve


class RejectNulInPathMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info:
            raise Http404("No such page.")
        return self.get_response(request)


# The largest upload (a bank statement, 20 MB) with room for the form around it.
MAX_REQUEST_BODY_BYTES = 21 * 1024 * 1024


class RequestBodyLimitMiddleware:
    """413 for a body declared larger than MAX_REQUEST_BODY_BYTES, before anything reads it.

    Django reads a multipart body (for the CSRF check, before it refuses a POST without a token)
    and spools its files to disk whatever their size: DATA_UPLOAD_MAX_MEMORY_SIZE leaves files
    out. Without this, anyone could make a worker read and store gigabytes on any page, the
    log-in form included. A body without Content-Length is never read by Django. The admission
    form refuses earlier still, at its CV's limit (registrations.views.apply)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_REQUEST_BODY_BYTES and not _limits_its_own_body(request):
            return render(request, "413.html", status=413)
        return self.get_response(request)


def _limits_its_own_body(request) -> bool:
    """A view marked `limits_its_own_body` refuses a large body itself, at a lower limit and with
    its own words (the admission form: "The CV may be at most 5 MB.")."""
    try:
        view = resolve(request.path_info).func
    except Resolver404:
        return False
    return getattr(view, "limits_its_own_body", False)
