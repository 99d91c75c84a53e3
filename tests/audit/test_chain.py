"""The hash chain of invoices, late-payment charges and credit notes per organizer: intact
after normal use, and tampering with a row in SQL is found by the command with the first
broken link."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from audit.chain import digest, invoice_content, link_hash, verify
from audit.models import AuditEntry
from billing.latepayment import run_late_payment_job
from billing.models import Invoice
from tests.audit.conftest import ISSUED, credit, entries, invoice_for, tamper

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    """The verifier's findings are translated; these tests read the English ones."""
    with translation.override("en"):
        yield


def run_command(*args) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("verify_audit_chain", *args, stdout=out)
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


@pytest.fixture
def documents(two_organizers, finance_user):
    """Per organizer: three invoices and two credit notes, interleaved."""
    gent, hasselt = two_organizers
    made = {gent: [], hasselt: []}
    for round_ in range(3):
        for organizer in (gent, hasselt):
            invoice = invoice_for(organizer, f"{400 + round_ * 50}.00")
            made[organizer].append(invoice)
            if round_:
                made[organizer].append(credit(invoice, "25.00", finance_user))
    return made


def test_each_document_is_one_link_of_its_organizers_chain(documents, two_organizers):
    gent, hasselt = two_organizers
    for organizer in (gent, hasselt):
        links = list(AuditEntry.objects.filter(organizer=organizer, chain_seq__isnull=False)
                     .order_by("chain_seq"))
        assert [link.chain_seq for link in links] == [1, 2, 3, 4, 5]
        assert [link.object_id for link in links] == [str(d.pk) for d in documents[organizer]]
        assert [link.action for link in links] == ["invoice.issued", "invoice.issued",
                                                   "credit_note.issued", "invoice.issued",
                                                   "credit_note.issued"]
        assert links[0].prev_hash == ""
        for previous, link in zip(links, links[1:], strict=False):
            assert link.prev_hash == previous.entry_hash
            assert link.entry_hash == link_hash(link.chain_seq, link.prev_hash,
                                                link.content_hash)


def test_a_link_hashes_the_legally_relevant_content(documents, two_organizers):
    invoice = documents[two_organizers[0]][0]
    link = entries("invoice.issued", invoice).get()
    assert link.after["number"] == invoice.number
    assert link.after["total"] == "400.00"
    assert link.after["structured_communication"] == invoice.structured_communication
    assert link.after["customer_name"] == invoice.customer_name
    assert [line["total"] for line in link.after["lines"]] == ["400.00"]
    assert "customer_email" not in link.after
    assert link.content_hash == digest(invoice_content(invoice, invoice.lines.all()))


def test_the_chain_is_intact_after_normal_use(documents):
    reports = verify()
    assert [(r.ok, r.links) for r in reports] == [(True, 5), (True, 5)]
    code, out = run_command()
    assert code == 0
    assert "Academie Gent: OK (5 links)" in out
    assert "Hogeschool Hasselt: OK (5 links)" in out


def test_a_late_payment_charge_is_a_link_too(two_organizers):
    gent = two_organizers[0]
    invoice = invoice_for(gent, today=ISSUED)
    run_late_payment_job(date(2025, 10, 2))
    run_late_payment_job(date(2025, 10, 17))
    charge = Invoice.objects.get(charged_for=invoice)
    link = entries("late_charge.issued", charge).get()
    assert (link.chain_seq, link.actor, link.actor_label) == (2, None, "system")
    assert link.after["charged_for"] == invoice.number
    assert verify(gent)[0].ok


def test_a_total_changed_in_sql_is_the_first_broken_link(documents, two_organizers):
    gent, hasselt = two_organizers
    second = documents[gent][1]
    tamper("billing_invoice",
           "UPDATE billing_invoice SET net_total = 1.00, total = 1.00 WHERE id = %s",
           [second.pk])
    # a later one changed too: still the first broken link is reported
    tamper("billing_invoice", "UPDATE billing_invoice SET due_date = due_date + 30 WHERE id = %s",
           [documents[gent][3].pk])
    report_gent, report_hasselt = verify()
    assert report_hasselt.ok
    assert not report_gent.ok
    assert report_gent.links == 1
    broken = report_gent.broken
    assert (broken.position, broken.number) == (2, second.number)
    assert broken.entry_id == entries("invoice.issued", second).get().pk
    assert ("net_total", "450.00", "1.00") in broken.differences
    assert ("total", "450.00", "1.00") in broken.differences

    code, out = run_command()
    assert code == 1
    assert f"Academie Gent: BROKEN at link 2, entry {broken.entry_id}, document " \
           f"{second.number}" in out
    assert "total: issued '450.00', now '1.00'" in out
    assert "Hogeschool Hasselt: OK" in out


