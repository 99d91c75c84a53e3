"""Finance imports a camt.053 statement in the admin and the participant sees the invoice paid
on the dashboard: in headless Chromium against the live server (real commits, so the import
task, eager in tests, runs when the upload commits)."""

import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from billing.models import BankStatement, StatementLine
from billing.payments import balance_of
from portal.roles import FINANCE
from tests.billing.statement_files import Move, camt053
from tests.billing.test_statements_import import digits, invoice_for
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FINANCE_PERMISSIONS = ["add_bankstatement", "view_bankstatement", "view_statementline",
                       "change_statementline", "add_payment", "view_payment", "view_invoice"]


def finance_staff():
    """The role group comes from a data migration, which an earlier test in a real transaction
    may have flushed away: made again here with what this journey needs."""
    group, _ = Group.objects.get_or_create(name=FINANCE)
    group.permissions.add(*Permission.objects.filter(content_type__app_label="billing",
                                                     codename__in=FINANCE_PERMISSIONS))
    user = UserFactory(email="finance@example.org", is_staff=True)
    user.groups.add(group)
    return user


def log_in(page, live_server, user):
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    # Staff land in the admin, participants on their dashboard.
    expect(page).to_have_url(re.compile(r"/admin/$" if user.is_staff else r"/dashboard/$"))


def test_finance_imports_a_statement_and_the_participant_sees_the_invoice_paid(
    page, live_server, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    invoice = invoice_for("An", "Peeters")
    participant = invoice.user
    finance = finance_staff()
    statement_file = camt053([Move("450.00", ogm=digits(invoice), name="AN PEETERS")])

    log_in(page, live_server, finance)
    page.goto(live_server.url + "/admin/billing/bankstatement/add/")
    page.set_input_files("input[name=file]", files=[{
        "name": "BE68539007547034_20260303.xml", "mimeType": "application/xml",
        "buffer": statement_file,
    }])
    page.locator("input[name=_save]").click()
    expect(page).to_have_url(re.compile(r"/admin/billing/bankstatement/\d+/change/$"))
    bar = page.locator("#statement-progress-bar")
    expect(bar).to_have_attribute("value", "1")
    expect(bar).to_have_attribute("max", "1")

    statement = BankStatement.objects.get()
    assert statement.status == "done"
    page.goto(f"{live_server.url}/admin/billing/statementline/"
              f"?statement__id__exact={statement.pk}&result__exact=matched")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    expect(page.locator("#result_list")).to_contain_text(invoice.number)
    assert StatementLine.objects.get().result == "matched"
    assert balance_of(invoice).status == "paid"

    page.context.clear_cookies()
    log_in(page, live_server, participant)
    row = page.locator("#invoice-list tr", has_text=invoice.number)
    expect(row.locator(".invoice-status-paid")).to_be_visible()


def test_the_progress_bar_follows_an_import_running_elsewhere(page, live_server, tmp_path,
                                                               settings):
    """As with a real worker: the page polls the progress view and reloads when done."""
    settings.MEDIA_ROOT = tmp_path
    statement = BankStatement.objects.create(
        file=ContentFile(b"<x/>", name="s.xml"), original_name="s.xml", sha256="0" * 64,
        status=BankStatement.Status.PROCESSING, lines_total=10, lines_done=3,
    )
    log_in(page, live_server, finance_staff())
    page.goto(f"{live_server.url}/admin/billing/bankstatement/{statement.pk}/change/")
    bar = page.locator("#statement-progress-bar")
    expect(bar).to_have_js_property("value", 3)
    BankStatement.objects.filter(pk=statement.pk).update(lines_done=7)
    expect(bar).to_have_js_property("value", 7)
    expect(page.locator("#statement-progress-text")).to_contain_text("7 / 10")
    BankStatement.objects.filter(pk=statement.pk).update(lines_done=10, status="done")
    expect(page.locator("#statement-progress")).to_have_attribute("data-status", "done")
    expect(bar).to_have_js_property("value", 10)
