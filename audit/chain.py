"""The hash chain of issued documents, per organizer (issue 9).

Every invoice (incl. late-payment charges) and credit note is a link: its audit entry stores
the SHA-256 of the document's canonical content (the legally relevant fields and lines), the
previous link's hash, and its own hash over position, previous hash and content hash. The
previous hash is taken under a row lock per organizer (``ChainHead``), taken after the number
series lock that issuing already holds, so the lock order stays series -> chain.

The verifier recomputes every link from the CURRENT document rows and reports the first
broken one: a changed document (with what differs), a changed or missing audit entry, or an
issued document that is not in the chain at all.
"""

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

from django.db import transaction
from django.db.models import CharField, Exists, OuterRef
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from audit.context import actor_for, current_actor
from audit.models import AuditEntry, ChainHead

CENT = Decimal("0.01")
INVOICE_FIELDS = (
    "kind", "number", "year", "sequence", "issue_date", "due_date", "structured_communication",
    "seller_name", "seller_address", "seller_vat_number", "seller_iban", "seller_bic",
    "customer_kind", "customer_name", "customer_address", "customer_vat_number",
    "third_party_name", "third_party_address", "kmo_portefeuille", "kmo_recognition_number",
    "vat_mention", "net_total", "vat_total", "total",
)
LINE_FIELDS = ("description", "amount", "discount", "net", "vat_rate_percent", "vat", "total")
CREDIT_NOTE_FIELDS = ("number", "year", "sequence", "issue_date", "reason", "net_total",
                      "vat_total", "total")
INVOICE_LABEL = "billing.invoice"
CREDIT_NOTE_LABEL = "billing.creditnote"


def _value(value):
    if isinstance(value, Decimal):
        return str(value.quantize(CENT))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def invoice_content(invoice, lines) -> dict:
    """The canonical content of an invoice: what the law keeps, nothing else (not the e-mail
    address, not the language of the PDF)."""
    content = {name: _value(getattr(invoice, name)) for name in INVOICE_FIELDS}
    content["organizer"] = invoice.organizer_id
    content["participant"] = invoice.user_id
    content["charged_for"] = invoice.charged_for.number if invoice.charged_for_id else ""
    content["lines"] = [
        {**{name: _value(getattr(line, name)) for name in LINE_FIELDS},
         "registration": line.registration_id}
        for line in sorted(lines, key=lambda line: line.pk or 0)
    ]
    return content


def credit_note_content(note) -> dict:
    content = {name: _value(getattr(note, name)) for name in CREDIT_NOTE_FIELDS}
    content["organizer"] = note.organizer_id
    content["invoice"] = note.invoice.number
    return content


def digest(content: dict) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def link_hash(seq: int, prev_hash: str, content_hash: str) -> str:
    return hashlib.sha256(f"{seq}|{prev_hash}|{content_hash}".encode()).hexdigest()


def _lock_head(organizer_id: int) -> tuple[int, str]:
    """Lock the organizer's chain and return (position, hash) of its last link ((0, "") when
    it has none). Two statements in SQL: they run under the number series lock of every
    checkout, where the ORM's Python took longer than the database (tests/bench, seat_rush)."""
    connection = transaction.get_connection()
    quote = connection.ops.quote_name
    for_update = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        lock = f"SELECT 1 FROM {quote(ChainHead._meta.db_table)} WHERE organizer_id = %s"  # noqa: S608  # nosec B608
        cursor.execute(lock + for_update, [organizer_id])
        if cursor.fetchone() is None:
            ChainHead.objects.bulk_create([ChainHead(organizer_id=organizer_id)],
                                          ignore_conflicts=True)
            cursor.execute(lock + for_update, [organizer_id])
        # A statement of its own after the lock: in READ COMMITTED it sees the link that the
        # previous lock holder committed (a subquery in the locking SELECT would not).
        cursor.execute(
            f"SELECT chain_seq, entry_hash FROM {quote(AuditEntry._meta.db_table)} "  # noqa: S608  # nosec B608
            "WHERE organizer_id = %s AND chain_seq IS NOT NULL ORDER BY chain_seq DESC LIMIT 1",
            [organizer_id],
        )
        last = cursor.fetchone()
    return (last[0], last[1]) if last else (0, "")


def append(action: str, document, content: dict, *, actor=None) -> AuditEntry:
    """The document's audit entry as the next link of its organizer's chain (in the caller's
    transaction, after the number series lock)."""
    organizer_id = document.organizer_id
    last_seq, prev_hash = _lock_head(organizer_id)
    seq = last_seq + 1
    content_hash = digest(content)
    who = actor_for(actor) if actor is not None else current_actor()
    entry = AuditEntry(
        actor=who.user, actor_label=who.label[:100], action=action,
        model_label=document._meta.label_lower, object_id=str(document.pk),
        organizer_id=organizer_id, after=content, chain_seq=seq, content_hash=content_hash,
        prev_hash=prev_hash, entry_hash=link_hash(seq, prev_hash, content_hash),
    )
    entry.save(force_insert=True)
    return entry


def append_invoice(invoice, lines, *, action: str = "invoice.issued", actor=None):
    return append(action, invoice, invoice_content(invoice, lines), actor=actor)


def append_credit_note(note, *, actor=None):
    return append("credit_note.issued", note, credit_note_content(note), actor=actor)


