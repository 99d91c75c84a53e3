"""Redis (broker and cache) stopped while participants check out, on a private redis-server
and a real Celery worker (tests/celery_worker.py). Extends tests/portal/outbox/ (one
queued mail) to whole checkouts through the browser's pages with the production cache:
every checkout completes, the confirmation mails wait in the outbox, and once Redis is back
the sweep sends each exactly once. Logging in keeps working while Redis is away."""

import time

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.models import OutgoingEmail
from portal.tasks import sweep_outbox
from registrations.models import Cart, Registration
from tests.celery_worker import (  # noqa: F401 (the fixtures celery_worker, ...)
    celery_worker_fixture,
    private_redis_fixture,
    redis_restored_fixture,
    wait_for,
)
from tests.factories import EditionFactory, UserFactory
from tests.portal.outbox.helpers import drain

pytestmark = pytest.mark.django_db(transaction=True)

PEOPLE = 6


def production_cache_settings(redis_url: str) -> dict:
    import importlib
    import os

    from portal import settings as portal_settings

    saved = os.environ.get("REDIS_URL")
    os.environ["REDIS_URL"] = redis_url
    try:
        return importlib.reload(portal_settings).CACHES
    finally:
        if saved is None:
            del os.environ["REDIS_URL"]
        else:
            os.environ["REDIS_URL"] = saved
        importlib.reload(portal_settings)


def check_out(client, user, edition) -> float:
    client.force_login(user)
    client.cookies["django_language"] = "en"
    started = time.monotonic()
    response = client.post(reverse("cart_add", args=[edition.code]))
    assert response.status_code == 302, response
    token = Cart.objects.get(user=user).checkout_token
    response = client.post(reverse("checkout"), {"token": str(token), "invoice_to": "person",
                                                 "total": edition.fee, "instalments": "1",
                                                 "confirm": "1"})
    assert response.status_code == 302 and "/checkout/" in response.url, response
    return time.monotonic() - started


def test_checkouts_during_a_redis_outage_lose_nothing_and_mail_once(
        client, settings, celery_worker, redis_restored):
    settings.CACHES = production_cache_settings(redis_restored.url)
    edition = EditionFactory(seats=PEOPLE)
    people = [UserFactory() for _ in range(PEOPLE)]
    check_out(client, people[0], edition)  # Redis up: the usual way
    wait_for(lambda: celery_worker.sent_to(people[0].email) >= 1, what="the first mail")

    redis_restored.stop()
    try:
        durations = [check_out(client, person, edition) for person in people[1:]]
        # Logging in uses the cache (allauth's rate limits): it must not fail either.
        client.logout()
        response = client.post(reverse("account_login"), {
            "login": people[1].email, "password": "correct-horse-battery-staple"})
        assert response.status_code == 302, response.content[:2000]
    finally:
        redis_restored.start()
    print("checkout with Redis down: " + ", ".join(f"{d:.2f} s" for d in durations))
    assert max(durations) < 5

    # Nothing lost: every person is registered, their mails are waiting in the outbox.
    assert Registration.objects.filter(edition=edition, status="confirmed").count() == PEOPLE
    waiting = OutgoingEmail.objects.filter(recipient__in=[p.email for p in people[1:]])
    assert waiting.exists() and all(e.status == OutgoingEmail.Status.PENDING for e in waiting)
    expected = {p.email: OutgoingEmail.objects.filter(recipient=p.email).count() for p in people}
    drain(celery_worker)
    assert all(celery_worker.sent_to(p.email) == 0 for p in people[1:])

    # A minute later beat runs the sweep: each mail goes out once, however often it runs.
    OutgoingEmail.objects.filter(status=OutgoingEmail.Status.PENDING).update(
        next_attempt_at=timezone.now())
    sweep_outbox.delay()
    sweep_outbox.delay()
    wait_for(lambda: all(celery_worker.sent_to(email) == count
                         for email, count in expected.items()), timeout=60, what="the sweep")
    sweep_outbox.delay()
    drain(celery_worker)
    assert {email: celery_worker.sent_to(email) for email in expected} == expected
    assert not OutgoingEmail.objects.filter(recipient__in=expected,
                                            status=OutgoingEmail.Status.PENDING).exists()


@pytest.mark.django_db(transaction=False)
def test_the_cache_works_on_redis_and_fails_open_when_redis_hangs_or_is_down(private_redis):
    """portal.cache.ResilientRedisCache: a normal cache while Redis answers; a miss, within
    the socket timeout, when it accepts connections but never answers or refuses them."""
    import socket
    import threading

    from django.core.cache.backends.redis import RedisCache

    from portal.cache import ResilientRedisCache

    options = production_cache_settings(private_redis.url)["default"]["OPTIONS"]
    cache = ResilientRedisCache(private_redis.url, {"OPTIONS": options})
    assert isinstance(cache, RedisCache)
    cache.set("faults-key", 41)
    assert cache.get("faults-key") == 41 and cache.incr("faults-key") == 42

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted = []
    threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True).start()
    hung = ResilientRedisCache(f"redis://127.0.0.1:{listener.getsockname()[1]}/0",
                               {"OPTIONS": options})
    try:
        started = time.monotonic()
        assert hung.get("faults-key", "default") == "default"
        assert hung.add("lock", 1) is True  # allauth's lock: taken, so the log-in goes on
        elapsed = time.monotonic() - started
    finally:
        listener.close()
        for sock in accepted:
            sock.close()
    assert elapsed < 5, f"a hung Redis held the request for {elapsed:.1f} s"

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    down = ResilientRedisCache(f"redis://127.0.0.1:{listener.getsockname()[1]}/0",
                               {"OPTIONS": options})
    listener.close()  # nothing listens there any more: connection refused
    assert down.get("k") is None and down.set("k", 1) is None and down.incr("k") == 1
    assert down.get_many(["a", "b"]) == {} and down.delete("k") is False
