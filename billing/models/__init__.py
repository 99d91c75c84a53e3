"""Billing models, one module per subject."""

from billing.models.dunning import InterestRate, LatePaymentStep, UnpaidFlag
from billing.models.invoices import (
    CommunicationNumber,
    CreditNote,
    Invoice,
    InvoiceLine,
    NumberSeries,
    VatNumberCheck,
)
from billing.models.payments import Instalment, KmoProject, Payment, Refund, SepaExport
from billing.models.statements import BankStatement, StatementLine

__all__ = [
    "BankStatement",
    "CommunicationNumber",
    "CreditNote",
    "Instalment",
    "InterestRate",
    "Invoice",
    "InvoiceLine",
    "KmoProject",
    "LatePaymentStep",
    "NumberSeries",
    "Payment",
    "Refund",
    "SepaExport",
    "StatementLine",
    "UnpaidFlag",
    "VatNumberCheck",
]
