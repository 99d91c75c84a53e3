from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header

from billing.models import Invoice


@login_required
def invoice_pdf(request, pk):
    """A participant downloads their own invoices; someone else's is simply not found."""
    from billing.pdf import invoice_filename, render_invoice_pdf

    invoice = get_object_or_404(Invoice, pk=pk, user=request.user)
    response = HttpResponse(render_invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, invoice_filename(invoice))
    return response


@login_required
def credit_note_pdf(request, pk):
    from billing.models import CreditNote
    from billing.pdf import credit_note_filename, render_credit_note_pdf

    note = get_object_or_404(CreditNote.objects.select_related("invoice"), pk=pk,
                             invoice__user=request.user)
    response = HttpResponse(render_credit_note_pdf(note), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, credit_note_filename(note))
    return response
