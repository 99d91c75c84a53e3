"""What becomes of one statement line, decided in memory from look-ups made per batch.

Kept apart from the database work (importer.py) so each rule reads as a sentence and the
import stays at a fixed number of queries per batch, whatever the batch holds.
"""

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from billing.models import StatementLine
from billing.statements.parsed import ParsedLine, normalise_iban
from billing.statements.texts import Text

Result = StatementLine.Result
# A 12-digit reference that looks like an OGM (the bank's structured type, or typed with
# slashes) but whose check digits are wrong: said so, instead of a bare "not found".
_LOOKS_LIKE_OGM = re.compile(r"(?<!\d)\d{3}/\d{4}/\d{5}(?!\d)")
# Legal forms and titles say nothing about who paid.
_NOISE = {"bv", "bvba", "nv", "sa", "srl", "sprl", "vzw", "asbl", "cv", "cvba", "comm", "v",
          "mr", "mevr", "dhr", "mme", "m", "de", "van", "der", "den", "le", "la", "en", "et"}


@dataclass
class Decision:
    result: str
    text: Text  # stored as its code and parameters, worded in the reader's language
    invoice: object = None  # the invoice paid (matched)
    instalment: object = None
    suggested: object = None

    @property
    def message(self) -> str:
        return str(self.text)


@dataclass
class Lookups:
    """Everything a batch needs, fetched in bulk before its lines are decided."""

    paid: dict = field(default_factory=dict)  # dedup_key -> (statement, line, invoice number)
    # dedup_key -> (statement, line): the movement is in another statement imported before,
    # not matched (yet): finance matches it there, so it is listed once.
    unmatched: dict = field(default_factory=dict)
    invoices: dict = field(default_factory=dict)  # "+++...+++" -> Invoice (with paid/credited)
    instalments: dict = field(default_factory=dict)  # "+++...+++" -> Instalment
    # Open invoices by balance, for suggestions: kept for the whole import (see Candidates)
    candidates: "Candidates" = field(default_factory=lambda: Candidates())
    own_accounts: frozenset = frozenset()  # the organizers' IBANs
    claimed: set = field(default_factory=set)  # keys paid earlier in this same import
    paid_now: dict = field(default_factory=dict)  # invoice pk -> paid earlier in this batch
    # (invoice pk, amount, date) -> (statement, line): bank payments already imported from *other*
    # statements. The same movement in a CODA and a camt.053 file has different bank
    # references, so its dedup keys differ; this catches it.
    lookalikes: dict = field(default_factory=dict)


def dedup_key(line: ParsedLine, occurrence: int) -> str:
    """The same bank movement gives the same key in every file that contains it: account,
    booking date, amount, the bank's reference and the communication. Without a bank
    reference, two identical movements on one day can only be told apart by their order
    among identical lines (`occurrence`), which is the same in a second upload too."""
    parts = [line.account_iban, str(line.booked_on or ""), str(line.amount), line.currency,
             line.bank_reference, line.communication]
    if not line.bank_reference:
        parts.append(str(occurrence))
    return "v1:" + hashlib.sha256("|".join(parts).encode()).hexdigest()


def dedup_keys(lines: list[ParsedLine]) -> list[str]:
    seen: dict[tuple, int] = {}
    keys = []
    for line in lines:
        base = (line.account_iban, line.booked_on, line.amount, line.bank_reference,
                line.communication)
        occurrence = seen.get(base, 0)
        seen[base] = occurrence + 1
        keys.append(dedup_key(line, occurrence))
    return keys


def decide(line: ParsedLine, key: str, found: Lookups) -> Decision:
    if line.problem:
        return Decision(Result.ERROR, line.problem)
    if key in found.paid:
        name, position, number = found.paid[key]
        return Decision(Result.ALREADY_IMPORTED, Text("already_imported", name=name,
                                                      position=position, number=number))
    if key in found.claimed:
        return Decision(Result.ALREADY_IMPORTED, Text("already_imported_here"))
    if key in found.unmatched:
        name, position = found.unmatched[key]
        return Decision(Result.ALREADY_IMPORTED, Text("already_imported_unmatched", name=name,
                                                      position=position))
    refusal = _not_a_payment(line)
    if refusal:
        return Decision(Result.ERROR, refusal)
    if line.structured:
        decision = _by_structured(line, found)
        twin = found.lookalikes.get((getattr(decision.invoice, "pk", None), line.amount,
                                     line.booked_on))
        if decision.result == Result.MATCHED and twin:
            name, position = twin
            return Decision(Result.UNMATCHED, Text(
                "lookalike", number=decision.invoice.number, amount=line.amount, name=name,
                position=position), suggested=decision.invoice)
        if decision.result == Result.MATCHED:
            found.claimed.add(key)
            pk = decision.invoice.pk
            found.paid_now[pk] = found.paid_now.get(pk, Decimal(0)) + line.amount
            return decision
        return _with_suggestion(line, found, decision.text)
    text = Text("no_structured")
    if _LOOKS_LIKE_OGM.search(line.communication):
        text = Text("wrong_check_digits")
    return _with_suggestion(line, found, text)


def _not_a_payment(line: ParsedLine) -> Text | None:
    if line.reversal:
        return Text("reversal")
    if line.amount < 0:
        return Text("debit")
    if line.amount == 0:
        return Text("zero_amount")
    if line.currency and line.currency != "EUR":
        return Text("currency", currency=line.currency)
    if line.booked_on is None:
        return Text("no_booking_date")
    return None


