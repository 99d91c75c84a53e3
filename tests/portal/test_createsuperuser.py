"""The README's Deployment section: `manage.py createsuperuser`, then log in at /admin/. Log-in
goes through allauth, which holds back any address not verified: the first administrator,
typed at the server's console, was sent a verification mail instead (and, without SMTP set up
yet, could not get in at all)."""

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command

from portal.models import User

PASSWORD = "first-administrator-2026"


@pytest.mark.django_db
def test_the_superuser_made_at_the_console_logs_in_at_once(client, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("createsuperuser", interactive=False, email="Ops@Example.org", verbosity=0)

    user = User.objects.get(email="ops@example.org")
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified, address.primary) == ("ops@example.org", True, True)
    response = client.post("/accounts/login/?next=/admin/",
                           {"login": "ops@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == "/admin/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_an_existing_account_keeps_its_own_addresses(monkeypatch, django_user_model):
    other = django_user_model.objects.create_user(email="an@example.org", password=PASSWORD)
    EmailAddress.objects.create(user=other, email=other.email, verified=False, primary=True)
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("createsuperuser", interactive=False, email="ops@example.org", verbosity=0)

    assert not EmailAddress.objects.get(user=other).verified
