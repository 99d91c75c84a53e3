"""Exam results: every result recorded (by hand, by CSV upload, or `A` by the daily job) is one
audit entry; a correction shows the result it corrects as "before"."""

import io
from datetime import date

import pytest
from django.db import transaction

from exams.services.absence import auto_absent
from exams.services.results import import_results_csv
from tests.audit.conftest import entries
from tests.exams.conftest import enrolment, enter, publish_period

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


def test_a_result_and_its_correction(registration, exam_committee_member, course_admin):
    first = enter(registration, "DATA1", "12", exam_committee_member)
    entry = entries("result.recorded", first).get()
    assert (entry.actor, entry.before) == (exam_committee_member, None)
    assert entry.after == {"enrolment": first.enrolment_id, "value": "12.00", "code": "",
                           "reason": ""}
    assert entry.organizer_id == registration.edition.course.organizer_id
    second = enter(registration, "DATA1", "13", course_admin, reason="counting error")
    correction = entries("result.recorded", second).get()
    assert (correction.actor, correction.before) == (
        course_admin, {"result": first.pk, "value": "12.00", "code": ""})
    assert correction.after["reason"] == "counting error"


def test_a_rolled_back_result_leaves_no_entry(registration, exam_committee_member):
    with pytest.raises(Boom), transaction.atomic():
        enter(registration, "DATA1", "12", exam_committee_member)
        raise Boom
    assert not entries("result.recorded").exists()


def test_a_csv_upload_is_one_entry_per_line_and_none_when_refused(registration,
                                                                  exam_committee_member):
    refused = import_results_csv(io.BytesIO(b"email;unit;chance;result\n"
                                            b"participant@example.org;DATA1;1;14\n"
                                            b"participant@example.org;DATA2;1;99\n"),
                                 exam_committee_member)
    assert not refused.ok
    assert not entries("result.recorded").exists()
    report = import_results_csv(io.BytesIO(b"email;unit;chance;result\n"
                                           b"participant@example.org;DATA1;1;14,5\n"
                                           b"participant@example.org;DATA2;1;V\n"),
                                exam_committee_member)
    assert report.created == 2
    recorded = entries("result.recorded").order_by("pk")
    assert [(e.after["value"], e.after["code"], e.actor) for e in recorded] == [
        ("14.50", "", exam_committee_member), (None, "V", exam_committee_member)]


def test_the_daily_absence_job_acts_as_the_system(registration, periods,
                                                  exam_committee_member):
    enter(registration, "DATA1", "8", exam_committee_member)
    enter(registration, "DATA2", "15", exam_committee_member)
    publish_period(periods[0], registration.edition.course, exam_committee_member)
    assert auto_absent(date(2027, 8, 9)) == 1
    second = enrolment(registration, "DATA1", chance=2)
    entry = entries("result.recorded").get(after__enrolment=second.pk)
    assert (entry.actor, entry.actor_label, entry.after["code"]) == (None, "system", "A")


def test_publishing_results_once(lec, periods, programme, exam_committee_member):
    from exams.services.publication import publish

    first = publish(periods[0], programme, exam_committee_member)
    publish(periods[0], programme, exam_committee_member)  # idempotent: nothing new
    entry = entries("results.published").get()
    assert (entry.object_id, entry.actor, entry.before) == (
        str(first.pk), exam_committee_member, {"published": False})
    assert entry.after == {"published": True, "period": periods[0].pk, "course": programme.pk}


def test_a_favourable_deviation_in_the_admin(client, registration, lec,
                                             exam_committee_member):
    from django.urls import reverse

    client.force_login(exam_committee_member)
    url = reverse("admin:exams_programmedecision_add")
    for reason in ("Art. 9.1: one unit just below", "Art. 9.1: corrected"):
        response = client.post(url, {"registration": registration.pk, "reason": reason,
                                     "favourable_deviation": "on"})
        assert response.status_code == 302
    first, second = entries("programme_decision.recorded").order_by("pk")
    assert (first.actor, first.before) == (exam_committee_member, None)
    assert first.after == {"registration": registration.pk, "favourable_deviation": True,
                           "reason": "Art. 9.1: one unit just below"}
    assert second.before == {"decision": int(first.object_id), "favourable_deviation": True}
