"""The results CSV in both languages: the template staff download has its header in their
language, the upload reads the column names in Dutch or English (and the English names it has
always read), whatever the language of the person uploading, and an unknown or repeated column
is refused with a message in that person's language."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from exams.models import Result
from exams.services.results import import_results_csv
from tests.exams.conftest import enrolment

DUTCH = "e-mail;opleidingsonderdeel;examenkans;resultaat;inschrijving;reden"
ENGLISH = "email;unit;chance;result;registration;reason"


def upload(text, user, language="en"):
    with translation.override(language):
        return import_results_csv(io.BytesIO(text.encode("utf-8")), user)


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("header", [
    DUTCH, ENGLISH,
    "email;unit;chance;result",  # the old file, as it has always been
    "E-mail;Opleidingsonderdeel;Examenkans;Resultaat",  # as Excel users type them
    " EMAIL ;Unit;CHANCE;Result;",  # spaces, capitals, a trailing separator
    "e-mail;unit;examenkans;result",  # a mix
])
def test_either_languages_header_imports(registration,
                                         exam_committee_member, language, header):
    columns = header.count(";") + 1
    line = ";".join(["participant@example.org", "DATA1", "1", "14,5", str(registration.pk),
                     ""][:columns])
    report = upload(f"{header}\n{line}\n", exam_committee_member, language)
    assert report.errors == [] and report.created == 1
    assert enrolment(registration, "DATA1").results.get().value == Decimal("14.5")


@pytest.mark.parametrize(("language", "message"), [
    ("en", "Unknown column “resultat”. The columns are email, unit, chance, result and, "
           "optionally, registration, reason (in Dutch or English)."),
    ("nl", "Onbekende kolom “resultat”. De kolommen zijn e-mail, opleidingsonderdeel, "
           "examenkans, resultaat en, als je wilt, inschrijving, reden (in het Nederlands of "
           "het Engels)."),
])
def test_an_unknown_column_is_refused_in_the_users_language(
        registration, exam_committee_member, language, message):
    report = upload("email;unit;chance;resultat\nparticipant@example.org;DATA1;1;14\n",
                    exam_committee_member, language)
    assert report.errors == [(1, message)] and not Result.objects.exists()


def test_a_column_given_twice_or_missing_is_named_in_the_users_language(
        registration, exam_committee_member):
    twice = "email;unit;chance;result;resultaat\nparticipant@example.org;DATA1;1;14;15\n"
    assert upload(twice, exam_committee_member, "nl").errors == [
        (1, "De kolom “resultaat” staat er twee keer in.")]
    assert upload(twice, exam_committee_member, "en").errors == [
        (1, "The column “result” appears twice.")]
    assert "resultaat" in upload("e-mail;opleidingsonderdeel;examenkans\n",
                                 exam_committee_member, "nl").errors[0][1]
    assert not Result.objects.exists()


@pytest.mark.parametrize(("language", "header"), [("nl", DUTCH), ("en", ENGLISH)])
def test_the_template_round_trip(client, registration,
                                 exam_committee_member, language, header):
    """Download the template in your language, fill it in as Excel saves it (";", a BOM, a
    decimal comma), upload it: imported."""
    client.force_login(exam_committee_member)
    client.cookies["django_language"] = language
    page = client.get(reverse("admin:exams_result_upload")).content.decode()
    assert reverse("admin:exams_result_template") in page
    required = ", ".join(header.split(";")[:4])  # the upload page names them in your language
    assert f"{required}; " in page
    response = client.get(reverse("admin:exams_result_template"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    template = response.content.decode("utf-8")
    assert template == "\ufeff" + header + "\r\n"
    filled = template + f"participant@example.org;DATA2;1;12,5;{registration.pk};\r\n"
    response = client.post(reverse("admin:exams_result_upload"),
                           {"file": SimpleUploadedFile("results.csv", filled.encode("utf-8"))})
    assert response.status_code == 302
    assert enrolment(registration, "DATA2").results.get().value == Decimal("12.5")


def test_the_template_is_for_those_who_may_enter_results(client, participant):
    client.force_login(participant)
    assert client.get(reverse("admin:exams_result_template")).status_code in (302, 403)