def test_the_command_checks_one_organizer(documents, two_organizers):
    gent, hasselt = two_organizers
    tamper("billing_invoice",
           "UPDATE billing_invoice SET customer_name = 'Someone Else' WHERE id = %s",
           [documents[gent][0].pk])
    assert run_command("--organizer", str(hasselt.pk))[0] == 0
    code, out = run_command("--organizer", "Academie Gent")
    assert code == 1
    assert "customer_name: issued" in out
    assert "Hogeschool Hasselt" not in out


def test_a_line_changed_in_sql_is_found(documents, two_organizers):
    invoice = documents[two_organizers[1]][3]
    tamper("billing_invoiceline",
           "UPDATE billing_invoiceline SET description = 'Other course' WHERE invoice_id = %s",
           [invoice.pk])
    broken = verify(two_organizers[1])[0].broken
    assert (broken.position, broken.number) == (4, invoice.number)
    assert [name for name, _old, _new in broken.differences] == ["line 1 description"]


def test_a_credit_note_changed_in_sql_is_found(documents, two_organizers):
    note = documents[two_organizers[0]][2]
    tamper("billing_creditnote",
           "UPDATE billing_creditnote SET net_total = 5.00, total = 5.00 WHERE id = %s",
           [note.pk])
    broken = verify(two_organizers[0])[0].broken
    assert (broken.position, broken.number) == (3, note.number)
    assert ("total", "25.00", "5.00") in broken.differences


def test_an_audit_entry_rewritten_in_sql_is_found(documents, two_organizers):
    """Whoever rewrites the recorded content must also rewrite every later hash."""
    link = AuditEntry.objects.get(organizer=two_organizers[0], chain_seq=2)
    tamper("audit_auditentry",
           "UPDATE audit_auditentry SET after = jsonb_set(after, '{total}', '\"1.00\"') "
           "WHERE id = %s", [link.pk], trigger="audit_auditentry_append_only")
    broken = verify(two_organizers[0])[0].broken
    assert broken.position == 2
    assert broken.problem == "the recorded content was altered"


def test_a_removed_link_is_found(documents, two_organizers):
    link = AuditEntry.objects.get(organizer=two_organizers[0], chain_seq=3)
    tamper("audit_auditentry", "DELETE FROM audit_auditentry WHERE id = %s", [link.pk],
           trigger="audit_auditentry_append_only")
    broken = verify(two_organizers[0])[0].broken
    assert broken.position == 4
    assert broken.problem == "link 3 is missing"


def test_a_document_outside_the_chain_is_found(two_organizers):
    """An invoice inserted without its use case (no audit entry) breaks the chain."""
    gent = two_organizers[0]
    invoice = invoice_for(gent)
    link = entries("invoice.issued", invoice).get()
    tamper("audit_auditentry", "DELETE FROM audit_auditentry WHERE id = %s", [link.pk],
           trigger="audit_auditentry_append_only")
    broken = verify(gent)[0].broken
    assert (broken.number, broken.problem) == (invoice.number, "issued but not in the chain")


def test_amounts_are_hashed_exactly(two_organizers):
    invoice = invoice_for(two_organizers[0], "0.10")
    assert entries("invoice.issued", invoice).get().after["total"] == "0.10"
    assert Decimal(invoice.total) == Decimal("0.10")
    assert verify(two_organizers[0])[0].ok


def test_documents_issued_before_the_trail_are_chained_by_the_migration(two_organizers):
    """audit/0002 links documents that have no entry yet, in issue order (idempotent)."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("audit.migrations.0002_append_only_and_roles")
    gent = two_organizers[0]
    older = [invoice_for(gent), invoice_for(gent)]
    for invoice in older:  # as if issued before the audit app existed
        tamper("audit_auditentry", "DELETE FROM audit_auditentry WHERE object_id = %s",
               [str(invoice.pk)], trigger="audit_auditentry_append_only")
    migration.chain_existing_documents(apps, None)
    migration.chain_existing_documents(apps, None)
    links = AuditEntry.objects.filter(organizer=gent).order_by("chain_seq")
    assert [(link.chain_seq, link.object_id, link.actor_label) for link in links] == [
        (1, str(older[0].pk), "system (chain start)"),
        (2, str(older[1].pk), "system (chain start)")]
    assert verify(gent)[0].ok
    newer = invoice_for(gent)
    assert entries(obj=newer).get().chain_seq == 3
    assert verify(gent)[0].ok
