"""The admin's add and change pages of sessions, editions and vouchers run a fixed number of
queries whatever the number of editions, units and sessions (a choice list whose labels read
another table, or one choice list per inline row, grew with the data); a session's course unit
is one of its edition's course."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.models import Session
from tests.factories import CourseUnitFactory, EditionFactory, SessionFactory

pytestmark = pytest.mark.django_db


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def more_data(edition, n=4):
    """Other editions (each of its own course, with a unit) and sessions of `edition`."""
    for _ in range(n):
        other = EditionFactory()
        CourseUnitFactory(course=other.course)
        SessionFactory(edition=edition, unit=CourseUnitFactory(course=edition.course))


@pytest.mark.parametrize(("role", "page"), [
    ("course_admin", "session_add"), ("course_admin", "session_change"),
    ("course_admin", "edition_change"), ("course_admin", "voucher_add"),
    # The exam committee reads them: the same pages, read-only.
    ("exam_committee_member", "session_change"), ("exam_committee_member", "edition_change"),
])
def test_admin_form_pages_do_not_grow_with_the_data(client, request, role, page):
    edition = EditionFactory()
    session = SessionFactory(edition=edition)
    CourseUnitFactory(course=edition.course)
    urls = {
        "session_add": reverse("admin:courses_session_add"),
        "session_change": reverse("admin:courses_session_change", args=[session.pk]),
        "edition_change": reverse("admin:courses_edition_change", args=[edition.pk]),
        "voucher_add": reverse("admin:registrations_voucher_add"),
    }
    client.force_login(request.getfixturevalue(role))
    queries(client, urls[page])  # the first request also fills caches (content types)
    before = queries(client, urls[page])
    more_data(edition)
    assert queries(client, urls[page]) == before


def test_the_session_inline_offers_the_units_of_the_editions_course_only(client, course_admin):
    edition = EditionFactory()
    own = CourseUnitFactory(course=edition.course, code="OWN1")
    CourseUnitFactory(code="ELSEWHERE")  # another course's
    SessionFactory(edition=edition)
    client.force_login(course_admin)
    response = client.get(reverse("admin:courses_edition_change", args=[edition.pk]))
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.model is Session
    offered = {str(value) for value, _label in formset.forms[0].fields["unit"].choices if value}
    assert offered == {str(own.pk)}


def test_a_session_on_another_courses_unit_is_refused_in_words(client, course_admin):
    session = SessionFactory()
    elsewhere = CourseUnitFactory()
    client.force_login(course_admin)
    url = reverse("admin:courses_session_change", args=[session.pk])
    response = client.post(url, {
        "edition": session.edition_id, "unit": elsewhere.pk,
        "starts_at_0": session.starts_at.date().isoformat(), "starts_at_1": "09:00",
        "ends_at_0": session.starts_at.date().isoformat(), "ends_at_1": "12:00",
        "location": "Aula 1", "topic": "",
    }, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "unit": ["This course unit belongs to another course than the edition's."]}
    session.refresh_from_db()
    assert session.unit_id is None


def test_a_session_on_its_own_courses_unit_is_saved(client, course_admin):
    session = SessionFactory()
    own = CourseUnitFactory(course=session.edition.course)
    client.force_login(course_admin)
    url = reverse("admin:courses_session_change", args=[session.pk])
    response = client.post(url, {
        "edition": session.edition_id, "unit": own.pk,
        "starts_at_0": session.starts_at.date().isoformat(), "starts_at_1": "09:00",
        "ends_at_0": session.starts_at.date().isoformat(), "ends_at_1": "12:00",
        "location": "Aula 1", "topic": "",
    })
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.unit_id == own.pk