# Verification ---------------------------------------------------------------------------


@dataclass
class Break:
    entry_id: int | None
    position: int | None
    number: str
    problem: str
    differences: list[tuple[str, object, object]] = field(default_factory=list)


@dataclass
class ChainReport:
    organizer: object
    links: int = 0
    broken: Break | None = None

    @property
    def ok(self) -> bool:
        return self.broken is None


def _differences(recorded: dict, current: dict, prefix: str = "") -> list:
    found = []
    for name in sorted(set(recorded) | set(current)):
        old, new = recorded.get(name), current.get(name)
        if old == new:
            continue
        if name == "lines" and isinstance(old, list) and isinstance(new, list):
            for index in range(max(len(old), len(new))):
                a = old[index] if index < len(old) else {}
                b = new[index] if index < len(new) else {}
                found += _differences(a, b, f"{prefix}line {index + 1} ")
        else:
            found.append((f"{prefix}{name}", old, new))
    return found


def _current_documents(entries):
    """The current rows of the batch's documents as plain values (no model instances: the
    verifier reads every invoice ever issued)."""
    from billing.models import CreditNote, Invoice, InvoiceLine

    invoice_ids = [int(e.object_id) for e in entries if e.model_label == INVOICE_LABEL]
    note_ids = [int(e.object_id) for e in entries if e.model_label == CREDIT_NOTE_LABEL]
    invoices = {}
    for row in Invoice.objects.filter(pk__in=invoice_ids).values(
        "pk", *INVOICE_FIELDS, "organizer_id", "user_id", "charged_for_id",
        "charged_for__number",
    ):
        row["charged_for"] = SimpleNamespace(number=row.pop("charged_for__number"))
        invoices[row["pk"]] = SimpleNamespace(**row, lines=[])
    for row in (InvoiceLine.objects.filter(invoice_id__in=invoice_ids)
                .values("pk", "invoice_id", "registration_id", *LINE_FIELDS).order_by("pk")):
        invoices[row["invoice_id"]].lines.append(SimpleNamespace(**row))
    notes = {}
    for row in CreditNote.objects.filter(pk__in=note_ids).values(
        "pk", *CREDIT_NOTE_FIELDS, "organizer_id", "invoice__number",
    ):
        row["invoice"] = SimpleNamespace(number=row.pop("invoice__number"))
        notes[row["pk"]] = SimpleNamespace(**row)
    return invoices, notes


def _check_link(entry, expected_seq, prev_hash, invoices, notes) -> Break | None:
    def broken(problem, number="", differences=()):
        return Break(entry.pk, entry.chain_seq, number or str(entry.after.get("number", "")),
                     problem, list(differences))

    if entry.chain_seq != expected_seq:
        return broken(_("link %(position)s is missing") % {"position": expected_seq})
    if entry.prev_hash != prev_hash:
        return broken(_("the previous hash does not match the previous link"))
    if entry.entry_hash != link_hash(entry.chain_seq, entry.prev_hash, entry.content_hash):
        return broken(_("the hash of the link was altered"))
    if not isinstance(entry.after, dict) or digest(entry.after) != entry.content_hash:
        return broken(_("the recorded content was altered"))
    if entry.model_label == INVOICE_LABEL:
        document = invoices.get(int(entry.object_id))
        current = invoice_content(document, document.lines) if document else None
    else:
        document = notes.get(int(entry.object_id))
        current = credit_note_content(document) if document else None
    if current is None:
        return broken(_("the document no longer exists"))
    if digest(current) != entry.content_hash:
        return broken(_("the document differs from what was issued"), document.number,
                      _differences(entry.after, current))
    return None


def verify_organizer(organizer, *, batch_size: int = 500) -> ChainReport:
    """Walk the organizer's chain from the first link; stop at the first broken one."""
    from billing.models import CreditNote, Invoice

    report = ChainReport(organizer)
    prev_hash, expected = "", 1
    entries = AuditEntry.objects.filter(organizer=organizer, chain_seq__isnull=False)
    last_seq = 0
    while True:
        batch = list(entries.filter(chain_seq__gt=last_seq).order_by("chain_seq")[:batch_size])
        if not batch:
            break
        invoices, notes = _current_documents(batch)
        for entry in batch:
            report.broken = _check_link(entry, expected, prev_hash, invoices, notes)
            if report.broken:
                return report
            prev_hash, expected = entry.entry_hash, expected + 1
            report.links += 1
        last_seq = batch[-1].chain_seq
    for model, label in ((Invoice, INVOICE_LABEL), (CreditNote, CREDIT_NOTE_LABEL)):
        linked = AuditEntry.objects.filter(
            model_label=label, object_id=Cast(OuterRef("pk"), CharField()),
            chain_seq__isnull=False,
        )
        missing = (model.objects.filter(organizer=organizer).filter(~Exists(linked))
                   .order_by("year", "sequence").first())
        if missing is not None:
            report.broken = Break(None, None, missing.number, _("issued but not in the chain"))
            return report
    return report


def verify(organizer=None) -> list[ChainReport]:
    from courses.models import Organizer

    organizers = Organizer.objects.order_by("pk")
    if organizer is not None:
        organizers = organizers.filter(pk=organizer.pk)
    return [verify_organizer(o) for o in organizers]
