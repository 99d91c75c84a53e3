"""Uploaded files (CVs, bank statements) are never served from a public path (issue 10): they
live in the private MEDIA_ROOT, outside the static files, under random names, and no URL serves
that folder; only the views that check who asks hand them out (see the access matrix)."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import EditionFactory
from tests.security.world import MINIMAL_PDF

pytestmark = pytest.mark.django_db


@pytest.fixture
def cv(participant):
    from registrations.services.admission import apply_for_admission

    application = apply_for_admission(
        user=participant, edition_id=EditionFactory(admission_required=True).pk,
        motivation="M", prior_knowledge="P", experience="E",
        cv=SimpleUploadedFile("../../Jan Janssens/cv.pdf", MINIMAL_PDF, "application/pdf"))
    return application


def test_the_upload_folder_is_outside_everything_served_as_static():
    media = Path(settings.MEDIA_ROOT).resolve()
    for served in [settings.STATIC_ROOT, *settings.STATICFILES_DIRS]:
        served = Path(served).resolve()
        assert not media.is_relative_to(served)
        assert not served.is_relative_to(media)
    # No public address for uploads (Django turns an unset MEDIA_URL into "/"; nothing under it
    # serves them: test_no_url_serves_the_private_folder).
    assert settings.MEDIA_URL in ("", "/")
    assert getattr(settings, "WHITENOISE_ROOT", None) is None


def test_an_upload_gets_a_random_name_inside_the_private_folder(cv):
    path = Path(cv.cv.path).resolve()
    assert path.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert "Janssens" not in cv.cv.name and ".." not in cv.cv.name
    assert cv.cv_name  # the person's file name is only kept for display
    assert path.read_bytes() == MINIMAL_PDF


@pytest.mark.parametrize("who", ["anonymous", "participant", "course_admin"])
def test_no_url_serves_the_private_folder(client, request, cv, who):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    name = cv.cv.name
    folder = Path(settings.MEDIA_ROOT).name
    for url in (f"/{name}", f"/media/{name}", f"/static/{name}", f"/{folder}/{name}",
                f"/var/{folder}/{name}", f"/static/../{folder}/{name}",
                f"/static/%2e%2e/{folder}/{name}", cv.cv.url):
        response = client.get(url if url.startswith("/") else f"/{url}")
        assert response.status_code in (301, 302, 404), url
        body = b"".join(response) if response.streaming else response.content
        assert MINIMAL_PDF not in body, url


def test_the_owner_gets_it_through_the_checking_view(client, participant, cv):
    client.force_login(participant)
    response = client.get(reverse("application_cv", args=[cv.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == MINIMAL_PDF
    assert response["Content-Disposition"].startswith("attachment")
