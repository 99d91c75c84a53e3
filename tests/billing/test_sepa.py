"""Refunds out as SEPA credit transfer files (pain.001.001.03), issue "payments out".

The files are validated against the ISO 20022 pain.001.001.03 schema (vendored from the sepaxml
wheel, see tests/billing/schemas/README.md); a refund is never in two files, not even when two
exports run at the same moment.
"""

import threading
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from billing.invoicing import issue_credit_note
from billing.models import Refund, SepaExport
from billing.sepa import NothingToExport, export_pending_refunds, mark_export_paid, sepa_text
from tests.factories import EditionFactory, InvoiceFactory, OrganizerFactory, RegistrationFactory

XSD = Path(__file__).parent / "schemas" / "iso20022" / "pain.001.001.03.xsd"
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
D = Decimal


@pytest.fixture(scope="module")
def pain001():
    return etree.XMLSchema(etree.parse(str(XSD)))


def valid(schema, xml):
    document = etree.fromstring(xml.encode() if isinstance(xml, str) else xml)
    if not schema.validate(document):
        pytest.fail(f"not a valid pain.001.001.03: {schema.error_log}")
    return document


def credit_note(organizer=None, net="100.00"):
    organizer = organizer or OrganizerFactory()
    edition = EditionFactory(course__organizer=organizer)
    invoice = InvoiceFactory(registrations=[RegistrationFactory(edition=edition)])
    return issue_credit_note(invoice=invoice, net=D(net), vat=D("0.00"), reason="Cancelled")


def refund(note, amount="100.00", iban="BE71096123456769", bic="GKCCBEBB", name="An Peeters"):
    return Refund.objects.create(credit_note=note, amount=D(amount), beneficiary_name=name,
                                 iban=iban, bic=bic)


def today():
    return timezone.localdate()


@pytest.mark.django_db
def test_pending_refunds_become_one_valid_file(pain001, finance_user):
    note = credit_note()
    organizer = note.organizer
    first = refund(note, "60.00")
    second = refund(credit_note(organizer), "40.50", iban="NL91ABNA0417164300", bic="",
                    name="Zoë Müller & Co")
    elsewhere = refund(credit_note(), "10.00")
    export = export_pending_refunds(organizer=organizer, user=finance_user,
                                    execution_date=today())
    document = valid(pain001, export.xml)
    assert document.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId", namespaces=NS) == (
        export.message_id)
    assert document.findtext(".//p:GrpHdr/p:NbOfTxs", namespaces=NS) == "2"
    assert document.findtext(".//p:GrpHdr/p:CtrlSum", namespaces=NS) == "100.50"
    assert document.findtext(".//p:PmtInf/p:CtrlSum", namespaces=NS) == "100.50"
    assert export.total == D("100.50")
    assert document.findtext(".//p:DbtrAcct/p:Id/p:IBAN", namespaces=NS) == organizer.iban
    assert document.findtext(".//p:ReqdExctnDt", namespaces=NS) == today().isoformat()
    transfers = document.findall(".//p:CdtTrfTxInf", namespaces=NS)
    assert [t.findtext("p:PmtId/p:EndToEndId", namespaces=NS) for t in transfers] == [
        f"REFUND-{first.pk}", f"REFUND-{second.pk}"]
    assert transfers[0].findtext("p:RmtInf/p:Ustrd", namespaces=NS) == (
        f"Refund credit note {note.number}")
    assert transfers[1].findtext("p:Cdtr/p:Nm", namespaces=NS) == "Zoe Muller Co"
    assert transfers[1].find("p:CdtrAgt", namespaces=NS) is None  # IBAN only
    assert set(export.refunds.values_list("pk", flat=True)) == {first.pk, second.pk}
    assert set(Refund.objects.filter(export=export).values_list("status", flat=True)) == {
        "exported"}
    elsewhere.refresh_from_db()
    assert elsewhere.status == "pending"


@pytest.mark.django_db
def test_a_second_export_finds_nothing(finance_user):
    note = credit_note()
    refund(note)
    export_pending_refunds(organizer=note.organizer, user=finance_user, execution_date=today())
    with pytest.raises(NothingToExport):
        export_pending_refunds(organizer=note.organizer, user=finance_user,
                               execution_date=today())
    assert SepaExport.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("wrong", [{"iban": "BE00123456789012"}, {"bic": "KREDBE"},
                                   {"name": "Иван Петров"}])
def test_a_refund_a_bank_would_refuse_stores_nothing(finance_user, wrong):
    note = credit_note()
    good, bad = refund(note, "50.00"), refund(note, "50.00", **wrong)
    with pytest.raises(ValueError):
        export_pending_refunds(organizer=note.organizer, user=finance_user,
                               execution_date=today())
    assert not SepaExport.objects.exists()
    assert {r.status for r in Refund.objects.filter(pk__in=[good.pk, bad.pk])} == {"pending"}


@pytest.mark.django_db
def test_no_execution_in_the_past(finance_user):
    note = credit_note()
    refund(note)
    with pytest.raises(ValueError):
        export_pending_refunds(organizer=note.organizer, user=finance_user,
                               execution_date=today() - timedelta(days=1))


@pytest.mark.django_db
def test_marking_the_file_paid_pays_its_refunds(finance_user):
    note = credit_note()
    refund(note)
    export = export_pending_refunds(organizer=note.organizer, user=finance_user,
                                    execution_date=today())
    mark_export_paid(export, today())
    export.refresh_from_db()
    assert export.paid_on == today()
    assert list(export.refunds.values_list("status", flat=True)) == ["paid"]
    with pytest.raises(ValueError):
        mark_export_paid(export, today())


