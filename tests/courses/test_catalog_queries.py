"""The catalog pages run a fixed number of queries whatever the number of courses."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.models import Course, CourseUnit, Edition
from tests.factories import (
    BRUSSELS,
    CancellationTierFactory,
    CourseFactory,
    CourseUnitFactory,
    EditionFactory,
    SessionFactory,
)

CATALOG = reverse("catalog")


def edition_url(edition):
    return reverse("edition_detail", args=[edition.code])


def course_url(course):
    return reverse("course_detail", args=[course.slug])


@pytest.fixture(params=["anonymous", "participant", "course_admin"])
def visitor(request, client, db):
    """A client as each kind of visitor the public pages serve."""
    if request.param != "anonymous":
        client.force_login(request.getfixturevalue(request.param))
    client.kind = request.param
    return client


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def codes(response):
    return [edition.code for edition in response.context["editions"]]


# --- a fixed number of queries -------------------------------------------------------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def make_editions(count):
    for _ in range(count):
        EditionFactory()  # each with its own course and organizer


@pytest.mark.parametrize("user", [None, "participant", "course_admin"])
def test_catalog_runs_a_fixed_number_of_queries(client, db, user, request):
    if user:
        client.force_login(request.getfixturevalue(user))
    make_editions(3)
    few = count_queries(client, CATALOG)
    make_editions(27)
    many = count_queries(client, CATALOG)
    filtered = count_queries(
        client, CATALOG + "?q=Cursus&organizer=academy-1&open=on&month=2030-01"
    )
    assert few == many
    assert filtered <= few + 1  # the organizer filter looks its organizer up once
    print(f"catalog queries ({user or 'anonymous'}): {few} with 3 editions, {many} with 30")


def test_catalog_query_budget(client, db, django_assert_max_num_queries):
    make_editions(30)
    # count + page + organizers for the filter form
    with django_assert_max_num_queries(3):
        client.get(CATALOG)


def make_programme(sessions):
    course = CourseFactory(kind=Course.Kind.POSTGRADUATE, total_credits=Decimal("60"))
    edition = EditionFactory(course=course, cancellation_policy=Edition.Policy.TIERED)
    for number in range(sessions):
        unit = CourseUnitFactory(course=course, semester=CourseUnit.Semester.YEAR)
        SessionFactory(
            edition=edition,
            unit=unit,
            topic="" if number % 2 else f"Topic {number}",
            starts_at=datetime.combine(edition.start, datetime.min.time(), BRUSSELS)
            + timedelta(days=number, hours=9),
            ends_at=datetime.combine(edition.start, datetime.min.time(), BRUSSELS)
            + timedelta(days=number, hours=12),
        )
        CancellationTierFactory(edition=edition, days=number + 1, percent_kept=Decimal(number))
    return edition


@pytest.mark.parametrize("user", [None, "participant", "course_admin"])
def test_edition_page_runs_a_fixed_number_of_queries(client, db, user, request):
    if user:
        client.force_login(request.getfixturevalue(user))
    small, large = make_programme(2), make_programme(20)
    few = count_queries(client, edition_url(small))
    many = count_queries(client, edition_url(large))
    assert few == many
    print(f"edition queries ({user or 'anonymous'}): {few} with 2 sessions/units, {many} with 20")


def test_edition_page_query_budget(client, db, django_assert_max_num_queries):
    edition = make_programme(20)
    # edition + sessions + units + tiers + seats held in carts + seats offered to the waiting list
    with django_assert_max_num_queries(6):
        client.get(edition_url(edition))


@pytest.mark.parametrize("user", [None, "participant", "course_admin"])
def test_course_page_runs_a_fixed_number_of_queries(client, db, user, request):
    if user:
        client.force_login(request.getfixturevalue(user))
    small, large = CourseFactory(), CourseFactory()
    for _ in range(2):
        EditionFactory(course=small)
        CourseUnitFactory(course=small)
    for _ in range(20):
        EditionFactory(course=large)
        CourseUnitFactory(course=large)
    few = count_queries(client, course_url(small))
    many = count_queries(client, course_url(large))
    assert few == many
    print(f"course queries ({user or 'anonymous'}): {few} with 2 editions/units, {many} with 20")
