"""camt.053 (ISO 20022 BankToCustomerStatement, versions .001.02 to .001.13) into `ParsedLine`s.

lxml, not string slicing, and namespace-agnostic: the namespace is read from the root, so any
version and any prefix work. Only booked entries count (pending and information-only entries
are not money yet). An entry with one transaction detail is one line with the entry's booked
amount; a batch entry gives one line per detail that has an amount of its own (Belfius starts
a batch with an amount-less detail describing it). The structured communication is the
`CdtrRefInf` with `Cd` SCOR and `Issr` BBA; otherwise a valid OGM typed into the free text.

pycamt 1.1 was tried and not used: it returns strings and floats for money, takes the first
`CdtrRefInf` whatever its type, lets a detail's amount (0 in the genkgo v8 sample) replace the
booked one, and finds nothing in a document with a namespace prefix.
"""

from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from lxml import etree

from billing.statements.parsed import (
    FROM_CREDITOR_REFERENCE,
    FROM_FREE_TEXT,
    ParsedLine,
    ParsedStatement,
    StatementFormatError,
    collapse,
    normalise_iban,
    structured_in,
)
from billing.statements.texts import Text

CAMT053 = "urn:iso:std:iso:20022:tech:xsd:camt.053."
ISO20022 = "urn:iso:std:iso:20022:tech:xsd:"
CENT = Decimal("0.01")


@lru_cache(maxsize=512)
def _xpath(ns: str, path: str) -> etree.XPath:
    """Compiled once per namespace and path: several times faster than `find` with a path."""
    steps = (step if step in (".", "..") else f"c:{step}" for step in path.split("/"))
    return etree.XPath("/".join(steps), namespaces={"c": ns})


class _Doc:
    """Finds by unprefixed paths ("Acct/Id/IBAN") in the document's own namespace."""

    def __init__(self, ns: str):
        self.ns = ns

    def find(self, element, path: str):
        found = self.findall(element, path)
        return found[0] if found else None

    def findall(self, element, path: str):
        return _xpath(self.ns, path)(element) if element is not None else []

    def text(self, element, *paths: str) -> str:
        for path in paths:
            found = self.find(element, path)
            if found is not None and found.text and found.text.strip():
                return found.text.strip()
        return ""


