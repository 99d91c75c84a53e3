"""Staff log-ins need a second factor (TOTP) once configured, and must configure it when
the deployment requires it."""

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _current_code(secret):
    counters = list(yield_hotp_counters_from_time())
    counter = counters[len(counters) // 2]  # the current period, whatever the tolerance
    return format_hotp_value(hotp_value(secret, counter))


def test_staff_with_totp_must_enter_the_code(client, course_admin):
    secret = generate_totp_secret()
    TOTP.activate(course_admin, secret)
    response = client.post(
        reverse("account_login"), {"login": course_admin.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    # The password alone does not open the admin.
    assert client.get(reverse("admin:index")).status_code == 302
    assert "_auth_user_id" not in client.session

    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert "_auth_user_id" not in client.session

    response = client.post(reverse("mfa_authenticate"), {"code": _current_code(secret)})
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_required_second_factor_sends_staff_to_set_it_up(client, settings, finance_user):
    settings.STAFF_MFA_REQUIRED = True
    client.force_login(finance_user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_required_second_factor_lets_staff_with_totp_in(client, settings, finance_user):
    settings.STAFF_MFA_REQUIRED = True
    TOTP.activate(finance_user, generate_totp_secret())
    client.force_login(finance_user)
    assert client.get(reverse("admin:index")).status_code == 200


def test_participants_are_not_asked_for_a_second_factor(client, settings, participant):
    settings.STAFF_MFA_REQUIRED = True
    client.post(reverse("account_login"), {"login": participant.email, "password": PASSWORD})
    assert client.get(reverse("dashboard")).status_code == 200
