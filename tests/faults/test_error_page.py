"""The error page (portal/errors.py, templates/500.html) in this process: 503 with Retry-After
when the database connection failed, 500 otherwise; the person's language; no detail."""

import pytest
from django.test import Client

pytestmark = pytest.mark.urls("tests.faults.urls")


@pytest.fixture
def browser():
    return Client(raise_request_exception=False)


@pytest.mark.parametrize(("language", "title"), [("en", "Temporarily unavailable"),
                                                  ("nl", '<html lang="nl">')])
def test_a_lost_database_gives_503_in_the_persons_language(browser, language, title):
    browser.cookies["django_language"] = language
    response = browser.get("/faults/lost-database/")
    body = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert title in body
    assert "10.0.0.5" not in body and "5432" not in body and "OperationalError" not in body


def test_any_other_error_gives_500_without_detail(browser):
    browser.cookies["django_language"] = "en"
    response = browser.get("/faults/bug/")
    body = response.content.decode()
    assert response.status_code == 500 and not response.has_header("Retry-After")
    assert "Something went wrong" in body
    assert "secret detail" not in body and "ZeroDivisionError" not in body


@pytest.mark.django_db
@pytest.mark.parametrize("address", ["/editions/NO-SUCH-EDITION/", "/editions/%00/"])
def test_an_unknown_address_gets_the_portals_404_page(browser, address):
    browser.cookies["django_language"] = "en"
    response = browser.get(address)
    body = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in body and 'href="/"' in body


@pytest.mark.django_db
def test_a_forbidden_page_gets_the_portals_403_page(browser, participant):
    browser.force_login(participant)
    browser.cookies["django_language"] = "en"
    response = browser.get("/admin/login/")  # a participant in the staff log-in: refused
    assert response.status_code == 403
    assert "No access" in response.content.decode()
