"""Writing audit entries: called by the use cases, inside their transaction.

``record(...)`` is one INSERT; ``record_many(...)`` one INSERT for a batch (bulk use cases).
Values are snapshotted with ``values_of`` (plain JSON: Decimal as text, dates ISO), so an entry
reads the same whatever happens to the row later.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction

from audit.context import actor_for, current_actor
from audit.models import AuditEntry


def plain(value):
    """A JSON-safe copy: Decimal as text (exact), dates ISO, model instances by pk."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [plain(v) for v in value]
    if hasattr(value, "_meta") and hasattr(value, "pk"):
        return value.pk
    return value


def values_of(obj, *fields: str) -> dict:
    """The named fields of a model instance (``name`` or ``name_id`` for a foreign key)."""
    return {name: plain(getattr(obj, name)) for name in fields}


def label_of(obj) -> str:
    return obj._meta.label_lower


@dataclass(frozen=True)
class Change:
    """One change of one object, for ``record_many``."""

    obj: object
    before: dict | None = None
    after: dict | None = None
    organizer_id: int | None = None


def _entry(action, obj, before, after, organizer_id, actor) -> AuditEntry:
    who = actor_for(actor) if actor is not None else current_actor()
    return AuditEntry(
        actor=who.user, actor_label=who.label[:100], action=action,
        model_label=label_of(obj), object_id=str(obj.pk), organizer_id=organizer_id,
        before=plain(before) if before is not None else None,
        after=plain(after) if after is not None else None,
    )


def _in_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("an audit entry is written inside the change's own transaction")


def record(action: str, obj, *, before: dict | None = None, after: dict | None = None,
           organizer=None, actor=None) -> AuditEntry:
    """One entry: `actor` when the service knows who acts, else the current context's."""
    _in_transaction()
    organizer_id = getattr(organizer, "pk", organizer)
    entry = _entry(action, obj, before, after, organizer_id, actor)
    entry.save(force_insert=True)
    return entry


def record_many(action: str, changes: list[Change], *, actor=None) -> list[AuditEntry]:
    """One entry per change, written with a single INSERT."""
    if not changes:
        return []
    _in_transaction()
    return AuditEntry.objects.bulk_create(
        [_entry(action, c.obj, c.before, c.after, c.organizer_id, actor) for c in changes]
    )
