"""Publication by the LEC (art. 10.2 c): only its members, only the organizer's programmes."""

import pytest

from exams.models import Publication
from exams.services.publication import PublicationRefused, publish
from tests.factories import CourseFactory


def test_lec_member_publishes_idempotently(lec, periods, programme, exam_committee_member):
    first = publish(periods[0], programme, exam_committee_member)
    assert publish(periods[0], programme, exam_committee_member) == first
    assert Publication.objects.count() == 1


def test_not_a_member_is_refused(periods, programme, course_admin):
    with pytest.raises(PublicationRefused, match="LEC"):
        publish(periods[0], programme, course_admin)


def test_programme_of_another_organizer_is_refused(lec, periods, exam_committee_member):
    with pytest.raises(PublicationRefused, match="organizer"):
        publish(periods[0], CourseFactory(), exam_committee_member)
