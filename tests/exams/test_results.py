"""Results: 0-20 or a code, append-only with who and why; CSV upload all or nothing."""

import io
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from exams.models import ExamRules, Result
from exams.services.results import ResultRefused, import_results_csv, record_result
from tests.exams.conftest import enrolment, enter


def test_a_correction_supersedes_with_who_and_why(registration, exam_committee_member,
                                                  course_admin):
    first = enter(registration, "DATA1", "12", exam_committee_member)
    with pytest.raises(ResultRefused, match="reason"):
        enter(registration, "DATA1", "13", course_admin)
    second = enter(registration, "DATA1", "13", course_admin, reason="counting error")
    assert second.supersedes == first
    assert (second.entered_by, second.reason) == (course_admin, "counting error")
    assert list(Result.objects.current().filter(enrolment=second.enrolment)) == [second]
    assert Result.objects.filter(enrolment=second.enrolment).count() == 2


def test_codes_and_decimals_as_the_organizer_allows(registration, exam_committee_member):
    unit_enrolment = enrolment(registration, "DATA1")
    assert enter(registration, "DATA1", "v", exam_committee_member).code == "V"
    with pytest.raises(ResultRefused, match="decimal"):
        record_result(unit_enrolment, user=exam_committee_member, value=Decimal("12.25"),
                      reason="x")
    with pytest.raises(ResultRefused, match="NA"):
        record_result(unit_enrolment, user=exam_committee_member, code="NA", reason="x")
    ExamRules.objects.create(organizer=registration.edition.course.organizer, decimal_places=2,
                             extra_codes="NA, gr")
    record_result(unit_enrolment, user=exam_committee_member, value=Decimal("12.25"), reason="x")
    assert record_result(unit_enrolment, user=exam_committee_member, code="GR",
                         reason="y").code == "GR"
    with pytest.raises(ResultRefused, match="20"):
        record_result(unit_enrolment, user=exam_committee_member, value=Decimal("20.5"),
                      reason="z")


def test_the_database_holds_value_xor_code_and_0_20(registration):
    unit_enrolment = enrolment(registration, "DATA1")
    for kwargs in ({"value": Decimal("21")}, {"value": Decimal("-1")},
                   {"value": Decimal("5"), "code": "A"}, {}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Result.objects.create(enrolment=unit_enrolment, **kwargs)


def test_two_first_entries_are_refused_by_the_database(registration):
    unit_enrolment = enrolment(registration, "DATA1")
    Result.objects.create(enrolment=unit_enrolment, value=Decimal("10"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Result.objects.create(enrolment=unit_enrolment, value=Decimal("11"))


def upload(text, user):
    return import_results_csv(io.BytesIO(text.encode("utf-8")), user)


def test_csv_upload_imports_every_line(registration, exam_committee_member):
    report = upload(
        "email;unit;chance;result\n"
        "participant@example.org;DATA1;1;14,5\n"
        "PARTICIPANT@example.org;data2;1;V\n",
        exam_committee_member,
    )
    assert report.ok and report.created == 2
    assert enrolment(registration, "DATA1").results.get().value == Decimal("14.5")
    assert enrolment(registration, "DATA2").results.get().code == "V"


def test_csv_upload_with_bad_lines_imports_nothing(registration, exam_committee_member):
    enter(registration, "DATA2", "9", exam_committee_member)
    report = upload(
        "email,unit,chance,result\n"
        "participant@example.org,DATA1,1,14\n"  # fine
        "nobody@example.org,DATA1,1,12\n"  # no such enrolment
        "participant@example.org,DATA1,3,12\n"  # chance
        "participant@example.org,DATA1,1,25\n"  # out of range (and same enrolment as line 2)
        "participant@example.org,DATA2,1,11\n"  # correction without reason
        "participant@example.org,DATA1,2,XYZ\n",  # no such enrolment (no second chance)
        exam_committee_member,
    )
    assert not report.ok and report.created == 0
    assert [line for line, _message in report.errors] == [3, 4, 5, 6, 7]
    messages = dict(report.errors)
    assert "No exam enrolment" in messages[3]
    assert "1 or 2" in messages[4]
    assert "line 2" in messages[5]
    assert "reason" in messages[6]
    assert Result.objects.count() == 1


def test_csv_upload_correction_with_reason(registration, exam_committee_member):
    old = enter(registration, "DATA2", "9", exam_committee_member)
    report = upload("email,unit,chance,result,reason\n"
                    "participant@example.org,DATA2,1,11,recount\n", exam_committee_member)
    assert report.ok
    new = Result.objects.current().get(enrolment=old.enrolment)
    assert (new.value, new.reason, new.supersedes) == (Decimal("11"), "recount", old)


def test_csv_upload_missing_columns_and_empty_file(registration, exam_committee_member):
    assert "result" in upload("email,unit,chance\n", exam_committee_member).errors[0][1]
    assert upload("email,unit,chance,result\n", exam_committee_member).errors == [
        (1, "The file has no lines.")]


def test_a_reason_or_code_longer_than_the_record_holds_is_refused_not_a_500(
        registration, exam_committee_member):
    """A 301-character reason or an 11-character code (the columns hold 300 and 10) gave a
    DataError from the database: a 500 on the CSV upload page. Now each line says why."""
    from django.core.exceptions import ValidationError

    enter(registration, "DATA2", "9", exam_committee_member)
    rules = ExamRules(organizer=registration.edition.course.organizer,
                      extra_codes="NA, NIETAFGELEGD")
    with pytest.raises(ValidationError, match="at most 10 characters: NIETAFGELEGD"):
        rules.full_clean()
    rules.save()  # as an older configuration may hold it
    report = upload("email,unit,chance,result,reason\n"
                    f"participant@example.org,DATA2,1,11,{'x' * 301}\n"
                    "participant@example.org,DATA1,1,nietafgelegd,\n", exam_committee_member)
    assert report.created == 0
    assert report.errors == [(2, "The reason has at most 300 characters."),
                             (3, "A result code has at most 10 characters: nietafgelegd.")]
    with pytest.raises(ResultRefused, match="at most 300"):
        record_result(enrolment(registration, "DATA2"), user=exam_committee_member,
                      value=Decimal("11"), reason="y" * 301)
    record_result(enrolment(registration, "DATA2"), user=exam_committee_member,
                  value=Decimal("11"), reason="y" * 300)
    assert Result.objects.count() == 2
