"""Statements in the admin: finance uploads (the import runs after the commit), follows the
progress, reads the lines by result and matches an unmatched line by hand; nobody else may."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from billing.models import BankStatement, Payment, StatementLine
from billing.payments import balance_of
from tests.billing.statement_files import Move, camt053
from tests.billing.test_statements_import import digits, invoice_for, upload

Result = StatementLine.Result
ADD = "admin:billing_bankstatement_add"


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies["django_language"] = "en"  # the wording checked below is the English source


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def post_statement(client, data, name="afschrift.xml"):
    return client.post(reverse(ADD), {"file": SimpleUploadedFile(name, data)})


def test_finance_uploads_and_the_import_runs_after_the_commit(
    client, finance_user, django_capture_on_commit_callbacks
):
    invoice = invoice_for("An", "Peeters")
    data = camt053([Move("450.00", ogm=digits(invoice)),
                    Move("120.00", text="Voorschot", name="Onbekend")])
    client.force_login(finance_user)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = post_statement(client, data, name="CAMT_2026-03-03")  # no extension
    assert len(callbacks) == 1
    statement = BankStatement.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:billing_bankstatement_change", args=[statement.pk])
    assert (statement.status, statement.original_name, statement.uploaded_by) == (
        "done", "CAMT_2026-03-03", finance_user)
    assert len(statement.sha256) == 64
    assert balance_of(invoice).status == "paid"
    assert Payment.objects.get().recorded_by == finance_user

    page = client.get(response.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert '<progress id="statement-progress-bar" max="2" value="2">' in html
    assert "js/statement_progress.js" in html
    assert "result__exact=unmatched" in html

    progress = client.get(reverse("admin:billing_bankstatement_progress", args=[statement.pk]))
    data = progress.json()
    assert data.pop("status_display") == "done"  # the client asks for English (see _english)
    assert data == {
        "status": "done", "lines_done": 2, "lines_total": 2,
        "error": "", "results": {"matched": 1, "already_imported": 0, "unmatched": 1,
                                 "error": 0},
    }
    lines = client.get(reverse("admin:billing_statementline_changelist"),
                       {"statement__id__exact": statement.pk, "result__exact": "unmatched"})
    assert lines.status_code == 200
    assert list(lines.context["cl"].result_list) == [statement.lines.get(position=2)]


def test_uploading_the_same_file_again_warns_and_changes_nothing(
    client, finance_user, django_capture_on_commit_callbacks
):
    invoice = invoice_for("An", "Peeters")
    data = camt053([Move("450.00", ogm=digits(invoice))])
    client.force_login(finance_user)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = post_statement(client, data)
    assert "uploaded before" in client.get(response.url).content.decode()
    assert Payment.objects.count() == 1
    assert BankStatement.objects.order_by("pk").last().lines.get().result == \
        Result.ALREADY_IMPORTED


def test_too_large_a_file_is_refused(client, finance_user, settings):
    client.force_login(finance_user)
    response = post_statement(client, b"0" * (20 * 1024 * 1024 + 1))
    assert response.status_code == 200 and "larger than 20 MB" in response.content.decode()
    assert not BankStatement.objects.exists()


def test_finance_matches_an_unmatched_line_by_hand(client, finance_user):
    invoice = invoice_for("Dirk", "Janssens")
    statement = upload(camt053([Move("450.00", text="inschrijving", name="JANSSENS D")]))
    line = statement.lines.get()
    assert (line.result, line.suggested_invoice) == (Result.UNMATCHED, invoice)
    client.force_login(finance_user)
    url = reverse("admin:billing_statementline_match", args=[line.pk])
    page = client.get(url)
    # The suggestion, prefilled by its structured communication (numbers repeat across
    # organizers).
    assert f'value="{invoice.structured_communication}"' in page.content.decode()
    response = client.post(url, {"invoice": invoice.structured_communication})
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.result, line.invoice) == (Result.MATCHED, invoice)
    payment = line.payment
    assert (payment.amount, payment.recorded_by, payment.invoice) == (
        Decimal("450.00"), finance_user, invoice)
    assert balance_of(invoice).status == "paid"
    again = client.post(url, {"invoice": invoice.number})
    assert "Only an unmatched line" in again.content.decode()
    assert Payment.objects.count() == 1


def test_the_prefilled_suggestion_matches_when_organizers_share_invoice_numbers(
    client, finance_user
):
    """Each organizer numbers its own series (2027-000001 at every organizer): the suggestion
    was prefilled by its number, which find_invoice then refused as ambiguous."""
    other = invoice_for("An", "Peeters")
    invoice = invoice_for("Dirk", "Janssens")
    assert other.organizer != invoice.organizer and other.number == invoice.number
    line = upload(camt053([Move("450.00", text="inschrijving", name="JANSSENS D")])).lines.get()
    assert line.suggested_invoice == invoice
    client.force_login(finance_user)
    url = reverse("admin:billing_statementline_match", args=[line.pk])
    prefilled = client.get(url).context["form"]["invoice"].value()
    response = client.post(url, {"invoice": prefilled})
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.result, line.invoice) == (Result.MATCHED, invoice)


def test_manual_matching_refuses_a_movement_already_recorded_and_unknown_invoices(
    client, finance_user
):
    invoice = invoice_for("An", "Peeters")
    first = upload(camt053([Move("450.00", text="betaling", ref="SAME")]))
    second = upload(camt053([Move("450.00", text="betaling", ref="SAME")]))
    # The same movement imported again while still unmatched points at its first line: it is
    # matched there, once.
    assert second.lines.get().result == Result.ALREADY_IMPORTED
    client.force_login(finance_user)
    not_that_one = client.post(
        reverse("admin:billing_statementline_match", args=[second.lines.get().pk]),
        {"invoice": invoice.number})
    assert "Only an unmatched line can be matched by hand." in not_that_one.content.decode()
    client.post(reverse("admin:billing_statementline_match", args=[first.lines.get().pk]),
                {"invoice": invoice.number})
    # A copy stored unmatched before imports pointed at the first line is still refused.
    second.lines.update(result=Result.UNMATCHED)
    refused = client.post(
        reverse("admin:billing_statementline_match", args=[second.lines.get().pk]),
        {"invoice": invoice.number})
    assert "already recorded" in refused.content.decode()
    unknown = client.post(
        reverse("admin:billing_statementline_match", args=[second.lines.get().pk]),
        {"invoice": "2099-999999"})
    assert "No invoice has the number 2099-999999" in unknown.content.decode()
    assert Payment.objects.count() == 1


def test_others_may_not_upload_follow_or_match(client, course_admin, participant):
    statement = upload(camt053([Move("450.00", text="x")]))
    urls = [reverse(ADD),
            reverse("admin:billing_bankstatement_progress", args=[statement.pk]),
            reverse("admin:billing_statementline_match", args=[statement.lines.get().pk])]
    client.force_login(course_admin)
    assert post_statement(client, b"<x/>").status_code == 403
    assert [client.get(url).status_code for url in urls] == [403, 403, 403]
    client.force_login(participant)
    response = post_statement(client, b"<x/>")
    assert response.status_code == 302 and "login" in response.url
    assert all("login" in client.get(url).url for url in urls)
    assert BankStatement.objects.count() == 1 and not Payment.objects.exists()
