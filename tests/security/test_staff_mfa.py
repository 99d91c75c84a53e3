"""Staff second factor in a deployment (issue 10): STAFF_MFA_REQUIRED is on in the production
settings, and staff without TOTP reach neither the admin nor any other page their permissions
open until they set it up. Wrong codes are rate-limited like wrong passwords.
(tests/portal/test_staff_mfa.py covers the log-in with a code.)"""

import subprocess
import sys
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import PASSWORD, EditionFactory
from tests.security.prod_env import production_env
from tests.security.world import MINIMAL_PDF

ROOT = Path(__file__).resolve().parents[2]
STAFF = ["course_admin", "finance_user", "exam_committee_member"]


def settings_value(name: str, **extra) -> str:
    code = f"from django.conf import settings; print(settings.{name})"
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT,
                            env=production_env(**extra), capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_production_settings_require_the_second_factor_for_staff():
    assert settings_value("STAFF_MFA_REQUIRED") == "True"
    assert settings_value("STAFF_MFA_REQUIRED", PORTAL_SECURE="true") == "True"
    # Only an explicit choice turns it off.
    assert settings_value("STAFF_MFA_REQUIRED", STAFF_MFA_REQUIRED="false") == "False"


@pytest.fixture
def application(db, participant):
    from registrations.services.admission import apply_for_admission

    edition = EditionFactory(admission_required=True)
    return apply_for_admission(
        user=participant, edition_id=edition.pk, motivation="M", prior_knowledge="P",
        experience="E", cv=SimpleUploadedFile("cv.pdf", MINIMAL_PDF, "application/pdf"))


@pytest.mark.django_db
@pytest.mark.parametrize("role", STAFF)
def test_staff_without_totp_are_sent_to_set_it_up_from_every_page(
        client, settings, request, role, application):
    settings.STAFF_MFA_REQUIRED = True
    user = request.getfixturevalue(role)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    setup = reverse("mfa_activate_totp")
    for url in (reverse("admin:index"), reverse("admin:registrations_registration_changelist"),
                reverse("admin:billing_finance_dashboard"), reverse("dashboard"),
                reverse("application_cv", args=[application.pk]), "/admin/login/"):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, setup), url
    # Setting it up stays possible (allauth first asks for the password again).
    response = client.get(setup)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.django_db
def test_staff_with_totp_get_their_pages(client, settings, course_admin, application):
    settings.STAFF_MFA_REQUIRED = True
    TOTP.activate(course_admin, generate_totp_secret())
    client.force_login(course_admin)
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("application_cv", args=[application.pk])).status_code == 200


@pytest.mark.django_db
def test_participants_are_never_asked(client, settings, participant, application):
    settings.STAFF_MFA_REQUIRED = True
    client.force_login(participant)
    assert client.get(reverse("dashboard")).status_code == 200
    assert client.get(reverse("application_cv", args=[application.pk])).status_code == 200


def _code(secret, offset=0):
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2] + offset))


@pytest.mark.django_db
def test_wrong_codes_are_rate_limited(client, course_admin):
    client.cookies["django_language"] = "en"
    secret = generate_totp_secret()
    TOTP.activate(course_admin, secret)
    client.post(reverse("account_login"), {"login": course_admin.email, "password": PASSWORD})
    wrong = next(c for c in ("000000", "111111", "222222")
                 if c not in {_code(secret, d) for d in (-1, 0, 1)})
    for _attempt in range(5):
        response = client.post(reverse("mfa_authenticate"), {"code": wrong})
        assert "Incorrect code." in response.content.decode()
    response = client.post(reverse("mfa_authenticate"), {"code": _code(secret)})
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts. Try again later." in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["superuser_not_staff", "role_not_staff"])
def test_permissions_without_the_staff_flag_need_the_second_factor_too(
        client, settings, application, other_participant, how):
    """The staff flag only opens the admin: a superuser or a member of a role's group without it
    still holds the permissions that open pages outside the admin (an applicant's CV)."""
    from django.contrib.auth.models import Group

    from portal.roles import COURSE_ADMINISTRATOR

    settings.STAFF_MFA_REQUIRED = True
    if how == "superuser_not_staff":
        other_participant.is_superuser = True
        other_participant.save()
    else:
        other_participant.groups.add(Group.objects.get(name=COURSE_ADMINISTRATOR))
    client.force_login(other_participant)
    response = client.get(reverse("application_cv", args=[application.pk]))
    if how == "superuser_not_staff":
        assert (response.status_code, response["Location"]) == (302, reverse("mfa_activate_totp"))
    else:  # the role's permissions count for staff only: not found, like for any participant
        assert response.status_code == 404
