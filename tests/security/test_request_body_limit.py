"""A request body larger than the largest upload the portal takes (a 20 MB bank statement) is
refused with 413 before anything reads it.

Django reads a multipart body for the CSRF check before it refuses the request, and spools its
files to disk whatever their size (DATA_UPLOAD_MAX_MEMORY_SIZE leaves files out): anyone, logged
in or not, could make a worker read and store gigabytes on any page (the log-in form), and the
deployment serves gunicorn without a proxy that caps bodies. Only the admission form refused
early (its CV limit, tests/registrations)."""

import pytest
from django.urls import reverse

from portal.request_guard import MAX_REQUEST_BODY_BYTES

pytestmark = pytest.mark.django_db

BOUNDARY = "boundary"


def multipart(size: int) -> bytes:
    head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"big.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n").encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    return head + b"x" * (size - len(head) - len(tail)) + tail


def post(client, url, body, **extra):
    return client.generic("POST", url, body,
                          content_type=f"multipart/form-data; boundary={BOUNDARY}", **extra)


def test_an_oversized_body_is_refused_on_any_page(client):
    response = post(client, reverse("account_login"), multipart(MAX_REQUEST_BODY_BYTES + 1))
    assert response.status_code == 413
    assert "20 MB" in response.content.decode()


def test_a_declared_oversized_body_is_not_read(client):
    # Only the header says 3 GB: answered at once, without waiting for (or reading) the body.
    response = post(client, reverse("account_login"), multipart(1024),
                    CONTENT_LENGTH=str(3 * 1024**3))
    assert response.status_code == 413


def test_the_refusal_is_in_dutch_too(client):
    client.cookies["django_language"] = "nl"
    response = post(client, reverse("catalog"), multipart(MAX_REQUEST_BODY_BYTES + 1))
    assert response.status_code == 413
    # The page in the visitor's language (its Dutch wording is in TRANSLATIONS.po).
    assert '<html lang="nl">' in response.content.decode()
    assert "Content-Security-Policy" in response.headers


def test_a_body_within_the_limit_reaches_the_view(client):
    response = post(client, reverse("account_login"), multipart(MAX_REQUEST_BODY_BYTES - 1024))
    assert response.status_code == 200  # the log-in form, asking for its fields


def test_the_limit_leaves_room_for_the_largest_statement():
    from billing.admin_statements import MAX_UPLOAD

    assert MAX_REQUEST_BODY_BYTES > MAX_UPLOAD


def test_the_admission_form_says_its_own_cv_limit(client, participant):
    from tests.factories import EditionFactory

    edition = EditionFactory(admission_required=True)
    client.force_login(participant)
    response = post(client, reverse("admission_apply", args=[edition.code]),
                    multipart(MAX_REQUEST_BODY_BYTES + 1))
    assert response.status_code == 413
    page = response.content.decode()
    assert "5 MB" in page and "20 MB" not in page  # the CV's limit, not the portal's
