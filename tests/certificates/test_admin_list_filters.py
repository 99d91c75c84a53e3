"""The certificates list filters valid and revoked certificates in those words; the editions
list shows how many seats are taken next to the seats."""

import pytest
from django.urls import reverse

from tests.factories import EditionFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "words"), [("en", ["Valid", "Revoked"]),
                                                 ("nl", ["Geldig", "Ingetrokken"])])
def test_the_certificates_list_filters_valid_and_revoked(client, course_admin, language,
                                                         words):
    client.force_login(course_admin)
    url = reverse("admin:certificates_certificate_changelist")
    page = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    changelist = page.context["cl"]
    valid = [spec for spec in changelist.filter_specs
             if getattr(spec, "parameter_name", "") == "valid"]
    choices = [choice["display"] for spec in valid for choice in spec.choices(changelist)]
    assert [str(c) for c in choices[1:]] == words
    assert client.get(url + "?valid=no").status_code == 200


def test_the_editions_list_shows_the_seats_taken(client, course_admin):
    EditionFactory(seats=20)
    client.force_login(course_admin)
    page = client.get(reverse("admin:courses_edition_changelist"), HTTP_ACCEPT_LANGUAGE="nl")
    assert "Bezette plaatsen" in page.content.decode()
