"""The e-mail outbox: written in the transaction, sent once after commit, swept when the broker
was down. Tests about tasks use a real Redis and a real Celery worker (tests/celery_worker.py);
the rest call the outbox in this process with Django's in-memory mail backend.
"""
