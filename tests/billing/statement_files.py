"""Small bank statements written to the specifications, for tests and benchmarks.

camt.053 through lxml's ElementMaker (.001.02 or .001.08 shapes); CODA as 128-column records
placed by their Febelfin positions, with a trailer that adds up. A movement is a `Move`.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from lxml import etree
from lxml.builder import ElementMaker

ACCOUNT = "BE68539007547034"  # tests.factories.OrganizerFactory's IBAN


@dataclass
class Move:
    amount: str  # signed: "-12.00" is a debit
    ogm: str = ""  # creditor reference (camt) or structured communication 101 (CODA)
    text: str = ""  # free communication
    name: str = "An Peeters"
    iban: str = "BE71096123456769"
    ref: str = ""
    booked: date = date(2026, 3, 2)
    currency: str = "EUR"
    status: str = "BOOK"
    reversal: bool = False
    raw_amount: str = ""  # written as is (camt only): "12,50"


def camt053(moves: list[Move], account: str = ACCOUNT, version: str = "08") -> bytes:
    ns = f"urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version}"
    E = ElementMaker(namespace=ns, nsmap={None: ns})
    nested = version >= "08"

    def party(name):
        return E.Pty(E.Nm(name)) if nested else E.Nm(name)

    def entry(index, move):
        amount = Decimal(move.amount)
        status = E.Sts(E.Cd(move.status)) if nested else E.Sts(move.status)
        remittance = []
        if move.text:
            remittance.append(E.Ustrd(move.text))
        if move.ogm:
            remittance.append(E.Strd(E.CdtrRefInf(
                E.Tp(E.CdOrPrtry(E.Cd("SCOR")), E.Issr("BBA")), E.Ref(move.ogm))))
        role = "Dbtr" if amount >= 0 else "Cdtr"
        return E.Ntry(
            E.Amt(move.raw_amount or f"{abs(amount):.2f}", Ccy=move.currency),
            E.CdtDbtInd("CRDT" if amount >= 0 else "DBIT"),
            E.RvslInd("true" if move.reversal else "false"),
            status,
            E.BookgDt(E.Dt(move.booked.isoformat())),
            E.ValDt(E.Dt(move.booked.isoformat())),
            E.AcctSvcrRef(move.ref or f"REF{index:06d}"),
            E.NtryDtls(E.TxDtls(
                E.RltdPties(E(role, party(move.name)),
                            E(f"{role}Acct", E.Id(E.IBAN(move.iban)))),
                E.RmtInf(*remittance),
            )),
        )

    document = E.Document(E.BkToCstmrStmt(
        E.GrpHdr(E.MsgId("TEST-MSG-1"), E.CreDtTm("2026-03-03T06:00:00")),
        E.Stmt(
            E.Id("TEST-STMT-1"),
            E.CreDtTm("2026-03-03T06:00:00"),
            E.Acct(E.Id(E.IBAN(account)), E.Ccy("EUR")),
            *[entry(index, move) for index, move in enumerate(moves, start=1)],
        ),
    ))
    return etree.tostring(document, xml_declaration=True, encoding="UTF-8")


def _record(*fields: tuple[int, str]) -> str:
    chars = [" "] * 128
    for start, text in fields:
        chars[start:start + len(text)] = text
    return "".join(chars)[:128]


def _ddmmyy(day: date) -> str:
    return day.strftime("%d%m%y")


def _coda_amount(value: Decimal) -> str:
    return ("1" if value < 0 else "0") + f"{int(abs(value) * 1000):015d}"


def coda(moves: list[Move], account: str = ACCOUNT, encoding: str = "latin-1",
         newline: str = "\r\n", created: date = date(2026, 3, 3)) -> bytes:
    """One CODA v2 statement of a Belgian IBAN account (structure 2)."""
    records = [
        _record((0, "00000"), (5, _ddmmyy(created)), (11, "725"), (14, "05"),
                (34, "ACADEMY TEST"), (60, "GKCCBEBB"), (127, "2")),
        _record((0, "12"), (2, "042"), (5, account), (39, "EUR"), (42, "0000000001000000"),
                (58, _ddmmyy(created)), (64, "ACADEMY TEST"), (90, "Zichtrekening"),
                (125, "042")),
    ]
    debit, credit = Decimal(0), Decimal(0)
    for sequence, move in enumerate(moves, start=1):
        amount = Decimal(move.amount)
        debit, credit = (debit - amount, credit) if amount < 0 else (debit, credit + amount)
        seq = f"{sequence:04d}0000"
        # Type 1 + code 101 + the 12 digits, or type 0 + free text over 2.1, 2.2 and 2.3.
        communication = "1101" + move.ogm if move.ogm else "0" + move.text.ljust(149)
        records += [
            _record((0, "21"), (2, seq), (10, move.ref or f"BANKREF{sequence:014d}"),
                    (31, _coda_amount(amount)), (47, _ddmmyy(move.booked)),
                    (53, "00150000"), (61, communication[:54]), (115, _ddmmyy(move.booked)),
                    (121, "042"), (124, "0"), (125, "1"), (127, "0")),
            _record((0, "22"), (2, seq), (10, communication[54:107]), (98, "GEBABEBB"),
                    (125, "1"), (127, "0")),
            _record((0, "23"), (2, seq), (10, move.iban), (44, "EUR"), (47, move.name[:35]),
                    (82, communication[107:150]), (125, "0"), (127, "0")),
        ]
    counted = len(records)  # records 1, 2.x and the 8 below; the header 0 is not counted
    records += [
        _record((0, "8"), (1, "042"), (4, account),
                (41, _coda_amount(Decimal(1000) + credit - debit)), (57, _ddmmyy(created))),
        _record((0, "9"), (16, f"{counted:06d}"),
                (22, f"{int(debit * 1000):015d}"), (37, f"{int(credit * 1000):015d}"),
                (127, "2")),
    ]
    return (newline.join(records) + newline).encode(encoding)