def test_sepa_text_keeps_to_the_epc_character_set():
    assert sepa_text("Zoë Müller & Co <test>", 70) == "Zoe Muller Co test"
    assert sepa_text("Ærø Straße " + "x" * 80, 20) == "AEro Strasse " + "x" * 7
    assert sepa_text("  François\n\tDupont  ", 70) == "Francois Dupont"


@pytest.mark.django_db(transaction=True)
def test_two_exports_at_the_same_time_never_share_a_refund(finance_user):
    note = credit_note()
    refund(note)
    organizer = note.organizer
    outcome = {}
    locked, second_started = threading.Event(), threading.Event()

    def first():
        try:
            with transaction.atomic():
                outcome["first"] = export_pending_refunds(
                    organizer=organizer, user=finance_user, execution_date=today())
                locked.set()
                second_started.wait(5)
                time.sleep(0.5)  # the second export is now waiting for the row lock
                # Taken before the COMMIT: once it releases the lock the second export may
                # finish before this thread runs again, so a time taken after it could be later.
                outcome["committing"] = time.monotonic()
        finally:
            connection.close()

    def second():
        locked.wait(5)
        second_started.set()
        try:
            outcome["second"] = export_pending_refunds(
                organizer=organizer, user=finance_user, execution_date=today())
        except NothingToExport as error:
            outcome["second"] = error
        finally:
            outcome["second_done"] = time.monotonic()
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert isinstance(outcome["first"], SepaExport)
    assert isinstance(outcome["second"], NothingToExport)
    assert outcome["second_done"] >= outcome["committing"]  # it waited for the lock
    assert SepaExport.objects.count() == 1


# --- the admin --------------------------------------------------------------------------------


def _action(client, url, action, pks):
    return client.post(url, {"action": action, "_selected_action": [str(pk) for pk in pks]})


@pytest.mark.django_db
def test_finance_exports_selected_refunds_and_marks_the_file_paid(client, finance_user, pain001):
    note = credit_note()
    first, second = refund(note, "30.00"), refund(note, "20.00")
    refund(credit_note(note.organizer), "5.00")  # pending, not selected
    client.force_login(finance_user)
    changelist = reverse("admin:billing_refund_changelist")
    assert client.get(changelist, {"status__exact": "pending"}).status_code == 200
    response = _action(client, changelist, "export_to_sepa", [first.pk, second.pk])
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    document = valid(pain001, response.content)
    assert document.findtext(".//p:GrpHdr/p:CtrlSum", namespaces=NS) == "50.00"
    export = SepaExport.objects.get()
    assert export.created_by == finance_user
    download = client.get(reverse("admin:billing_sepaexport_xml", args=[export.pk]))
    assert download.content.decode() == export.xml
    response = _action(client, reverse("admin:billing_sepaexport_changelist"), "mark_paid",
                       [export.pk])
    assert response.status_code == 302
    assert set(export.refunds.values_list("status", flat=True)) == {"paid"}
    assert Refund.objects.filter(status="pending").count() == 1


@pytest.mark.django_db
def test_refunds_of_two_organizers_are_not_mixed_in_one_file(client, finance_user):
    a, b = refund(credit_note()), refund(credit_note())
    client.force_login(finance_user)
    _action(client, reverse("admin:billing_refund_changelist"), "export_to_sepa", [a.pk, b.pk])
    assert not SepaExport.objects.exists()


@pytest.mark.django_db
def test_finance_records_a_refund_by_hand(client, finance_user):
    note = credit_note()
    client.force_login(finance_user)
    url = reverse("admin:billing_refund_add")
    data = {"credit_note": note.pk, "amount": "100.00", "beneficiary_name": "An Peeters",
            "iban": "BE71 0961 2345 6769", "bic": "gkcc bebb"}
    assert client.post(url, {**data, "iban": "BE71096123456760"}).status_code == 200
    assert client.post(url, {**data, "amount": "100.01"}).status_code == 200
    assert client.post(url, data).status_code == 302
    saved = Refund.objects.get()
    assert (saved.iban, saved.bic, saved.created_by) == ("BE71096123456769", "GKCCBEBB",
                                                         finance_user)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["course_admin", "exam_committee_member", "participant"])
def test_only_finance_sees_refunds_and_files(client, role, request, finance_user):
    note = credit_note()
    pending = refund(note)
    export = export_pending_refunds(organizer=note.organizer, user=finance_user,
                                    execution_date=today())
    other = refund(note, "1.00")
    client.force_login(request.getfixturevalue(role))
    for url in (reverse("admin:billing_refund_changelist"),
                reverse("admin:billing_sepaexport_xml", args=[export.pk])):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert export.message_id.encode() not in response.content
    _action(client, reverse("admin:billing_refund_changelist"), "export_to_sepa", [other.pk])
    _action(client, reverse("admin:billing_sepaexport_changelist"), "mark_paid", [export.pk])
    assert SepaExport.objects.count() == 1
    assert Refund.objects.get(pk=pending.pk).status == "exported"
    assert Refund.objects.get(pk=other.pk).status == "pending"


@pytest.mark.django_db
def test_refunds_without_a_known_account_wait_for_finance(finance_user):
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from billing.invoicing import issue_credit_note
    from billing.models import Refund
    from billing.sepa import NothingToExport, export_pending_refunds
    from tests.factories import InvoiceFactory

    invoice = InvoiceFactory()
    note = issue_credit_note(invoice=invoice, net=Decimal("10.00"), vat=Decimal("0.00"),
                             reason="test")
    Refund.objects.create(credit_note=note, amount=Decimal("10.00"), beneficiary_name="X",
                          iban="")
    with pytest.raises(NothingToExport):
        export_pending_refunds(organizer=invoice.organizer, user=finance_user,
                               execution_date=timezone.localdate() + timedelta(days=1))
    assert Refund.objects.get().status == "pending"
