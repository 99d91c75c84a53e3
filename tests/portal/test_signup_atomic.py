"""Sign-up is one transaction (portal/account_views.py): when the verification mail cannot be
queued, no account is left behind, and the same address can sign up once the fault is gone.
Before, the user and their address were committed one by one and an account without its mail
stayed; the address then only got "an account already exists"."""

import pytest
from allauth.account.models import EmailAddress
from django.db import connection
from django.test import Client

from portal.models import OutgoingEmail, User
from tests.portal.test_account_mail_outbox import sign_up

# Real commits: the view's own transaction is what is tested.
pytestmark = pytest.mark.django_db(transaction=True)

EMAIL = "an.peeters@example.org"


@pytest.fixture
def outbox_refuses():
    """A fault in the database, not in our code: inserting an outbox row raises."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION test_refuse_mail() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'test fault: outbox refused'; END $$")
        cursor.execute("CREATE TRIGGER test_refuse_mail BEFORE INSERT ON portal_outgoingemail "
                       "FOR EACH ROW EXECUTE FUNCTION test_refuse_mail()")
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER IF EXISTS test_refuse_mail ON portal_outgoingemail")
        cursor.execute("DROP FUNCTION IF EXISTS test_refuse_mail()")


def remove_the_fault():
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER test_refuse_mail ON portal_outgoingemail")


def test_a_sign_up_whose_mail_cannot_be_queued_leaves_no_account(outbox_refuses):
    browser = Client(raise_request_exception=False)
    response = sign_up(browser, EMAIL)
    assert response.status_code == 500
    assert not User.objects.filter(email=EMAIL).exists()
    assert not EmailAddress.objects.filter(email=EMAIL).exists()
    assert not OutgoingEmail.objects.exists()

    remove_the_fault()
    response = sign_up(Client(), EMAIL)
    assert response.status_code == 302
    user = User.objects.get(email=EMAIL)
    assert (user.first_name, user.last_name) == ("An", "Peeters")
    assert EmailAddress.objects.get(email=EMAIL).verified is False
    assert OutgoingEmail.objects.get().recipient == EMAIL


def test_a_sign_up_commits_the_account_with_its_mail():
    response = sign_up(Client(), EMAIL)
    assert response.status_code == 302
    assert User.objects.filter(email=EMAIL).count() == 1
    assert OutgoingEmail.objects.filter(recipient=EMAIL).count() == 1
