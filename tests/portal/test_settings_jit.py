"""PostgreSQL's JIT is off for the application's connections (portal/settings.py): the
portal's queries are short, and JIT compilation cost more than the queries themselves
(tests/bench/README.md)."""

import pytest
from django.conf import settings
from django.db import connection


@pytest.mark.django_db
def test_the_applications_postgresql_connections_run_without_jit():
    assert connection.vendor == "postgresql"
    assert settings.DATABASES["default"]["OPTIONS"]["options"] == "-c jit=off"
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
