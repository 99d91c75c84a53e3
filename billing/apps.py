from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = _("Billing")

    def ready(self):
        """Register the PDF attachments the outbox renders at send time (portal/outbox.py)."""
        from billing import pdf
        from portal.outbox import register_attachment_kind

        register_attachment_kind("invoice_pdf", pdf.invoice_attachment)
        register_attachment_kind("credit_note_pdf", pdf.credit_note_attachment)
