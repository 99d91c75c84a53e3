"""Refunds out: pending refunds of one organizer as a SEPA credit transfer file (pain.001).

Issue "payments out": refunds are recorded against a credit note (rules.md §2: corrections and
refunds are credit notes); finance exports the pending ones as a pain.001 file, uploads it to the
organizer's bank, and marks the file paid once the bank has executed it.

The file is ISO 20022 ``pain.001.001.03`` as profiled by the EPC "SEPA Credit Transfer Scheme
Customer-to-PSP Implementation Guidelines" and by Febelfin for Belgian banks: every Belgian bank
accepts .03, while the 2019 version (.09) is not yet accepted everywhere, and refunds need nothing
that .09 adds. One file holds one payment information block (the organizer as debtor, its IBAN
and BIC, one requested execution date, charges SLEV) and one transfer per refund:

* ``MsgId``: ``LLP`` + creation time + 8 random hex digits, unique (the database refuses a repeat);
* ``InitgPty``: the organizer's name and its enterprise number with issuer ``KBO-BCE`` (Febelfin);
* ``EndToEndId``: ``REFUND-<id>``, which the beneficiary's bank passes on;
* the creditor's BIC only when it is known (IBAN-only transfers are allowed in SEPA);
* remittance information, unstructured: ``Refund credit note <number>``;
* text restricted to the EPC basic Latin character set (accents dropped, other signs to spaces).

A refund is in at most one file: `export_pending_refunds` locks the pending refunds with
``SELECT ... FOR UPDATE`` and marks them exported in the same transaction as the file is stored,
so a second export, even at the same moment, finds none of them pending any more.
"""

import re
import secrets
import unicodedata
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from audit.trail import Change, record_many
from billing.epc import compact_iban
from billing.models import Refund, SepaExport

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"
MAX_AMOUNT = Decimal("999999999.99")
_BIC = re.compile(r"[A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?")
_IBAN_SHAPE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}")
_NOT_EPC = re.compile(r"[^A-Za-z0-9/\-?:().,'+ ]")
# Letters that Unicode does not decompose into a base letter and an accent.
_LETTERS = str.maketrans({"Æ": "AE", "æ": "ae", "Ø": "O", "ø": "o", "ß": "ss", "Œ": "OE",
                          "œ": "oe", "Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Þ": "Th",
                          "þ": "th"})


class NothingToExport(ValueError):
    """No pending refund to put in a file (or all were exported meanwhile)."""


def sepa_text(value: str, max_length: int) -> str:
    """Text in the EPC basic Latin set (a-z A-Z 0-9 / - ? : ( ) . , ' + space), cut to length:
    ``"Zoë Müller & Co"`` → ``"Zoe Muller Co"``."""
    decomposed = unicodedata.normalize("NFKD", (value or "").translate(_LETTERS))
    ascii_text = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_NOT_EPC.sub(" ", ascii_text).split())[:max_length].strip()


def _name(value: str) -> str:
    name = sepa_text(value, 70)
    if not name:
        raise ValueError(_("The name %(name)s has no letters a bank can carry.")
                         % {"name": repr(value)})
    return name


def clean_iban(iban: str) -> str:
    """`epc.compact_iban` (pure, its errors in English) with its refusal in finance's
    language: "not an IBAN" or "wrong check digits"."""
    try:
        return compact_iban(iban)
    except ValueError:
        if _IBAN_SHAPE.fullmatch(re.sub(r"\s", "", iban or "").upper()):
            raise ValueError(_("The check digits of IBAN %(iban)s are wrong: check it for a "
                               "typing error.") % {"iban": repr(iban)}) from None
        raise ValueError(_("%(iban)s is not an IBAN.") % {"iban": repr(iban)}) from None


def clean_bic(bic: str) -> str:
    """The BIC in capitals without spaces, or ``""``; `ValueError` when it is not a BIC."""
    bic = re.sub(r"\s", "", bic or "").upper()
    if bic and not _BIC.fullmatch(bic):
        raise ValueError(_("%(bic)s is not a BIC (8 or 11 letters and digits, such as "
                           "GEBABEBB).") % {"bic": repr(bic)})
    return bic


