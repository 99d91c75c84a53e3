"""Each staff group can do its own job in the admin and cannot do the others'."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from portal.roles import COURSE_ADMINISTRATOR, EXAM_COMMITTEE, FINANCE, ROLES
from tests.factories import EditionFactory, OrganizerFactory


@pytest.mark.django_db
def test_the_data_migration_created_every_role():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLES)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "allowed", "refused"),
    [
        (
            COURSE_ADMINISTRATOR,
            ["courses.add_course", "courses.change_edition", "courses.add_session",
             "courses.delete_courseunit", "portal.add_workemaildomain"],
            ["portal.change_user", "auth.change_group", "portal.delete_user"],
        ),
        (
            FINANCE,
            ["courses.view_edition", "courses.view_organizer"],
            ["courses.add_course", "courses.change_edition", "courses.delete_session",
             "portal.change_user", "auth.change_group"],
        ),
        (
            EXAM_COMMITTEE,
            ["courses.view_courseunit", "courses.view_session"],
            ["courses.change_courseunit", "courses.add_edition", "courses.change_organizer",
             "portal.view_user", "auth.change_group"],
        ),
    ],
)
def test_role_permissions(role, allowed, refused):
    from tests.factories import UserFactory

    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    for permission in allowed:
        assert user.has_perm(permission), permission
    for permission in refused:
        assert not user.has_perm(permission), permission


@pytest.mark.django_db
def test_course_administrator_manages_courses_in_the_admin(client, course_admin):
    edition = EditionFactory()
    client.force_login(course_admin)
    for url in (
        reverse("admin:courses_course_changelist"),
        reverse("admin:courses_course_add"),
        reverse("admin:courses_edition_change", args=[edition.pk]),
        reverse("admin:courses_edition_changelist") + "?status__exact=open&q=E",
        reverse("admin:courses_session_changelist"),
        reverse("admin:portal_workemaildomain_add"),
    ):
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403


@pytest.mark.django_db
def test_finance_sees_editions_but_cannot_change_them(client, finance_user):
    edition = EditionFactory()
    client.force_login(finance_user)
    assert client.get(reverse("admin:courses_edition_changelist")).status_code == 200
    response = client.get(reverse("admin:courses_edition_change", args=[edition.pk]))
    assert response.status_code == 200 and b'name="_save"' not in response.content
    assert client.get(reverse("admin:courses_course_add")).status_code == 403
    response = client.post(
        reverse("admin:courses_edition_change", args=[edition.pk]), {"seats": 1}
    )
    assert response.status_code == 403
    edition.refresh_from_db()
    assert edition.seats == 20


@pytest.mark.django_db
def test_exam_committee_sees_units_but_not_organizers(client, exam_committee_member):
    organizer = OrganizerFactory()
    client.force_login(exam_committee_member)
    assert client.get(reverse("admin:courses_courseunit_changelist")).status_code == 200
    assert client.get(reverse("admin:courses_organizer_changelist")).status_code == 403
    assert (
        client.get(reverse("admin:courses_organizer_change", args=[organizer.pk])).status_code
        == 403
    )


@pytest.mark.django_db
def test_participant_and_anonymous_are_kept_out_of_the_admin(client, participant):
    response = client.get(reverse("admin:courses_course_changelist"))
    assert response.status_code == 302
    client.force_login(participant)
    response = client.get(reverse("admin:index"))
    assert response.status_code in (302, 403)
    assert client.get(reverse("admin:courses_course_changelist")).status_code in (302, 403)


@pytest.mark.django_db
def test_admin_log_in_goes_through_allauth(client):
    response = client.get(reverse("admin:login") + "?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
