"""Certificate PDFs (rules.md §7): read back with pdftotext, in the holder's language (Dutch and
English), with name, title, verification code, signatory and date; the QR code, rasterised and
decoded with zbarimg, carries the address of the public verification page."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from certificates.models import Certificate
from certificates.pdf import render_certificate_pdf, verification_url
from certificates.services import (
    issue_credit_certificate,
    issue_getuigschrift,
    issue_participation_certificate,
    issue_registration_certificate,
    revoke_certificate,
)
from portal.outbox import render_attachment
from registrations.models import AdmissionApplication
from tests.billing.test_invoice_pdf import flat, pdf_text, qr_payloads, translated
from tests.certificates.conftest import SIGNATORY, attend, results
from tests.factories import EditionFactory, RegistrationFactory

ISSUED = date(2026, 11, 3)


def text_of(certificate) -> str:
    return flat(pdf_text(render_certificate_pdf(certificate)))


def test_participation_certificate_in_dutch(short_registration):
    attend(short_registration, 5)
    certificate = issue_participation_certificate(short_registration, today=ISSUED)

    text = text_of(certificate)

    assert translated("nl", "Participation certificate").upper() in text.upper()
    assert "Anna Peeters" in text
    assert "Timemanagement voor teams" in text
    assert certificate.code in text
    assert SIGNATORY in text and "Voorzitter" in text
    assert "03/11/2026" in text
    assert "Academie voor Levenslang Leren" in text
    assert "05/10/2026" in text and "02/11/2026" in text


def test_participation_certificate_in_english(short_registration, holder):
    holder.preferred_language = "en"
    holder.save()
    attend(short_registration, 4, 1)
    certificate = issue_participation_certificate(short_registration, today=ISSUED)

    text = text_of(certificate)

    assert "PARTICIPATION CERTIFICATE" in text.upper()
    assert "Time management for teams" in text
    assert "Timemanagement" not in text
    assert "Chair" in text and SIGNATORY in text
    assert "4 of 5" in text
    assert certificate.code in text and "03/11/2026" in text


def test_the_qr_code_links_to_the_verification_page(short_registration, tmp_path, settings):
    settings.PORTAL_BASE_URL = "https://portal.example.be"
    certificate = issue_registration_certificate(short_registration)

    payloads = qr_payloads(render_certificate_pdf(certificate), tmp_path)

    assert payloads == [f"https://portal.example.be/certificates/verify/{certificate.code}/"]
    assert payloads[0] == verification_url(certificate)


def test_getuigschrift_prints_weighted_percentage_and_grade(postgraduate_registration,
                                                            exam_committee_member, holder):
    results(postgraduate_registration, exam_committee_member, "18", "17")
    dutch = text_of(issue_getuigschrift(postgraduate_registration, today=ISSUED))
    assert "Postgraduaat Data" in dutch
    assert "88 %" in dutch  # (18x6 + 17x4) / 200, written as every percentage is
    assert translated("nl", "with the greatest distinction") in dutch
    assert "10 ECTS" in dutch

    holder.preferred_language = "en"
    holder.save()
    english = text_of(Certificate.objects.get(kind="programme"))
    assert "Postgraduate Data" in english
    assert "with the greatest distinction" in english


def test_credit_certificate_names_the_unit_and_programme(micro_registration,
                                                         exam_committee_member):
    results(micro_registration, exam_committee_member, "12", "8")
    unit = micro_registration.edition.course.units.order_by("position").first()
    text = text_of(issue_credit_certificate(micro_registration, unit, today=ISSUED))
    assert "Statistiek" in text and unit.code in text
    assert "Microcredential AI" in text
    assert "6 ECTS" in text


def test_a_revoked_certificate_says_so(short_registration, course_admin):
    certificate = issue_registration_certificate(short_registration)
    revoke_certificate(certificate, "Afgeleverd bij vergissing", course_admin)
    text = text_of(certificate)
    assert translated("nl", "revoked").capitalize() in text
    assert "Afgeleverd bij vergissing" in text


def test_the_printed_certificate_stays_the_same(short_registration, holder):
    certificate = issue_registration_certificate(short_registration, today=ISSUED)
    holder.first_name = "Annelies"
    holder.save()
    assert "Anna Peeters" in text_of(certificate)


def test_outbox_attachment(short_registration):
    certificate = issue_registration_certificate(short_registration)
    filename, content, mimetype = render_attachment({"kind": "certificate_pdf",
                                                     "id": certificate.pk})
    assert filename == "inschrijvingsattest-TM-26.pdf"  # the holder reads Dutch
    assert mimetype == "application/pdf" and certificate.code in pdf_text(content)


# The registration certificate (moved here from billing) -------------------------------------------


def test_the_registration_certificate(short_registration):
    certificate = issue_registration_certificate(short_registration, today=ISSUED)

    text = text_of(certificate)

    for word in translated("nl", "Registration certificate").upper().split():
        assert word in text.upper()
    assert "Anna Peeters" in text
    assert "12/04/1985" in text  # date of birth
    assert "Timemanagement voor teams" in text
    assert translated("nl", "short course").capitalize() in text  # a table cell: capitalised
    assert "TM-26" in text and "2026-2027" in text
    assert "Het Pand, Onderbergen 1, Gent" in text
    assert translated("nl", "confirmed").capitalize() in text
    assert SIGNATORY in text and "03/11/2026" in text
    assert certificate.code in text


def test_the_registration_certificate_confirms_an_admission(organizer, holder):
    edition = EditionFactory(course__organizer=organizer, admission_required=True)
    AdmissionApplication.objects.create(
        user=holder, edition=edition, motivation="m", prior_knowledge="p", experience="e",
        status=AdmissionApplication.Status.ADMITTED,
        decided_at=datetime(2026, 2, 20, 10, 0, tzinfo=ZoneInfo("Europe/Brussels")),
        register_before=date(2026, 3, 6),
    )
    registration = RegistrationFactory(user=holder, edition=edition)

    text = text_of(issue_registration_certificate(registration))

    admitted = "was admitted to and is registered for the following course:"
    assert flat(translated("nl", admitted)) in text
    assert "20/02/2026" in text


def test_the_registration_certificate_in_english_without_birth_date(organizer, other_participant):
    other_participant.first_name, other_participant.last_name = "John", "Smith"
    other_participant.preferred_language = "en"
    other_participant.save()
    edition = EditionFactory(course__organizer=organizer, course__title_en="Negotiation",
                             start=date(2026, 12, 1), end=date(2026, 12, 1))
    registration = RegistrationFactory(user=other_participant, edition=edition,
                                       registered_on=date(2026, 11, 2))

    text = text_of(issue_registration_certificate(registration))

    assert "REGISTRATION CERTIFICATE" in text.upper()
    assert "John Smith" in text and "Negotiation" in text
    assert "born on" not in text
    assert "02/11/2026" in text and "01/12/2026" in text


@pytest.mark.parametrize("language", ["nl", "en"])
def test_no_signatory_signs_for_the_organizer(short_registration, holder, language):
    from certificates.models import Signatory

    Signatory.objects.all().delete()
    holder.preferred_language = language
    holder.save()
    certificate = issue_registration_certificate(short_registration)
    assert certificate.signatory_name == ""
    text = text_of(certificate)
    expected = translated(language, "For %(organizer)s") % {
        "organizer": "Academie voor Levenslang Leren"}
    assert flat(expected) in text


def test_a_programme_signatory_comes_before_the_organizers(short_registration, organizer):
    from certificates.models import Signatory

    Signatory.objects.create(organizer=organizer, course=short_registration.edition.course,
                             name="Dr. Piet De Smet", function_nl="Programmadirecteur")
    certificate = issue_registration_certificate(short_registration)
    assert certificate.signatory_name == "Dr. Piet De Smet"
    assert "Programmadirecteur" in text_of(certificate)


def test_no_network_and_a_few_queries(short_registration, django_assert_max_num_queries):
    certificate = issue_registration_certificate(short_registration)
    with django_assert_max_num_queries(1):
        pdf = render_certificate_pdf(certificate)
    assert pdf.startswith(b"%PDF")

