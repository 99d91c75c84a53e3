from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from billing.models import Invoice


@login_required
def invoice_pdf(request, pk):
    """A participant downloads their own invoices; someone else's is simply not found."""
    from billing.pdf import render_invoice_pdf

    invoice = get_object_or_404(Invoice, pk=pk, user=request.user)
    response = HttpResponse(render_invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="invoice-{invoice.number}.pdf"'
    return response


@login_required
def credit_note_pdf(request, pk):
    from billing.models import CreditNote
    from billing.pdf import render_credit_note_pdf

    note = get_object_or_404(CreditNote, pk=pk, invoice__user=request.user)
    response = HttpResponse(render_credit_note_pdf(note), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="credit-note-{note.number}.pdf"'
    return response
