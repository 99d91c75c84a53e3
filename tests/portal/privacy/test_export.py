"""The data export (seed 2 art. 14, rules.md §8): everything of the person, nothing of others."""

import io
import json
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from portal.privacy.export import write_export

pytestmark = pytest.mark.django_db

URL = reverse("privacy_export")


def download(client, user):
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_export_holds_everything_of_the_person(client, people):
    me, _ = people
    archive = download(client, me.user)
    data = json.loads(archive.read("data.json"))

    assert data["profile"]["email"] == me.email
    assert data["profile"]["last_name"] == "Vandersteene"
    assert data["profile"]["phone"] == me.phone
    assert data["profile"]["street"] == me.street
    assert data["profile"]["date_of_birth"] == "1984-03-09"
    [registration] = data["registrations"]
    assert registration["id"] == me.registration.pk
    assert registration["edition"]["code"] == me.registration.edition.code
    assert registration["total"] == "450.00"
    [entry] = data["waiting_list_entries"]
    assert entry["status"] == "waiting"
    [application] = data["admission_applications"]
    assert application["motivation"].startswith("I am Annelies")
    [invoice] = data["invoices"]
    assert invoice["number"] == me.invoice.number
    assert invoice["customer_name"] == me.full_name
    assert invoice["lines"][0]["total"] == "450.00"
    assert invoice["payments"][0]["amount"] == "100.00"
    [note] = data["credit_notes"]
    assert note["number"] == me.credit_note.number and note["total"] == "10.00"
    [enrolment] = data["exam_enrolments"]
    assert enrolment["unit"] == "PRIV1" and enrolment["result"] == "14.5/20"
    [certificate] = data["certificates"]
    assert certificate["verification_code"] == me.certificate.code
    assert [mail["subject"] for mail in data["emails"]] == [f"Welcome {me.full_name}"]

    names = set(archive.namelist())
    assert names == {
        "data.json", invoice["pdf"], note["pdf"], certificate["pdf"], application["cv_file"]
    }
    assert me.invoice.number in pdf_text(archive.read(invoice["pdf"]))
    assert me.credit_note.number in pdf_text(archive.read(note["pdf"]))
    assert me.full_name in pdf_text(archive.read(certificate["pdf"]))
    assert archive.read(application["cv_file"]) == b"%PDF-1.4 cv of " + me.full_name.encode()


def test_nothing_of_the_other_participant_on_the_same_edition_and_series(client, people):
    me, other = people
    assert me.invoice.organizer_id == other.invoice.organizer_id  # one number series
    assert me.registration.edition_id == other.registration.edition_id
    archive = download(client, me.user)
    texts = {"data.json": archive.read("data.json").decode()}
    for name in archive.namelist():
        if name.endswith(".pdf") and not name.startswith("uploads/"):
            texts[name] = pdf_text(archive.read(name))
    texts["cv"] = archive.read(f"uploads/cv-{me.application.pk}.pdf").decode()
    for name, text in texts.items():
        for identifier in [*other.identifiers, other.invoice.number,
                           other.credit_note.number, other.certificate.code,
                           other.invoice.structured_communication]:
            assert identifier not in text, (name, identifier)
        # Staff who recorded, decided or entered something are other people too.
        assert "finance@example.org" not in text, name


def test_each_participant_gets_their_own(client, people):
    me, other = people
    data = json.loads(download(client, other.user).read("data.json"))
    assert data["profile"]["email"] == other.email
    assert [row["number"] for row in data["invoices"]] == [other.invoice.number]
    assert me.email not in json.dumps(data)


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_staff_download_only_their_own_data(client, people, finance_user, course_admin):
    me, _ = people
    for staff in (finance_user, course_admin):
        data = json.loads(download(client, staff).read("data.json"))
        assert data["profile"]["email"] == staff.email
        assert data["invoices"] == [] and me.email not in json.dumps(data)


def test_the_number_of_queries_does_not_grow_with_the_rows(people, shared):
    from billing.invoicing import issue_credit_note
    from tests.factories import EditionFactory, InvoiceFactory, RegistrationFactory

    me, _ = people

    def queries():
        with CaptureQueriesContext(connection) as captured:
            write_export(me.user, io.BytesIO())
        return len(captured)

    before = queries()
    organizer = shared["edition"].course.organizer
    for _ in range(3):
        registration = RegistrationFactory(
            user=me.user, edition=EditionFactory(course__organizer=organizer)
        )
        invoice = InvoiceFactory(registrations=[registration])
        issue_credit_note(invoice=invoice, net=invoice.net_total, vat=invoice.vat_total,
                          reason="Cancelled")
    assert queries() == before
    assert before < 40


def test_downloads_in_a_row_are_limited(client, participant):
    from portal.privacy.views import EXPORTS_PER_WINDOW

    client.force_login(participant)
    for _ in range(EXPORTS_PER_WINDOW):
        assert client.get(URL).status_code == 200
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"] == reverse("privacy")


def test_the_zip_streams_data_json_first_and_skips_a_document_that_fails(people):
    from portal.privacy.export import collect, stream_export

    me, _ = people
    data, documents = collect(me.user)
    rendered = []

    def pdf(name):
        def render():
            rendered.append(name)
            if name == "broken.pdf":
                raise ValueError("cannot render")
            return f"%PDF {name}".encode() + bytes(range(256)) * 400
        return render

    names = ["a.pdf", "broken.pdf", "b.pdf"]
    chunks = stream_export(me.user, (data, [(name, pdf(name)) for name in names]))
    first = next(chunks)
    assert b"data.json" in first and rendered == []
    archive = zipfile.ZipFile(io.BytesIO(first + b"".join(chunks)))
    assert archive.namelist() == ["data.json", "a.pdf", "b.pdf"]
    assert rendered == names
    assert json.loads(archive.read("data.json"))["profile"]["email"] == me.user.email
    assert archive.read("b.pdf").startswith(b"%PDF b.pdf")