def _amount(value: Decimal) -> str:
    if not Decimal("0.01") <= value <= MAX_AMOUNT or value != value.quantize(Decimal("0.01")):
        raise ValueError(_("%(amount)s is not an amount a transfer can carry (from 0.01 to "
                           "999999999.99, in cents).") % {"amount": value})
    return f"{value:.2f}"


def _el(parent, name, text=None, **attributes):
    element = etree.SubElement(parent, f"{{{NAMESPACE}}}{name}", attributes)
    if text is not None:
        element.text = text
    return element


def _agent(parent, name, bic):
    institution = _el(_el(parent, name), "FinInstnId")
    if bic:
        _el(institution, "BIC", bic)
    else:  # the debtor's agent is required in .03; EPC: "NOTPROVIDED" when the BIC is unknown
        _el(_el(institution, "Othr"), "Id", "NOTPROVIDED")


def build_pain001(*, message_id, created_at, debtor, execution_date, transfers) -> bytes:
    """The pain.001.001.03 document. `debtor`: name, iban, bic, enterprise_number (10 digits or
    ""); `transfers`: dicts with end_to_end_id, amount, name, iban, bic, remittance."""
    if not transfers:
        raise NothingToExport(_("A SEPA file needs at least one transfer."))
    count = str(len(transfers))
    total = _amount(sum((transfer["amount"] for transfer in transfers), Decimal("0.00")))
    root = etree.Element(f"{{{NAMESPACE}}}Document", nsmap={None: NAMESPACE})
    initiation = _el(root, "CstmrCdtTrfInitn")
    header = _el(initiation, "GrpHdr")
    _el(header, "MsgId", message_id)
    _el(header, "CreDtTm", created_at.strftime("%Y-%m-%dT%H:%M:%S"))
    _el(header, "NbOfTxs", count)
    _el(header, "CtrlSum", total)
    party = _el(header, "InitgPty")
    _el(party, "Nm", _name(debtor["name"]))
    if debtor.get("enterprise_number"):
        other = _el(_el(_el(party, "Id"), "OrgId"), "Othr")
        _el(other, "Id", debtor["enterprise_number"])
        _el(other, "Issr", "KBO-BCE")
    payment = _el(initiation, "PmtInf")
    _el(payment, "PmtInfId", f"{message_id}-1")
    _el(payment, "PmtMtd", "TRF")
    _el(payment, "NbOfTxs", count)
    _el(payment, "CtrlSum", total)
    _el(_el(_el(payment, "PmtTpInf"), "SvcLvl"), "Cd", "SEPA")
    _el(payment, "ReqdExctnDt", execution_date.isoformat())
    _el(_el(payment, "Dbtr"), "Nm", _name(debtor["name"]))
    account = _el(payment, "DbtrAcct")
    _el(_el(account, "Id"), "IBAN", clean_iban(debtor["iban"]))
    _el(account, "Ccy", "EUR")
    _agent(payment, "DbtrAgt", clean_bic(debtor["bic"]))
    _el(payment, "ChrgBr", "SLEV")
    for transfer in transfers:
        transaction_info = _el(payment, "CdtTrfTxInf")
        _el(_el(transaction_info, "PmtId"), "EndToEndId", transfer["end_to_end_id"])
        _el(_el(transaction_info, "Amt"), "InstdAmt", _amount(transfer["amount"]), Ccy="EUR")
        bic = clean_bic(transfer.get("bic", ""))
        if bic:
            _agent(transaction_info, "CdtrAgt", bic)
        _el(_el(transaction_info, "Cdtr"), "Nm", _name(transfer["name"]))
        _el(_el(_el(transaction_info, "CdtrAcct"), "Id"), "IBAN", clean_iban(transfer["iban"]))
        _el(_el(transaction_info, "RmtInf"), "Ustrd", sepa_text(transfer["remittance"], 140))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def new_message_id(now=None) -> str:
    now = now or timezone.localtime()
    return f"LLP{now:%Y%m%d%H%M%S}{secrets.token_hex(4).upper()}"


