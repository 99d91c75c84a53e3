"""PostgreSQL restarted while the portal serves (production settings under gunicorn, against a
cluster of our own: tests/faults/servers.py). While it is down every request gets the error
page in the person's language, 503 with Retry-After, no detail of the failure; once it is back
the same gunicorn serves again, without a restart (CONN_MAX_AGE with CONN_HEALTH_CHECKS)."""

import time

import pytest

from tests.celery_worker import wait_for
from tests.faults.servers import Gunicorn, OwnPostgres

LEAKS = ("Traceback", "OperationalError", "psycopg", "connection refused", "Connection refused",
         "5432", "DATABASE", "settings.py", "SECRET")
PAGES = ["/", "/accounts/login/"]
# pytest-django creates the test database (copied into our cluster) only for modules that
# declare they use it.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def portal(django_db_setup, django_db_blocker, tmp_path_factory):
    """Our own PostgreSQL with a copy of the migrated test database, and gunicorn on it."""
    from django.db import connection

    cluster = OwnPostgres()
    server = None
    try:
        cluster.create()
        with django_db_blocker.unblock():
            cluster.copy_from(connection.settings_dict)
        server = Gunicorn(cluster.url, tmp_path_factory.mktemp("gunicorn"))
        server.start()
        yield cluster, server
    finally:
        if server is not None:
            server.stop()
        cluster.destroy()


def served(server, path="/", language="en"):
    status, headers, body, seconds = server.get(path, language)
    assert status == 200, f"{path}: {status}\n{body[:2000]}\n{server.log()}"
    return body, seconds


def test_a_restart_between_requests_is_invisible(portal):
    """The worker's persistent connection dies with the restart; the health check at the next
    request notices and reconnects, so nobody sees an error."""
    cluster, server = portal
    served(server)
    cluster.stop()
    cluster.start()
    for _ in range(3):
        served(server, "/")


def test_control_without_health_checks_the_first_request_after_a_restart_fails(
        portal, tmp_path):
    """Proves the test above can fail: the same, on a gunicorn without CONN_HEALTH_CHECKS."""
    cluster, _server = portal
    server = Gunicorn(cluster.url, tmp_path, FAULTS_CONTROL_NO_HEALTH_CHECKS="1")
    server.start()
    try:
        served(server)
        cluster.stop()
        cluster.start()
        statuses = [server.get("/")[0] for _ in range(3)]
    finally:
        server.stop()
    assert statuses[0] == 503 and statuses[1:] == [200, 200], statuses


def test_requests_during_an_outage_fail_cleanly_and_recover_without_restart(portal):
    cluster, server = portal
    served(server)
    pid = server.process.pid
    session = server.session_of_a_participant()
    status, _headers, body, _seconds = server.get("/dashboard/", "en", session=session)
    assert status == 200 and "My dashboard" in body, (status, body[:1500])

    cluster.stop()
    try:
        # Logged in: the session and the user are read by the middleware, before any view.
        status, headers, body, _seconds = server.get("/dashboard/", "en", session=session)
        assert status == 503 and "Temporarily unavailable" in body, (status, body[:1500])
        assert headers.get("Retry-After") == "30"
        assert not [leak for leak in LEAKS if leak in body], body
        for language, words in (("en", "Temporarily unavailable"), ("nl", '<html lang="nl">')):
            status, headers, body, seconds = server.get("/", language)  # the catalog: queries
            assert status == 503, f"({language}): {status}\n{body[:1500]}"
            assert words in body
            assert headers.get("Retry-After") == "30"
            assert not [leak for leak in LEAKS if leak in body], body
            assert seconds < 5, f"the error page took {seconds:.1f} s"
        status, _headers, body, _seconds = server.get("/", "en")
        assert "cannot reach its database" in body
        # A page that needs no database (the log-in form) is still served.
        status, _headers, body, _seconds = server.get("/accounts/login/", "en")
        assert status == 200 and not [leak for leak in LEAKS if leak in body]
    finally:
        cluster.start()

    started = time.monotonic()
    wait_for(lambda: server.get("/", "en")[0] == 200, timeout=15,
             what="the portal to serve again after the restart")
    print(f"serving again {time.monotonic() - started:.2f} s after PostgreSQL came back")
    for path in PAGES:
        served(server, path)
    status, _headers, body, _seconds = server.get("/dashboard/", "en", session=session)
    assert status == 200 and "My dashboard" in body  # still logged in
    assert server.process.pid == pid and server.process.poll() is None  # never restarted
