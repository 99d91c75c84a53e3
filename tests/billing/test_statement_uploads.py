"""What finance uploads as a bank statement: a file that is no statement at all (a PDF, a
spreadsheet, a CSV export) is refused on the upload form, in finance's language, and nothing is
stored (it used to be saved as a failed statement); a statement saved as UTF-16 text (Notepad's
"Unicode", some bank portals) is read like any other."""

import codecs
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from billing.models import BankStatement, Payment, StatementLine
from billing.payments import balance_of
from billing.statements.detect import parse_statement
from tests.billing.statement_files import Move, camt053, coda
from tests.billing.test_statements_import import digits, invoice_for, upload

pytestmark = pytest.mark.django_db
ADD = "admin:billing_bankstatement_add"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize(("language", "name", "data", "words"), [
    ("en", "afschrift.pdf", b"%PDF-1.7\n...", "It is a PDF"),
    ("nl", "afschrift.pdf", b"%PDF-1.7\n...", "Het is een pdf"),
    ("en", "export.csv", b"Datum;Bedrag\n02/03/2026;450,00\n",
     "This is not a camt.053 or CODA file."),
    ("nl", "export.xlsx", b"PK\x03\x04rest", "zip- of rekenbladbestand"),
])
def test_a_file_that_is_no_statement_is_refused_on_the_form(
    client, finance_user, language, name, data, words
):
    client.force_login(finance_user)
    response = client.post(reverse(ADD), {"file": SimpleUploadedFile(name, data)},
                           HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert words in response.content.decode()
    assert not BankStatement.objects.exists()


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_camt053_saved_as_utf16_is_imported(client, finance_user, encoding,
                                              django_capture_on_commit_callbacks):
    invoice = invoice_for("Zoë", "Peeters")
    text = camt053([Move(str(invoice.total), ogm=digits(invoice), name="Zoë Peeters")]).decode()
    text = text.replace("encoding='UTF-8'", "encoding='UTF-16'")
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}.get(encoding, b"")
    data = bom + text.encode(encoding)
    client.force_login(finance_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(ADD), {"file": SimpleUploadedFile("camt.xml", data)})
    assert response.status_code == 302
    statement = BankStatement.objects.get()
    assert statement.status == "done"
    line = statement.lines.get()
    assert (line.result, line.counterparty_name) == (StatementLine.Result.MATCHED, "Zoë Peeters")
    assert balance_of(invoice).status == "paid"


def test_a_coda_file_saved_as_utf16_is_imported():
    invoice = invoice_for("An", "Peeters")
    data = coda([Move(str(invoice.total), ogm=digits(invoice))]).decode("latin-1")
    statement = upload(codecs.BOM_UTF16_LE + data.encode("utf-16-le"), name="coda.cod")
    assert statement.status == "done" and statement.format == "coda"
    assert Payment.objects.get().amount == Decimal(invoice.total)


def test_utf16_without_a_byte_order_mark_is_said_not_guessed():
    text = camt053([Move("10.00", text="x")]).decode()
    with pytest.raises(Exception, match="UTF-16"):
        parse_statement(text.encode("utf-16-le"))
