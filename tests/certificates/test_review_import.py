"""A results CSV that corrects several units of one registration marks its certificates in the
import's transaction and reviews them once for the registration, not once per line; the task
that may issue a certificate after a correction is queued once per registration."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certificates.models import Review
from certificates.services import issue_credit_certificate
from exams.services.results import import_results_csv
from tests.certificates.conftest import results

pytestmark = pytest.mark.django_db


def upload(lines, user):
    text = "email;unit;chance;result;reason\n" + "".join(f"{line}\n" for line in lines)
    return import_results_csv(io.BytesIO(text.encode("utf-8")), user)


def corrections(registration, *values):
    email = registration.user.email
    units = registration.edition.course.units.order_by("position")
    return [f"{email};{unit.code};1;{value};Second marking"
            for unit, value in zip(units, values, strict=True)]


@pytest.fixture
def two_credit_certificates(micro_registration, exam_committee_member):
    results(micro_registration, exam_committee_member, "13", "14")
    return [issue_credit_certificate(micro_registration, unit)
            for unit in micro_registration.edition.course.units.order_by("position")]


def test_corrections_of_two_units_mark_both_certificates_in_the_import(
        two_credit_certificates, micro_registration, exam_committee_member,
        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued:
        report = upload(corrections(micro_registration, "9", "8"), exam_committee_member)
    assert report.ok and report.created == 2
    for certificate in two_credit_certificates:
        certificate.refresh_from_db()
        assert certificate.review == Review.NOT_PASSED  # without any task having run
    assert len(queued) == 1  # one "issue what is due" task for the registration, not two


def test_the_certificates_are_reviewed_once_per_registration(
        two_credit_certificates, micro_registration, exam_committee_member):
    """Two lines cost what one line costs plus the line's own queries: the review (locking the
    certificates, the registration's records) is not repeated."""
    with CaptureQueriesContext(connection) as one_line:
        upload(corrections(micro_registration, "12", "13")[:1], exam_committee_member)
    with CaptureQueriesContext(connection) as two_lines:
        upload(corrections(micro_registration, "11", "12"), exam_committee_member)
    reviews = [query for query in two_lines.captured_queries
               if "FOR UPDATE" in query["sql"] and "certificates_certificate" in query["sql"]]
    assert len(reviews) == 1
    assert len(two_lines.captured_queries) < 2 * len(one_line.captured_queries)
