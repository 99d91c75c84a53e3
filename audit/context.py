"""Who is acting: an explicit ``actor`` where a service takes one, else this context.

The middleware sets it to the request's user for the whole request; Celery tasks run as
"system" with the task's name; management commands and shells default to "system".
"""

from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    user: object | None  # a user, or None for the system (task, command, beat job)
    label: str


SYSTEM = Actor(None, "system")
_current: ContextVar = ContextVar("audit_actor", default=None)


def label_for(user) -> str:
    """A label without personal data (no name, no e-mail): the erasure leaves the trail as is."""
    return f"user #{user.pk}"


def actor_for(user) -> Actor:
    if user is None or not getattr(user, "is_authenticated", False):
        return current_actor()
    return Actor(user, label_for(user))


def current_actor() -> Actor:
    value = _current.get()
    if value is None:
        return SYSTEM
    if callable(value):  # the request's user, resolved only when something is audited
        return value()
    return value


@contextmanager
def acting_as(user=None, label: str = ""):
    """Everything audited inside runs as `user` (or as the system with `label`)."""
    actor = Actor(user, label_for(user)) if user is not None else Actor(None, label or "system")
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


class AuditActorMiddleware:
    """The request's user acts in whatever the request changes (anonymous: the system)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        def resolve():
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                return Actor(user, label_for(user))
            return Actor(None, "anonymous")

        token = _current.set(resolve)
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)


_task_tokens: dict = {}


def _task_started(task_id=None, task=None, **kwargs):
    _task_tokens[task_id] = _current.set(Actor(None, f"task {getattr(task, 'name', '')}"[:100]))


def _task_finished(task_id=None, **kwargs):
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        with suppress(ValueError):  # set in another context (should not happen): leave it
            _current.reset(token)


def connect_celery_signals() -> None:
    from celery.signals import task_postrun, task_prerun

    task_prerun.connect(_task_started, weak=False, dispatch_uid="audit_task_started")
    task_postrun.connect(_task_finished, weak=False, dispatch_uid="audit_task_finished")
