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


def _flushes_the_database(item) -> bool:
    marker = item.get_closest_marker("django_db")
    transaction = marker is not None and (
        marker.kwargs.get("transaction") or (marker.args and marker.args[0])
    )
    if transaction:
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


def pytest_configure(config):
    """Under pytest-xdist (`make test` runs `-n 2`) only `--dist load` keeps the order below on
    every worker: it hands each worker consecutive runs of the sorted items, in order. loadfile,
    loadscope, loadgroup and worksteal can give a worker a test that stays in its own transaction
    after one that emptied the tables, which then fails for want of the migrations' rows."""
    dist = getattr(config.option, "dist", "no")
    if dist not in ("no", "load"):
        raise pytest.UsageError(f"--dist {dist}: this suite runs with --dist load (the default "
                                "of -n) or without xdist; see tests/conftest.py.")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Tests in real transactions end by emptying every table, data migrations' rows (the role
    groups, permissions, the beat schedule, the interest rates) included. Run them after all the
    others, whatever other plugins did to the order, and give each a serialized rollback so the
    migrations' data is put back after it (pytest-django serializes it once at setup)."""
    items.sort(key=_flushes_the_database)
    for item in items:
        if _flushes_the_database(item):
            item.add_marker(
                pytest.mark.django_db(transaction=True, serialized_rollback=True), append=False
            )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, django_db_keepdb):
    """pytest-django's, and at the very end, before it drops the test database, no other session
    left on it: DROP DATABASE would wait 5 s and then fail ("being accessed by other users": a
    warning, and the database left behind). What is still connected then is this process's and
    idle, as no test is running: seen were six sessions of the live server's request threads,
    the connections Chromium had kept alive, when the browser tests ran shortly before the end.
    Not with --reuse-db, which keeps the database."""
    yield
    if django_db_keepdb:
        return
    from django.db import connections

    with django_db_blocker.unblock():
        for alias in connections:
            connection = connections[alias]
            if connection.vendor != "postgresql":
                continue
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()")
            connection.close()


# --- the embedded default (SQLite, `make run`) in a subprocess: tests/embedded.py -------------


@pytest.fixture(scope="session")
def _embedded_migrated(tmp_path_factory):
    """One `manage.py migrate` of a fresh SQLite database per test session (per xdist worker)."""
    from tests.embedded import manage

    var_dir = tmp_path_factory.mktemp("embedded-migrated")
    manage(var_dir, "migrate", "--noinput")
    return var_dir


@pytest.fixture
def embedded_var_dir(_embedded_migrated, tmp_path):
    """`tmp_path` as the var/ directory of the embedded default, holding a freshly migrated
    SQLite database: a copy of what `manage.py migrate` wrote into an empty directory (migrating
    takes ~7 s; each test gets the same files it would have made itself, and writes only to its
    own copy)."""
    import shutil

    shutil.copytree(_embedded_migrated, tmp_path, dirs_exist_ok=True)
    return tmp_path


# --- a fake VIES on 127.0.0.1 (tests/billing/fake_vies.py), wired in through the settings -----


def use_fake_vies(fake, settings):
    from billing.vies import clear_client_cache

    settings.VIES_ENDPOINT = fake.url
    clear_client_cache()
    return fake


@pytest.fixture
def fake_vies(settings):
    """A VIES that answers (see tests/billing/fake_vies.py for its table of numbers)."""
    from tests.billing.fake_vies import run_fake_vies

    with run_fake_vies("answering") as fake:
        yield use_fake_vies(fake, settings)


@pytest.fixture
def hanging_vies(settings):
    """A VIES that takes the request and never answers."""
    from tests.billing.fake_vies import run_fake_vies

    with run_fake_vies("hanging") as fake:
        yield use_fake_vies(fake, settings)


@pytest.fixture
def down_vies(settings):
    """A VIES where nothing listens: connection refused."""
    from tests.billing.fake_vies import run_fake_vies

    with run_fake_vies("down") as fake:
        yield use_fake_vies(fake, settings)


@pytest.fixture
def edition(db):
    """An open edition starting in 60 days: registration open, 20 seats, 450.00 exempt."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from tests.factories import EditionFactory

    return EditionFactory(
        start=timezone.localdate() + timedelta(days=60), fee_amount=Decimal("450.00")
    )


# The data migrations' own functions, run again when a flush removed what they wrote.
DATA_MIGRATIONS = [
    ("portal.migrations.0002_roles", "create_roles"),
    ("portal.migrations.0004_outbox_sweep_and_permissions", "schedule_sweep"),
    ("portal.migrations.0004_outbox_sweep_and_permissions", "grant_outbox_permissions"),
    ("registrations.migrations.0002_roles_and_schedule", "grant_permissions"),
    ("registrations.migrations.0002_roles_and_schedule", "schedule"),
    ("registrations.migrations.0004_cancellation_roles", "grant_permissions"),
    ("billing.migrations.0004_rates_and_roles", "seed_rates"),
    ("billing.migrations.0004_rates_and_roles", "grant_permissions"),
    ("billing.migrations.0005_daily_late_payment_job", "schedule"),
    ("billing.migrations.0008_vat_recheck_sweep", "schedule"),
    ("portal.migrations.0005_erasurerequest", "grant_permissions"),
    ("certificates.migrations.0002_roles_and_schedule", "grant_permissions"),
    ("certificates.migrations.0002_roles_and_schedule", "schedule"),
    ("audit.migrations.0002_append_only_and_roles", "grant_permissions"),
]


def restore_migration_data():
    import importlib

    from django.apps import apps

    for module, function in DATA_MIGRATIONS:
        getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture(autouse=True)
def _migration_data_present(request):
    """Belt and braces for the serialized rollback above: a transactional test must start with
    the rows the data migrations wrote (roles, interest rates, beat schedule), whatever ran
    before it."""
    if not _flushes_the_database(request.node):
        yield
        return
    request.getfixturevalue("transactional_db")
    from django.contrib.auth.models import Group

    from billing.models import InterestRate

    if not (Group.objects.exists() and InterestRate.objects.exists()):
        restore_migration_data()
    yield
