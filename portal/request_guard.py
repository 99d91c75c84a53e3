"""Addresses with a NUL character are refused before any view sees them.

A `%00` in the path reaches the views decoded; a view that looks the code up (an edition, a
certificate) would hand it to PostgreSQL, which refuses NUL in text with a DataError: a server
error for what is only a mistyped or malicious address. No real address holds one, so the
answer is the ordinary "not found" page. (Form fields are covered by Django's forms, which
refuse NUL characters with a message.)
"""

from django.http import Http404


class RejectNulInPathMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info:
            raise Http404("No such page.")
        return self.get_response(request)
