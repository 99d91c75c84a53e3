"""The audit trail is append-only (issue 9): the database refuses UPDATE and DELETE of its
entries, whatever code path or SQL console tries (as billing's 0002 does for issued documents).
Finance reads the trail. Documents issued before the trail existed are chained in issue order."""

from django.db import migrations

from portal.roles import FINANCE, grant

TABLE = "audit_auditentry"

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries in % are never changed or deleted', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END
$$ LANGUAGE plpgsql;
"""


def create_triggers(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION, params=None)
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
            f"FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();"
        )
    elif connection.vendor == "sqlite":
        for event in ("UPDATE", "DELETE"):
            schema_editor.execute(
                f"CREATE TRIGGER {TABLE}_no_{event.lower()} BEFORE {event} ON {TABLE} "
                f"BEGIN SELECT RAISE(ABORT, 'audit entries are never changed or deleted'); END;"
            )


def drop_triggers(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};")
    elif connection.vendor == "sqlite":
        for event in ("update", "delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_{event};")


def grant_permissions(apps, schema_editor):
    grant(apps, {FINANCE: ["audit.view_auditentry"]})


def chain_existing_documents(apps, schema_editor):
    """Link the invoices and credit notes issued before this migration, per organizer in issue
    order, as the system (idempotent: documents already linked are skipped)."""
    from audit.chain import credit_note_content, digest, invoice_content, link_hash

    AuditEntry = apps.get_model("audit", "AuditEntry")
    Invoice = apps.get_model("billing", "Invoice")
    CreditNote = apps.get_model("billing", "CreditNote")
    linked = {
        (label, object_id)
        for label, object_id in AuditEntry.objects.filter(chain_seq__isnull=False)
        .values_list("model_label", "object_id")
    }
    documents = [
        (i.created_at, "billing.invoice", i, "invoice.issued")
        for i in Invoice.objects.select_related("charged_for").prefetch_related("lines")
    ] + [
        (n.created_at, "billing.creditnote", n, "credit_note.issued")
        for n in CreditNote.objects.select_related("invoice")
    ]
    documents.sort(key=lambda d: (d[2].organizer_id, d[0], d[1], d[2].pk))
    for _created, label, document, action in documents:
        if (label, str(document.pk)) in linked:
            continue
        last = (AuditEntry.objects.filter(organizer_id=document.organizer_id,
                                          chain_seq__isnull=False)
                .order_by("-chain_seq").values_list("chain_seq", "entry_hash").first())
        seq, prev_hash = (last[0] + 1, last[1]) if last else (1, "")
        content = (invoice_content(document, document.lines.all()) if label == "billing.invoice"
                   else credit_note_content(document))
        content_hash = digest(content)
        AuditEntry.objects.create(
            actor=None, actor_label="system (chain start)", action=action, model_label=label,
            object_id=str(document.pk), organizer_id=document.organizer_id, after=content,
            chain_seq=seq, content_hash=content_hash, prev_hash=prev_hash,
            entry_hash=link_hash(seq, prev_hash, content_hash),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("billing", "0005_daily_late_payment_job"),
        ("portal", "0002_roles"),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers),
        migrations.RunPython(grant_permissions, migrations.RunPython.noop),
        migrations.RunPython(chain_existing_documents, migrations.RunPython.noop),
    ]
