"""Finance reads Dutch: what the statement import stores (line results, parser errors) is kept
as a code and its parameters and worded in the reader's language when shown, rows stored
before the codes keep their English; SEPA and IBAN/BIC errors are worded in the request's
language (locale/nl)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from billing.models import BankStatement, Refund, SepaExport, StatementLine
from billing.statements.texts import TEXTS
from tests.billing.statement_files import Move, camt053
from tests.billing.test_sepa import credit_note, refund
from tests.billing.test_statements_import import digits, invoice_for, upload


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_every_statement_text_has_its_dutch():
    with translation.override("nl"):
        assert [text for text in TEXTS.values() if gettext(text) == text] == []


def test_line_results_are_stored_as_codes_and_shown_in_the_readers_language(
        client, finance_user):
    invoice = invoice_for("An", "Peeters")
    statement = upload(camt053([Move("450.00", ogm=digits(invoice)),
                                Move("120.00", text="Voorschot", name="Onbekend"),
                                Move("-30.00", text="Kosten")]))
    paid, unmatched, debit = statement.lines.order_by("position")
    assert (paid.message_code, paid.message_params) == ("paid", {"number": invoice.number})
    assert (unmatched.message_code, debit.message_code) == ("no_structured", "debit")
    assert paid.message == f"Paid invoice {invoice.number}."  # English kept in the column
    with translation.override("nl"):
        assert paid.shown_message() == f"Factuur {invoice.number} betaald."
        assert debit.shown_message().startswith("Uitgaande overschrijving (debet)")
    with translation.override("en"):
        assert paid.shown_message() == f"Paid invoice {invoice.number}."

    client.force_login(finance_user)
    url = reverse("admin:billing_statementline_changelist")
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Geen gestructureerde mededeling." in page and "No structured" not in page
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No structured communication." in page
    change = reverse("admin:billing_statementline_change", args=[debit.pk])
    page = client.get(change, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Uitgaande overschrijving" in page


def test_a_suggestion_and_an_earlier_import_are_worded_in_both_languages(db):
    invoice = invoice_for("An", "Peeters")
    upload(camt053([Move("450.00", ogm=digits(invoice), ref="B1")]), name="first.xml")
    other = invoice_for("Jan", "Janssens")
    again = upload(camt053([Move("450.00", ogm=digits(invoice), ref="B1"),
                            Move(str(other.total), text="cursus", name="JANSSENS JAN")]),
                   name="second.xml")
    earlier, suggested = again.lines.order_by("position")
    assert earlier.message_code == "already_imported"
    with translation.override("nl"):
        assert earlier.shown_message() == (f"Al ingelezen (uittreksel first.xml, regel 1, "
                                           f"factuur {invoice.number}): niets nieuws.")
        assert suggested.shown_message() == (
            f"Geen gestructureerde mededeling. Voorstel: factuur {other.number} (zelfde "
            "bedrag, gelijkaardige naam); controleer en koppel ze met de hand.")
    with translation.override("en"):
        assert f"Suggestion: invoice {other.number}" in suggested.shown_message()


def test_a_failed_import_says_why_in_dutch_and_in_english(client, finance_user):
    statement = upload(b"%PDF-1.7 rekeninguittreksel", name="uittreksel.pdf")
    assert (statement.status, statement.error_code) == ("failed", "pdf")
    assert "It is a PDF" in statement.error
    client.force_login(finance_user)
    change = reverse("admin:billing_bankstatement_change", args=[statement.pk])
    progress = reverse("admin:billing_bankstatement_progress", args=[statement.pk])
    nl = client.get(change, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Het is een pdf" in nl and "It is a PDF" not in nl
    assert "Het is een pdf" in client.get(progress, HTTP_ACCEPT_LANGUAGE="nl").json()["error"]
    assert "It is a PDF" in client.get(change, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_a_parser_error_keeps_its_numbers_in_dutch():
    from billing.statements.parsed import StatementFormatError

    error = StatementFormatError("coda_trailer", line=9, records=4, debit="0.00",
                                 credit="450.00", counted=4, counted_debit="0.00",
                                 counted_credit="451.00")
    assert str(error).startswith("Line 9: the trailer announces 4 records")
    with translation.override("nl"):
        worded = error.text.shown()
    assert worded.startswith("Regel 9: de afsluiting meldt 4 records") and "451.00" in worded


def test_rows_stored_before_the_codes_show_their_english(db):
    invoice = invoice_for("An", "Peeters")
    statement = BankStatement.objects.create(original_name="old.xml", status="failed",
                                             error="The file is empty.")
    line = StatementLine.objects.create(statement=statement, dedup_key="k", position=1,
                                        result="matched", message="Paid invoice X.",
                                        invoice=invoice)
    unknown = StatementLine.objects.create(statement=statement, dedup_key="j", position=2,
                                           result="error", message="Old words.",
                                           message_code="gone", message_params={"a": 1})
    with translation.override("nl"):
        assert statement.shown_error() == "The file is empty."
        assert line.shown_message() == "Paid invoice X."
        assert unknown.shown_message() == "Old words."


def test_a_hand_match_is_worded_in_the_readers_language(client, finance_user):
    invoice = invoice_for("An", "Peeters")
    statement = upload(camt053([Move(str(invoice.total), text="cursus", name="Onbekend")]))
    line = statement.lines.get()
    client.force_login(finance_user)
    client.post(reverse("admin:billing_statementline_match", args=[line.pk]),
                {"invoice": invoice.structured_communication}, HTTP_ACCEPT_LANGUAGE="nl")
    line.refresh_from_db()
    assert line.message_code == "matched_by_hand"
    with translation.override("en"):
        assert line.shown_message().startswith(f"Matched by hand with invoice {invoice.number}")
    with translation.override("nl"):
        assert line.shown_message().startswith(f"Met de hand gekoppeld aan factuur "
                                               f"{invoice.number}")


# --- SEPA and IBAN/BIC ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("language,words", [
    ("nl", ["is geen BIC", "kloppen niet"]),
    ("en", ["is not a BIC", "are wrong"]),
])
def test_a_refund_with_a_bad_bic_or_iban_is_refused_in_words(client, finance_user,
                                                            language, words):
    note = credit_note()
    client.force_login(finance_user)
    response = client.post(reverse("admin:billing_refund_add"), {
        "credit_note": note.pk, "amount": "10.00", "beneficiary_name": "An Peeters",
        "iban": "BE71096123456760", "bic": "GKCC BE"}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200 and not Refund.objects.exists()
    page = response.content.decode()
    assert all(word in page for word in words), page[-3000:]


@pytest.mark.django_db
@pytest.mark.parametrize("language,words", [("nl", "is geen BIC"), ("en", "is not a BIC")])
def test_a_sepa_export_refused_for_a_stored_bad_bic_says_so_in_the_readers_language(
        client, finance_user, language, words):
    bad = refund(credit_note(), bic="NOTABIC")  # stored before the form checked BICs
    client.force_login(finance_user)
    response = client.post(reverse("admin:billing_refund_changelist"),
                           {"action": "export_to_sepa", "_selected_action": [str(bad.pk)]},
                           HTTP_ACCEPT_LANGUAGE=language, follow=True)
    assert response.status_code == 200 and not SepaExport.objects.exists()
    assert words in response.content.decode()


def test_post_statement_upload_of_a_pdf_names_it(client, finance_user,
                                                 django_capture_on_commit_callbacks):
    client.force_login(finance_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:billing_bankstatement_add"),
                               {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.4 x")},
                               HTTP_ACCEPT_LANGUAGE="nl")
    # Refused on the form since the upload reads the file's first bytes: nothing stored.
    assert "Het is een pdf" in response.content.decode()
    assert not BankStatement.objects.exists()


@pytest.mark.parametrize("make", ["camt053", "coda"])
def test_an_amount_too_large_for_the_books_is_an_error_line_not_a_stuck_import(db,
                                                                               make):
    """It raised 'numeric field overflow' in the batch: the import stopped in 'processing'."""
    from billing.models import Payment
    from tests.billing import statement_files

    data = getattr(statement_files, make)([Move("450.00", text="a", name="A"),
                                           Move("123456789012.00", text="x", name="B")])
    statement = upload(data, name="big")
    assert statement.status == "done" and not Payment.objects.exists()
    line = statement.lines.get(position=2)
    assert (line.result, line.amount, line.message_code) == ("error", None, "amount_too_large")
    assert line.message.startswith("The amount 123456789012.00 is larger than")
    with translation.override("nl"):
        assert line.shown_message().startswith("Het bedrag 123456789012.00 is groter")
