"""The application's PostgreSQL connections bind parameters on the server, so psycopg prepares
the statements a connection repeats (portal/settings.py; tests/bench/README.md, seat_rush)."""

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from courses.models import Organizer
from tests.factories import OrganizerFactory


@pytest.mark.django_db
def test_a_statement_run_more_than_five_times_is_prepared_on_the_server():
    options = settings.DATABASES["default"]["OPTIONS"]
    assert (options["server_side_binding"], options["prepare_threshold"]) == (True, 5)
    organizer = OrganizerFactory()
    for _ in range(6):
        assert Organizer.objects.get(pk=organizer.pk).name == organizer.name
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('FROM "courses_organizer"' in statement for statement in prepared), prepared


@pytest.mark.django_db
def test_parameters_reach_the_server_apart_from_the_statement():
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::text || %s::text", ["it's", "; DROP TABLE x"])
        assert cursor.fetchone() == ("it's; DROP TABLE x",)
        assert "$1" in cursor.cursor._query.query.decode()


@pytest.mark.django_db(transaction=True)
def test_a_prepared_statement_outlives_a_migration_that_adds_a_column():
    """What a process still running during a deployment sees when another process migrates:
    its prepared statements name their columns, so a column added meanwhile does not break
    them; a prepared `*` does (the control), which is why the hand-written SQL never selects
    `*`."""
    import psycopg
    from django.db import DatabaseError, transaction

    from registrations.services.cart import _edition_for
    from tests.factories import EditionFactory, UserFactory

    edition, person = EditionFactory(), UserFactory()
    now = timezone.now()
    organizer_id = edition.course.organizer_id
    for _ in range(7):
        assert _edition_for(person, edition.pk, now.date(), now).pk == edition.pk
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM courses_organizer WHERE id = %s", [organizer_id])
    params = connection.get_connection_params()
    with psycopg.connect(**{k: v for k, v in params.items()
                            if k in ("dbname", "user", "host", "port", "password")},
                         autocommit=True) as migrating:
        tables = ("courses_edition", "courses_organizer")
        for table in tables:
            migrating.execute(f"ALTER TABLE {table} ADD COLUMN added_later integer")
        try:
            assert _edition_for(person, edition.pk, now.date(), now).pk == edition.pk
            changed = pytest.raises(DatabaseError, match="cached plan must not change result type")
            with changed, transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT * FROM courses_organizer WHERE id = %s", [organizer_id])
        finally:
            connection.close()  # its prepared statements go with it
            for table in tables:
                migrating.execute(f"ALTER TABLE {table} DROP COLUMN added_later")
