"""Audit entries are append-only in the database: UPDATE and DELETE are refused whatever the
code path (the ORM, a queryset update, raw SQL)."""

import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import AuditEntry
from audit.trail import record
from tests.audit.conftest import entries, invoice_for
from tests.factories import OrganizerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(participant):
    with transaction.atomic():
        return record("test.changed", participant, before={"a": 1}, after={"a": 2})


def test_an_entry_cannot_be_updated_by_the_orm(entry):
    entry.action = "something.else"
    with pytest.raises(DatabaseError, match="never changed or deleted"), transaction.atomic():
        entry.save()
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.changed"


def test_an_entry_cannot_be_updated_by_a_queryset(entry):
    with pytest.raises(DatabaseError, match="never changed or deleted"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(after={"a": 3})
    assert AuditEntry.objects.get(pk=entry.pk).after == {"a": 2}


def test_an_entry_cannot_be_deleted(entry):
    with pytest.raises(DatabaseError, match="never changed or deleted"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_nor_in_raw_sql(entry):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry")
    assert AuditEntry.objects.count() == 1


def test_a_chain_link_cannot_be_rewritten():
    invoice = invoice_for(OrganizerFactory())
    link = entries("invoice.issued", invoice).get()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=link.pk).update(content_hash="0" * 64)
    assert AuditEntry.objects.get(pk=link.pk).content_hash == link.content_hash

