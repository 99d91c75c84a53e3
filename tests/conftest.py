import pytest
from django.contrib.auth.models import Group

from portal.roles import COURSE_ADMINISTRATOR, EXAM_COMMITTEE, FINANCE
from tests.factories import PASSWORD, UserFactory


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def participant(db):
    return UserFactory(email="participant@example.org")


@pytest.fixture
def other_participant(db):
    return UserFactory(email="other@example.org")


def _staff(email, group_name):
    user = UserFactory(email=email, is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def course_admin(db):
    return _staff("courses@example.org", COURSE_ADMINISTRATOR)


@pytest.fixture
def finance_user(db):
    return _staff("finance@example.org", FINANCE)


@pytest.fixture
def exam_committee_member(db):
    return _staff("exams@example.org", EXAM_COMMITTEE)


@pytest.fixture
def superuser(db):
    return UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
