"""Certificates as the holder receives them (documents audit): the file name in the holder's
language, the kind of course written as a table cell (capital), the percentage as every other
percentage, the footer read in one piece. Read from the real PDF (pdftotext) and response."""

from datetime import date

import pytest
from django.urls import reverse

from certificates.pdf import render_certificate_pdf
from certificates.services import (
    issue_credit_certificate,
    issue_getuigschrift,
    issue_participation_certificate,
    issue_registration_certificate,
)
from portal.outbox import render_attachment
from tests.billing.test_invoice_pdf import flat, pdf_text, translated
from tests.certificates.conftest import attend, results

ISSUED = date(2026, 11, 3)


@pytest.mark.parametrize(("language", "expected"), [
    ("nl", "deelnameattest-TM-26.pdf"), ("en", "participation-certificate-TM-26.pdf"),
])
def test_the_participation_certificate_is_named_in_the_holders_language(
        client, short_registration, holder, language, expected):
    holder.preferred_language = language
    holder.save()
    attend(short_registration, 5)
    certificate = issue_participation_certificate(short_registration, today=ISSUED)
    client.force_login(holder)

    response = client.get(reverse("certificate_download", args=[certificate.pk]))

    assert response["Content-Disposition"] == f'attachment; filename="{expected}"'
    assert render_attachment({"kind": "certificate_pdf", "id": certificate.pk})[0] == expected


def test_the_registration_certificate_is_an_inschrijvingsattest(short_registration):
    certificate = issue_registration_certificate(short_registration, today=ISSUED)

    assert certificate.filename == "inschrijvingsattest-TM-26.pdf"


def test_getuigschrift_and_credit_certificate(postgraduate_registration, micro_registration,
                                              exam_committee_member):
    results(postgraduate_registration, exam_committee_member, "18", "17")
    results(micro_registration, exam_committee_member, "12", "8")
    getuigschrift = issue_getuigschrift(postgraduate_registration, today=ISSUED)
    unit = micro_registration.edition.course.units.order_by("position").first()
    credit = issue_credit_certificate(micro_registration, unit, today=ISSUED)

    assert getuigschrift.filename == f"getuigschrift-{postgraduate_registration.edition.code}.pdf"
    assert credit.filename == (
        f"creditbewijs-{micro_registration.edition.code}-{unit.code}.pdf")

    text = flat(pdf_text(render_certificate_pdf(getuigschrift)))
    # A table cell starts with a capital, as on the registration certificate ("Korte opleiding").
    kind = translated("nl", "postgraduate")
    assert f"{kind[0].upper()}{kind[1:]}" in text and f" {kind} " not in text
    assert "88 %" in text


def test_the_footer_reads_in_one_piece(short_registration):
    certificate = issue_registration_certificate(short_registration, today=ISSUED)

    lines = [line.strip() for line in pdf_text(render_certificate_pdf(certificate)).splitlines()]

    assert any(line.startswith("Academie voor Levenslang Leren · ") and certificate.code in line
               for line in lines), lines[-3:]