def _by_structured(line: ParsedLine, found: Lookups) -> Decision:
    instalment = found.instalments.get(line.structured)
    invoice = instalment.invoice if instalment else found.invoices.get(line.structured)
    if invoice is None:
        return Decision(Result.UNMATCHED, Text("unknown_structured", ogm=line.structured))
    if not _payable_here(invoice, line, found):
        return Decision(Result.UNMATCHED, Text(
            "other_account", ogm=line.structured, number=invoice.number,
            organizer=invoice.organizer.name, seller_iban=invoice.seller_iban,
            account=normalise_iban(line.account_iban)))
    text = (Text("paid_part", number=invoice.number, part=instalment.number) if instalment
            else Text("paid", number=invoice.number))
    return Decision(Result.MATCHED, text, invoice=invoice, instalment=instalment)


def _payable_here(invoice, line: ParsedLine, found: Lookups) -> bool:
    """On an organizer's account, only that organizer's invoices (as printed on the invoice,
    or its current account); a statement of an account we do not know takes any invoice."""
    organizer_iban = (invoice.organizer_iban if isinstance(invoice, Candidate)
                      else invoice.organizer.iban)
    return _payable_to(invoice.seller_iban, organizer_iban, line, found)


def _payable_to(seller_iban: str, organizer_iban: str, line: ParsedLine, found: Lookups) -> bool:
    account = normalise_iban(line.account_iban)
    if account not in found.own_accounts:
        return True
    return account in {normalise_iban(seller_iban), normalise_iban(organizer_iban)}


def _with_suggestion(line: ParsedLine, found: Lookups, text: Text) -> Decision:
    """Same open balance and a payer's name like the customer's: suggested, never paid."""
    matches = [candidate for candidate in found.candidates.resembling(line.amount,
                                                                       line.counterparty_name)
               if candidate.pk not in found.paid_now and _payable_here(candidate, line, found)]
    if len(matches) != 1:
        return Decision(Result.UNMATCHED, text)
    invoice = matches[0]
    return Decision(Result.UNMATCHED, text.with_params(suggested=invoice.number),
                    suggested=invoice)


@dataclass(frozen=True)
class Candidate:
    """An open invoice that a line of its balance may be suggested for (plain values)."""

    pk: int
    number: str
    balance: Decimal
    seller_iban: str
    organizer_iban: str
    names: tuple[frozenset, frozenset]  # the words of the customer's and the third payer's name

    @classmethod
    def of(cls, pk, number, balance, seller_iban, organizer_iban, customer_name,
           third_party_name) -> "Candidate":
        return cls(pk, number, amount_key(balance), seller_iban or "", organizer_iban or "",
                   (frozenset(_tokens(customer_name or "")),
                    frozenset(_tokens(third_party_name or ""))))


class Candidates:
    """The open invoices by balance, for the amounts an import has asked about so far, with
    their names indexed by word: a payer's name is compared only with the candidates of that
    amount that share a word with it (`names_resemble` needs one), not with every candidate.

    An import reads them once for all the amounts of its file (`add`; a batch asks for the
    `missing` ones, if any) and `refresh`es the invoices it paid after each batch, so a balance
    it changed is seen by the next batch as if the candidates were read again."""

    def __init__(self):
        self.loaded: set[Decimal] = set()
        self._by_pk: dict[int, Candidate] = {}
        self._by_word: dict[tuple[Decimal, str], set[int]] = {}

    def __len__(self) -> int:
        return len(self._by_pk)

    def missing(self, amounts) -> set[Decimal]:
        return {amount_key(amount) for amount in amounts} - self.loaded

    def add(self, amounts, candidates) -> None:
        """`candidates`: every open invoice whose balance is one of `amounts`."""
        self.loaded |= {amount_key(amount) for amount in amounts}
        for candidate in candidates:
            self._put(candidate)

    def refresh(self, pks, candidates) -> None:
        """The invoices `pks` as they are now: `candidates` holds those still open."""
        for pk in pks:
            self._drop(pk)
        for candidate in candidates:
            if candidate.balance in self.loaded:
                self._put(candidate)

    def resembling(self, amount, payer: str) -> list[Candidate]:
        """The candidates of that balance whose customer or third payer resembles `payer`."""
        if amount is None:
            return []
        amount, ours = amount_key(amount), _tokens(payer or "")
        pks = set().union(*(self._by_word.get((amount, word), ()) for word in ours))
        found = (self._by_pk[pk] for pk in sorted(pks))
        return [candidate for candidate in found
                if any(_resemble(ours, theirs) for theirs in candidate.names)]

    def _put(self, candidate: Candidate) -> None:
        self._drop(candidate.pk)
        self._by_pk[candidate.pk] = candidate
        for word in candidate.names[0] | candidate.names[1]:
            self._by_word.setdefault((candidate.balance, word), set()).add(candidate.pk)

    def _drop(self, pk: int) -> None:
        old = self._by_pk.pop(pk, None)
        if old is not None:
            for word in old.names[0] | old.names[1]:
                self._by_word.get((old.balance, word), set()).discard(pk)


def _tokens(name: str) -> set[str]:
    if not name:
        return set()
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return {word for word in re.split(r"[^a-z0-9]+", plain) if word and word not in _NOISE}


def names_resemble(payer: str, customer: str) -> bool:
    """"PEETERS AN", "Mevr. An Peeters" and "An Peeters" resemble each other: at least half
    the words of the shorter name, ignoring legal forms, titles, accents and order."""
    return _resemble(_tokens(payer or ""), _tokens(customer or ""))


def _resemble(ours, theirs) -> bool:
    if not ours or not theirs:
        return False
    common = ours & theirs
    return bool(common) and len(common) * 2 >= min(len(ours), len(theirs))


def amount_key(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))
