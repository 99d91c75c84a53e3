"""The late-registration page as staff use it: reached from the registrations list, a
participant told apart by e-mail address, the invoice "to the participant" (not "to me"), and a
refusal that speaks about the participant, not to the staff member as if they registered."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from registrations.models import Registration
from tests.factories import EditionFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db

LATE = "admin:registrations_registration_late"


def errors(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    return [str(e) for e in response.context["form"].non_field_errors()]


@pytest.mark.parametrize(("language", "link"), [("en", "Late registration"),
                                                ("nl", "Laattijdige inschrijving")])
def test_the_registrations_list_links_to_the_late_registration(client, course_admin,
                                                               language, link):
    client.force_login(course_admin)
    page = client.get(reverse("admin:registrations_registration_changelist"),
                      HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'href="{reverse(LATE)}"' in page
    assert link in page


def test_who_may_not_register_late_sees_no_link(client, exam_committee_member):
    client.force_login(exam_committee_member)  # reads registrations
    page = client.get(reverse("admin:registrations_registration_changelist"))
    assert page.status_code == 200
    assert reverse(LATE) not in page.content.decode()


def test_the_participants_are_told_apart_by_their_e_mail(client, course_admin):
    UserFactory(first_name="Jan", last_name="Peeters", email="jan.peeters@example.org")
    UserFactory(first_name="Jan", last_name="Peeters", email="jp@example.com")
    client.force_login(course_admin)
    page = client.get(reverse(LATE)).content.decode()
    assert "Jan Peeters (jan.peeters@example.org)" in page
    assert "Jan Peeters (jp@example.com)" in page


def test_the_invoice_is_to_the_participant_not_to_me(client, course_admin):
    client.force_login(course_admin)
    labels = dict(client.get(reverse(LATE), HTTP_ACCEPT_LANGUAGE="en")
                  .context["form"].fields["invoice_to"].choices)
    assert labels == {"person": "the participant (not subject to VAT)",
                      "company": "a company"}


def test_someone_already_registered_is_refused_about_them(client, course_admin, participant):
    edition = EditionFactory(start=timezone.localdate() + timedelta(days=2))
    RegistrationFactory(user=participant, edition=edition)
    client.force_login(course_admin)
    response = client.post(reverse(LATE), {"user": participant.pk, "edition": edition.pk},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert errors(response) == ["This person is already registered for this edition."]


def test_a_full_edition_is_refused_in_staff_terms(client, course_admin, participant,
                                                  other_participant):
    edition = EditionFactory(seats=1, start=timezone.localdate() + timedelta(days=2))
    client.force_login(course_admin)
    client.post(reverse(LATE), {"user": other_participant.pk, "edition": edition.pk})
    response = client.post(reverse(LATE), {"user": participant.pk, "edition": edition.pk},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert errors(response) == [
        "This edition is full: raise its seats first (people on its waiting list are "
        "offered a freed seat before anyone else)."]
    assert not Registration.objects.filter(user=participant).exists()
