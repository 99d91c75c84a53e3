"""The participant's exams page, as the participant: nothing before publication."""

from datetime import date

import pytest

from exams import views
from exams.models import Enrolment
from tests.exams.conftest import enrolment, enter, publish_period


@pytest.fixture
def fixed_today(monkeypatch):
    def fix(day):
        monkeypatch.setattr(views, "today", lambda: day)
    return fix


def test_login_required(client):
    response = client.get("/exams/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_results_are_invisible_before_publication(client, participant, registration, periods,
                                                  exam_committee_member):
    enter(registration, "DATA1", "14", exam_committee_member)
    enter(registration, "DATA2", "12", exam_committee_member)
    client.force_login(participant)
    page = client.get("/exams/").content.decode()
    assert "Statistiek" in page
    assert "14/20" not in page and "12/20" not in page and "66 %" not in page
    publish_period(periods[0], registration.edition.course, exam_committee_member)
    page = client.get("/exams/").content.decode()
    assert "14/20" in page and "12/20" in page
    assert f'id="percentage-{registration.pk}">66 %' in page


def test_someone_else_sees_nothing_of_mine(client, other_participant, registration, periods,
                                           exam_committee_member):
    enter(registration, "DATA1", "14", exam_committee_member)
    publish_period(periods[0], registration.edition.course, exam_committee_member)
    client.force_login(other_participant)
    page = client.get("/exams/").content.decode()
    assert "Statistiek" not in page and "14/20" not in page


def test_second_chance_from_the_page(client, participant, registration, periods,
                                     exam_committee_member, fixed_today):
    enter(registration, "DATA1", "8", exam_committee_member)
    enter(registration, "DATA2", "12", exam_committee_member)
    publish_period(periods[0], registration.edition.course, exam_committee_member)
    client.force_login(participant)
    failed = enrolment(registration, "DATA1")
    url = f"/exams/{failed.pk}/second-chance/"

    fixed_today(date(2027, 7, 10))
    assert url not in client.get("/exams/").content.decode()
    client.post(url)
    assert not Enrolment.objects.filter(chance=2).exists()

    fixed_today(date(2027, 7, 11))
    page = client.get("/exams/").content.decode()
    assert url in page
    assert f"/exams/{enrolment(registration, 'DATA2').pk}/second-chance/" not in page
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == "/exams/"
    assert enrolment(registration, "DATA1", chance=2).origin == "participant"
    assert url not in client.get("/exams/").content.decode()


def test_may_not_sit_is_shown_with_the_reason(client, participant, registration):
    from billing.models import UnpaidFlag
    from tests.factories import InvoiceFactory

    UnpaidFlag.objects.create(registration=registration,
                              invoice=InvoiceFactory(registrations=[registration]),
                              raised_on=date(2026, 11, 1))
    client.force_login(participant)
    page = client.get("/exams/").content.decode()
    assert 'class="may-not-sit"' in page and "4.4" in page
