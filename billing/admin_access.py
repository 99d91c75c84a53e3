"""Who may open finance's own pages in the admin (exports, Peppol documents, PDFs, the finance
dashboard): finance, not course administrators. Course administrators read invoices and
payments (late registrations need them) but not credit notes, so the three permissions together
are finance's."""

from django.core.exceptions import PermissionDenied

FINANCE_READ = ("billing.view_invoice", "billing.view_creditnote", "billing.view_payment")


def require(request, *permissions):
    if not request.user.has_perms(permissions):
        raise PermissionDenied


def require_finance(request):
    require(request, *FINANCE_READ)