def _debtor(organizer) -> dict:
    digits = re.sub(r"\D", "", organizer.enterprise_number or "")
    return {"name": organizer.name, "iban": organizer.iban, "bic": organizer.bic,
            "enterprise_number": digits if len(digits) == 10 else ""}


def export_pending_refunds(
    *, organizer, user, execution_date: date, refund_ids=None
) -> SepaExport:
    """One SEPA file with the organizer's pending refunds (or the pending ones among
    `refund_ids`), stored as a `SepaExport`; its refunds become "exported" in the same
    transaction. Raises `NothingToExport` when none is pending, `ValueError` for a bad IBAN, BIC
    or amount, or an execution date in the past (nothing is then stored or changed)."""
    now = timezone.localtime()
    if execution_date < now.date():
        raise ValueError(_("The requested execution date is in the past."))
    with transaction.atomic():
        pending = (
            Refund.objects.select_for_update(of=("self",))
            .select_related("credit_note")
            .filter(status=Refund.Status.PENDING, credit_note__organizer=organizer)
            # A refund whose account is not known yet (no bank statement told us where the
            # money came from) waits until finance fills in the IBAN.
            .exclude(iban="")
            .order_by("pk")
        )
        if refund_ids is not None:
            pending = pending.filter(pk__in=list(refund_ids))
        refunds = list(pending)
        if not refunds:
            raise NothingToExport(_("No pending refunds to export."))
        message_id = new_message_id(now)
        transfers = [
            {"end_to_end_id": f"REFUND-{refund.pk}", "amount": refund.amount,
             "name": refund.beneficiary_name, "iban": refund.iban, "bic": refund.bic,
             "remittance": f"Refund credit note {refund.credit_note.number}"}
            for refund in refunds
        ]
        xml = build_pain001(message_id=message_id, created_at=now, debtor=_debtor(organizer),
                            execution_date=execution_date, transfers=transfers)
        export = SepaExport.objects.create(
            message_id=message_id, created_by=user, xml=xml.decode("utf-8"),
            total=sum((refund.amount for refund in refunds), Decimal("0.00")),
        )
        marked = Refund.objects.filter(
            pk__in=[refund.pk for refund in refunds], status=Refund.Status.PENDING
        ).update(status=Refund.Status.EXPORTED, export=export)
        if marked != len(refunds):  # cannot happen under the row locks; never pay twice
            raise RuntimeError("refunds changed while they were being exported")
        record_many("refund.exported", [
            Change(refund, before={"status": Refund.Status.PENDING},
                   after={"status": Refund.Status.EXPORTED, "export": export.pk,
                          "amount": refund.amount}, organizer_id=organizer.pk)
            for refund in refunds
        ], actor=user)
    return export


def mark_export_paid(export: SepaExport, paid_on: date) -> SepaExport:
    """The bank executed the file: the export gets its date and its refunds become "paid".
    Raises `ValueError` when the export was already marked paid."""
    with transaction.atomic():
        export = SepaExport.objects.select_for_update().get(pk=export.pk)
        if export.paid_on is not None:
            raise ValueError(_("%(file)s was already marked paid.")
                             % {"file": export.message_id})
        export.paid_on = paid_on
        export.save(update_fields=["paid_on"])
        refunds = list(
            Refund.objects.select_for_update().filter(export=export, status=Refund.Status.EXPORTED)
            .select_related("credit_note").order_by("pk")
        )
        Refund.objects.filter(pk__in=[refund.pk for refund in refunds]).update(
            status=Refund.Status.PAID
        )
        record_many("refund.paid", [
            Change(refund, before={"status": Refund.Status.EXPORTED},
                   after={"status": Refund.Status.PAID, "paid_on": paid_on,
                          "amount": refund.amount}, organizer_id=refund.credit_note.organizer_id)
            for refund in refunds
        ])
    return export
