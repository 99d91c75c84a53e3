"""The exam admin: committees within the limits by ECTS, append-only results, CSV upload,
publication by the LEC, and who may do what."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from exams.models import Committee, Publication, Result
from tests.exams.conftest import enrolment, enter
from tests.factories import CourseFactory, UserFactory


def committee_post(course, kind, members):
    data = {
        "course": course.pk, "kind": kind,
        "members-TOTAL_FORMS": str(len(members)), "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0", "members-MAX_NUM_FORMS": "1000",
    }
    for i, (user, teaches) in enumerate(members):
        data[f"members-{i}-user"] = user.pk
        if teaches:
            data[f"members-{i}-teaches_in_programme"] = "on"
    return data


@pytest.mark.parametrize("ects,count,kind,accepted", [
    ("19.9", 1, "LEC", True),
    ("20", 1, "LEC", False),
    ("20", 2, "LEC", False),
    ("20", 3, "LEC", True),
    ("19.9", 1, "LMT", True),
    ("20", 1, "LMT", False),
    ("20", 5, "LMT", True),
    ("20", 6, "LMT", False),
    ("19.9", 0, "LEC", False),
])
def test_committee_limits_by_ects(client, exam_committee_member, ects, count, kind, accepted):
    course = CourseFactory(kind="postgraduate", total_credits=Decimal(ects))
    client.force_login(exam_committee_member)
    members = [(UserFactory(), True) for _ in range(count)]
    response = client.post("/admin/exams/committee/add/", committee_post(course, kind, members))
    assert Committee.objects.filter(course=course).exists() == accepted
    if not accepted:
        assert response.status_code == 200
        assert "10.1" in response.content.decode()  # the message cites seed 2, art. 10.1/11.1


def test_lec_members_teach_in_the_programme(client, exam_committee_member):
    course = CourseFactory(total_credits=Decimal("6"))
    client.force_login(exam_committee_member)
    response = client.post("/admin/exams/committee/add/",
                           committee_post(course, "LEC", [(UserFactory(), False)]))
    assert response.status_code == 200 and not Committee.objects.exists()
    assert "10.1" in response.content.decode()


def test_results_are_added_never_changed(client, exam_committee_member, registration):
    client.force_login(exam_committee_member)
    unit_enrolment = enrolment(registration, "DATA1")
    url = "/admin/exams/result/add/"
    response = client.post(url, {"enrolment": unit_enrolment.pk, "value": "12", "code": ""})
    assert response.status_code == 302
    first = Result.objects.get()
    assert first.entered_by == exam_committee_member
    response = client.post(url, {"enrolment": unit_enrolment.pk, "value": "13", "code": ""})
    assert response.status_code == 200 and response.context["errors"]
    client.post(url, {"enrolment": unit_enrolment.pk, "value": "", "code": "a",
                      "reason": "was absent"})
    current = Result.objects.current().get()
    assert (current.code, current.supersedes) == ("A", first)
    page = client.get(f"/admin/exams/result/{first.pk}/change/").content.decode()
    assert 'name="value"' not in page  # read-only
    assert client.post(f"/admin/exams/result/{first.pk}/delete/").status_code == 403
    assert Result.objects.count() == 2


def test_csv_upload_in_the_admin(client, exam_committee_member, registration):
    client.force_login(exam_committee_member)
    bad = SimpleUploadedFile("r.csv", b"email,unit,chance,result\n"
                             b"participant@example.org,DATA1,1,14\n"
                             b"participant@example.org,NOPE,1,14\n")
    page = client.post("/admin/exams/result/upload/", {"file": bad}).content.decode()
    assert 'data-line="3"' in page and 'data-line="2"' not in page
    assert not Result.objects.exists()
    good = SimpleUploadedFile("r.csv", b"email,unit,chance,result\n"
                              b"participant@example.org,DATA1,1,14\n")
    response = client.post("/admin/exams/result/upload/", {"file": good})
    assert response.status_code == 302 and Result.objects.get().value == 14


def test_only_the_lec_publishes(client, exam_committee_member, registration, periods):
    client.force_login(exam_committee_member)
    data = {"period": periods[0].pk, "course": registration.edition.course.pk}
    response = client.post("/admin/exams/publication/add/", data)
    assert response.status_code == 200 and response.context["errors"]
    assert not Publication.objects.exists()
    from exams.models import CommitteeMember

    committee = Committee.objects.create(course=registration.edition.course, kind="LEC")
    CommitteeMember.objects.create(committee=committee, user=exam_committee_member,
                                   teaches_in_programme=True)
    assert client.post("/admin/exams/publication/add/", data).status_code == 302
    assert Publication.objects.get().published_by == exam_committee_member


def test_only_the_programmes_lec_decides_a_favourable_deviation(client, exam_committee_member,
                                                                 registration):
    """Seed 2, art. 9.1: the exam committee *of the programme* may deviate in the participant's
    favour. Any exam committee member could record it for any programme (publishing already
    required the programme's LEC)."""
    from django.utils import translation

    from exams.models import CommitteeMember, ProgrammeDecision

    client.force_login(exam_committee_member)
    data = {"registration": registration.pk, "favourable_deviation": "on",
            "reason": "Art. 9.1: one unit just below"}
    other = Committee.objects.create(course=CourseFactory(), kind="LEC")
    CommitteeMember.objects.create(committee=other, user=exam_committee_member,
                                   teaches_in_programme=True)
    with translation.override("en"):
        response = client.post("/admin/exams/programmedecision/add/", data,
                               headers={"accept-language": "en"})
    assert response.status_code == 200
    assert "Only a member of the programme&#x27;s LEC decides" in response.content.decode()
    assert not ProgrammeDecision.objects.exists()
    committee = Committee.objects.create(course=registration.edition.course, kind="LEC")
    CommitteeMember.objects.create(committee=committee, user=exam_committee_member,
                                   teaches_in_programme=True)
    assert client.post("/admin/exams/programmedecision/add/", data).status_code == 302
    assert ProgrammeDecision.objects.get().decided_by == exam_committee_member


@pytest.mark.parametrize("role,model,status", [
    ("exam_committee_member", "result", 200),
    ("exam_committee_member", "attendance", 200),
    ("exam_committee_member", "committee", 200),
    ("exam_committee_member", "publication", 200),
    ("course_admin", "examperiod", 200),
    ("course_admin", "attendance", 200),
    ("course_admin", "result", 403),
    ("finance_user", "result", 403),
])
def test_permissions(client, request, role, model, status):
    client.force_login(request.getfixturevalue(role))
    assert client.get(f"/admin/exams/{model}/").status_code == status


def test_participant_has_no_admin(client, participant):
    client.force_login(participant)
    assert client.get("/admin/exams/result/").status_code == 302


def test_admin_add_attendance_records_who(client, course_admin, registration):
    from tests.factories import SessionFactory

    session = SessionFactory(edition=registration.edition)
    client.force_login(course_admin)
    response = client.post("/admin/exams/attendance/add/",
                           {"registration": registration.pk, "session": session.pk,
                            "present": "on"})
    assert response.status_code == 302
    assert registration.attendances.get().recorded_by == course_admin


def test_entered_result_visible_in_changelist(client, exam_committee_member, registration):
    enter(registration, "DATA1", "14", exam_committee_member)
    client.force_login(exam_committee_member)
    assert "14/20" in client.get("/admin/exams/result/").content.decode()


@pytest.mark.django_db
def test_attendance_list_shows_who_is_unpaid(client, course_admin):
    from datetime import timedelta

    from django.urls import reverse
    from django.utils import timezone

    from billing.models import UnpaidFlag
    from exams.models import Attendance
    from tests.factories import InvoiceFactory, RegistrationFactory, SessionFactory

    registration = RegistrationFactory()
    invoice = InvoiceFactory(registrations=[registration])
    session = SessionFactory(edition=registration.edition)
    Attendance.objects.create(registration=registration, session=session, present=True)
    UnpaidFlag.objects.create(registration=registration, invoice=invoice,
                              raised_on=timezone.localdate() - timedelta(days=1))
    client.force_login(course_admin)
    page = client.get(reverse("admin:exams_attendance_changelist"))
    assert page.status_code == 200
    assert page.context["cl"].result_list[0].is_unpaid is True


def test_attendance_in_another_editions_session_is_refused(client, course_admin, registration):
    """A registration's attendance is recorded for a session of its own edition only."""
    from exams.models import Attendance
    from tests.factories import SessionFactory

    elsewhere = SessionFactory()  # another edition's
    client.force_login(course_admin)
    response = client.post("/admin/exams/attendance/add/", {
        "registration": registration.pk, "session": elsewhere.pk, "present": "on"},
        HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "belongs to another edition" in str(response.context["adminform"].form.errors)
    assert not Attendance.objects.exists()
