"""Catalog, course and edition pages: a full edition says so (waiting list), not 'open'."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import EditionFactory


@pytest.fixture
def full_edition(db):
    edition = EditionFactory(start=timezone.localdate() + timedelta(days=60), seats=2)
    type(edition).objects.filter(pk=edition.pk).update(seats_taken=2)
    return edition


@pytest.mark.parametrize("where", ["catalog", "course", "edition"])
def test_a_full_edition_is_not_announced_as_open(client, full_edition, where):
    url = {"catalog": reverse("catalog"),
           "course": reverse("course_detail", args=[full_edition.course.slug]),
           "edition": reverse("edition_detail", args=[full_edition.code])}[where]
    content = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Open for registration until" not in content
    assert "Full: waiting list" in content