def read_xml(data: bytes):
    """Parse without entities, DTDs or network access; a clear message when it is not XML."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             remove_comments=True, remove_pis=True, huge_tree=False)
    try:
        return etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as error:
        raise StatementFormatError("xml_syntax", detail=error) from None


def namespace_of(root) -> str:
    return etree.QName(root).namespace or ""


def parse_camt(data: bytes) -> ParsedStatement:
    root = read_xml(data)
    ns = namespace_of(root)
    if not ns.startswith(CAMT053) or etree.QName(root).localname != "Document":
        raise _foreign(ns)
    doc = _Doc(ns)
    statements = doc.findall(root, "BkToCstmrStmt/Stmt")
    if not statements:
        raise StatementFormatError("camt_no_statement")
    result = ParsedStatement(format="camt053", statement_count=len(statements))
    for number, statement in enumerate(statements, start=1):
        account = normalise_iban(doc.text(statement, "Acct/Id/IBAN", "Acct/Id/Othr/Id"))
        result.accounts.append(account)
        for index, entry in enumerate(doc.findall(statement, "Ntry"), start=1):
            if _booked(doc, entry):
                result.lines.extend(_entry_lines(doc, entry, account, f"{number}/{index}"))
    return result


def _foreign(ns: str) -> StatementFormatError:
    if ns.startswith(ISO20022):
        return StatementFormatError("iso_other", message=ns[len(ISO20022):])
    return StatementFormatError("xml_other")


def _booked(doc: _Doc, entry) -> bool:
    status = doc.text(entry, "Sts/Cd", "Sts")  # .08 and later nest the code
    return status in ("", "BOOK")


def _entry_lines(doc: _Doc, entry, account: str, position: str):
    amount, currency, problem = _money(doc.find(entry, "Amt"))
    sign = doc.text(entry, "CdtDbtInd")
    if sign not in ("CRDT", "DBIT"):
        problem = problem or Text("indicator", sign=repr(sign))
    elif amount is not None and sign == "DBIT":
        amount = -amount
    common = {
        "booked_on": _date(doc.text(entry, "BookgDt/Dt", "BookgDt/DtTm")),
        "account_iban": account,
        "reversal": doc.text(entry, "RvslInd").lower() in ("true", "1"),
    }
    reference = doc.text(entry, "AcctSvcrRef", "NtryRef")
    details = doc.findall(entry, "NtryDtls/TxDtls")
    with_amounts = [d for d in details if _detail_amount(doc, d) is not None]
    if len(details) <= 1 or not with_amounts:
        detail = details[0] if details else None
        yield ParsedLine(
            amount=amount, currency=currency, bank_reference=reference or
            doc.text(detail, "Refs/AcctSvcrRef", "Refs/EndToEndId"), sequence=position,
            problem=problem, **common, **_parties(doc, detail, sign, entry),
        )
        return
    for index, detail in enumerate(with_amounts, start=1):
        part, part_currency, part_problem = _money(_detail_amount(doc, detail))
        part_sign = doc.text(detail, "CdtDbtInd") or sign
        if part is not None and part_sign == "DBIT":
            part = -part
        own = doc.text(detail, "Refs/AcctSvcrRef") or str(index)
        yield ParsedLine(
            amount=part, currency=part_currency, bank_reference=f"{reference}/{own}",
            sequence=f"{position}/{index}", problem=problem or part_problem,
            **common, **_parties(doc, detail, part_sign, entry),
        )


def _detail_amount(doc: _Doc, detail):
    for path in ("Amt", "AmtDtls/TxAmt/Amt", "AmtDtls/InstdAmt/Amt"):
        found = doc.find(detail, path)
        if found is not None:
            return found
    return None


def _money(element) -> tuple[Decimal | None, str, Text | str]:
    """(amount, currency, problem). ISO 20022 amounts use a dot and no thousands separator:
    "450,00" is refused with a message rather than guessed at."""
    if element is None:
        return None, "", Text("no_amount")
    text, currency = (element.text or "").strip(), element.get("Ccy", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None, currency, Text("amount_no_dot", text=repr(text))
    if not amount.is_finite() or amount != amount.quantize(CENT):
        return None, currency, Text("amount_not_cents", text=repr(text))
    return amount.quantize(CENT), currency, ""


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def _parties(doc: _Doc, detail, sign: str, entry) -> dict:
    """The other party: the debtor of a credit (who paid us), the creditor of a debit."""
    role = "Dbtr" if sign != "DBIT" else "Cdtr"
    parties = doc.find(detail, "RltdPties")
    name = doc.text(parties, f"{role}/Nm", f"{role}/Pty/Nm", f"Ultmt{role}/Nm",
                    f"Ultmt{role}/Pty/Nm")
    iban = doc.text(parties, f"{role}Acct/Id/IBAN", f"{role}Acct/Id/Othr/Id")
    free = [collapse(u.text or "") for u in doc.findall(detail, "RmtInf/Ustrd")]
    free += [collapse(a.text or "") for a in doc.findall(detail, "RmtInf/Strd/AddtlRmtInf")]
    free_text = " ".join(part for part in free if part)
    references = [_creditor_reference(doc, ref) for ref in
                  doc.findall(detail, "RmtInf/Strd/CdtrRefInf")]
    structured, source = None, ""
    for ogm_type, ref in references:
        if ogm_type and ref and (found := structured_in(ref)) is not None:
            structured, source = found, FROM_CREDITOR_REFERENCE
            break
    if structured is None and (found := structured_in(free_text)) is not None:
        structured, source = found, FROM_FREE_TEXT
    shown = [ref for _, ref in references if ref] + ([free_text] if free_text else [])
    communication = " ".join(shown) or collapse(doc.text(entry, "AddtlNtryInf"))
    return {
        "counterparty_name": collapse(name),
        "counterparty_iban": normalise_iban(iban),
        "communication": communication,
        "structured": structured,
        "structured_source": source,
    }


def _creditor_reference(doc: _Doc, element) -> tuple[bool, str]:
    """(is a Belgian structured communication, the reference as written)."""
    code = doc.text(element, "Tp/CdOrPrtry/Cd")
    issuer = doc.text(element, "Tp/Issr")
    return code == "SCOR" and issuer.upper() == "BBA", collapse(doc.text(element, "Ref"))
