"""Profile input: what a person may type, and what is refused with a message."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

VALID = {"first_name": "An", "last_name": "Peeters", "date_of_birth": "1985-04-12",
         "street": "Veldstraat 1", "postal_code": "9000", "city": "Gent", "country": "BE",
         "phone": "+32 9 123 45 67", "preferred_language": "nl"}


def post(client, **changes):
    return client.post(reverse("profile"), {**VALID, **changes}, HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def logged_in(client, participant):
    client.force_login(participant)
    return client


@pytest.mark.parametrize("day", [timezone.localdate() + timedelta(days=1), date(2999, 1, 1),
                                 date(1850, 1, 1), timezone.localdate()])
def test_an_impossible_birth_date_is_refused(logged_in, participant, day):
    response = post(logged_in, date_of_birth=day.isoformat())
    assert response.status_code == 200
    assert "date_of_birth" in response.context["form"].errors
    participant.refresh_from_db()
    assert participant.date_of_birth is None


@pytest.mark.parametrize("phone", ["+32 9 123 45 67", "09/123.45.67", "0032 (0)9 123 45 67",
                                   "0471-12-34-56", "+32471123456", ""])
def test_a_phone_number_in_any_form_is_accepted(logged_in, participant, phone):
    assert post(logged_in, phone=phone).status_code == 302
    participant.refresh_from_db()
    assert participant.phone == phone


@pytest.mark.parametrize("phone", ["call me", "<script>", "12", "+32 9 CALL-NOW"])
def test_something_that_is_not_a_phone_number_is_refused(logged_in, phone):
    response = post(logged_in, phone=phone)
    assert response.status_code == 200 and "phone" in response.context["form"].errors


@pytest.mark.parametrize("field", ["first_name", "last_name"])
def test_the_name_cannot_be_emptied(logged_in, participant, field):
    """The name is printed on certificates and invoices: sign-up requires it, so does the
    profile."""
    response = post(logged_in, **{field: "  "})
    assert response.status_code == 200 and field in response.context["form"].errors


def test_absurd_lengths_are_refused_not_a_server_error(logged_in):
    response = post(logged_in, first_name="A" * 5000, city="G" * 5000, phone="1" * 5000,
                    postal_code="9" * 5000, street="S" * 5000)
    assert response.status_code == 200
    assert {"first_name", "city", "phone", "postal_code", "street"} <= set(
        response.context["form"].errors)


@pytest.mark.parametrize("country", ["B", "B3", "België"])
def test_country_is_a_two_letter_code(logged_in, country):
    response = post(logged_in, country=country)
    assert response.status_code == 200 and "country" in response.context["form"].errors


def test_country_in_lower_case_is_stored_upper_case(logged_in, participant):
    assert post(logged_in, country="nl").status_code == 302
    participant.refresh_from_db()
    assert participant.country == "NL"
