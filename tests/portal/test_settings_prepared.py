"""The application's PostgreSQL connections bind parameters on the server, so psycopg prepares
the statements a connection repeats (portal/settings.py; tests/bench/README.md, seat_rush)."""

import pytest
from django.conf import settings
from django.db import connection

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
