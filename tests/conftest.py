"""Shared fixtures. Django is imported inside them so that tests/rules runs without Django."""

import pytest

from portal.roles import COURSE_ADMINISTRATOR, EXAM_COMMITTEE, FINANCE

PASSWORD = "correct-horse-battery-staple"  # same as tests.factories


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def participant(db):
    from tests.factories import UserFactory

    return UserFactory(email="participant@example.org")


@pytest.fixture
def other_participant(db):
    from tests.factories import UserFactory

    return UserFactory(email="other@example.org")


def _staff(email, group_name):
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

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
    from tests.factories import UserFactory

    return UserFactory(email="root@example.org", is_staff=True, is_superuser=True)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and other cached state must not leak from one test to the next."""
    from django.conf import settings

    if not settings.configured:  # tests/rules run without Django at all
        yield
        return
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
